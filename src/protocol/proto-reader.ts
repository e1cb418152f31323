/**
 * @module protocol/proto-reader — schema-driven protobuf decoding of client messages.
 *
 * Strict where Go's decoder is strict (truncation, bad wire types for known fields, invalid UTF-8
 * in strings, bad field numbers), lenient where protobuf is (unknown fields skipped, repeated
 * fields appended, last scalar wins). Every failure is a ProtocolError.
 */
import type { Buffer } from 'node:buffer';
import { ProtocolError } from './codec.js';
import { setOwn } from './json-reader.js';
import type { FieldDesc, MessageDesc } from './schema.js';
import { asBuffer, isUtf8Range } from '../wire/utf8.js';
import { ByteCursor, VarintError } from '../wire/varint.js';

const MAX_DEPTH = 64;

type Obj = Record<string, unknown>;

export class ProtoReader extends ByteCursor {
  private readonly b: Buffer;

  constructor(buf: Uint8Array, pos = 0, end = buf.length) {
    const b = asBuffer(buf);
    super(b, pos, end);
    this.b = b;
  }

  fail(reason: string): never {
    throw new ProtocolError(`invalid protobuf message at byte ${this.pos}: ${reason}`);
  }

  /** Length prefix of a delimited body; returns the body end. */
  lengthEnd(): number {
    const len = this.uint32Strict();
    const stop = this.pos + len;
    if (stop > this.end) this.fail('length beyond the end of the message');
    return stop;
  }

  stringValue(): string {
    const stop = this.lengthEnd();
    if (!isUtf8Range(this.b, this.pos, stop)) this.fail('string field is not valid UTF-8');
    const s = this.b.toString('utf8', this.pos, stop);
    this.pos = stop;
    return s;
  }

  bytesValue(): Uint8Array {
    const stop = this.lengthEnd();
    // A copy: decoded payloads may outlive the frame (history, queues).
    const out = new Uint8Array(this.b.subarray(this.pos, stop));
    this.pos = stop;
    return out;
  }

  skip(wireType: number, depth = 0): void {
    switch (wireType) {
      case 0:
        this.varint64();
        return;
      case 1:
        this.advance(8);
        return;
      case 2:
        this.pos = this.lengthEnd();
        return;
      case 5:
        this.advance(4);
        return;
      case 3: {
        // Deprecated group: skip fields up to the matching end-group tag.
        if (depth > MAX_DEPTH) this.fail('groups nested too deep');
        for (;;) {
          if (this.pos >= this.end) this.fail('unterminated group');
          const tag = this.uint32Strict();
          const wt = tag & 7;
          if (tag >>> 3 === 0) this.fail('field number 0');
          if (wt === 4) return;
          this.skip(wt, depth + 1);
        }
      }
      default:
        this.fail(`invalid wire type ${wireType}`);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) this.fail('truncated fixed-size field');
    this.pos += n;
  }

  /** Decodes a message body spanning up to `end`. */
  message(desc: MessageDesc, end: number, depth: number): Obj {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    const outerEnd = this.end;
    this.end = end;
    const obj: Obj = {};
    while (this.pos < end) {
      const tag = this.uint32Strict();
      const no = tag >>> 3;
      const wt = tag & 7;
      if (no === 0) this.fail('field number 0');
      const f = desc.byNo[no];
      if (f === undefined) {
        if (wt === 4) this.fail('unexpected end-group tag');
        this.skip(wt);
        continue;
      }
      if (wt !== f.wireType) this.fail(`wrong wire type ${wt} for ${desc.name}.${f.json}`);
      if (f.kind === 'map') {
        let m = obj[f.name] as Obj | undefined;
        if (m === undefined) obj[f.name] = m = {};
        this.mapEntry(f, m, depth);
      } else if (f.repeated) {
        let list = obj[f.name] as unknown[] | undefined;
        if (list === undefined) obj[f.name] = list = [];
        list.push(this.value(f, depth));
      } else if (f.message !== undefined) {
        // A repeated occurrence of a singular message field merges (protobuf rule).
        const prev = obj[f.name] as Obj | undefined;
        const next = this.value(f, depth) as Obj;
        obj[f.name] = prev === undefined ? next : mergeMessages(prev, next, f.message);
      } else {
        obj[f.name] = this.value(f, depth);
      }
    }
    if (this.pos !== end) this.fail('message overruns its length');
    this.end = outerEnd;
    return obj;
  }

  private value(f: FieldDesc, depth: number): unknown {
    if (f.message !== undefined) {
      const stop = this.lengthEnd();
      return this.message(f.message, stop, depth + 1);
    }
    switch (f.scalar) {
      case 'string':
        return this.stringValue();
      case 'bytes':
        return this.bytesValue();
      case 'bool':
        return this.bool();
      case 'uint32':
        return this.uint32();
      case 'int32':
        return this.int32();
      case 'uint64':
        return this.uint64();
      case 'int64':
        return this.int64();
      case 'sint64':
      case undefined:
        return this.sint64();
    }
  }

  private mapEntry(f: FieldDesc, m: Obj, depth: number): void {
    const stop = this.lengthEnd();
    const outerEnd = this.end;
    this.end = stop;
    let key = '';
    let value: unknown;
    while (this.pos < stop) {
      const tag = this.uint32Strict();
      if (tag === 0x0a) key = this.stringValue();
      else if (tag === 0x12) value = this.value(f, depth);
      else if (tag >>> 3 === 0) this.fail('field number 0');
      else if (tag >>> 3 === 1 || tag >>> 3 === 2) this.fail(`wrong wire type in map entry of ${f.json}`);
      else this.skip(tag & 7);
    }
    this.end = outerEnd;
    if (value === undefined) value = f.message !== undefined ? {} : '';
    setOwn(m, key, value);
  }
}

/** Protobuf merge of two decodings of the same singular message field. */
function mergeMessages(a: Obj, b: Obj, desc: MessageDesc): Obj {
  const out: Obj = { ...a };
  for (const f of desc.fields) {
    const bv = b[f.name];
    if (bv === undefined) continue;
    const av = out[f.name];
    if (av === undefined) out[f.name] = bv;
    else if (f.kind === 'map') out[f.name] = mergeMaps(av as Obj, bv as Obj);
    else if (f.repeated) out[f.name] = [...(av as unknown[]), ...(bv as unknown[])];
    else if (f.message !== undefined) out[f.name] = mergeMessages(av as Obj, bv as Obj, f.message);
    else out[f.name] = bv;
  }
  return out;
}

function mergeMaps(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const k of Object.keys(b)) setOwn(out, k, b[k]);
  return out;
}

/** Runs `fn`, turning varint errors into ProtocolError. */
export function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof VarintError) throw new ProtocolError(`invalid protobuf: ${e.message}`, { cause: e });
    throw e;
  }
}
