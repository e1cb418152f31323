/**
 * @module bench/ab — two Rotor builds side by side in one run: the `dist/` of the working tree
 * ("after") and another build ("before"), alternated per repeat (before, after / after, before, …),
 * one fresh server each. Rotor JSON, memory engine, N subscribers of one channel:
 *
 * - closed loop (16 publications per subscriber in flight): server µs per delivery, of which kernel,
 *   and pushes per frame;
 * - fixed rate (100 publications/s = 100 000 deliveries/s at N=1000): server µs per delivery, pushes per
 *   frame, server CPU %, p50 / p99 publish → delivery.
 *
 * Medians per build and the after/before ratio are printed. On a loaded machine trust the closed-loop
 * µs per delivery (compare with pushes per frame: CPU per delivery falls as batching grows) and the
 * ratios, not the milliseconds. With `--perf`, `perf record` samples the server during each closed loop
 * (files in bench/.tmp/ab-<build>-<n>.data; `perf report -i … --no-children --sort symbol`).
 *
 * Preparing "before" (any commit):
 *   git stash   # or check out the other commit
 *   npm run build && mkdir -p bench/.tmp/before && rm -rf bench/.tmp/before/dist &&
 *     cp -r dist bench/.tmp/before/ && cp package.json bench/.tmp/before/
 *   git stash pop && npm run build
 *   node bench/ab.mjs --before bench/.tmp/before/dist [--repeats 3] [--duration 3] [--perf]
 * The copy sits inside the repository so its imports resolve through the repository's node_modules.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SubscriberPool, Publisher } from './lib/load.mjs';
import { nowUs } from './lib/payload.mjs';
import { BENCH_DIR, ROOT_DIR, cpuSeconds, pinSelf, sleep, startServer, sysCpuSeconds } from './lib/procs.mjs';
import { ROTOR_CONFIG } from './lib/rotor-config.mjs';
import { percentile } from './lib/stats.mjs';

const { values: args } = parseArgs({
  options: {
    before: { type: 'string' },
    repeats: { type: 'string', default: '3' },
    duration: { type: 'string', default: '3' },
    n: { type: 'string', default: '1000' },
    perf: { type: 'boolean', default: false },
  },
});
if (!args.before) {
  process.stderr.write('usage: node bench/ab.mjs --before <dir holding a built main.js> [--repeats 3] [--duration 3] [--n 1000] [--perf]\n');
  process.exit(2);
}
pinSelf();
const N = Number(args.n);
const DUR = Number(args.duration) * 1000;
const REPEATS = Number(args.repeats);
const TMP = path.join(BENCH_DIR, '.tmp');
const BUILDS = { before: path.resolve(args.before), after: path.join(ROOT_DIR, 'dist') };

const snap = (pool, pid) => ({ cpu: cpuSeconds(pid), sys: sysCpuSeconds(pid), d: pool.deliveries(), f: pool.frames() });

/** Samples the server with `perf record` for the measured window (when --perf). */
function perfRecord(pid, file) {
  if (!args.perf) return Promise.resolve();
  const p = spawn('perf', ['record', '-F', '1999', '-o', file, '-p', String(pid), '--', 'sleep', String(Math.max(0.5, DUR / 1000 - 0.5))], { stdio: 'ignore' });
  return new Promise((resolve) => {
    p.on('exit', resolve);
    p.on('error', resolve);
  });
}

async function closedLoop(pool, pub, pid, perfFile) {
  const window = 16 * N;
  const timer = setInterval(() => {
    const can = Math.min(16, Math.floor((window - (pub.seq * N - pool.deliveries())) / N));
    if (can > 0) pub.publish(can, () => 'fan');
  }, 1);
  try {
    await sleep(1000);
    const a = snap(pool, pid);
    const perf = perfRecord(pid, perfFile);
    await sleep(DUR);
    const b = snap(pool, pid);
    await perf;
    const d = b.d - a.d;
    return { closedUs: ((b.cpu - a.cpu) * 1e6) / d, closedSysUs: ((b.sys - a.sys) * 1e6) / d, closedPushesPerFrame: d / Math.max(1, b.f - a.f) };
  } finally {
    clearInterval(timer);
  }
}

async function fixedRate(pool, pub, pid) {
  const perSec = 100;
  await pool.armLatency(Math.ceil(perSec * N * (DUR / 1000) * 1.2) + 10_000);
  const stop = pub.pace(perSec);
  try {
    await sleep(1000);
    const u0 = nowUs();
    pool.setLatencyWindow(u0, Infinity);
    const a = snap(pool, pid);
    await sleep(DUR);
    pool.setLatencyWindow(u0, nowUs());
    const b = snap(pool, pid);
    stop();
    const expected = pub.seq * N;
    for (let i = 0; i < 1200 && pool.deliveries() < expected; i++) await sleep(5);
    const { samples } = await pool.collectLatency();
    samples.sort();
    const d = b.d - a.d;
    return {
      rateUs: ((b.cpu - a.cpu) * 1e6) / d,
      ratePushesPerFrame: d / Math.max(1, b.f - a.f),
      rateCpuPct: (100 * (b.cpu - a.cpu)) / (DUR / 1000),
      p50ms: percentile(samples, 50) / 1000,
      p99ms: percentile(samples, 99) / 1000,
    };
  } finally {
    stop();
  }
}

/** @type {Record<string, Record<string, number>[]>} */
const results = { before: [], after: [] };

async function session(build, rep) {
  const server = await startServer({ kind: 'rotor', rotorConfig: ROTOR_CONFIG, tmpDir: TMP, distDir: BUILDS[build] });
  const pool = new SubscriberPool('rotor-json', server.port, 1);
  const pub = new Publisher('rotor-json', server.port);
  try {
    await pool.open({ total: N, concurrency: 500, subscribe: true, channels: { kind: 'single', channel: 'fan' }, timeoutMs: 60_000 });
    if (pool.subscribedCount() !== N) throw new Error(`only ${pool.subscribedCount()} of ${N} subscribed`);
    await pub.connect();
    const r = { ...(await closedLoop(pool, pub, server.pid, path.join(TMP, `ab-${build}-${rep}.data`))) };
    await sleep(500);
    Object.assign(r, await fixedRate(pool, pub, server.pid));
    if (pool.errorCount() > 0 || pool.errors.length > 0) throw new Error(`client errors: ${pool.errors[0] ?? pool.errorCount()}`);
    results[build].push(r);
    process.stdout.write(`${build} #${rep + 1}: ${Object.entries(r).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}\n`);
  } finally {
    pub.close();
    await pool.close();
    await server.stop();
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

for (let rep = 0; rep < REPEATS; rep++) {
  for (const build of rep % 2 ? ['after', 'before'] : ['before', 'after']) await session(build, rep);
}
process.stdout.write(`\nmedians of ${REPEATS} (N=${N}, ${DUR / 1000} s windows; load average ${(await import('node:os')).loadavg()[0].toFixed(2)})\n`);
for (const key of Object.keys(results.before[0] ?? {})) {
  const b = median(results.before.map((r) => r[key]));
  const a = median(results.after.map((r) => r[key]));
  process.stdout.write(`${key.padEnd(22)} before ${b.toFixed(3).padStart(9)}  after ${a.toFixed(3).padStart(9)}  after/before ${(a / b).toFixed(3)}\n`);
}
process.exit(0);
