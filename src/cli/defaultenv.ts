/** @module cli/defaultenv — `rotor defaultenv`: every v6 environment variable with its default value. */
import type { Command } from 'commander';
import { keyDocs } from '../config/index.js';

/** `NAME=value` text of a default: lists space-separated, objects and lists of objects as JSON. */
export function envText(value: unknown, type: string): string {
  if (Array.isArray(value) && (type === 'string[]' || type === 'string-or-string[]')) return value.join(' ');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/** One `NAME=value` line per v6 variable, sorted by name. */
function defaultEnvLines(): string[] {
  return keyDocs()
    .map((d) => `${d.env}=${envText(d.default, d.type)}`)
    .sort();
}

export function registerDefaultenvCommand(program: Command): void {
  program
    .command('defaultenv')
    .description('print every environment variable (v6 names) with its default value')
    .action(() => {
      process.stdout.write(`${defaultEnvLines().join('\n')}\n`);
    });
}
