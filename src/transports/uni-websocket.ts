/**
 * @module transports/uni-websocket — unidirectional WebSocket (Centrifugo's unidirectional transports): the ConnectRequest
 * comes in the `cf_connect` query parameter or as the first message; then one JSON Push per text
 * frame. Besides the empty-push pings the server sends native PING frames and drops a peer that
 * reads nothing for `ping_interval + pong_timeout` (Centrifugo's ping/pong rules).
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, type WebSocketServer } from 'ws';
import type { Client } from '../core/client/client.js';
import { Disconnects } from '../core/disconnect.js';
import type { Node } from '../core/node.js';
import type { Transport, TransportName } from '../core/transport.js';
import type { ConnectRequest } from '../protocol/types.js';
import { capturedHeaders, headerValue } from './http-request.js';
import type { OpenStreams } from './open-streams.js';
import { connectUni, parseJsonConnectRequest } from './uni-connect.js';
import { WriteDeadlines, type WriteWatched } from './write-deadline.js';
import { underlyingSocket } from './ws-socket.js';
import { closeWebSocket, createWebSocketServer, startNativePing, upgradeOriginAllowed, upgradeRefusal, upgradeWithinLimits, type WebSocketCommonOptions } from './ws-common.js';

export interface UniWebSocketEndpointOptions extends WebSocketCommonOptions {
  /** `uni_websocket_write_timeout` (≤ 0: the 1 s default). */
  readonly writeTimeoutMs?: number | undefined;
}

const BAD_REQUEST = upgradeRefusal(400, 'Bad Request', 'bad request');

class UniWebSocketTransport implements Transport, WriteWatched {
  readonly name: TransportName = 'uni_websocket';
  readonly protocol = 'json' as const;
  readonly unidirectional = true;
  readonly emulation = false;
  readonly appLevelPing = true;
  /** Centrifugo writes the disconnect push on a unidirectional WebSocket before its close frame. */
  readonly disconnectInCloseFrame = false;
  readonly #ws: WebSocket;
  readonly #socket: Socket | undefined;
  /** `uni_websocket_write_timeout` watch; undefined when off or the socket is out of reach. */
  readonly #deadlines: WriteDeadlines | undefined;
  readonly watchedSocket: Socket;
  /** The client riding on this transport (set right after it is created). */
  client: Client | undefined;
  #closed = false;

  constructor(ws: WebSocket, deadlines: WriteDeadlines | undefined) {
    this.#ws = ws;
    // ws keeps the net.Socket private; corking it sends all frames of one flush in one write.
    this.#socket = underlyingSocket(ws);
    this.#deadlines = this.#socket === undefined ? undefined : deadlines;
    this.watchedSocket = this.#socket!;
  }

  /** A write did not drain within `uni_websocket_write_timeout`: 3009, and the stuck socket is cut. */
  onWriteTimeout(): void {
    this.client?.disconnect(Disconnects.WriteError);
    this.#ws.terminate();
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  writeMessages(messages: readonly Uint8Array[]): void {
    if (this.#closed || this.#ws.readyState !== WebSocket.OPEN) return;
    this.#socket?.cork();
    try {
      for (const m of messages) this.#ws.send(m, { binary: false });
    } finally {
      this.#socket?.uncork();
    }
    this.#deadlines?.afterWrite(this);
  }

  close(code: number, reasonText: string): void {
    if (this.#closed) return;
    this.#closed = true;
    closeWebSocket(this.#ws, code, reasonText);
  }
}

export class UniWebSocketEndpoint {
  readonly #node: Node;
  readonly #streams: OpenStreams;
  readonly #options: UniWebSocketEndpointOptions;
  readonly #wss: WebSocketServer;
  readonly #deadlines: WriteDeadlines | undefined;

  constructor(node: Node, streams: OpenStreams, options: UniWebSocketEndpointOptions) {
    this.#node = node;
    this.#streams = streams;
    this.#options = options;
    const timeout = options.writeTimeoutMs ?? 0;
    this.#deadlines = timeout > 0 ? new WriteDeadlines(timeout) : undefined;
    this.#wss = createWebSocketServer(options);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!upgradeOriginAllowed(req, socket, this.#options.checkOrigin, this.#node.logger)) return;
    upgradeWithinLimits(this.#options.limiter, this, req, socket, head);
  }

  /** The upgrade of a connection the limits let in (see `upgradeWithinLimits`). */
  upgradeAdmitted(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const param = new URL(req.url ?? '/', 'http://localhost').searchParams.get('cf_connect');
    let request: ConnectRequest | undefined;
    if (param !== null && param !== '') {
      request = parseJsonConnectRequest(Buffer.from(param, 'utf8'));
      if (request === undefined) {
        socket.end(BAD_REQUEST);
        return;
      }
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onConnection(ws, req, request));
  }

  #onConnection(ws: WebSocket, req: IncomingMessage, request: ConnectRequest | undefined): void {
    const node = this.#node;
    const transport = new UniWebSocketTransport(ws, this.#deadlines);
    const client = node.newClient(transport, { httpUserId: headerValue(req, this.#options.userIdHeader), headers: capturedHeaders(req, node.captureHeaders) });
    transport.client = client;
    const forget = this.#streams.add(() => {
      if (client.closed) ws.terminate();
      else client.disconnect(Disconnects.Shutdown);
    });
    const stopPing = startNativePing(ws, this.#options);
    ws.on('close', () => {
      stopPing();
      forget();
      client.onTransportClose();
    });
    ws.on('error', (err) => node.logger.debug('uni websocket error', { client: client.id, error: err.message }));
    if (node.shuttingDown) {
      client.disconnect(Disconnects.Shutdown);
      return;
    }
    if (request !== undefined) {
      connectUni(client, request, node.logger);
      return;
    }
    // The first message is the connect request; later ones are read and ignored.
    ws.once('message', (data: Buffer) => {
      const fromMessage = parseJsonConnectRequest(data);
      if (fromMessage === undefined) client.disconnect(Disconnects.BadRequest);
      else connectUni(client, fromMessage, node.logger);
    });
  }

  close(): void {
    this.#deadlines?.close();
    this.#wss.close();
  }
}
