/** @module config/validate — builds a typed, normalised, deep-frozen Config from raw (file-shaped) data. */
import { coerce, defaultValue, lowerCaseEntries, type Collector } from './coerce.js';
import { isPlainObject } from '../util/object.js';
import { ConfigError, type ConfigProblem } from './errors.js';
import { deepFreeze } from './freeze.js';
import { checkRules } from './rules.js';
import { HANDLER_PREFIX_KEYS, SCHEMA, type Config } from './schema/index.js';

/** Input of `buildConfig`: merged raw values by lower-case top-level key. */
export interface BuildInput {
  readonly raw: ReadonlyMap<string, unknown>;
  /** Where a key's value came from (`environment variable CENTRIFUGO_X`, `flag --x`); absent = the file. */
  readonly sources?: ReadonlyMap<string, string>;
  /** Problems found before building (file syntax, env JSON); reported together with the others. */
  readonly problems?: readonly ConfigProblem[];
}

/**
 * Applies defaults, converts every key by its schema type, runs all validation rules, normalises handler
 * prefixes and freezes the result. Throws one ConfigError listing every problem.
 */
export function buildConfig(input: BuildInput): { config: Config; warnings: string[] } {
  const c: Collector = { problems: [...(input.problems ?? [])], warnings: [] };
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(SCHEMA)) {
    const raw = input.raw.get(key);
    out[key] =
      raw === undefined || raw === null
        ? defaultValue(spec)
        : coerce(spec, raw, { path: key, key, mode: 'top', source: input.sources?.get(key) }, c);
  }
  for (const key of input.raw.keys()) {
    if (!Object.hasOwn(SCHEMA, key)) c.warnings.push(`unknown key found in the configuration file key=${key}`);
  }
  // Every key of SCHEMA was just filled with a value of its schema type, which is exactly what Config describes.
  const config = out as Config;
  c.problems.push(...checkRules(config));
  if (c.problems.length > 0) throw new ConfigError(c.problems);
  for (const key of HANDLER_PREFIX_KEYS) out[key] = normalisePrefix(config[key]);
  return { config: deepFreeze(config), warnings: c.warnings };
}

/** Centrifugo's handler prefixes: trailing `/` trimmed; an empty result becomes `/`. */
function normalisePrefix(prefix: string): string {
  const trimmed = prefix.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

/**
 * Validates raw, file-shaped configuration data (keys case-insensitive, durations as Go strings, unknown keys
 * ignored) and returns the frozen Config. Throws ConfigError naming every bad key.
 */
export function validateConfig(raw: unknown): Config {
  if (!isPlainObject(raw)) throw new ConfigError([{ path: '', message: 'configuration must be an object' }]);
  return buildConfig({ raw: lowerCaseEntries(raw) }).config;
}

/** The configuration with every key at its default. */
export function defaultConfig(): Config {
  return buildConfig({ raw: new Map() }).config;
}
