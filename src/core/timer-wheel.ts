/**
 * @module core/timer-wheel — one shared ticker for every connection's deadlines.
 *
 * Each connection keeps a single "next due" time (the earliest of stale, ping, pong, expiry and
 * presence ticks, spec §6.1) and registers it here; a single interval timer fires due entries.
 * This keeps per-connection memory to one map entry instead of several Node.js timers.
 */
import type { Clock } from './clock.js';

export interface TimerTarget {
  /** Called when the registered due time has passed; the target re-registers if it wants more. */
  onTimer(nowMs: number): void;
}

export class TimerWheel {
  readonly #clock: Clock;
  readonly #resolutionMs: number;
  /** bucket index → targets due in that bucket */
  readonly #buckets = new Map<number, Set<TimerTarget>>();
  /** target → its bucket index */
  readonly #where = new Map<TimerTarget, number>();
  #timer: NodeJS.Timeout | undefined;
  #lastBucket: number;

  constructor(clock: Clock, resolutionMs = 100) {
    this.#clock = clock;
    this.#resolutionMs = resolutionMs;
    this.#lastBucket = Math.floor(clock.now() / resolutionMs);
  }

  /** Registers (or moves) `target` to fire at `atMs`. */
  schedule(target: TimerTarget, atMs: number): void {
    if (this.#where.size === 0) this.#lastBucket = Math.floor(this.#clock.now() / this.#resolutionMs);
    const bucket = Math.max(Math.ceil(atMs / this.#resolutionMs), this.#lastBucket + 1);
    const prev = this.#where.get(target);
    if (prev === bucket) return;
    if (prev !== undefined) this.#detach(target, prev);
    let set = this.#buckets.get(bucket);
    if (set === undefined) {
      set = new Set();
      this.#buckets.set(bucket, set);
    }
    set.add(target);
    this.#where.set(target, bucket);
    this.#ensureRunning();
  }

  cancel(target: TimerTarget): void {
    const prev = this.#where.get(target);
    if (prev !== undefined) this.#detach(target, prev);
  }

  get size(): number {
    return this.#where.size;
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
      for (const t of set) {
        this.#where.delete(t);
        t.onTimer(now);
      }
    }
    this.#lastBucket = current;
    if (this.#where.size === 0) this.stop();
  }

  stop(): void {
    if (this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  #detach(target: TimerTarget, bucket: number): void {
    const set = this.#buckets.get(bucket);
    if (set !== undefined) {
      set.delete(target);
      if (set.size === 0) this.#buckets.delete(bucket);
    }
    this.#where.delete(target);
  }

  #ensureRunning(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.tick(), this.#resolutionMs);
    this.#timer.unref();
  }
}
