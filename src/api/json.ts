/**
 * @module api/json — JSON decoding of server-API requests and encoding of responses, byte-compatible
 * with Centrifugo's Go `encoding/json` handling (Centrifugo's server API JSON encoding).
 *
 * Decoding: unknown keys ignored (their values still validated), keys matched exactly first and then
 * case-insensitively, duplicate keys — the last one wins (objects merge, as in Go), type mismatches and
 * syntax errors throw {@link JsonDecodeError}, JSON `null` leaves scalars untouched and clears
 * messages/lists/maps, raw (`bytes`) fields keep the exact bytes of their value (`null` included).
 * Bodies that are not valid UTF-8 are rejected.
 *
 * Encoding: proto field order, omitempty except the always-present fields, map keys sorted by code
 * point, raw values embedded after Go's compaction (whitespace dropped, `<` `>` `&` U+2028 U+2029
 * escaped), strings escaped like Go (HTML-safe, invalid UTF-16 → U+FFFD). A raw value that is not
 * valid JSON throws {@link JsonEncodeError} (Go's Marshal fails the same way → HTTP 500).
 */
import { dict } from '../util/object.js';
import { isUtf8 } from 'node:buffer';
import { compactJson, JsonDecodeError, JsonScanner, MAX_NESTING_DEPTH } from './json-scanner.js';
import {
  BatchResponseSchema,
  CommandSchema,
  ErrorSchema,
  type FieldKind,
  foldKey,
  type MessageSchema,
  OPAQUE_FIELDS,
  REQUEST_SCHEMAS,
  RESULT_SCHEMAS,
  ReplySchema,
} from './schema.js';
import type {
  ApiErrorObject,
  ApiMethod,
  ApiRequests,
  ApiResponse,
  ApiResults,
  ApiUnaryMethod,
  BatchResponse,
  Command,
  Reply,
} from './types.js';

export { JsonDecodeError } from './json-scanner.js';

/** A value cannot be encoded (a raw field that is not valid JSON, a non-finite number). */
export class JsonEncodeError extends Error {
  override readonly name = 'JsonEncodeError';
}

// ---- decoding ------------------------------------------------------------------------------------

/** Object with no prototype, so any key (including `__proto__`) is an own data property. */

/** Marker: the value was JSON `null` for a scalar — leave the target untouched (Go semantics). */
const KEEP: unique symbol = Symbol('keep');

function typeError(s: JsonScanner, want: string): never {
  return s.fail(`cannot unmarshal ${s.peekToken()} into ${want}`);
}

const INT_RE = /^-?\d+$/;
const UINT_RE = /^\d+$/;
const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT32_MAX = 2n ** 32n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function readInteger(s: JsonScanner, kind: 'int32' | 'int64' | 'uint32' | 'uint64'): number {
  if (s.peekToken() !== 'number') typeError(s, kind);
  const text = s.numberText();
  const signed = kind === 'int32' || kind === 'int64';
  if (!(signed ? INT_RE : UINT_RE).test(text)) s.fail(`cannot unmarshal number ${text} into ${kind}`);
  const v = BigInt(text);
  const [min, max] =
    kind === 'int32' ? [INT32_MIN, INT32_MAX] : kind === 'int64' ? [INT64_MIN, INT64_MAX] : [0n, kind === 'uint32' ? UINT32_MAX : UINT64_MAX];
  if (v < min || v > max) s.fail(`number ${text} overflows ${kind}`);
  return Number(v);
}

/** Reads the value at the cursor as `kind`; returns KEEP for a `null` that leaves scalars untouched. */
function readValue(s: JsonScanner, kind: FieldKind, depth: number, prev: unknown): unknown {
  const tok = s.peekToken();
  if (tok === 'null' && kind.k !== 'raw') {
    s.literal('null');
    return kind.k === 'message' || kind.k === 'repeated' || kind.k === 'map' ? undefined : KEEP;
  }
  switch (kind.k) {
    case 'string':
      if (tok !== 'string') typeError(s, 'string');
      return s.string();
    case 'bool':
      if (tok !== 'true' && tok !== 'false') typeError(s, 'bool');
      s.literal(tok);
      return tok === 'true';
    case 'int32':
    case 'int64':
    case 'uint32':
    case 'uint64':
      return readInteger(s, kind.k);
    case 'double': {
      if (tok !== 'number') typeError(s, 'double');
      return Number(s.numberText());
    }
    case 'raw': {
      const start = s.pos;
      s.skipValue(depth);
      // A copy: the request body must not stay alive through stored publications.
      return s.buf.slice(start, s.pos);
    }
    case 'enum': {
      if (tok === 'string') {
        const name = s.string().toUpperCase();
        const v = Object.hasOwn(kind.values, name) ? kind.values[name] : undefined;
        if (v === undefined) s.fail(`unknown enum value ${JSON.stringify(name)}`);
        return v;
      }
      return readInteger(s, 'int32');
    }
    case 'message': {
      if (tok !== 'object') typeError(s, 'object');
      if (depth + 1 > MAX_NESTING_DEPTH) s.fail('exceeded max depth');
      const target = typeof prev === 'object' && prev !== null ? (prev as Record<string, unknown>) : {};
      decodeMembers(s, kind.msg(), target, depth + 1);
      return target;
    }
    case 'repeated': {
      if (tok !== 'array') typeError(s, 'array');
      const out: unknown[] = [];
      s.array(() => {
        const v = readValue(s, kind.of, depth + 1, undefined);
        out.push(elementValue(kind.of, v));
      });
      return out;
    }
    case 'map': {
      if (tok !== 'object') typeError(s, 'object');
      const out = typeof prev === 'object' && prev !== null ? (prev as Record<string, unknown>) : dict<unknown>();
      s.object((key) => {
        const v = readValue(s, kind.of, depth + 1, undefined);
        out[key] = elementValue(kind.of, v);
      });
      return out;
    }
  }
}

