/**
 * @module engines/redis/broker — RedisBroker: PUB/SUB between nodes plus history in Redis STREAMs, with
 * append + publish in one Lua script per channel (Centrifugo's Redis engine, Redis PUB/SUB handling).
 *
 * Per shard there is one dedicated data PUB/SUB connection (anchor `P.shard.0` first, then every
 * channel with interest); channels live on the shard `jump(fnv1a64(channel), n)`.
 */
import {
  historyBrokerTtls,
  type Broker,
  type BrokerEventHandler,
  type HistoryOptions,
  type HistoryResult,
  type PublishOptions,
  type PublishResult,
} from '../../core/broker.js';
import { errorText } from '../../util/error-text.js';
import { positiveOr } from '../../util/positive.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { ClientError, ClientErrors, EngineError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ClientInfo, Publication, StreamPosition } from '../../core/types.js';
import { ttlSeconds, type RedisEngineOptions } from './options.js';
import { decodePubSubPayload, encodeJoinPayload, encodeLeavePayload } from './payload.js';
import { decodePublication, encodeClientInfo, encodePublication } from './protobuf.js';
import { ShardPubSub } from './shard-pubsub.js';
import { ScriptNames } from './scripts.js';
import { engineError, type RedisShard, type RedisShardSet } from './shard.js';

const ZERO_POSITION: StreamPosition = Object.freeze({ offset: 0, epoch: '' });
const PUBLISH_COMMAND = 'publish';

function asText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') return String(v);
  throw new EngineError(`redis: unexpected script reply element ${typeof v}`);
}

function asOffset(v: unknown): number {
  const text = asText(v);
  const n = text === '' ? 0 : Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new EngineError(`redis: bad offset in script reply: ${text}`);
  return n;
}

function asArray(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new EngineError(`redis: unexpected ${what} reply`);
  return v;
}

/** `{top, epoch, fromCache}` of the publish scripts. */
function parsePublishReply(reply: unknown): PublishResult {
  const [top, epoch, cached] = asArray(reply, 'publish');
  return { position: { offset: asOffset(top), epoch: asText(epoch) }, suppressed: asText(cached) === '1' };
}

/** One XRANGE entry `[id, [field, value, …]]` → publication with the offset from the id. */
function parseStreamEntry(entry: unknown): Publication {
  const [id, fields] = asArray(entry, 'stream entry');
  const idText = asText(id);
  const offset = asOffset(idText.slice(0, idText.indexOf('-') < 0 ? idText.length : idText.indexOf('-')));
  const list = asArray(fields, 'stream entry fields');
  let payload: Uint8Array | undefined;
  for (let i = 0; i + 1 < list.length; i += 2) {
    if (asText(list[i]) === 'd') {
      const v = list[i + 1];
      payload = Buffer.isBuffer(v) ? v : Buffer.from(asText(v));
    }
  }
  if (payload === undefined) throw new EngineError(`redis: stream entry ${idText} has no payload`);
  const pub = decodePublication(payload);
  return pub.offset === offset ? pub : { ...pub, offset };
}

/** One LIST element: a framed `__p1:<offset>:<epoch>__<Publication>`. */
function parseListEntry(entry: unknown): Publication {
  const buf = Buffer.isBuffer(entry) ? entry : Buffer.from(asText(entry));
  const m = decodePubSubPayload(buf);
  if (m.kind !== 'publication' || m.position.offset === 0) throw new EngineError('redis: history list element is not a framed publication');
  return m.publication;
}

/**
 * The LIST read returns everything, newest first; select like the STREAM read does
 * (Centrifugo's Redis history read): forward from `start` ascending, reverse from `start` (0 = the top) descending, up to the limit.
 */
function selectFromList(newestFirst: Publication[], start: number, options: HistoryOptions): Publication[] {
  const limit = options.limit > 0 ? options.limit : Infinity;
  const out: Publication[] = [];
  if (options.reverse) {
    for (const p of newestFirst) {
      if (out.length >= limit) break;
      if (start === 0 || p.offset <= start) out.push(p);
    }
    return out;
  }
  for (let i = newestFirst.length - 1; i >= 0 && out.length < limit; i--) {
    const p = newestFirst[i]!;
    if (p.offset >= start) out.push(p);
  }
  return out;
}

