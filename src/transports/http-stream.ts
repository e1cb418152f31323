/**
 * @module transports/http-stream — bidirectional HTTP-streaming (Centrifugo's HTTP-streaming transport): `POST` with the
 * initial command frame, replies streamed back (JSON lines or varint-prefixed protobuf); later
 * commands arrive through `/emulation`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProtocolType } from '../protocol/codec.js';
import { frameLines, frameVarint } from './framing.js';
import { startStream, StreamEndpoint, type StartStreamOptions } from './stream-endpoint.js';

/** `Content-Type: application/octet-stream` selects Protobuf (Centrifugo's JSON/Protobuf selection). */
export function protocolOf(req: IncomingMessage): ProtocolType {
  const ct = req.headers['content-type'];
  return typeof ct === 'string' && ct.toLowerCase().startsWith('application/octet-stream') ? 'protobuf' : 'json';
}

const JSON_STREAM: StartStreamOptions = {
  name: 'http_stream',
  protocol: 'json',
  unidirectional: false,
  emulation: true,
  frame: frameLines,
  headers: { 'Content-Type': 'application/json' },
};
const PROTOBUF_STREAM: StartStreamOptions = {
  ...JSON_STREAM,
  protocol: 'protobuf',
  frame: frameVarint,
  headers: { 'Content-Type': 'application/octet-stream' },
};

export class HttpStreamEndpoint extends StreamEndpoint {
  protected override readonly readErrorMessage = 'error reading http stream request body';

  protected override servePost(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const client = startStream(this.ctx, req, res, protocolOf(req) === 'protobuf' ? PROTOBUF_STREAM : JSON_STREAM);
    client?.handleData(body);
  }
}
