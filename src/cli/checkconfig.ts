/** @module cli/checkconfig — `rotor checkconfig [-c config.json]`: load and validate a config file. */
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, loadConfig, type LoadConfigResult } from '../config/index.js';
import { checkUnimplementedKeys } from '../config/unimplemented.js';
import { proxySetupFromConfig } from '../proxy/options.js';

/**
 * Loads and validates the file alone (environment not applied, like Centrifugo's checkconfig). Throws
 * ConfigError when the file is missing, broken or invalid; returns the result (with warnings) otherwise.
 */
async function checkConfigFile(path: string, cwd: string = process.cwd()): Promise<LoadConfigResult> {
  const file = resolve(cwd, path);
  try {
    await access(file);
  } catch (err) {
    throw new ConfigError([{ path: file, message: 'config file not found' }], { cause: err });
  }
  const result = await loadConfig({ configPath: file, env: {}, cwd });
  proxySetupFromConfig(result.config); // proxy names and entries (throws ConfigError naming the key)
  return result;
}

export function registerCheckconfigCommand(program: Command): void {
  program
    .command('checkconfig')
    .description('check a configuration file; exit status 1 and the problems on failure')
    .option('-c, --config <file>', 'config file', 'config.json')
    .action(async (opts: { config: string }) => {
      const { config, warnings } = await checkConfigFile(opts.config);
      for (const w of warnings) console.error(`warning: ${w}`);
      // The same start-up check as `serve`: unimplemented keys warn, unsafe ones fail.
      checkUnimplementedKeys(config, { warn: (message) => console.error(`warning: ${message}`) });
      console.log('config is valid');
    });
}
