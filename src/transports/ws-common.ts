/**
 * @module transports/ws-common — pieces shared by the bidirectional and unidirectional WebSocket
 * endpoints: the server setup, the origin check before the upgrade, native pings, the close handshake.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type ServerOptions } from 'ws';
import type { Logger } from '../core/logger.js';
import type { OriginCheck } from './cors.js';
import { type ConnectionAdmission, type ConnectionLimits, UPGRADE_503, whenAdmitted } from './limits.js';

/** How long to wait for the client's close frame before dropping the TCP connection (Centrifugo's connection close). */
const CLOSE_WAIT_MS = 5000;
/** Native PING interval when `ping_interval` is not positive. */
const DEFAULT_PING_INTERVAL_MS = 25_000;
/** Extra read-silence allowed after a PING when `pong_timeout` is not positive. */
const DEFAULT_PONG_TIMEOUT_MS = 10_000;

/** Settings both WebSocket endpoints take from config. */
export interface WebSocketCommonOptions extends ConnectionAdmission {
  readonly messageSizeLimit: number;
  readonly compression: boolean;
  readonly compressionLevel: number;
  readonly compressionMinSize: number;
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  readonly checkOrigin: OriginCheck;
  /** `websocket_write_timeout` / `uni_websocket_write_timeout` (ms): a write not drained by then closes the connection (3009); ≤ 0 or absent = no limit. */
  readonly writeTimeoutMs?: number | undefined;
}

/** Sends a close frame with `code`/`reasonText`; terminates after CLOSE_WAIT_MS without the peer's close. */
export function closeWebSocket(ws: WebSocket, code: number, reasonText: string): void {
  try {
    ws.close(code, reasonText);
  } catch {
    ws.terminate();
    return;
  }
  const t = setTimeout(() => ws.terminate(), CLOSE_WAIT_MS);
  t.unref();
  ws.once('close', () => clearTimeout(t));
}

/** permessage-deflate settings of `websocket_compression*` (Centrifugo's WebSocket transport): no context takeover either way. */
function perMessageDeflate(o: { compression: boolean; compressionLevel: number; compressionMinSize: number }) {
  return o.compression
    ? {
        serverNoContextTakeover: true,
        clientNoContextTakeover: true,
        zlibDeflateOptions: { level: o.compressionLevel },
        threshold: o.compressionMinSize,
      }
    : false;
}

/** A `noServer` WebSocketServer (upgrades are routed to it) without client tracking. */
export function createWebSocketServer(o: WebSocketCommonOptions, handleProtocols?: ServerOptions['handleProtocols']): WebSocketServer {
  return new WebSocketServer({
    noServer: true,
    maxPayload: o.messageSizeLimit,
    clientTracking: false,
    perMessageDeflate: perMessageDeflate(o),
    ...(handleProtocols === undefined ? {} : { handleProtocols }),
  });
}

/** A raw HTTP answer written on a socket whose upgrade is refused. */
export function upgradeRefusal(status: number, statusText: string, body: string): string {
  return `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

const ORIGIN_REFUSED = upgradeRefusal(403, 'Forbidden', 'request origin is not allowed');

/** `allowed_origins` before an upgrade: a refused origin is logged and answered 403. True when the upgrade may go on. */
export function upgradeOriginAllowed(req: IncomingMessage, socket: Duplex, checkOrigin: OriginCheck, logger: Logger): boolean {
  const origin = req.headers.origin;
  if (checkOrigin(origin)) return true;
  logger.info('request origin is not authorized', { origin });
  socket.end(ORIGIN_REFUSED);
  return false;
}

/**
 * Native PING frames every `ping_interval`; a peer that sends nothing (no pong, no message) for
 * `ping_interval + pong_timeout` is terminated. Returns the function that stops the pings.
 */
export function startNativePing(ws: WebSocket, o: { pingIntervalMs: number; pongTimeoutMs: number }): () => void {
  const interval = o.pingIntervalMs > 0 ? o.pingIntervalMs : DEFAULT_PING_INTERVAL_MS;
  const timeout = interval + (o.pongTimeoutMs > 0 ? o.pongTimeoutMs : DEFAULT_PONG_TIMEOUT_MS);
  let lastActivity = Date.now();
  const touch = (): void => {
    lastActivity = Date.now();
  };
  ws.on('pong', touch);
  ws.on('message', touch);
  const t = setInterval(() => {
    if (Date.now() - lastActivity > timeout) {
      ws.terminate();
      return;
    }
    if (ws.readyState === WebSocket.OPEN) ws.ping();
  }, interval);
  t.unref();
  return () => clearInterval(t);
}

/** An endpoint that upgrades a connection the limits let in. */
export interface AdmittedUpgrade {
  upgradeAdmitted(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/**
 * Upgrades through `endpoint` when the connection limits let the new connection in, else answers
 * 503 on the socket. A limiter shared by `--workers N` answers later: the socket waits (its errors
 * are ignored until ws takes it over), and the slot it gets is held until the socket closes.
 */
export function upgradeWithinLimits(limits: ConnectionLimits | undefined, endpoint: AdmittedUpgrade, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const verdict = limits === undefined || limits.allow();
  if (verdict === true) return endpoint.upgradeAdmitted(req, socket, head);
  if (verdict === false) {
    socket.end(UPGRADE_503);
    return;
  }
  // Node's HTTP server drops its error listener from a socket it hands to 'upgrade'.
  const ignore = (): void => undefined;
  socket.on('error', ignore);
  whenAdmitted(
    verdict,
    limits,
    (gone) => socket.once('close', gone),
    () => {
      socket.off('error', ignore);
      endpoint.upgradeAdmitted(req, socket, head);
    },
    () => socket.end(UPGRADE_503),
  );
}
