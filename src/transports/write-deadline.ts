/**
 * @module transports/write-deadline — `websocket_write_timeout` / `uni_websocket_write_timeout`: a
 * write that has not drained within the timeout closes the connection (Centrifugo: write timeout per
 * frame, failure → 3009 "write error", Centrifugo's WebSocket transport).
 *
 * Node sockets never block a write: what the kernel does not take waits in the socket's own buffer.
 * So the hot path only looks, after its one write per flush, whether something is still pending
 * there (`Socket.writableLength`, a field read) and if so hands the connection to this watch. One
 * timer per endpoint, running only while some connection has pending output, checks each watched
 * connection: output gone → forgotten; a write completed since the last look → progress, deadline
 * moved; no write completed for `timeoutMs` → `onWriteTimeout()`. No timer or closure per write.
 */
import type { Socket } from 'node:net';

/** A connection whose output can be watched. */
export interface WriteWatched {
  /** The socket under the connection (pending and completed bytes are read from it). */
  readonly watchedSocket: Socket;
  /** Called once when a write has not completed within the timeout; the connection must close. */
  onWriteTimeout(): void;
}

interface WatchState {
  /** When the watch last saw progress (or started). */
  since: number;
  /** Bytes whose writes had completed at that moment. */
  completed: number;
}

/** Bytes whose writes have completed: dispatched + still buffered, minus everything not yet called back. */
function completedBytes(s: Socket): number {
  return s.bytesWritten - s.writableLength;
}

/** Shortest check interval; the check runs at timeout/4 so a stall is noticed within 1.25 × timeout. */
const MIN_CHECK_MS = 10;

export class WriteDeadlines {
  readonly timeoutMs: number;
  readonly #watched = new Map<WriteWatched, WatchState>();
  #timer: NodeJS.Timeout | undefined;
  readonly #now: () => number;

  /** `timeoutMs` ≤ 0 turns the watch off. */
  constructor(timeoutMs: number, now: () => number = Date.now) {
    this.timeoutMs = timeoutMs;
    this.#now = now;
  }

  /** After a write: starts watching `c` when its socket still holds unwritten output. Cheap when it does not. */
  afterWrite(c: WriteWatched): void {
    if (this.timeoutMs <= 0 || c.watchedSocket.writableLength === 0 || this.#watched.has(c)) return;
    this.#watched.set(c, { since: this.#now(), completed: completedBytes(c.watchedSocket) });
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.check(), Math.max(MIN_CHECK_MS, Math.floor(this.timeoutMs / 4)));
      this.#timer.unref();
    }
  }

  /** Connections currently watched (for tests and metrics). */
  get size(): number {
    return this.#watched.size;
  }

  /** One pass over the watched connections (the timer's work; public for tests). */
  check(): void {
    const now = this.#now();
    for (const [c, st] of this.#watched) {
      const s = c.watchedSocket;
      if (s.destroyed || s.writableLength === 0) {
        this.#watched.delete(c);
        continue;
      }
      const done = completedBytes(s);
      if (done > st.completed) {
        st.completed = done;
        st.since = now;
      } else if (now - st.since >= this.timeoutMs) {
        this.#watched.delete(c);
        c.onWriteTimeout();
      }
    }
    if (this.#watched.size === 0) this.stop();
  }

  /** Stops the timer (the endpoint closes, or nothing is pending). */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Forgets every connection and stops the timer. */
  close(): void {
    this.#watched.clear();
    this.stop();
  }
}
