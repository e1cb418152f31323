/** @module config/file — reading and parsing the config file (JSON, YAML, TOML; chosen by extension). */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { isPlainObject } from '../util/object.js';
import { ConfigError } from './errors.js';
import { findJsonSyntaxIssue } from './json-error.js';

export type ConfigFormat = 'json' | 'yaml' | 'toml';

/** Format by file extension (`.json`, `.yaml`/`.yml`, `.toml`, case-insensitive); `undefined` for anything else. */
export function formatOf(path: string): ConfigFormat | undefined {
  switch (extname(path).toLowerCase()) {
    case '.json':
      return 'json';
    case '.yaml':
    case '.yml':
      return 'yaml';
    case '.toml':
      return 'toml';
    default:
      return undefined;
  }
}

/** Reads and parses a config file. Returns `undefined` when the file does not exist; throws ConfigError when it is unusable. */
export async function readConfigFile(path: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError([{ path, message: `can not read config file: ${(err as Error).message}` }], { cause: err });
  }
  const format = formatOf(path);
  if (format === undefined) {
    throw new ConfigError([{ path, message: 'unsupported config file extension (use .json, .yaml, .yml or .toml)' }]);
  }
  return parseConfigText(text, format, path);
}

/** Parses config text; the top level must be an object (an empty YAML/TOML document is `{}`). */
export function parseConfigText(text: string, format: ConfigFormat, path: string): Record<string, unknown> {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let data: unknown;
  try {
    if (format === 'json') data = JSON.parse(body);
    else if (format === 'yaml') data = parseYaml(body, { prettyErrors: true });
    else data = parseToml(body);
  } catch (err) {
    const message = format === 'json' ? jsonSyntaxMessage(body, err as Error) : `${format.toUpperCase()} syntax error: ${(err as Error).message}`;
    throw new ConfigError([{ path, message }], { cause: err });
  }
  if (data === null || data === undefined) return {};
  if (!isPlainObject(data)) throw new ConfigError([{ path, message: 'config file must contain an object at the top level' }]);
  return data;
}

/** `JSON syntax error around line L, column C: <detail>` (1-based; detail worded like Go's encoding/json). */
function jsonSyntaxMessage(text: string, err: Error): string {
  const issue = findJsonSyntaxIssue(text);
  const pos = /at position (\d+)/.exec(err.message);
  const offset = issue?.offset ?? (pos?.[1] === undefined ? text.length : Math.min(Number(pos[1]), text.length));
  const detail = issue?.detail ?? err.message;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `JSON syntax error around line ${line}, column ${column}: ${detail}`;
}

/** Config data as file text in `format` (JSON indented by 2, newline-terminated). */
export function stringifyConfig(data: Record<string, unknown>, format: ConfigFormat): string {
  if (format === 'json') return `${JSON.stringify(data, null, 2)}\n`;
  if (format === 'yaml') return stringifyYaml(data);
  return `${stringifyToml(data)}\n`;
}
