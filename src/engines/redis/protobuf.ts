/**
 * @module engines/redis/protobuf — a tiny hand-written protobuf codec for the two messages that travel
 * inside Redis PUB/SUB payloads, history streams and presence hashes (client protocol numbering):
 *
 * - `Publication { data = 4 bytes; info = 5 ClientInfo; offset = 6 uint64; tags = 7 map<string,string>;
 *   delta = 8 bool; time = 9 int64 (unix ms); channel = 10 string }`
 * - `ClientInfo { user = 1 string; client = 2 string; conn_info = 3 bytes; chan_info = 4 bytes }`
 *
 * Engines must not import the client protocol codec, hence this small copy of the wire rules.
 */
import type { ClientInfo, Publication } from '../../core/types.js';

/** Malformed protobuf bytes. */
export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

/** Growable output buffer. */
class Writer {
  #buf = new Uint8Array(64);
  #pos = 0;

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
  }

  /** Unsigned varint of a non-negative integer up to 2^53 (or any int64 as bigint). */
  varint(value: number | bigint): void {
    this.#ensure(10);
    if (typeof value === 'bigint' || value < 0 || !Number.isSafeInteger(value)) {
      let v = BigInt.asUintN(64, BigInt(value));
      while (v >= 0x80n) {
        this.#buf[this.#pos++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      this.#buf[this.#pos++] = Number(v);
      return;
    }
    let v = value;
    while (v >= 0x80) {
      this.#buf[this.#pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.#buf[this.#pos++] = v;
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, WIRE_BYTES);
    this.varint(value.length);
    this.#ensure(value.length);
    this.#buf.set(value, this.#pos);
    this.#pos += value.length;
  }

  string(field: number, value: string): void {
    this.bytes(field, utf8.encode(value));
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
  }
}

/** Sequential reader over one message. */
class Reader {
  readonly #buf: Uint8Array;
  #pos: number;
  readonly #end: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.#buf = buf;
    this.#pos = start;
    this.#end = end;
  }

  get done(): boolean {
    return this.#pos >= this.#end;
  }

  /** Varint as a number (exact up to 2^53; larger values lose precision, as all offsets are < 2^53). */
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.#pos >= this.#end) throw new ProtobufDecodeError('truncated varint');
      const b = this.#buf[this.#pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new ProtobufDecodeError('varint too long');
  }

  /** Varint interpreted as a signed int64 (two's complement), as a number. */
  int64(): number {
    const start = this.#pos;
    const value = this.varint();
    if (value < 2 ** 63) return value;
    // Negative: re-read exactly with BigInt.
    let v = 0n;
    let shift = 0n;
    for (let p = start; p < this.#pos; p++) {
      v |= BigInt(this.#buf[p]! & 0x7f) << shift;
      shift += 7n;
    }
    return Number(BigInt.asIntN(64, v));
  }

  /** Length-delimited field: returns [start, end) within the buffer. */
  span(): [number, number] {
    const len = this.varint();
    const start = this.#pos;
    const end = start + len;
    if (end > this.#end) throw new ProtobufDecodeError('truncated length-delimited field');
    this.#pos = end;
    return [start, end];
  }

  bytes(): Uint8Array {
    const [start, end] = this.span();
    // A plain Uint8Array copy even when the input is a Node Buffer (Redis replies are Buffers).
    return new Uint8Array(this.#buf.subarray(start, end));
  }

  string(): string {
    const [start, end] = this.span();
    return utf8Decoder.decode(this.#buf.subarray(start, end));
  }

  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.#advance(8);
        return;
      case WIRE_BYTES:
        this.span();
        return;
      case WIRE_FIXED32:
        this.#advance(4);
        return;
      default:
        throw new ProtobufDecodeError(`unsupported wire type ${wire}`);
    }
  }

  #advance(n: number): void {
    if (this.#pos + n > this.#end) throw new ProtobufDecodeError('truncated fixed field');
    this.#pos += n;
  }

  buffer(): Uint8Array {
    return this.#buf;
  }
}

function writeClientInfo(w: Writer, info: ClientInfo): void {
  if (info.userId !== '') w.string(1, info.userId);
  if (info.clientId !== '') w.string(2, info.clientId);
  if (info.connInfo !== undefined && info.connInfo.length > 0) w.bytes(3, info.connInfo);
  if (info.chanInfo !== undefined && info.chanInfo.length > 0) w.bytes(4, info.chanInfo);
}

/** Encodes a ClientInfo message. */
export function encodeClientInfo(info: ClientInfo): Uint8Array {
  const w = new Writer();
  writeClientInfo(w, info);
  return w.finish();
}

function readClientInfo(buf: Uint8Array, start: number, end: number): ClientInfo {
  const r = new Reader(buf, start, end);
  let userId = '';
  let clientId = '';
  let connInfo: Uint8Array | undefined;
  let chanInfo: Uint8Array | undefined;
  while (!r.done) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 1 && wire === WIRE_BYTES) userId = r.string();
    else if (field === 2 && wire === WIRE_BYTES) clientId = r.string();
    else if (field === 3 && wire === WIRE_BYTES) connInfo = r.bytes();
    else if (field === 4 && wire === WIRE_BYTES) chanInfo = r.bytes();
    else r.skip(wire);
  }
  const info: { clientId: string; userId: string; connInfo?: Uint8Array; chanInfo?: Uint8Array } = {
    clientId,
    userId,
  };
  if (connInfo !== undefined) info.connInfo = connInfo;
  if (chanInfo !== undefined) info.chanInfo = chanInfo;
  return info;
}

