/** @module core/errors — the client error catalogue (codes 100–113) and the class that carries it. */

/** A catalogue entry: a code that travels in `Reply.error` with its exact message. */
export interface ErrorDescriptor {
  readonly code: number;
  readonly message: string;
  /** Clients may retry the same operation. */
  readonly temporary: boolean;
}

function d(code: number, message: string, temporary = false): ErrorDescriptor {
  return Object.freeze({ code, message, temporary });
}

/** Client protocol errors, exactly as Centrifugo sends them (Centrifugo's client error codes). */
export const ClientErrors = Object.freeze({
  /** 100 — something went wrong with the server itself; the client is probably not guilty. */
  Internal: d(100, 'internal server error', true),
  /** 101 — the request is unauthorized. */
  Unauthorized: d(101, 'unauthorized'),
  /** 102 — the channel's namespace is not configured. */
  UnknownChannel: d(102, 'unknown channel'),
  /** 103 — access to the resource is not allowed. */
  PermissionDenied: d(103, 'permission denied'),
  /** 104 — the method does not exist (client RPC). */
  MethodNotFound: d(104, 'method not found'),
  /** 105 — the client is already subscribed (or a subscribe is in flight) to the channel. */
  AlreadySubscribed: d(105, 'already subscribed'),
  /** 106 — some limit was exceeded (channel limit). */
  LimitExceeded: d(106, 'limit exceeded'),
  /** 107 — the server cannot process the data because it is malformed. */
  BadRequest: d(107, 'bad request'),
  /** 108 — the resource is not enabled (presence, history, RPC). */
  NotAvailable: d(108, 'not available'),
  /** 109 — the connection or subscription token expired. */
  TokenExpired: d(109, 'token expired'),
  /** 110 — the connection or subscription expired (no token involved). */
  Expired: d(110, 'expired'),
  /** 111 — rejected by rate limiting. */
  TooManyRequests: d(111, 'too many requests', true),
  /** 112 — the stream does not contain the requested range (epoch mismatch). */
  UnrecoverablePosition: d(112, 'unrecoverable position'),
  /** 113 — concurrent pagination (reserved, map subscriptions). */
  ConcurrentPagination: d(113, 'concurrent pagination', true),
} satisfies Record<string, ErrorDescriptor>);

/** Thrown by handlers and hooks to answer a command with an error reply and keep the connection. */
export class ClientError extends Error {
  override readonly name = 'ClientError';
  readonly code: number;
  readonly temporary: boolean;
  constructor(descriptor: ErrorDescriptor, options?: { cause?: unknown; message?: string }) {
    super(options?.message ?? descriptor.message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = descriptor.code;
    this.temporary = descriptor.temporary;
  }
  /** The wire form of the error. */
  toDescriptor(): ErrorDescriptor {
    return { code: this.code, message: this.message, temporary: this.temporary };
  }
}

/** True when `err` is a ClientError, optionally of the given catalogue entry. */
export function isClientError(err: unknown, descriptor?: ErrorDescriptor): err is ClientError {
  return err instanceof ClientError && (descriptor === undefined || err.code === descriptor.code);
}

/** Operational error from an engine (Redis, NATS); never sent to clients raw. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  readonly code = 'ERR_ENGINE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
