/**
 * @module transports/http-stream — bidirectional HTTP-streaming (spec §15.2): `POST` with the
 * initial command frame, replies streamed back (JSON lines or varint-prefixed protobuf); later
 * commands arrive through `/emulation`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProtocolType } from '../protocol/codec.js';
import { answerPreflight, applyCors, type OriginCheck } from './cors.js';
import { frameLines, frameVarint } from './framing.js';
import { answerStatus, answerTooLarge, readBody, TOO_LARGE } from './http-request.js';
import { startStream, type StreamEndpointContext } from './stream-endpoint.js';

export interface HttpStreamEndpointOptions {
  readonly maxRequestBodySize: number;
  readonly checkOrigin: OriginCheck;
}

/** `Content-Type: application/octet-stream` selects Protobuf (spec §2.4). */
export function protocolOf(req: IncomingMessage): ProtocolType {
  const ct = req.headers['content-type'];
  return typeof ct === 'string' && ct.toLowerCase().startsWith('application/octet-stream') ? 'protobuf' : 'json';
}

export class HttpStreamEndpoint {
  readonly #ctx: StreamEndpointContext;
  readonly #options: HttpStreamEndpointOptions;

  constructor(ctx: StreamEndpointContext, options: HttpStreamEndpointOptions) {
    this.#ctx = ctx;
    this.#options = options;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    applyCors(req, res, this.#options.checkOrigin);
    if (req.method === 'OPTIONS') return answerPreflight(res, 'POST, OPTIONS');
    if (req.method !== 'POST') return answerStatus(res, 405);
    readBody(req, this.#options.maxRequestBodySize).then(
      (body) => {
        if (body === undefined) return;
        if (body === TOO_LARGE) return answerTooLarge(res);
        const protocol = protocolOf(req);
        const client = startStream(this.#ctx, req, res, {
          name: 'http_stream',
          protocol,
          unidirectional: false,
          emulation: true,
          frame: protocol === 'protobuf' ? frameVarint : frameLines,
          headers: { 'Content-Type': protocol === 'protobuf' ? 'application/octet-stream' : 'application/json' },
        });
        client?.handleData(body);
      },
      (err: unknown) => {
        this.#ctx.node.logger.error('error reading http stream request body', { error: String(err) });
        answerStatus(res, 500);
      },
    );
  }
}
