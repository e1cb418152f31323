/**
 * @module api/schema — field tables of the server-API messages (Centrifugo's GRPC API schema) driving the
 * JSON decoder and encoder: proto field order, JSON kinds, and which fields are emitted even when
 * zero (Centrifugo's server API JSON encoding "always-present").
 */
import { MethodType } from './types.js';

/** JSON kind of a field. */
export type FieldKind =
  | { readonly k: 'string' }
  | { readonly k: 'bool' }
  | { readonly k: 'int32' }
  | { readonly k: 'int64' }
  | { readonly k: 'uint32' }
  | { readonly k: 'uint64' }
  | { readonly k: 'double' }
  /** Proto `bytes`: any JSON value, kept as its exact bytes. */
  | { readonly k: 'raw' }
  /** Enum: name (any case) or integer on input; not emitted by this server. */
  | { readonly k: 'enum'; readonly values: Readonly<Record<string, number>> }
  | { readonly k: 'message'; readonly msg: () => MessageSchema }
  | { readonly k: 'repeated'; readonly of: FieldKind }
  | { readonly k: 'map'; readonly of: FieldKind };

export interface FieldSchema {
  readonly name: string;
  readonly kind: FieldKind;
  /** Emitted even when zero/empty (Go tag without omitempty). */
  readonly always: boolean;
}

export interface MessageSchema {
  readonly name: string;
  readonly fields: readonly FieldSchema[];
  /** Exact JSON key → field. */
  readonly byName: ReadonlyMap<string, FieldSchema>;
  /** Case-folded key → field (Go encoding/json matches keys case-insensitively). */
  readonly byFold: ReadonlyMap<string, FieldSchema>;
}

/**
 * Go's key folding (`encoding/json` foldName): ASCII letters compare case-insensitively, and the two
 * non-ASCII runes whose simple case-fold orbit contains an ASCII letter (U+212A KELVIN SIGN ~ `k`,
 * U+017F LONG S ~ `s`) fold to it.
 */
export function foldKey(key: string): string {
  let out = '';
  for (const ch of key) {
    if (ch === '\u212a') out += 'k';
    else if (ch === '\u017f') out += 's';
    else if (ch >= 'A' && ch <= 'Z') out += ch.toLowerCase();
    else out += ch;
  }
  return out;
}

const STRING: FieldKind = { k: 'string' };
const BOOL: FieldKind = { k: 'bool' };
const INT32: FieldKind = { k: 'int32' };
const INT64: FieldKind = { k: 'int64' };
const UINT32: FieldKind = { k: 'uint32' };
const UINT64: FieldKind = { k: 'uint64' };
const DOUBLE: FieldKind = { k: 'double' };
const RAW: FieldKind = { k: 'raw' };
const STRINGS: FieldKind = { k: 'repeated', of: STRING };
const STRING_MAP: FieldKind = { k: 'map', of: STRING };
const msg = (m: () => MessageSchema): FieldKind => ({ k: 'message', msg: m });

type FieldSpec = readonly [name: string, kind: FieldKind, always?: boolean];

function message(name: string, specs: readonly FieldSpec[]): MessageSchema {
  const fields = specs.map(([n, kind, always]) => Object.freeze({ name: n, kind, always: always === true }));
  return Object.freeze({
    name,
    fields: Object.freeze(fields),
    byName: new Map(fields.map((f) => [f.name, f])),
    byFold: new Map(fields.map((f) => [foldKey(f.name), f])),
  });
}

export const ErrorSchema = message('Error', [
  ['code', UINT32],
  ['message', STRING],
]);
export const StreamPositionSchema = message('StreamPosition', [
  ['offset', UINT64],
  ['epoch', STRING],
]);
export const BoolValueSchema = message('BoolValue', [['value', BOOL]]);
const BOOL_VALUE = msg(() => BoolValueSchema);
export const SubscribeOptionOverrideSchema = message('SubscribeOptionOverride', [
  ['presence', BOOL_VALUE],
  ['join_leave', BOOL_VALUE],
  ['force_recovery', BOOL_VALUE],
  ['force_positioning', BOOL_VALUE],
  ['force_push_join_leave', BOOL_VALUE],
]);
export const DisconnectSchema = message('Disconnect', [
  ['code', UINT32],
  ['reason', STRING],
]);
export const ClientInfoSchema = message('ClientInfo', [
  ['user', STRING, true],
  ['client', STRING, true],
  ['conn_info', RAW],
  ['chan_info', RAW],
]);
export const PublicationSchema = message('Publication', [
  ['data', RAW],
  ['info', msg(() => ClientInfoSchema)],
  ['offset', UINT64],
  ['tags', STRING_MAP],
]);

// ---- requests ------------------------------------------------------------------------------------

