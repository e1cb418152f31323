/**
 * @module api/types — server-API requests, results and envelopes, shaped like the protobuf messages of
 * `centrifugal.centrifugo.api` (Centrifugo's GRPC API schema).
 *
 * Field names are the proto field names (snake_case) so the same objects serve the HTTP JSON front and
 * the GRPC front (proto-loader with `keepCase`). Every field is optional, as in proto3: an absent field
 * and its zero value mean the same. `bytes` fields are `Uint8Array` (raw JSON over HTTP), 64-bit
 * integers are plain numbers (exact up to 2^53). Map fields are plain objects; the API layer builds
 * them without a prototype so keys like `__proto__` are ordinary keys.
 */
import type { ApiErrorObject } from './errors.js';

export type { ApiErrorObject } from './errors.js';

/** Which front door a call came through (the `protocol` label of API metrics; async consumers use `consuming`). */
export type ApiProtocol = 'http' | 'grpc' | 'consuming';

/** `StreamPosition`: offset=1 uint64, epoch=2 string. */
export interface StreamPosition {
  offset?: number;
  epoch?: string;
}

/** `BoolValue`: value=1 bool — distinguishes "unset" from `false` in overrides. */
export interface BoolValue {
  value?: boolean;
}

/** `SubscribeOptionOverride`: unset fields keep the channel option. */
export interface SubscribeOptionOverride {
  presence?: BoolValue;
  join_leave?: BoolValue;
  force_recovery?: BoolValue;
  force_positioning?: BoolValue;
  force_push_join_leave?: BoolValue;
}

/** `Disconnect`: code=1 uint32, reason=2 string. */
export interface Disconnect {
  code?: number;
  reason?: string;
}

/** `ClientInfo` as returned by presence and history (`user` and `client` always emitted in JSON). */
export interface ClientInfo {
  user?: string;
  client?: string;
  conn_info?: Uint8Array;
  chan_info?: Uint8Array;
}

/** `Publication` (history item); field 1 was removed from the schema. */
export interface Publication {
  data?: Uint8Array;
  info?: ClientInfo;
  offset?: number;
  tags?: Record<string, string>;
}

// ---- requests ------------------------------------------------------------------------------------

/** What `publish` and `broadcast` publish: the fields after the channel(s), the same in both requests. */
interface PublicationRequestFields {
  data?: Uint8Array;
  b64data?: string;
  skip_history?: boolean;
  tags?: Record<string, string>;
  idempotency_key?: string;
  delta?: boolean;
}

export interface PublishRequest extends PublicationRequestFields {
  channel?: string;
}

export interface BroadcastRequest extends PublicationRequestFields {
  channels?: string[];
}

export interface SubscribeRequest {
  channel?: string;
  user?: string;
  /** Unix seconds. */
  expire_at?: number;
  info?: Uint8Array;
  b64info?: string;
  client?: string;
  data?: Uint8Array;
  b64data?: string;
  recover_since?: StreamPosition;
  override?: SubscribeOptionOverride;
  session?: string;
}

export interface UnsubscribeRequest {
  channel?: string;
  user?: string;
  client?: string;
  session?: string;
}

export interface DisconnectRequest {
  user?: string;
  disconnect?: Disconnect;
  client?: string;
  whitelist?: string[];
  session?: string;
}

export interface RefreshRequest {
  user?: string;
  client?: string;
  expired?: boolean;
  /** Unix seconds. */
  expire_at?: number;
  info?: Uint8Array;
  session?: string;
}

export interface PresenceRequest {
  channel?: string;
}

export interface PresenceStatsRequest {
  channel?: string;
}

export interface HistoryRequest {
  channel?: string;
  /** 0 = only the stream position, < 0 = no limit. */
  limit?: number;
  since?: StreamPosition;
  reverse?: boolean;
}

export interface HistoryRemoveRequest {
  channel?: string;
}

export type InfoRequest = Record<string, never>;

export interface RPCRequest {
  method?: string;
  params?: Uint8Array;
}

