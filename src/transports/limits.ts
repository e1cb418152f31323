/**
 * @module transports/limits — `client_connection_limit` / `client_connection_rate_limit`: refuse new
 * connections with HTTP 503 (GRPC `UNAVAILABLE` on uni_grpc) before the upgrade or the stream starts
 * (Centrifugo's server API middleware order, client connection keys). Applies to every connection transport: websocket, http_stream, sse,
 * uni_websocket, uni_sse, uni_http_stream, uni_grpc.
 *
 * The rate is a token bucket like Centrifugo's (`golang.org/x/time/rate` with burst = rate): it
 * starts full with `rate` tokens, refills continuously at `rate` per second up to `rate`, and each
 * new connection takes one token. So after a quiet second `rate` connections pass at once, then
 * one more every `1/rate` s.
 */
import type { ServerResponse } from 'node:http';
import { systemClock, type Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';

/** What the WebSocket and HTTP-streaming endpoints apply to a connection request before accepting it. */
export interface ConnectionAdmission {
  /** `client_user_id_http_header`: take the user id from this request header. */
  readonly userIdHeader?: string | undefined;
  /** `client_connection_limit` / `client_connection_rate_limit`. */
  readonly limiter?: ConnectionLimiter | undefined;
}

export class ConnectionLimiter {
  readonly #limit: number;
  readonly #ratePerSec: number;
  readonly #count: () => number;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #onRefused: (() => void) | undefined;
  #tokens: number;
  #refilledAt: number;
  #warnedAt = Number.NEGATIVE_INFINITY;
  /** Connections refused by the connection limit (not the rate limit) so far (the metric reads it). */
  refusedByLimit = 0;

  /**
   * `limit` / `ratePerSec` 0 = unlimited; `count` reads the node's current connections; `onRefused`
   * is told about every connection refused by the limit (the metric).
   */
  constructor(limit: number, ratePerSec: number, count: () => number, logger: Logger, options: { clock?: Clock | undefined; onRefused?: () => void } = {}) {
    this.#limit = limit;
    this.#ratePerSec = ratePerSec;
    this.#count = count;
    this.#logger = logger;
    this.#clock = options.clock ?? systemClock;
    this.#onRefused = options.onRefused;
    this.#tokens = ratePerSec;
    this.#refilledAt = this.#clock.now();
  }

  get enabled(): boolean {
    return this.#limit > 0 || this.#ratePerSec > 0;
  }

  /** True when a new connection may proceed. */
  allow(): boolean {
    if (this.#limit > 0 && this.#count() >= this.#limit) {
      this.refusedByLimit++;
      this.#onRefused?.();
      this.#warn('node connection limit reached');
      return false;
    }
    if (this.#ratePerSec > 0) {
      const now = this.#clock.now();
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
    const now = this.#clock.now();
    if (now - this.#warnedAt < 3000) return;
    this.#warnedAt = now;
    this.#logger.warn(message, { limit: this.#limit, rate: this.#ratePerSec });
  }
}

/** The raw HTTP 503 written on a socket about to be upgraded. */
export const UPGRADE_503 = 'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 20\r\nConnection: close\r\n\r\nService Unavailable\n';

/** 503 on a plain HTTP connection endpoint (as Go's `http.Error`). */
export function answerUnavailable(res: ServerResponse): void {
  res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end('Service Unavailable\n');
}
