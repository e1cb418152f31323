/** @module engines/cluster/worker — this process as a worker of `rotor serve --workers N`. */
import cluster from 'node:cluster';
import type { Broker } from '../../core/broker.js';
import type { Controller } from '../../core/controller.js';
import type { PresenceManager } from '../../core/presence.js';
import { LimitsClient, type LimitsAnswer, type LimitsRequest } from './limits-link.js';
import { parentProcessPort } from './ports.js';
import { LIMITS_ENVELOPE_KEY, READY_ENVELOPE_KEY, WORKER_ID_ENV, type PrimaryMessage, type WorkerMessage } from './protocol.js';
import { ClusterClient, IpcBroker, IpcController, IpcPresenceManager } from './worker-engine.js';

/** This worker's index, or undefined when the process is not a worker forked by the primary. */
export function workerIndex(): number | undefined {
  const v = process.env[WORKER_ID_ENV];
  return cluster.isWorker && v !== undefined && v !== '' ? Number(v) : undefined;
}

let client: ClusterClient | undefined;

/** The process-wide link to the primary (one per worker process). */
function primaryLink(): ClusterClient {
  if (client === undefined) {
    client = new ClusterClient(parentProcessPort<PrimaryMessage, WorkerMessage>());
    // The primary is gone (killed): drain this worker's clients as on SIGTERM instead of running orphaned.
    process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  }
  return client;
}

/** The shared memory engine, reached through the primary. */
export function workerEngine(): { broker: Broker; presenceManager: PresenceManager; controller: Controller; close(): Promise<void> } {
  const link = primaryLink();
  return {
    broker: new IpcBroker(link),
    presenceManager: new IpcPresenceManager(link),
    controller: new IpcController(link),
    close: async () => {
      link.close();
      client = undefined;
    },
  };
}

/**
 * Tells the primary this worker serves: every listener is bound (the HTTP ones, uni_grpc and the GRPC
 * API, which is bound last). A no-op outside a worker. Until then a worker that exits fails the start
 * of the group instead of being restarted (e.g. a GRPC API port in use).
 */
export function notifyWorkerReady(): void {
  if (workerIndex() !== undefined) parentProcessPort<never, true>(READY_ENVELOPE_KEY).send([true]);
}

/**
 * This worker's link to the primary's connection counts (`client_connection_limit`,
 * `client_connection_rate_limit`, `client_user_connection_limit` across workers); undefined outside
 * a worker. Only called when a limit is configured: without one there is no link and no IPC.
 */
export function workerLimits(): LimitsClient | undefined {
  if (workerIndex() === undefined) return undefined;
  const limits = new LimitsClient(parentProcessPort<LimitsAnswer, LimitsRequest>(LIMITS_ENVELOPE_KEY));
  // The primary is gone: nothing would answer, so admissions fail (503) instead of waiting forever.
  process.once('disconnect', () => limits.close());
  return limits;
}