export interface ChannelsRequest {
  /** gobwas/glob pattern; empty = all channels. */
  pattern?: string;
}

/** `Command.MethodType` enum (legacy `/api` format and batch `method` field). */
export const MethodType = Object.freeze({
  PUBLISH: 0,
  BROADCAST: 1,
  UNSUBSCRIBE: 2,
  DISCONNECT: 3,
  PRESENCE: 4,
  PRESENCE_STATS: 5,
  HISTORY: 6,
  HISTORY_REMOVE: 7,
  CHANNELS: 8,
  INFO: 9,
  RPC: 10,
  SUBSCRIBE: 11,
  REFRESH: 12,
  CONNECTIONS: 14,
  UPDATE_USER_STATUS: 15,
  GET_USER_STATUS: 16,
  DELETE_USER_STATUS: 17,
  BLOCK_USER: 18,
  UNBLOCK_USER: 19,
  REVOKE_TOKEN: 20,
  INVALIDATE_USER_TOKENS: 21,
  DEVICE_REGISTER: 22,
  DEVICE_UPDATE: 23,
  DEVICE_REMOVE: 24,
  DEVICE_LIST: 25,
  DEVICE_TOPIC_LIST: 26,
  DEVICE_TOPIC_UPDATE: 27,
  USER_TOPIC_LIST: 28,
  USER_TOPIC_UPDATE: 29,
  SEND_PUSH_NOTIFICATION: 30,
  UPDATE_PUSH_STATUS: 31,
  CANCEL_PUSH: 32,
} as const);

/**
 * `Command`: a batch item (typed fields) or a legacy `/api` item (`id`, `method`, `params`).
 * PRO-only typed fields (17–35) are accepted by the decoder but not represented here.
 */
export interface Command {
  id?: number;
  method?: number;
  params?: Uint8Array;
  publish?: PublishRequest;
  broadcast?: BroadcastRequest;
  subscribe?: SubscribeRequest;
  unsubscribe?: UnsubscribeRequest;
  disconnect?: DisconnectRequest;
  presence?: PresenceRequest;
  presence_stats?: PresenceStatsRequest;
  history?: HistoryRequest;
  history_remove?: HistoryRemoveRequest;
  info?: InfoRequest;
  rpc?: RPCRequest;
  refresh?: RefreshRequest;
  channels?: ChannelsRequest;
}

export interface BatchRequest {
  commands?: Command[];
  /** Run commands concurrently (≤ 1024 at a time) instead of one by one. */
  parallel?: boolean;
}

// ---- results -------------------------------------------------------------------------------------

export interface PublishResult {
  offset?: number;
  epoch?: string;
}

/** `PublishResponse`, also the per-channel item of a broadcast. */
export interface PublishResponse {
  error?: ApiErrorObject;
  result?: PublishResult;
}

export interface BroadcastResult {
  responses?: PublishResponse[];
}

export type SubscribeResult = Record<string, never>;
export type UnsubscribeResult = Record<string, never>;
export type DisconnectResult = Record<string, never>;
export type RefreshResult = Record<string, never>;
export type HistoryRemoveResult = Record<string, never>;

export interface PresenceResult {
  /** client id → ClientInfo. */
  presence?: Record<string, ClientInfo>;
}

export interface PresenceStatsResult {
  num_clients?: number;
  num_users?: number;
}

export interface HistoryResult {
  publications?: Publication[];
  epoch?: string;
  offset?: number;
}

export interface Metrics {
  /** Seconds. */
  interval?: number;
  items?: Record<string, number>;
}

export interface Process {
  cpu?: number;
  rss?: number;
}

export interface NodeResult {
  uid?: string;
  name?: string;
  version?: string;
  num_clients?: number;
  num_users?: number;
  num_channels?: number;
  /** Seconds since start; omitted from JSON when 0. */
  uptime?: number;
  metrics?: Metrics;
  process?: Process;
  num_subs?: number;
}

export interface InfoResult {
  nodes?: NodeResult[];
}

export interface RPCResult {
  data?: Uint8Array;
}

