/** @module transports/ws-common — pieces shared by the bidirectional and unidirectional WebSocket endpoints. */
import type { WebSocket } from 'ws';

/** How long to wait for the client's close frame before dropping the TCP connection (spec §6.7). */
export const CLOSE_WAIT_MS = 5000;

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

/** permessage-deflate settings of `websocket_compression*` (spec §15.1): no context takeover either way. */
export function perMessageDeflate(o: { compression: boolean; compressionLevel: number; compressionMinSize: number }) {
  return o.compression
    ? {
        serverNoContextTakeover: true,
        clientNoContextTakeover: true,
        zlibDeflateOptions: { level: o.compressionLevel },
        threshold: o.compressionMinSize,
      }
    : false;
}