/** A list/map element that was `null`: Go stores the element type's zero value. */
function elementValue(kind: FieldKind, v: unknown): unknown {
  if (v !== KEEP && v !== undefined) return v;
  if (kind.k === 'string') return '';
  if (kind.k === 'bool') return false;
  if (kind.k === 'message') return {};
  return 0;
}

function decodeMembers(s: JsonScanner, schema: MessageSchema, target: Record<string, unknown>, depth: number): void {
  s.object((key) => {
    const field = schema.byName.get(key) ?? schema.byFold.get(foldKey(key));
    if (field === undefined) {
      s.skipValue(depth);
      return;
    }
    const v = readValue(s, field.kind, depth, target[field.name]);
    if (v === KEEP) return;
    if (v === undefined || (schema === CommandSchema && OPAQUE_FIELDS.has(field.name))) {
      delete target[field.name];
    } else {
      target[field.name] = v;
    }
  });
}

/** Decodes one top-level value (`null` = empty message) at the cursor. */
function decodeTop(s: JsonScanner, schema: MessageSchema): Record<string, unknown> {
  s.ws();
  const tok = s.peekToken();
  if (tok === 'eof') s.fail('unexpected end of JSON input');
  const target: Record<string, unknown> = {};
  if (tok === 'null') {
    s.literal('null');
    return target;
  }
  if (tok !== 'object') {
    if (tok === 'invalid') s.fail('invalid character looking for beginning of value');
    // Validate the value first so syntax errors win over type errors, as in Go.
    s.skipValue();
    s.fail(`cannot unmarshal ${tok} into ${schema.name}`);
  }
  decodeMembers(s, schema, target, 1);
  return target;
}

function checkUtf8(body: Uint8Array): void {
  if (!isUtf8(body)) throw new JsonDecodeError('request body is not valid UTF-8');
}

/** Decodes a message of `schema` from a whole body (one value, whitespace around allowed). */
export function decodeMessage(schema: MessageSchema, body: Uint8Array): Record<string, unknown> {
  checkUtf8(body);
  const s = new JsonScanner(body);
  const out = decodeTop(s, schema);
  s.ws();
  if (!s.atEnd()) s.fail('invalid character after top-level value');
  return out;
}

/** Decodes the body of `/api/<method>` (also legacy `params`); throws JsonDecodeError. */
export function decodeRequest<M extends ApiMethod>(method: M, body: Uint8Array): ApiRequests[M] {
  return decodeMessage(REQUEST_SCHEMAS[method], body) as ApiRequests[M];
}

/**
 * Decodes a legacy `/api` body: a stream of Command objects, concatenated or whitespace-separated.
 * Yields commands as they are decoded, so the caller executes earlier ones before a later decode
 * error is thrown (Centrifugo's behaviour). The UTF-8 check covers the whole body before the first
 * command.
 */
export function* decodeCommandStream(body: Uint8Array): Generator<Command, void, undefined> {
  checkUtf8(body);
  const s = new JsonScanner(body);
  for (;;) {
    s.ws();
    if (s.atEnd()) return;
    yield decodeTop(s, CommandSchema);
  }
}

// ---- encoding ------------------------------------------------------------------------------------

const UTF8 = new TextEncoder();

class Output {
  readonly #parts: Uint8Array[] = [];
  #text = '';

  str(s: string): void {
    this.#text += s;
  }

  bytes(b: Uint8Array): void {
    if (this.#text !== '') {
      this.#parts.push(UTF8.encode(this.#text));
      this.#text = '';
    }
    this.#parts.push(b);
  }

