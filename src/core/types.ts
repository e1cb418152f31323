/** @module core/types — domain values shared by the core, engines and transports. */

/**
 * Who a connection is, as seen by other subscribers (presence, join/leave, client publications).
 * `connInfo`/`chanInfo` are opaque application bytes (raw JSON for JSON clients).
 */
export interface ClientInfo {
  /** Connection id (UUID v4). */
  readonly clientId: string;
  /** User id; `""` for anonymous connections. */
  readonly userId: string;
  /** Connection info from the connection token (`info`/`b64info`) or connect hook. */
  readonly connInfo?: Uint8Array | undefined;
  /** Channel info from the subscription token / server-side subscription. */
  readonly chanInfo?: Uint8Array | undefined;
}

/**
 * A message in a channel. Offsets are plain numbers in the domain (exact to 2^53) and become
 * uint64 only at the protobuf edge.
 */
export interface Publication {
  /** Position in the channel stream; 0 when the channel keeps no history. */
  readonly offset: number;
  /** Payload bytes, never re-encoded by the server. */
  readonly data: Uint8Array;
  /** Publisher, set only for publications made by a client `publish` command. */
  readonly info?: ClientInfo | undefined;
  /** Tags set through the server API. */
  readonly tags?: Readonly<Record<string, string>> | undefined;
  /** Unix milliseconds when the publication was accepted (lag metrics; never sent to clients). */
  readonly timeMs?: number | undefined;
  /** The publisher asked for delta compression (fossil) of this publication. */
  readonly delta?: boolean | undefined;
  /**
   * The channel the publication was published to, set only when it differs from the channel it is
   * delivered in (NATS wildcard subscriptions: `news.sport` delivered to subscribers of `news.*`).
   */
  readonly channel?: string | undefined;
}

/** A point in a channel stream: the offset of the last publication and the stream incarnation. */
export interface StreamPosition {
  readonly offset: number;
  readonly epoch: string;
}

/** The identity a connection authenticates with. */
export interface Credentials {
  readonly userId: string;
  /** Unix seconds when the connection expires; 0 or absent = never. */
  readonly expireAtSec?: number | undefined;
  readonly info?: Uint8Array | undefined;
}
