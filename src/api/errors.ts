/**
 * @module api/errors — the server-API error catalogue (apiproto codes) and its mapping to HTTP and
 * GRPC statuses for the transport error mode.
 *
 * This catalogue is separate from the client-protocol one (`core/errors.ts`): the server API only
 * ever answers with the codes below, and 104 reads `not found` here (not `method not found`).
 */

/** The wire form of an API error: `{"code": uint32, "message": string}`. */
export interface ApiErrorObject {
  readonly code: number;
  readonly message: string;
}

function e(code: number, message: string): ApiErrorObject {
  return Object.freeze({ code, message });
}

/** Every error the server API answers with, with its exact message. */
export const ApiErrors = Object.freeze({
  /** 100 — engine/broker failure, survey failure, or any error not mapped to another code. */
  Internal: e(100, 'internal server error'),
  /** 102 — the channel's namespace is not configured. */
  UnknownChannel: e(102, 'unknown channel'),
  /** 104 — unknown legacy method, batch command without a known kind, or unknown rpc method. */
  NotFound: e(104, 'not found'),
  /** 107 — missing channel/data/method, invalid base64, undecodable legacy params. */
  BadRequest: e(107, 'bad request'),
  /** 108 — presence or history is not enabled for the channel's namespace. */
  NotAvailable: e(108, 'not available'),
  /** 112 — history `since.epoch` differs from the current stream epoch. */
  UnrecoverablePosition: e(112, 'unrecoverable position'),
  /** 113 — reserved (Centrifugo PRO); never produced by this server. */
  Conflict: e(113, 'conflict'),
} satisfies Record<string, ApiErrorObject>);

/** An API error raised inside the executor; converted to an `ApiErrorObject` in the response. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: number;
  constructor(descriptor: ApiErrorObject, options?: { cause?: unknown }) {
    super(descriptor.message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = descriptor.code;
  }
  /** The wire form of the error. */
  toObject(): ApiErrorObject {
    return { code: this.code, message: this.message };
  }
}

/** HTTP status used in transport error mode: 100→500, 102/104→404, 107/108→400, 112→416, 113→409, other→500. */
export function toHttpStatus(code: number): number {
  switch (code) {
    case 100:
      return 500;
    case 102:
    case 104:
      return 404;
    case 107:
    case 108:
      return 400;
    case 112:
      return 416;
    case 113:
      return 409;
    default:
      return 500;
  }
}

/** GRPC status codes (numeric, as in `@grpc/grpc-js` `status`). */
export const GrpcStatus = Object.freeze({
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAUTHENTICATED: 16,
});

/**
 * GRPC status used in transport error mode: 100→INTERNAL(13), 102/104→NOT_FOUND(5),
 * 107/108→INVALID_ARGUMENT(3), 112→OUT_OF_RANGE(11), 113→ALREADY_EXISTS(6), other→INTERNAL(13).
 */
export function toGrpcStatus(code: number): number {
  switch (code) {
    case 100:
      return GrpcStatus.INTERNAL;
    case 102:
    case 104:
      return GrpcStatus.NOT_FOUND;
    case 107:
    case 108:
      return GrpcStatus.INVALID_ARGUMENT;
    case 112:
      return GrpcStatus.OUT_OF_RANGE;
    case 113:
      return GrpcStatus.ALREADY_EXISTS;
    default:
      return GrpcStatus.INTERNAL;
  }
}
