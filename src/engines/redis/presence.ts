/**
 * @module engines/redis/presence — RedisPresenceManager: presence in a HASH (clientId → protobuf
 * ClientInfo) with a ZSET expiry index, optionally with per-user structures (Centrifugo's Redis presence scripts).
 *
 * Expiry timestamps come from the injected clock, so tests can expire entries without waiting; the key
 * TTLs Redis applies itself only reclaim memory of abandoned channels.
 */
import { systemClock, type Clock } from '../../core/clock.js';
import { EngineError } from '../../core/errors.js';
import type { PresenceManager, PresenceStats } from '../../core/presence.js';
import type { ClientInfo } from '../../core/types.js';
import { DEFAULT_PRESENCE_TTL_MS, ttlSeconds, type RedisEngineOptions } from './options.js';
import { decodeClientInfo, encodeClientInfo } from './protobuf.js';
import { ScriptNames } from './scripts.js';
import { engineError, RedisShardSet, type RedisShard } from './shard.js';

function presenceKeys(shard: RedisShard, channel: string): string[] {
  const k = shard.keys;
  return [
    k.presenceData(channel),
    k.presenceExpire(channel),
    k.presenceUserClients(channel),
    k.presenceUserExpire(channel),
  ];
}

function toNumber(v: unknown): number {
  const n = Number(Buffer.isBuffer(v) ? v.toString() : v);
  if (!Number.isSafeInteger(n)) throw new EngineError('redis: unexpected presence reply');
  return n;
}

/** PresenceManager over one or more Redis shards (the shard of a channel as for the broker). */
export class RedisPresenceManager implements PresenceManager {
  readonly #set: RedisShardSet;
  readonly #ownsSet: boolean;
  readonly #clock: Clock;
  readonly #ttlSec: number;
  readonly #userMapping: boolean;
  #closed = false;

  /** With `shared`, connections are borrowed (and not closed by `close()`). */
  constructor(options: RedisEngineOptions, shared?: RedisShardSet) {
    this.#set = shared ?? new RedisShardSet(options);
    this.#ownsSet = shared === undefined;
    this.#clock = options.clock ?? systemClock;
    this.#ttlSec = ttlSeconds(options.presenceTtlMs !== undefined && options.presenceTtlMs > 0 ? options.presenceTtlMs : DEFAULT_PRESENCE_TTL_MS);
    this.#userMapping = options.presenceUserMapping === true;
  }

  async presence(channel: string): Promise<Map<string, ClientInfo>> {
    this.#assertOpen();
    const shard = this.#set.shardFor(channel);
    const k = shard.keys;
    const reply = await shard.runScript(
      ScriptNames.presenceGet,
      [k.presenceData(channel), k.presenceExpire(channel)],
      [this.#nowSec()],
    );
    if (!Array.isArray(reply)) throw new EngineError('redis: unexpected presence reply');
    const out = new Map<string, ClientInfo>();
    try {
      for (let i = 0; i + 1 < reply.length; i += 2) {
        const clientId = String(reply[i]);
        const value: unknown = reply[i + 1];
        if (!Buffer.isBuffer(value)) throw new EngineError('redis: unexpected presence value');
        out.set(clientId, decodeClientInfo(value));
      }
    } catch (err) {
      throw engineError('presence decode', err);
    }
    return out;
  }

  async presenceStats(channel: string): Promise<PresenceStats> {
    this.#assertOpen();
    if (!this.#userMapping) {
      const entries = await this.presence(channel);
      const users = new Set<string>();
      for (const info of entries.values()) users.add(info.userId);
      return { numClients: entries.size, numUsers: users.size };
    }
    const shard = this.#set.shardFor(channel);
    const reply = await shard.runScript(ScriptNames.presenceStats, presenceKeys(shard, channel), [this.#nowSec()]);
    if (!Array.isArray(reply) || reply.length < 2) throw new EngineError('redis: unexpected presence stats reply');
    return { numClients: toNumber(reply[0]), numUsers: toNumber(reply[1]) };
  }

  async addPresence(channel: string, info: ClientInfo): Promise<void> {
    this.#assertOpen();
    const shard = this.#set.shardFor(channel);
    await shard.runScript(ScriptNames.presenceAdd, presenceKeys(shard, channel), [
      this.#ttlSec,
      this.#nowSec() + this.#ttlSec,
      info.clientId,
      encodeClientInfo(info),
      info.userId,
      this.#userMapping ? '1' : '0',
    ]);
  }

  async removePresence(channel: string, clientId: string, userId: string): Promise<void> {
    this.#assertOpen();
    const shard = this.#set.shardFor(channel);
    await shard.runScript(ScriptNames.presenceRemove, presenceKeys(shard, channel), [
      clientId,
      userId,
      this.#userMapping ? '1' : '0',
    ]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsSet) await this.#set.close();
  }

  #nowSec(): number {
    return Math.floor(this.#clock.now() / 1000);
  }

  #assertOpen(): void {
    if (this.#closed) throw new EngineError('redis presence manager is closed');
  }
}
