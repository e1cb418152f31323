/**
 * @module engines/redis/payload — PUB/SUB payload framing (Centrifugo's Redis PUB/SUB payload format):
 *
 * - raw protobuf `Publication` — publication without history (offset 0);
 * - `__p1:<offset>:<epoch>__<Publication>` — publication with history;
 * - `__d1:<offset>:<epoch>:<prevLen>:<prevPayload>:<len>:<payload>` — with history and delta (payloads are
 *   protobuf Publications, lengths in bytes; `prevLen` 0 = no previous publication);
 * - `__j__<ClientInfo>` / `__l__<ClientInfo>` — join / leave.
 *
 * The `__p1`/`__d1` frames are built inside the publish Lua script; the builders here mirror it for tests.
 */
import type { ClientInfo, Publication, StreamPosition } from '../../core/types.js';
import { decodeClientInfo, decodePublication } from './protobuf.js';

/** A PUB/SUB payload that does not follow the framing rules. */
export class MalformedPayloadError extends Error {
  override readonly name = 'MalformedPayloadError';
}

/** One decoded data-channel message. */
export type PubSubMessage =
  | {
      readonly kind: 'publication';
      readonly publication: Publication;
      readonly position: StreamPosition;
      readonly prev?: Publication | undefined;
    }
  | { readonly kind: 'join'; readonly info: ClientInfo }
  | { readonly kind: 'leave'; readonly info: ClientInfo };

const UNDERSCORE = 0x5f;
const COLON = 0x3a;
const JOIN_PREFIX = Buffer.from('__j__');
const LEAVE_PREFIX = Buffer.from('__l__');
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

/** `__j__` + ClientInfo. */
export function encodeJoinPayload(info: Uint8Array): Buffer {
  return Buffer.concat([JOIN_PREFIX, info]);
}

/** `__l__` + ClientInfo. */
export function encodeLeavePayload(info: Uint8Array): Buffer {
  return Buffer.concat([LEAVE_PREFIX, info]);
}

/** `__p1:<offset>:<epoch>__` + payload (what the publish script sends). */
export function framePublication(offset: number, epoch: string, payload: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`__p1:${offset}:${epoch}__`), payload]);
}

/** `__d1:<offset>:<epoch>:<prevLen>:<prev>:<len>:<payload>` (what the publish script sends with delta). */
export function frameDeltaPublication(offset: number, epoch: string, prev: Uint8Array, payload: Uint8Array): Buffer {
  return Buffer.concat([
    Buffer.from(`__d1:${offset}:${epoch}:${prev.length}:`),
    prev,
    Buffer.from(`:${payload.length}:`),
    payload,
  ]);
}

/** Reads a field terminated by `:` starting at `pos`; returns [text, position after the colon]. */
function readField(buf: Uint8Array, pos: number, what: string): [string, number] {
  const end = buf.indexOf(COLON, pos);
  if (end < 0) throw new MalformedPayloadError(`missing ${what}`);
  return [utf8.decode(buf.subarray(pos, end)), end + 1];
}

function parseCount(text: string, what: string): number {
  if (!/^\d{1,16}$/.test(text)) throw new MalformedPayloadError(`bad ${what}: ${JSON.stringify(text)}`);
  return Number(text);
}

function withOffset(pub: Publication, offset: number): Publication {
  return pub.offset === 0 && offset !== 0 ? { ...pub, offset } : pub;
}

function decodeP1(buf: Uint8Array): PubSubMessage {
  // __p1:<offset>:<epoch>__<payload>
  const [offsetText, epochStart] = readField(buf, 5, 'offset');
  const offset = parseCount(offsetText, 'offset');
  let end = -1;
  for (let i = epochStart; i + 1 < buf.length; i++) {
    if (buf[i] === UNDERSCORE && buf[i + 1] === UNDERSCORE) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new MalformedPayloadError('unterminated __p1 header');
  const epoch = utf8.decode(buf.subarray(epochStart, end));
  const publication = withOffset(decodePublication(buf, end + 2, buf.length), offset);
  return { kind: 'publication', publication, position: { offset, epoch } };
}

function decodeD1(buf: Uint8Array): PubSubMessage {
  // __d1:<offset>:<epoch>:<prevLen>:<prev>:<len>:<payload>
  const [offsetText, p1] = readField(buf, 5, 'offset');
  const offset = parseCount(offsetText, 'offset');
  const [epoch, p2] = readField(buf, p1, 'epoch');
  const [prevLenText, p3] = readField(buf, p2, 'previous length');
  const prevLen = parseCount(prevLenText, 'previous length');
  const prevEnd = p3 + prevLen;
  if (prevEnd >= buf.length || buf[prevEnd] !== COLON) throw new MalformedPayloadError('bad previous payload');
  const [lenText, p4] = readField(buf, prevEnd + 1, 'length');
  const len = parseCount(lenText, 'length');
  if (p4 + len !== buf.length) throw new MalformedPayloadError('bad payload length');
  const publication = withOffset(decodePublication(buf, p4, buf.length), offset);
  const position = { offset, epoch };
  if (prevLen === 0) return { kind: 'publication', publication, position };
  const prev = withOffset(decodePublication(buf, p3, prevEnd), offset - 1);
  return { kind: 'publication', publication, position, prev };
}

/**
 * Decodes a payload received on a `P.client.<channel>` PUB/SUB channel. Throws MalformedPayloadError
 * (or ProtobufDecodeError) for payloads that do not follow the framing.
 */
export function decodePubSubPayload(buf: Uint8Array): PubSubMessage {
  if (buf.length < 2 || buf[0] !== UNDERSCORE || buf[1] !== UNDERSCORE) {
    const publication = decodePublication(buf);
    return { kind: 'publication', publication, position: { offset: publication.offset, epoch: '' } };
  }
  const head = latin1.decode(buf.subarray(0, Math.min(buf.length, 5)));
  if (head === '__j__') return { kind: 'join', info: decodeClientInfo(buf.subarray(5)) };
  if (head === '__l__') return { kind: 'leave', info: decodeClientInfo(buf.subarray(5)) };
  if (head === '__p1:') return decodeP1(buf);
  if (head === '__d1:') return decodeD1(buf);
  throw new MalformedPayloadError(`unknown payload header ${JSON.stringify(head)}`);
}
