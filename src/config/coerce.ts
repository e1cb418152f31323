/** @module config/coerce — turns raw file/env/flag values into typed `Config` values, collecting problems. */
import { isPlainObject } from '../util/object.js';
import { DurationError, parseDurationNs } from './duration.js';
import type { ConfigProblem } from './errors.js';
import type { DurationSpec, FieldSpec, Fields, IntSpec, JsonValue, ObjectListSpec, StringListSpec, StringSpec } from './schema/index.js';

/**
 * `top`: a top-level key read the viper way (numeric strings → ints, ParseBool strings → bools, a string
 * → whitespace-split list, a bare non-zero number is a malformed duration).
 * `nested`: a value inside a list item (Go encoding/json way: strict JSON types, a number duration = ns).
 */
type Mode = 'top' | 'nested';

/** Problems and warnings collected while building one config. */
export interface Collector {
  readonly problems: ConfigProblem[];
  readonly warnings: string[];
}

/** Where a value sits: key path for problems, the key name for duration messages, and where it came from. */
export interface Site {
  readonly path: string;
  readonly key: string;
  readonly mode: Mode;
  /** e.g. `environment variable CENTRIFUGO_PRESENCE`; absent = config file / object. */
  readonly source?: string | undefined;
}

/** Keys that are never copied into config objects (prototype pollution guard). */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const PARSE_BOOL: ReadonlyMap<string, boolean> = new Map([
  ['1', true], ['t', true], ['T', true], ['TRUE', true], ['true', true], ['True', true],
  ['0', false], ['f', false], ['F', false], ['FALSE', false], ['false', false], ['False', false],
]);

/** Go `strconv.ParseBool`; `undefined` for anything else. */
export function parseGoBool(text: string): boolean | undefined {
  return PARSE_BOOL.get(text);
}

/** Own entries with lower-cased keys, in a Map (so `__proto__` is just a string key). Later duplicates win. */
export function lowerCaseEntries(obj: Record<string, unknown>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(obj)) out.set(k.toLowerCase(), v);
  return out;
}

/** The default value of a field, as it appears in `Config`. */
export function defaultValue(spec: FieldSpec): unknown {
  return defaultWith(spec, (text) => Number(parseDurationNs(text)) / 1e6);
}

/** A field's default (fresh copies of lists and maps), durations given by `duration` from their Go text. */
export function defaultWith(spec: FieldSpec, duration: (goText: string) => unknown): unknown {
  switch (spec.type) {
    case 'string':
    case 'int':
    case 'bool':
      return spec.default;
    case 'duration':
      return duration(spec.default);
    case 'string[]':
    case 'string-or-string[]':
      return [...spec.default];
    case 'map':
      return { ...spec.default };
    case 'object':
      return Object.fromEntries(Object.entries(spec.fields).map(([k, f]) => [k, defaultWith(f, duration)]));
    case 'object[]':
      return [];
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `string ${JSON.stringify(v)}`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  return typeof v;
}

function problem(c: Collector, site: Site, message: string): void {
  c.problems.push({ path: site.path, message: site.source === undefined ? message : `${message} (from ${site.source})` });
}

/** Converts `raw` (never `undefined`/`null`: callers use the default for those) for `spec`; on error records a problem and returns the default. */
export function coerce(spec: FieldSpec, raw: unknown, site: Site, c: Collector): unknown {
  switch (spec.type) {
    case 'string':
      return coerceString(spec, raw, site, c);
    case 'int':
      return coerceInt(spec, raw, site, c);
    case 'bool':
      return coerceBool(spec.default, raw, site, c);
    case 'duration':
      return coerceDuration(spec, raw, site, c);
    case 'string[]':
    case 'string-or-string[]':
      return coerceStrings(spec, raw, site, c);
    case 'map':
      return coerceMap(spec.default, raw, site, c);
    case 'object':
      return coerceObject(spec.fields, raw, site, c, (k) => `unknown key found in the configuration file key=${site.path}.${k}`);
    case 'object[]':
      return coerceList(spec, raw, site, c);
  }
}

function coerceString(spec: StringSpec, raw: unknown, site: Site, c: Collector): string {
  let value: string;
  if (typeof raw === 'string') value = raw;
  else if (site.mode === 'top' && (typeof raw === 'number' || typeof raw === 'boolean')) value = String(raw);
  else {
    problem(c, site, `expected a string, got ${describe(raw)}`);
    return spec.default;
  }
  if (spec.values !== undefined && !spec.values.includes(value)) {
    const allowed = spec.values.map((v) => JSON.stringify(v)).join(', ');
    problem(c, site, `must be one of ${allowed}, got ${JSON.stringify(value)}`);
    return spec.default;
  }
  return value;
}

function coerceInt(spec: IntSpec, raw: unknown, site: Site, c: Collector): number {
  let value: number | undefined;
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) value = raw;
  else if (site.mode === 'top' && typeof raw === 'string') {
    const t = raw.trim();
    if (t === '') value = 0;
    else if (/^[-+]?\d+$/.test(t) && Number.isSafeInteger(Number(t))) value = Number(t);
  }
  if (value === undefined) {
    problem(c, site, `expected an integer, got ${describe(raw)}`);
    return spec.default;
  }
  if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
    const range = spec.max === undefined ? `>= ${spec.min ?? 0}` : `between ${spec.min ?? 0} and ${spec.max}`;
    problem(c, site, `must be ${range}, got ${value}`);
    return spec.default;
  }
  return value;
}

