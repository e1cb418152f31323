/**
 * @module core/timer-wheel — one shared ticker for every connection's deadlines.
 *
 * Each connection keeps a single "next due" time (the earliest of stale, ping, pong, expiry and
 * presence ticks, Centrifugo's connection states and timers) and registers it here; a single interval timer fires due entries.
 * This keeps per-connection memory to one set entry (plus a number on the target) instead of
 * several Node.js timers.
 */
import type { Clock } from './clock.js';

export interface TimerTarget {
  /** Called when the registered due time has passed; the target re-registers if it wants more. */
  onTimer(nowMs: number): void;
  /**
   * The wheel's bookkeeping: the bucket the target is in, undefined when not scheduled. Kept on the
   * target rather than in a Map of the wheel (one entry less per connection). Only the wheel writes
   * it; a target is scheduled on one wheel at a time.
   */
  timerBucket?: number | undefined;
}

export class TimerWheel {
  readonly #clock: Clock;
  readonly #resolutionMs: number;
  /** bucket index → targets due in that bucket */
  readonly #buckets = new Map<number, Set<TimerTarget>>();
  /** Targets scheduled. */
  #size = 0;
  #timer: NodeJS.Timeout | undefined;
  #lastBucket: number;

  constructor(clock: Clock, resolutionMs = 100) {
    this.#clock = clock;
    this.#resolutionMs = resolutionMs;
    this.#lastBucket = Math.floor(clock.now() / resolutionMs);
  }

  /** Registers (or moves) `target` to fire at `atMs`. */
  schedule(target: TimerTarget, atMs: number): void {
    if (this.#size === 0) this.#lastBucket = Math.floor(this.#clock.now() / this.#resolutionMs);
    const bucket = Math.max(Math.ceil(atMs / this.#resolutionMs), this.#lastBucket + 1);
    const prev = target.timerBucket;
    if (prev === bucket) return;
    if (prev !== undefined) this.#detach(target, prev);
    let set = this.#buckets.get(bucket);
    if (set === undefined) {
      set = new Set();
      this.#buckets.set(bucket, set);
    }
    set.add(target);
    target.timerBucket = bucket;
    this.#size++;
    this.#ensureRunning();
  }

  cancel(target: TimerTarget): void {
    const prev = target.timerBucket;
    if (prev !== undefined) this.#detach(target, prev);
  }

  get size(): number {
    return this.#size;
  }

  /** Fires everything due now; exposed for tests with a manual clock. */
  tick(): void {
    const now = this.#clock.now();
    const current = Math.floor(now / this.#resolutionMs);
    const due: number[] = [];
    if (current - this.#lastBucket <= this.#buckets.size) {
      for (let b = this.#lastBucket + 1; b <= current; b++) if (this.#buckets.has(b)) due.push(b);
    } else {
      for (const b of this.#buckets.keys()) if (b <= current) due.push(b);
      due.sort((x, y) => x - y);
    }
    for (const b of due) {
      const set = this.#buckets.get(b);
      if (set === undefined) continue;
      this.#buckets.delete(b);
      this.#size -= set.size;
      for (const t of set) t.timerBucket = undefined;
      for (const t of set) t.onTimer(now);
    }
    this.#lastBucket = current;
    if (this.#size === 0) this.stop();
  }

  stop(): void {
    if (this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  #detach(target: TimerTarget, bucket: number): void {
    const set = this.#buckets.get(bucket);
    if (set !== undefined && set.delete(target)) {
      this.#size--;
      if (set.size === 0) this.#buckets.delete(bucket);
    }
    target.timerBucket = undefined;
  }

  #ensureRunning(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.tick(), this.#resolutionMs);
    this.#timer.unref();
  }
}
