/**
 * @module app/workers — `rotor serve --workers N`: the primary process forks N workers (Node's cluster
 * module) that share the listening ports, restarts a worker that dies, and drains them all on shutdown.
 *
 * With the memory engine the primary runs the one shared engine (`engines/cluster`): every worker's
 * node reaches the same MemoryBroker, MemoryPresenceManager and a control relay over IPC, so the workers
 * behave as the nodes of one cluster on a shared engine. With Redis or NATS each worker joins the
 * engine as a separate node, as it would on separate machines.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Config } from '../config/index.js';
import { systemClock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { LimitsPrimary } from '../engines/cluster/index.js';
import { LIMITS_ENVELOPE_KEY, READY_ENVELOPE_KEY, WORKER_ID_ENV } from '../engines/cluster/protocol.js';
import { probeReusePort, REUSE_PORT_ENV } from './reuse-port.js';


/** How many workers `workers` asks for: 0 = one per core. */
function workerCount(config: Config): number {
  return config.workers === 0 ? availableParallelism() : config.workers;
}

/** True when the memory engine is shared through the primary (memory engine, no NATS broker). */
function usesPrimaryEngine(config: Config): boolean {
  return config.engine === 'memory' && config.broker !== 'nats';
}

/** True when a connection limit is configured: then the primary counts them for all workers. */
export function anyConnectionLimit(config: Config): boolean {
  return config.client_connection_limit > 0 || config.client_user_connection_limit > 0 || config.client_connection_rate_limit > 0;
}

/** The primary's connection counts, answering every worker. */
async function primaryLimits(config: Config, logger: Logger): Promise<LimitsPrimary> {
  const { ConnectionLedger, LimitsPrimary } = await import('../engines/cluster/index.js');
  const ledger = new ConnectionLedger({
    connectionLimit: config.client_connection_limit,
    ratePerSec: config.client_connection_rate_limit,
    userConnectionLimit: config.client_user_connection_limit,
    clock: systemClock,
  });
  // A release without a reservation (sent by a worker the primary already dropped) changes nothing.
  const primary = new LimitsPrimary(ledger, (what) => logger.debug(`${what} slot released without a reservation, ignored`));
  return primary;
}

export interface PrimaryOptions {
  readonly logger: Logger;
}

export interface RunningPrimary {
  readonly workers: number;
  /** SIGTERM to every worker (each drains its clients with the shutdown disconnect), then the engine. */
  close(): Promise<void>;
  /** SIGHUP to every worker: each re-reads the configuration as a single process would. */
  reload(): void;
}

const RESTART_BASE_DELAY_MS = 100;
const RESTART_MAX_DELAY_MS = 5000;
/** A worker that lived this long resets the restart back-off. */
const HEALTHY_UPTIME_MS = 10_000;

/**
 * Forks the workers and resolves once every one of them serves (its listeners are bound). A worker
 * that exits before it ever served fails the start; one that dies later is restarted with back-off.
 */
