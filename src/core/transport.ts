/** @module core/transport — what the core needs from a connection's byte pipe. */
import type { ProtocolType } from '../protocol/codec.js';

export type TransportName =
  | 'websocket'
  | 'sse'
  | 'http_stream'
  | 'uni_websocket'
  | 'uni_sse'
  | 'uni_http_stream'
  | 'uni_grpc';

/**
 * A connection's outgoing side. Transports never block: `writeFrames` hands encoded messages to
 * the transport, which frames them for its wire (WebSocket messages joined by the codec, SSE
 * `data:` events, HTTP-stream lines, …).
 */
export interface Transport {
  readonly name: TransportName;
  readonly protocol: ProtocolType;
  /** Client can only receive (no commands): pushes are sent bare, not wrapped in Reply. */
  readonly unidirectional: boolean;
  /** Bidirectional emulation (http_stream, sse): connect result carries session and node. */
  readonly emulation: boolean;
  /** App-level pings are off (the transport pings natively, e.g. `cf_ws_frame_ping_pong`). */
  readonly appLevelPing: boolean;
  /**
   * Writes already-encoded messages (replies for bidirectional, bare pushes for unidirectional)
   * in order. The transport may coalesce them into as few wire writes as it can; `messages` is
   * only valid during the call.
   */
  writeMessages(messages: readonly Uint8Array[]): void;
  /**
   * Optional fast path for the common fan-out case (one publication for this connection in a turn):
   * `frame(message)` wraps one encoded message into this transport's complete wire frame, and
   * `writeFrame(frame)` writes such a frame. The hub builds the frame once per publication and
   * shares it between every connection of the same transport kind (`frameKind`), so each
   * connection costs one socket write of an already-built buffer.
   */
  readonly frameKind?: number | undefined;
  frame?(message: Uint8Array): Uint8Array;
  writeFrame?(frame: Uint8Array): void;
  /**
   * Unidirectional HTTP transports may answer a failed connect themselves with a configured HTTP
   * response instead of a stream (`uni_sse/uni_http_stream_connect_code_to_http_response`).
   * Returns true when it did: the client then closes without a `disconnect` push.
   */
  rejectConnect?(errorCode: number): boolean;
  /** Bytes accepted but not yet flushed to the kernel; used for slow-consumer detection. */
  readonly bufferedAmount: number;
  /**
   * Closes the connection. WebSocket transports send a close frame with `code` and `reasonText`
   * (already formatted for the node's disconnect-code mode); streaming transports end the response
   * (the client writes the `disconnect` push before calling this). Idempotent.
   */
  close(code: number, reasonText: string): void;
}
