/**
 * @module engines/cluster/limits-link — the connection limits of `rotor serve --workers N` over IPC:
 * each worker asks the primary's {@link ConnectionLedger} before it accepts a connection or
 * authenticates a user's connect, and tells it when those close. The link exists only when a limit
 * is configured; it batches like the engine link (one IPC write per event-loop turn each way), so
 * an admission costs one round trip and a release none (it rides with the next batch).
 */
import { EngineError } from '../../core/errors.js';
import type { Admission, ConnectionLedger, WorkerSlots } from './connection-ledger.js';
import { BatchingLink, type BatchPort } from './protocol.js';

/** Worker → primary. `admit` and `user` are answered by one `ans` with the same id. */
export type LimitsRequest =
  | { readonly t: 'admit'; readonly id: number }
  | { readonly t: 'release' }
  | { readonly t: 'user'; readonly id: number; readonly u: string }
  | { readonly t: 'unuser'; readonly u: string };

/** Primary → worker: the answer to `admit` (any Admission) or `user` ('ok' or 'limit'). */
export interface LimitsAnswer {
  readonly id: number;
  readonly v: Admission;
}

/** One attached worker: its link and what it holds in the ledger. */
export class LimitsHandle {
  readonly link: BatchingLink<LimitsRequest, LimitsAnswer>;
  readonly slots: WorkerSlots;

  constructor(port: BatchPort<LimitsRequest, LimitsAnswer>, slots: WorkerSlots, onMessage: (h: LimitsHandle, m: LimitsRequest) => void) {
    this.slots = slots;
    this.link = new BatchingLink(port, (m) => onMessage(this, m));
  }
}

/** The primary's side: answers every worker from one ledger. */
export class LimitsPrimary {
  readonly ledger: ConnectionLedger;
  readonly #onUnknownRelease: ((what: string) => void) | undefined;

  /** `onUnknownRelease` hears of releases the ledger has no reservation for (they change nothing). */
  constructor(ledger: ConnectionLedger, onUnknownRelease?: (what: string) => void) {
    this.ledger = ledger;
    this.#onUnknownRelease = onUnknownRelease;
  }

  attach(port: BatchPort<LimitsRequest, LimitsAnswer>): LimitsHandle {
    return new LimitsHandle(port, this.ledger.addWorker(), (h, m) => this.#onMessage(h, m));
  }

  /** The worker is gone (exit or IPC disconnect): all its slots are free again. Idempotent. */
  detach(h: LimitsHandle): void {
    this.ledger.dropWorker(h.slots);
    h.link.close();
  }

  // The messages come from our own worker code (`LimitsClient`), so their shape is trusted.
  #onMessage(h: LimitsHandle, m: LimitsRequest): void {
    const ledger = this.ledger;
    switch (m.t) {
      case 'admit':
        h.link.send({ id: m.id, v: ledger.admit(h.slots) });
        return;
      case 'release':
        if (!ledger.release(h.slots)) this.#onUnknownRelease?.('connection');
        return;
      case 'user':
        h.link.send({ id: m.id, v: ledger.reserveUser(h.slots, m.u) ? 'ok' : 'limit' });
        return;
      case 'unuser':
        if (!ledger.releaseUser(h.slots, m.u)) this.#onUnknownRelease?.('user connection');
        return;
    }
  }
}

/** A worker's side. After `close` (the primary is gone) every request fails and releases do nothing. */
export class LimitsClient {
  readonly #link: BatchingLink<LimitsAnswer, LimitsRequest>;
  readonly #pending = new Map<number, { resolve(v: Admission): void; reject(err: Error): void }>();
  #nextId = 0;
  #closed = false;

  constructor(port: BatchPort<LimitsAnswer, LimitsRequest>) {
    this.#link = new BatchingLink(port, (m) => this.#onAnswer(m));
  }

  /** Reserves a connection slot (node limit, then rate limit); 'ok' holds it until {@link release}. */
  admit(): Promise<Admission> {
    return this.#request((id) => ({ t: 'admit', id }));
  }

  release(): void {
    if (!this.#closed) this.#link.send({ t: 'release' });
  }

  /** Reserves one of `userId`'s slots; true holds it until {@link releaseUser}. */
  async reserveUser(userId: string): Promise<boolean> {
    return (await this.#request((id) => ({ t: 'user', id, u: userId }))) === 'ok';
  }

  releaseUser(userId: string): void {
    if (!this.#closed) this.#link.send({ t: 'unuser', u: userId });
  }

  /** Fails what waits for an answer and every later request. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#link.close();
    for (const p of this.#pending.values()) p.reject(new EngineError('connection limits: the primary is gone'));
    this.#pending.clear();
  }

  #request(build: (id: number) => LimitsRequest): Promise<Admission> {
    if (this.#closed) return Promise.reject(new EngineError('connection limits: the primary is gone'));
    const id = ++this.#nextId;
    return new Promise<Admission>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#link.send(build(id));
    });
  }

  #onAnswer(m: LimitsAnswer): void {
    const p = this.#pending.get(m.id);
    if (p === undefined) return;
    this.#pending.delete(m.id);
    p.resolve(m.v);
  }
}
