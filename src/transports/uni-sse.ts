/**
 * @module transports/uni-sse — unidirectional SSE (Centrifugo's unidirectional transports): `GET` with an optional
 * `cf_connect` JSON ConnectRequest, or `POST` with it as the body; one `data:` event per Push.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConnectRequest } from '../protocol/types.js';
import { answerStatus } from './http-request.js';
import { connectParam, sseStream } from './sse.js';
import { startStream, StreamEndpoint } from './stream-endpoint.js';
import { connectUni, parseJsonConnectRequest } from './uni-connect.js';

const STREAM = sseStream('uni_sse', true);

export class UniSseEndpoint extends StreamEndpoint {
  protected override readonly readErrorMessage = 'error reading uni sse request body';

  protected override serveGet(req: IncomingMessage, res: ServerResponse): void {
    const param = connectParam(req);
    this.#start(req, res, param === undefined ? {} : parseJsonConnectRequest(Buffer.from(param, 'utf8')));
  }

  protected override servePost(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    this.#start(req, res, parseJsonConnectRequest(body));
  }

  /** Starts the stream for a parsed ConnectRequest; a malformed one (undefined) gets 400. */
  #start(req: IncomingMessage, res: ServerResponse, request: ConnectRequest | undefined): void {
    if (request === undefined) return answerStatus(res, 400);
    const client = startStream(this.ctx, req, res, { ...STREAM, connectResponses: this.options.connectResponses });
    if (client !== undefined) connectUni(client, request, this.ctx.node.logger);
  }
}
