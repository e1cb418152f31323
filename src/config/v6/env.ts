/**
 * @module config/v6/env — v6 environment names: `CENTRIFUGO_` + the v6 path upper-cased with `.` → `_`
 * (`client.token.hmac_secret_key` → `CENTRIFUGO_CLIENT_TOKEN_HMAC_SECRET_KEY`), read into the v5 keys.
 */
import type { Collector } from '../coerce.js';
import { isV5EnvName, parseEnvValue } from '../env.js';
import { SCHEMA, type FieldSpec, type FieldType } from '../schema/index.js';
import { LEAVES } from './paths.js';
import { DEFAULT_PROXIES, PROXY_FIELDS } from './proxies.js';
import { setPath, type Tree } from './tree.js';
import { v6ToV5, type V5Layer } from './to-v5.js';

/** One v6 environment variable: its v6 path and how its text is read. */
export interface V6EnvVar {
  readonly name: string;
  readonly path: string;
  readonly type: FieldType;
  /** The v5 key it sets (for docs); absent for proxy/list specials. */
  readonly v5?: string;
}

/** The environment name of a v6 path. */
export function v6EnvName(path: string): string {
  return `CENTRIFUGO_${path.replace(/\./g, '_')}`.toUpperCase();
}

function leafVars(): V6EnvVar[] {
  const out: V6EnvVar[] = [];
  for (const l of LEAVES) {
    const spec: FieldSpec | undefined = (SCHEMA as Record<string, FieldSpec>)[l.v5];
    if (spec === undefined) continue;
    if (spec.type === 'object') {
      // object-valued keys (nats_raw_mode, TLS objects, …) are also settable field by field
      out.push({ name: v6EnvName(l.v6), path: l.v6, type: 'object', v5: l.v5 });
      for (const [field, sub] of Object.entries(spec.fields)) {
        out.push({ name: v6EnvName(`${l.v6}.${field}`), path: `${l.v6}.${field}`, type: sub.type, v5: `${l.v5}.${field}` });
      }
    } else out.push({ name: v6EnvName(l.v6), path: l.v6, type: spec.type, v5: l.v5 });
  }
  return out;
}

function specialVars(): V6EnvVar[] {
  const out: V6EnvVar[] = [
    { name: v6EnvName('broker.enabled'), path: 'broker.enabled', type: 'bool' },
    { name: v6EnvName('broker.type'), path: 'broker.type', type: 'string' },
    { name: v6EnvName('rpc.without_namespace.proxy_enabled'), path: 'rpc.without_namespace.proxy_enabled', type: 'bool' },
    { name: v6EnvName('rpc.without_namespace.proxy_name'), path: 'rpc.without_namespace.proxy_name', type: 'string' },
  ];
  for (const p of ['channel.namespaces', 'rpc.namespaces', 'consumers', 'proxies']) out.push({ name: v6EnvName(p), path: p, type: 'object[]' });
  for (const d of DEFAULT_PROXIES) {
    if (d.hasEnabled) out.push({ name: v6EnvName(`${d.v6}.enabled`), path: `${d.v6}.enabled`, type: 'bool' });
    out.push({ name: v6EnvName(`${d.v6}.endpoint`), path: `${d.v6}.endpoint`, type: 'string' });
    out.push({ name: v6EnvName(`${d.v6}.timeout`), path: `${d.v6}.timeout`, type: 'duration' });
    for (const f of PROXY_FIELDS) out.push({ name: v6EnvName(`${d.v6}.${f.v6}`), path: `${d.v6}.${f.v6}`, type: f.type as FieldType });
  }
  return out;
}

/** Every v6 environment variable, by name (including names that equal a v5 key's variable). */
export const V6_ENV: ReadonlyMap<string, V6EnvVar> = new Map([...leafVars(), ...specialVars()].map((v) => [v.name, v]));

function parseEnvText(value: string, v: V6EnvVar, c: Collector): unknown {
  if (v.type === 'bool') {
    const t = value.trim();
    if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(t)) return true;
    if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(t)) return false;
    return value; // reported by the v5 conversion
  }
  return parseEnvValue(value, v.type, v.name, v.path, c);
}

/** The v6 environment layer: v5 keys with their sources (the variable names), and the names it consumed. */
export interface V6EnvLayer extends V5Layer {
  readonly sources: Map<string, string>;
  readonly names: Set<string>;
}

/** Reads every set (non-empty) v6 variable of `env` into a v6 tree, then into v5 keys. */
export function readV6EnvLayer(env: NodeJS.ProcessEnv, c: Collector): V6EnvLayer {
  const tree: Tree = {};
  const names = new Set<string>();
  for (const name of Object.keys(env).sort()) {
    const v = V6_ENV.get(name);
    const value = env[name];
    // a name that is also a v5 key's variable (`CENTRIFUGO_LOG_LEVEL`) is read by the v5 layer
    if (v === undefined || value === undefined || value === '' || isV5EnvName(name)) continue;
    const parsed = parseEnvText(value, v, c);
    names.add(name);
    if (parsed !== undefined) setPath(tree, v.path, parsed);
  }
  const layer = v6ToV5(tree, c, 'environment');
  const sources = new Map<string, string>();
  for (const [key, path] of layer.origin) sources.set(key, `environment variable ${v6EnvName(path)}`);
  return { ...layer, sources, names };
}
