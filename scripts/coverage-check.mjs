/**
 * @module scripts/coverage-check — reads the coverage table node's test runner appended to a tier's
 * TAP file and checks the source files' line coverage against the floor kept in
 * test/coverage-floor.json, so coverage cannot fall unnoticed.
 *
 * The figure is line coverage summed over `src/` files (test files excluded), weighted by each file's
 * line count: the runner reports per-file percentages, and the line counts come from the files.
 * Raise the floor in test/coverage-floor.json when coverage rises; a drop of more than
 * `tolerance` points below it fails.
 *
 * Usage: node scripts/coverage-check.mjs <tier> <file.tap>
 */
import { readFileSync } from 'node:fs';

const [tier, file] = process.argv.slice(2);
if (tier === undefined || file === undefined) {
  console.error('usage: coverage-check.mjs <tier> <file.tap>');
  process.exit(2);
}
const floors = JSON.parse(readFileSync(new URL('../test/coverage-floor.json', import.meta.url), 'utf8'));
const floor = floors.tiers?.[tier];
const tolerance = floors.tolerance ?? 0.5;

let covered = 0;
let total = 0;
let files = 0;
let inReport = false;
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (line.startsWith('# start of coverage report')) inReport = true;
  else if (line.startsWith('# end of coverage report')) inReport = false;
  if (!inReport) continue;
  const m = /^# (src\/\S+\.ts)\s+\|\s+([\d.]+)\s+\|/.exec(line);
  if (m === null || m[1].endsWith('.test.ts')) continue;
  let lines;
  try {
    lines = readFileSync(m[1], 'utf8').split('\n').length;
  } catch {
    continue;
  }
  covered += (Number(m[2]) / 100) * lines;
  total += lines;
  files++;
}
if (files === 0) {
  console.log(`coverage (${tier}): no coverage report in ${file}`);
  process.exit(floor === undefined ? 0 : 1);
}
const pct = (100 * covered) / total;
const line = `coverage (${tier}): ${pct.toFixed(2)} % of the lines of the ${files} src/ files it loads${floor !== undefined ? ` (floor ${floor} %)` : ''}`;
if (floor !== undefined && pct < floor - tolerance) {
  console.log(`${line} — FELL below the floor by more than ${tolerance} points`);
  process.exit(1);
}
console.log(line);
