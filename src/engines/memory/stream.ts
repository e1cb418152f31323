/**
 * @module engines/memory/stream — one channel's history stream: top offset, epoch and the retained
 * publications, which always hold the contiguous offsets `top - length + 1 … top`.
 */
import type { Publication } from '../../core/types.js';
import { generateEpoch } from './epoch.js';
import { RingBuffer } from './ring-buffer.js';

/** A history query already validated by the broker. */
export interface StreamQuery {
  /** Offset from `since`, or undefined for "from the start/end". */
  readonly sinceOffset: number | undefined;
  /** < 0 = unlimited, 0 = none, > 0 = at most this many. */
  readonly limit: number;
  readonly reverse: boolean;
}

/** Stream state plus the deadlines the broker maintains. */
export class HistoryStream {
  readonly channel: string;
  readonly epoch: string;
  /** Offset of the last publication ever appended (0 = none yet). */
  top = 0;
  /** When the retained items expire (history_ttl); 0 = no items to expire. */
  expireAt = 0;
  /** When the whole stream (top + epoch) is forgotten (history meta TTL). */
  removeAt: number;
  /** Deadline of this stream's pending sweep entry; 0 = not scheduled. */
  scheduledAt = 0;
  readonly #items = new RingBuffer<Publication>();

  constructor(channel: string, removeAt: number, epoch: string = generateEpoch()) {
    this.channel = channel;
    this.removeAt = removeAt;
    this.epoch = epoch;
  }

  get length(): number {
    return this.#items.length;
  }

  /** The newest retained publication. */
  last(): Publication | undefined {
    return this.#items.last();
  }

  /** Appends `pub` (whose offset must be `top + 1`), keeping at most `size` items. */
  append(pub: Publication, size: number): void {
    while (this.#items.length >= size && this.#items.length > 0) this.#items.shift();
    this.#items.push(pub);
    this.top = pub.offset;
  }

  /** Drops the items, keeping top and epoch. */
  clearItems(): void {
    this.#items.clear();
    this.expireAt = 0;
  }

  /** Earliest moment the sweep has something to do for this stream. */
  nextDeadline(): number {
    return this.expireAt !== 0 && this.#items.length > 0 ? Math.min(this.expireAt, this.removeAt) : this.removeAt;
  }

  /** Retained publications selected by `q`, as a new array (see HistoryOptions for the semantics). */
  read(q: StreamQuery): Publication[] {
    const len = this.#items.length;
    if (q.limit === 0 || len === 0) return [];
    const oldest = this.top - len + 1;
    let from: number; // first offset to return, in iteration order
    let count: number;
    if (!q.reverse) {
      from = q.sinceOffset === undefined ? oldest : Math.max(q.sinceOffset + 1, oldest);
      count = this.top - from + 1;
    } else {
      from = q.sinceOffset === undefined ? this.top : Math.min(q.sinceOffset - 1, this.top);
      count = from - oldest + 1;
    }
    if (count <= 0) return [];
    if (q.limit > 0 && q.limit < count) count = q.limit;
    const out = new Array<Publication>(count);
    const base = from - oldest;
    const step = q.reverse ? -1 : 1;
    for (let i = 0; i < count; i++) out[i] = this.#items.at(base + i * step)!;
    return out;
  }
}
