/**
 * @module engines/redis/controller — RedisController: the node-to-node control bus over Redis PUB/SUB
 * (`P.control` broadcast, `P.node.<uid>` direct; Centrifugo's Redis key names, inter-node messages over the broker).
 *
 * Every node listens on every shard through one dedicated control connection per shard (kept apart from
 * the data connection so a storm of channel resubscriptions never delays heartbeats); sends go to the
 * shards round-robin.
 */
import { EngineError } from '../../core/errors.js';
import type { Controller } from '../../core/controller.js';
import type { RedisEngineOptions } from './options.js';
import type { RedisShardSet } from './shard.js';
import { ShardPubSub } from './shard-pubsub.js';

/** Controller over one or more Redis shards. */
export class RedisController implements Controller {
  readonly #links: ShardPubSub;
  #next = 0;
  #started = false;

  /** With `shared`, connections are borrowed (and not closed by `close()`). */
  constructor(options: RedisEngineOptions, shared?: RedisShardSet) {
    this.#links = new ShardPubSub(options, shared);
  }

  /** Control PUB/SUB connection state per shard. */
  get pubSubUp(): boolean[] {
    return this.#links.up;
  }

  async start(nodeId: string, onMessage: (data: Uint8Array) => void): Promise<void> {
    this.#assertOpen();
    if (this.#started) throw new EngineError('redis controller already started');
    this.#started = true;
    await this.#links.open((shard) => ({
      name: `control shard ${shard.index}`,
      connect: () => shard.createPubSubClient(),
      fixedChannels: [shard.keys.controlChannel, shard.keys.nodeChannel(nodeId)],
      onMessage: (_channel, payload) => onMessage(payload),
      logger: this.#links.set.logger,
    }));
  }

  async publishControl(data: Uint8Array, toNodeId?: string): Promise<void> {
    this.#assertOpen();
    const shards = this.#links.set.shards;
    const shard = shards[this.#next++ % shards.length]!;
    if (this.#next >= shards.length) this.#next = 0;
    const channel = toNodeId === undefined || toNodeId === '' ? shard.keys.controlChannel : shard.keys.nodeChannel(toNodeId);
    await shard.publish(channel, data);
  }

  async close(): Promise<void> {
    await this.#links.close();
  }

  #assertOpen(): void {
    if (this.#links.closed) throw new EngineError('redis controller is closed');
  }
}
