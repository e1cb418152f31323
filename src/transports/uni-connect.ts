/**
 * @module transports/uni-connect — starting a unidirectional session: the ConnectRequest given
 * when the connection opens is run as the connect command (Centrifugo's unidirectional transports).
 */
import type { Client } from '../core/client/client.js';
import type { Logger } from '../core/logger.js';
import { jsonCodec } from '../protocol/index.js';
import type { ConnectRequest } from '../protocol/types.js';

/** Parses a JSON ConnectRequest (empty or `null` = no fields); undefined when malformed. */
export function parseJsonConnectRequest(data: Uint8Array): ConnectRequest | undefined {
  try {
    return jsonCodec.decodeConnectRequest(data);
  } catch {
    return undefined;
  }
}

/** Runs the connect request; failures have already become disconnects inside the client. */
export function connectUni(client: Client, request: ConnectRequest, logger: Logger): void {
  client.connectUnidirectional(request).catch((err: unknown) => {
    logger.error('error connecting unidirectional client', { client: client.id, transport: client.transportName, error: String(err) });
  });
}
