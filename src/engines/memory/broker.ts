/**
 * @module engines/memory/broker — single-node Broker: delivers straight to the local node and keeps
 * history streams (size, TTL, meta TTL) and the idempotency cache in process memory.
 *
 * All time comes from the injected Clock. Expiry is checked lazily on every access, so reads are correct
 * even if the sweep timer never ran; the timer only reclaims memory of streams nobody touches.
 */
import {
  historyBrokerTtls,
  type Broker,
  type BrokerEventHandler,
  type HistoryBrokerOptions,
  type HistoryOptions,
  type HistoryResult,
  type PublishOptions,
  type PublishResult,
} from '../../core/broker.js';
import { positiveOr } from '../../util/positive.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { ClientError, ClientErrors, EngineError } from '../../core/errors.js';
import type { ClientInfo, Publication, StreamPosition } from '../../core/types.js';
import { DeadlineHeap } from './deadline-heap.js';
import { IdempotencyCache } from './idempotency-cache.js';
import { HistoryStream } from './stream.js';

/** Options of `MemoryBroker`. */
export interface MemoryBrokerOptions extends HistoryBrokerOptions {
  /** Period of the memory-reclaiming sweep; 0 disables the timer (call `sweep()` by hand). @default 1000 */
  readonly sweepIntervalMs?: number | undefined;
}

/** Counters for tests and diagnostics. */
export interface MemoryBrokerStats {
  readonly streams: number;
  readonly publications: number;
  readonly idempotentResults: number;
}

const ZERO_POSITION: StreamPosition = Object.freeze({ offset: 0, epoch: '' });
const ZERO_RESULT: PublishResult = Object.freeze({ position: ZERO_POSITION, suppressed: false });

interface ScheduledStream {
  readonly at: number;
  readonly stream: HistoryStream;
}

