/** @module engines/memory/ring-buffer — a growable FIFO ring with O(1) push, shift and indexed access. */

/** Items are addressed by position from the oldest (0) to the newest (`length - 1`). */
export class RingBuffer<T> {
  #buf: (T | undefined)[] = [];
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** Appends at the newest end, doubling the storage when full. */
  push(item: T): void {
    if (this.#length === this.#buf.length) this.#grow();
    this.#buf[(this.#head + this.#length) % this.#buf.length] = item;
    this.#length++;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#buf[this.#head];
    this.#buf[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#buf.length;
    this.#length--;
    return item;
  }

  /** The item at position `i` (0 = oldest), or undefined when out of range. */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.#length) return undefined;
    return this.#buf[(this.#head + i) % this.#buf.length];
  }

  /** The newest item. */
  last(): T | undefined {
    return this.at(this.#length - 1);
  }

  /** Drops every item and releases the storage. */
  clear(): void {
    this.#buf = [];
    this.#head = 0;
    this.#length = 0;
  }

  #grow(): void {
    const next = new Array<T | undefined>(Math.max(4, this.#buf.length * 2));
    for (let i = 0; i < this.#length; i++) next[i] = this.#buf[(this.#head + i) % this.#buf.length];
    this.#buf = next;
    this.#head = 0;
  }
}
