/**
 * @module api/grpc-codec — the `CentrifugoApi` service definition built from `api.proto`.
 *
 * Requests are decoded by `@grpc/proto-loader` into the proto-shaped objects the executor takes
 * (snake_case names, `bytes` as Buffer, 64-bit integers as numbers, defaults filled in, unset
 * messages as null). Responses are encoded with protobufjs after dropping proto3 zero values
 * (0, '', false, empty bytes, empty lists and maps), so the bytes on the wire are the ones Go's
 * proto3 marshaller produces for the same response (protobufjs alone would also write explicitly set
 * zero scalars).
 */
import { fileURLToPath } from 'node:url';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';

const API_PACKAGE = 'centrifugal.centrifugo.api';
export const API_SERVICE = `${API_PACKAGE}.CentrifugoApi`;

/** Path of the bundled `api.proto` (copied next to the compiled output by the build). */
const API_PROTO_PATH = fileURLToPath(new URL('./api.proto', import.meta.url));

/** proto-loader options used for decoding requests. */
const API_LOADER_OPTIONS: protoLoader.Options = Object.freeze({
  keepCase: true,
  longs: Number,
  enums: Number,
  defaults: true,
  oneofs: false,
});

type Obj = Record<string, unknown>;

function isZeroScalar(field: protobuf.Field, value: unknown): boolean {
  if (typeof value === 'number') return value === 0;
  if (typeof value === 'bigint') return value === 0n;
  if (typeof value === 'boolean') return !value;
  if (typeof value === 'string') {
    if (field.resolvedType instanceof protobuf.Enum) return field.resolvedType.values[value] === 0;
    return value === '';
  }
  return value instanceof Uint8Array && value.length === 0;
}

/**
 * A copy of `value` holding only what proto3 puts on the wire: unset/null fields, zero scalars and
 * empty repeated/map fields are dropped; sub-messages that are set stay, even when empty. Map
 * objects are rebuilt without a prototype so keys such as `__proto__` survive encoding.
 */
export function pruneForWire(type: protobuf.Type, value: Obj): Obj {
  const out: Obj = Object.create(null) as Obj;
  for (const field of type.fieldsArray) {
    const v = value[field.name];
    if (v === undefined || v === null) continue;
    const sub = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    if (field.map) {
      const src = v as Obj;
      const keys = Object.keys(src);
      if (keys.length === 0) continue;
      const m: Obj = Object.create(null) as Obj;
      for (const k of keys) {
        const item = src[k];
        m[k] = sub === undefined ? item : pruneForWire(sub, (item ?? {}) as Obj);
      }
      out[field.name] = m;
    } else if (field.repeated) {
      const list = v as unknown[];
      if (list.length === 0) continue;
      out[field.name] = sub === undefined ? list : list.map((item) => pruneForWire(sub, (item ?? {}) as Obj));
    } else if (sub !== undefined) {
      out[field.name] = pruneForWire(sub, v as Obj);
    } else if (!isZeroScalar(field, v)) {
      out[field.name] = v;
    }
  }
  return out;
}

/** Encodes a plain response object of `type` the way Go's proto3 marshaller does. */
export function encodeForWire(type: protobuf.Type, value: Obj): Buffer {
  const bytes = type.encode(pruneForWire(type, value)).finish();
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The loaded schema: the GRPC service definition and proto-loader's package (for reflection). */
export interface ApiSchema {
  readonly service: ServiceDefinition;
  readonly packageDefinition: protoLoader.PackageDefinition;
  /** Resolved protobufjs root of the same file (message types by full name). */
  readonly root: protobuf.Root;
}

let cached: ApiSchema | undefined;

/** Loads `api.proto` once (synchronously; a startup-time cost only). */
export function loadApiSchema(): ApiSchema {
  if (cached !== undefined) return cached;
  const packageDefinition = protoLoader.loadSync(API_PROTO_PATH, API_LOADER_OPTIONS);
  const loaded = packageDefinition[API_SERVICE] as ServiceDefinition | undefined;
  if (loaded === undefined) throw new Error(`api.proto does not define ${API_SERVICE}`);
  const root = new protobuf.Root().loadSync(API_PROTO_PATH, { keepCase: true });
  root.resolveAll();
  const serviceType = root.lookupService(API_SERVICE);
  const service: Record<string, MethodDefinition<Obj, Obj>> = {};
  for (const [name, def] of Object.entries(loaded)) {
    const method = serviceType.methods[name];
    const responseType = method?.resolvedResponseType;
    if (responseType === undefined || responseType === null) throw new Error(`api.proto: unresolved response type of ${name}`);
    const definition: MethodDefinition<Obj, Obj> = {
      ...(def as MethodDefinition<Obj, Obj>),
      responseSerialize: (value: Obj) => encodeForWire(responseType, value),
    };
    service[name] = definition;
  }
  cached = { service, packageDefinition, root };
  return cached;
}