function coerceBool(def: boolean, raw: unknown, site: Site, c: Collector): boolean {
  if (typeof raw === 'boolean') return raw;
  if (site.mode === 'top' && typeof raw === 'string') {
    const b = parseGoBool(raw.trim());
    if (b !== undefined) return b;
  }
  problem(c, site, `expected a boolean, got ${describe(raw)}`);
  return def;
}

function coerceDuration(spec: DurationSpec, raw: unknown, site: Site, c: Collector): number {
  const def = Number(parseDurationNs(spec.default)) / 1e6;
  let ns: bigint;
  if (typeof raw === 'string') {
    try {
      ns = parseDurationNs(raw.trim());
    } catch (err) {
      if (!(err instanceof DurationError)) throw err;
      problem(c, site, `malformed duration for key '${site.key}': ${err.message}`);
      return def;
    }
  } else if (typeof raw === 'number' && site.mode === 'top' && raw === 0) {
    ns = 0n;
  } else if (typeof raw === 'number' && site.mode === 'nested' && Number.isSafeInteger(raw)) {
    ns = BigInt(raw); // Go encoding/json: a number is nanoseconds
  } else {
    const hint = typeof raw === 'number' ? ` (a bare number needs a unit, e.g. "${raw}s")` : `, got ${describe(raw)}`;
    problem(c, site, `malformed duration for key '${site.key}'${hint}`);
    return def;
  }
  if (ns < 0n) {
    if (spec.negativeDisables === true) return -1;
    problem(c, site, `duration for key '${site.key}' must not be negative`);
    return def;
  }
  if (ns === 0n) return spec.negativeDisables === true ? def : 0;
  if (ns < 1_000_000n) {
    problem(c, site, `duration for key '${site.key}' must be 0 or at least 1ms`);
    return def;
  }
  if (spec.wholeSeconds === true) {
    if (ns < 1_000_000_000n) {
      problem(c, site, `malformed duration for key '${site.key}': minimal duration resolution is 1s`);
      return def;
    }
    if (ns % 1_000_000_000n !== 0n) {
      problem(c, site, `malformed duration for key '${site.key}': sub-second precision is not supported`);
      return def;
    }
  }
  return Number(ns) / 1e6;
}

function coerceStrings(spec: StringListSpec, raw: unknown, site: Site, c: Collector): string[] {
  if (typeof raw === 'string' && site.mode === 'top') return raw.split(/\s+/).filter((s) => s !== '');
  if (!Array.isArray(raw)) {
    problem(c, site, `expected a list of strings, got ${describe(raw)}`);
    return [...spec.default];
  }
  const out: string[] = [];
  raw.forEach((item: unknown, i) => {
    if (typeof item === 'string') out.push(item);
    else if (site.mode === 'top' && typeof item === 'number') out.push(String(item));
    else problem(c, { ...site, path: `${site.path}[${i}]` }, `expected a string, got ${describe(item)}`);
  });
  return out;
}

