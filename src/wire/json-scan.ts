/**
 * @module wire/json-scan — the one JSON grammar (RFC 8259, as Go's encoding/json reads it) shared by
 * the client protocol codec (raw `data` payloads), the server API decoder and the config loader.
 *
 * Byte-level scanners that find the end of a value while validating it, without building anything.
 * They return the position after what they scanned, or -1; on -1 {@link jsonScanError} says where
 * and why (a {@link JsonScanCode} and whether the input ended there), so each caller words the
 * error its own way. Nesting is tracked with an explicit stack (no recursion); depth is limited only
 * when the caller asks. UTF-8 validity is not checked here (callers check whole frames or bodies).
 * The success paths write no shared state except {@link lastStringEscaped}.
 */

/** Bytes of the JSON grammar. */
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const LBRACE = 0x7b;
export const RBRACE = 0x7d;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;
export const COLON = 0x3a;
export const COMMA = 0x2c;
export const MINUS = 0x2d;

/** Where in the grammar a scan failed. */
export const JsonScanCode = {
  /** A value was expected (`looking for beginning of value`). */
  ValueStart: 1,
  /** Inside a string: a control character, or the input ended. */
  String: 2,
  /** The character after a backslash. */
  StringEscape: 3,
  /** A hex digit of a `\u` escape. */
  StringHex: 4,
  /** The integer part of a number. */
  Number: 5,
  /** The digits after a decimal point. */
  NumberFraction: 6,
  /** The digits of an exponent. */
  NumberExponent: 7,
  /** A byte of `true`/`false`/`null` ({@link jsonScanError} `literal`, `index`). */
  Literal: 8,
  /** The `"` of an object key. */
  ObjectKeyStart: 9,
  /** The `:` after an object key. */
  AfterObjectKey: 10,
  /** The `,` or `}` after an object member. */
  AfterObjectMember: 11,
  /** The `,` or `]` after an array element. */
  AfterArrayElement: 12,
  /** A container opened deeper than the caller's limit (at its bracket). */
  MaxDepth: 13,
} as const;
export type JsonScanCode = (typeof JsonScanCode)[keyof typeof JsonScanCode];

/** The last failure of a scan (valid only right after a scanner returned -1). */
export const jsonScanError = {
  /** Byte position of the offending byte (`end` when the input ended). */
  pos: 0,
  code: 0 as JsonScanCode | 0,
  /** The input ended at `pos`. */
  eof: false,
  /** For {@link JsonScanCode.Literal}: the literal being read and the index of the byte that differs. */
  literal: 'null' as JsonLiteral,
  index: 0,
};

export type JsonLiteral = 'true' | 'false' | 'null';

function fail(pos: number, end: number, code: JsonScanCode): -1 {
  jsonScanError.pos = pos;
  jsonScanError.code = code;
  jsonScanError.eof = pos >= end;
  return -1;
}

/** Position after the whitespace starting at `pos`. */
export function skipWs(buf: Uint8Array, pos: number, end: number): number {
  while (pos < end) {
    const c = buf[pos]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    pos++;
  }
  return pos;
}

/** Bytes that can appear unescaped inside a string, except the quote and backslash. */
const PLAIN = new Uint8Array(256).fill(1);
PLAIN.fill(0, 0, 0x20);
PLAIN[QUOTE] = 0;
PLAIN[BACKSLASH] = 0;
/** Characters allowed after a backslash (besides `u`): " \ / b f n r t */
const ESCAPES = new Uint8Array(256);
for (const c of '"\\/bfnrt') ESCAPES[c.charCodeAt(0)] = 1;

/** Set by {@link scanString}: the last scanned string contains escapes. */
export let lastStringEscaped = false;

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/** JSON whitespace (space, tab, newline, carriage return). */
export function isJsonWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Scans the JSON string starting with the quote at `pos`. Returns the position after the closing
 * quote, or -1 if invalid. Sets {@link lastStringEscaped} when it contains a backslash escape.
 */
export function scanString(buf: Uint8Array, pos: number, end: number): number {
  pos++;
  lastStringEscaped = false;
  for (;;) {
    while (pos < end && PLAIN[buf[pos]!] === 1) pos++;
    if (pos >= end) return fail(pos, end, JsonScanCode.String);
    const c = buf[pos]!;
    if (c === QUOTE) return pos + 1;
    if (c !== BACKSLASH) return fail(pos, end, JsonScanCode.String); // a control character
    lastStringEscaped = true;
    const e = buf[pos + 1];
    if (e === 0x75 /* u */) {
      for (let i = pos + 2; i < pos + 6; i++) if (i >= end || !isHexDigit(buf[i]!)) return fail(i, end, JsonScanCode.StringHex);
      pos += 6;
    } else if (pos + 1 < end && ESCAPES[e!] === 1) {
      pos += 2;
    } else {
      return fail(pos + 1, end, JsonScanCode.StringEscape);
    }
  }
}

/** Scans a JSON number at `pos`; returns the position after it or -1. */
export function scanNumber(buf: Uint8Array, pos: number, end: number): number {
  if (buf[pos] === MINUS) pos++;
  if (pos >= end) return fail(pos, end, JsonScanCode.Number);
  if (buf[pos] === 0x30) {
    pos++;
  } else if (isDigit(buf[pos])) {
    pos++;
    while (pos < end && isDigit(buf[pos])) pos++;
  } else {
    return fail(pos, end, JsonScanCode.Number);
  }
  if (pos < end && buf[pos] === 0x2e) {
    pos++;
    if (!(pos < end && isDigit(buf[pos]))) return fail(pos, end, JsonScanCode.NumberFraction);
    while (pos < end && isDigit(buf[pos])) pos++;
  }
  if (pos < end && (buf[pos] === 0x65 || buf[pos] === 0x45)) {
    pos++;
    if (pos < end && (buf[pos] === 0x2b || buf[pos] === MINUS)) pos++;
    if (!(pos < end && isDigit(buf[pos]))) return fail(pos, end, JsonScanCode.NumberExponent);
    while (pos < end && isDigit(buf[pos])) pos++;
  }
  return pos;
}

