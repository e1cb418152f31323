/**
 * @module protocol/types — client protocol v2 messages (Centrifugo's client protocol v2 schema).
 *
 * Field names are the camelCase forms of the proto field names (`was_recovering` → `wasRecovering`);
 * the codecs map them to snake_case JSON names and proto field numbers. Every `bytes` field is a
 * Uint8Array: raw JSON text for the JSON codec, opaque bytes for Protobuf. 64-bit integers are numbers.
 * Absent optional fields mean "default" (omitted on the wire).
 */

interface ProtoError {
  code: number;
  message: string;
  temporary?: boolean;
}

export interface ProtoClientInfo {
  user: string;
  client: string;
  connInfo?: Uint8Array;
  chanInfo?: Uint8Array;
}

export interface ProtoPublication {
  data?: Uint8Array;
  info?: ProtoClientInfo;
  offset?: number;
  tags?: Record<string, string>;
  delta?: boolean;
  time?: number;
  channel?: string;
  key?: string;
  removed?: boolean;
  score?: number;
  epoch?: string;
  prevData?: Uint8Array;
  version?: number;
}

interface ProtoStreamPosition {
  offset: number;
  epoch: string;
}

export interface FilterNode {
  op?: string;
  key?: string;
  cmp?: string;
  val?: string;
  vals?: string[];
  nodes?: FilterNode[];
}

// ---- requests ----

export interface ConnectRequest {
  token?: string;
  data?: Uint8Array;
  subs?: Record<string, SubscribeRequest>;
  name?: string;
  version?: string;
  headers?: Record<string, string>;
  flag?: number;
  dict?: string;
  profile?: string;
}
interface RefreshRequest {
  token?: string;
}
export interface SubscribeRequest {
  channel?: string;
  token?: string;
  recover?: boolean;
  epoch?: string;
  offset?: number;
  data?: Uint8Array;
  positioned?: boolean;
  recoverable?: boolean;
  joinLeave?: boolean;
  delta?: string;
  tf?: FilterNode;
  flag?: number;
  type?: number;
  phase?: number;
  cursor?: string;
  limit?: number;
  asc?: boolean;
}
interface SubRefreshRequest {
  channel?: string;
  token?: string;
  type?: number;
}
interface UnsubscribeRequest {
  channel?: string;
}
interface PublishRequest {
  channel?: string;
  data?: Uint8Array;
  type?: number;
  key?: string;
  removed?: boolean;
}
interface PresenceRequest {
  channel?: string;
}
interface PresenceStatsRequest {
  channel?: string;
}
interface HistoryRequest {
  channel?: string;
  limit?: number;
  since?: ProtoStreamPosition;
  reverse?: boolean;
}
interface RPCRequest {
  data?: Uint8Array;
  method?: string;
}
interface SendRequest {
  data?: Uint8Array;
}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- empty message on the wire
interface PingRequest {}

/** A client → server command: an id plus exactly one request (first present wins, Centrifugo's command dispatch rules). */
export interface Command {
  id?: number;
  connect?: ConnectRequest;
  subscribe?: SubscribeRequest;
  unsubscribe?: UnsubscribeRequest;
  publish?: PublishRequest;
  presence?: PresenceRequest;
  presenceStats?: PresenceStatsRequest;
  history?: HistoryRequest;
  ping?: PingRequest;
  send?: SendRequest;
  rpc?: RPCRequest;
  refresh?: RefreshRequest;
  subRefresh?: SubRefreshRequest;
}

// ---- results ----

export interface ConnectResult {
  client?: string;
  version?: string;
  expires?: boolean;
  ttl?: number;
  data?: Uint8Array;
  subs?: Record<string, SubscribeResult>;
  ping?: number;
  pong?: boolean;
  session?: string;
  node?: string;
  time?: number;
}
interface RefreshResult {
  client?: string;
  version?: string;
  expires?: boolean;
  ttl?: number;
}
export interface SubscribeResult {
  expires?: boolean;
  ttl?: number;
  recoverable?: boolean;
  epoch?: string;
  publications?: ProtoPublication[];
  recovered?: boolean;
  offset?: number;
  positioned?: boolean;
  data?: Uint8Array;
  wasRecovering?: boolean;
  delta?: boolean;
}
interface SubRefreshResult {
  expires?: boolean;
  ttl?: number;
}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- empty message on the wire
interface UnsubscribeResult {}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- empty message on the wire
interface PublishResult {}
export interface PresenceResult {
  presence: Record<string, ProtoClientInfo>;
}
interface PresenceStatsResult {
  numClients: number;
  numUsers: number;
}
export interface HistoryResult {
  publications: ProtoPublication[];
  epoch: string;
  offset: number;
}
interface RPCResult {
  data?: Uint8Array;
}

// ---- pushes ----

interface Join {
  info: ProtoClientInfo;
}
interface Leave {
  info: ProtoClientInfo;
}
interface UnsubscribePush {
  code: number;
  reason: string;
}
interface SubscribePush {
  recoverable?: boolean;
  epoch?: string;
  offset?: number;
  positioned?: boolean;
  data?: Uint8Array;
}
interface MessagePush {
  data?: Uint8Array;
}
/** The `connect` push of unidirectional transports (different field numbers from ConnectResult). */
interface ConnectPush {
  client?: string;
  version?: string;
  data?: Uint8Array;
  subs?: Record<string, SubscribeResult>;
  expires?: boolean;
  ttl?: number;
  ping?: number;
  pong?: boolean;
  session?: string;
  node?: string;
  time?: number;
}
interface DisconnectPush {
  code: number;
  reason: string;
  reconnect?: boolean;
}
interface RefreshPush {
  expires?: boolean;
  ttl?: number;
}

/** Asynchronous message: inside `Reply.push` (bidirectional) or bare (unidirectional). */
export interface Push {
  channel?: string;
  pub?: ProtoPublication;
  join?: Join;
  leave?: Leave;
  unsubscribe?: UnsubscribePush;
  message?: MessagePush;
  subscribe?: SubscribePush;
  connect?: ConnectPush;
  disconnect?: DisconnectPush;
  refresh?: RefreshPush;
}

/** A server → client message: a command reply (id > 0), a push (id 0), or a ping (empty). */
export interface Reply {
  id?: number;
  error?: ProtoError;
  push?: Push;
  connect?: ConnectResult;
  subscribe?: SubscribeResult;
  unsubscribe?: UnsubscribeResult;
  publish?: PublishResult;
  presence?: PresenceResult;
  presenceStats?: PresenceStatsResult;
  history?: HistoryResult;
  rpc?: RPCResult;
  refresh?: RefreshResult;
  subRefresh?: SubRefreshResult;
}

/** Body of POST /emulation. In JSON, `data` is the command frame carried as a JSON string. */
export interface EmulationRequest {
  node?: string;
  session?: string;
  data?: Uint8Array;
}
