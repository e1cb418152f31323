#!/usr/bin/env node
/** @module main — process entry: runs the CLI; a ConfigError or any other fatal error → message on stderr, exit 1. */
import { runCli } from './cli/index.js';
import { ConfigError } from './config/index.js';

try {
  await runCli(process.argv);
} catch (err) {
  const text = err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`${text}\n`);
  process.exit(1);
}
