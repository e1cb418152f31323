/** @module config/v6/to-v6 — writes v5 flat configuration data in the v6 nested layout (migrateconfig, defaultconfig). */
import { isPlainObject } from '../../util/object.js';
import { defaultWith } from '../coerce.js';
import { SCHEMA, type FieldSpec } from '../schema/index.js';
import { SPECIAL_V5_KEYS, TLS_GROUPS, TLS_PEM_FIELDS, V6_PATH_OF } from './paths.js';
import { consumerToV6, namespaceToV6, proxiesToV6 } from './proxies.js';
import { setPath, text, truthy, type Tree } from './tree.js';

/** A key's default as it is written in a file (durations as Go text). */
export function fileDefault(spec: FieldSpec): unknown {
  return defaultWith(spec, (text) => text);
}

/** Every v5 key at its default, file-shaped. */
export function defaultRaw(): Map<string, unknown> {
  return new Map(Object.entries(SCHEMA).map(([k, spec]) => [k, fileDefault(spec)]));
}

/** TLS path key (`tls_cert`) → its group and PEM field, for the collision rule below. */
const TLS_PATH_KEYS: ReadonlyMap<string, { v6: string; field: string; pemKey: string }> = new Map(
  TLS_GROUPS.flatMap((g) => TLS_PEM_FIELDS.map((f) => [g.prefix + f.path, { v6: g.v6, field: f.field, pemKey: g.prefix + f.pem }] as const)),
);

/**
 * The v6 tree of v5 data (`raw`: lower-case top-level keys, values as in a file). Keys follow the official
 * converter's map; a TLS file-path key goes to `<tls>.<field>_file` when the inline PEM key is also set
 * (or always with `all`), so nothing is overwritten. v5 keys without a v6 place stay at the top level.
 * Keys unknown to the schema are kept at the top level too (and reported in `warnings`).
 */
export function v5ToV6(raw: ReadonlyMap<string, unknown>, options: { all?: boolean } = {}, warnings: string[] = []): Tree {
  const all = options.all === true;
  const tree: Tree = {};
  const granular = truthy(raw.get('granular_proxy_mode'));
  for (const [key, value] of raw) {
    if (SPECIAL_V5_KEYS.has(key)) continue;
    if (!Object.hasOwn(SCHEMA, key)) {
      warnings.push(`unknown key kept as it is key=${key}`);
      tree[key] = value;
      continue;
    }
    const tlsPath = TLS_PATH_KEYS.get(key);
    if (tlsPath !== undefined && (all || text(raw.get(tlsPath.pemKey)) !== undefined)) {
      setPath(tree, `${tlsPath.v6}.${tlsPath.field}_file`, value);
      continue;
    }
    setPath(tree, V6_PATH_OF.get(key) ?? key, value);
  }
  const broker = text(raw.get('broker'));
  if (broker !== undefined || all) {
    setPath(tree, 'broker.enabled', broker !== undefined);
    setPath(tree, 'broker.type', broker ?? '');
  }
  if (raw.has('namespaces') || all) {
    const list = raw.get('namespaces');
    setPath(tree, 'channel.namespaces', Array.isArray(list) ? list.map((ns: unknown) => (isPlainObject(ns) ? namespaceToV6(ns, granular) : ns)) : (list ?? []));
  }
  if (raw.has('consumers') || all) {
    const list = raw.get('consumers');
    tree['consumers'] = Array.isArray(list) ? list.map((x: unknown) => (isPlainObject(x) ? consumerToV6(x) : x)) : (list ?? []);
  }
  proxiesToV6(raw, tree, all, warnings);
  return tree;
}
