/**
 * @module core/flush-scheduler — coalesces every connection's writes per event-loop turn.
 *
 * Enqueueing a message marks its connection dirty; one `setImmediate` per turn (not one per
 * connection) flushes dirty connections, so a burst of publications in one turn costs each
 * connection a single transport write. One 100-byte loopback send costs ~6 µs here, so writing
 * many messages per syscall is the main lever of fan-out throughput.
 *
 * A large batch is flushed in slices of {@link DEFAULT_SLICE} connections, one slice per
 * check phase, so the event loop polls for I/O between slices. A publication that arrives while a
 * fan-out is still being written is queued behind the earlier one on every connection not yet
 * flushed, and both go out in one write: when writes are the bottleneck (a saturated core) the
 * number of syscalls per delivery drops by itself instead of a backlog building up. Below
 * saturation a slice is a fraction of a millisecond and nothing changes.
 */

/** Something with pending output. */
export interface Flushable {
  /** Writes everything queued. Must not throw. */
  flush(): void;
}

/** Connections flushed per check phase before the loop polls for I/O again. */
const DEFAULT_SLICE = 64;

export class FlushScheduler {
  /** Marked since the current batch started; flushed after it. */
  #dirty: Flushable[] = [];
  /** The batch being flushed, slice by slice. */
  #batch: Flushable[] = [];
  #pos = 0;
  #scheduled = false;
  readonly #slice: number;
  readonly #schedule: (run: () => void) => void;

  /**
   * @param slice connections flushed per turn before yielding to I/O.
   * @param schedule how the next slice is scheduled (`setImmediate`; injectable for tests).
   */
  constructor(slice = DEFAULT_SLICE, schedule: (run: () => void) => void = setImmediate) {
    this.#slice = Math.max(1, slice);
    this.#schedule = schedule;
  }

  readonly #run = (): void => {
    this.#scheduled = false;
    if (this.#pos >= this.#batch.length) {
      // Start the next batch: everything marked so far.
      const next = this.#dirty;
      this.#dirty = this.#batch;
      this.#batch = next;
      this.#pos = 0;
    }
    const batch = this.#batch;
    const end = Math.min(batch.length, this.#pos + this.#slice);
    while (this.#pos < end) batch[this.#pos++]!.flush();
    if (this.#pos >= batch.length) {
      batch.length = 0;
      this.#pos = 0;
    }
    if (batch.length > 0 || this.#dirty.length > 0) this.#arm();
  };

  #arm(): void {
    if (!this.#scheduled) {
      this.#scheduled = true;
      this.#schedule(this.#run);
    }
  }

  /** Marks `f` dirty; the caller guarantees it is marked at most once per flush. */
  mark(f: Flushable): void {
    this.#dirty.push(f);
    this.#arm();
  }

  /** Connections waiting for a flush. */
  get pending(): number {
    return this.#batch.length - this.#pos + this.#dirty.length;
  }
}

/** The process-wide scheduler: one per process keeps all connections in one batch. */
export const flushScheduler = new FlushScheduler();
