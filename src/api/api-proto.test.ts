/**
 * @module api/api-proto.test — `api.proto` against the field tables of Centrifugo's GRPC API schema: service
 * rpcs, every message's field names, numbers, types and labels, the MethodType enum. The expected
 * tables below are transcribed from Centrifugo v5's public `api.proto` field facts, independently of the .proto file.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';

const root = protobuf.parse(readFileSync(new URL('./api.proto', import.meta.url), 'utf8'), { keepCase: true }).root;
root.resolveAll();
const PKG = 'centrifugal.centrifugo.api';

/** `name=number:type` lists; `repeated T`, `map<K,V>` as in .proto. */
const MESSAGES: Record<string, string> = {
  // api.proto envelope messages
  Error: 'code=1:uint32, message=2:string',
  BoolValue: 'value=1:bool',
  Int32Value: 'value=1:int32',
  SubscribeOptionOverride: 'presence=1:BoolValue, join_leave=2:BoolValue, force_recovery=3:BoolValue, force_positioning=4:BoolValue, force_push_join_leave=5:BoolValue',
  BatchRequest: 'commands=1:repeated Command, parallel=2:bool',
  BatchResponse: 'replies=1:repeated Reply',
  // api.proto method messages (OSS)
  PublishRequest: 'channel=1:string, data=2:bytes, b64data=3:string, skip_history=4:bool, tags=5:map<string,string>, idempotency_key=6:string, delta=7:bool',
  PublishResult: 'offset=1:uint64, epoch=2:string',
  BroadcastRequest: 'channels=1:repeated string, data=2:bytes, b64data=3:string, skip_history=4:bool, tags=5:map<string,string>, idempotency_key=6:string, delta=7:bool',
  BroadcastResult: 'responses=1:repeated PublishResponse',
  SubscribeRequest:
    'channel=1:string, user=2:string, expire_at=3:int64, info=4:bytes, b64info=5:string, client=6:string, data=7:bytes, b64data=8:string, recover_since=9:StreamPosition, override=10:SubscribeOptionOverride, session=11:string',
  SubscribeResult: '',
  UnsubscribeRequest: 'channel=1:string, user=2:string, client=3:string, session=4:string',
  UnsubscribeResult: '',
  Disconnect: 'code=1:uint32, reason=2:string',
  DisconnectRequest: 'user=1:string, disconnect=2:Disconnect, client=3:string, whitelist=4:repeated string, session=5:string',
  DisconnectResult: '',
  PresenceRequest: 'channel=1:string',
  ClientInfo: 'user=1:string, client=2:string, conn_info=3:bytes, chan_info=4:bytes',
  PresenceResult: 'presence=1:map<string,ClientInfo>',
  PresenceStatsRequest: 'channel=1:string',
  PresenceStatsResult: 'num_clients=1:uint32, num_users=2:uint32',
  StreamPosition: 'offset=1:uint64, epoch=2:string',
  HistoryRequest: 'channel=1:string, limit=2:int32, since=3:StreamPosition, reverse=4:bool',
  Publication: 'data=2:bytes, info=3:ClientInfo, offset=4:uint64, tags=5:map<string,string>',
  HistoryResult: 'publications=1:repeated Publication, epoch=2:string, offset=3:uint64',
  HistoryRemoveRequest: 'channel=1:string',
  HistoryRemoveResult: '',
  InfoRequest: '',
  InfoResult: 'nodes=1:repeated NodeResult',
  NodeResult:
    'uid=1:string, name=2:string, version=3:string, num_clients=4:uint32, num_users=5:uint32, num_channels=6:uint32, uptime=7:uint32, metrics=8:Metrics, process=9:Process, num_subs=10:uint32',
  Metrics: 'interval=1:double, items=2:map<string,double>',
  Process: 'cpu=1:double, rss=2:int64',
  RPCRequest: 'method=1:string, params=2:bytes',
  RPCResult: 'data=1:bytes',
  RefreshRequest: 'user=1:string, client=2:string, expired=3:bool, expire_at=4:int64, info=5:bytes, session=6:string',
  RefreshResult: '',
  ChannelsRequest: 'pattern=1:string',
  ChannelsResult: 'channels=1:map<string,ChannelInfo>',
  ChannelInfo: 'num_clients=1:uint32',
  // api.proto PRO messages (schema only in OSS)
  ConnectionsRequest: 'user=1:string, expression=2:string',
  ConnectionsResult: 'connections=1:map<string,ConnectionInfo>',
  ConnectionInfo: 'app_name=1:string, app_version=2:string, transport=3:string, protocol=4:string, user=8:string, state=9:ConnectionState',
  ConnectionState:
    'channels=1:map<string,ChannelContext>, connection_token=2:ConnectionTokenInfo, subscription_tokens=3:map<string,SubscriptionTokenInfo>, meta=4:bytes',
  ChannelContext: 'source=1:uint32',
  ConnectionTokenInfo: 'uid=1:string, issued_at=2:int64',
  SubscriptionTokenInfo: 'uid=1:string, issued_at=2:int64',
  UpdateUserStatusRequest: 'users=1:repeated string, state=2:string',
  GetUserStatusRequest: 'users=1:repeated string',
  DeleteUserStatusRequest: 'users=1:repeated string',
  GetUserStatusResult: 'statuses=1:repeated UserStatus',
  UserStatus: 'user=1:string, active=2:int64, online=3:int64, state=4:string',
  BlockUserRequest: 'expire_at=1:int64, user=2:string',
  UnblockUserRequest: 'user=1:string',
  RevokeTokenRequest: 'expire_at=1:int64, uid=2:string',
  InvalidateUserTokensRequest: 'expire_at=1:int64, user=2:string, issued_before=3:int64, channel=4:string',
  DeviceRegisterRequest:
    'id=1:string, provider=2:string, token=3:string, platform=4:string, user=5:string, meta=6:map<string,string>, topics=7:repeated string, timezone=8:string, locale=9:string',
  DeviceRegisterResult: 'id=1:string',
  DeviceUpdateRequest:
    'ids=1:repeated string, users=2:repeated string, user_update=4:DeviceUserUpdate, meta_update=5:DeviceMetaUpdate, topics_update=6:DeviceTopicsUpdate, timezone_update=7:DeviceTimezoneUpdate, locale_update=8:DeviceLocaleUpdate',
  DeviceUserUpdate: 'user=1:string',
  DeviceMetaUpdate: 'meta=1:map<string,string>',
  DeviceTopicsUpdate: 'op=1:string, topics=2:repeated string',
  DeviceTimezoneUpdate: 'timezone=1:string',
  DeviceLocaleUpdate: 'locale=1:string',
  DeviceRemoveRequest: 'ids=1:repeated string, users=2:repeated string',
  DeviceFilter: 'ids=1:repeated string, users=2:repeated string, topics=3:repeated string, providers=4:repeated string, platforms=5:repeated string',
  DeviceListRequest: 'filter=1:DeviceFilter, include_total_count=2:bool, include_meta=3:bool, include_topics=4:bool, cursor=10:string, limit=11:int32',
  DeviceListResult: 'items=1:repeated Device, next_cursor=2:string, total_count=3:int64',
  Device:
    'id=1:string, platform=2:string, provider=3:string, token=4:string, user=5:string, created_at=6:int64, updated_at=7:int64, meta=10:map<string,string>, topics=11:repeated string, timezone=12:string, locale=13:string',
  DeviceTopicFilter:
    'device_ids=1:repeated string, device_providers=2:repeated string, device_platforms=3:repeated string, device_users=4:repeated string, topics=5:repeated string, topic_prefix=6:string',
  DeviceTopicListRequest: 'filter=1:DeviceTopicFilter, include_total_count=2:bool, include_device=3:bool, cursor=10:string, limit=11:int32',
  DeviceTopicListResult: 'items=1:repeated DeviceTopic, next_cursor=2:string, total_count=3:int64',
  DeviceTopic: 'id=1:string, topic=2:string, device=3:Device',
  UserTopicFilter: 'users=1:repeated string, topics=2:repeated string, topic_prefix=3:string',
  UserTopicListRequest: 'filter=1:UserTopicFilter, include_total_count=2:bool, cursor=10:string, limit=11:int32',
  UserTopicListResult: 'items=1:repeated UserTopic, next_cursor=2:string, total_count=3:int64',
  UserTopic: 'id=1:string, user=2:string, topic=3:string',
  DeviceTopicUpdateRequest: 'device_id=1:string, op=2:string, topics=3:repeated string',
  UserTopicUpdateRequest: 'user=1:string, op=2:string, topics=3:repeated string',
  PushRecipient:
    'filter=1:DeviceFilter, fcm_tokens=2:repeated string, fcm_topic=3:string, fcm_condition=4:string, hms_tokens=5:repeated string, hms_topic=6:string, hms_condition=7:string, apns_tokens=8:repeated string',
  PushNotification: 'fcm=1:FcmPushNotification, hms=2:HmsPushNotification, apns=3:ApnsPushNotification, expire_at=5:int64',
  FcmPushNotification: 'message=1:bytes',
  HmsPushNotification: 'message=1:bytes',
  ApnsPushNotification: 'headers=1:map<string,string>, payload=2:bytes',
  SendPushNotificationRequest:
    'recipient=1:PushRecipient, notification=2:PushNotification, uid=3:string, send_at=4:int64, optimize_for_reliability=5:bool, limit_strategy=6:PushLimitStrategy, analytics_uid=7:string, localizations=8:map<string,PushLocalization>, use_templating=9:bool, use_meta=10:bool',
  PushLocalization: 'translations=1:map<string,string>',
  PushLimitStrategy: 'rate_limit=1:PushRateLimitStrategy, time_limit=2:PushTimeLimitStrategy',
  PushRateLimitStrategy: 'key=1:string, policies=2:repeated RateLimitPolicy, drop_if_rate_limited=3:bool',
  PushTimeLimitStrategy: 'send_after_time=1:string, send_before_time=2:string, no_tz_send_now=3:bool',
  SendPushNotificationResult: 'uid=1:string',
  UpdatePushStatusRequest: 'analytics_uid=1:string, status=2:string, device_id=3:string, msg_id=4:string',
  CancelPushRequest: 'uid=1:string',
  RateLimitPolicy: 'rate=1:int64, interval_ms=2:int32',
  RateLimitRequest: 'key=1:string, score=2:int64, dry_run=3:bool, policies=4:repeated RateLimitPolicy, include_policy_evaluations=5:bool',
  RateLimitResult: 'allowed=1:bool, allowed_in_ms=2:int32, server_time_ms=3:int64, policies=4:repeated RateLimitPolicyEvaluation',
  RateLimitPolicyEvaluation: 'allowed=1:bool, tokens_left=2:int64, allowed_in_ms=3:int32',
  ResetRateLimitRequest: 'key=1:string',
};

