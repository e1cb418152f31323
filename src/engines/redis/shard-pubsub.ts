/**
 * @module engines/redis/shard-pubsub — what RedisBroker and RedisController share: the shard set (their
 * own, or borrowed from the engine), one dedicated PUB/SUB connection per shard, and closing them.
 */
import type { RedisEngineOptions } from './options.js';
import { PubSubConnection, type PubSubConnectionOptions } from './pubsub.js';
import { RedisShardSet, type RedisShard } from './shard.js';

/** The shard set of one broker or controller and its per-shard PUB/SUB connections. */
export class ShardPubSub {
  readonly set: RedisShardSet;
  readonly #ownsSet: boolean;
  #connections: PubSubConnection[] = [];
  #closed = false;

  /** With `shared`, connections are borrowed (and not closed by `close()`). */
  constructor(options: RedisEngineOptions, shared: RedisShardSet | undefined) {
    this.set = shared ?? new RedisShardSet(options);
    this.#ownsSet = shared === undefined;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The connection of each shard, by shard index (empty before `open`). */
  get connections(): readonly PubSubConnection[] {
    return this.#connections;
  }

  /** Connection state per shard. */
  get up(): boolean[] {
    return this.#connections.map((p) => p.up);
  }

  /** Creates one connection per shard and connects them all; rejects if one cannot connect. */
  async open(optionsFor: (shard: RedisShard) => PubSubConnectionOptions): Promise<void> {
    this.#connections = this.set.shards.map((shard) => new PubSubConnection(optionsFor(shard)));
    await Promise.all(this.#connections.map((p) => p.start()));
  }

  /** Closes the connections, then the shard set when it is not borrowed; later calls do nothing. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const connections = this.#connections;
    this.#connections = [];
    await Promise.all(connections.map((p) => p.close()));
    if (this.#ownsSet) await this.set.close();
  }
}
