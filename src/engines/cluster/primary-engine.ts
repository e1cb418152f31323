/**
 * @module engines/cluster/primary-engine — the shared memory engine of `rotor serve --workers N`: the
 * real MemoryBroker and MemoryPresenceManager run once, in the primary process, so epochs, offsets,
 * TTLs, idempotency and presence are exactly those of a single memory-engine node. Workers reach it
 * through `worker-engine.ts`.
 *
 * The primary also relays control messages between the workers' nodes (the role Redis PUB/SUB or NATS
 * plays between separate nodes), and forgets a worker that died: its channel interest, its presence
 * entries, and its node (a `shutdown` control message on its behalf, so surveys do not wait for it).
 */
import type { BrokerEventHandler } from '../../core/broker.js';
import type { Clock } from '../../core/clock.js';
import { encodeControl } from '../../core/control.js';
import { isClientError } from '../../core/errors.js';
import type { ClientInfo, Publication, StreamPosition } from '../../core/types.js';
import { MemoryBroker } from '../memory/broker.js';
import { MemoryPresenceManager } from '../memory/presence.js';
import { BatchingLink, type BatchPort, type PrimaryMessage, type RequestOp, type WireError, type WorkerMessage } from './protocol.js';

export interface PrimaryEngineOptions {
  readonly clock?: Clock | undefined;
  /** `global_history_meta_ttl`; 0 = engine default. */
  readonly historyMetaTtlMs?: number | undefined;
  /** `global_presence_ttl`. */
  readonly presenceTtlMs?: number | undefined;
}

/** One attached worker. */
export class WorkerHandle {
  readonly link: BatchingLink<WorkerMessage, PrimaryMessage>;
  /** Channels this worker has local subscribers of. */
  readonly channels = new Set<string>();
  /** Presence entries this worker added: channel → client id → user id. */
  readonly presence = new Map<string, Map<string, string>>();
  nodeId: string | undefined;

  constructor(port: BatchPort<WorkerMessage, PrimaryMessage>, onMessage: (w: WorkerHandle, m: WorkerMessage) => void) {
    this.link = new BatchingLink(port, (m) => onMessage(this, m));
  }
}

export class PrimaryEngine implements BrokerEventHandler {
  readonly broker: MemoryBroker;
  readonly presence: MemoryPresenceManager;
  readonly #workers = new Set<WorkerHandle>();
  /** channel → workers with local subscribers. */
  readonly #interest = new Map<string, Set<WorkerHandle>>();
  readonly #nodes = new Map<string, WorkerHandle>();
  #closed = false;

  constructor(options: PrimaryEngineOptions) {
    this.broker = new MemoryBroker({ clock: options.clock, defaultHistoryMetaTtlMs: options.historyMetaTtlMs });
    this.presence = new MemoryPresenceManager({ clock: options.clock, ttlMs: options.presenceTtlMs });
    void this.broker.start(this);
  }

  /** Number of attached workers. */
  get size(): number {
    return this.#workers.size;
  }

