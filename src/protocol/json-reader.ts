/**
 * @module protocol/json-reader — schema-driven JSON decoding of client messages (Centrifugo's JSON client encoding rules).
 *
 * One pass over the bytes of a line: known fields are type-checked against the schema, `bytes`
 * fields keep the exact raw JSON text of their value, unknown fields are skipped (but must be
 * valid JSON), `null` means absent, the last duplicate key wins. The caller checks UTF-8 once.
 */
import type { Buffer } from 'node:buffer';
import { ProtocolError } from './codec.js';
import { lastStringEscaped, scanString, scanValue, skipWs } from '../wire/json-scan.js';
import type { FieldDesc, MessageDesc, ScalarType } from './schema.js';
import { asBuffer } from '../wire/utf8.js';

/** Nesting limit for schema messages (FilterNode is recursive); raw values are not limited. */
const MAX_DEPTH = 64;

const MAX_UINT32 = 0xffffffff;
const TWO_64 = 18446744073709551616;
const TWO_63 = 9223372036854775808;

type Obj = Record<string, unknown>;

/** Defines an own enumerable property (safe for keys like `__proto__`). */
export function setOwn(obj: Obj, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

export class JsonReader {
  private buf: Buffer;
  private pos: number;
  private end: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = asBuffer(buf);
    this.pos = start;
    this.end = end;
  }

  /** Reads a whole document that must be one object of type `desc`. */
  document(desc: MessageDesc): Obj {
    this.ws();
    const obj = this.message(desc, 0);
    this.ws();
    if (this.pos !== this.end) this.fail('unexpected data after the JSON value');
    return obj;
  }

  /** Whether the rest of the input is only `null` (or whitespace). */
  isNullOrEmpty(): boolean {
    const p = skipWs(this.buf, this.pos, this.end);
    if (p === this.end) return true;
    if (this.end - p >= 4 && this.buf.toString('latin1', p, p + 4) === 'null' && skipWs(this.buf, p + 4, this.end) === this.end) {
      return true;
    }
    return false;
  }

  fail(reason: string): never {
    throw new ProtocolError(`invalid JSON command at byte ${this.pos}: ${reason}`);
  }

  private ws(): void {
    this.pos = skipWs(this.buf, this.pos, this.end);
  }

  private peek(): number {
    if (this.pos >= this.end) this.fail('unexpected end of input');
    return this.buf[this.pos]!;
  }

  private expect(c: number, what: string): void {
    if (this.peek() !== c) this.fail(`expected ${what}`);
    this.pos++;
  }

  /** At a value: consumes `null` and returns true, else leaves the position unchanged. */
  private takeNull(): boolean {
    const b = this.buf;
    const p = this.pos;
    if (b[p] === 0x6e && b[p + 1] === 0x75 && b[p + 2] === 0x6c && b[p + 3] === 0x6c && p + 4 <= this.end) {
      this.pos = p + 4;
      return true;
    }
    return false;
  }

  private message(desc: MessageDesc, depth: number): Obj {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    const obj: Obj = {};
    if (this.openEmpty(0x7b, 0x7d, `an object for ${desc.name}`)) return obj;
    do {
      const key = this.memberKey();
      const field = desc.byJson.get(key);
      if (field === undefined) {
        this.skip();
      } else if (!this.takeNull()) {
        this.field(obj, field, depth);
      }
    } while (this.another(0x7d, "expected ',' or '}'"));
    return obj;
  }

  private field(obj: Obj, f: FieldDesc, depth: number): void {
    if (f.kind === 'map') {
      obj[f.name] = this.map(f, depth);
    } else if (f.repeated) {
      const list: unknown[] = [];
      if (!this.openEmpty(0x5b, 0x5d, `an array for ${f.json}`)) {
        do {
          list.push(this.element(f, depth));
        } while (this.another(0x5d, "expected ',' or ']'"));
      }
      obj[f.name] = list;
    } else {
      obj[f.name] = this.element(f, depth);
    }
  }

  private element(f: FieldDesc, depth: number): unknown {
    if (f.message !== undefined) return this.message(f.message, depth + 1);
    return this.scalar(f.scalar!, f.json);
  }

  private map(f: FieldDesc, depth: number): Obj {
    const out: Obj = {};
    if (this.openEmpty(0x7b, 0x7d, `an object for ${f.json}`)) return out;
    do {
      const key = this.memberKey();
      if (!this.takeNull()) setOwn(out, key, this.element(f, depth));
    } while (this.another(0x7d, "expected ',' or '}'"));
    return out;
  }

  /** Consumes the `open` byte of a container (failing with `what`) and, when it is empty, its `close`: true for an empty container. */
  private openEmpty(open: number, close: number, what: string): boolean {
    this.expect(open, what);
    this.ws();
    if (this.peek() !== close) return false;
    this.pos++;
    return true;
  }

  /** An object member's key and its `:`, leaving the cursor on the value. */
  private memberKey(): string {
    const key = this.string();
    this.ws();
    this.expect(0x3a, "':'");
    this.ws();
    return key;
  }

  /** After a container item: consumes `,` and the whitespace after it (true, another item follows) or `close` (false), else fails. */
  private another(close: number, expected: string): boolean {
    this.ws();
    const c = this.peek();
    this.pos++;
    if (c === close) return false;
    if (c !== 0x2c) this.fail(expected);
    this.ws();
    return true;
  }

  private scalar(t: ScalarType, name: string): unknown {
    switch (t) {
      case 'string':
        return this.string();
      case 'bytes':
        return this.raw();
      case 'bool':
        return this.bool(name);
      case 'uint32':
        return this.integer(name, false, MAX_UINT32);
      case 'int32':
        return this.integer(name, true, 0x7fffffff);
      case 'uint64':
        return this.integer(name, false, TWO_64 - 1);
      case 'int64':
      case 'sint64':
        return this.integer(name, true, TWO_63 - 1);
    }
  }

  /** A JSON string value, unescaped. */
  string(): string {
    if (this.peek() !== 0x22) this.fail('expected a string');
    const start = this.pos;
    const stop = scanString(this.buf, start, this.end);
    if (stop < 0) this.fail('invalid string');
    this.pos = stop;
    if (!lastStringEscaped) return this.buf.toString('utf8', start + 1, stop - 1);
    return JSON.parse(this.buf.toString('utf8', start, stop)) as string;
  }

  /** The exact bytes of the next JSON value (a copy, so the frame can be released). */
  private raw(): Uint8Array {
    const start = this.pos;
    const stop = scanValue(this.buf, start, this.end);
    if (stop < 0) this.fail('invalid JSON value');
    this.pos = stop;
    return new Uint8Array(this.buf.subarray(start, stop));
  }

  private skip(): void {
    const stop = scanValue(this.buf, this.pos, this.end);
    if (stop < 0) this.fail('invalid JSON value');
    this.pos = stop;
  }

  private bool(name: string): boolean {
    const b = this.buf;
    const p = this.pos;
    if (b[p] === 0x74 && b[p + 1] === 0x72 && b[p + 2] === 0x75 && b[p + 3] === 0x65 && p + 4 <= this.end) {
      this.pos = p + 4;
      return true;
    }
    if (b[p] === 0x66 && b[p + 1] === 0x61 && b[p + 2] === 0x6c && b[p + 3] === 0x73 && b[p + 4] === 0x65 && p + 5 <= this.end) {
      this.pos = p + 5;
      return false;
    }
    return this.fail(`${name} must be a boolean`);
  }

  /** An integer literal (no fraction or exponent), range-checked. */
  private integer(name: string, signed: boolean, max: number): number {
    const b = this.buf;
    let p = this.pos;
    let neg = false;
    if (b[p] === 0x2d) {
      if (!signed) this.fail(`${name} must be a non-negative integer`);
      neg = true;
      p++;
    }
    const digitsStart = p;
    let v = 0;
    while (p < this.end) {
      const c = b[p]!;
      if (c < 0x30 || c > 0x39) break;
      v = v * 10 + (c - 0x30);
      p++;
    }
    const nDigits = p - digitsStart;
    if (nDigits === 0) this.fail(`${name} must be an integer number`);
    if (nDigits > 1 && b[digitsStart] === 0x30) this.fail(`${name}: leading zero`);
    const next = p < this.end ? b[p]! : 0;
    if (next === 0x2e || next === 0x65 || next === 0x45) this.fail(`${name} must be an integer`);
    if (neg ? v > max + 1 : v > max) this.fail(`${name} out of range`);
    this.pos = p;
    return neg ? (v === 0 ? 0 : -v) : v;
  }
}