export interface ChannelInfo {
  num_clients?: number;
}

export interface ChannelsResult {
  channels?: Record<string, ChannelInfo>;
}

/** A batch reply: `error` or the result field named like the command. `result` is the legacy raw result. */
export interface Reply {
  id?: number;
  error?: ApiErrorObject;
  result?: Uint8Array;
  publish?: PublishResult;
  broadcast?: BroadcastResult;
  subscribe?: SubscribeResult;
  unsubscribe?: UnsubscribeResult;
  disconnect?: DisconnectResult;
  presence?: PresenceResult;
  presence_stats?: PresenceStatsResult;
  history?: HistoryResult;
  history_remove?: HistoryRemoveResult;
  info?: InfoResult;
  rpc?: RPCResult;
  refresh?: RefreshResult;
  channels?: ChannelsResult;
}

export interface BatchResponse {
  replies?: Reply[];
}

// ---- method tables -------------------------------------------------------------------------------

/** `XResponse { Error error = 1; XResult result = 2; }`. */
export interface ApiResponse<R> {
  error?: ApiErrorObject;
  result?: R;
}

/** Request type of every OSS method, keyed by its wire name. */
export interface ApiRequests {
  publish: PublishRequest;
  broadcast: BroadcastRequest;
  subscribe: SubscribeRequest;
  unsubscribe: UnsubscribeRequest;
  disconnect: DisconnectRequest;
  presence: PresenceRequest;
  presence_stats: PresenceStatsRequest;
  history: HistoryRequest;
  history_remove: HistoryRemoveRequest;
  info: InfoRequest;
  rpc: RPCRequest;
  refresh: RefreshRequest;
  channels: ChannelsRequest;
  batch: BatchRequest;
}

/** Result type of every OSS method except batch (whose response has no result wrapper). */
export interface ApiResults {
  publish: PublishResult;
  broadcast: BroadcastResult;
  subscribe: SubscribeResult;
  unsubscribe: UnsubscribeResult;
  disconnect: DisconnectResult;
  presence: PresenceResult;
  presence_stats: PresenceStatsResult;
  history: HistoryResult;
  history_remove: HistoryRemoveResult;
  info: InfoResult;
  rpc: RPCResult;
  refresh: RefreshResult;
  channels: ChannelsResult;
}

/** Wire name of an OSS method (`/api/<name>`). */
export type ApiMethod = keyof ApiRequests;

/** Methods with an `XResponse{error,result}` envelope (all but batch). */
export type ApiUnaryMethod = keyof ApiResults;

/** Every OSS method name, in the order of Centrifugo's HTTP API routes. */
export const API_METHODS: readonly ApiMethod[] = Object.freeze([
  'batch',
  'publish',
  'broadcast',
  'subscribe',
  'unsubscribe',
  'disconnect',
  'presence',
  'presence_stats',
  'history',
  'history_remove',
  'info',
  'rpc',
  'refresh',
  'channels',
] as const);

/** True for the wire name of an OSS method. */
export function isApiMethod(name: string): name is ApiMethod {
  return (API_METHODS as readonly string[]).includes(name);
}

/**
 * Batch command kinds in the priority order the executor checks them (first non-null wins), which
 * is also the legacy method of the same name.
 */
export const BATCH_COMMAND_ORDER: readonly ApiUnaryMethod[] = Object.freeze([
  'publish',
  'broadcast',
  'subscribe',
  'unsubscribe',
  'disconnect',
  'history',
  'history_remove',
  'presence',
  'presence_stats',
  'info',
  'rpc',
  'refresh',
  'channels',
] as const);

/** Legacy `MethodType` value → method name, for the 13 OSS methods (the enum name is the method name in upper case). */
export const LEGACY_METHODS: ReadonlyMap<number, ApiUnaryMethod> = new Map<number, ApiUnaryMethod>(
  BATCH_COMMAND_ORDER.map((m) => [MethodType[m.toUpperCase() as Uppercase<ApiUnaryMethod>], m]),
);