  /** Starts serving a worker's requests over `port`. */
  attach(port: BatchPort<WorkerMessage, PrimaryMessage>): WorkerHandle {
    const w = new WorkerHandle(port, (h, m) => this.#onMessage(h, m));
    this.#workers.add(w);
    return w;
  }

  /**
   * Forgets a worker (exited or crashed): its channel interest, its presence entries, and its node in
   * the other workers' registries.
   */
  detach(w: WorkerHandle): void {
    if (!this.#workers.delete(w)) return;
    w.link.close();
    for (const ch of w.channels) this.#dropInterest(ch, w);
    w.channels.clear();
    for (const [ch, clients] of w.presence) {
      for (const [clientId, userId] of clients) void this.presence.removePresence(ch, clientId, userId);
    }
    w.presence.clear();
    if (w.nodeId !== undefined && this.#nodes.get(w.nodeId) === w) {
      this.#nodes.delete(w.nodeId);
      const bye = encodeControl(w.nodeId, { t: 'shutdown' });
      for (const other of this.#workers) other.link.send({ t: 'ctl', d: bye });
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of [...this.#workers]) this.detach(w);
    await Promise.all([this.broker.close(), this.presence.close()]);
  }

  // ---- BrokerEventHandler: the MemoryBroker hands every message here; route it to interested workers ----

  onPublication(channel: string, publication: Publication, position: StreamPosition, prev?: Publication): void {
    const ws = this.#interest.get(channel);
    if (ws === undefined) return;
    const msg: PrimaryMessage = prev === undefined ? { t: 'pub', ch: channel, p: publication, pos: position } : { t: 'pub', ch: channel, p: publication, pos: position, prev };
    for (const w of ws) w.link.send(msg);
  }

  onJoin(channel: string, info: ClientInfo): void {
    const ws = this.#interest.get(channel);
    if (ws !== undefined) for (const w of ws) w.link.send({ t: 'join', ch: channel, info });
  }

  onLeave(channel: string, info: ClientInfo): void {
    const ws = this.#interest.get(channel);
    if (ws !== undefined) for (const w of ws) w.link.send({ t: 'leave', ch: channel, info });
  }

  // ---- requests ----

  #onMessage(w: WorkerHandle, m: WorkerMessage): void {
    if (!this.#workers.has(w)) return;
    let result: Promise<unknown>;
    try {
      result = this.#execute(w, m.op, m.a);
    } catch (err) {
      result = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    result.then(
      (v) => w.link.send(v === undefined ? { t: 'res', id: m.id } : { t: 'res', id: m.id, v }),
      (err: unknown) => w.link.send({ t: 'res', id: m.id, e: toWire(err) }),
    );
  }

  // The arguments come from our own worker code (`worker-engine.ts`), so they are cast, not validated.
  #execute(w: WorkerHandle, op: RequestOp, a: readonly unknown[]): Promise<unknown> {
    const s = (i: number): string => a[i] as string;
    switch (op) {
      case 'publish':
        return this.broker.publish(s(0), a[1] as Uint8Array, a[2] as Parameters<MemoryBroker['publish']>[2]);
      case 'publishJoin':
        return this.broker.publishJoin(s(0), a[1] as ClientInfo);
      case 'publishLeave':
        return this.broker.publishLeave(s(0), a[1] as ClientInfo);
      case 'history':
        return this.broker.history(s(0), a[1] as Parameters<MemoryBroker['history']>[1]);
      case 'removeHistory':
        return this.broker.removeHistory(s(0));
      case 'subscribe': {
        const ch = s(0);
        w.channels.add(ch);
        let ws = this.#interest.get(ch);
        if (ws === undefined) {
          ws = new Set();
          this.#interest.set(ch, ws);
        }
        ws.add(w);
        return Promise.resolve();
      }
      case 'unsubscribe':
        w.channels.delete(s(0));
        this.#dropInterest(s(0), w);
        return Promise.resolve();
      case 'presence':
        return this.presence.presence(s(0));
      case 'presenceStats':
        return this.presence.presenceStats(s(0));
      case 'addPresence': {
        const info = a[1] as ClientInfo;
        let clients = w.presence.get(s(0));
        if (clients === undefined) {
          clients = new Map();
          w.presence.set(s(0), clients);
        }
        clients.set(info.clientId, info.userId);
        return this.presence.addPresence(s(0), info);
      }
      case 'removePresence': {
        const clients = w.presence.get(s(0));
        if (clients !== undefined) {
          clients.delete(s(1));
          if (clients.size === 0) w.presence.delete(s(0));
        }
        return this.presence.removePresence(s(0), s(1), s(2));
      }
      case 'controlStart':
        w.nodeId = s(0);
        this.#nodes.set(w.nodeId, w);
        return Promise.resolve();
      case 'control': {
        const data = a[0] as Uint8Array;
        const to = a[1] as string | undefined;
        if (to !== undefined) {
          this.#nodes.get(to)?.link.send({ t: 'ctl', d: data });
        } else {
          for (const other of this.#workers) if (other.nodeId !== undefined) other.link.send({ t: 'ctl', d: data });
        }
        return Promise.resolve();
      }
    }
  }

  #dropInterest(channel: string, w: WorkerHandle): void {
    const ws = this.#interest.get(channel);
    if (ws === undefined) return;
    ws.delete(w);
    if (ws.size === 0) this.#interest.delete(channel);
  }
}

function toWire(err: unknown): WireError {
  if (isClientError(err)) return { kind: 'client', code: err.code, message: err.message, temporary: err.temporary };
  return { kind: 'engine', code: 0, message: err instanceof Error ? err.message : String(err), temporary: false };
}
