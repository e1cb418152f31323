/**
 * @module bench/lib/parent-watch — preloaded (`node --import`) into every server the bench starts.
 *
 * - Exits when the orchestrator that started it is gone, so no server outlives a killed bench run.
 * - With `--expose-gc`, SIGUSR2 runs a full GC and prints `BENCH_MEMORY {process.memoryUsage()}` on
 *   stderr, so idle memory can also be read without garbage and split into heap and external.
 */
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(70);
}, 500).unref();

const gc = /** @type {any} */ (globalThis).gc;
if (typeof gc === 'function') {
  process.on('SIGUSR2', () => {
    gc();
    process.stderr.write(`BENCH_MEMORY ${JSON.stringify(process.memoryUsage())}\n`);
  });
}
