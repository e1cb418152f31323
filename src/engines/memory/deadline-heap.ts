/** @module engines/memory/deadline-heap — a binary min-heap ordered by deadline, for expiry sweeps. */

/** Anything with a deadline in clock milliseconds. */
export interface Deadline {
  readonly at: number;
}

/** Min-heap on `at`: the sweep pops due entries in O(log n) each instead of scanning everything. */
export class DeadlineHeap<T extends Deadline> {
  readonly #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    const items = this.#items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (p.at <= item.at) break;
      items[i] = p;
      i = parent;
    }
    items[i] = item;
  }

  /** The earliest entry without removing it. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Removes and returns the earliest entry. */
  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    const n = items.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && items[r]!.at < items[l]!.at ? r : l;
      const child = items[c]!;
      if (child.at >= last.at) break;
      items[i] = child;
      i = c;
    }
    items[i] = last;
    return top;
  }

  clear(): void {
    this.#items.length = 0;
  }
}
