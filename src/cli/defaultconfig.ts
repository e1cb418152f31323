/** @module cli/defaultconfig — `rotor defaultconfig`: every key in the v6 layout with its default. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, defaultRaw, formatOf, stringifyConfig, v5ToV6 } from '../config/index.js';
import { writeNewFile } from './write-new-file.js';

/** The full v6 configuration tree at defaults. */
function defaultV6Config(): Record<string, unknown> {
  return v5ToV6(defaultRaw(), { all: true });
}

export function registerDefaultconfigCommand(program: Command): void {
  program
    .command('defaultconfig')
    .description('write every configuration key with its default value, in the v6 nested layout')
    .option('-c, --config <file>', 'output file (.json, .yaml, .yml or .toml)', 'config.json')
    .option('--dry-run', 'print to stdout instead of writing the file')
    .action(async (opts: { config: string; dryRun?: boolean }) => {
      const file = resolve(opts.config);
      const format = formatOf(file);
      if (format === undefined) {
        throw new ConfigError([{ path: file, message: 'unsupported config file extension (use .json, .yaml, .yml or .toml)' }]);
      }
      const text = stringifyConfig(defaultV6Config(), format);
      if (opts.dryRun === true) {
        process.stdout.write(text);
        return;
      }
      await writeNewFile(file, text);
      console.log(`generated config file ${file}`);
    });
}
