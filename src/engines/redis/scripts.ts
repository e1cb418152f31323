/**
 * @module engines/redis/scripts — the Lua scripts of the Redis engine (Centrifugo's Redis engine), kept as
 * string constants so the build needs no asset copying. They run through EVALSHA with EVAL fallback
 * (ioredis `defineCommand`). Every script touches only keys of one channel, so in Redis Cluster the
 * `{channel}` hash tags put them in one slot.
 */

/** Script names as registered with `defineCommand`. */
export const ScriptNames = Object.freeze({
  publishHistory: 'rotorPublishHistory',
  publishHistoryList: 'rotorPublishHistoryList',
  publishIdempotent: 'rotorPublishIdempotent',
  history: 'rotorHistory',
  historyList: 'rotorHistoryList',
  presenceAdd: 'rotorPresenceAdd',
  presenceRemove: 'rotorPresenceRemove',
  presenceGet: 'rotorPresenceGet',
  presenceStats: 'rotorPresenceStats',
  publishRouted: 'rotorPublishRouted',
});

export type ScriptName = (typeof ScriptNames)[keyof typeof ScriptNames];

/** History storage: a STREAM (default) or a LIST of framed publications (`redis_use_lists`). */
type HistoryStorage = 'stream' | 'list';

/**
 * Publish with history, for either storage (Centrifugo's Redis publish script; both share the meta and result logic).
 * KEYS: 1 stream or list, 2 meta, 3 idempotency result.
 * ARGV: 1 payload (protobuf Publication), 2 history size, 3 history TTL s, 4 PUB/SUB channel, 5 meta TTL s
 * (0 = none), 6 candidate epoch (unix seconds), 7 publish command ('' = do not publish), 8 result TTL s
 * ('' = no idempotency), 9 delta flag ('1'/'0').
 * Returns {top offset, epoch, '1' when served from the idempotency result else '0'}.
 *
 * STREAM: `XADD <top> d <payload>` with MAXLEN. LIST: the framed `__p1:<top>:<epoch>__<payload>` is
 * LPUSHed (newest first) and LTRIMmed to the size; the previous payload for delta is the newest
 * element without its frame header.
 */
function publishHistoryScript(storage: HistoryStorage): string {
  const previous =
    storage === 'stream'
      ? `
  local last = redis.call('xrevrange', KEYS[1], '+', '-', 'COUNT', 1)
  if last[1] then
    local fields = last[1][2]
    for i = 1, #fields, 2 do
      if fields[i] == 'd' then
        prev = fields[i + 1]
      end
    end
  end`
      : `
  local last = redis.call('lindex', KEYS[1], 0)
  if last then
    local headerEnd = string.find(last, '__', 6, true)
    if headerEnd then
      prev = string.sub(last, headerEnd + 2)
    end
  end`;
  const store =
    storage === 'stream'
      ? `redis.call('xadd', KEYS[1], 'MAXLEN', ARGV[2], tostring(top), 'd', ARGV[1])`
      : `redis.call('lpush', KEYS[1], framed)
redis.call('ltrim', KEYS[1], 0, tonumber(ARGV[2]) - 1)`;
  return `
if ARGV[8] ~= '' then
  local cached = redis.call('hmget', KEYS[3], 'e', 's')
  if cached[1] then
    return {cached[2] or '0', cached[1], '1'}
  end
end
local epoch = redis.call('hget', KEYS[2], 'e')
if not epoch then
  epoch = ARGV[6]
  redis.call('hset', KEYS[2], 'e', epoch)
end
local top = redis.call('hincrby', KEYS[2], 's', 1)
if ARGV[5] ~= '0' then
  redis.call('expire', KEYS[2], ARGV[5])
end
local prev = ''
if ARGV[9] == '1' and top ~= 1 then${previous}
end
if top == 1 then
  redis.call('del', KEYS[1])
end
local framed = '__p1:' .. tostring(top) .. ':' .. epoch .. '__' .. ARGV[1]
${store}
redis.call('expire', KEYS[1], ARGV[3])
if ARGV[7] ~= '' then
  local msg = framed
  if ARGV[9] == '1' then
    msg = '__d1:' .. tostring(top) .. ':' .. epoch .. ':' .. tostring(#prev) .. ':' .. prev .. ':' .. tostring(#ARGV[1]) .. ':' .. ARGV[1]
  end
  redis.call(ARGV[7], ARGV[4], msg)
end
if ARGV[8] ~= '' then
  redis.call('hset', KEYS[3], 'e', epoch, 's', tostring(top))
  redis.call('expire', KEYS[3], ARGV[8])
end
return {tostring(top), epoch, '0'}
`;
}

