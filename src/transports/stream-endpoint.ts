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
import { answerStatus, answerTooLarge, capturedHeaders, headerValue, readBody, STREAM_HEADERS, STREAM_HEADERS_H2, TOO_LARGE } from './http-request.js';
import { answerUnavailable, type ConnectionAdmission, whenAdmitted } from './limits.js';
import type { OpenStreams } from './open-streams.js';
import { type ConnectHttpResponse, ResponseTransport, type ResponseTransportOptions } from './response-transport.js';

export interface StreamEndpointContext extends ConnectionAdmission {
  readonly node: Node;
  readonly streams: OpenStreams;
}

/** Per-endpoint settings: `*_max_request_body_size` and the `allowed_origins` check. */
export interface StreamEndpointOptions {
  readonly maxRequestBodySize: number;
  readonly checkOrigin: OriginCheck;
  /** uni_sse / uni_http_stream: `*_connect_code_to_http_response` transforms (enabled ones only). */
  readonly connectResponses?: ReadonlyMap<number, ConnectHttpResponse> | undefined;
}

/**
 * A streaming endpoint's request handling. `handle` answers 503 when the connection limits refuse
 * a new connection, adds the CORS headers, answers the preflight,
 * refuses other methods than `POST` (and `GET` where `serveGet` exists) with 405, and reads the
 * `POST` body within the limit: 413 over it, nothing when the peer went away, 500 (logged as
 * `readErrorMessage`) when reading fails; the subclass serves what remains.
 */
export abstract class StreamEndpoint {
  protected readonly ctx: StreamEndpointContext;
  protected readonly options: StreamEndpointOptions;

  constructor(ctx: StreamEndpointContext, options: StreamEndpointOptions) {
    this.ctx = ctx;
    this.options = options;
  }

  /** Logged with the error when the request body cannot be read. */
  protected abstract readonly readErrorMessage: string;

  /** Serves a `GET` (the SSE endpoints); endpoints without it answer `GET` with 405. */
  protected serveGet?(req: IncomingMessage, res: ServerResponse): void;

  /** Serves a `POST` whose whole body has been read. */
  protected abstract servePost(req: IncomingMessage, res: ServerResponse, body: Buffer): void;

  handle(req: IncomingMessage, res: ServerResponse): void {
    // The connection limits come first, before CORS (Centrifugo's server API middleware order).
    const limits = this.ctx.limiter;
    if (limits !== undefined) {
      const verdict = limits.allow();
      if (verdict === false) return answerUnavailable(res);
      // A limiter shared by `--workers N` answers later; the slot is held while the response lasts.
      if (verdict !== true) {
        return whenAdmitted(verdict, limits, (gone) => res.once('close', gone), () => this.#admitted(req, res), () => answerUnavailable(res));
      }
    }
    this.#admitted(req, res);
  }

  #admitted(req: IncomingMessage, res: ServerResponse): void {
    applyCors(req, res, this.options.checkOrigin);
    if (req.method === 'OPTIONS') return answerPreflight(res, this.serveGet === undefined ? 'POST, OPTIONS' : 'GET, POST, OPTIONS');
    if (req.method === 'GET' && this.serveGet !== undefined) return this.serveGet(req, res);
    if (req.method !== 'POST') return answerStatus(res, 405);
    readBody(req, this.options.maxRequestBodySize).then(
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
  /**
   * Unidirectional connect error code → HTTP answer (`*_connect_code_to_http_response`). When
   * given, the 200 head waits for the connect outcome.
   */
  readonly connectResponses?: ReadonlyMap<number, ConnectHttpResponse> | undefined;
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
  const headers = { ...(req.httpVersionMajor === 2 ? STREAM_HEADERS_H2 : STREAM_HEADERS), ...options.headers };
  const responses = options.connectResponses;
  let transport: ResponseTransport;
  if (responses !== undefined && responses.size > 0) {
    transport = new ResponseTransport(res, options, { headers, preamble: options.preamble, responses });
  } else {
    res.writeHead(200, headers);
    if (options.preamble !== undefined) res.write(options.preamble);
    else res.flushHeaders();
    transport = new ResponseTransport(res, options);
  }
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
