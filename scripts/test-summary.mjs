/**
 * @module scripts/test-summary — reads the TAP file a test tier wrote and prints a short summary: the
 * full name and location of each failing test (the dot reporter above it has printed the errors), then
 * one closing line `<tier>: N passed, N failed, N skipped`.
 *
 * Usage: node scripts/test-summary.mjs <tier> <file.tap> [more.tap …] (several files: totals are summed)
 */
import { readFileSync } from 'node:fs';

const [tier = 'tests', ...files] = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: test-summary.mjs <tier> <file.tap> [more.tap …]');
  process.exit(2);
}
const file = files.join(', ');
const totals = {};
const lines = [];
for (const f of files) {
  let text;
  try {
    text = readFileSync(f, 'utf8');
  } catch {
    console.log(`${f}: missing (that tier did not run to the end)`);
    totals.fail = (totals.fail ?? 0) + 1;
    continue;
  }
  const own = text.split('\n');
  lines.push(...own);
  // The runner's own totals are the last `# key N` lines at column 0.
  for (const line of own) {
    const m = /^# (tests|pass|fail|cancelled|skipped|todo|duration_ms) ([\d.]+)$/.exec(line);
    if (m) totals[m[1]] = (totals[m[1]] ?? 0) + Number(m[2]);
  }
}

// Failing leaf tests: a `not ok` line whose YAML block says the test's own code failed.
const failures = [];
for (let i = 0; i < lines.length; i++) {
  const m = /^(\s*)not ok \d+ - (.*)$/.exec(lines[i]);
  if (!m) continue;
  const indent = m[1].length;
  const block = [];
  for (let j = i + 1; j < lines.length; j++) {
    const l = lines[j];
    if (l.trim() === '...' ) break;
    block.push(l.slice(indent + 2));
  }
  const text = block.join('\n');
  if (/failureType: 'subtestsFailed'/.test(text)) continue;
  const parents = [];
  let depth = indent;
  for (let k = i - 1; k >= 0 && depth > 0; k--) {
    const p = /^(\s*)# Subtest: (.*)$/.exec(lines[k]);
    if (p && p[1].length < depth) {
      parents.unshift(p[2]);
      depth = p[1].length;
    }
  }
  const location = /location: '([^']*)'/.exec(text)?.[1] ?? '';
  failures.push({ name: [...parents, m[2]].join(' › '), location });
}

if (failures.length > 0) console.log(`\nFailed in ${tier}:`);
for (const f of failures) console.log(`  ✗ ${f.name}${f.location ? `  (${f.location.replace(process.cwd() + '/', '')})` : ''}`);
const passed = totals.pass ?? 0;
const failed = (totals.fail ?? 0) + (totals.cancelled ?? 0);
const skipped = (totals.skipped ?? 0) + (totals.todo ?? 0);
const seconds = ((totals.duration_ms ?? 0) / 1000).toFixed(1);
console.log(`\n(${tier}: ${totals.tests ?? 0} tests in ${seconds} s; full TAP in ${file})`);
console.log(`${tier}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