/**
 * Publish without history but with an idempotency key.
 * KEYS: 1 idempotency result. ARGV: 1 payload, 2 PUB/SUB channel, 3 result TTL s, 4 publish command.
 * Returns {top offset, epoch, '1' when served from cache else '0'}.
 */
const PUBLISH_IDEMPOTENT = `
local cached = redis.call('hmget', KEYS[1], 'e', 's')
if cached[1] then
  return {cached[2] or '0', cached[1], '1'}
end
redis.call(ARGV[4], ARGV[2], ARGV[1])
redis.call('hset', KEYS[1], 'e', '')
redis.call('expire', KEYS[1], ARGV[3])
return {'0', '', '0'}
`;

/** Reads (creating when absent) and refreshes the stream meta: sets locals `epoch` and `top`. */
const HISTORY_META = `
local meta = redis.call('hmget', KEYS[2], 'e', 's')
local epoch = meta[1]
local top = meta[2]
if not epoch then
  epoch = ARGV[6]
  redis.call('hset', KEYS[2], 'e', epoch)
end
if not top then
  top = '0'
end
if ARGV[5] ~= '0' then
  redis.call('expire', KEYS[2], ARGV[5])
end
`;

/**
 * History read (STREAM).
 * KEYS: 1 stream, 2 meta.
 * ARGV: 1 include publications ('1'/'0'), 2 start offset, 3 limit (0 = no COUNT), 4 reverse ('1'/'0'),
 * 5 meta TTL s (0 = none), 6 candidate epoch.
 * Returns {top offset, epoch, entries} with entries as returned by XRANGE/XREVRANGE.
 */
const HISTORY = `${HISTORY_META}
local entries = {}
if ARGV[1] == '1' then
  if ARGV[4] == '0' then
    if ARGV[3] ~= '0' then
      entries = redis.call('xrange', KEYS[1], ARGV[2], '+', 'COUNT', ARGV[3])
    else
      entries = redis.call('xrange', KEYS[1], ARGV[2], '+')
    end
  else
    local start = ARGV[2]
    if start == '0' then
      start = top
    end
    if ARGV[3] ~= '0' then
      entries = redis.call('xrevrange', KEYS[1], start, '-', 'COUNT', ARGV[3])
    else
      entries = redis.call('xrevrange', KEYS[1], start, '-')
    end
  end
end
return {top, epoch, entries}
`;

/**
 * History read (LIST): the whole list, newest first; the caller selects and limits (Centrifugo's Redis history read).
 * KEYS and ARGV as in HISTORY (ARGV 2–4 unused).
 * Returns {top offset, epoch, framed publications}.
 */
const HISTORY_LIST = `${HISTORY_META}
local entries = {}
if ARGV[1] == '1' then
  entries = redis.call('lrange', KEYS[1], 0, -1)
end
return {top, epoch, entries}
`;

/**
 * Add or refresh a presence entry (ZSET expiry).
 * KEYS: 1 data, 2 expire, 3 user clients, 4 user expire.
 * ARGV: 1 TTL s, 2 expire-at (unix s), 3 client id, 4 ClientInfo protobuf, 5 user id, 6 user mapping ('1'/'0').
 */
const PRESENCE_ADD = `
local added = redis.call('hset', KEYS[1], ARGV[3], ARGV[4])
redis.call('expire', KEYS[1], ARGV[1])
redis.call('zadd', KEYS[2], ARGV[2], ARGV[3])
redis.call('expire', KEYS[2], ARGV[1])
if ARGV[6] == '1' then
  if added == 1 then
    redis.call('hincrby', KEYS[3], ARGV[5], 1)
  end
  redis.call('expire', KEYS[3], ARGV[1])
  redis.call('zadd', KEYS[4], ARGV[2], ARGV[5])
  redis.call('expire', KEYS[4], ARGV[1])
end
return added
`;

