/**
 * @module config/json-error — locate the first JSON syntax error (offset + Go encoding/json style detail)
 * with the shared grammar of `wire/json-scan.ts`.
 */
import { Buffer } from 'node:buffer';
import { JsonScanCode, jsonScanError, scanDocument } from '../wire/json-scan.js';

export interface JsonSyntaxIssue {
  /** Offset (UTF-16 index) of the offending character; `text.length` for unexpected end of input. */
  readonly offset: number;
  /** Go-style detail, e.g. `invalid character '}' looking for beginning of value`. */
  readonly detail: string;
}

function quoteChar(ch: string): string {
  if (ch === "'") return "'\\''";
  if (ch === '"') return "'\"'";
  return `'${JSON.stringify(ch).slice(1, -1)}'`;
}

/** Go's wording of where the scanner was, per failure code. */
const CONTEXT: Record<JsonScanCode, string> = {
  [JsonScanCode.ValueStart]: 'looking for beginning of value',
  [JsonScanCode.String]: 'in string literal',
  [JsonScanCode.StringEscape]: 'in string escape code',
  [JsonScanCode.StringHex]: 'in \\u hexadecimal character escape',
  [JsonScanCode.Number]: 'in numeric literal',
  [JsonScanCode.NumberFraction]: 'after decimal point in numeric literal',
  [JsonScanCode.NumberExponent]: 'in exponent of numeric literal',
  [JsonScanCode.Literal]: 'in literal',
  [JsonScanCode.ObjectKeyStart]: 'looking for beginning of object key string',
  [JsonScanCode.AfterObjectKey]: 'after object key',
  [JsonScanCode.AfterObjectMember]: 'after object key:value pair',
  [JsonScanCode.AfterArrayElement]: 'after array element',
  [JsonScanCode.MaxDepth]: 'exceeding max depth',
};

/**
 * Scans `text` as JSON and returns the first syntax problem, or `undefined` if it is valid. Iterative
 * (explicit stack), so deeply nested input can not overflow the call stack.
 */
export function findJsonSyntaxIssue(text: string): JsonSyntaxIssue | undefined {
  const buf = Buffer.from(text, 'utf8');
  const r = scanDocument(buf);
  if (r === -1) return undefined;
  // Byte position → UTF-16 offset (failures are always at the first byte of a character).
  const at = (pos: number): number => buf.toString('utf8', 0, pos).length;
  if (r >= 0) return { offset: at(r), detail: `invalid character ${quoteChar(text[at(r)] ?? '')} after top-level value` };
  const e = jsonScanError;
  if (e.eof) return { offset: text.length, detail: 'unexpected end of JSON input' };
  const offset = at(e.pos);
  const code = e.code as JsonScanCode;
  const context =
    code === JsonScanCode.Literal ? `in literal ${e.literal} (expecting ${quoteChar(e.literal[e.index] ?? '')})` : CONTEXT[code];
  return { offset, detail: `invalid character ${quoteChar(text[offset] ?? '')} ${context}` };
}