const LITERAL_BYTES: Record<JsonLiteral, readonly number[]> = {
  true: [0x74, 0x72, 0x75, 0x65],
  false: [0x66, 0x61, 0x6c, 0x73, 0x65],
  null: [0x6e, 0x75, 0x6c, 0x6c],
};

/** Scans the literal `word` at `pos`; returns the position after it or -1. */
export function scanLiteral(buf: Uint8Array, pos: number, end: number, word: JsonLiteral): number {
  const lit = LITERAL_BYTES[word];
  for (let i = 0; i < lit.length; i++) {
    if (pos + i >= end || buf[pos + i] !== lit[i]) {
      jsonScanError.literal = word;
      jsonScanError.index = i;
      return fail(pos + i, end, JsonScanCode.Literal);
    }
  }
  return pos + lit.length;
}

/** Scans a scalar value (string, number, literal) whose first byte `c` is at `pos`. */
function scanScalar(buf: Uint8Array, pos: number, end: number, c: number): number {
  if (c === QUOTE) return scanString(buf, pos, end);
  if (c === 0x74) return scanLiteral(buf, pos, end, 'true');
  if (c === 0x66) return scanLiteral(buf, pos, end, 'false');
  if (c === 0x6e) return scanLiteral(buf, pos, end, 'null');
  if (c === MINUS || isDigit(c)) return scanNumber(buf, pos, end);
  return fail(pos, end, JsonScanCode.ValueStart);
}

/**
 * Scans one complete JSON value starting exactly at `pos` (no leading whitespace). Returns the
 * position right after the value, or -1 if the bytes are not a valid JSON value. `maxDepth` limits
 * how many containers may be open at once.
 */
export function scanValue(buf: Uint8Array, pos: number, end: number, maxDepth = Infinity): number {
  if (pos >= end) return fail(pos, end, JsonScanCode.ValueStart);
  let c = buf[pos]!;
  if (c !== LBRACE && c !== LBRACKET) return scanScalar(buf, pos, end, c);
  // Containers: stack of open brackets (true = object).
  const stack: boolean[] = [];
  for (;;) {
    // Here `pos` is at the start of a value.
    c = buf[pos]!;
    if (c === LBRACE || c === LBRACKET) {
      if (stack.length + 1 > maxDepth) return fail(pos, end, JsonScanCode.MaxDepth);
      const isObj = c === LBRACE;
      pos = skipWs(buf, pos + 1, end);
      if (pos < end && buf[pos] === (isObj ? RBRACE : RBRACKET)) {
        pos++;
      } else {
        stack.push(isObj);
        pos = isObj ? objectKey(buf, pos, end) : pos < end ? pos : fail(pos, end, JsonScanCode.ValueStart);
        if (pos < 0) return -1;
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
      const isObj = stack[stack.length - 1]!;
      if (pos >= end) return fail(pos, end, isObj ? JsonScanCode.AfterObjectMember : JsonScanCode.AfterArrayElement);
      c = buf[pos]!;
      if (c === COMMA) {
        pos = skipWs(buf, pos + 1, end);
        pos = isObj ? objectKey(buf, pos, end) : pos < end ? pos : fail(pos, end, JsonScanCode.ValueStart);
        if (pos < 0) return -1;
        break;
      }
      if (c === (isObj ? RBRACE : RBRACKET)) {
        stack.pop();
        pos++;
        continue;
      }
      return fail(pos, end, isObj ? JsonScanCode.AfterObjectMember : JsonScanCode.AfterArrayElement);
    }
  }
}

/** Scans `"key" :` plus following whitespace; returns the position of the value or -1. */
function objectKey(buf: Uint8Array, pos: number, end: number): number {
  if (pos >= end || buf[pos] !== QUOTE) return fail(pos, end, JsonScanCode.ObjectKeyStart);
  pos = scanString(buf, pos, end);
  if (pos < 0) return -1;
  pos = skipWs(buf, pos, end);
  if (pos >= end || buf[pos] !== COLON) return fail(pos, end, JsonScanCode.AfterObjectKey);
  pos = skipWs(buf, pos + 1, end);
  return pos < end ? pos : fail(pos, end, JsonScanCode.ValueStart);
}

/**
 * Scans `buf` as exactly one JSON value surrounded by optional whitespace. Returns -1 when it is one;
 * otherwise the position of the first byte after the value (trailing data) when the value itself is
 * valid, or -2 with {@link jsonScanError} set when it is not.
 */
export function scanDocument(buf: Uint8Array, maxDepth = Infinity): number {
  const end = buf.length;
  const stop = scanValue(buf, skipWs(buf, 0, end), end, maxDepth);
  if (stop < 0) return -2;
  const after = skipWs(buf, stop, end);
  return after === end ? -1 : after;
}

/** Whether `buf` is exactly one JSON value, optionally surrounded by whitespace (grammar only, no UTF-8 check). */
export function isJsonValue(buf: Uint8Array, maxDepth = Infinity): boolean {
  return scanDocument(buf, maxDepth) === -1;
}
