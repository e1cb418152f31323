/**
 * @module transports/sse — bidirectional SSE (Centrifugo's SSE transport): the initial command frame comes in the
 * `cf_connect` query parameter (`GET`) or the body (`POST`); replies go out as `data:` events, and
 * later commands arrive through `/emulation`. JSON only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { frameSse } from './framing.js';
import { answerStatus } from './http-request.js';
import { startStream, StreamEndpoint, type StartStreamOptions } from './stream-endpoint.js';

/** Written right after the headers so proxies and EventSource see the stream open at once. */
const SSE_PREAMBLE = Buffer.from('\r\n');
const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';

/** The response side of an SSE endpoint (sse, uni_sse): JSON `data:` events after the preamble. */
export function sseStream(name: 'sse' | 'uni_sse', unidirectional: boolean): StartStreamOptions {
  return {
    name,
    protocol: 'json',
    unidirectional,
    emulation: !unidirectional,
    frame: frameSse,
    headers: { 'Content-Type': SSE_CONTENT_TYPE },
    preamble: SSE_PREAMBLE,
  };
}

/** The `cf_connect` query parameter, or undefined when absent or empty. */
export function connectParam(req: IncomingMessage): string | undefined {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const v = url.searchParams.get('cf_connect');
  return v === null || v === '' ? undefined : v;
}

const STREAM = sseStream('sse', false);

export class SseEndpoint extends StreamEndpoint {
  protected override readonly readErrorMessage = 'error reading sse request body';

  protected override serveGet(req: IncomingMessage, res: ServerResponse): void {
    const frame = connectParam(req);
    if (frame === undefined) return answerStatus(res, 400);
    this.#start(req, res, Buffer.from(frame, 'utf8'));
  }

  protected override servePost(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    this.#start(req, res, body);
  }

  #start(req: IncomingMessage, res: ServerResponse, frame: Buffer): void {
    const client = startStream(this.ctx, req, res, STREAM);
    client?.handleData(frame);
  }
}
