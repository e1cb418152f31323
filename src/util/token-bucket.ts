/**
 * @module util/token-bucket — the connection rate limit's bucket, as Centrifugo's
 * `client_connection_rate_limit` (`golang.org/x/time/rate` with burst = rate): it starts full with
 * `rate` tokens, refills continuously at `rate` per second up to `rate`, and each take removes one.
 */

export class TokenBucket {
  readonly #rate: number;
  readonly #now: () => number;
  #tokens: number;
  #refilledAt: number;

  /** `ratePerSec` > 0; `now` gives milliseconds. */
  constructor(ratePerSec: number, now: () => number) {
    this.#rate = ratePerSec;
    this.#now = now;
    this.#tokens = ratePerSec;
    this.#refilledAt = now();
  }

  /** Takes one token; false (nothing taken) when the bucket holds less than one. */
  take(): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#rate, this.#tokens + ((now - this.#refilledAt) / 1000) * this.#rate);
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
