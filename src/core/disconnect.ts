/**
 * @module core/disconnect — the disconnect catalogue in both numberings, and the unsubscribe catalogue.
 *
 * Two numberings exist (Rotor's disconnect-code decision, see README 'Disconnect codes'):
 * - `classic` (default): the classic numbering of Centrifugo's documentation (3001 shutdown … 3013 connection limit),
 *   each with an explicit reconnect flag that travels in the close reason as
 *   `{"reason":"…","reconnect":…}` and in the `disconnect` push field 3.
 * - `ranged`: protocol v2 numbering (3500 invalid token, 3501 bad request, …); the client decides
 *   reconnection by code range, close reasons are plain text.
 * Conditions the classic table does not list keep their ranged number, except two whose ranged number means
 * something else in the classic table: `NoPong` (ranged 3012) → classic 3015 and `TooManyRequests`
 * (ranged 3013) → classic 3016. Custom codes (server API, hooks) are sent unchanged in both modes.
 */

/** Which numbering a node uses (config key `disconnect_codes`). */
export type DisconnectCodesMode = 'classic' | 'ranged';

/** A resolved disconnect, as it goes on the wire. */
export interface Disconnect {
  readonly code: number;
  readonly reason: string;
  /** Whether the client should reconnect. */
  readonly reconnect: boolean;
}

/** A catalogue entry: one condition with its code in each numbering. */
export interface DisconnectDescriptor {
  /** Stable name of the condition, e.g. `InvalidToken`. */
  readonly name: string;
  readonly classic: Disconnect;
  readonly ranged: Disconnect;
}

function w(code: number, reason: string, reconnect: boolean): Disconnect {
  return Object.freeze({ code, reason, reconnect });
}
function e(name: string, classic: Disconnect, ranged: Disconnect): DisconnectDescriptor {
  return Object.freeze({ name, classic, ranged });
}

/** Code of {@link Disconnects.ConnectionClosed} (the same in both numberings): the client went away. */
export const CONNECTION_CLOSED_CODE = 3000;

/** Every disconnect condition the server produces. */
export const Disconnects = Object.freeze({
  /** Client went away; internal marker, never sent. */
  ConnectionClosed: e(
    'ConnectionClosed',
    w(CONNECTION_CLOSED_CODE, 'connection closed', true),
    w(CONNECTION_CLOSED_CODE, 'connection closed', true),
  ),
  /** Node is shutting down; clients reconnect (usually to another node). */
  Shutdown: e('Shutdown', w(3001, 'shutdown', true), w(3001, 'shutdown', true)),
  /** Invalid connection token, or token mismatch in subscribe / sub_refresh / refresh. */
  InvalidToken: e('InvalidToken', w(3002, 'invalid token', false), w(3500, 'invalid token', false)),
  /** Protocol violation, missing credentials, malformed frames. */
  BadRequest: e('BadRequest', w(3003, 'bad request', false), w(3501, 'bad request', false)),
  /** Internal failure while connecting, subscribing or refreshing. */
  ServerError: e('ServerError', w(3004, 'internal server error', true), w(3004, 'internal server error', true)),
  /** Connection expired and was not refreshed in time. */
  Expired: e('Expired', w(3005, 'expired', true), w(3005, 'connection expired', true)),
  /** A server-side subscription expired. */
  SubExpired: e('SubExpired', w(3006, 'subscription expired', true), w(3006, 'subscription expired', true)),
  /** No successful connect within `client_stale_close_delay`. */
  Stale: e('Stale', w(3007, 'stale', false), w(3502, 'stale', false)),
  /** Outgoing queue exceeded `client_queue_max_size`. */
  Slow: e('Slow', w(3008, 'slow', true), w(3008, 'slow', true)),
  /** Writing to the transport failed. */
  WriteError: e('WriteError', w(3009, 'write error', true), w(3009, 'write error', true)),
  /** Gap detected in a server-side subscription stream, or server-side channel set changed on refresh. */
  InsufficientState: e('InsufficientState', w(3010, 'insufficient state', true), w(3010, 'insufficient state', true)),
  /** Server asks the client to reconnect. */
  ForceReconnect: e('ForceReconnect', w(3011, 'force reconnect', true), w(3011, 'force reconnect', true)),
  /** Server disconnects and asks the client not to reconnect (server API default). */
  ForceNoReconnect: e('ForceNoReconnect', w(3012, 'force disconnect', false), w(3503, 'force disconnect', false)),
  /** `client_user_connection_limit` reached, or personal single connection. */
  ConnectionLimit: e('ConnectionLimit', w(3013, 'connection limit', false), w(3504, 'connection limit', false)),
  /** Pong not received within `pong_timeout`. Classic number 3015 (3012 means force disconnect there). */
  NoPong: e('NoPong', w(3015, 'no pong', true), w(3012, 'no pong', true)),
  /** Rate limits. Classic number 3016 (3013 means connection limit there). */
  TooManyRequests: e('TooManyRequests', w(3016, 'too many requests', true), w(3013, 'too many requests', true)),
  /** Client must drop its token and cached state, then reconnect. */
  StateInvalidated: e('StateInvalidated', w(3014, 'state invalidated', true), w(3014, 'state invalidated', true)),
  /** Server-side subscriptions exceed `client_channel_limit`. */
  ChannelLimit: e('ChannelLimit', w(3505, 'channel limit', false), w(3505, 'channel limit', false)),
  /** Data cannot be encoded for the connection's protocol (binary to a JSON client). */
  InappropriateProtocol: e('InappropriateProtocol', w(3506, 'inappropriate protocol', false), w(3506, 'inappropriate protocol', false)),
  /** Anonymous connection tokens are disallowed; uni transports map error 103 here. */
  PermissionDenied: e('PermissionDenied', w(3507, 'permission denied', false), w(3507, 'permission denied', false)),
  /** `send` command without a message handler. */
  NotAvailable: e('NotAvailable', w(3508, 'not available', false), w(3508, 'not available', false)),
  /** Error-rate limiting. */
  TooManyErrors: e('TooManyErrors', w(3509, 'too many errors', false), w(3509, 'too many errors', false)),
} satisfies Record<string, DisconnectDescriptor>);

