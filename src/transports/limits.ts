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
 *
 * One process answers at once from its own counts ({@link ConnectionLimiter}). The workers of
 * `rotor serve --workers N` share one count kept elsewhere (the primary): their limiter
 * ({@link SharedConnectionLimiter}) answers with a promise, and a connection it admits holds a slot
 * until it closes ({@link whenAdmitted}).
 */
import type { ServerResponse } from 'node:http';
import { systemClock, type Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { TokenBucket } from '../util/token-bucket.js';

/** What the WebSocket and HTTP-streaming endpoints apply to a connection request before accepting it. */
export interface ConnectionAdmission {
  /** `client_user_id_http_header`: take the user id from this request header. */
  readonly userIdHeader?: string | undefined;
  /** `client_connection_limit` / `client_connection_rate_limit`. */
  readonly limiter?: ConnectionLimits | undefined;
}

/** What the transports ask before a new connection. */
export interface ConnectionLimits {
  readonly enabled: boolean;
  /** Connections refused by the connection limit (not the rate limit) so far (the metric reads it). */
  readonly refusedByLimit: number;
  /**
   * True / false when the answer is known at once; otherwise a promise of it, and a connection it
   * admits holds a slot that `release()` gives back (see {@link whenAdmitted}).
   */
  allow(): boolean | Promise<boolean>;
  release(): void;
}

/** Warns at most every 3 s. */
class ThrottledWarning {
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #fields: Record<string, number>;
  #warnedAt = Number.NEGATIVE_INFINITY;

  constructor(logger: Logger, clock: Clock, fields: Record<string, number>) {
    this.#logger = logger;
    this.#clock = clock;
    this.#fields = fields;
  }

  warn(message: string): void {
    const now = this.#clock.now();
    if (now - this.#warnedAt < 3000) return;
    this.#warnedAt = now;
    this.#logger.warn(message, this.#fields);
  }
}

interface LimiterOptions {
  clock?: Clock | undefined;
  /** Told about every connection refused by the limit (the metric). */
  onRefused?: () => void;
}

/** The limits of one process, from its own connection count: answers at once, holds nothing. */
export class ConnectionLimiter implements ConnectionLimits {
  readonly #limit: number;
  readonly #count: () => number;
  readonly #bucket: TokenBucket | undefined;
  readonly #warning: ThrottledWarning;
  readonly #onRefused: (() => void) | undefined;
  readonly enabled: boolean;
  refusedByLimit = 0;

  /** `limit` / `ratePerSec` 0 = unlimited; `count` reads the node's current connections. */
  constructor(limit: number, ratePerSec: number, count: () => number, logger: Logger, options: LimiterOptions = {}) {
    const clock = options.clock ?? systemClock;
    this.#limit = limit;
    this.#count = count;
    this.#bucket = ratePerSec > 0 ? new TokenBucket(ratePerSec, () => clock.now()) : undefined;
    this.#warning = new ThrottledWarning(logger, clock, { limit, rate: ratePerSec });
    this.#onRefused = options.onRefused;
    this.enabled = limit > 0 || ratePerSec > 0;
  }

  /** True when a new connection may proceed. */
  allow(): boolean {
    if (this.#limit > 0 && this.#count() >= this.#limit) {
      this.refusedByLimit++;
      this.#onRefused?.();
      this.#warning.warn('node connection limit reached');
      return false;
    }
    if (this.#bucket !== undefined && !this.#bucket.take()) {
      this.#warning.warn('node connection rate limit reached');
      return false;
    }
    return true;
  }

  release(): void {}
}

/** Where a shared limiter reserves its slots (the primary of `--workers N`). */
export interface ConnectionSlots {
  /** 'ok' reserves a slot until `release()`; 'limit' / 'rate' name the limit that refused. */
  admit(): Promise<'ok' | 'limit' | 'rate'>;
  release(): void;
}

/** The limits counted for a group of processes by `slots`: every answer is a promise. */
export class SharedConnectionLimiter implements ConnectionLimits {
  readonly #slots: ConnectionSlots;
  readonly #warning: ThrottledWarning;
  readonly #onRefused: (() => void) | undefined;
  readonly enabled = true;
  refusedByLimit = 0;

  constructor(slots: ConnectionSlots, limit: number, ratePerSec: number, logger: Logger, options: LimiterOptions = {}) {
    this.#slots = slots;
    this.#warning = new ThrottledWarning(logger, options.clock ?? systemClock, { limit, rate: ratePerSec });
    this.#onRefused = options.onRefused;
  }

  async allow(): Promise<boolean> {
    const verdict = await this.#slots.admit();
    if (verdict === 'ok') return true;
    if (verdict === 'limit') {
      this.refusedByLimit++;
      this.#onRefused?.();
      this.#warning.warn('node connection limit reached');
    } else {
      this.#warning.warn('node connection rate limit reached');
    }
    return false;
  }

  release(): void {
    this.#slots.release();
  }
}

/**
 * Waits for a pending verdict on a new connection. `onGone` registers a callback for the end of the
 * resource that holds the connection (the socket, the response, the GRPC call); it may call it more
 * than once. Admitted: `admitted` runs, and the slot goes back when the resource ends, or at once if
 * it already ended while waiting. Refused or failed (the primary is gone): `refused` runs, unless
 * the resource already ended.
 */
export function whenAdmitted(
  verdict: Promise<boolean>,
  limits: ConnectionLimits,
  onGone: (gone: () => void) => void,
  admitted: () => void,
  refused: () => void,
): void {
  let ended = false;
  let held = false;
  onGone(() => {
    if (ended) return;
    ended = true;
    if (held) limits.release();
  });
  verdict.then(
    (ok) => {
      if (!ok) {
        if (!ended) refused();
        return;
      }
      if (ended) return limits.release();
      held = true;
      admitted();
    },
    () => {
      if (!ended) refused();
    },
  );
}

/** The raw HTTP 503 written on a socket about to be upgraded. */
export const UPGRADE_503 = 'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 20\r\nConnection: close\r\n\r\nService Unavailable\n';

/** 503 on a plain HTTP connection endpoint (as Go's `http.Error`). */
export function answerUnavailable(res: ServerResponse): void {
  res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end('Service Unavailable\n');
}
