/**
 * @module transports/websocket — bidirectional WebSocket endpoint (Centrifugo's WebSocket transport) on the `ws` library.
 *
 * Writes of one flush (all messages a connection got in one event-loop turn) are packed into
 * frames of up to 16 messages, all built into one buffer and written with one `socket.write`, so
 * the kernel sees one write (and Node's stream layer one chunk, not a corked writev).
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, type WebSocketServer } from 'ws';
import type { Client } from '../core/client/client.js';
import { Disconnects } from '../core/disconnect.js';
import type { Node } from '../core/node.js';
import type { Transport, TransportName } from '../core/transport.js';
import { codecFor } from '../protocol/index.js';
import type { Codec, ProtocolType } from '../protocol/codec.js';
import { capturedHeaders, headerValue } from './http-request.js';
import { WriteDeadlines, type WriteWatched } from './write-deadline.js';
import { directSocket, directWritesOffReason, underlyingSocket } from './ws-socket.js';
import { closeWebSocket, createWebSocketServer, startNativePing, upgradeOriginAllowed, upgradeWithinLimits, type WebSocketCommonOptions } from './ws-common.js';
import { MAX_MESSAGES_IN_FRAME, packFrames } from './ws-frames.js';

const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
/** Frame kinds for prebuilt shared frames (see Transport.frameKind). */
const FRAME_KIND_JSON = 0;
const FRAME_KIND_PROTOBUF = 1;

export interface WebSocketEndpointOptions extends WebSocketCommonOptions {
  readonly writeTimeoutMs: number;
}

/** A connected bidirectional WebSocket as a core Transport. */
class WebSocketTransport implements Transport, WriteWatched {
  readonly name: TransportName = 'websocket';
  readonly disconnectInCloseFrame = true;
  readonly unidirectional = false;
  readonly emulation = false;
  readonly protocol: ProtocolType;
  readonly appLevelPing: boolean;
  readonly #ws: WebSocket;
  readonly #codec: Codec;
  readonly #binary: boolean;
  readonly #socket: Socket | undefined;
  /**
   * No extension negotiated: frames can be written straight to the socket, bypassing ws's Sender
   * (which allocates and writes a header per send). With permessage-deflate every write goes
   * through ws so compression state stays consistent.
   */
  readonly #raw: boolean;
  readonly #opcode: number;
  readonly frameKind: number | undefined;
  /** `websocket_write_timeout` watch; undefined when off or the socket is out of reach. */
  readonly #deadlines: WriteDeadlines | undefined;
  readonly watchedSocket: Socket;
  #closed = false;

  constructor(ws: WebSocket, protocol: ProtocolType, appLevelPing: boolean, deadlines: WriteDeadlines | undefined) {
    this.#ws = ws;
    this.protocol = protocol;
    this.appLevelPing = appLevelPing;
    this.#codec = codecFor(protocol);
    this.#binary = protocol === 'protobuf';
    this.#opcode = this.#binary ? OPCODE_BINARY : OPCODE_TEXT;
    // Frames go straight to the socket when ws-socket allows it (verified ws, no extension).
    this.#socket = directSocket(ws);
    this.#raw = this.#socket !== undefined;
    this.frameKind = this.#raw ? (this.#binary ? FRAME_KIND_PROTOBUF : FRAME_KIND_JSON) : undefined;
    const socket = this.#socket ?? underlyingSocket(ws);
    this.#deadlines = socket === undefined ? undefined : deadlines;
    this.watchedSocket = socket!;
  }

