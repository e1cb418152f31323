/**
 * @module engines/cluster/protocol — messages between a worker process and the primary that runs the
 * shared memory engine (`rotor serve --workers N`), and the batching link that carries them.
 *
 * Messages travel as structured clones (Node's `advanced` IPC serialization or a `MessagePort`), so
 * payload bytes cross as `Uint8Array` without base64 or JSON. Everything one side sends during an
 * event-loop turn goes out as one array: one IPC write per turn, not per message.
 */
import type { ClientInfo, Publication, StreamPosition } from '../../core/types.js';

/** Requests a worker makes; each is answered by exactly one `res` with the same id. */
export type RequestOp =
  | 'publish'
  | 'publishJoin'
  | 'publishLeave'
  | 'history'
  | 'removeHistory'
  | 'subscribe'
  | 'unsubscribe'
  | 'presence'
  | 'presenceStats'
  | 'addPresence'
  | 'removePresence'
  | 'controlStart'
  | 'control';

/** Worker → primary. */
export type WorkerMessage = { readonly t: 'req'; readonly id: number; readonly op: RequestOp; readonly a: readonly unknown[] };

/** How an error crosses the link: ClientErrors keep their code, everything else becomes an EngineError. */
export interface WireError {
  readonly kind: 'client' | 'engine';
  readonly code: number;
  readonly message: string;
  readonly temporary: boolean;
}

/** Primary → worker. */
export type PrimaryMessage =
  | { readonly t: 'res'; readonly id: number; readonly v?: unknown; readonly e?: WireError }
  | { readonly t: 'pub'; readonly ch: string; readonly p: Publication; readonly pos: StreamPosition; readonly prev?: Publication | undefined }
  | { readonly t: 'join' | 'leave'; readonly ch: string; readonly info: ClientInfo }
  | { readonly t: 'ctl'; readonly d: Uint8Array };

/** A raw duplex of message batches: a process IPC channel, a cluster worker, or a MessagePort (tests). */
export interface BatchPort<In, Out> {
  send(batch: Out[]): void;
  onBatch(handler: (batch: In[]) => void): void;
  close(): void;
}

/** Queues messages and hands them to the port once per event-loop turn. */
export class BatchingLink<In, Out> {
  readonly #port: BatchPort<In, Out>;
  #queue: Out[] = [];
  #scheduled = false;
  #closed = false;

  constructor(port: BatchPort<In, Out>, onMessage: (message: In) => void) {
    this.#port = port;
    port.onBatch((batch) => {
      for (const m of batch) onMessage(m);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(message: Out): void {
    if (this.#closed) return;
    this.#queue.push(message);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#flush);
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    if (this.#closed || this.#queue.length === 0) return;
    const batch = this.#queue;
    this.#queue = [];
    this.#port.send(batch);
  };

  /** Sends what is queued, then closes the port. */
  close(): void {
    if (this.#closed) return;
    this.#flush();
    this.#closed = true;
    this.#port.close();
  }
}

/** Marks Rotor's batches among other messages on a shared IPC channel (cluster uses it too). */
export const ENVELOPE_KEY = 'rotorCluster';

/** Marks the connection limits' batches (`limits-link.ts`), a link of their own on the same channel. */
export const LIMITS_ENVELOPE_KEY = 'rotorLimits';

/**
 * Marks a worker's "serving" message: every listener of its own (HTTP, uni_grpc, GRPC API) is bound.
 * A link of its own, sent whatever the engine, so the primary knows when the start of a worker is over.
 */
export const READY_ENVELOPE_KEY = 'rotorReady';

/** Reads a batch out of an IPC envelope marked `key`; undefined for anything else. */
export function openEnvelope<T>(message: unknown, key = ENVELOPE_KEY): T[] | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const batch = (message as Record<string, unknown>)[key];
  return Array.isArray(batch) ? (batch as T[]) : undefined;
}

/** Set in a worker's environment by the primary: the worker's index (0-based, kept by a restarted worker). */
export const WORKER_ID_ENV = 'ROTOR_WORKER_ID';
