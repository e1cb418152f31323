/**
 * @module api/json-scanner — a validating JSON byte scanner that reads values in place, so raw fields
 * can be captured as the exact bytes of their value (never re-stringified).
 *
 * Grammar and limits follow Go's encoding/json: RFC 8259 values, control characters forbidden inside
 * strings, nesting deeper than 10000 rejected. Skipping and validating use the shared grammar of
 * `wire/json-scan.ts`; this class adds decoding (strings, numbers, members) in place. Lone UTF-16
 * surrogate escapes decode to U+FFFD as Go does. The scanner does not validate UTF-8 itself (callers
 * check the whole body up front).
 */
import {
  BACKSLASH,
  COLON,
  COMMA,
  LBRACE,
  LBRACKET,
  MINUS,
  QUOTE,
  RBRACE,
  RBRACKET,
  isJsonValue,
  isJsonWs,
  JsonScanCode,
  jsonScanError,
  type JsonLiteral,
  scanLiteral,
  scanNumber,
  scanValue,
} from '../wire/json-scan.js';

/** The input is not valid JSON, or does not fit the expected shape. */
export class JsonDecodeError extends Error {
  override readonly name = 'JsonDecodeError';
}

/** Go's maximum nesting depth (encoding/json `maxNestingDepth`). */
export const MAX_NESTING_DEPTH = 10_000;


const utf8 = new TextDecoder('utf-8');

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Longest ASCII run decoded by {@link asciiText} (longer ones go through the UTF-8 decoder). */
const SHORT_ASCII = 64;

/** `b[start..end)`, all bytes < 0x80, as a string. */
function asciiText(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i] as number);
  return s;
}

/** Kind of the value at the cursor, from its first byte. */
export type JsonToken = 'object' | 'array' | 'string' | 'number' | 'true' | 'false' | 'null' | 'eof' | 'invalid';

export class JsonScanner {
  readonly buf: Uint8Array;
  pos: number;

  constructor(buf: Uint8Array, pos = 0) {
    this.buf = buf;
    this.pos = pos;
  }

  fail(what: string): never {
    throw new JsonDecodeError(`${what} at offset ${this.pos}`);
  }

  /** Skips JSON whitespace. */
  ws(): void {
    const b = this.buf;
    let p = this.pos;
    while (p < b.length && isJsonWs(b[p] as number)) p++;
    this.pos = p;
  }

  atEnd(): boolean {
    return this.pos >= this.buf.length;
  }

  /** Kind of the value starting at the cursor (whitespace must already be skipped). */
  peekToken(): JsonToken {
    if (this.pos >= this.buf.length) return 'eof';
    const c = this.buf[this.pos] as number;
    switch (c) {
      case LBRACE:
        return 'object';
      case LBRACKET:
        return 'array';
      case QUOTE:
        return 'string';
      case 0x74:
        return 'true';
      case 0x66:
        return 'false';
      case 0x6e:
        return 'null';
      default:
        return c === MINUS || isDigit(c) ? 'number' : 'invalid';
    }
  }

  /** Consumes one byte that must be `c`. */
  expect(c: number, what: string): void {
    if (this.buf[this.pos] !== c) this.fail(`expected ${what}`);
    this.pos++;
  }

  /** Consumes the literal `true`, `false` or `null`. */
  literal(word: JsonLiteral): void {
    const p = scanLiteral(this.buf, this.pos, this.buf.length, word);
    if (p < 0) this.fail('invalid literal');
    this.pos = p;
  }

  /** Reads a number token and returns its text (validated against the JSON grammar). */
  numberText(): string {
    const b = this.buf;
    const start = this.pos;
    const p = scanNumber(b, start, b.length);
    if (p < 0) {
      this.pos = jsonScanError.pos;
      this.fail('invalid number');
    }
    this.pos = p;
    let s = '';
    for (let i = start; i < p; i++) s += String.fromCharCode(b[i] as number);
    return s;
  }

