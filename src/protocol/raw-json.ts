/**
 * @module protocol/raw-json — a byte-level JSON scanner for raw `bytes` payloads (spec §2.2 item 2).
 *
 * `scanValue` finds the end of one JSON value while validating its grammar (RFC 8259), without
 * building anything; nesting is tracked with an explicit stack, so depth is bounded only by the
 * input size. UTF-8 validity is checked separately (`isUtf8`), once per frame or payload.
 */
import { isUtf8 } from '../wire/utf8.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NL = 0x0a;

/** Position after the whitespace starting at `pos`. */
export function skipWs(buf: Uint8Array, pos: number, end: number): number {
  while (pos < end) {
    const c = buf[pos]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    pos++;
  }
  return pos;
}

/**
 * Scans the JSON string starting with the quote at `pos`. Returns the position after the closing
 * quote, or -1 if invalid. Sets `lastStringEscaped` when it contains a backslash escape.
 */
export function scanString(buf: Uint8Array, pos: number, end: number): number {
  pos++;
  lastStringEscaped = false;
  for (;;) {
    while (pos < end && PLAIN[buf[pos]!] === 1) pos++;
    if (pos >= end) return -1;
    const c = buf[pos]!;
    if (c === QUOTE) return pos + 1;
    if (c !== BACKSLASH) return -1; // a control character
    lastStringEscaped = true;
    if (pos + 1 >= end) return -1;
    const e = buf[pos + 1]!;
    if (e === 0x75 /* u */) {
      if (pos + 6 > end) return -1;
      for (let i = pos + 2; i < pos + 6; i++) if (!isHex(buf[i]!)) return -1;
      pos += 6;
    } else if (ESCAPES[e] === 1) {
      pos += 2;
    } else {
      return -1;
    }
  }
}

/** Bytes that can appear unescaped inside a string, except the quote and backslash. */
const PLAIN = new Uint8Array(256).fill(1);
PLAIN.fill(0, 0, 0x20);
PLAIN[QUOTE] = 0;
PLAIN[BACKSLASH] = 0;
/** Characters allowed after a backslash (besides `u`): " \ / b f n r t */
const ESCAPES = new Uint8Array(256);
for (const c of '"\\/bfnrt') ESCAPES[c.charCodeAt(0)] = 1;

/** Set by `scanString`: the last scanned string contains escapes. */
export let lastStringEscaped = false;

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/** Scans a JSON number at `pos`; returns the position after it or -1. */
export function scanNumber(buf: Uint8Array, pos: number, end: number): number {
  if (buf[pos] === 0x2d) pos++;
  if (pos >= end) return -1;
  if (buf[pos] === 0x30) {
    pos++;
  } else if (isDigit(buf[pos])) {
    pos++;
    while (pos < end && isDigit(buf[pos])) pos++;
  } else {
    return -1;
  }
  if (pos < end && buf[pos] === 0x2e) {
    pos++;
    if (!(pos < end && isDigit(buf[pos]))) return -1;
    while (pos < end && isDigit(buf[pos])) pos++;
  }
  if (pos < end && (buf[pos] === 0x65 || buf[pos] === 0x45)) {
    pos++;
    if (pos < end && (buf[pos] === 0x2b || buf[pos] === 0x2d)) pos++;
    if (!(pos < end && isDigit(buf[pos]))) return -1;
    while (pos < end && isDigit(buf[pos])) pos++;
  }
  return pos;
}

function scanLiteral(buf: Uint8Array, pos: number, end: number, lit: readonly number[]): number {
  if (pos + lit.length > end) return -1;
  for (let i = 0; i < lit.length; i++) if (buf[pos + i] !== lit[i]) return -1;
  return pos + lit.length;
}

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

