/** @module config/load — config file → CENTRIFUGO_* env → explicitly passed flags → one frozen Config. */
import { resolve } from 'node:path';
import { lowerCaseEntries, type Collector } from './coerce.js';
import { isPlainObject } from '../util/object.js';
import { readEnvLayer } from './env.js';
import { ConfigError } from './errors.js';
import { readConfigFile } from './file.js';
import { SCHEMA, type Config } from './schema/index.js';
import { buildConfig } from './validate.js';
import { readV6EnvLayer, V6_ENV } from './v6/env.js';
import { detectLayout, type Layout } from './v6/layout.js';
import { v6Problems, v6Warnings } from './v6/names.js';
import { v6ToV5 } from './v6/to-v5.js';

export interface LoadConfigInput {
  /** Config file path, relative to `cwd`; default `config.json`. A missing file is a warning, not an error. */
  readonly configPath?: string | undefined;
  /** Environment to read `CENTRIFUGO_*` keys from; default `process.env`. */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** Explicitly passed CLI flags by config key (`{ port: '9000', admin: true }`); they win over env and file. */
  readonly flags?: Readonly<Record<string, unknown>> | undefined;
  /** Base directory for a relative `configPath`; default `process.cwd()`. */
  readonly cwd?: string | undefined;
  /** Parsed config data used instead of reading `configPath` (e.g. to check a migrated file before writing it). */
  readonly data?: Record<string, unknown> | undefined;
}

export interface LoadConfigResult {
  readonly config: Config;
  /** Non-fatal findings, e.g. `config file not found`, `unknown key found in the configuration file key=foo`. */
  readonly warnings: string[];
  /** Absolute path of the file that was read; absent when no file was found. */
  readonly configFile?: string;
  /** Layout of the file that was read (`v5` flat keys or `v6` nested sections). */
  readonly layout?: Layout;
}

/**
 * Loads the configuration with Centrifugo v5 precedence: flag (explicitly passed) > env > file > default.
 * The file may use the v5 flat layout or the v6 nested layout (not both); the environment may use v5 and
 * v6 variable names (v6 wins when both set one key). Throws ConfigError for a broken or mixed file or any
 * invalid value, naming every bad key at once — by its v6 name when the configuration was v6.
 */
export async function loadConfig(input: LoadConfigInput = {}): Promise<LoadConfigResult> {
  const cwd = input.cwd ?? process.cwd();
  const path = resolve(cwd, input.configPath ?? 'config.json');
  const c: Collector = { problems: [], warnings: [] };

  const data = input.data ?? (await readConfigFile(path));
  if (data === undefined) c.warnings.push('config file not found');
  const layout = data === undefined ? undefined : detectLayout(data, path);
  let raw: Map<string, unknown>;
  const origin = new Map<string, string>();
  if (data !== undefined && layout === 'v6') {
    const v6 = v6ToV5(data, c);
    raw = v6.raw;
    for (const [k, p] of v6.origin) origin.set(k, p);
  } else raw = data === undefined ? new Map<string, unknown>() : lowerCaseEntries(data);

  const envInput = input.env ?? process.env;
  const env = readEnvLayer(envInput, c, (name) => V6_ENV.has(name));
  const sources = new Map(env.sources);
  mergeInto(raw, env.layer);
  const v6Env = readV6EnvLayer(envInput, c);
  for (const [key, source] of v6Env.sources) {
    const v5Source = sources.get(key);
    if (v5Source !== undefined) c.warnings.push(`key set by both ${v5Source} and ${source}; the v6 name wins`);
    sources.set(key, source);
  }
  mergeInto(raw, v6Env.raw);
  for (const [k, p] of v6Env.origin) if (!origin.has(k)) origin.set(k, p);

  const flagLayer = new Map<string, unknown>();
  for (const [key, value] of Object.entries(input.flags ?? {})) {
    if (value === undefined) continue;
    if (!Object.hasOwn(SCHEMA, key)) {
      c.problems.push({ path: key, message: 'unknown flag' });
      continue;
    }
    flagLayer.set(key, value);
    sources.set(key, `flag --${key}`);
  }
  mergeInto(raw, flagLayer);

  // v6 names in messages when the file was v6 (or, without a v5 file, when v6 variables were used)
  const useV6Names = layout === 'v6' || (layout === undefined && v6Env.names.size > 0);
  let built: { config: Config; warnings: string[] };
  try {
    built = buildConfig({ raw, sources });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const problems = useV6Names ? v6Problems(err.problems, origin) : err.problems;
    throw new ConfigError([...c.problems, ...problems], { cause: err });
  }
  if (c.problems.length > 0) throw new ConfigError(c.problems);
  const buildWarnings = useV6Names ? v6Warnings(built.warnings, origin) : built.warnings;
  const result: LoadConfigResult = { config: built.config, warnings: [...c.warnings, ...buildWarnings] };
  if (data === undefined || layout === undefined) return result;
  return input.data === undefined ? { ...result, configFile: path, layout } : { ...result, layout };
}

/** Higher layer wins per key; for `object` keys (e.g. `nats_raw_mode`) per field. */
function mergeInto(target: Map<string, unknown>, layer: ReadonlyMap<string, unknown>): void {
  for (const [key, value] of layer) {
    const spec = Object.hasOwn(SCHEMA, key) ? SCHEMA[key as keyof typeof SCHEMA] : undefined;
    const prev = target.get(key);
    if (spec?.type === 'object' && isPlainObject(prev) && isPlainObject(value)) {
      target.set(key, Object.fromEntries([...lowerCaseEntries(prev), ...lowerCaseEntries(value)]));
    } else target.set(key, value);
  }
}
