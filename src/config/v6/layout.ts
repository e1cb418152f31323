/** @module config/v6/layout — which layout a config file uses (v5 flat or v6 nested); a mix is rejected. */
import { isPlainObject } from '../../util/object.js';
import { ConfigError } from '../errors.js';
import { SCHEMA } from '../schema/index.js';
import { isNeutralKey, V6_PATH_OF, V6_ROOTS } from './paths.js';

export type Layout = 'v5' | 'v6';

/** Top-level keys that mark each layout (keys valid in both, like `pid_file` or `consumers`, mark neither). */
function layoutKeys(data: Readonly<Record<string, unknown>>): { v5: string[]; v6: string[] } {
  const v5: string[] = [];
  const v6: string[] = [];
  for (const [k, v] of Object.entries(data)) {
    const key = k.toLowerCase();
    const items = listItemLayout(key, v);
    if (items !== undefined) {
      (items === 'v5' ? v5 : v6).push(key);
      continue;
    }
    if (isNeutralKey(key) || V6_PATH_OF.get(key) === key) continue;
    const isV5 = Object.hasOwn(SCHEMA, key);
    if (V6_ROOTS.has(key) && (!isV5 || isPlainObject(v))) v6.push(key);
    else if (isV5) v5.push(key);
  }
  return { v5, v6 };
}

/** Item fields that exist in only one layout: consumers `disabled`/`enabled`, proxies flat vs nested options. */
const ITEM_MARKERS: Readonly<Record<string, { v5: readonly string[]; v6: readonly string[] }>> = {
  consumers: { v5: ['disabled'], v6: ['enabled'] },
  proxies: {
    v5: ['static_http_headers', 'http_status_to_code_transforms', 'grpc_tls', 'grpc_cert_file', 'grpc_credentials_key', 'grpc_credentials_value', 'grpc_compression'],
    v6: ['http', 'grpc'],
  },
};

/** The layout `consumers` / `proxies` items are written in, when their fields tell. */
function listItemLayout(key: string, value: unknown): Layout | undefined {
  const markers = ITEM_MARKERS[key];
  if (markers === undefined || !Array.isArray(value)) return undefined;
  for (const item of value) {
    if (!isPlainObject(item)) continue;
    const fields = Object.keys(item).map((f) => f.toLowerCase());
    if (fields.some((f) => markers.v6.includes(f))) return 'v6';
    if (fields.some((f) => markers.v5.includes(f))) return 'v5';
  }
  return undefined;
}

/**
 * The file's layout: `v6` when it has v6 sections, otherwise `v5` (also for an empty file). Throws
 * ConfigError naming the keys of both sides when the file mixes the two layouts.
 */
export function detectLayout(data: Readonly<Record<string, unknown>>, path = ''): Layout {
  const { v5, v6 } = layoutKeys(data);
  if (v5.length > 0 && v6.length > 0) {
    const list = (keys: string[]): string => keys.map((k) => JSON.stringify(k)).join(', ');
    throw new ConfigError([
      {
        path,
        message:
          `configuration mixes the v5 flat layout (${list(v5)}) and the v6 nested layout (${list(v6)}); ` +
          'use one layout (`rotor migrateconfig` rewrites a v5 file in the v6 layout)',
      },
    ]);
  }
  return v6.length > 0 ? 'v6' : 'v5';
}
