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
 * A connection's outgoing side. Transports never block: `writeMessages` hands encoded messages to
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
   * The close itself tells the client why (a bidirectional WebSocket's close frame carries code and
   * reason), so `Client.disconnect` writes no `disconnect` push first. Transports whose client reads
   * the reason from the stream (emulation, unidirectional, GRPC) set false.
   */
  readonly disconnectInCloseFrame: boolean;
  /**
   * Writes already-encoded messages (replies for bidirectional, bare pushes for unidirectional)
   * in order. The transport may coalesce them into as few wire writes as it can; `messages` is
   * only valid during the call.
   */
  writeMessages(messages: readonly Uint8Array[]): void;
  /**
   * Optional fast path for the common fan-out case, used by `Client.flush` when the connection's
   * queue holds exactly one message and it is a publication's shared (non-delta) encoding from
   * `PreparedPublication.bytes(protobuf, unidirectional)`. Then the client calls
   * `writeFrame(prepared.framed(frameKind, message, transport))` instead of `writeMessages`.
   *
   * The frame cache contract:
   * - `PreparedPublication.framed` caches one frame per `frameKind`: the first connection of that
   *   kind builds it with its own `frame(message)`, every later one reuses those bytes unchanged.
   * - So `frameKind` must name everything `frame` depends on: the same `frameKind` must mean the same
   *   message bytes (protocol, unidirectional or not) and the same wire framing (e.g. WebSocket text
   *   vs binary opcode, compression off). Kinds are small integers indexing the cache, unique across
   *   all transports; undefined turns the fast path off (e.g. ws's own sender in use).
   * - `frame(message)` returns a complete, self-contained wire frame for one message and must not
   *   keep or later modify `message` or the returned buffer; `writeFrame(frame)` writes it as is and
   *   must not modify it either (other connections write the same buffer).
   * - All three are set together or not at all.
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
