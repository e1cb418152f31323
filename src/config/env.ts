/** @module config/env — the `CENTRIFUGO_*` environment layer. */
import type { Collector } from './coerce.js';
import { SCHEMA, type FieldSpec, type FieldType, type Fields } from './schema/index.js';

const PREFIX = 'CENTRIFUGO_';
/** Injected by Kubernetes (`CENTRIFUGO_PORT_8000_TCP…`, `CENTRIFUGO_SERVICE_HOST`) or read by consumers directly. */
const IGNORED_PREFIXES = ['CENTRIFUGO_PORT_', 'CENTRIFUGO_SERVICE_', 'CENTRIFUGO_CONSUMERS_'];

interface EnvTarget {
  readonly key: string;
  /** Field of an `object` key (`nats_raw_mode.enabled` ← `CENTRIFUGO_NATS_RAW_MODE_ENABLED`). */
  readonly field?: string;
  readonly spec: FieldSpec;
}

const TARGETS: ReadonlyMap<string, EnvTarget> = buildTargets();

function buildTargets(): Map<string, EnvTarget> {
  const m = new Map<string, EnvTarget>();
  for (const [key, spec] of Object.entries(SCHEMA)) {
    if (spec.type === 'object') {
      const fields: Fields = spec.fields;
      for (const [field, sub] of Object.entries(fields)) {
        m.set(`${PREFIX}${key}_${field}`.toUpperCase(), { key, field, spec: sub });
      }
    } else m.set(`${PREFIX}${key}`.toUpperCase(), { key, spec });
  }
  return m;
}

/** The environment variable name of a key (`api_key` → `CENTRIFUGO_API_KEY`; `a.b` → `CENTRIFUGO_A_B`). */
export function envName(key: string): string {
  return `${PREFIX}${key.replace(/\./g, '_')}`.toUpperCase();
}

/** True when `name` is the environment variable of a v5 key (or of a field of an object key). */
export function isV5EnvName(name: string): boolean {
  return TARGETS.has(name);
}

/**
 * Reads known `CENTRIFUGO_*` variables into a raw layer (values shaped like file values: lists split on
 * whitespace, objects/maps/lists of objects decoded from JSON). Empty values count as unset. Names for
 * which `readElsewhere` is true (the v6 names) are skipped without an unknown-key warning.
 */
export function readEnvLayer(
  env: NodeJS.ProcessEnv,
  c: Collector,
  readElsewhere: (name: string) => boolean = () => false,
): { layer: Map<string, unknown>; sources: Map<string, string> } {
  const layer = new Map<string, unknown>();
  const sources = new Map<string, string>();
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (!name.startsWith(PREFIX) || value === undefined || value === '') continue;
    const target = TARGETS.get(name);
    if (target === undefined) {
      if (readElsewhere(name)) continue;
      if (!IGNORED_PREFIXES.some((p) => name.startsWith(p))) c.warnings.push(`unknown key found in the environment key=${name}`);
      continue;
    }
    const path = target.field === undefined ? target.key : `${target.key}.${target.field}`;
    const parsed = fromEnvText(value, target.spec, name, path, c);
    if (parsed === undefined) continue;
    if (target.field === undefined) layer.set(target.key, parsed);
    else {
      const prev = layer.get(target.key);
      const obj: Record<string, unknown> = typeof prev === 'object' && prev !== null ? (prev as Record<string, unknown>) : {};
      obj[target.field] = parsed;
      layer.set(target.key, obj);
    }
    sources.set(target.key, `environment variable ${name}`);
  }
  return { layer, sources };
}

function fromEnvText(value: string, spec: FieldSpec, name: string, path: string, c: Collector): unknown {
  return parseEnvValue(value, spec.type, name, path, c);
}

/**
 * An environment variable's text as a value of `type`: lists split on whitespace, maps and objects
 * parsed as JSON (a parse error is a problem at `path`), scalars kept as text for the strict conversion.
 */
export function parseEnvValue(value: string, type: FieldType, name: string, path: string, c: Collector): unknown {
  switch (type) {
    case 'string[]':
    case 'string-or-string[]':
      return value.split(/\s+/).filter((s) => s !== '');
    case 'map':
    case 'object':
    case 'object[]':
      try {
        return JSON.parse(value) as unknown;
      } catch (err) {
        c.problems.push({ path, message: `invalid JSON in environment variable ${name}: ${(err as Error).message}` });
        return undefined;
      }
    case 'string':
    case 'int':
    case 'bool':
    case 'duration':
      return value; // converted (strictly) by coerce in top mode
  }
}
