/** @module cli/genconfig — `rotor genconfig [-c config.json]`: write a minimal config with random secrets. */
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, formatOf, loadConfig, stringifyConfig } from '../config/index.js';

/** The generated settings: four random UUIDv4 secrets and an empty origin list. */
function minimalConfig(): Record<string, unknown> {
  return {
    token_hmac_secret_key: randomUUID(),
    admin_password: randomUUID(),
    admin_secret: randomUUID(),
    api_key: randomUUID(),
    allowed_origins: [],
  };
}

/**
 * Writes a minimal config to `path` (format by extension), refusing to overwrite an existing file, then
 * validates it (removing it again if invalid). Throws ConfigError on any failure. Returns the absolute path.
 */
async function generateConfig(path: string, cwd: string = process.cwd()): Promise<string> {
  const file = resolve(cwd, path);
  const format = formatOf(file);
  if (format === undefined) {
    throw new ConfigError([{ path: file, message: 'unsupported config file extension (use .json, .yaml, .yml or .toml)' }]);
  }
  const data = minimalConfig();
  const text = stringifyConfig(data, format);
  try {
    await writeFile(file, text, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'EEXIST' ? 'output config file already exists' : `can not write config file: ${(err as Error).message}`;
    throw new ConfigError([{ path: file, message }], { cause: err });
  }
  try {
    await loadConfig({ configPath: file, env: {}, cwd });
  } catch (err) {
    await rm(file, { force: true });
    throw err;
  }
  return file;
}

export function registerGenconfigCommand(program: Command): void {
  program
    .command('genconfig')
    .description('generate a minimal configuration file with random secrets')
    .option('-c, --config <file>', 'output file (.json, .yaml, .yml or .toml)', 'config.json')
    .action(async (opts: { config: string }) => {
      const file = await generateConfig(opts.config);
      console.log(`generated config file ${file}`);
    });
}
