/** @module proxy/transport — what a proxy call goes through (HTTP or GRPC), and its failure. */
import type { ProxyMessage, UnaryHook } from './codec.js';

/**
 * A proxy call failed below the application level: connection refused or reset, timeout, non-200
 * status without a transform, malformed or oversized response, GRPC error status. Clients get error
 * 100 (connect: temporary), unidirectional clients the connect-error disconnect mapping.
 */
export class ProxyCallError extends Error {
  override readonly name = 'ProxyCallError';
}

/** Largest response body (HTTP) or message (GRPC) accepted from a backend. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** One backend endpoint. */
export interface ProxyTransport {
  /**
   * Sends one unary request; resolves with the decoded response message (`result` / `error` /
   * `disconnect`), rejects with ProxyCallError. `headers` are forwarded as HTTP headers or GRPC metadata.
   */
  call(hook: UnaryHook, request: ProxyMessage, headers: Readonly<Record<string, string>>): Promise<ProxyMessage>;
  /**
   * Opens a subscribe stream (GRPC only): `SubscribeUnidirectional(request)` or, `bidirectional`,
   * `SubscribeBidirectional` with `{subscribe_request: request}` as its first message.
   */
  openStream?(bidirectional: boolean, request: ProxyMessage, headers: Readonly<Record<string, string>>, handlers: StreamHandlers): ProxyStream;
  close(): void;
}

/** Callbacks of an open subscribe stream. */
export interface StreamHandlers {
  /** One `StreamSubscribeResponse`. */
  message(m: ProxyMessage): void;
  /** The stream ended (`err` undefined: the backend closed it normally). */
  end(err?: Error): void;
}

export interface ProxyStream {
  /** Bidirectional only: sends a `StreamSubscribeRequest`. */
  send(m: ProxyMessage): void;
  /** Cancels the call; idempotent. */
  cancel(): void;
}