/** Broker over one or more Redis shards. */
export class RedisBroker implements Broker {
  readonly supportsHistory = true;
  readonly #links: ShardPubSub;
  readonly #set: RedisShardSet;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #resultTtlMs: number;
  readonly #metaTtlMs: number;
  /** LIST history (`redis_use_lists`) instead of STREAM. */
  readonly #lists: boolean;
  #handler: BrokerEventHandler | undefined;

  /** With `shared`, connections are borrowed (and not closed by `close()`). */
  constructor(options: RedisEngineOptions, shared?: RedisShardSet) {
    this.#links = new ShardPubSub(options, shared);
    this.#set = this.#links.set;
    this.#clock = options.clock ?? systemClock;
    this.#logger = this.#set.logger;
    ({ resultTtlMs: this.#resultTtlMs, metaTtlMs: this.#metaTtlMs } = historyBrokerTtls(options));
    this.#lists = options.useLists === true;
  }

  /** The shards (tests, stats). */
  get shards(): RedisShardSet {
    return this.#set;
  }

  /** Data PUB/SUB connection state per shard (tests, health). */
  get pubSubUp(): boolean[] {
    return this.#links.up;
  }

  /** Connects every data PUB/SUB connection; rejects with EngineError if one cannot connect. */
  async start(handler: BrokerEventHandler): Promise<void> {
    this.#assertOpen();
    if (this.#handler !== undefined) throw new EngineError('redis broker already started');
    this.#handler = handler;
    await this.#links.open((shard) => ({
      name: `data shard ${shard.index}`,
      connect: () => shard.createPubSubClient(),
      fixedChannels: [shard.keys.anchorChannel],
      ignoredChannels: [shard.keys.anchorChannel],
      onMessage: (channel, payload) => this.#onMessage(shard, channel, payload),
      logger: this.#logger,
    }));
  }

