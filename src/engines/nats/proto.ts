/**
 * @module engines/nats/proto — a tiny hand-written protobuf codec for the NATS wire payload.
 *
 * Centrifugo's NATS broker sends `protocol.Push{channel=2, pub=4 | join=5 | leave=6}` with the client
 * protocol numbering: `Publication{data=4, info=5, offset=6, tags=7 map, delta=8, time=9, channel=10}`,
 * `ClientInfo{user=1, client=2, conn_info=3, chan_info=4}`, `Join{info=1}`, `Leave{info=1}`.
 * Engines must not depend on `protocol/`, so only these few messages are implemented here. Unknown
 * fields are skipped on decode, as protobuf requires.
 */
import type { ClientInfo, Publication } from '../../core/types.js';

/** A NATS payload that is not a valid Push (truncated, wrong wire type, bad UTF-8…). */
export class NatsPayloadError extends Error {
  override readonly name = 'NatsPayloadError';
  readonly code = 'ERR_NATS_PAYLOAD';
}

/** A publication as it travels between nodes: the domain value plus the optional concrete channel. */
export interface WirePublication extends Publication {
  /** Publication.channel (10): set only for wildcard deliveries. */
  readonly channel?: string | undefined;
}

/** The decoded Push: exactly one of `pub`, `join`, `leave` is set. */
export type NatsPush =
  | { readonly kind: 'pub'; readonly channel: string; readonly pub: WirePublication }
  | { readonly kind: 'join'; readonly channel: string; readonly info: ClientInfo }
  | { readonly kind: 'leave'; readonly channel: string; readonly info: ClientInfo };

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const EMPTY = new Uint8Array(0);

