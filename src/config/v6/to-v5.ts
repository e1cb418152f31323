/** @module config/v6/to-v5 — reads a v6 nested configuration into the v5 flat keys the loader validates. */
import { UNSAFE_KEYS, type Collector } from '../coerce.js';
import { isPlainObject } from '../../util/object.js';
import { isNeutralKey, LEAF_BY_V6, SPECIAL_V6_ROOTS, V6_BRANCHES } from './paths.js';
import { consumerToV5, proxiesToV5, type Out } from './proxies.js';
import { text, truthy } from './tree.js';

/** The v5 flat layer read from a v6 tree, and where each v5 key came from (its v6 path). */
export interface V5Layer {
  readonly raw: Map<string, unknown>;
  readonly origin: Map<string, string>;
}

const SPECIAL = new Set(SPECIAL_V6_ROOTS);

/**
 * Walks a v6 tree: known leaves become v5 keys, the proxy/list/broker subtrees go through their own
 * translation, v5 keys without a v6 place (`disconnect_codes`, …) are taken as they are. Unknown v6 keys
 * add `unknown key found in the configuration file key=<v6 path>` warnings; a scalar where v6 nests an
 * object is a problem. PEM fields holding a file path (as the official converter writes them) become the
 * v5 path keys; `*_b64` fields are decoded.
 */
export function v6ToV5(tree: Readonly<Record<string, unknown>>, c: Collector, unknownWhere = 'configuration file'): V5Layer {
  const out: Out = { raw: new Map(), origin: new Map(), warnings: c.warnings };
  const special = new Map<string, unknown>();

  const walk = (node: Readonly<Record<string, unknown>>, prefix: string): void => {
    for (const [k, v] of Object.entries(node)) {
      const key = k.toLowerCase();
      if (UNSAFE_KEYS.has(key)) continue;
      const path = prefix === '' ? key : `${prefix}.${key}`;
      const leaf = LEAF_BY_V6.get(path);
      if (leaf !== undefined) {
        if (v === undefined || v === null) continue;
        let target = leaf.v5;
        let value = v;
        if (leaf.b64 === true && typeof v === 'string') value = Buffer.from(v, 'base64').toString('utf8');
        if (leaf.pathKey !== undefined && typeof v === 'string' && v !== '' && !v.includes('-----BEGIN')) target = leaf.pathKey;
        out.raw.set(target, value);
        out.origin.set(target, path);
      } else if (SPECIAL.has(path)) {
        special.set(path, v);
      } else if (V6_BRANCHES.has(path)) {
        if (isPlainObject(v)) walk(v, path);
        else if (v !== undefined && v !== null) c.problems.push({ path, message: 'expected an object (v6 layout)' });
      } else if (prefix === '' && isNeutralKey(key)) {
        out.raw.set(key, v);
        out.origin.set(key, key);
      } else {
        c.warnings.push(`unknown key found in the ${unknownWhere} key=${path}`);
      }
    }
  };
  walk(tree, '');

  // broker: `{enabled: true, type: "nats"}` ⇒ v5 `broker: nats`
  const type = text(special.get('broker.type'));
  if (truthy(special.get('broker.enabled')) && type !== undefined) {
    out.raw.set('broker', type);
    out.origin.set('broker', 'broker.type');
  }

  const consumers = special.get('consumers');
  if (consumers !== undefined) {
    out.raw.set('consumers', Array.isArray(consumers) ? consumers.map((x: unknown) => (isPlainObject(x) ? consumerToV5(x) : x)) : consumers);
    out.origin.set('consumers', 'consumers');
  }

  proxiesToV5(
    {
      roots: new Map(['client.proxy', 'channel.proxy', 'rpc.proxy'].map((r) => [r, special.get(r)])),
      proxies: special.get('proxies'),
      rpcWithoutNamespace: special.get('rpc.without_namespace'),
      rpcNamespaces: special.get('rpc.namespaces'),
      namespaces: special.get('channel.namespaces'),
    },
    out.raw,
    out,
  );
  return { raw: out.raw, origin: out.origin };
}
