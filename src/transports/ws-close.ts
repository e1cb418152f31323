/** @module transports/ws-close — closing a `ws` socket with a code, then dropping it if the peer never answers. */
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