/** Centrifugo's GRPC API service: rpc name → OSS? (request/response are `<rpc>Request`/`<rpc>Response`). */
const RPCS: ReadonlyArray<readonly [string, boolean]> = [
  ['Batch', true],
  ['Publish', true],
  ['Broadcast', true],
  ['Subscribe', true],
  ['Unsubscribe', true],
  ['Disconnect', true],
  ['Presence', true],
  ['PresenceStats', true],
  ['History', true],
  ['HistoryRemove', true],
  ['Info', true],
  ['RPC', true],
  ['Refresh', true],
  ['Channels', true],
  ['Connections', false],
  ['UpdateUserStatus', false],
  ['GetUserStatus', false],
  ['DeleteUserStatus', false],
  ['BlockUser', false],
  ['UnblockUser', false],
  ['RevokeToken', false],
  ['InvalidateUserTokens', false],
  ['DeviceRegister', false],
  ['DeviceUpdate', false],
  ['DeviceRemove', false],
  ['DeviceList', false],
  ['DeviceTopicList', false],
  ['DeviceTopicUpdate', false],
  ['UserTopicList', false],
  ['UserTopicUpdate', false],
  ['SendPushNotification', false],
  ['UpdatePushStatus', false],
  ['CancelPush', false],
];

/** Centrifugo's api.proto envelope messages: typed Command / Reply fields 4..35 in number order (snake_case kind names). */
const KINDS = [
  'publish', 'broadcast', 'subscribe', 'unsubscribe', 'disconnect', 'presence', 'presence_stats', 'history', 'history_remove',
  'info', 'rpc', 'refresh', 'channels', 'connections', 'update_user_status', 'get_user_status', 'delete_user_status', 'block_user',
  'unblock_user', 'revoke_token', 'invalidate_user_tokens', 'device_register', 'device_update', 'device_remove', 'device_list',
  'device_topic_list', 'device_topic_update', 'user_topic_list', 'user_topic_update', 'send_push_notification', 'update_push_status',
  'cancel_push',
] as const;