  /** Reads a string token and returns its decoded value. */
  string(): string {
    const b = this.buf;
    if (b[this.pos] !== QUOTE) this.fail('expected string');
    let p = this.pos + 1;
    let chunkStart = p;
    let out = '';
    /** Only ASCII since chunkStart: the chunk decodes without the UTF-8 decoder. */
    let ascii = true;
    for (;;) {
      if (p >= b.length) {
        this.pos = p;
        this.fail('unterminated string');
      }
      const c = b[p] as number;
      if (c === QUOTE) {
        // Keys and channel names are short ASCII: a TextDecoder call (and a subarray) per string
        // cost more than the whole rest of a publish request's decoding.
        out += ascii && p - chunkStart <= SHORT_ASCII ? asciiText(b, chunkStart, p) : utf8.decode(b.subarray(chunkStart, p));
        this.pos = p + 1;
        return out;
      }
      if (c < 0x20) {
        this.pos = p;
        this.fail('control character in string');
      }
      if (c !== BACKSLASH) {
        if (c >= 0x80) ascii = false;
        p++;
        continue;
      }
      out += utf8.decode(b.subarray(chunkStart, p));
      const e = b[p + 1];
      p += 2;
      switch (e) {
        case QUOTE:
          out += '"';
          break;
        case BACKSLASH:
          out += '\\';
          break;
        case 0x2f:
          out += '/';
          break;
        case 0x62:
          out += '\b';
          break;
        case 0x66:
          out += '\f';
          break;
        case 0x6e:
          out += '\n';
          break;
        case 0x72:
          out += '\r';
          break;
        case 0x74:
          out += '\t';
          break;
        case 0x75: {
          const u = this.#hex4(p);
          p += 4;
          if (u >= 0xd800 && u < 0xdc00) {
            // A high surrogate must be followed by an escaped low one; otherwise Go yields U+FFFD.
            if (b[p] === BACKSLASH && b[p + 1] === 0x75) {
              const lo = this.#hex4(p + 2);
              if (lo >= 0xdc00 && lo < 0xe000) {
                out += String.fromCharCode(u, lo);
                p += 6;
                break;
              }
            }
            out += '\ufffd';
          } else if (u >= 0xdc00 && u < 0xe000) {
            out += '\ufffd';
          } else {
            out += String.fromCharCode(u);
          }
          break;
        }
        case undefined:
        default:
          this.pos = p - 1;
          this.fail('invalid escape in string');
      }
      chunkStart = p;
      ascii = true;
    }
  }

  #hex4(p: number): number {
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const h = hexVal(this.buf[p + i] ?? -1);
      if (h < 0) {
        this.pos = p + i;
        this.fail('invalid \\u escape');
      }
      v = v * 16 + h;
    }
    return v;
  }

  /**
   * Skips one complete value of any kind, validating it with the shared grammar (`wire/json-scan.ts`,
   * iterative, so deep nesting cannot overflow the call stack); `depth` is the nesting level of the
   * value's parent.
   */
  skipValue(depth = 0): void {
    this.ws();
    const stop = scanValue(this.buf, this.pos, this.buf.length, MAX_NESTING_DEPTH - depth);
    if (stop < 0) {
      const e = jsonScanError;
      // A literal is reported at its first byte, as `literal()` does.
      this.pos = e.code === JsonScanCode.Literal ? e.pos - e.index : e.pos;
      this.fail(scanFailure(e.code as JsonScanCode, e.eof));
    }
    this.pos = stop;
  }

  /**
   * Iterates the members of an object at the cursor: calls `onMember(key)` with the cursor on the
   * member's value (whitespace skipped); the callback must consume the value.
   */
  object(onMember: (key: string) => void): void {
    this.#items(LBRACE, RBRACE, "'{'", "expected ',' or '}'", () => {
      const key = this.string();
      this.ws();
      this.expect(COLON, "':'");
      this.ws();
      onMember(key);
    });
  }

  /** Iterates the elements of an array at the cursor; `onItem` must consume each value. */
  array(onItem: () => void): void {
    this.#items(LBRACKET, RBRACKET, "'['", "expected ',' or ']'", onItem);
  }

  /** Walks a container from its `open` byte to its `close`, calling `onItem` at each comma-separated item. */
  #items(open: number, close: number, what: string, expected: string, onItem: () => void): void {
    this.expect(open, what);
    this.ws();
    if (this.buf[this.pos] === close) {
      this.pos++;
      return;
    }
    for (;;) {
      this.ws();
      onItem();
      this.ws();
      const c = this.buf[this.pos];
      if (c !== COMMA && c !== close) this.fail(expected);
      this.pos++;
      if (c === close) return;
    }
  }
}

