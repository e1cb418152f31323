/** @module engines/cluster — the memory engine shared by the worker processes of `rotor serve --workers N`. */
export { PrimaryEngine, type PrimaryEngineOptions, type WorkerHandle } from './primary-engine.js';
export { ClusterClient, IpcBroker, IpcController, IpcPresenceManager } from './worker-engine.js';
export { clusterWorkerPort, messagePortPort, parentProcessPort } from './ports.js';
export type { PrimaryMessage, WorkerMessage } from './protocol.js';
export { notifyWorkerReady, workerEngine, workerIndex, workerLimits } from './worker.js';
export { WORKER_ID_ENV } from './protocol.js';
export { ConnectionLedger, type Admission } from './connection-ledger.js';
export { LimitsClient, LimitsPrimary, type LimitsHandle } from './limits-link.js';
