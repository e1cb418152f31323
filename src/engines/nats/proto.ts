/**
 * @module engines/nats/proto — the NATS wire payload: Centrifugo's NATS broker sends
 * `protocol.Push{channel=2, pub=4 | join=5 | leave=6}` with `Join{info=1}`, `Leave{info=1}`, and the
 * `Publication` / `ClientInfo` of `engines/wire-protobuf` in NATS's dialect: strict decoding (a known
 * field with another wire type or invalid UTF-8 is a NatsPayloadError), Publication.channel read, and
 * empty map keys and values left out.
 */
import type { ClientInfo } from '../../core/types.js';
import {
  WIRE_LEN,
  WireReader,
  WireWriter,
  encodeClientInfo,
  encodePublication as encodeWirePublication,
  readClientInfo,
  readPublication,
} from '../wire-protobuf.js';
import type { WireDialect, WirePublication } from '../wire-protobuf.js';

export type { WirePublication } from '../wire-protobuf.js';

/** A NATS payload that is not a valid Push (truncated, wrong wire type, bad UTF-8…). */
export class NatsPayloadError extends Error {
  override readonly name = 'NatsPayloadError';
  readonly code = 'ERR_NATS_PAYLOAD';
}

/** The decoded Push: exactly one of `pub`, `join`, `leave` is set. */
export type NatsPush =
  | { readonly kind: 'pub'; readonly channel: string; readonly pub: WirePublication }
  | { readonly kind: 'join'; readonly channel: string; readonly info: ClientInfo }
  | { readonly kind: 'leave'; readonly channel: string; readonly info: ClientInfo };

const NATS_WIRE: WireDialect = {
  error: NatsPayloadError,
  strictUtf8: true,
  strictWireTypes: true,
  readChannel: true,
  emptyMapFields: false,
};

/** Encodes `Publication` (client protocol numbering). */
export function encodePublication(pub: WirePublication): Uint8Array {
  return encodeWirePublication(pub, pub.channel, NATS_WIRE);
}

/** Decodes a bare `Publication`. Throws NatsPayloadError on malformed input. */
export function decodePublication(bytes: Uint8Array): WirePublication {
  return readPublication(new WireReader(bytes, NATS_WIRE));
}

/** `Join{info}` / `Leave{info}`: the same single field. */
function wrapInfo(info: ClientInfo): Uint8Array {
  const w = new WireWriter();
  w.bytesField(1, encodeClientInfo(info));
  return w.finish();
}

function encodePush(channel: string, field: number, body: Uint8Array): Uint8Array {
  const w = new WireWriter();
  if (channel !== '') w.stringField(2, channel);
  w.bytesField(field, body);
  return w.finish();
}

/** Encodes `Push{channel, pub}`. */
export function encodePublicationPush(channel: string, pub: WirePublication): Uint8Array {
  return encodePush(channel, 4, encodePublication(pub));
}

/** Encodes `Push{channel, join{info}}`. */
export function encodeJoinPush(channel: string, info: ClientInfo): Uint8Array {
  return encodePush(channel, 5, wrapInfo(info));
}

/** Encodes `Push{channel, leave{info}}`. */
export function encodeLeavePush(channel: string, info: ClientInfo): Uint8Array {
  return encodePush(channel, 6, wrapInfo(info));
}

function readJoinLeave(r: WireReader): ClientInfo {
  let info: ClientInfo = { clientId: '', userId: '' };
  while (!r.done) {
    if (r.field() === 1 && r.wireIs(WIRE_LEN, 'Join/Leave.info')) info = readClientInfo(r.sub());
    else r.skip();
  }
  return info;
}

/**
 * Decodes a Push carrying pub, join or leave. Throws NatsPayloadError when the bytes are malformed
 * or the push carries none of the three (when several are present, the last one wins, as in protobuf
 * oneof semantics).
 */
export function decodePush(bytes: Uint8Array): NatsPush {
  const r = new WireReader(bytes, NATS_WIRE);
  let channel = '';
  let body: { kind: 'pub'; pub: WirePublication } | { kind: 'join' | 'leave'; info: ClientInfo } | undefined;
  while (!r.done) {
    const field = r.field();
    if (field === 0) throw new NatsPayloadError('invalid field number 0');
    if (field === 2 && r.wireIs(WIRE_LEN, 'Push.channel')) channel = r.string();
    else if (field === 4 && r.wireIs(WIRE_LEN, 'Push.pub')) body = { kind: 'pub', pub: readPublication(r.sub()) };
    else if (field === 5 && r.wireIs(WIRE_LEN, 'Push.join')) body = { kind: 'join', info: readJoinLeave(r.sub()) };
    else if (field === 6 && r.wireIs(WIRE_LEN, 'Push.leave')) body = { kind: 'leave', info: readJoinLeave(r.sub()) };
    else r.skip();
  }
  if (body === undefined) throw new NatsPayloadError('push carries no publication, join or leave');
  return body.kind === 'pub'
    ? { kind: 'pub', channel, pub: body.pub }
    : { kind: body.kind, channel, info: body.info };
}
