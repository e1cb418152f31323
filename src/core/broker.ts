/**
 * @module core/broker — PUB/SUB between nodes and the per-channel history stream.
 *
 * One interface covers both because appending to history and publishing must be atomic per channel:
 * subscribers that recover from history and then go live must never see a gap or a duplicate.
 */
import { positiveOr } from '../util/positive.js';
import type { Clock } from './clock.js';
import type { ClientInfo, Publication, StreamPosition } from './types.js';

/** Engine defaults every Broker applies (Centrifugo's): stream metadata lives 720 h (`history_meta_ttl`) when a call passes `metaTtlMs: 0`. */
export const DEFAULT_HISTORY_META_TTL_MS = 720 * 3600 * 1000;
/** How long a publish result is remembered for an idempotency key when the publish gives no TTL (300 s). */
export const DEFAULT_IDEMPOTENT_RESULT_TTL_MS = 300_000;

/** Construct-time options every history-keeping Broker engine (memory, Redis) takes. */
export interface HistoryBrokerOptions {
  /** Time source for epochs, publication times and expiry. @default systemClock */
  readonly clock?: Clock | undefined;
  /** Informational: a broker learns nothing from it (a controller receives the node id in `start`). */
  readonly nodeId?: string | undefined;
  /** Used when a publish carries no (or a non-positive) `idempotentResultTtlMs`. @default 300_000 */
  readonly idempotentResultTtlMs?: number | undefined;
  /** Stream meta TTL when a publish/history call passes `metaTtlMs: 0`. @default 720 h */
  readonly defaultHistoryMetaTtlMs?: number | undefined;
}

/** The engine-wide TTLs of {@link HistoryBrokerOptions}: a non-positive or absent value takes the default. */
export function historyBrokerTtls(options: HistoryBrokerOptions): { readonly resultTtlMs: number; readonly metaTtlMs: number } {
  return {
    resultTtlMs: positiveOr(options.idempotentResultTtlMs, DEFAULT_IDEMPOTENT_RESULT_TTL_MS),
    metaTtlMs: positiveOr(options.defaultHistoryMetaTtlMs, DEFAULT_HISTORY_META_TTL_MS),
  };
}

/** History settings for one publish; history is on when `size > 0 && ttlMs > 0`. */
export interface HistoryPublishOptions {
  /** Max publications kept in the stream; older ones are evicted on append. */
  readonly size: number;
  /** Publications are dropped when no publish happened for this long (top offset and epoch stay). */
  readonly ttlMs: number;
  /** Stream metadata (top offset + epoch) lives this long after last use; 0 = engine default (30 days). */
  readonly metaTtlMs: number;
}

/** Options of `Broker.publish`. */
export interface PublishOptions {
  /** Append to the stream before delivering. Absent = no history, offset 0. */
  readonly history?: HistoryPublishOptions | undefined;
  /** Publisher info (client publishes only). */
  readonly clientInfo?: ClientInfo | undefined;
  readonly tags?: Readonly<Record<string, string>> | undefined;
  /**
   * Deduplicates publishes: the same (channel, key) within `idempotentResultTtlMs` is not published
   * again, and the first result is returned with `suppressed: true`.
   */
  readonly idempotencyKey?: string | undefined;
  /** @default 300_000 */
  readonly idempotentResultTtlMs?: number | undefined;
  /** Ask for delta compression of this publication for delta-negotiated subscribers. */
  readonly delta?: boolean | undefined;
}

/** Result of `Broker.publish`. */
export interface PublishResult {
  /** Stream position of the publication; `{offset: 0, epoch: ''}` without history. */
  readonly position: StreamPosition;
  /** True when an idempotency key matched an earlier publish: nothing was delivered. */
  readonly suppressed: boolean;
}

/** History query. */
export interface HistoryOptions {
  /** Forward: offsets > since.offset; reverse: offsets < since.offset. Epoch is checked by the caller. */
  readonly since?: StreamPosition | undefined;
  /** 0 = only the stream top position; < 0 = unlimited; > 0 = at most that many. */
  readonly limit: number;
  /** Newest first. */
  readonly reverse: boolean;
  /** Reading keeps stream metadata alive for this long; 0 = engine default (30 days). */
  readonly metaTtlMs: number;
}

/** Result of `Broker.history`. */
export interface HistoryResult {
  readonly publications: Publication[];
  /** Current stream top (not the last returned publication). A missing stream is created (offset 0, new epoch). */
  readonly position: StreamPosition;
}

/** Callbacks through which a broker hands messages from any node (including this one) to the node. */
export interface BrokerEventHandler {
  /**
   * A publication arrived for a channel this node subscribed to. `position.epoch` is the stream
   * epoch ('' without history). `prev` is the previous publication when the publisher asked for delta
   * and the engine could provide it. Synchronous: implementations only enqueue.
   */
  onPublication(channel: string, publication: Publication, position: StreamPosition, prev?: Publication): void;
  /** Someone subscribed to the channel (join/leave enabled). */
  onJoin(channel: string, info: ClientInfo): void;
  /** Someone unsubscribed from the channel. */
  onLeave(channel: string, info: ClientInfo): void;
}

/** PUB/SUB + history. Every method may reject with an EngineError. */
export interface Broker {
  /** False for brokers without history (NATS): `history()` rejects with ClientErrors.NotAvailable. */
  readonly supportsHistory: boolean;
  /** Called once by `Node.run()`; from then on messages reach `handler`. */
  start(handler: BrokerEventHandler): Promise<void>;
  /** Node-level interest in a channel: called when the first local subscriber arrives. */
  subscribe(channel: string): Promise<void>;
  /** Called when the last local subscriber leaves. */
  unsubscribe(channel: string): Promise<void>;
  /** Deliver to every node at most once; with `options.history`, append and publish atomically. */
  publish(channel: string, data: Uint8Array, options: PublishOptions): Promise<PublishResult>;
  publishJoin(channel: string, info: ClientInfo): Promise<void>;
  publishLeave(channel: string, info: ClientInfo): Promise<void>;
  history(channel: string, options: HistoryOptions): Promise<HistoryResult>;
  /** Drops stored publications, keeping top offset and epoch. */
  removeHistory(channel: string): Promise<void>;
  /** Idempotent; releases timers and connections. */
  close(): Promise<void>;
}
