/**
 * @module protocol/json — the JSON client protocol codec (Centrifugo's JSON client encoding rules, client protocol framing). Hand-written, not
 * protojson: snake_case names, raw JSON `bytes` fields, omit-empty with a few always-present fields.
 */
import { Buffer } from 'node:buffer';
import { ProtocolError, withDecoded } from './codec.js';
import type { Codec } from './codec.js';
import { JsonReader } from './json-reader.js';
import { JsonOut, writeMessage, writePublication } from './json-writer.js';
import { schema } from './schema.js';
import type { Command, ConnectRequest, EmulationRequest, ProtoPublication, Push, Reply } from './types.js';
import { asBuffer, isUtf8, isUtf8Range } from '../wire/utf8.js';

const NL = 0x0a;
const DEFAULT_MAX_MESSAGE_SIZE = 65536;

/** Shared scratch writer: encoding is synchronous and never re-entered. */
const out = new JsonOut();

type Obj = Record<string, unknown>;

/** `{"channel":"…","pub":` for the last channel seen (publications of one channel come in bursts). */
let lastChannel = '';
let lastHead = '{"pub":';
function pushHead(channel: string): string {
  if (channel !== lastChannel) {
    lastHead = channel ? '{"channel":' + JSON.stringify(channel) + ',"pub":' : '{"pub":';
    lastChannel = channel;
  }
  return lastHead;
}

class JsonCodec implements Codec {
  readonly type = 'json' as const;

  decodeCommands(frame: Uint8Array, maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE): Command[] {
    let end = frame.length;
    if (end > 0 && frame[end - 1] === NL) end--;
    if (end === 0) throw new ProtocolError('empty frame');
    // One native check for the whole frame; only a frame with bad bytes is checked line by line,
    // so that the commands before the bad line still count.
    const checkLines = !isUtf8(frame);
    const commands: Command[] = [];
    let start = 0;
    try {
      while (start <= end) {
        let stop = frame.indexOf(NL, start);
        if (stop === -1 || stop > end) stop = end;
        if (stop === start) throw new ProtocolError('empty line in frame');
        if (stop - start > maxMessageSize) throw new ProtocolError(`command of ${stop - start} bytes exceeds ${maxMessageSize}`);
        if (checkLines && !isUtf8Range(asBuffer(frame), start, stop)) throw new ProtocolError('command is not valid UTF-8');
        commands.push(new JsonReader(frame, start, stop).document(schema.Command));
        start = stop + 1;
      }
    } catch (err) {
      throw withDecoded(err, commands);
    }
    return commands;
  }

  encodeReply(reply: Reply): Uint8Array {
    out.reset();
    writeMessage(out, schema.Reply, reply as unknown as Obj);
    return out.finish();
  }

  encodePush(push: Push): Uint8Array {
    out.reset();
    writeMessage(out, schema.Push, push as unknown as Obj);
    return out.finish();
  }

  encodePublicationReply(channel: string, pub: ProtoPublication): Uint8Array {
    out.reset();
    out.s = '{"push":' + pushHead(channel);
    writePublication(out, pub);
    out.s += '}}';
    return out.finish();
  }

  encodePublicationPush(channel: string, pub: ProtoPublication): Uint8Array {
    out.reset();
    out.s = pushHead(channel);
    writePublication(out, pub);
    out.s += '}';
    return out.finish();
  }

  joinFrames(messages: readonly Uint8Array[]): Uint8Array {
    if (messages.length === 1) return messages[0]!;
    let total = messages.length > 0 ? messages.length - 1 : 0;
    for (const m of messages) total += m.length;
    const buf = Buffer.allocUnsafe(total);
    let pos = 0;
    for (let i = 0; i < messages.length; i++) {
      if (i > 0) buf[pos++] = NL;
      buf.set(messages[i]!, pos);
      pos += messages[i]!.length;
    }
    return buf;
  }

  decodeConnectRequest(data: Uint8Array): ConnectRequest {
    if (!isUtf8(data)) throw new ProtocolError('connect request is not valid UTF-8');
    const reader = new JsonReader(data);
    if (reader.isNullOrEmpty()) return {};
    return reader.document(schema.ConnectRequest);
  }

  decodeEmulationRequest(data: Uint8Array): EmulationRequest {
    if (!isUtf8(data)) throw new ProtocolError('emulation request is not valid UTF-8');
    const obj = new JsonReader(data).document(schema.EmulationRequestJson);
    const req: EmulationRequest = {};
    if (typeof obj.node === 'string') req.node = obj.node;
    if (typeof obj.session === 'string') req.session = obj.session;
    // In JSON, `data` is a string whose content is the command frame (Centrifugo's emulation messages).
    if (typeof obj.data !== 'string') throw new ProtocolError('emulation request data must be a JSON string');
    req.data = Buffer.from(obj.data, 'utf8');
    return req;
  }
}

export const jsonCodec: Codec = new JsonCodec();
