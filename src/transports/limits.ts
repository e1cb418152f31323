/**
 * @module transports/limits — `client_connection_limit` / `client_connection_rate_limit`: refuse new
 * connections with HTTP 503 before the upgrade or the stream starts (spec §15, §16).
 */
import type { Logger } from '../core/logger.js';

export class ConnectionLimiter {
  readonly #limit: number;
  readonly #ratePerSec: number;
  readonly #count: () => number;
  readonly #logger: Logger;
  #tokens: number;
  #refilledAt = Date.now();
  #warnedAt = 0;
  /** Connections refused by the connection limit (not the rate limit) so far. */
  refusedByLimit = 0;

  /** `limit` / `ratePerSec` 0 = unlimited; `count` reads the node's current connections. */
  constructor(limit: number, ratePerSec: number, count: () => number, logger: Logger) {
    this.#limit = limit;
    this.#ratePerSec = ratePerSec;
    this.#count = count;
    this.#logger = logger;
    this.#tokens = ratePerSec;
  }

  get enabled(): boolean {
    return this.#limit > 0 || this.#ratePerSec > 0;
  }

  /** True when a new connection may proceed. */
  allow(): boolean {
    if (this.#limit > 0 && this.#count() >= this.#limit) {
      this.refusedByLimit++;
      this.#warn('node connection limit reached');
      return false;
    }
    if (this.#ratePerSec > 0) {
      const now = Date.now();
      this.#tokens = Math.min(this.#ratePerSec, this.#tokens + ((now - this.#refilledAt) / 1000) * this.#ratePerSec);
      this.#refilledAt = now;
      if (this.#tokens < 1) {
        this.#warn('node connection rate limit reached');
        return false;
      }
      this.#tokens -= 1;
    }
    return true;
  }

  #warn(message: string): void {
    const now = Date.now();
    if (now - this.#warnedAt < 3000) return;
    this.#warnedAt = now;
    this.#logger.warn(message, { limit: this.#limit, rate: this.#ratePerSec });
  }
}

/** The raw HTTP 503 written on a socket about to be upgraded. */
export const UPGRADE_503 = 'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 20\r\nConnection: close\r\n\r\nService Unavailable\n';
