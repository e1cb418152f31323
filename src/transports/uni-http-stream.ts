/**
 * @module transports/uni-http-stream — unidirectional HTTP-streaming (spec §15.5): `POST` with a
 * JSON ConnectRequest body, then one JSON Push per line.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerPreflight, applyCors, type OriginCheck } from './cors.js';
import { frameLines } from './framing.js';
import { answerStatus, answerTooLarge, readBody, TOO_LARGE } from './http-request.js';
import { startStream, type StreamEndpointContext } from './stream-endpoint.js';
import { connectUni, parseJsonConnectRequest } from './uni-connect.js';

export interface UniHttpStreamEndpointOptions {
  readonly maxRequestBodySize: number;
  readonly checkOrigin: OriginCheck;
}

export class UniHttpStreamEndpoint {
  readonly #ctx: StreamEndpointContext;
  readonly #options: UniHttpStreamEndpointOptions;

  constructor(ctx: StreamEndpointContext, options: UniHttpStreamEndpointOptions) {
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
        const request = parseJsonConnectRequest(body);
        if (request === undefined) return answerStatus(res, 400);
        const client = startStream(this.#ctx, req, res, {
          name: 'uni_http_stream',
          protocol: 'json',
          unidirectional: true,
          emulation: false,
          frame: frameLines,
          headers: { 'Content-Type': 'application/json' },
        });
        if (client !== undefined) connectUni(client, request, this.#ctx.node.logger);
      },
      (err: unknown) => {
        this.#ctx.node.logger.error('error reading uni http stream request body', { error: String(err) });
        answerStatus(res, 500);
      },
    );
  }
}
