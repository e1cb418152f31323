/**
 * @module protocol/schema — field tables of the client protocol, shared by both codecs.
 *
 * Written from the field facts of Centrifugo's client protocol v2 schema and limited to the fields `types.ts`
 * declares (anything else on the wire is an unknown field and is skipped). `client.proto` states
 * the same facts in proto syntax; `schema.test.ts` checks that the two agree.
 *
 * Line format: `<number> <snake_name> <type> [always]`, type = scalar | Message | `T[]` (repeated) |
 * `map<T>` (string keys). `always` = written in JSON even when empty (Centrifugo's JSON encoding of always-present fields).
 * Declaration order is proto field order, which is also JSON output order.
 */

export type ScalarType = 'string' | 'bytes' | 'bool' | 'uint32' | 'int32' | 'uint64' | 'int64' | 'sint64';

export interface FieldDesc {
  readonly no: number;
  /** camelCase property name used in `types.ts`. */
  readonly name: string;
  /** snake_case proto / JSON name. */
  readonly json: string;
  readonly kind: 'scalar' | 'message' | 'map';
  /** Scalar type (kind scalar, or the value of a map with scalar values). */
  readonly scalar: ScalarType | undefined;
  /** Message type (kind message, or the value of a map with message values). */
  readonly message: MessageDesc | undefined;
  readonly repeated: boolean;
  /** JSON: written even when it holds the default value. */
  readonly always: boolean;
  /** Protobuf tag varint value: `no << 3 | wireType`. */
  readonly tag: number;
  /** Protobuf wire type of one element (0 varint, 2 length-delimited). */
  readonly wireType: 0 | 2;
  /** JSON `"name":` prefix. */
  readonly jsonKey: string;
}

export interface MessageDesc {
  readonly name: string;
  readonly fields: readonly FieldDesc[];
  /** Index by field number. */
  readonly byNo: readonly (FieldDesc | undefined)[];
  /** Index by JSON name (a Map, so keys such as `__proto__` cannot hit Object.prototype). */
  readonly byJson: ReadonlyMap<string, FieldDesc>;
}

const DEFS = {
  Error: '1 code uint32; 2 message string; 3 temporary bool',
  EmulationRequest: '1 node string; 2 session string; 3 data bytes',
  /** JSON only: there `data` is a JSON string holding the command frame (Centrifugo's emulation messages). */
  EmulationRequestJson: '1 node string; 2 session string; 3 data string',
  ClientInfo: '1 user string always; 2 client string always; 3 conn_info bytes; 4 chan_info bytes',
  Publication:
    '4 data bytes; 5 info ClientInfo; 6 offset uint64; 7 tags map<string>; 8 delta bool; 9 time int64; ' +
    '10 channel string; 11 key string; 12 removed bool; 13 score sint64; 14 epoch string; 15 prev_data bytes; ' +
    '16 version uint64',
  StreamPosition: '1 offset uint64; 2 epoch string',
  FilterNode: '1 op string; 2 key string; 3 cmp string; 4 val string; 5 vals string[]; 6 nodes FilterNode[]',

  Command:
    '1 id uint32; 4 connect ConnectRequest; 5 subscribe SubscribeRequest; 6 unsubscribe UnsubscribeRequest; ' +
    '7 publish PublishRequest; 8 presence PresenceRequest; 9 presence_stats PresenceStatsRequest; ' +
    '10 history HistoryRequest; 11 ping PingRequest; 12 send SendRequest; 13 rpc RPCRequest; ' +
    '14 refresh RefreshRequest; 15 sub_refresh SubRefreshRequest',
  ConnectRequest:
    '1 token string; 2 data bytes; 3 subs map<SubscribeRequest>; 4 name string; 5 version string; ' +
    '6 headers map<string>; 7 flag int64; 8 dict string; 9 profile string',
  RefreshRequest: '1 token string',
  SubscribeRequest:
    '1 channel string; 2 token string; 3 recover bool; 6 epoch string; 7 offset uint64; 8 data bytes; ' +
    '9 positioned bool; 10 recoverable bool; 11 join_leave bool; 12 delta string; 13 tf FilterNode; ' +
    '14 flag int64; 15 type int32; 16 phase int32; 17 cursor string; 18 limit int32; 19 asc bool',
  SubRefreshRequest: '1 channel string; 2 token string; 3 type int32',
  UnsubscribeRequest: '1 channel string',
  PublishRequest: '1 channel string; 2 data bytes; 3 type int32; 4 key string; 5 removed bool',
  PresenceRequest: '1 channel string',
  PresenceStatsRequest: '1 channel string',
  HistoryRequest: '1 channel string; 7 limit int32; 8 since StreamPosition; 9 reverse bool',
  PingRequest: '',
  RPCRequest: '1 data bytes; 2 method string',
  SendRequest: '1 data bytes',

  Reply:
    '1 id uint32; 2 error Error; 4 push Push; 5 connect ConnectResult; 6 subscribe SubscribeResult; ' +
    '7 unsubscribe UnsubscribeResult; 8 publish PublishResult; 9 presence PresenceResult; ' +
    '10 presence_stats PresenceStatsResult; 11 history HistoryResult; 13 rpc RPCResult; ' +
    '14 refresh RefreshResult; 15 sub_refresh SubRefreshResult',
  ConnectResult:
    '1 client string; 2 version string; 3 expires bool; 4 ttl uint32; 5 data bytes; ' +
    '6 subs map<SubscribeResult>; 7 ping uint32; 8 pong bool; 9 session string; 10 node string; 11 time int64',
  RefreshResult: '1 client string; 2 version string; 3 expires bool; 4 ttl uint32',
  SubscribeResult:
    '1 expires bool; 2 ttl uint32; 3 recoverable bool; 6 epoch string; 7 publications Publication[]; ' +
    '8 recovered bool; 9 offset uint64; 10 positioned bool; 11 data bytes; 12 was_recovering bool; 13 delta bool',
  SubRefreshResult: '1 expires bool; 2 ttl uint32',
  UnsubscribeResult: '',
  PublishResult: '',
  PresenceResult: '1 presence map<ClientInfo> always',
  PresenceStatsResult: '1 num_clients uint32 always; 2 num_users uint32 always',
  HistoryResult: '1 publications Publication[] always; 2 epoch string always; 3 offset uint64 always',
  RPCResult: '1 data bytes',

  Push:
    '2 channel string; 4 pub Publication; 5 join Join; 6 leave Leave; 7 unsubscribe Unsubscribe; ' +
    '8 message Message; 9 subscribe Subscribe; 10 connect Connect; 11 disconnect Disconnect; 12 refresh Refresh',
  Join: '1 info ClientInfo',
  Leave: '1 info ClientInfo',
  Unsubscribe: '2 code uint32; 3 reason string',
  Subscribe: '1 recoverable bool; 4 epoch string; 5 offset uint64; 6 positioned bool; 7 data bytes',
  Message: '1 data bytes',
  Connect:
    '1 client string; 2 version string; 3 data bytes; 4 subs map<SubscribeResult>; 5 expires bool; ' +
    '6 ttl uint32; 7 ping uint32; 8 pong bool; 9 session string; 10 node string; 11 time int64',
  Disconnect: '1 code uint32; 2 reason string; 3 reconnect bool',
  Refresh: '1 expires bool; 2 ttl uint32',
} as const;