/** Appends protobuf fields to a growable buffer. */
class Writer {
  private buf = new Uint8Array(64);
  private pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Non-negative integers up to 2^53 (offsets, times); negatives are written as 64-bit two's complement. */
  varint(value: number): void {
    this.ensure(10);
    if (value < 0) {
      let big = BigInt.asUintN(64, BigInt(Math.trunc(value)));
      while (big > 0x7fn) {
        this.buf[this.pos++] = Number(big & 0x7fn) | 0x80;
        big >>= 7n;
      }
      this.buf[this.pos++] = Number(big);
      return;
    }
    let v = Math.trunc(value);
    while (v > 0x7f) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  bytesField(field: number, value: Uint8Array): void {
    this.tag(field, WIRE_LEN);
    this.varint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  stringField(field: number, value: string): void {
    this.bytesField(field, utf8Encoder.encode(value));
  }

  varintField(field: number, value: number): void {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Reads protobuf fields from a byte slice; every read is bounds-checked. */
class Reader {
  pos: number;
  private readonly buf: Uint8Array;
  private readonly end: number;
  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    // A plain view, so that `slice` copies even when given a Buffer (whose `slice` is a view).
    this.buf = buf.constructor === Uint8Array ? buf : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
    this.end = end;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  varint(): number {
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new NatsPayloadError('truncated varint');
      const byte = this.buf[this.pos++] ?? 0;
      result += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) return result;
      multiplier *= 128;
    }
    throw new NatsPayloadError('varint too long');
  }

  /** Signed int64 varint (Publication.time): values >= 2^63 are negative. */
  int64(): number {
    const start = this.pos;
    const unsigned = this.varint();
    if (unsigned < 2 ** 63) return unsigned;
    let big = 0n;
    for (let i = this.pos - 1; i >= start; i--) big = (big << 7n) | BigInt((this.buf[i] ?? 0) & 0x7f);
    return Number(BigInt.asIntN(64, big));
  }

  bytes(): Uint8Array {
    const len = this.varint();
    if (len > this.end - this.pos) throw new NatsPayloadError('truncated length-delimited field');
    const out = this.buf.slice(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  /** A sub-reader over the next length-delimited field. */
  sub(): Reader {
    const len = this.varint();
    if (len > this.end - this.pos) throw new NatsPayloadError('truncated embedded message');
    const reader = new Reader(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return reader;
  }

  string(): string {
    try {
      return utf8Decoder.decode(this.bytes());
    } catch (err) {
      if (err instanceof NatsPayloadError) throw err;
      throw new NatsPayloadError('invalid utf-8 in string field', { cause: err });
    }
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_LEN:
        this.advance(this.varint());
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      default:
        throw new NatsPayloadError(`unsupported wire type ${wireType}`);
    }
  }

  private advance(n: number): void {
    if (n > this.end - this.pos) throw new NatsPayloadError('truncated field');
    this.pos += n;
  }
}

function expectWire(actual: number, expected: number, what: string): void {
  if (actual !== expected) throw new NatsPayloadError(`unexpected wire type ${actual} for ${what}`);
}

function encodeClientInfo(info: ClientInfo): Uint8Array {
  const w = new Writer();
  if (info.userId !== '') w.stringField(1, info.userId);
  if (info.clientId !== '') w.stringField(2, info.clientId);
  if (info.connInfo !== undefined && info.connInfo.length > 0) w.bytesField(3, info.connInfo);
  if (info.chanInfo !== undefined && info.chanInfo.length > 0) w.bytesField(4, info.chanInfo);
  return w.finish();
}

function decodeClientInfo(r: Reader): ClientInfo {
  let userId = '';
  let clientId = '';
  let connInfo: Uint8Array | undefined;
  let chanInfo: Uint8Array | undefined;
  while (!r.done) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    switch (field) {
      case 1:
        expectWire(wire, WIRE_LEN, 'ClientInfo.user');
        userId = r.string();
        break;
      case 2:
        expectWire(wire, WIRE_LEN, 'ClientInfo.client');
        clientId = r.string();
        break;
      case 3:
        expectWire(wire, WIRE_LEN, 'ClientInfo.conn_info');
        connInfo = r.bytes();
        break;
      case 4:
        expectWire(wire, WIRE_LEN, 'ClientInfo.chan_info');
        chanInfo = r.bytes();
        break;
      default:
        r.skip(wire);
    }
  }
  return {
    clientId,
    userId,
    ...(connInfo !== undefined ? { connInfo } : {}),
    ...(chanInfo !== undefined ? { chanInfo } : {}),
  };
}

/** Encodes `Publication` (client protocol numbering). */
export function encodePublication(pub: WirePublication): Uint8Array {
  const w = new Writer();
  if (pub.data.length > 0) w.bytesField(4, pub.data);
  if (pub.info !== undefined) w.bytesField(5, encodeClientInfo(pub.info));
  if (pub.offset > 0) w.varintField(6, pub.offset);
  if (pub.tags !== undefined) {
    for (const [key, value] of Object.entries(pub.tags)) {
      const entry = new Writer();
      if (key !== '') entry.stringField(1, key);
      if (value !== '') entry.stringField(2, value);
      w.bytesField(7, entry.finish());
    }
  }
  if (pub.delta === true) w.varintField(8, 1);
  if (pub.timeMs !== undefined && pub.timeMs !== 0) w.varintField(9, pub.timeMs);
  if (pub.channel !== undefined && pub.channel !== '') w.stringField(10, pub.channel);
  return w.finish();
}

function decodeTagEntry(r: Reader): [string, string] {
  let key = '';
  let value = '';
  while (!r.done) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 1) {
      expectWire(wire, WIRE_LEN, 'tags key');
      key = r.string();
    } else if (field === 2) {
      expectWire(wire, WIRE_LEN, 'tags value');
      value = r.string();
    } else {
      r.skip(wire);
    }
  }
  return [key, value];
}

function decodePublicationFrom(r: Reader): WirePublication {
  let data: Uint8Array = EMPTY;
  let info: ClientInfo | undefined;
  let offset = 0;
  let tags: Record<string, string> | undefined;
  let delta = false;
  let timeMs = 0;
  let channel = '';
  while (!r.done) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    switch (field) {
      case 4:
        expectWire(wire, WIRE_LEN, 'Publication.data');
        data = r.bytes();
        break;
      case 5:
        expectWire(wire, WIRE_LEN, 'Publication.info');
        info = decodeClientInfo(r.sub());
        break;
      case 6:
        expectWire(wire, WIRE_VARINT, 'Publication.offset');
        offset = r.varint();
        break;
      case 7: {
        expectWire(wire, WIRE_LEN, 'Publication.tags');
        const [k, v] = decodeTagEntry(r.sub());
        tags ??= {};
        tags[k] = v;
        break;
      }
      case 8:
        expectWire(wire, WIRE_VARINT, 'Publication.delta');
        delta = r.varint() !== 0;
        break;
      case 9:
        expectWire(wire, WIRE_VARINT, 'Publication.time');
        timeMs = r.int64();
        break;
      case 10:
        expectWire(wire, WIRE_LEN, 'Publication.channel');
        channel = r.string();
        break;
      default:
        r.skip(wire);
    }
  }
  return {
    offset,
    data,
    ...(info !== undefined ? { info } : {}),
    ...(tags !== undefined ? { tags } : {}),
    ...(timeMs !== 0 ? { timeMs } : {}),
    ...(delta ? { delta } : {}),
    ...(channel !== '' ? { channel } : {}),
  };
}