/** Scans a scalar value (string, number, literal) at `pos`; returns the position after it or -1. */
function scanScalar(buf: Uint8Array, pos: number, end: number, c: number): number {
  if (c === QUOTE) return scanString(buf, pos, end);
  if (c === 0x74) return scanLiteral(buf, pos, end, TRUE);
  if (c === 0x66) return scanLiteral(buf, pos, end, FALSE);
  if (c === 0x6e) return scanLiteral(buf, pos, end, NULL);
  return scanNumber(buf, pos, end);
}

/**
 * Scans one complete JSON value starting exactly at `pos` (no leading whitespace). Returns the
 * position right after the value, or -1 if the bytes are not a valid JSON value.
 */
export function scanValue(buf: Uint8Array, pos: number, end: number): number {
  if (pos >= end) return -1;
  let c = buf[pos]!;
  if (c !== 0x7b && c !== 0x5b) return scanScalar(buf, pos, end, c);
  // Containers: stack of open brackets (true = object).
  const stack: boolean[] = [];
  for (;;) {
    // Here `pos` is at the start of a value.
    c = buf[pos]!;
    if (c === 0x7b || c === 0x5b) {
      const isObj = c === 0x7b;
      pos = skipWs(buf, pos + 1, end);
      if (pos >= end) return -1;
      if (buf[pos] === (isObj ? 0x7d : 0x5d)) {
        pos++;
      } else {
        stack.push(isObj);
        if (isObj) {
          pos = objectKey(buf, pos, end);
          if (pos < 0) return -1;
        }
        continue;
      }
    } else {
      pos = scanScalar(buf, pos, end, c);
      if (pos < 0) return -1;
    }
    // After a complete value: close containers / move to the next element.
    for (;;) {
      if (stack.length === 0) return pos;
      pos = skipWs(buf, pos, end);
      if (pos >= end) return -1;
      c = buf[pos]!;
      const isObj = stack[stack.length - 1]!;
      if (c === 0x2c) {
        pos = skipWs(buf, pos + 1, end);
        if (isObj) pos = objectKey(buf, pos, end);
        if (pos < 0 || pos >= end) return -1;
        break;
      }
      if (c === (isObj ? 0x7d : 0x5d)) {
        stack.pop();
        pos++;
        continue;
      }
      return -1;
    }
  }
}

/** Scans `"key" :` plus following whitespace; returns the position of the value or -1. */
function objectKey(buf: Uint8Array, pos: number, end: number): number {
  if (buf[pos] !== QUOTE) return -1;
  pos = scanString(buf, pos, end);
  if (pos < 0) return -1;
  pos = skipWs(buf, pos, end);
  if (buf[pos] !== 0x3a) return -1;
  pos = skipWs(buf, pos + 1, end);
  return pos < end ? pos : -1;
}

/** Whether `buf` is exactly one JSON value, optionally surrounded by whitespace, in valid UTF-8. */
export function isValidJson(buf: Uint8Array): boolean {
  const end = buf.length;
  const start = skipWs(buf, 0, end);
  const stop = scanValue(buf, start, end);
  if (stop < 0 || skipWs(buf, stop, end) !== end) return false;
  return isUtf8(buf);
}

/** Length of `raw` once every `\n` byte is removed. */
export function lengthWithoutNewlines(raw: Uint8Array): number {
  let n = raw.length;
  let i = raw.indexOf(NL);
  while (i !== -1) {
    n--;
    i = raw.indexOf(NL, i + 1);
  }
  return n;
}

/** Copies `raw` into `out` at `pos` dropping `\n` bytes; returns the position after it. */
export function copyWithoutNewlines(out: Uint8Array, pos: number, raw: Uint8Array): number {
  let from = 0;
  let i = raw.indexOf(NL);
  if (i === -1) {
    out.set(raw, pos);
    return pos + raw.length;
  }
  while (i !== -1) {
    out.set(raw.subarray(from, i), pos);
    pos += i - from;
    from = i + 1;
    i = raw.indexOf(NL, from);
  }
  out.set(raw.subarray(from), pos);
  return pos + raw.length - from;
}
