/**
 * @module scripts/docs-keys — regenerates the README's list of unimplemented configuration keys from
 * src/config/unimplemented.ts (`npm run docs:keys`; `--check` only reports whether it is up to date).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { replaceSection } from '../src/config/unimplemented-readme.js';

const path = fileURLToPath(new URL('../README.md', import.meta.url));
const current = readFileSync(path, 'utf8');
const next = replaceSection(current);
if (process.argv.includes('--check')) {
  if (next !== current) {
    console.error('README.md: the unimplemented-keys section is out of date; run `npm run docs:keys`');
    process.exitCode = 1;
  }
} else if (next !== current) {
  writeFileSync(path, next);
  console.log('README.md: unimplemented-keys section regenerated');
} else {
  console.log('README.md: unimplemented-keys section already up to date');
}
