/** @module protocol/codec — the contract of the two client-protocol encodings. */
import type { Command, ConnectRequest, EmulationRequest, ProtoPublication, Push, Reply } from './types.js';

export type ProtocolType = 'json' | 'protobuf';

/**
 * A frame could not be decoded; the client turns it into Disconnect BadRequest. Thrown by
 * `decodeCommands`, it carries in `decoded` the commands of the frame that came before the first
 * undecodable one: like Centrifugo, which decodes and runs a frame's commands one by one, the client
 * runs (and answers) those before it closes the connection.
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code = 'ERR_PROTOCOL';
  /** Commands decoded before the failure (only set by `decodeCommands`; empty otherwise). */
  decoded: readonly Command[] = NO_COMMANDS;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const NO_COMMANDS: readonly Command[] = Object.freeze([]);

/** Attaches the commands decoded so far to a decoding failure (non-ProtocolErrors pass unchanged). */
export function withDecoded(err: unknown, decoded: readonly Command[]): unknown {
  if (err instanceof ProtocolError && decoded.length > 0) err.decoded = decoded;
  return err;
}

/**
 * A payload cannot be represented in this encoding (non-JSON bytes to a JSON connection);
 * the client turns it into Disconnect InappropriateProtocol.
 */
export class EncodeError extends Error {
  override readonly name = 'EncodeError';
  readonly code = 'ERR_ENCODE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * One wire encoding. Encoded messages are single messages without framing; `joinFrames` frames
 * several for one transport write (JSON: `\n`-joined; Protobuf: each varint-length-prefixed).
 */
export interface Codec {
  readonly type: ProtocolType;
  /**
   * Decodes one received frame into commands (JSON: one per line, optional single trailing `\n`;
   * Protobuf: varint-delimited). `maxMessageSize` bounds each command. Commands are decoded in
   * order; the first undecodable one throws a ProtocolError whose `decoded` holds the commands
   * before it.
   */
  decodeCommands(frame: Uint8Array, maxMessageSize?: number): Command[];
  /** Encodes one reply (a command reply, a push wrapped in Reply, or an empty ping). Throws EncodeError. */
  encodeReply(reply: Reply): Uint8Array;
  /** Encodes a bare push (unidirectional transports). Throws EncodeError. */
  encodePush(push: Push): Uint8Array;
  /**
   * The fan-out hot path: encodes `Reply{push{channel, pub}}` once per publication for all
   * subscribers of this protocol. Throws EncodeError.
   */
  encodePublicationReply(channel: string, pub: ProtoPublication): Uint8Array;
  /** Same for a bare Push (unidirectional transports). */
  encodePublicationPush(channel: string, pub: ProtoPublication): Uint8Array;
  /** Frames several encoded messages for one bidirectional transport write. */
  joinFrames(messages: readonly Uint8Array[]): Uint8Array;
  /** Decodes a unidirectional connect request (JSON object / protobuf ConnectRequest). Throws ProtocolError. */
  decodeConnectRequest(data: Uint8Array): ConnectRequest;
  /** Decodes a POST /emulation body. Throws ProtocolError. */
  decodeEmulationRequest(data: Uint8Array): EmulationRequest;
}
