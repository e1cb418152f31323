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
import { PubSubConnection } from './pubsub.js';
import { RedisShardSet } from './shard.js';

/** Controller over one or more Redis shards. */
export class RedisController implements Controller {
  readonly #set: RedisShardSet;
  readonly #ownsSet: boolean;
  #pubsub: PubSubConnection[] = [];
  #next = 0;
  #started = false;
  #closed = false;

  /** With `shared`, connections are borrowed (and not closed by `close()`). */
  constructor(options: RedisEngineOptions, shared?: RedisShardSet) {
    this.#set = shared ?? new RedisShardSet(options);
    this.#ownsSet = shared === undefined;
  }

  /** Control PUB/SUB connection state per shard. */
  get pubSubUp(): boolean[] {
    return this.#pubsub.map((p) => p.up);
  }

  async start(nodeId: string, onMessage: (data: Uint8Array) => void): Promise<void> {
    if (this.#closed) throw new EngineError('redis controller is closed');
    if (this.#started) throw new EngineError('redis controller already started');
    this.#started = true;
    this.#pubsub = this.#set.shards.map(
      (shard) =>
        new PubSubConnection({
          name: `control shard ${shard.index}`,
          connect: () => shard.createPubSubClient(),
          fixedChannels: [shard.keys.controlChannel, shard.keys.nodeChannel(nodeId)],
          onMessage: (_channel, payload) => onMessage(payload),
          logger: this.#set.logger,
        }),
    );
    await Promise.all(this.#pubsub.map((p) => p.start()));
  }

  async publishControl(data: Uint8Array, toNodeId?: string): Promise<void> {
    if (this.#closed) throw new EngineError('redis controller is closed');
    const shards = this.#set.shards;
    const shard = shards[this.#next++ % shards.length]!;
    if (this.#next >= shards.length) this.#next = 0;
    const channel = toNodeId === undefined || toNodeId === '' ? shard.keys.controlChannel : shard.keys.nodeChannel(toNodeId);
    await shard.publish(channel, data);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pubsub = this.#pubsub;
    this.#pubsub = [];
    await Promise.all(pubsub.map((p) => p.close()));
    if (this.#ownsSet) await this.#set.close();
  }
}
