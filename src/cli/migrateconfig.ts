/** @module cli/migrateconfig — `rotor migrateconfig <v5 file>`: the same configuration in the v6 nested layout. */
import { isDeepStrictEqual } from 'node:util';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  ConfigError,
  detectLayout,
  formatOf,
  loadConfig,
  lowerCaseEntries,
  readConfigFile,
  stringifyConfig,
  v5ToV6,
  type Config,
} from '../config/index.js';
import { writeNewFile } from './write-new-file.js';

interface Migration {
  readonly v6: Record<string, unknown>;
  readonly warnings: string[];
  /** Top-level v5 keys whose loaded value differs after the migration (empty when nothing was lost). */
  readonly changed: string[];
}

/**
 * Converts v5 data to the v6 layout and checks the result: both are loaded (without environment) and every
 * key whose value differs is listed in `changed`. Throws ConfigError when the input is not a valid v5 config.
 */
async function migrateConfigData(data: Record<string, unknown>, path = ''): Promise<Migration> {
  if (detectLayout(data, path) === 'v6') {
    throw new ConfigError([{ path, message: 'the configuration already uses the v6 layout' }]);
  }
  const before = await loadConfig({ data, env: {} });
  const warnings: string[] = [];
  const v6 = v5ToV6(lowerCaseEntries(data), {}, warnings);
  const after = await loadConfig({ data: v6, env: {} });
  const changed = Object.keys(before.config).filter(
    (k) => !isDeepStrictEqual(before.config[k as keyof Config], after.config[k as keyof Config]),
  );
  return { v6, warnings, changed };
}

export function registerMigrateconfigCommand(program: Command): void {
  program
    .command('migrateconfig')
    .description('rewrite a v5 (flat) configuration file in the v6 nested layout')
    .argument('<input>', 'v5 config file (.json, .yaml, .yml or .toml)')
    .option('-o, --output <file>', 'write here (format by extension; refuses to overwrite) instead of printing to stdout')
    .action(async (input: string, opts: { output?: string }) => {
      const file = resolve(input);
      const data = await readConfigFile(file);
      if (data === undefined) throw new ConfigError([{ path: file, message: 'config file not found' }]);
      const out = opts.output === undefined ? undefined : resolve(opts.output);
      const format = formatOf(out ?? file);
      if (format === undefined) {
        throw new ConfigError([{ path: out ?? file, message: 'unsupported config file extension (use .json, .yaml, .yml or .toml)' }]);
      }
      const m = await migrateConfigData(data, file);
      for (const w of m.warnings) console.error(`warning: ${w}`);
      if (m.changed.length > 0) console.error(`warning: these keys load differently after the migration: ${m.changed.join(', ')}`);
      const text = stringifyConfig(m.v6, format);
      if (out === undefined) process.stdout.write(text);
      else {
        await writeNewFile(out, text);
        console.error(`migrated config written to ${out}`);
      }
    });
}