/** True when `bytes` is exactly one JSON value (nesting at most {@link MAX_NESTING_DEPTH}), optionally surrounded by whitespace. */
function isValidJson(bytes: Uint8Array): boolean {
  return isJsonValue(bytes, MAX_NESTING_DEPTH);
}

/** This scanner's wording of a failure of the shared grammar. */
function scanFailure(code: JsonScanCode, eof: boolean): string {
  switch (code) {
    case JsonScanCode.ValueStart:
      return eof ? 'unexpected end of JSON input' : 'invalid character looking for beginning of value';
    case JsonScanCode.String:
      return eof ? 'unterminated string' : 'control character in string';
    case JsonScanCode.StringEscape:
      return 'invalid escape in string';
    case JsonScanCode.StringHex:
      return 'invalid \\u escape';
    case JsonScanCode.Number:
    case JsonScanCode.NumberFraction:
    case JsonScanCode.NumberExponent:
      return 'invalid number';
    case JsonScanCode.Literal:
      return 'invalid literal';
    case JsonScanCode.ObjectKeyStart:
      return 'expected string';
    case JsonScanCode.AfterObjectKey:
      return "expected ':'";
    case JsonScanCode.AfterObjectMember:
      return "expected ',' or '}'";
    case JsonScanCode.AfterArrayElement:
      return "expected ',' or ']'";
    case JsonScanCode.MaxDepth:
      return 'exceeded max depth';
  }
}

const HEX = '0123456789abcdef';

/**
 * Go's `json.Compact` with HTML escaping, as applied by `json.Marshal` to raw values: drops whitespace
 * outside strings and writes `<`, `>`, `&`, U+2028, U+2029 as `\u` escapes. Bytes are otherwise kept.
 * Returns `undefined` when `bytes` is not a single valid JSON value.
 */
export function compactJson(bytes: Uint8Array): Uint8Array | undefined {
  if (!isValidJson(bytes)) return undefined;
  let needsWork = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] as number;
    if (isJsonWs(c) || c === 0x3c || c === 0x3e || c === 0x26 || c === 0xe2) {
      needsWork = true;
      break;
    }
  }
  if (!needsWork) return bytes;
  const parts: Uint8Array[] = [];
  let size = 0;
  let start = 0;
  const cut = (end: number, replacement?: string): void => {
    if (end > start) {
      parts.push(bytes.subarray(start, end));
      size += end - start;
    }
    if (replacement !== undefined) {
      const r = Uint8Array.from(replacement, (ch) => ch.charCodeAt(0));
      parts.push(r);
      size += r.length;
    }
  };
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] as number;
    if (inString) {
      if (c === BACKSLASH) {
        i++; // the escaped byte is never one we rewrite
        continue;
      }
      if (c === QUOTE) inString = false;
    } else if (isJsonWs(c)) {
      cut(i);
      start = i + 1;
      continue;
    } else if (c === QUOTE) {
      inString = true;
    }
    if (c === 0x3c || c === 0x3e || c === 0x26) {
      cut(i, `\\u00${HEX[c >> 4] ?? '0'}${HEX[c & 15] ?? '0'}`);
      start = i + 1;
    } else if (c === 0xe2 && bytes[i + 1] === 0x80 && ((bytes[i + 2] ?? 0) & ~1) === 0xa8) {
      cut(i, bytes[i + 2] === 0xa8 ? '\\u2028' : '\\u2029');
      i += 2;
      start = i + 1;
    }
  }
  cut(bytes.length);
  const out = new Uint8Array(size);
  let off = 0;
  for (const part of parts) {
    out.set(part, off);
    off += part.length;
  }
  return out;
}
