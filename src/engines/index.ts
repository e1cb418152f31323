/** @module engines — builds the Broker / PresenceManager / Controller a config asks for. */
import type { Config } from '../config/index.js';
import type { Broker } from '../core/broker.js';
import type { Clock } from '../core/clock.js';
import type { Controller } from '../core/controller.js';
import type { Logger } from '../core/logger.js';
import type { PresenceManager } from '../core/presence.js';
import { EngineError } from '../core/errors.js';
import type { ClientInfo } from '../core/types.js';
import { MemoryBroker, MemoryPresenceManager } from './memory/index.js';

// The Redis and NATS engines (and ioredis / the NATS client under them) are loaded only when the
// configuration asks for them: a memory-engine node starts faster and ~20 MB smaller without them.
const loadNats = () => import('./nats/index.js');
const loadRedis = () => import('./redis/index.js');
const loadClusterWorker = () => import('./cluster/worker.js');

/** What a node runs on. The memory engine has no controller: a single node needs none. */
export interface Engine {
  readonly broker: Broker;
  readonly presenceManager: PresenceManager;
  readonly controller?: Controller | undefined;
  /** Name for logs and `info` (memory, redis, …). */
  readonly name: string;
  /** Releases what the parts share (connections); called after the node closed the parts. */
  close(): Promise<void>;
}

export interface EngineContext {
  readonly logger: Logger;
  readonly nodeId: string;
  readonly clock?: Clock | undefined;
}

export async function createEngine(config: Config, ctx: EngineContext): Promise<Engine> {
  const metaTtl = config.global_history_meta_ttl;
  switch (config.engine) {
    case 'memory': {
      if (config.broker === 'nats') {
        ctx.logger.warn('presence, history and recovery disabled with Memory engine and Nats broker');
        const { NatsBroker, NatsController, natsOptionsFromConfig } = await loadNats();
        const nats = natsOptionsFromConfig(config);
        return {
          name: 'memory+nats',
          broker: new NatsBroker({ ...nats, logger: ctx.logger, nodeId: ctx.nodeId, clock: ctx.clock }),
          presenceManager: new DisabledPresenceManager(),
          controller: new NatsController({ ...nats, logger: ctx.logger, nodeId: ctx.nodeId }),
          close: async () => undefined,
        };
      }
      if (config.workers !== 1) {
        // A worker of `rotor serve --workers N`: the memory engine lives in the primary, shared by all workers.
        const { workerEngine, workerIndex } = await loadClusterWorker();
        if (workerIndex() !== undefined) return { name: 'memory', ...workerEngine() };
      }
      return {
        name: 'memory',
        broker: new MemoryBroker({ clock: ctx.clock, nodeId: ctx.nodeId, defaultHistoryMetaTtlMs: metaTtl }),
        presenceManager: new MemoryPresenceManager({ clock: ctx.clock, ttlMs: config.global_presence_ttl }),
        close: async () => undefined,
      };
    }
    case 'redis': {
      const { createRedisEngine, redisEngineMode, redisShardOptionsFromConfig } = await loadRedis();
      const options = { ...redisShardOptionsFromConfig(config), logger: ctx.logger, nodeId: ctx.nodeId, clock: ctx.clock, defaultHistoryMetaTtlMs: metaTtl };
      const redis = createRedisEngine(options);
      const mode = redisEngineMode(options);
      if (config.broker === 'nats') {
        // NATS replaces Redis PUB/SUB; Redis keeps presence. History is not available (as in Centrifugo).
        const { NatsBroker, NatsController, natsOptionsFromConfig } = await loadNats();
        const nats = natsOptionsFromConfig(config);
        return {
          name: `redis(${mode})+nats`,
          broker: new NatsBroker({ ...nats, logger: ctx.logger, nodeId: ctx.nodeId, clock: ctx.clock }),
          presenceManager: redis.presenceManager,
          controller: new NatsController({ ...nats, logger: ctx.logger, nodeId: ctx.nodeId }),
          close: () => redis.close(),
        };
      }
      return {
        name: `redis(${mode})`,
        broker: redis.broker,
        presenceManager: redis.presenceManager,
        controller: redis.controller,
        close: () => redis.close(),
      };
    }
  }
}

/**
 * Presence with the memory engine and the NATS broker: not shared between nodes, so disabled as in
 * Centrifugo. Adding/removing is a no-op (subscriptions still work); reads fail (API error 100).
 */
class DisabledPresenceManager {
  async presence(): Promise<Map<string, ClientInfo>> {
    throw new EngineError('presence not available with the memory engine and the nats broker');
  }
  async presenceStats(): Promise<{ numClients: number; numUsers: number }> {
    throw new EngineError('presence not available with the memory engine and the nats broker');
  }
  async addPresence(): Promise<void> {}
  async removePresence(): Promise<void> {}
  async close(): Promise<void> {}
}
