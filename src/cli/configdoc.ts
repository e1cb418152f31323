/** @module cli/configdoc — `rotor configdoc`: a table of every configuration key, generated from the schema. */
import type { Command } from 'commander';
import { keyDocs, type KeyDoc } from '../config/index.js';
import { envText } from './defaultenv.js';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function defaultText(d: KeyDoc): string {
  const t = envText(d.default, d.type);
  return d.type.startsWith('string') && !d.type.endsWith('[]') ? JSON.stringify(t) : t === '' ? '""' : t;
}

/** Markdown table: key (v6), type, default, v5 key, description. */
function configDocMarkdown(): string {
  const lines = ['| Key (v6) | Type | Default | v5 key | Description |', '|---|---|---|---|---|'];
  for (const d of keyDocs()) {
    lines.push(`| \`${d.key}\` | ${d.type} | \`${cell(defaultText(d))}\` | ${d.v5 === '' ? '' : `\`${d.v5}\``} | ${cell(d.doc)} |`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerConfigdocCommand(program: Command): void {
  program
    .command('configdoc')
    .description('print a table of every configuration key: v6 name, type, default, v5 name, description')
    .option('--json', 'print the rows as JSON (with environment variable names)')
    .action((opts: { json?: boolean }) => {
      process.stdout.write(opts.json === true ? `${JSON.stringify(keyDocs(), null, 2)}\n` : configDocMarkdown());
    });
}