  /** One encoded message as a complete WebSocket frame (shared by all subscribers of a publication). */
  frame(message: Uint8Array): Uint8Array {
    return packFrames([message], this.#opcode, this.#binary);
  }

  writeFrame(frame: Uint8Array): void {
    if (this.#closed || this.#ws.readyState !== WebSocket.OPEN) return;
    this.#socket!.write(frame);
    this.#deadlines?.afterWrite(this);
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  writeMessages(messages: readonly Uint8Array[]): void {
    if (this.#closed || this.#ws.readyState !== WebSocket.OPEN) return;
    if (this.#raw) {
      this.#socket!.write(packFrames(messages, this.#opcode, this.#binary));
      this.#deadlines?.afterWrite(this);
      return;
    }
    // permessage-deflate: every frame goes through ws, which keeps the compression state.
    const opts = { binary: this.#binary, compress: undefined as boolean | undefined };
    for (let i = 0; i < messages.length; i += MAX_MESSAGES_IN_FRAME) {
      const chunk = messages.length <= MAX_MESSAGES_IN_FRAME ? messages : messages.slice(i, i + MAX_MESSAGES_IN_FRAME);
      this.#ws.send(chunk.length === 1 && !this.#binary ? chunk[0]! : this.#codec.joinFrames(chunk), opts);
    }
    this.#deadlines?.afterWrite(this);
  }

  /** A write did not drain within `websocket_write_timeout`: 3009, and the stuck socket is cut. */
  onWriteTimeout(): void {
    (this.#ws as WebSocketWithClient)[CLIENT]?.disconnect(Disconnects.WriteError);
    this.#ws.terminate();
  }

  close(code: number, reasonText: string): void {
    if (this.#closed) return;
    this.#closed = true;
    closeWebSocket(this.#ws, code, reasonText);
  }
}

/** Upgrades HTTP requests on the WebSocket path and attaches a core Client to each connection. */
export class WebSocketEndpoint {
  readonly #node: Node;
  readonly #options: WebSocketEndpointOptions;
  readonly #wss: WebSocketServer;
  readonly #deadlines: WriteDeadlines | undefined;

  constructor(node: Node, options: WebSocketEndpointOptions) {
    this.#node = node;
    this.#options = options;
    this.#deadlines = options.writeTimeoutMs > 0 ? new WriteDeadlines(options.writeTimeoutMs) : undefined;
    this.#wss = createWebSocketServer(options, (protocols) => {
      if (protocols.has('centrifuge-protobuf')) return 'centrifuge-protobuf';
      if (protocols.has('centrifuge-json')) return 'centrifuge-json';
      return false;
    });
    if (directWritesOffReason !== '') {
      node.logger.warn('WebSocket frames go through ws\'s sender (slower fan-out)', { reason: directWritesOffReason });
    }
  }

  /** Handles an `upgrade` event for this endpoint's path. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!upgradeOriginAllowed(req, socket, this.#options.checkOrigin, this.#node.logger)) return;
    upgradeWithinLimits(this.#options.limiter, this, req, socket, head);
  }

  /** The upgrade of a connection the limits let in (see `upgradeWithinLimits`). */
  upgradeAdmitted(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onConnection(ws, req));
  }

  #onConnection(ws: WebSocket, req: IncomingMessage): void {
    // Most connections have no query string: skip URL parsing for them.
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const query = q < 0 ? undefined : new URLSearchParams(rawUrl.slice(q + 1));
    let protocol: ProtocolType = 'json';
    if (ws.protocol === 'centrifuge-protobuf') protocol = 'protobuf';
    else if (ws.protocol === '' && (query?.get('format') === 'protobuf' || query?.get('cf_protocol') === 'protobuf')) {
      protocol = 'protobuf';
    }
    const framePingPong = query?.get('cf_ws_frame_ping_pong') === 'true';
    const transport = new WebSocketTransport(ws, protocol, !framePingPong, this.#deadlines);
    const node = this.#node;
    const client = node.newClient(transport, { httpUserId: headerValue(req, this.#options.userIdHeader), headers: capturedHeaders(req, node.captureHeaders) });
    if (node.shuttingDown) {
      client.disconnect(Disconnects.Shutdown);
      return;
    }
    ws.binaryType = 'nodebuffer';
    // Shared listeners (no per-connection closures): the client rides on the socket object.
    (ws as WebSocketWithClient)[CLIENT] = client;
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('error', onError);
    // `cf_ws_frame_ping_pong`: native PING frames, connection dropped without read activity.
    if (framePingPong) ws.on('close', startNativePing(ws, this.#options));
  }

  close(): void {
    this.#deadlines?.close();
    this.#wss.close();
  }
}

const CLIENT = Symbol('rotor.client');
type WebSocketWithClient = WebSocket & { [CLIENT]?: Client | undefined };

function onMessage(this: WebSocketWithClient, data: Buffer): void {
  this[CLIENT]?.handleData(data);
}
function onClose(this: WebSocketWithClient): void {
  const c = this[CLIENT];
  this[CLIENT] = undefined;
  c?.onTransportClose();
}
function onError(this: WebSocketWithClient, err: Error): void {
  this[CLIENT]?.node.logger.debug('websocket error', { client: this[CLIENT]?.id, error: err.message });
}