  finish(): Buffer {
    if (this.#text !== '') this.#parts.push(UTF8.encode(this.#text));
    this.#text = '';
    return Buffer.concat(this.#parts);
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const HTML_UNSAFE = /[<>&\u2028\u2029]/g;
const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** A JSON string literal as Go's json.Marshal writes it. */
export function quoteString(s: string): string {
  const wellFormed = s.replace(LONE_SURROGATE, '\ufffd');
  return JSON.stringify(wellFormed).replace(HTML_UNSAFE, (c) => HTML_ESCAPES[c] ?? c);
}

/** Orders strings by Unicode code point (= UTF-8 byte order, as Go sorts map keys). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) sort after every BMP code unit above them.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? (y >= 0xe000 ? 1 : x - y) : x >= 0xe000 ? -1 : x - y;
    return x - y;
  }
  return a.length - b.length;
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new JsonEncodeError(`unsupported number ${n}`);
  return Object.is(n, -0) ? '0' : String(n);
}

function isZero(kind: FieldKind, v: unknown): boolean {
  switch (kind.k) {
    case 'string':
      return v === '';
    case 'bool':
      return v === false;
    case 'int32':
    case 'int64':
    case 'uint32':
    case 'uint64':
    case 'double':
    case 'enum':
      return v === 0;
    case 'raw':
      return (v as Uint8Array).length === 0;
    case 'message':
      return false;
    case 'repeated':
      return (v as unknown[]).length === 0;
    case 'map':
      return Object.keys(v as object).length === 0;
  }
}

function zeroText(kind: FieldKind): string {
  switch (kind.k) {
    case 'string':
      return '""';
    case 'bool':
      return 'false';
    case 'repeated':
      return '[]';
    case 'map':
    case 'message':
      return '{}';
    case 'raw':
      return 'null';
    case 'int32':
    case 'int64':
    case 'uint32':
    case 'uint64':
    case 'double':
    case 'enum':
      return '0';
  }
}

function writeValue(out: Output, kind: FieldKind, v: unknown): void {
  switch (kind.k) {
    case 'string':
      out.str(quoteString(String(v)));
      return;
    case 'bool':
      out.str(v === true ? 'true' : 'false');
      return;
    case 'int32':
    case 'int64':
    case 'uint32':
    case 'uint64':
    case 'double':
    case 'enum':
      out.str(numberText(Number(v)));
      return;
    case 'raw': {
      const bytes = v as Uint8Array;
      if (bytes.length === 0) {
        out.str('null');
        return;
      }
      const compact = compactJson(bytes);
      if (compact === undefined) throw new JsonEncodeError('raw field is not valid JSON');
      out.bytes(compact);
      return;
    }
    case 'message':
      writeMessage(out, kind.msg(), v as Record<string, unknown>);
      return;
    case 'repeated': {
      out.str('[');
      let first = true;
      for (const item of v as unknown[]) {
        if (!first) out.str(',');
        first = false;
        if (item === undefined || item === null) out.str(kind.of.k === 'message' ? 'null' : zeroText(kind.of));
        else writeValue(out, kind.of, item);
      }
      out.str(']');
      return;
    }
    case 'map': {
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj).sort(compareCodePoints);
      out.str('{');
      let first = true;
      for (const key of keys) {
        if (!first) out.str(',');
        first = false;
        out.str(quoteString(key));
        out.str(':');
        const item = obj[key];
        if (item === undefined || item === null) out.str(kind.of.k === 'message' ? 'null' : zeroText(kind.of));
        else writeValue(out, kind.of, item);
      }
      out.str('}');
      return;
    }
  }
}

function writeMessage(out: Output, schema: MessageSchema, value: Record<string, unknown>): void {
  out.str('{');
  let first = true;
  for (const field of schema.fields) {
    const v = value[field.name];
    const absent = v === undefined || v === null;
    if (!field.always && (absent || isZero(field.kind, v))) continue;
    if (!first) out.str(',');
    first = false;
    out.str(quoteString(field.name));
    out.str(':');
    if (absent) out.str(zeroText(field.kind));
    else writeValue(out, field.kind, v);
  }
  out.str('}');
}

/** Encodes `value` as the JSON form of `schema` (throws JsonEncodeError). */
export function encodeMessage(schema: MessageSchema, value: object): Buffer {
  const out = new Output();
  writeMessage(out, schema, value as Record<string, unknown>);
  return out.finish();
}

/** `{"error":{…}}` or `{"result":{…}}` for a unary method. */
export function encodeResponse<M extends ApiUnaryMethod>(method: M, response: ApiResponse<ApiResults[M]>): Buffer {
  const out = new Output();
  out.str('{');
  if (response.error !== undefined) {
    out.str('"error":');
    writeMessage(out, ErrorSchema, response.error as unknown as Record<string, unknown>);
  }
  if (response.result !== undefined) {
    if (response.error !== undefined) out.str(',');
    out.str('"result":');
    writeMessage(out, RESULT_SCHEMAS[method], response.result as Record<string, unknown>);
  }
  out.str('}');
  return out.finish();
}

/** The bare Error object of the transport error mode: `{"code":107,"message":"bad request"}`. */
export function encodeError(error: ApiErrorObject): Buffer {
  return encodeMessage(ErrorSchema, error);
}

/** The JSON of a method's result alone (legacy `Reply.result`). */
export function encodeResult<M extends ApiUnaryMethod>(method: M, result: ApiResults[M]): Buffer {
  return encodeMessage(RESULT_SCHEMAS[method], result);
}

/** `{"replies":[…]}` (empty list omitted: `{}`). */
export function encodeBatchResponse(response: BatchResponse): Buffer {
  return encodeMessage(BatchResponseSchema, response);
}

/** One reply object (`id`, `error`, raw `result`, or a typed result). */
export function encodeReply(reply: Reply): Buffer {
  return encodeMessage(ReplySchema, reply);
}
