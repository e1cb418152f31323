/**
 * @module transports/stream-endpoint — what the four HTTP streaming endpoints share once a request
 * is accepted: the 200 response with the streaming headers, the Transport, the core Client, and
 * the bookkeeping that ties the client's life to the response.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Client } from '../core/client/client.js';
import { Disconnects } from '../core/disconnect.js';
import type { Node } from '../core/node.js';
import { headerValue, STREAM_HEADERS } from './http-request.js';
import type { OpenStreams } from './open-streams.js';
import { ResponseTransport, type ResponseTransportOptions } from './response-transport.js';

export interface StreamEndpointContext {
  readonly node: Node;
  readonly streams: OpenStreams;
  /** `client_user_id_http_header`. */
  readonly userIdHeader?: string | undefined;
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
  const client = ctx.node.newClient(transport, { httpUserId: headerValue(req, ctx.userIdHeader) });
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