  /** Resolves when every data connection is up (after a Redis restart, for example). */
  async whenUp(): Promise<void> {
    await Promise.all(this.#links.connections.map((p) => p.whenUp()));
  }

  async subscribe(channel: string): Promise<void> {
    this.#assertOpen();
    const shard = this.#set.shardFor(channel);
    const pubsub = this.#links.connections[shard.index];
    if (pubsub === undefined) throw new EngineError('redis broker is not started');
    await pubsub.subscribe([shard.keys.clientChannel(channel)]);
  }

  async unsubscribe(channel: string): Promise<void> {
    if (this.#links.closed) return;
    const shard = this.#set.shardFor(channel);
    await this.#links.connections[shard.index]?.unsubscribe([shard.keys.clientChannel(channel)]);
  }

  async publish(channel: string, data: Uint8Array, options: PublishOptions): Promise<PublishResult> {
    this.#assertOpen();
    const shard = this.#set.shardFor(channel);
    const keys = shard.keys;
    const publication: Publication = {
      offset: 0,
      data,
      info: options.clientInfo,
      tags: options.tags,
      timeMs: this.#clock.now(),
      delta: options.delta === true ? true : undefined,
    };
    const payload = encodePublication(publication);
    const history = options.history;
    const key = options.idempotencyKey;
    const resultTtl =
      key === undefined ? '' : String(ttlSeconds(positiveOr(options.idempotentResultTtlMs, this.#resultTtlMs)));
    if (history !== undefined && history.size > 0 && history.ttlMs > 0) {
      const reply = await shard.runScript(
        this.#lists ? ScriptNames.publishHistoryList : ScriptNames.publishHistory,
        [this.#historyKey(shard, channel), this.#metaKey(shard, channel), keys.result(channel, key ?? '')],
        [
          payload,
          history.size,
          ttlSeconds(history.ttlMs),
          keys.clientChannel(channel),
          ttlSeconds(history.metaTtlMs > 0 ? history.metaTtlMs : this.#metaTtlMs),
          this.#epochCandidate(),
          PUBLISH_COMMAND,
          resultTtl,
          options.delta === true ? '1' : '0',
        ],
      );
      return parsePublishReply(reply);
    }
    if (key !== undefined) {
      const reply = await shard.runScript(
        ScriptNames.publishIdempotent,
        [keys.result(channel, key)],
        [payload, keys.clientChannel(channel), resultTtl, PUBLISH_COMMAND],
      );
      return parsePublishReply(reply);
    }
    await shard.publishToChannel(channel, payload);
    return { position: ZERO_POSITION, suppressed: false };
  }

  async publishJoin(channel: string, info: ClientInfo): Promise<void> {
    this.#assertOpen();
    const shard = this.#set.shardFor(channel);
    await shard.publishToChannel(channel, encodeJoinPayload(encodeClientInfo(info)));
  }

  async publishLeave(channel: string, info: ClientInfo): Promise<void> {
    this.#assertOpen();
    const shard = this.#set.shardFor(channel);
    await shard.publishToChannel(channel, encodeLeavePayload(encodeClientInfo(info)));
  }

  async history(channel: string, options: HistoryOptions): Promise<HistoryResult> {
    this.#assertOpen();
    const shard = this.#set.shardFor(channel);
    let include = options.limit !== 0;
    let start = 0;
    if (options.since !== undefined) {
      if (options.reverse && options.since.offset === 0) throw new ClientError(ClientErrors.BadRequest);
      start = options.reverse ? options.since.offset - 1 : options.since.offset + 1;
      if (options.reverse && start <= 0) include = false;
    }
    const reply = await shard.runScript(
      this.#lists ? ScriptNames.historyList : ScriptNames.history,
      [this.#historyKey(shard, channel), this.#metaKey(shard, channel)],
      [
        include ? '1' : '0',
        Math.max(0, start),
        options.limit > 0 ? options.limit : 0,
        options.reverse ? '1' : '0',
        ttlSeconds(options.metaTtlMs > 0 ? options.metaTtlMs : this.#metaTtlMs),
        this.#epochCandidate(),
      ],
    );
    const [top, epoch, entries] = asArray(reply, 'history');
    let publications: Publication[];
    try {
      const items = asArray(entries ?? [], 'history entries');
      publications = this.#lists ? selectFromList(items.map(parseListEntry), start, options) : items.map(parseStreamEntry);
    } catch (err) {
      throw engineError('history decode', err);
    }
    return { publications, position: { offset: asOffset(top), epoch: asText(epoch) } };
  }

  async removeHistory(channel: string): Promise<void> {
    this.#assertOpen();
    const shard = this.#set.shardFor(channel);
    try {
      await shard.client.del(this.#historyKey(shard, channel));
    } catch (err) {
      throw engineError('remove history', err);
    }
  }

  async close(): Promise<void> {
    await this.#links.close();
  }

  #historyKey(shard: RedisShard, channel: string): string {
    return this.#lists ? shard.keys.list(channel) : shard.keys.stream(channel);
  }

  #metaKey(shard: RedisShard, channel: string): string {
    return this.#lists ? shard.keys.listMeta(channel) : shard.keys.streamMeta(channel);
  }

  /** Unix seconds as the epoch of a stream created now (Centrifugo's Redis publish script). */
  #epochCandidate(): string {
    return String(Math.floor(this.#clock.now() / 1000));
  }

  #assertOpen(): void {
    if (this.#links.closed) throw new EngineError('redis broker is closed');
  }

  #onMessage(shard: RedisShard, redisChannel: string, payload: Uint8Array): void {
    const handler = this.#handler;
    const prefix = shard.keys.clientChannelPrefix;
    if (handler === undefined || !redisChannel.startsWith(prefix)) return;
    const channel = redisChannel.slice(prefix.length);
    let message;
    try {
      message = decodePubSubPayload(payload);
    } catch (err) {
      this.#logger.error('malformed PUB/SUB data', {
        channel,
        error: errorText(err),
      });
      return;
    }
    switch (message.kind) {
      case 'publication':
        handler.onPublication(channel, message.publication, message.position, message.prev);
        return;
      case 'join':
        handler.onJoin(channel, message.info);
        return;
      case 'leave':
        handler.onLeave(channel, message.info);
        return;
    }
  }
}