export type MessageName = keyof typeof DEFS;

const SCALARS: ReadonlySet<string> = new Set(['string', 'bytes', 'bool', 'uint32', 'int32', 'uint64', 'int64', 'sint64']);

function camel(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function build(): Record<MessageName, MessageDesc> {
  const names = Object.keys(DEFS) as MessageName[];
  const out = {} as Record<MessageName, MessageDesc>;
  // Two passes: allocate every descriptor first so fields can reference any message (FilterNode is recursive).
  const fieldLists = new Map<MessageName, FieldDesc[]>();
  for (const name of names) {
    const fields: FieldDesc[] = [];
    const byNo: (FieldDesc | undefined)[] = [];
    const byJson = new Map<string, FieldDesc>();
    fieldLists.set(name, fields);
    out[name] = { name, fields, byNo, byJson };
  }
  const lookup = (t: string): MessageDesc => {
    if (!(t in DEFS)) throw new Error(`schema: unknown type ${t}`);
    return out[t as MessageName];
  };
  for (const name of names) {
    const desc = out[name];
    const spec: string = DEFS[name];
    for (const line of spec.split(';')) {
      const parts = line.trim().split(/\s+/);
      if (parts.length < 3) continue;
      const [noText, json, typeText, flag] = parts as [string, string, string, string | undefined];
      const no = Number(noText);
      let kind: FieldDesc['kind'] = 'scalar';
      let repeated = false;
      let t = typeText;
      if (t.startsWith('map<')) {
        kind = 'map';
        t = t.slice(4, -1);
      } else if (t.endsWith('[]')) {
        repeated = true;
        t = t.slice(0, -2);
      }
      const isScalar = SCALARS.has(t);
      if (kind === 'scalar' && !isScalar) kind = 'message';
      const wireType: 0 | 2 =
        kind !== 'scalar' || t === 'string' || t === 'bytes' ? 2 : 0;
      const field: FieldDesc = {
        no,
        name: camel(json),
        json,
        kind,
        scalar: isScalar ? (t as ScalarType) : undefined,
        message: isScalar ? undefined : lookup(t),
        repeated,
        always: flag === 'always',
        tag: no * 8 + wireType,
        wireType,
        jsonKey: `"${json}":`,
      };
      fieldLists.get(name)!.push(field);
      (desc.byNo as (FieldDesc | undefined)[])[no] = field;
      (desc.byJson as Map<string, FieldDesc>).set(json, field);
    }
  }
  return out;
}

/** Every message of the schema by proto name. */
export const schema: Readonly<Record<MessageName, MessageDesc>> = build();
