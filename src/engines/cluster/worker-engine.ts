/**
 * @module engines/cluster/worker-engine — the engine a worker process runs with `--workers N` and the
 * memory engine: `Broker`, `PresenceManager` and `Controller` whose state lives in the primary
 * (`primary-engine.ts`), reached over one batching IPC link.
 *
 * Fan-out to the worker's own subscribers stays in the worker: the primary sends one message per
 * publication to each worker that has subscribers of the channel.
 */
import type {
  Broker,
  BrokerEventHandler,
  HistoryOptions,
  HistoryResult,
  PublishOptions,
  PublishResult,
} from '../../core/broker.js';
import type { Controller } from '../../core/controller.js';
import { ClientError, EngineError } from '../../core/errors.js';
import type { PresenceManager, PresenceStats } from '../../core/presence.js';
import type { ClientInfo } from '../../core/types.js';
import { BatchingLink, type BatchPort, type PrimaryMessage, type RequestOp, type WireError, type WorkerMessage } from './protocol.js';

/** Requests that only release state the primary also drops when the worker exits. */
const CLEANUP_OPS: ReadonlySet<RequestOp> = new Set<RequestOp>(['unsubscribe', 'removePresence', 'publishLeave']);

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/** One worker's end of the link: requests with replies, and the pushes of the primary. */
export class ClusterClient {
  readonly #link: BatchingLink<PrimaryMessage, WorkerMessage>;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #handler: BrokerEventHandler | undefined;
  #onControl: ((data: Uint8Array) => void) | undefined;
  #closed = false;
  #drainTimer: NodeJS.Timeout | undefined;

  constructor(port: BatchPort<PrimaryMessage, WorkerMessage>) {
    this.#link = new BatchingLink(port, (m) => this.#onMessage(m));
  }

  request<T>(op: RequestOp, ...args: unknown[]): Promise<T> {
    if (this.#closed) {
      // Clean-up after close (clients released during shutdown) has nothing left to do: the primary
      // drops this worker's channel interest and presence entries when the worker exits.
      if (CLEANUP_OPS.has(op)) return Promise.resolve(undefined as T);
      return Promise.reject(new EngineError('cluster engine is closed'));
    }
    const id = ++this.#nextId;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve, reject });
      this.#link.send({ t: 'req', id, op, a: args });
    });
  }

  setBrokerHandler(handler: BrokerEventHandler | undefined): void {
    this.#handler = handler;
  }

  setControlHandler(onMessage: ((data: Uint8Array) => void) | undefined): void {
    this.#onControl = onMessage;
  }

  #onMessage(m: PrimaryMessage): void {
    switch (m.t) {
      case 'res': {
        const p = this.#pending.get(m.id);
        if (p === undefined) return;
        this.#pending.delete(m.id);
        if (m.e !== undefined) p.reject(fromWire(m.e));
        else p.resolve(m.v);
        if (this.#closed && this.#pending.size === 0 && !this.#link.closed) this.#closeLink();
        return;
      }
      case 'pub':
        if (m.prev === undefined) this.#handler?.onPublication(m.ch, m.p, m.pos);
        else this.#handler?.onPublication(m.ch, m.p, m.pos, m.prev);
        return;
      case 'join':
        this.#handler?.onJoin(m.ch, m.info);
        return;
      case 'leave':
        this.#handler?.onLeave(m.ch, m.info);
        return;
      case 'ctl':
        this.#onControl?.(m.d);
        return;
    }
  }

  /**
   * Refuses new requests; the link closes once the requests in flight are answered (they are, unless
   * the primary is gone: then after `drainMs` they fail). Idempotent.
   */
  close(drainMs = 2000): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#pending.size === 0) return this.#closeLink();
    this.#drainTimer = setTimeout(() => this.#closeLink(), drainMs);
    this.#drainTimer.unref();
  }

  #closeLink(): void {
    if (this.#drainTimer !== undefined) clearTimeout(this.#drainTimer);
    this.#drainTimer = undefined;
    this.#link.close();
    for (const p of this.#pending.values()) p.reject(new EngineError('cluster engine is closed'));
    this.#pending.clear();
  }
}

function fromWire(e: WireError): Error {
  if (e.kind === 'client') return new ClientError({ code: e.code, message: e.message, temporary: e.temporary });
  return new EngineError(e.message);
}

/** Broker over the link; history, epochs, offsets and idempotency are the primary's MemoryBroker. */
export class IpcBroker implements Broker {
  readonly supportsHistory = true;
  readonly #client: ClusterClient;
  #closed = false;

  constructor(client: ClusterClient) {
    this.#client = client;
  }

  async start(handler: BrokerEventHandler): Promise<void> {
    this.#client.setBrokerHandler(handler);
  }
  subscribe(channel: string): Promise<void> {
    return this.#client.request('subscribe', channel);
  }
  unsubscribe(channel: string): Promise<void> {
    return this.#client.request('unsubscribe', channel);
  }
  publish(channel: string, data: Uint8Array, options: PublishOptions): Promise<PublishResult> {
    return this.#client.request('publish', channel, data, options);
  }
  publishJoin(channel: string, info: ClientInfo): Promise<void> {
    return this.#client.request('publishJoin', channel, info);
  }
  publishLeave(channel: string, info: ClientInfo): Promise<void> {
    return this.#client.request('publishLeave', channel, info);
  }
  history(channel: string, options: HistoryOptions): Promise<HistoryResult> {
    return this.#client.request('history', channel, options);
  }
  removeHistory(channel: string): Promise<void> {
    return this.#client.request('removeHistory', channel);
  }
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.setBrokerHandler(undefined);
  }
}

/** PresenceManager over the link (the primary's MemoryPresenceManager). */
export class IpcPresenceManager implements PresenceManager {
  readonly #client: ClusterClient;

  constructor(client: ClusterClient) {
    this.#client = client;
  }

  presence(channel: string): Promise<Map<string, ClientInfo>> {
    return this.#client.request('presence', channel);
  }
  presenceStats(channel: string): Promise<PresenceStats> {
    return this.#client.request('presenceStats', channel);
  }
  addPresence(channel: string, info: ClientInfo): Promise<void> {
    return this.#client.request('addPresence', channel, info);
  }
  removePresence(channel: string, clientId: string, userId: string): Promise<void> {
    return this.#client.request('removePresence', channel, clientId, userId);
  }
  async close(): Promise<void> {}
}

/** Controller over the link: the primary relays control messages between the workers' nodes. */
export class IpcController implements Controller {
  readonly #client: ClusterClient;
  #closed = false;

  constructor(client: ClusterClient) {
    this.#client = client;
  }

  async start(nodeId: string, onMessage: (data: Uint8Array) => void): Promise<void> {
    this.#client.setControlHandler(onMessage);
    await this.#client.request('controlStart', nodeId);
  }
  publishControl(data: Uint8Array, toNodeId?: string): Promise<void> {
    return this.#client.request('control', data, toNodeId);
  }
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.setControlHandler(undefined);
  }
}
