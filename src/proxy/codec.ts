/**
 * @module proxy/codec — the proxy messages (`proxy.proto`, package `centrifugal.centrifugo.proxy`) in
 * their two wire forms: protobuf for GRPC proxies and JSON for HTTP proxies.
 *
 * One shape is used in memory for both: proto field names (snake_case), `bytes` as Uint8Array,
 * 64-bit integers as numbers, absent fields undefined. The JSON form is driven by the same schema:
 * `bytes` fields (`data`, `info`, `meta`) are embedded as raw JSON values (Centrifugo's HTTP proxy
 * format), keys are matched like Go's encoding/json, and a value of the wrong type is a decode error.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { decodeMessage, encodeMessage } from '../api/json.js';
import { encodeForWire } from '../api/grpc-codec.js';
import { type FieldKind, foldKey, type FieldSchema, type MessageSchema } from '../api/schema.js';

const PROXY_PACKAGE = 'centrifugal.centrifugo.proxy';
export const PROXY_SERVICE = `${PROXY_PACKAGE}.CentrifugoProxy`;

/** Path of the bundled `proxy.proto` (copied next to the compiled output by the build). */
export const PROXY_PROTO_PATH = fileURLToPath(new URL('./proxy.proto', import.meta.url));

/** A proxy message in memory (see module doc). */
export type ProxyMessage = Record<string, unknown>;

/** The unary rpcs and their request / response message names. */
export const PROXY_METHODS = {
  connect: { rpc: 'Connect', request: 'ConnectRequest', response: 'ConnectResponse' },
  refresh: { rpc: 'Refresh', request: 'RefreshRequest', response: 'RefreshResponse' },
  subscribe: { rpc: 'Subscribe', request: 'SubscribeRequest', response: 'SubscribeResponse' },
  publish: { rpc: 'Publish', request: 'PublishRequest', response: 'PublishResponse' },
  rpc: { rpc: 'RPC', request: 'RPCRequest', response: 'RPCResponse' },
  sub_refresh: { rpc: 'SubRefresh', request: 'SubRefreshRequest', response: 'SubRefreshResponse' },
} as const;

export type UnaryHook = keyof typeof PROXY_METHODS;

let root: protobuf.Root | undefined;
const jsonSchemas = new Map<string, MessageSchema>();

function proxyRoot(): protobuf.Root {
  return (root ??= new protobuf.Root().loadSync(PROXY_PROTO_PATH, { keepCase: true }));
}

/** The protobufjs type of a proxy message. */
function proxyType(name: string): protobuf.Type {
  return proxyRoot().lookupType(`${PROXY_PACKAGE}.${name}`);
}

/** The JSON kinds of the scalar types `proxy.proto` uses (bytes travel as raw JSON); any other is an int32. */
const SCALAR_KINDS: ReadonlyMap<string, FieldKind> = new Map([
  ['string', { k: 'string' }],
  ['bool', { k: 'bool' }],
  ['bytes', { k: 'raw' }],
  ['int64', { k: 'int64' }],
  ['uint32', { k: 'uint32' }],
]);
const INT32_KIND: FieldKind = { k: 'int32' };

function kindOf(field: protobuf.Field): FieldKind {
  let base: FieldKind;
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Type) {
    const name = rt.name;
    base = { k: 'message', msg: () => jsonSchema(name) };
  } else {
    base = SCALAR_KINDS.get(field.type) ?? INT32_KIND;
  }
  if (field instanceof protobuf.MapField) return { k: 'map', of: base };
  if (field.repeated) return { k: 'repeated', of: base };
  return base;
}

/** The JSON schema of a proxy message, derived from `proxy.proto`. */
function jsonSchema(name: string): MessageSchema {
  let s = jsonSchemas.get(name);
  if (s !== undefined) return s;
  const type = proxyType(name);
  type.resolveAll();
  const fields: FieldSchema[] = type.fieldsArray
    .slice()
    .sort((a, b) => a.id - b.id)
    .map((f) => Object.freeze({ name: f.name, kind: kindOf(f), always: false }));
  s = Object.freeze({
    name,
    fields: Object.freeze(fields),
    byName: new Map(fields.map((f) => [f.name, f])),
    byFold: new Map(fields.map((f) => [foldKey(f.name), f])),
  });
  jsonSchemas.set(name, s);
  return s;
}

/** JSON body of a request (throws JsonEncodeError when a raw field is not JSON). */
export function encodeJson(name: string, message: ProxyMessage): Buffer {
  return encodeMessage(jsonSchema(name), message);
}

/** Decodes a JSON response body (throws JsonDecodeError on malformed JSON or wrong field types). */
export function decodeJson(name: string, body: Uint8Array): ProxyMessage {
  return decodeMessage(jsonSchema(name), body);
}

/** Protobuf bytes of a message (proto3 zero values left out, as Go writes them). */
export function encodeProto(name: string, message: ProxyMessage): Buffer {
  return encodeForWire(proxyType(name), message);
}

/** Decodes protobuf bytes into the in-memory shape. */
export function decodeProto(name: string, bytes: Uint8Array): ProxyMessage {
  const type = proxyType(name);
  return type.toObject(type.decode(bytes), { longs: Number });
}
