/**
 * @module scripts/coverage-check — reads the coverage tables node's test runner appended to the TAP
 * files of the in-process tiers (unit, core) and checks line coverage of `src/` against the floor kept
 * in test/coverage-floor.json, so coverage cannot fall unnoticed.
 *
 * For each `src/` file (test files excluded) the best line coverage any of the given tiers reached is
 * taken (a lower bound of their union: the tiers load different parts of the code), weighted by the
 * file's line count. Raise the floor when coverage rises; a drop of more than `tolerance` points below
 * it fails.
 *
 * Usage: node scripts/coverage-check.mjs <name> <file.tap> [more.tap …]
 */
import { readFileSync } from 'node:fs';

const [name, ...files] = process.argv.slice(2);
if (name === undefined || files.length === 0) {
  console.error('usage: coverage-check.mjs <name> <file.tap> [more.tap …]');
  process.exit(2);
}
const floors = JSON.parse(readFileSync(new URL('../test/coverage-floor.json', import.meta.url), 'utf8'));
const floor = floors.floors?.[name];
const tolerance = floors.tolerance ?? 0.5;

/** src file → best line % seen. */
const best = new Map();
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    console.log(`coverage (${name}): ${file} is missing`);
    process.exit(1);
  }
  let inReport = false;
  /** Directory names by depth: Node 22+ prints the table as a tree (a row per directory, files indented). */
  const dirs = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('# start of coverage report')) inReport = true;
    else if (line.startsWith('# end of coverage report')) inReport = false;
    if (!inReport) continue;
    // `# <name> | <line %> | …`: Node 20 names each file by its whole path at depth 0.
    const m = /^# ( *)(\S+)\s+\|\s+([\d.]*)\s+\|/.exec(line);
    if (m === null || m[2] === 'file') continue;
    const depth = m[1].length;
    if (m[3] === '') {
      dirs.length = depth;
      dirs.push(m[2]);
      continue;
    }
    const file = [...dirs.slice(0, depth), m[2]].join('/');
    if (!/^src\/\S+\.tsx?$/.test(file) || /\.test\.tsx?$/.test(file)) continue;
    best.set(file, Math.max(best.get(file) ?? 0, Number(m[3])));
  }
}
let covered = 0;
let total = 0;
for (const [src, pct] of best) {
  let lines;
  try {
    lines = readFileSync(src, 'utf8').split('\n').length;
  } catch {
    continue;
  }
  covered += (pct / 100) * lines;
  total += lines;
}
if (total === 0) {
  console.log(`coverage (${name}): no coverage report in ${files.join(', ')}`);
  process.exit(floor === undefined ? 0 : 1);
}
const pct = (100 * covered) / total;
const line = `coverage (${name}): ${pct.toFixed(2)} % of the lines of the ${best.size} src/ files they load${floor !== undefined ? ` (floor ${floor} %)` : ''}`;
if (floor !== undefined && pct < floor - tolerance) {
  console.log(`${line} — FELL below the floor by more than ${tolerance} points`);
  process.exit(1);
}
console.log(line);
