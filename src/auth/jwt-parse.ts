/** @module auth/jwt-parse — split and decode a compact JWS without verifying it. */

import { isPlainObject } from '../util/object.js';
import { TokenError } from './token-error.js';

/** A decoded, not yet verified, compact JWT. */
export interface ParsedJwt {
  readonly header: Readonly<Record<string, unknown>>;
  /** The header `alg` (always a string here). */
  readonly alg: string;
  /** The header `kid`, when it is a string. */
  readonly kid: string | undefined;
  readonly payload: Readonly<Record<string, unknown>>;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;


function decodeSegment(segment: string, what: string): Record<string, unknown> {
  if (segment.length === 0 || !BASE64URL.test(segment) || segment.length % 4 === 1) {
    throw TokenError.invalid(`malformed token: ${what} is not base64url`);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch (err) {
    throw TokenError.invalid(`malformed token: ${what} is not JSON`, err);
  }
  if (!isPlainObject(value)) throw TokenError.invalid(`malformed token: ${what} is not a JSON object`);
  return value;
}

interface ParsedHeader {
  readonly header: Readonly<Record<string, unknown>>;
  readonly alg: string;
  readonly kid: string | undefined;
}

/**
 * Decoded header segments. An application signs every token with the same header, so the segment
 * repeats token after token: decoding it once saves a base64 decode and a JSON.parse per connect.
 * Only well-formed headers are kept; bounded (cleared when full).
 */
const headerCache = new Map<string, ParsedHeader>();
const HEADER_CACHE_MAX = 64;

function parseHeader(segment: string): ParsedHeader {
  const cached = headerCache.get(segment);
  if (cached !== undefined) return cached;
  const header = Object.freeze(decodeSegment(segment, 'header'));
  const alg = header['alg'];
  if (typeof alg !== 'string' || alg === '') throw TokenError.invalid('malformed token: header has no alg');
  const kid = header['kid'];
  const parsed: ParsedHeader = { header, alg, kid: typeof kid === 'string' ? kid : undefined };
  if (headerCache.size >= HEADER_CACHE_MAX) headerCache.clear();
  headerCache.set(segment, parsed);
  return parsed;
}

/** Parses `header.payload.signature`; any structural problem → `TokenError` (invalid). */
export function parseJwt(token: string): ParsedJwt {
  const parts = token.split('.');
  if (parts.length !== 3) throw TokenError.invalid('malformed token: expected three dot-separated parts');
  const [h, p, s] = parts as [string, string, string];
  if (!BASE64URL.test(s)) throw TokenError.invalid('malformed token: signature is not base64url');
  const { header, alg, kid } = parseHeader(h);
  const payload = decodeSegment(p, 'payload');
  return { header, alg, kid, payload };
}