/** Decodes a bare `Publication`. Throws NatsPayloadError on malformed input. */
export function decodePublication(bytes: Uint8Array): WirePublication {
  return decodePublicationFrom(new Reader(bytes));
}

function wrapInfo(info: ClientInfo): Uint8Array {
  const w = new Writer();
  w.bytesField(1, encodeClientInfo(info));
  return w.finish();
}

/** Encodes `Push{channel, pub}`. */
export function encodePublicationPush(channel: string, pub: WirePublication): Uint8Array {
  const w = new Writer();
  if (channel !== '') w.stringField(2, channel);
  w.bytesField(4, encodePublication(pub));
  return w.finish();
}

/** Encodes `Push{channel, join{info}}`. */
export function encodeJoinPush(channel: string, info: ClientInfo): Uint8Array {
  const w = new Writer();
  if (channel !== '') w.stringField(2, channel);
  w.bytesField(5, wrapInfo(info));
  return w.finish();
}

/** Encodes `Push{channel, leave{info}}`. */
export function encodeLeavePush(channel: string, info: ClientInfo): Uint8Array {
  const w = new Writer();
  if (channel !== '') w.stringField(2, channel);
  w.bytesField(6, wrapInfo(info));
  return w.finish();
}

function decodeJoinLeave(r: Reader): ClientInfo {
  let info: ClientInfo = { clientId: '', userId: '' };
  while (!r.done) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 1) {
      expectWire(wire, WIRE_LEN, 'Join/Leave.info');
      info = decodeClientInfo(r.sub());
    } else {
      r.skip(wire);
    }
  }
  return info;
}

/**
 * Decodes a Push carrying pub, join or leave. Throws NatsPayloadError when the bytes are malformed
 * or the push carries none of the three (when several are present, the last one wins, as in protobuf
 * oneof semantics).
 */
export function decodePush(bytes: Uint8Array): NatsPush {
  const r = new Reader(bytes);
  let channel = '';
  let body: { kind: 'pub'; pub: WirePublication } | { kind: 'join' | 'leave'; info: ClientInfo } | undefined;
  while (!r.done) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 0) throw new NatsPayloadError('invalid field number 0');
    switch (field) {
      case 2:
        expectWire(wire, WIRE_LEN, 'Push.channel');
        channel = r.string();
        break;
      case 4:
        expectWire(wire, WIRE_LEN, 'Push.pub');
        body = { kind: 'pub', pub: decodePublicationFrom(r.sub()) };
        break;
      case 5:
        expectWire(wire, WIRE_LEN, 'Push.join');
        body = { kind: 'join', info: decodeJoinLeave(r.sub()) };
        break;
      case 6:
        expectWire(wire, WIRE_LEN, 'Push.leave');
        body = { kind: 'leave', info: decodeJoinLeave(r.sub()) };
        break;
      default:
        r.skip(wire);
    }
  }
  if (body === undefined) throw new NatsPayloadError('push carries no publication, join or leave');
  return body.kind === 'pub'
    ? { kind: 'pub', channel, pub: body.pub }
    : { kind: body.kind, channel, info: body.info };
}

