/** @module config/v6/doc — one documentation row per v6 key (and its environment variable), generated from the schema. */
import { SCHEMA, type FieldSpec } from '../schema/index.js';
import { v6EnvName } from './env.js';
import { LEAVES, isNeutralKey } from './paths.js';
import { DEFAULT_PROXIES, PROXY_FIELDS } from './proxies.js';
import { fileDefault } from './to-v6.js';

export interface KeyDoc {
  /** v6 path (`client.token.hmac_secret_key`). */
  readonly key: string;
  readonly env: string;
  readonly type: string;
  /** Default as written in a file. */
  readonly default: unknown;
  /** The v5 flat key it corresponds to ('' when none). */
  readonly v5: string;
  readonly doc: string;
}

const specOf = (k: string): FieldSpec | undefined => (SCHEMA as Record<string, FieldSpec>)[k];

/** Every key of the v6 layout with type, default, v5 name and description, sorted by key. */
export function keyDocs(): KeyDoc[] {
  const rows: KeyDoc[] = [];
  const add = (key: string, type: string, def: unknown, v5: string, doc: string): void => {
    rows.push({ key, env: v6EnvName(key), type, default: def, v5, doc });
  };
  for (const l of LEAVES) {
    const spec = specOf(l.v5);
    if (spec === undefined) continue;
    if (l.b64 === true) add(l.v6, 'string', '', l.v5, `${spec.doc} (base64 of the PEM)`);
    else if (spec.type === 'object') {
      for (const [field, sub] of Object.entries(spec.fields)) add(`${l.v6}.${field}`, sub.type, fileDefault(sub), `${l.v5}.${field}`, sub.doc);
    } else {
      const pathNote = l.pathKey === undefined ? '' : ` (a value without "-----BEGIN" is read as a file path: ${l.pathKey})`;
      add(l.v6, spec.type, fileDefault(spec), l.v5, spec.doc + pathNote);
    }
  }
  for (const k of Object.keys(SCHEMA)) {
    if (!isNeutralKey(k) || k === 'consumers' || k === 'proxies' || LEAVES.some((l) => l.v5 === k)) continue;
    const spec = specOf(k);
    if (spec !== undefined) add(k, spec.type, fileDefault(spec), k, spec.doc);
  }
  add('broker.enabled', 'bool', false, 'broker', 'use a separate broker for PUB/SUB (with `broker.type`)');
  add('broker.type', 'string', '', 'broker', '`nats`: the NATS broker (`broker.nats.*`)');
  add('channel.namespaces', 'object[]', [], 'namespaces', 'channel namespaces: [{name, <channel options as in channel.without_namespace>}]');
  add('rpc.namespaces', 'object[]', [], 'rpc_namespaces', 'rpc namespaces: [{name, proxy_enabled, proxy_name}]');
  add('rpc.without_namespace.proxy_enabled', 'bool', false, 'rpc_proxy_name', 'use a proxy for rpc calls without namespace');
  add('rpc.without_namespace.proxy_name', 'string', '', 'rpc_proxy_name', 'named proxy (`proxies[]`) for rpc calls without namespace; empty = `rpc.proxy`');
  add('proxies', 'object[]', [], 'proxies', 'named proxies: [{name, endpoint, timeout, http_headers, grpc_metadata, binary_encoding, include_connection_meta, http: {static_headers, status_to_code_transforms}, grpc: {tls, cert_file, credentials_key, credentials_value, compression}}]');
  add('consumers', 'object[]', [], 'consumers', 'async consumers: [{name, enabled, type, postgresql, kafka}]');
  for (const d of DEFAULT_PROXIES) {
    if (d.hasEnabled) add(`${d.v6}.enabled`, 'bool', false, d.endpoint, `enable the ${d.kind} proxy`);
    add(`${d.v6}.endpoint`, 'string', '', d.endpoint, specOf(d.endpoint)?.doc ?? '');
    add(`${d.v6}.timeout`, 'duration', '1s', d.timeout, specOf(d.timeout)?.doc ?? '');
    for (const f of PROXY_FIELDS) {
      const spec = specOf(f.shared);
      add(`${d.v6}.${f.v6}`, f.type, spec === undefined ? '' : fileDefault(spec), f.shared, spec?.doc ?? '');
    }
  }
  return rows.sort((a, b) => a.key.localeCompare(b.key));
}
