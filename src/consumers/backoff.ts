/** @module consumers/backoff — retry pacing for consumers: capped exponential backoff with jitter, abortable sleeps, a wake-up latch. */

/** Exponential backoff: 50 ms doubling up to `maxMs`, each step jittered to 50–100 % of its value. */
export class Backoff {
  #attempt = 0;

  constructor(
    readonly minMs = 50,
    readonly maxMs = 5000,
  ) {}

  /** Delay before the next retry. */
  next(): number {
    const base = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.#attempt, 20));
    this.#attempt++;
    return Math.round(base / 2 + (Math.random() * base) / 2);
  }

  reset(): void {
    this.#attempt = 0;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * A one-slot wake-up: `wake()` ends the current `wait()` early, or — when nobody waits — makes the next
 * `wait()` return at once (a notification arriving mid-batch is not lost).
 */
export class Waker {
  #pending = false;
  #resolve: (() => void) | undefined;

  wake(): void {
    if (this.#resolve !== undefined) {
      const r = this.#resolve;
      this.#resolve = undefined;
      r();
    } else {
      this.#pending = true;
    }
  }

  /** Waits for `wake()`, `ms` or abort, whichever comes first. */
  wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.#pending || signal.aborted) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#resolve = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.#resolve = done;
    });
  }
}
