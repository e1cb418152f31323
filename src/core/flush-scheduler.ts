/**
 * @module core/flush-scheduler — coalesces every connection's writes per event-loop turn.
 *
 * Enqueueing a message marks its connection dirty; one `setImmediate` per turn (not one per
 * connection) flushes all dirty connections, so a burst of publications in one turn costs each
 * connection a single transport write. One 100-byte loopback send costs ~6 µs here, so writing
 * many messages per syscall is the main lever of fan-out throughput.
 */

/** Something with pending output. */
export interface Flushable {
  /** Writes everything queued. Must not throw. */
  flush(): void;
}

export class FlushScheduler {
  #dirty: Flushable[] = [];
  #spare: Flushable[] = [];
  #scheduled = false;
  readonly #run = (): void => {
    this.#scheduled = false;
    const batch = this.#dirty;
    this.#dirty = this.#spare;
    for (let i = 0; i < batch.length; i++) batch[i]!.flush();
    batch.length = 0;
    this.#spare = batch;
  };

  /** Marks `f` dirty; the caller guarantees it is marked at most once per flush. */
  mark(f: Flushable): void {
    this.#dirty.push(f);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#run);
    }
  }

  /** Flushes immediately (used before closing). */
  flushNow(): void {
    if (this.#dirty.length > 0) this.#run();
  }
}

/** The process-wide scheduler: one per process keeps all connections in one batch. */
export const flushScheduler = new FlushScheduler();