const METHOD_TYPE =
  'PUBLISH=0 BROADCAST=1 UNSUBSCRIBE=2 DISCONNECT=3 PRESENCE=4 PRESENCE_STATS=5 HISTORY=6 HISTORY_REMOVE=7 CHANNELS=8 INFO=9 RPC=10 SUBSCRIBE=11 REFRESH=12 ' +
  'CONNECTIONS=14 UPDATE_USER_STATUS=15 GET_USER_STATUS=16 DELETE_USER_STATUS=17 BLOCK_USER=18 UNBLOCK_USER=19 REVOKE_TOKEN=20 INVALIDATE_USER_TOKENS=21 ' +
  'DEVICE_REGISTER=22 DEVICE_UPDATE=23 DEVICE_REMOVE=24 DEVICE_LIST=25 DEVICE_TOPIC_LIST=26 DEVICE_TOPIC_UPDATE=27 USER_TOPIC_LIST=28 USER_TOPIC_UPDATE=29 ' +
  'SEND_PUSH_NOTIFICATION=30 UPDATE_PUSH_STATUS=31 CANCEL_PUSH=32';

/** PascalCase message prefix of a snake_case kind (`presence_stats` → `PresenceStats`, `rpc` → `RPC`). */
const pascal = (kind: string): string => (kind === 'rpc' ? 'RPC' : kind.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase()));

