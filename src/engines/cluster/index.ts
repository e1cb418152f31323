/** @module engines/cluster — the memory engine shared by the worker processes of `rotor serve --workers N`. */
export { PrimaryEngine, type PrimaryEngineOptions, type WorkerHandle } from './primary-engine.js';
export { ClusterClient, IpcBroker, IpcController, IpcPresenceManager } from './worker-engine.js';
export { clusterWorkerPort, messagePortPort, parentProcessPort } from './ports.js';
export type { PrimaryMessage, WorkerMessage } from './protocol.js';
export { notifyWorkerReady, workerEngine, workerIndex } from './worker.js';
export { WORKER_ID_ENV } from './protocol.js';