/** In-process Broker; `supportsHistory` is true. */
export class MemoryBroker implements Broker {
  readonly supportsHistory = true;
  readonly nodeId: string;
  readonly #clock: Clock;
  readonly #resultTtlMs: number;
  readonly #metaTtlMs: number;
  readonly #streams = new Map<string, HistoryStream>();
  readonly #schedule = new DeadlineHeap<ScheduledStream>();
  readonly #idempotency = new IdempotencyCache();
  #handler: BrokerEventHandler | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: MemoryBrokerOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.nodeId = options.nodeId ?? '';
    ({ resultTtlMs: this.#resultTtlMs, metaTtlMs: this.#metaTtlMs } = historyBrokerTtls(options));
    const interval = options.sweepIntervalMs ?? 1000;
    if (interval > 0) {
      this.#timer = setInterval(() => this.sweep(), interval);
      this.#timer.unref();
    }
  }

  async start(handler: BrokerEventHandler): Promise<void> {
    this.#assertOpen();
    this.#handler = handler;
  }

  /** Every publication reaches the local node anyway; interest needs no bookkeeping. */
  async subscribe(_channel: string): Promise<void> {}

  async unsubscribe(_channel: string): Promise<void> {}

  async publish(channel: string, data: Uint8Array, options: PublishOptions): Promise<PublishResult> {
    this.#assertOpen();
    const now = this.#clock.now();
    const key = options.idempotencyKey;
    const idempotent = key !== undefined && key !== '';
    if (idempotent) {
      const cached = this.#idempotency.get(channel, key, now);
      if (cached !== undefined) return { position: cached, suppressed: true };
    }
    const h = options.history;
    if (h === undefined || !(h.size > 0 && h.ttlMs > 0)) {
      const pub: Publication = {
        offset: 0,
        data,
        info: options.clientInfo,
        tags: options.tags,
        timeMs: now,
        delta: options.delta,
      };
      if (idempotent) this.#idempotency.set(channel, key, ZERO_POSITION, now + this.#resultTtl(options));
      this.#handler?.onPublication(channel, pub, ZERO_POSITION);
      return ZERO_RESULT;
    }

    const stream = this.#touch(channel, now, h.metaTtlMs);
    const prev = options.delta === true ? stream.last() : undefined;
    const pub: Publication = {
      offset: stream.top + 1,
      data,
      info: options.clientInfo,
      tags: options.tags,
      timeMs: now,
      delta: options.delta,
    };
    stream.append(pub, h.size);
    stream.expireAt = now + h.ttlMs;
    this.#scheduleSweep(stream);
    const position: StreamPosition = { offset: pub.offset, epoch: stream.epoch };
    if (idempotent) this.#idempotency.set(channel, key, position, now + this.#resultTtl(options));
    if (prev === undefined) this.#handler?.onPublication(channel, pub, position);
    else this.#handler?.onPublication(channel, pub, position, prev);
    return { position, suppressed: false };
  }

  async publishJoin(channel: string, info: ClientInfo): Promise<void> {
    this.#assertOpen();
    this.#handler?.onJoin(channel, info);
  }

  async publishLeave(channel: string, info: ClientInfo): Promise<void> {
    this.#assertOpen();
    this.#handler?.onLeave(channel, info);
  }

  async history(channel: string, options: HistoryOptions): Promise<HistoryResult> {
    this.#assertOpen();
    const since = options.since;
    const badSince = since !== undefined && (!Number.isSafeInteger(since.offset) || (options.reverse && since.offset === 0));
    if (badSince || !Number.isSafeInteger(options.limit)) throw new ClientError(ClientErrors.BadRequest);
    const stream = this.#touch(channel, this.#clock.now(), options.metaTtlMs);
    this.#scheduleSweep(stream);
    const publications = stream.read({ sinceOffset: since?.offset, limit: options.limit, reverse: options.reverse });
    return { publications, position: { offset: stream.top, epoch: stream.epoch } };
  }

  async removeHistory(channel: string): Promise<void> {
    this.#assertOpen();
    const stream = this.#live(channel, this.#clock.now());
    stream?.clearItems();
  }

  /** Reclaims memory of expired streams, stream items and idempotency results. Safe to call any time. */
  sweep(): void {
    const now = this.#clock.now();
    this.#idempotency.sweep(now);
    for (let s = this.#schedule.peek(); s !== undefined && s.at <= now; s = this.#schedule.peek()) {
      this.#schedule.pop();
      const stream = s.stream;
      if (stream.scheduledAt !== s.at) continue; // superseded by an earlier entry
      stream.scheduledAt = 0;
      // #live applied every expiry due at `now`, so the next deadline lies in the future.
      if (this.#live(stream.channel, now) === stream && stream.nextDeadline() > now) this.#scheduleSweep(stream);
    }
  }

  /** Sizes of the in-memory state. */
  stats(): MemoryBrokerStats {
    let publications = 0;
    for (const s of this.#streams.values()) publications += s.length;
    return { streams: this.#streams.size, publications, idempotentResults: this.#idempotency.size };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#handler = undefined;
    this.#streams.clear();
    this.#schedule.clear();
    this.#idempotency.clear();
  }

  /** The channel's stream after applying expiries due at `now`, or undefined. */
  #live(channel: string, now: number): HistoryStream | undefined {
    const stream = this.#streams.get(channel);
    if (stream === undefined) return undefined;
    if (stream.removeAt <= now) {
      this.#streams.delete(channel);
      return undefined;
    }
    if (stream.expireAt !== 0 && stream.expireAt <= now) stream.clearItems();
    return stream;
  }

  /** The live stream (created when missing) with its meta TTL extended. */
  #touch(channel: string, now: number, metaTtlMs: number): HistoryStream {
    const removeAt = now + (metaTtlMs > 0 ? metaTtlMs : this.#metaTtlMs);
    let stream = this.#live(channel, now);
    if (stream === undefined) {
      stream = new HistoryStream(channel, removeAt);
      this.#streams.set(channel, stream);
    } else {
      stream.removeAt = removeAt;
    }
    return stream;
  }

  /** Makes sure the sweep visits `stream` no later than its next deadline. */
  #scheduleSweep(stream: HistoryStream): void {
    const at = stream.nextDeadline();
    if (stream.scheduledAt !== 0 && stream.scheduledAt <= at) return;
    stream.scheduledAt = at;
    this.#schedule.push({ at, stream });
  }

  #resultTtl(options: PublishOptions): number {
    return positiveOr(options.idempotentResultTtlMs, this.#resultTtlMs);
  }

  #assertOpen(): void {
    if (this.#closed) throw new EngineError('memory broker is closed');
  }
}

