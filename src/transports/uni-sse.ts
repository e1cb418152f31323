/**
 * @module transports/uni-sse — unidirectional SSE (spec §15.5): `GET` with an optional
 * `cf_connect` JSON ConnectRequest, or `POST` with it as the body; one `data:` event per Push.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConnectRequest } from '../protocol/types.js';
import { answerPreflight, applyCors, type OriginCheck } from './cors.js';
import { frameSse } from './framing.js';
import { answerStatus, answerTooLarge, readBody, TOO_LARGE } from './http-request.js';
import { connectParam, SSE_CONTENT_TYPE, SSE_PREAMBLE } from './sse.js';
import { startStream, type StreamEndpointContext } from './stream-endpoint.js';
import { connectUni, parseJsonConnectRequest } from './uni-connect.js';

export interface UniSseEndpointOptions {
  readonly maxRequestBodySize: number;
  readonly checkOrigin: OriginCheck;
}

export class UniSseEndpoint {
  readonly #ctx: StreamEndpointContext;
  readonly #options: UniSseEndpointOptions;

  constructor(ctx: StreamEndpointContext, options: UniSseEndpointOptions) {
    this.#ctx = ctx;
    this.#options = options;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    applyCors(req, res, this.#options.checkOrigin);
    if (req.method === 'OPTIONS') return answerPreflight(res, 'GET, POST, OPTIONS');
    if (req.method === 'GET') {
      const param = connectParam(req);
      const request = param === undefined ? {} : parseJsonConnectRequest(Buffer.from(param, 'utf8'));
      if (request === undefined) return answerStatus(res, 400);
      this.#start(req, res, request);
      return;
    }
    if (req.method !== 'POST') return answerStatus(res, 405);
    readBody(req, this.#options.maxRequestBodySize).then(
      (body) => {
        if (body === undefined) return;
        if (body === TOO_LARGE) return answerTooLarge(res);
        const request = parseJsonConnectRequest(body);
        if (request === undefined) return answerStatus(res, 400);
        this.#start(req, res, request);
      },
      (err: unknown) => {
        this.#ctx.node.logger.error('error reading uni sse request body', { error: String(err) });
        answerStatus(res, 500);
      },
    );
  }

  #start(req: IncomingMessage, res: ServerResponse, request: ConnectRequest): void {
    const client = startStream(this.#ctx, req, res, {
      name: 'uni_sse',
      protocol: 'json',
      unidirectional: true,
      emulation: false,
      frame: frameSse,
      headers: { 'Content-Type': SSE_CONTENT_TYPE },
      preamble: SSE_PREAMBLE,
    });
    if (client !== undefined) connectUni(client, request, this.#ctx.node.logger);
  }
}