/** The reconnect rule of protocol v2, used for custom codes: by code range. */
export function reconnectByRange(code: number): boolean {
  if (code >= 3500 && code < 4000) return false;
  if (code >= 4500 && code < 5000) return false;
  return true;
}

/** A custom disconnect (server API, hooks): reconnect derived from the code range. */
export function customDisconnect(code: number, reason: string): Disconnect {
  return w(code, reason, reconnectByRange(code));
}

/** Resolves a catalogue entry (or passes a custom disconnect through) for the given numbering. */
export function resolveDisconnect(value: DisconnectDescriptor | Disconnect, mode: DisconnectCodesMode): Disconnect {
  if ('classic' in value) return mode === 'classic' ? value.classic : value.ranged;
  return value;
}

/**
 * The close-frame reason text: JSON `{"reason","reconnect"}` in classic mode (centrifuge-js obeys
 * the flag), plain text in ranged mode. Truncated so the close frame stays within 123 bytes.
 */
export function closeReasonText(d: Disconnect, mode: DisconnectCodesMode): string {
  if (mode === 'ranged') return truncateUtf8(d.reason, 123);
  const text = JSON.stringify({ reason: d.reason, reconnect: d.reconnect });
  if (Buffer.byteLength(text) <= 123) return text;
  const room = 123 - Buffer.byteLength(JSON.stringify({ reason: '', reconnect: d.reconnect }));
  return JSON.stringify({ reason: truncateUtf8(d.reason, Math.max(0, room - 8)), reconnect: d.reconnect });
}

function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s) <= maxBytes) return s;
  let out = s;
  while (Buffer.byteLength(out) > maxBytes) out = out.slice(0, -1);
  return out;
}

/** Thrown by handlers and hooks to close the connection. */
export class DisconnectError extends Error {
  override readonly name = 'DisconnectError';
  readonly disconnect: DisconnectDescriptor | Disconnect;
  constructor(disconnect: DisconnectDescriptor | Disconnect, options?: { cause?: unknown }) {
    super('classic' in disconnect ? disconnect.name : `disconnect ${disconnect.code}`, options);
    this.disconnect = disconnect;
  }
}

/** An unsubscribe push code. */
export interface UnsubscribeDescriptor {
  readonly code: number;
  readonly reason: string;
}

/** Unsubscribe codes sent in `unsubscribe` pushes (Centrifugo's unsubscribe codes): < 2500 terminal, ≥ 2500 resubscribe. */
export const Unsubscribes = Object.freeze({
  /** Internal only: the client unsubscribed. */
  Client: Object.freeze({ code: 0, reason: 'client unsubscribed' }),
  /** Internal only: the client disconnected. */
  Disconnect: Object.freeze({ code: 1, reason: 'client disconnected' }),
  /** Server API unsubscribe; terminal. */
  Server: Object.freeze({ code: 2000, reason: 'server unsubscribe' }),
  /** Gap detected in the stream; client resubscribes with recovery. */
  InsufficientState: Object.freeze({ code: 2500, reason: 'insufficient state' }),
  /** Subscription expired; client resubscribes with a new token. */
  Expired: Object.freeze({ code: 2501, reason: 'subscription expired' }),
  /** Client must drop its subscription token and cached state, then resubscribe. */
  StateInvalidated: Object.freeze({ code: 2502, reason: 'state invalidated' }),
} satisfies Record<string, UnsubscribeDescriptor>);
