/** @module engines/memory/idempotency-cache — publish results remembered per (channel, idempotency key). */
import type { StreamPosition } from '../../core/types.js';
import { DeadlineHeap } from './deadline-heap.js';

interface Entry {
  readonly position: StreamPosition;
  readonly at: number;
}

interface Scheduled {
  readonly at: number;
  readonly key: string;
  readonly entry: Entry;
}

/** Map of results with per-entry expiry; expired entries are invisible at once and reclaimed by `sweep`. */
export class IdempotencyCache {
  readonly #entries = new Map<string, Entry>();
  readonly #heap = new DeadlineHeap<Scheduled>();

  get size(): number {
    return this.#entries.size;
  }

  /** The cached position, unless absent or expired at `now`. */
  get(channel: string, key: string, now: number): StreamPosition | undefined {
    const k = cacheKey(channel, key);
    const entry = this.#entries.get(k);
    if (entry === undefined) return undefined;
    if (entry.at <= now) {
      this.#entries.delete(k);
      return undefined;
    }
    return entry.position;
  }

  set(channel: string, key: string, position: StreamPosition, expireAt: number): void {
    const k = cacheKey(channel, key);
    const entry: Entry = { position, at: expireAt };
    this.#entries.set(k, entry);
    this.#heap.push({ at: expireAt, key: k, entry });
  }

  /** Reclaims entries expired at `now`. */
  sweep(now: number): void {
    for (let s = this.#heap.peek(); s !== undefined && s.at <= now; s = this.#heap.peek()) {
      this.#heap.pop();
      if (this.#entries.get(s.key) === s.entry) this.#entries.delete(s.key);
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#heap.clear();
  }
}

/** Length-prefixed so that no (channel, key) pair can collide with another. */
function cacheKey(channel: string, key: string): string {
  return `${channel.length}:${channel}${key}`;
}