export const PublishRequestSchema = message('PublishRequest', [
  ['channel', STRING],
  ['data', RAW],
  ['b64data', STRING],
  ['skip_history', BOOL],
  ['tags', STRING_MAP],
  ['idempotency_key', STRING],
  ['delta', BOOL],
]);
export const BroadcastRequestSchema = message('BroadcastRequest', [
  ['channels', STRINGS],
  ['data', RAW],
  ['b64data', STRING],
  ['skip_history', BOOL],
  ['tags', STRING_MAP],
  ['idempotency_key', STRING],
  ['delta', BOOL],
]);
export const SubscribeRequestSchema = message('SubscribeRequest', [
  ['channel', STRING],
  ['user', STRING],
  ['expire_at', INT64],
  ['info', RAW],
  ['b64info', STRING],
  ['client', STRING],
  ['data', RAW],
  ['b64data', STRING],
  ['recover_since', msg(() => StreamPositionSchema)],
  ['override', msg(() => SubscribeOptionOverrideSchema)],
  ['session', STRING],
]);
export const UnsubscribeRequestSchema = message('UnsubscribeRequest', [
  ['channel', STRING],
  ['user', STRING],
  ['client', STRING],
  ['session', STRING],
]);
export const DisconnectRequestSchema = message('DisconnectRequest', [
  ['user', STRING],
  ['disconnect', msg(() => DisconnectSchema)],
  ['client', STRING],
  ['whitelist', STRINGS],
  ['session', STRING],
]);
export const PresenceRequestSchema = message('PresenceRequest', [['channel', STRING]]);
export const PresenceStatsRequestSchema = message('PresenceStatsRequest', [['channel', STRING]]);
export const HistoryRequestSchema = message('HistoryRequest', [
  ['channel', STRING],
  ['limit', INT32],
  ['since', msg(() => StreamPositionSchema)],
  ['reverse', BOOL],
]);
export const HistoryRemoveRequestSchema = message('HistoryRemoveRequest', [['channel', STRING]]);
export const InfoRequestSchema = message('InfoRequest', []);
export const RPCRequestSchema = message('RPCRequest', [
  ['method', STRING],
  ['params', RAW],
]);
export const RefreshRequestSchema = message('RefreshRequest', [
  ['user', STRING],
  ['client', STRING],
  ['expired', BOOL],
  ['expire_at', INT64],
  ['info', RAW],
  ['session', STRING],
]);
export const ChannelsRequestSchema = message('ChannelsRequest', [['pattern', STRING]]);

/** Any PRO request: accepted as an object (its content is not interpreted). */
const OpaqueSchema = message('Opaque', []);
/** PRO command fields of `Command` (fields 17–35): the lower-case names of the PRO `MethodType` values (14–32), in order. */
const PRO_COMMAND_FIELDS: readonly string[] = Object.entries(MethodType)
  .filter(([, n]) => n >= MethodType.CONNECTIONS)
  .map(([name]) => name.toLowerCase());

export const CommandSchema = message('Command', [
  ['id', UINT32],
  ['method', { k: 'enum', values: MethodType }],
  ['params', RAW],
  ['publish', msg(() => PublishRequestSchema)],
  ['broadcast', msg(() => BroadcastRequestSchema)],
  ['subscribe', msg(() => SubscribeRequestSchema)],
  ['unsubscribe', msg(() => UnsubscribeRequestSchema)],
  ['disconnect', msg(() => DisconnectRequestSchema)],
  ['presence', msg(() => PresenceRequestSchema)],
  ['presence_stats', msg(() => PresenceStatsRequestSchema)],
  ['history', msg(() => HistoryRequestSchema)],
  ['history_remove', msg(() => HistoryRemoveRequestSchema)],
  ['info', msg(() => InfoRequestSchema)],
  ['rpc', msg(() => RPCRequestSchema)],
  ['refresh', msg(() => RefreshRequestSchema)],
  ['channels', msg(() => ChannelsRequestSchema)],
  ...PRO_COMMAND_FIELDS.map((n): FieldSpec => [n, msg(() => OpaqueSchema)]),
]);
/** Names of Command fields that are decoded for validation only and dropped. */
export const OPAQUE_FIELDS: ReadonlySet<string> = new Set(PRO_COMMAND_FIELDS);

export const BatchRequestSchema = message('BatchRequest', [
  ['commands', { k: 'repeated', of: msg(() => CommandSchema) }],
  ['parallel', BOOL],
]);

// ---- results -------------------------------------------------------------------------------------

const ERROR = msg(() => ErrorSchema);
const EMPTY = message('Empty', []);

