/** @module engines — builds the Broker / PresenceManager / Controller a config asks for. */
import type { Config } from '../config/index.js';
import type { Broker } from '../core/broker.js';
import type { Clock } from '../core/clock.js';
import type { Controller } from '../core/controller.js';
import type { Logger } from '../core/logger.js';
import type { PresenceManager } from '../core/presence.js';
import { MemoryBroker, MemoryPresenceManager } from './memory/index.js';

/** What a node runs on. The memory engine has no controller: a single node needs none. */
export interface Engine {
  readonly broker: Broker;
  readonly presenceManager: PresenceManager;
  readonly controller?: Controller | undefined;
  /** Name for logs and `info` (memory, redis, …). */
  readonly name: string;
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
        throw new Error('broker "nats" is not available in this build yet');
      }
      return {
        name: 'memory',
        broker: new MemoryBroker({ clock: ctx.clock, nodeId: ctx.nodeId, defaultHistoryMetaTtlMs: metaTtl }),
        presenceManager: new MemoryPresenceManager({ clock: ctx.clock, ttlMs: config.global_presence_ttl }),
      };
    }
    default:
      throw new Error(`engine "${config.engine}" is not available in this build yet`);
  }
}
