/**
 * @module engines/redis/shard — the shards of a Redis engine: per shard a command client, key names and a
 * factory of dedicated PUB/SUB connections; channel → shard by Jump hash (Centrifugo's Redis sharding).
 *
 * One `RedisShardSet` may be shared by the broker, the presence manager and the controller
 * (`createRedisEngine`), or each creates its own.
 */
import { errorText } from '../../util/error-text.js';
import type { Redis } from 'ioredis';
import { EngineError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { clusterPubSubAddresses, createCommandClient, createPubSubClient, type CommandClient } from './connection.js';
import { shardIndex } from './hash.js';
import { RedisKeys } from './keys.js';
import {
  DEFAULT_REDIS_PREFIX,
  isClusterShard,
  RedisOptionsError,
  type RedisEngineOptions,
  type RedisShardOptions,
} from './options.js';
import { quitConnection } from './pubsub.js';
import { ScriptNames, type ScriptName } from './scripts.js';

/** A script runner as `defineCommand` installs it (`<name>Buffer` returns Buffers for bulk replies). */
type ScriptFunction = (...args: Array<string | Buffer | Uint8Array | number>) => Promise<unknown>;


/** A Buffer view of the bytes (no copy). */
function toBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length);
}

/** Wraps an ioredis failure into the engine's error type. */
export function engineError(what: string, err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  return new EngineError(`redis: ${what}: ${errorText(err)}`, { cause: err });
}

/** One shard: a standalone Redis, a Sentinel-managed master or a Redis Cluster. */
export class RedisShard {
  readonly index: number;
  readonly options: RedisShardOptions;
  readonly keys: RedisKeys;
  readonly client: CommandClient;
  readonly #logger: Logger;
  #pubSubCursor = 0;

  constructor(index: number, options: RedisShardOptions, prefix: string, logger: Logger) {
    this.index = index;
    this.options = options;
    this.keys = new RedisKeys(prefix, isClusterShard(options));
    this.#logger = logger;
    this.client = createCommandClient(options);
    this.client.on('error', (err: Error) => {
      this.#logger.debug('redis connection error', { shard: index, error: err.message });
    });
  }

  /** True for a Redis Cluster shard. */
  get cluster(): boolean {
    return this.keys.cluster;
  }

  /** A fresh lazy PUB/SUB connection (cluster: the next node in turn, so a dead node is skipped). */
  createPubSubClient(): Redis {
    if (!isClusterShard(this.options)) return createPubSubClient(this.options);
    const addresses = clusterPubSubAddresses(this.options, this.client);
    const address = addresses[this.#pubSubCursor++ % addresses.length];
    return createPubSubClient(this.options, address);
  }

  /** Runs a registered script (EVALSHA, EVAL on NOSCRIPT); bulk replies come back as Buffers. */
  async runScript(name: ScriptName, keys: readonly string[], args: ReadonlyArray<string | Uint8Array | number>): Promise<unknown> {
    // defineCommand installs the runner as a dynamic property that ioredis' types cannot describe.
    const fn = (this.client as unknown as Record<string, ScriptFunction | undefined>)[`${name}Buffer`];
    if (fn === undefined) throw new EngineError(`redis: script ${name} is not registered`);
    // ioredis sends only Buffers as binary; any other Uint8Array would be stringified.
    const wire = args.map((a) => (a instanceof Uint8Array && !Buffer.isBuffer(a) ? toBuffer(a) : a));
    try {
      return await fn.call(this.client, ...keys, ...wire);
    } catch (err) {
      throw engineError(`script ${name}`, err);
    }
  }

  /** PUBLISH a binary payload. */
  async publish(channel: string, payload: Uint8Array): Promise<void> {
    try {
      await this.client.publish(channel, toBuffer(payload));
    } catch (err) {
      throw engineError('publish', err);
    }
  }

  /**
   * PUBLISH a payload (publication, join or leave) on a channel's PUB/SUB channel. In Redis Cluster it goes
   * through the node owning the channel's slot so that one channel's messages keep their order.
   */
  async publishToChannel(channel: string, payload: Uint8Array): Promise<void> {
    if (!this.keys.cluster) return this.publish(this.keys.clientChannel(channel), payload);
    await this.runScript(ScriptNames.publishRouted, [this.keys.stream(channel)], [this.keys.clientChannel(channel), payload]);
  }

  /** Quits the command client (bounded), then drops its sockets. */
  async close(): Promise<void> {
    await quitConnection(this.client, 1000);
  }
}

/** All shards of one engine. */
export class RedisShardSet {
  readonly shards: readonly RedisShard[];
  readonly prefix: string;
  readonly logger: Logger;
  #closed = false;

  constructor(options: RedisEngineOptions) {
    if (options.shards.length === 0) throw new RedisOptionsError('at least one Redis shard is required');
    this.prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.logger = options.logger ?? silentLogger;
    this.shards = options.shards.map((o, i) => new RedisShard(i, o, this.prefix, this.logger));
  }

  /** The shard of a channel: `jump(fnv1a64(channel), n)`. */
  shardFor(channel: string): RedisShard {
    return this.shards[shardIndex(channel, this.shards.length)]!;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Idempotent: quits every command client. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.shards.map((s) => s.close()));
  }
}
