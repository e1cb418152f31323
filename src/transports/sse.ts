/**
 * @module transports/sse — bidirectional SSE (spec §15.3): the initial command frame comes in the
 * `cf_connect` query parameter (`GET`) or the body (`POST`); replies go out as `data:` events, and
 * later commands arrive through `/emulation`. JSON only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerPreflight, applyCors, type OriginCheck } from './cors.js';
import { frameSse } from './framing.js';
import { answerStatus, answerTooLarge, readBody, TOO_LARGE } from './http-request.js';
import { startStream, type StreamEndpointContext } from './stream-endpoint.js';

export interface SseEndpointOptions {
  readonly maxRequestBodySize: number;
  readonly checkOrigin: OriginCheck;
}

/** Written right after the headers so proxies and EventSource see the stream open at once. */
export const SSE_PREAMBLE = Buffer.from('\r\n');
export const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';

/** The `cf_connect` query parameter, or undefined when absent or empty. */
export function connectParam(req: IncomingMessage): string | undefined {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const v = url.searchParams.get('cf_connect');
  return v === null || v === '' ? undefined : v;
}

export class SseEndpoint {
  readonly #ctx: StreamEndpointContext;
  readonly #options: SseEndpointOptions;

  constructor(ctx: StreamEndpointContext, options: SseEndpointOptions) {
    this.#ctx = ctx;
    this.#options = options;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    applyCors(req, res, this.#options.checkOrigin);
    if (req.method === 'OPTIONS') return answerPreflight(res, 'GET, POST, OPTIONS');
    if (req.method === 'GET') {
      const frame = connectParam(req);
      if (frame === undefined) return answerStatus(res, 400);
      this.#start(req, res, Buffer.from(frame, 'utf8'));
      return;
    }
    if (req.method !== 'POST') return answerStatus(res, 405);
    readBody(req, this.#options.maxRequestBodySize).then(
      (body) => {
        if (body === undefined) return;
        if (body === TOO_LARGE) return answerTooLarge(res);
        this.#start(req, res, body);
      },
      (err: unknown) => {
        this.#ctx.node.logger.error('error reading sse request body', { error: String(err) });
        answerStatus(res, 500);
      },
    );
  }

  #start(req: IncomingMessage, res: ServerResponse, frame: Buffer): void {
    const client = startStream(this.#ctx, req, res, {
      name: 'sse',
      protocol: 'json',
      unidirectional: false,
      emulation: true,
      frame: frameSse,
      headers: { 'Content-Type': SSE_CONTENT_TYPE },
      preamble: SSE_PREAMBLE,
    });
    client?.handleData(frame);
  }
}
