/**
 * @module core/handler — the decisions the core delegates: who may connect, subscribe, publish…
 *
 * The core implements the protocol mechanics (ordering, state, recovery, positioning, pushes,
 * timers); a `ClientHandler` decides permissions and per-subscription options. Rotor's server plugs
 * in Centrifugo's rules (`policy/client-policy.ts`); an application embedding Rotor as a library can
 * supply its own. Every method may reject with `ClientError` (error reply, connection kept) or
 * `DisconnectError` (connection closed); any other rejection becomes error 100 / disconnect 3004.
 */
import type { ConnectRequest, SubscribeRequest } from '../protocol/types.js';
import type { ChannelOptions } from './channel-options.js';
import type { TagsFilter } from './tags-filter.js';
import type { Credentials } from './types.js';

/** Where a subscription came from (Centrifugo's subscription source codes). */
export const SubscriptionSource = Object.freeze({
  Unknown: 0,
  ConnectionToken: 1,
  ConnectProxy: 2,
  SubscriptionToken: 3,
  SubscribeProxy: 4,
  UserLimited: 5,
  ClientAllowed: 6,
  ClientInsecure: 7,
  UniConnect: 8,
  UserPersonal: 9,
  ServerApi: 10,
} as const);

/** Everything the core needs to run one subscription. */
export interface SubscribeOptions {
  /** The channel's resolved options (namespace settings). */
  readonly channelOptions: ChannelOptions;
  /** Register the subscriber in presence. */
  readonly emitPresence: boolean;
  /** Publish join/leave for this subscriber. */
  readonly emitJoinLeave: boolean;
  /** Deliver join/leave pushes to this subscriber. */
  readonly pushJoinLeave: boolean;
  /** Track stream position and detect gaps. */
  readonly enablePositioning: boolean;
  /** Allow recovery (implies positioning). */
  readonly enableRecovery: boolean;
  /** Channel info attached to this subscriber's ClientInfo. */
  readonly chanInfo?: Uint8Array | undefined;
  /** Data sent to the client in the subscribe result / push. */
  readonly data?: Uint8Array | undefined;
  /** Unix seconds when the subscription expires; 0 = never. */
  readonly expireAtSec: number;
  /** Subscription source code (metrics, API). */
  readonly source: number;
  /** Fossil delta compression negotiated for this subscription (Centrifugo's delta compression). */
  readonly deltaFossil?: boolean | undefined;
  /** Publications whose tags do not pass are not delivered (offsets still advance; Centrifugo's publication tags filter). */
  readonly tagsFilter?: TagsFilter | undefined;
  /**
   * False: an expiring subscription is refreshed by the server through
   * {@link ClientHandler.refreshSubscription} (no `expires`/`ttl` in the subscribe result). @default true
   */
  readonly clientSideRefresh?: boolean | undefined;
  /** A per-subscriber publication stream from the application (e.g. a subscribe-stream proxy). */
  readonly stream?: SubscriptionStream | undefined;
}

/**
 * Publications for one subscriber only, from outside the broker. The core starts it when the
 * subscription is committed and closes it when the subscription ends in any way (unsubscribe,
 * disconnect, failed subscribe); when the source ends first, the client is unsubscribed (2500,
 * it resubscribes).
 */
export interface SubscriptionStream {
  /** `deliver` pushes a publication to this subscriber; `end` ends the subscription. */
  start(deliver: (data: Uint8Array, tags?: Readonly<Record<string, string>>) => void, end: () => void): void;
  /** Bidirectional streams: a client publish to the channel goes here instead of the broker. */
  publish?(data: Uint8Array): void;
  /** Idempotent. */
  close(): void;
}