export const PublishResultSchema = message('PublishResult', [
  ['offset', UINT64],
  ['epoch', STRING],
]);
export const PublishResponseSchema = message('PublishResponse', [
  ['error', ERROR],
  ['result', msg(() => PublishResultSchema)],
]);
export const BroadcastResultSchema = message('BroadcastResult', [
  ['responses', { k: 'repeated', of: msg(() => PublishResponseSchema) }],
]);
export const PresenceResultSchema = message('PresenceResult', [
  ['presence', { k: 'map', of: msg(() => ClientInfoSchema) }, true],
]);
export const PresenceStatsResultSchema = message('PresenceStatsResult', [
  ['num_clients', UINT32, true],
  ['num_users', UINT32, true],
]);
export const HistoryResultSchema = message('HistoryResult', [
  ['publications', { k: 'repeated', of: msg(() => PublicationSchema) }, true],
  ['epoch', STRING, true],
  ['offset', UINT64, true],
]);
export const MetricsSchema = message('Metrics', [
  ['interval', DOUBLE],
  ['items', { k: 'map', of: DOUBLE }],
]);
export const ProcessSchema = message('Process', [
  ['cpu', DOUBLE],
  ['rss', INT64],
]);
export const NodeResultSchema = message('NodeResult', [
  ['uid', STRING, true],
  ['name', STRING, true],
  ['version', STRING, true],
  ['num_clients', UINT32, true],
  ['num_users', UINT32, true],
  ['num_channels', UINT32, true],
  ['uptime', UINT32],
  ['metrics', msg(() => MetricsSchema)],
  ['process', msg(() => ProcessSchema)],
  ['num_subs', UINT32, true],
]);
export const InfoResultSchema = message('InfoResult', [['nodes', { k: 'repeated', of: msg(() => NodeResultSchema) }]]);
export const RPCResultSchema = message('RPCResult', [['data', RAW]]);
export const ChannelInfoSchema = message('ChannelInfo', [['num_clients', UINT32]]);
export const ChannelsResultSchema = message('ChannelsResult', [
  ['channels', { k: 'map', of: msg(() => ChannelInfoSchema) }, true],
]);
export const EmptyResultSchema = EMPTY;

export const ReplySchema = message('Reply', [
  ['id', UINT32],
  ['error', ERROR],
  ['result', RAW],
  ['publish', msg(() => PublishResultSchema)],
  ['broadcast', msg(() => BroadcastResultSchema)],
  ['subscribe', msg(() => EMPTY)],
  ['unsubscribe', msg(() => EMPTY)],
  ['disconnect', msg(() => EMPTY)],
  ['presence', msg(() => PresenceResultSchema)],
  ['presence_stats', msg(() => PresenceStatsResultSchema)],
  ['history', msg(() => HistoryResultSchema)],
  ['history_remove', msg(() => EMPTY)],
  ['info', msg(() => InfoResultSchema)],
  ['rpc', msg(() => RPCResultSchema)],
  ['refresh', msg(() => EMPTY)],
  ['channels', msg(() => ChannelsResultSchema)],
]);
export const BatchResponseSchema = message('BatchResponse', [
  ['replies', { k: 'repeated', of: msg(() => ReplySchema) }],
]);

/** A consumed message without a separate method field: `{"method": …, "payload": <object or JSON string>}`. */
export const ConsumedCommandSchema = message('MethodWithRequestPayload', [
  ['method', STRING],
  ['payload', RAW],
]);

/** Request schema per method wire name. */
export const REQUEST_SCHEMAS = Object.freeze({
  publish: PublishRequestSchema,
  broadcast: BroadcastRequestSchema,
  subscribe: SubscribeRequestSchema,
  unsubscribe: UnsubscribeRequestSchema,
  disconnect: DisconnectRequestSchema,
  presence: PresenceRequestSchema,
  presence_stats: PresenceStatsRequestSchema,
  history: HistoryRequestSchema,
  history_remove: HistoryRemoveRequestSchema,
  info: InfoRequestSchema,
  rpc: RPCRequestSchema,
  refresh: RefreshRequestSchema,
  channels: ChannelsRequestSchema,
  batch: BatchRequestSchema,
});

/** Result schema per method wire name (batch has none: its response is `BatchResponse`). */
export const RESULT_SCHEMAS = Object.freeze({
  publish: PublishResultSchema,
  broadcast: BroadcastResultSchema,
  subscribe: EMPTY,
  unsubscribe: EMPTY,
  disconnect: EMPTY,
  presence: PresenceResultSchema,
  presence_stats: PresenceStatsResultSchema,
  history: HistoryResultSchema,
  history_remove: EMPTY,
  info: InfoResultSchema,
  rpc: RPCResultSchema,
  refresh: EMPTY,
  channels: ChannelsResultSchema,
});
