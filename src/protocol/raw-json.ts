/**
 * @module protocol/raw-json — raw `bytes` payloads embedded in JSON frames (Centrifugo's JSON encoding: `bytes` fields are embedded JSON): their
 * validation (the shared grammar of `wire/json-scan.ts`, plus UTF-8, checked once per frame or
 * payload) and newline stripping.
 */
import { isJsonValue } from '../wire/json-scan.js';
import { isUtf8 } from '../wire/utf8.js';


const NL = 0x0a;

/** Whether `buf` is exactly one JSON value, optionally surrounded by whitespace, in valid UTF-8. */
export function isValidJson(buf: Uint8Array): boolean {
  return isJsonValue(buf) && isUtf8(buf);
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
