#!/usr/bin/env node
/**
 * @module bench/lib/summarise-profile — prints the top self-time functions and files of a
 * `.cpuprofile` (e.g. one written under BENCH_PROFILE_DIR): `node lib/summarise-profile.mjs FILE [TOP]`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { summariseProfile } from './cpuprofile.mjs';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node lib/summarise-profile.mjs FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const s = summariseProfile(file, root, Number(process.argv[3] ?? 30));
process.stdout.write(`${s.busyMs.toFixed(0)} ms busy of ${s.totalMs.toFixed(0)} ms sampled\n\n`);
for (const f of s.functions) process.stdout.write(`${f.ms.toFixed(0).padStart(7)} ms ${f.pctBusy.toFixed(1).padStart(5)} %  ${f.key}\n`);
process.stdout.write('\n');
for (const f of s.files) process.stdout.write(`${f.ms.toFixed(0).padStart(7)} ms ${f.pctBusy.toFixed(1).padStart(5)} %  ${f.key}\n`);