function coerceMap(def: Readonly<Record<string, string>>, raw: unknown, site: Site, c: Collector): Record<string, string> {
  if (!isPlainObject(raw)) {
    problem(c, site, `expected an object of strings, got ${describe(raw)}`);
    return { ...def };
  }
  const entries: [string, string][] = [];
  for (const [k, v] of Object.entries(raw)) {
    if (UNSAFE_KEYS.has(k)) {
      c.warnings.push(`unsafe key ignored in the configuration key=${site.path}.${k}`);
    } else if (typeof v === 'string') entries.push([k, v]);
    else problem(c, { ...site, path: `${site.path}.${k}` }, `expected a string, got ${describe(v)}`);
  }
  return Object.fromEntries(entries);
}

function coerceObject(
  fields: Fields,
  raw: unknown,
  site: Site,
  c: Collector,
  unknownWarning: (key: string) => string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const entries = isPlainObject(raw) ? lowerCaseEntries(raw) : undefined;
  if (entries === undefined) problem(c, site, `expected an object, got ${describe(raw)}`);
  for (const [name, spec] of Object.entries(fields)) {
    const v = entries?.get(name);
    const sub: Site = { path: `${site.path}.${name}`, key: name, mode: site.mode, source: site.source };
    if (v === undefined || v === null) {
      if (spec.type === 'string' && spec.required === true && entries !== undefined) problem(c, sub, 'required');
      out[name] = defaultValue(spec);
    } else out[name] = coerce(spec, v, sub, c);
  }
  for (const k of entries?.keys() ?? []) {
    if (!Object.hasOwn(fields, k) || UNSAFE_KEYS.has(k)) c.warnings.push(unknownWarning(k));
  }
  return out;
}

function coerceList(spec: ObjectListSpec, raw: unknown, site: Site, c: Collector): unknown[] {
  if (!Array.isArray(raw)) {
    problem(c, site, `expected a list of objects, got ${describe(raw)}`);
    return [];
  }
  const out: unknown[] = [];
  raw.forEach((item: unknown, i) => {
    const itemSite: Site = { path: `${site.path}[${i}]`, key: site.key, mode: 'nested', source: site.source };
    if (spec.item === undefined) {
      if (isPlainObject(item)) out.push(copyJson(item, itemSite.path, c));
      else problem(c, itemSite, `expected an object, got ${describe(item)}`);
      return;
    }
    if (!isPlainObject(item)) {
      problem(c, itemSite, `expected an object, got ${describe(item)}`);
      return;
    }
    const name = lowerCaseEntries(item).get('name');
    const nameText = typeof name === 'string' ? name : '';
    const warn = (k: string): string => {
      if (spec.itemKind === 'namespace') return `unknown key found in the namespace object key=${k} namespace_name=${nameText}`;
      if (spec.itemKind === 'rpc_namespace') {
        return `unknown key found in the rpc namespace object key=${k} rpc_namespace_name=${nameText}`;
      }
      return `unknown key found in the configuration file key=${itemSite.path}.${k}`;
    };
    out.push(coerceObject(spec.item, item, itemSite, c, warn));
  });
  return out;
}

/** Deep copy of JSON-like data without unsafe keys (for loose list items such as `proxies`). */
function copyJson(v: unknown, path: string, c: Collector): JsonValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map((x: unknown, i) => copyJson(x, `${path}[${i}]`, c));
  if (isPlainObject(v)) {
    const entries: [string, JsonValue][] = [];
    for (const [k, x] of Object.entries(v)) {
      if (UNSAFE_KEYS.has(k)) c.warnings.push(`unsafe key ignored in the configuration key=${path}.${k}`);
      else entries.push([k, copyJson(x, `${path}.${k}`, c)]);
    }
    return Object.fromEntries(entries);
  }
  if (v instanceof Date) return v.toISOString(); // TOML/YAML dates
  return null;
}
