/** @module config/load — config file → CENTRIFUGO_* env → explicitly passed flags → one frozen Config. */
import { resolve } from 'node:path';
import { isPlainObject, lowerCaseEntries, type Collector } from './coerce.js';
import { readEnvLayer } from './env.js';
import { readConfigFile } from './file.js';
import { SCHEMA, type Config } from './schema/index.js';
import { buildConfig } from './validate.js';

export interface LoadConfigInput {
  /** Config file path, relative to `cwd`; default `config.json`. A missing file is a warning, not an error. */
  readonly configPath?: string | undefined;
  /** Environment to read `CENTRIFUGO_*` keys from; default `process.env`. */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** Explicitly passed CLI flags by config key (`{ port: '9000', admin: true }`); they win over env and file. */
  readonly flags?: Readonly<Record<string, unknown>> | undefined;
  /** Base directory for a relative `configPath`; default `process.cwd()`. */
  readonly cwd?: string | undefined;
}

export interface LoadConfigResult {
  readonly config: Config;
  /** Non-fatal findings, e.g. `config file not found`, `unknown key found in the configuration file key=foo`. */
  readonly warnings: string[];
  /** Absolute path of the file that was read; absent when no file was found. */
  readonly configFile?: string;
}

/**
 * Loads the configuration with Centrifugo v5 precedence: flag (explicitly passed) > env > file > default.
 * Throws ConfigError for a broken file or any invalid value, naming every bad key at once.
 */
export async function loadConfig(input: LoadConfigInput = {}): Promise<LoadConfigResult> {
  const cwd = input.cwd ?? process.cwd();
  const path = resolve(cwd, input.configPath ?? 'config.json');
  const c: Collector = { problems: [], warnings: [] };

  const data = await readConfigFile(path);
  if (data === undefined) c.warnings.push('config file not found');
  const raw = data === undefined ? new Map<string, unknown>() : lowerCaseEntries(data);

  const env = readEnvLayer(input.env ?? process.env, c);
  const sources = new Map(env.sources);
  mergeInto(raw, env.layer);

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

  const built = buildConfig({ raw, sources, problems: c.problems });
  const result: LoadConfigResult = { config: built.config, warnings: [...c.warnings, ...built.warnings] };
  return data === undefined ? result : { ...result, configFile: path };
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
