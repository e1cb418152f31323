/**
 * @module engines/cluster/ports — `BatchPort`s over the carriers a cluster link can use: the worker's
 * IPC channel to its primary, the primary's handle of a cluster worker, and a `MessagePort` (the
 * contract tests run the engine over a real structured-clone channel inside one process).
 */
import type { Worker } from 'node:cluster';
import type { MessagePort } from 'node:worker_threads';
import { ENVELOPE_KEY, openEnvelope, type BatchPort } from './protocol.js';

/** Hands the batch of every enveloped IPC message `channel` receives to `handler` (other messages are someone else's). */
function onEnvelopes<In>(channel: Pick<NodeJS.EventEmitter, 'on'>, key: string, handler: (batch: In[]) => void): void {
  channel.on('message', (message: unknown) => {
    const batch = openEnvelope<In>(message, key);
    if (batch !== undefined) handler(batch);
  });
}

/**
 * This process's IPC channel to the primary that forked it; `key` tells this link's batches from
 * another link's on the same channel.
 */
export function parentProcessPort<In, Out>(key = ENVELOPE_KEY): BatchPort<In, Out> {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('not a forked worker: no IPC channel to the primary');
  return {
    send: (batch) => {
      // The callback turns a failed write (the primary is gone) into nothing instead of an 'error' event.
      if (process.connected) send({ [key]: batch }, undefined, undefined, () => undefined);
    },
    onBatch: (handler) => onEnvelopes(process, key, handler),
    close: () => undefined,
  };
}

/** The primary's end of a cluster worker's IPC channel (`key` as in {@link parentProcessPort}). */
export function clusterWorkerPort<In, Out>(worker: Worker, key = ENVELOPE_KEY): BatchPort<In, Out> {
  return {
    send: (batch) => {
      // A write to a worker that just died fails quietly: its exit handler detaches it.
      if (worker.isConnected()) worker.send({ [key]: batch }, undefined, () => undefined);
    },
    onBatch: (handler) => onEnvelopes(worker, key, handler),
    close: () => undefined,
  };
}

/** One end of a `MessageChannel`. */
export function messagePortPort<In, Out>(port: MessagePort): BatchPort<In, Out> {
  return {
    send: (batch) => port.postMessage(batch),
    onBatch: (handler) => {
      port.on('message', (batch: In[]) => handler(batch));
    },
    close: () => port.close(),
  };
}
