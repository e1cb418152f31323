/**
 * @module engines/redis/engine — the three Redis engine parts over one shared set of connections.
 */
import { RedisBroker } from './broker.js';
import { RedisController } from './controller.js';
import type { RedisEngineOptions } from './options.js';
import { RedisPresenceManager } from './presence.js';
import { RedisShardSet } from './shard.js';

/** Broker, presence manager and controller sharing command clients; `close()` closes all of them. */
export interface RedisEngine {
  readonly broker: RedisBroker;
  readonly presenceManager: RedisPresenceManager;
  readonly controller: RedisController;
  readonly shards: RedisShardSet;
  close(): Promise<void>;
}

/** Creates the Redis engine (connections start dialling immediately; PUB/SUB on `start`). */
export function createRedisEngine(options: RedisEngineOptions): RedisEngine {
  const shards = new RedisShardSet(options);
  const broker = new RedisBroker(options, shards);
  const presenceManager = new RedisPresenceManager(options, shards);
  const controller = new RedisController(options, shards);
  let closing: Promise<void> | undefined;
  return {
    broker,
    presenceManager,
    controller,
    shards,
    close() {
      closing ??= (async () => {
        await Promise.all([broker.close(), presenceManager.close(), controller.close()]);
        await shards.close();
      })();
      return closing;
    },
  };
}