/** Decodes a ClientInfo message; throws ProtobufDecodeError on malformed input. */
export function decodeClientInfo(buf: Uint8Array): ClientInfo {
  return readClientInfo(buf, 0, buf.length);
}

/** Extra fields of the wire Publication that the domain type does not carry. */
export interface EncodePublicationExtras {
  readonly channel?: string | undefined;
}

/** Encodes a Publication (offset only when > 0, as proto3 omits zero values). */
export function encodePublication(pub: Publication, extras: EncodePublicationExtras = {}): Uint8Array {
  const w = new Writer();
  if (pub.data.length > 0) w.bytes(4, pub.data);
  if (pub.info !== undefined) {
    const info = encodeClientInfo(pub.info);
    w.bytes(5, info);
  }
  if (pub.offset > 0) {
    w.tag(6, WIRE_VARINT);
    w.varint(pub.offset);
  }
  if (pub.tags !== undefined) {
    for (const [k, v] of Object.entries(pub.tags)) {
      const entry = new Writer();
      entry.string(1, k);
      entry.string(2, v);
      w.bytes(7, entry.finish());
    }
  }
  if (pub.delta === true) {
    w.tag(8, WIRE_VARINT);
    w.varint(1);
  }
  if (pub.timeMs !== undefined && pub.timeMs !== 0) {
    w.tag(9, WIRE_VARINT);
    w.varint(Math.trunc(pub.timeMs));
  }
  if (extras.channel !== undefined && extras.channel !== '') w.string(10, extras.channel);
  return w.finish();
}

function readMapEntry(buf: Uint8Array, start: number, end: number): [string, string] {
  const r = new Reader(buf, start, end);
  let k = '';
  let v = '';
  while (!r.done) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 1 && wire === WIRE_BYTES) k = r.string();
    else if (field === 2 && wire === WIRE_BYTES) v = r.string();
    else r.skip(wire);
  }
  return [k, v];
}

/** Decodes a Publication; throws ProtobufDecodeError on malformed input. */
export function decodePublication(buf: Uint8Array, start = 0, end = buf.length): Publication {
  const r = new Reader(buf, start, end);
  let data: Uint8Array = new Uint8Array(0);
  let info: ClientInfo | undefined;
  let offset = 0;
  let tags: Record<string, string> | undefined;
  let delta = false;
  let timeMs = 0;
  while (!r.done) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 4 && wire === WIRE_BYTES) data = r.bytes();
    else if (field === 5 && wire === WIRE_BYTES) {
      const [s, e] = r.span();
      info = readClientInfo(r.buffer(), s, e);
    } else if (field === 6 && wire === WIRE_VARINT) offset = r.varint();
    else if (field === 7 && wire === WIRE_BYTES) {
      const [s, e] = r.span();
      const [k, v] = readMapEntry(r.buffer(), s, e);
      tags ??= {};
      tags[k] = v;
    } else if (field === 8 && wire === WIRE_VARINT) delta = r.varint() !== 0;
    else if (field === 9 && wire === WIRE_VARINT) timeMs = r.int64();
    else r.skip(wire);
  }
  const pub: {
    offset: number;
    data: Uint8Array;
    info?: ClientInfo;
    tags?: Record<string, string>;
    timeMs?: number;
    delta?: boolean;
  } = { offset, data };
  if (info !== undefined) pub.info = info;
  if (tags !== undefined) pub.tags = tags;
  if (timeMs !== 0) pub.timeMs = timeMs;
  if (delta) pub.delta = true;
  return pub;
}
