/**
 * @module transports/stream-endpoint — what the four HTTP streaming endpoints (http_stream, sse,
 * uni_http_stream, uni_sse) share: the request side (CORS, preflight, allowed methods, the bounded
 * `POST` body) as a template method, and, once a request is accepted, the 200 response with the
 * streaming headers, the Transport, the core Client, and the bookkeeping that ties the client's
 * life to the response.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Client } from '../core/client/client.js';
import { Disconnects } from '../core/disconnect.js';
import type { Node } from '../core/node.js';
import { answerPreflight, applyCors, type OriginCheck } from './cors.js';
import { answerStatus, answerTooLarge, capturedHeaders, headerValue, readBody, STREAM_HEADERS, TOO_LARGE } from './http-request.js';
import type { OpenStreams } from './open-streams.js';
import { ResponseTransport, type ResponseTransportOptions } from './response-transport.js';

export interface StreamEndpointContext {
  readonly node: Node;
  readonly streams: OpenStreams;
  /** `client_user_id_http_header`. */
  readonly userIdHeader?: string | undefined;
}

/** Per-endpoint settings: `*_max_request_body_size` and the `allowed_origins` check. */
export interface StreamEndpointOptions {
  readonly maxRequestBodySize: number;
  readonly checkOrigin: OriginCheck;
}

/**
 * A streaming endpoint's request handling. `handle` adds the CORS headers, answers the preflight,
 * refuses other methods than `POST` (and `GET` where `serveGet` exists) with 405, and reads the
 * `POST` body within the limit: 413 over it, nothing when the peer went away, 500 (logged as
 * `readErrorMessage`) when reading fails; the subclass serves what remains.
 */
export abstract class StreamEndpoint {
  protected readonly ctx: StreamEndpointContext;
  readonly #options: StreamEndpointOptions;

  constructor(ctx: StreamEndpointContext, options: StreamEndpointOptions) {
    this.ctx = ctx;
    this.#options = options;
  }

  /** Logged with the error when the request body cannot be read. */
  protected abstract readonly readErrorMessage: string;

  /** Serves a `GET` (the SSE endpoints); endpoints without it answer `GET` with 405. */
  protected serveGet?(req: IncomingMessage, res: ServerResponse): void;

  /** Serves a `POST` whose whole body has been read. */
  protected abstract servePost(req: IncomingMessage, res: ServerResponse, body: Buffer): void;

  handle(req: IncomingMessage, res: ServerResponse): void {
    applyCors(req, res, this.#options.checkOrigin);
    if (req.method === 'OPTIONS') return answerPreflight(res, this.serveGet === undefined ? 'POST, OPTIONS' : 'GET, POST, OPTIONS');
    if (req.method === 'GET' && this.serveGet !== undefined) return this.serveGet(req, res);
    if (req.method !== 'POST') return answerStatus(res, 405);
    readBody(req, this.#options.maxRequestBodySize).then(
      (body) => {
        if (body === undefined) return;
        if (body === TOO_LARGE) return answerTooLarge(res);
        this.servePost(req, res, body);
      },
      (err: unknown) => {
        this.ctx.node.logger.error(this.readErrorMessage, { error: String(err) });
        answerStatus(res, 500);
      },
    );
  }
}

export interface StartStreamOptions extends ResponseTransportOptions {
  /** Extra response headers (Content-Type). */
  readonly headers: OutgoingHttpHeaders;
  /** Bytes written right after the headers (SSE writes `\r\n`). */
  readonly preamble?: Uint8Array | undefined;
}

/**
 * Answers 200, creates the client over the response and returns it; the caller feeds it the
 * initial frame or connect request. Returns undefined when the node is shutting down (the stream
 * then carries only the `shutdown` disconnect push).
 */
export function startStream(
  ctx: StreamEndpointContext,
  req: IncomingMessage,
  res: ServerResponse,
  options: StartStreamOptions,
): Client | undefined {
  res.writeHead(200, { ...STREAM_HEADERS, ...options.headers });
  if (options.preamble !== undefined) res.write(options.preamble);
  else res.flushHeaders();
  const transport = new ResponseTransport(res, options);
  const client = ctx.node.newClient(transport, { httpUserId: headerValue(req, ctx.userIdHeader), headers: capturedHeaders(req, ctx.node.captureHeaders) });
  const forget = ctx.streams.add(() => {
    if (client.closed) transport.close(0, '');
    else client.disconnect(Disconnects.Shutdown);
  });
  const gone = (): void => {
    forget();
    client.onTransportClose();
  };
  res.on('close', gone);
  // Write failures surface as 'close'; an unobserved 'error' event must not take the process down.
  res.on('error', (err) => ctx.node.logger.debug('stream response error', { client: client.id, error: err.message }));
  if (res.destroyed) {
    gone();
    return undefined;
  }
  if (ctx.node.shuttingDown) {
    client.disconnect(Disconnects.Shutdown);
    return undefined;
  }
  return client;
}