export async function startPrimary(config: Config, options: PrimaryOptions): Promise<RunningPrimary> {
  const { logger } = options;
  const n = workerCount(config);

  // The workers accept from the shared listening socket themselves (SCHED_NONE) unless
  // NODE_CLUSTER_SCHED_POLICY says otherwise: Node's default on Linux, round-robin, has the primary
  // accept every connection and pass its handle to a worker over IPC, which measured 2-3.5× the
  // server CPU per connect of one process against 1.3-1.8× with SCHED_NONE (bench `workers`
  // scenario), and spread the connections no more evenly than the kernel does.
  const policy = process.env['NODE_CLUSTER_SCHED_POLICY'];
  if (policy === undefined) cluster.schedulingPolicy = cluster.SCHED_NONE;
  // Where the runtime has SO_REUSEPORT (app/reuse-port) each worker binds its own sockets instead.
  const reusePort = config.workers_reuseport && (policy === undefined || policy === 'none') && config.port !== 0 && (await probeReusePort());
  // Structured-clone IPC: payload bytes cross as Uint8Array (JSON would base64 or array-encode them).
  cluster.setupPrimary({ serialization: 'advanced' });
  const engine = usesPrimaryEngine(config)
    ? new (await import('../engines/cluster/index.js')).PrimaryEngine({
        historyMetaTtlMs: config.global_history_meta_ttl,
        presenceTtlMs: config.global_presence_ttl,
      })
    : undefined;
  const { clusterWorkerPort } = await import('../engines/cluster/ports.js');
  // The connection limits hold for the whole group: the primary keeps the counts (engines/cluster/connection-ledger).
  const limits = anyConnectionLimit(config) ? await primaryLimits(config, logger) : undefined;
  logger.info('starting workers', {
    workers: n,
    engine: engine !== undefined ? 'memory (shared by the primary)' : config.engine,
    accept: reusePort ? 'SO_REUSEPORT socket per worker' : cluster.schedulingPolicy === cluster.SCHED_RR ? 'round-robin by the primary' : 'shared socket',
  });

  let closing = false;
  const live = new Map<number, Worker>();
  const failures = new Array<number>(n).fill(0);

  const fork = (index: number, onReady?: () => void, onEarlyExit?: (code: number | null) => void): void => {
    const worker = cluster.fork({ [WORKER_ID_ENV]: String(index), ...(reusePort ? { [REUSE_PORT_ENV]: '1' } : {}) });
    const startedAt = Date.now();
    let served = false;
    live.set(index, worker);
    worker.on('error', (err) => logger.warn('worker IPC error', { worker: index, error: String(err) }));
    const limitsHandle = limits?.attach(clusterWorkerPort(worker, LIMITS_ENVELOPE_KEY));
    // Its slots are free as soon as its IPC channel is gone (a crash shows there first), at the latest on exit.
    if (limitsHandle !== undefined) worker.once('disconnect', () => limits?.detach(limitsHandle));
    const handle = engine?.attach(clusterWorkerPort(worker));
    // Serving once every listener is bound, the GRPC API's included (cluster's `listening` event comes
    // with the first one): until then an exit fails the start instead of a restart loop.
    clusterWorkerPort<true, never>(worker, READY_ENVELOPE_KEY).onBatch(() => {
      if (served) return;
      served = true;
      onReady?.();
    });
    worker.once('exit', (code, signal) => {
      if (handle !== undefined) engine?.detach(handle);
      if (limitsHandle !== undefined) limits?.detach(limitsHandle);
      if (live.get(index) === worker) live.delete(index);
      if (closing) return;
      if (!served) {
        onEarlyExit?.(code);
        if (onEarlyExit !== undefined) return;
      }
      failures[index] = Date.now() - startedAt > HEALTHY_UPTIME_MS ? 0 : failures[index]! + 1;
      const delay = Math.min(RESTART_MAX_DELAY_MS, RESTART_BASE_DELAY_MS * 2 ** failures[index]);
      logger.error('worker exited, restarting', { worker: index, pid: worker.process.pid, code, signal, restartInMs: delay });
      setTimeout(() => {
        if (!closing) fork(index);
      }, delay).unref();
    });
  };

  const close = async (): Promise<void> => {
    closing = true;
    const exits = [...live.values()].map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.isDead()) return resolve();
          w.once('exit', () => resolve());
          w.process.kill('SIGTERM');
        }),
    );
    await Promise.all(exits);
    await engine?.close();
  };

  try {
    await Promise.all(
      Array.from(
        { length: n },
        (_, i) =>
          new Promise<void>((resolve, reject) => {
            fork(i, resolve, (code) => reject(new Error(`worker ${i} exited with code ${code} before it started serving`)));
          }),
      ),
    );
  } catch (err) {
    await close();
    throw err;
  }
  logger.info('all workers serving', { workers: n });
  return {
    workers: n,
    close,
    reload: () => {
      for (const w of live.values()) w.process.kill('SIGHUP');
    },
  };
}