function describeField(f: protobuf.Field): string {
  if (f instanceof protobuf.MapField) return `${f.name}=${f.id}:map<${f.keyType},${f.type}>`;
  return `${f.name}=${f.id}:${f.repeated ? 'repeated ' : ''}${f.type}`;
}

const type = (name: string): protobuf.Type => root.lookupType(`${PKG}.${name}`);

void describe('api.proto vs Centrifugo v5 API schema', () => {
  void it('package and service: every rpc of the service, unary, XRequest → XResponse', () => {
    const service = root.lookupService(`${PKG}.CentrifugoApi`);
    assert.deepEqual(
      service.methodsArray.map((m) => m.name),
      RPCS.map(([name]) => name),
    );
    for (const m of service.methodsArray) {
      assert.equal(m.requestType, `${m.name}Request`);
      assert.equal(m.responseType, `${m.name}Response`);
      assert.ok(!m.requestStream && !m.responseStream, m.name);
    }
  });

  for (const [name, spec] of Object.entries(MESSAGES)) {
    void it(`${name} fields`, () => {
      const expected = spec === '' ? [] : spec.split(/,\s*(?=\w+=)/).map((s) => s.trim());
      assert.deepEqual(type(name).fieldsArray.map(describeField), expected);
    });
  }

  void it('every XResponse is { Error error = 1; XResult result = 2; } (OSS, PRO and the rate-limit messages)', () => {
    const prefixes = [...RPCS.filter(([n]) => n !== 'Batch').map(([n]) => n), 'RateLimit', 'ResetRateLimit'];
    for (const p of prefixes) {
      assert.deepEqual(type(`${p}Response`).fieldsArray.map(describeField), ['error=1:Error', `result=2:${p}Result`], p);
      // Results not in the tables are empty messages.
      if (MESSAGES[`${p}Result`] === undefined) assert.equal(type(`${p}Result`).fieldsArray.length, 0, `${p}Result`);
      if (MESSAGES[`${p}Request`] === undefined) assert.equal(type(`${p}Request`).fieldsArray.length, 0, `${p}Request`);
    }
  });

  void it('Command: id, method, params, then one typed request per kind (4..35)', () => {
    const expected = ['id=1:uint32', 'method=2:MethodType', 'params=3:bytes', ...KINDS.map((k, i) => `${k}=${i + 4}:${pascal(k)}Request`)];
    assert.deepEqual(type('Command').fieldsArray.map(describeField), expected);
  });

  void it('Reply: id, error, result (bytes), then one typed result per kind (4..35)', () => {
    const expected = ['id=1:uint32', 'error=2:Error', 'result=3:bytes', ...KINDS.map((k, i) => `${k}=${i + 4}:${pascal(k)}Result`)];
    assert.deepEqual(type('Reply').fieldsArray.map(describeField), expected);
  });

  void it('Command.MethodType values (13 unused)', () => {
    const e = root.lookupEnum(`${PKG}.Command.MethodType`);
    assert.equal(
      Object.entries(e.values)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
      METHOD_TYPE,
    );
  });

  void it('removed fields stay removed: Publication 1, Disconnect 3, PushNotification 4, ConnectionInfo 5–7', () => {
    assert.equal(type('Publication').fieldsById[1], undefined);
    assert.equal(type('Disconnect').fieldsById[3], undefined);
    assert.equal(type('PushNotification').fieldsById[4], undefined);
    for (const n of [5, 6, 7]) assert.equal(type('ConnectionInfo').fieldsById[n], undefined);
  });
});
