/**
 * @module api/grpc-status — GRPC status errors of the server API: the transport error mode's status
 * (mapped code, message = API error message) with the `centrifugal.centrifugo.api.Error` attached as a
 * status detail, exactly as Go's `status.WithDetails` sends it (Centrifugo's server API error model).
 *
 * The detail travels in the `grpc-status-details-bin` trailer: an encoded `google.rpc.Status`
 * `{ int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }` whose single
 * `Any { string type_url = 1; bytes value = 2; }` holds the encoded `Error { uint32 code = 1; string message = 2; }`.
 * The three messages are tiny, so they are encoded by hand here.
 */
import { Metadata, type ServerErrorResponse } from '@grpc/grpc-js';
import { type ApiErrorObject, toGrpcStatus } from './errors.js';

/** Trailer key of the rich status (binary, so the `-bin` suffix). */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
/** `type_url` of the attached API error. */
export const API_ERROR_TYPE_URL = 'type.googleapis.com/centrifugal.centrifugo.api.Error';

function varint(value: number, out: number[]): void {
  // Non-negative values below 2^53; int32 negatives never occur here (codes are positive).
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

/** Appends a length-delimited field (wire type 2). */
function lengthDelimited(fieldNumber: number, bytes: Uint8Array, out: number[]): void {
  varint((fieldNumber << 3) | 2, out);
  varint(bytes.length, out);
  for (const b of bytes) out.push(b);
}

/** Appends a varint field (wire type 0); proto3 omits zero values. */
function varintField(fieldNumber: number, value: number, out: number[]): void {
  if (value === 0) return;
  varint(fieldNumber << 3, out);
  varint(value, out);
}

/** Appends a string field; proto3 omits the empty string. */
function stringField(fieldNumber: number, value: string, out: number[]): void {
  if (value === '') return;
  lengthDelimited(fieldNumber, Buffer.from(value, 'utf8'), out);
}

/** Encodes `centrifugal.centrifugo.api.Error`. */
export function encodeApiError(error: ApiErrorObject): Buffer {
  const out: number[] = [];
  varintField(1, error.code >>> 0, out);
  stringField(2, error.message, out);
  return Buffer.from(out);
}

/** Encodes the `google.rpc.Status` carrying `error` as its only detail. */
export function encodeStatusDetails(grpcCode: number, error: ApiErrorObject): Buffer {
  const any: number[] = [];
  stringField(1, API_ERROR_TYPE_URL, any);
  lengthDelimited(2, encodeApiError(error), any);
  const out: number[] = [];
  varintField(1, grpcCode, out);
  stringField(2, error.message, out);
  lengthDelimited(3, Uint8Array.from(any), out);
  return Buffer.from(out);
}

/** A GRPC status error built from a code and message (what a handler passes to its callback). */
export function statusError(code: number, message: string, metadata?: Metadata): ServerErrorResponse {
  const err: ServerErrorResponse = Object.assign(new Error(message), { code, details: message });
  if (metadata !== undefined) err.metadata = metadata;
  return err;
}

/** Transport error mode: the mapped GRPC status with the API error attached as a status detail. */
export function transportError(error: ApiErrorObject): ServerErrorResponse {
  const code = toGrpcStatus(error.code);
  const trailers = new Metadata();
  trailers.set(STATUS_DETAILS_KEY, encodeStatusDetails(code, error));
  return statusError(code, error.message, trailers);
}
