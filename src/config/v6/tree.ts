/** @module config/v6/tree — small helpers for nested (dotted-path) configuration objects. */
import { UNSAFE_KEYS } from '../coerce.js';
import { isPlainObject } from '../../util/object.js';

/** A mutable nested object as written to / read from a v6 file. */
export type Tree = Record<string, unknown>;

/** Sets `path` (dot-separated) in `tree`, creating objects on the way (a non-object in the way is replaced). */
export function setPath(tree: Tree, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    if (UNSAFE_KEYS.has(part)) return;
    const next = node[part];
    if (isPlainObject(next)) node = next;
    else {
      const created: Tree = {};
      node[part] = created;
      node = created;
    }
  }
  const last = parts[parts.length - 1] ?? path;
  if (!UNSAFE_KEYS.has(last)) node[last] = value;
}

/** Reads `path` from `tree` (keys compared lower-cased); `undefined` when absent. */
export function getPath(tree: unknown, path: string): unknown {
  let node = tree;
  for (const part of path.split('.')) {
    if (!isPlainObject(node)) return undefined;
    node = lowerGet(node, part);
  }
  return node;
}

/** `obj[key]` with keys compared lower-cased. */
function lowerGet(obj: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(obj, key)) return obj[key];
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === key) return v;
  return undefined;
}

/** True for `true` and Go ParseBool true strings (values from the environment are text). */
export function truthy(v: unknown): boolean {
  return v === true || (typeof v === 'string' && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v.trim()));
}

/** Non-empty string value, else `undefined`. */
export function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A canonical text of JSON-like data for equality checks: keys sorted, empty values (false, "", [], {}, null) left out. */
export function canonical(v: unknown): string {
  return JSON.stringify(strip(v)) ?? '';
}

function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? undefined : v.map((x) => strip(x) ?? null);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const s = strip(v[k]);
      if (s === undefined) continue;
      out[k.toLowerCase()] = s;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  if (v === false || v === '' || v === null) return undefined;
  return v;
}
