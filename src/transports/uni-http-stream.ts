/**
 * @module transports/uni-http-stream — unidirectional HTTP-streaming (Centrifugo's unidirectional transports): `POST` with a
 * JSON ConnectRequest body, then one JSON Push per line.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { frameLines } from './framing.js';
import { answerStatus } from './http-request.js';
import { startStream, StreamEndpoint, type StartStreamOptions } from './stream-endpoint.js';
import { connectUni, parseJsonConnectRequest } from './uni-connect.js';

const STREAM: StartStreamOptions = {
  name: 'uni_http_stream',
  protocol: 'json',
  unidirectional: true,
  emulation: false,
  frame: frameLines,
  headers: { 'Content-Type': 'application/json' },
};

export class UniHttpStreamEndpoint extends StreamEndpoint {
  protected override readonly readErrorMessage = 'error reading uni http stream request body';

  protected override servePost(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const request = parseJsonConnectRequest(body);
    if (request === undefined) return answerStatus(res, 400);
    const client = startStream(this.ctx, req, res, { ...STREAM, connectResponses: this.options.connectResponses });
    if (client !== undefined) connectUni(client, request, this.ctx.node.logger);
  }
}