/**
 * Remove a presence entry.
 * KEYS: as in add. ARGV: 1 client id, 2 user id, 3 user mapping ('1'/'0').
 */
const PRESENCE_REMOVE = `
local existed = redis.call('hdel', KEYS[1], ARGV[1])
redis.call('zrem', KEYS[2], ARGV[1])
if ARGV[3] == '1' and existed == 1 then
  local left = redis.call('hincrby', KEYS[3], ARGV[2], -1)
  if left <= 0 then
    redis.call('zrem', KEYS[4], ARGV[2])
    redis.call('hdel', KEYS[3], ARGV[2])
  end
end
return existed
`;

/** Drops members of a (hash, zset) pair whose expire-at score is <= now. */
const CLEANUP_FUNCTION = `
local function cleanup(hash, zset, now)
  local expired = redis.call('zrangebyscore', zset, '0', now)
  if #expired > 0 then
    for i = 1, #expired do
      redis.call('hdel', hash, expired[i])
    end
    redis.call('zremrangebyscore', zset, '0', now)
  end
end
`;

/**
 * Presence read: drop expired entries, return HGETALL data.
 * KEYS: 1 data, 2 expire. ARGV: 1 now (unix s).
 */
const PRESENCE_GET = `${CLEANUP_FUNCTION}
cleanup(KEYS[1], KEYS[2], ARGV[1])
return redis.call('hgetall', KEYS[1])
`;

/**
 * Presence stats with user mapping: cleanup on both pairs, return {HLEN data, HLEN user clients}.
 * KEYS: as in add. ARGV: 1 now (unix s).
 */
const PRESENCE_STATS = `${CLEANUP_FUNCTION}
cleanup(KEYS[1], KEYS[2], ARGV[1])
cleanup(KEYS[3], KEYS[4], ARGV[1])
return {redis.call('hlen', KEYS[1]), redis.call('hlen', KEYS[3])}
`;

/**
 * Plain PUBLISH sent through the node that owns KEYS[1]'s slot (Redis Cluster): ioredis sends a keyless
 * PUBLISH to a random node, and two messages of one channel published through different nodes may then
 * arrive in either order. Routing by the channel's `{channel}` slot keeps them in order, and in order with
 * the history scripts of that channel. KEYS: 1 any key of the channel (not touched).
 * ARGV: 1 PUB/SUB channel, 2 payload.
 */
const PUBLISH_ROUTED = `return redis.call('publish', ARGV[1], ARGV[2])`;

/** Definition of one script for `defineCommand`. */
export interface ScriptDefinition {
  readonly name: ScriptName;
  readonly lua: string;
  readonly numberOfKeys: number;
}

/** All scripts, registered on every command client. */
export const SCRIPTS: readonly ScriptDefinition[] = Object.freeze([
  { name: ScriptNames.publishHistory, lua: publishHistoryScript('stream'), numberOfKeys: 3 },
  { name: ScriptNames.publishHistoryList, lua: publishHistoryScript('list'), numberOfKeys: 3 },
  { name: ScriptNames.publishIdempotent, lua: PUBLISH_IDEMPOTENT, numberOfKeys: 1 },
  { name: ScriptNames.history, lua: HISTORY, numberOfKeys: 2 },
  { name: ScriptNames.historyList, lua: HISTORY_LIST, numberOfKeys: 2 },
  { name: ScriptNames.presenceAdd, lua: PRESENCE_ADD, numberOfKeys: 4 },
  { name: ScriptNames.presenceRemove, lua: PRESENCE_REMOVE, numberOfKeys: 4 },
  { name: ScriptNames.presenceGet, lua: PRESENCE_GET, numberOfKeys: 2 },
  { name: ScriptNames.presenceStats, lua: PRESENCE_STATS, numberOfKeys: 4 },
  { name: ScriptNames.publishRouted, lua: PUBLISH_ROUTED, numberOfKeys: 1 },
]);
