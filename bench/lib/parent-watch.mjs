/**
 * @module bench/lib/parent-watch — preloaded (`node --import`) into every server the bench starts.
 *
 * - Exits when the orchestrator that started it is gone, so no server outlives a killed bench run.
 * - With `--expose-gc`, SIGUSR2 runs a full GC and prints `BENCH_MEMORY {process.memoryUsage(), young}`
 *   on stderr, so idle memory can also be read without garbage, split into heap and external, and
 *   without the young generation's growth (`young`: committed new-space bytes).
 */
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(70);
}, 500).unref();

import v8 from 'node:v8';

const gc = /** @type {any} */ (globalThis).gc;
if (typeof gc === 'function') {
  process.on('SIGUSR2', () => {
    gc();
    // The young generation's committed size: V8 grows it with the allocation rate (up to 2 × 16 MiB
    // semi-spaces), and that growth shows in RSS without being memory any client holds.
    const young = v8
      .getHeapSpaceStatistics()
      .filter((s) => s.space_name === 'new_space' || s.space_name === 'new_large_object_space')
      .reduce((n, s) => n + s.space_size, 0);
    process.stderr.write(`BENCH_MEMORY ${JSON.stringify({ ...process.memoryUsage(), young })}\n`);
  });
}