/** Information about the transport a connection uses, passed to the handler. */
export interface ConnectionContext {
  readonly clientId: string;
  readonly transport: string;
  readonly protocol: 'json' | 'protobuf';
  /** User id already attached to the HTTP request (e.g. `client_user_id_http_header`). */
  readonly httpUserId?: string | undefined;
  readonly unidirectional: boolean;
  /** Request headers recorded when the connection opened (lower-case names; see `NodeOptions.captureHeaders`). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** The handler's answer to a connect request. */
export interface ConnectDecision {
  readonly credentials: Credentials;
  /** Server-side subscriptions to establish, by channel. */
  readonly subscriptions: ReadonlyMap<string, SubscribeOptions>;
  /** Channels subscribed because the token asked for them (for refresh consistency checks). */
  readonly tokenChannels?: readonly string[] | undefined;
  /** Data returned to the client in the connect result. */
  readonly data?: Uint8Array | undefined;
  /** When true (default), an expiring connection is refreshed by the client (`refresh` command). */
  readonly clientSideRefresh?: boolean | undefined;
  /**
   * Keep one connection per user: when this channel's presence already lists the user, every other
   * connection of the user (on any node) is closed with ConnectionLimit (`user_personal_single_connection`).
   */
  readonly singleConnectionChannel?: string | undefined;
  /** Hidden per-connection data kept for the handler (never sent to the client). */
  readonly meta?: Uint8Array | undefined;
  /** Client-sent (emulated) headers to keep for the handler, apart from real request headers. */
  readonly emulatedHeaders?: Readonly<Record<string, string>> | undefined;
}

/** The handler's answer to a refresh (client `refresh` command). */
export interface RefreshDecision {
  /** New expiration, unix seconds; 0 = never. */
  readonly expireAtSec: number;
  readonly info?: Uint8Array | undefined;
  /** Token-based server-side channels of the new token (a change → disconnect insufficient state). */
  readonly tokenChannels?: readonly string[] | undefined;
}

/** The handler's answer to a server-side refresh of a connection or subscription. */
export interface ServerRefreshDecision {
  /** True: close the connection (or drop the subscription) as expired. */
  readonly expired?: boolean | undefined;
  /** New expiration, unix seconds; 0 = never. */
  readonly expireAtSec: number;
  /** New connection info (or channel info for a subscription); absent = unchanged. */
  readonly info?: Uint8Array | undefined;
  /** New hidden connection meta; absent = unchanged. */
  readonly meta?: Uint8Array | undefined;
}

/** The handler's answer to a sub_refresh. */
export interface SubRefreshDecision {
  readonly expireAtSec: number;
  readonly chanInfo?: Uint8Array | undefined;
}

/** The handler's answer to a client publish: what to publish with. */
export interface PublishDecision {
  readonly channelOptions: ChannelOptions;
  /** Replacement payload (proxies); absent = the client's data. */
  readonly data?: Uint8Array | undefined;
  readonly skipHistory?: boolean | undefined;
}

/** A read of history by a client. */
export interface HistoryDecision {
  readonly channelOptions: ChannelOptions;
}

/** Identity of the calling connection, as handlers see it. */
export interface ClientView {
  readonly id: string;
  readonly userId: string;
  readonly transportName: string;
  readonly protocol: 'json' | 'protobuf';
  /** Hidden connection meta set by the connect decision. */
  readonly meta: Uint8Array | undefined;
  /** Request headers recorded when the connection opened (see `ConnectionContext.headers`). */
  readonly headers: Readonly<Record<string, string>> | undefined;
  /** Client-sent connect `headers` the connect decision kept; never mixed with `headers`. */
  readonly emulatedHeaders: Readonly<Record<string, string>> | undefined;
  /** True when subscribed (state subscribed) to the channel. */
  isSubscribed(channel: string): boolean;
}

/** Centrifugo's policy decisions, or an application's own. */
export interface ClientHandler {
  /** Authenticate a connect request; compute server-side subscriptions. */
  connect(ctx: ConnectionContext, request: ConnectRequest): Promise<ConnectDecision>;
  /** Decide a client subscribe (Centrifugo's subscribe checks from namespace resolution on, and the client's requested flags). */
  subscribe(client: ClientView, request: SubscribeRequest): Promise<SubscribeOptions>;
  publish(client: ClientView, channel: string, data: Uint8Array): Promise<PublishDecision>;
  /** Permission + availability for presence / presence_stats. */
  presence(client: ClientView, channel: string): Promise<ChannelOptions>;
  history(client: ClientView, channel: string): Promise<HistoryDecision>;
  rpc(client: ClientView, method: string, data: Uint8Array | undefined): Promise<Uint8Array | undefined>;
  refresh(client: ClientView, token: string): Promise<RefreshDecision>;
  subRefresh(client: ClientView, channel: string, token: string): Promise<SubRefreshDecision>;
  /** Options for a server-side subscription requested through the server API. */
  serverSubscribe(userId: string, channel: string): ChannelOptions;
  /**
   * Server-side refresh: called when the expiry of a connection whose connect decision said
   * `clientSideRefresh: false` passes. Rejecting with DisconnectError closes the connection; any other
   * rejection closes it with a server error (handlers retry transient failures themselves).
   */
  refreshConnection?(client: ClientView): Promise<ServerRefreshDecision>;
  /** Server-side refresh of a subscription made with `clientSideRefresh: false` (checked on the periodic tick). */
  refreshSubscription?(client: ClientView, channel: string): Promise<ServerRefreshDecision>;
}

