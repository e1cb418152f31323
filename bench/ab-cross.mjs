/**
 * @module bench/ab-cross — the `cross` topology (publish on node A → one redis-server → deliver on node
 * B, all three pinned to core 0, clients on core 1) for two Rotor builds side by side in one run: the
 * `dist/` of the working tree ("after") and another build ("before"), alternated per repeat, fresh
 * redis-server and nodes each time. Rotor JSON, N subscribers of one channel on node B, one publisher on
 * node A. With `--memory`, a single node on the memory engine (the "after" build) runs in each repeat
 * too, as the one-node reference of the issue-15 ratio.
 *
 * Two phases per session, both measured after a warm-up long enough for node A's JIT to settle
 * (`--warmup`, default 3 s; the `cross` scenario of run.mjs includes its warm-up in node A's figure):
 *
 * - closed loop (16 publications per subscriber in flight, bursts of up to 16 publish commands per
 *   write): node A CPU µs per publication (of which kernel) and context switches per publication,
 *   redis-server µs per publication, node B µs per delivery (of which kernel), pushes per frame,
 *   node-B deliveries per core-second;
 * - fixed rate (`--rate` publications/s, default 100 = 100 000 deliveries/s at N=1000): the same CPU
 *   figures, node B pushes per frame, p50 / p99 publish → delivery.
 *
 * Medians per build and the after/before ratio are printed. With `--perf`, `perf record -g` samples node
 * A during each closed loop (bench/.tmp/abx-<build>-<n>.data; node A runs with
 * `--perf-basic-prof-only-functions` so JS frames have names). `--profile-a DIR`: node A runs under
 * `--cpu-prof` (whole life, warm-up included) and writes its profile into DIR.
 *
 * Preparing "before": see bench/ab.mjs (copy a built `dist` and package.json into bench/.tmp/before).
 *   flock /work/bench.lock node bench/ab-cross.mjs --before bench/.tmp/before/dist [--repeats 3]
 *     [--duration 4] [--warmup 3] [--n 1000] [--rate 100] [--runtime /path/to/node] [--memory] [--perf] [--profile-a DIR]
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SubscriberPool, Publisher } from './lib/load.mjs';
import { nowUs } from './lib/payload.mjs';
import { BENCH_DIR, ROOT_DIR, cpuSeconds, pinSelf, sleep, startRedisServer, startServer, sysCpuSeconds, useServerRuntime, waitUntil } from './lib/procs.mjs';
import { ROTOR_CONFIG } from './lib/rotor-config.mjs';
import { median, percentile } from './lib/stats.mjs';

const { values: args } = parseArgs({
  options: {
    before: { type: 'string' },
    repeats: { type: 'string', default: '3' },
    duration: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '3' },
    n: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '100' },
    runtime: { type: 'string' },
    memory: { type: 'boolean', default: false },
    perf: { type: 'boolean', default: false },
    'profile-a': { type: 'string' },
  },
});
if (!args.before) {
  process.stderr.write(
    'usage: node bench/ab-cross.mjs --before <dir holding a built main.js> [--repeats 3] [--duration 4] [--warmup 3] [--n 1000] [--rate 100] [--runtime NODE] [--memory] [--perf]\n',
  );
  process.exit(2);
}
pinSelf();
if (args.runtime) useServerRuntime(path.resolve(args.runtime));
const N = Number(args.n);
const DUR = Number(args.duration) * 1000;
const WARM = Number(args.warmup) * 1000;
const RATE = Number(args.rate);
const REPEATS = Number(args.repeats);
const TMP = path.join(BENCH_DIR, '.tmp');
fs.mkdirSync(TMP, { recursive: true });
const BUILDS = { before: path.resolve(args.before), after: path.join(ROOT_DIR, 'dist') };

/** Voluntary + involuntary context switches of a process (all threads). */
function ctxSwitches(pid) {
  let total = 0;
  for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
    const s = fs.readFileSync(`/proc/${pid}/task/${t}/status`, 'latin1');
    for (const m of s.matchAll(/(?:non)?voluntary_ctxt_switches:\s+(\d+)/g)) total += Number(m[1]);
  }
  return total;
}

/** Everything measured at one instant. */
function snap(pool, pub, b, a, redisPid) {
  return {
    t: performance.now(),
    d: pool.deliveries(),
    f: pool.frames(),
    seq: pub.seq,
    b: cpuSeconds(b.pid),
    bSys: sysCpuSeconds(b.pid),
    a: a ? cpuSeconds(a.pid) : 0,
    aSys: a ? sysCpuSeconds(a.pid) : 0,
    aCs: a ? ctxSwitches(a.pid) : 0,
    r: redisPid ? cpuSeconds(redisPid) : 0,
  };
}

/** Figures between two snapshots. */
function figures(x, y) {
  const d = y.d - x.d;
  const pubs = Math.max(1, y.seq - x.seq);
  const bCpu = y.b - x.b;
  return {
    nodeAUsPerPub: ((y.a - x.a) * 1e6) / pubs,
    nodeASysUsPerPub: ((y.aSys - x.aSys) * 1e6) / pubs,
    nodeACtxPerPub: (y.aCs - x.aCs) / pubs,
    redisUsPerPub: ((y.r - x.r) * 1e6) / pubs,
    nodeBUsPerDelivery: (bCpu * 1e6) / d,
    nodeBSysUsPerDelivery: ((y.bSys - x.bSys) * 1e6) / d,
    perCoreSec: d / bCpu,
    pushesPerFrame: d / Math.max(1, y.f - x.f),
    pubsPerSec: pubs / ((y.t - x.t) / 1000),
  };
}

/** Samples node A with `perf record -g` for `seconds` (when --perf). */
function perfRecord(pid, file, seconds) {
  if (!args.perf || pid === undefined) return Promise.resolve();
  const p = spawn('perf', ['record', '-g', '-F', '999', '-o', file, '-p', String(pid), '--', 'sleep', String(seconds)], { stdio: 'ignore' });
  return new Promise((resolve) => {
    p.on('exit', resolve);
    p.on('error', resolve);
  });
}

async function closedLoop(ctx, perfFile) {
  const { pool, pub } = ctx;
  const window = 16 * N;
  const timer = setInterval(() => {
    const can = Math.min(16, Math.floor((window - (pub.seq * N - pool.deliveries())) / N));
    if (can > 0) pub.publish(can, () => 'fan');
  }, 1);
  try {
    await sleep(WARM);
    const x = ctx.snap();
    const perf = perfRecord(ctx.a?.pid, perfFile, Math.max(0.5, DUR / 1000 - 0.5));
    await sleep(DUR);
    const y = ctx.snap();
    await perf;
    clearInterval(timer);
    if (!(await waitUntil(() => pool.deliveries() >= pub.seq * N, 10_000))) throw new Error('closed loop: not drained');
    return figures(x, y);
  } finally {
    clearInterval(timer);
  }
}

async function fixedRate(ctx) {
  const { pool, pub } = ctx;
  await pool.armLatency(Math.ceil(RATE * N * ((WARM + DUR) / 1000) * 1.2) + 10_000);
  const stop = pub.pace(RATE);
  try {
    await sleep(Math.min(WARM, 1000));
    const u0 = nowUs();
    pool.setLatencyWindow(u0, Infinity);
    const x = ctx.snap();
    await sleep(DUR);
    pool.setLatencyWindow(u0, nowUs());
    const y = ctx.snap();
    stop();
    await waitUntil(() => pool.deliveries() >= pub.seq * N, 6000);
    const { samples } = await pool.collectLatency();
    samples.sort((p, q) => p - q);
    const f = figures(x, y);
    const out = {};
    for (const [k, v] of Object.entries(f)) out[`rate_${k}`] = v;
    out.rate_p50ms = percentile(samples, 50) / 1000;
    out.rate_p99ms = percentile(samples, 99) / 1000;
    return out;
  } finally {
    stop();
  }
}

/** @type {Record<string, Record<string, number>[]>} */
const results = { before: [], after: [], memory: [] };

async function session(build, rep) {
  let redis;
  let cfg = ROTOR_CONFIG;
  if (build !== 'memory') {
    let port;
    ({ proc: redis, port } = await startRedisServer());
    cfg = { ...ROTOR_CONFIG, engine: 'redis', redis_address: `127.0.0.1:${port}`, redis_prefix: `abx${Date.now()}` };
  }
  const distDir = BUILDS[build] ?? BUILDS.after;
  const servers = [];
  try {
    const nodeArgs = [...(args.perf ? ['--perf-basic-prof-only-functions'] : []), ...(args['profile-a'] ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(args['profile-a'])] : [])];
    const a = redis ? await startServer({ kind: 'rotor', rotorConfig: cfg, tmpDir: TMP, distDir, nodeArgs }) : undefined;
    if (a) servers.push(a);
    const b = await startServer({ kind: 'rotor', rotorConfig: cfg, tmpDir: TMP, distDir });
    servers.push(b);
    const pool = new SubscriberPool('rotor-json', b.port, 1);
    const pub = new Publisher('rotor-json', (a ?? b).port);
    try {
      await pool.open({ total: N, concurrency: 500, subscribe: true, channels: { kind: 'single', channel: 'fan' }, timeoutMs: 60_000 });
      if (pool.subscribedCount() !== N) throw new Error(`only ${pool.subscribedCount()} of ${N} subscribed`);
      await pub.connect();
      await sleep(500); // node B's Redis SUBSCRIBE for the channel
      const ctx = { pool, pub, a, snap: () => snap(pool, pub, b, a, redis?.pid) };
      const r = { ...(await closedLoop(ctx, path.join(TMP, `abx-${build}-${rep}.data`))) };
      await sleep(300);
      Object.assign(r, await fixedRate(ctx));
      if (pub.errors.length) throw new Error(`publisher: ${pub.errors[0]}`);
      if (pool.errorCount() > 0 || pool.errors.length > 0) throw new Error(`client errors: ${pool.errors[0] ?? pool.errorCount()}`);
      results[build].push(r);
      process.stdout.write(`${build} #${rep + 1}: ${Object.entries(r).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}\n`);
    } finally {
      pub.close();
      await pool.close();
    }
  } finally {
    for (const s of servers) await s.stop(args['profile-a'] ? 30_000 : 3000);
    redis?.kill('SIGKILL');
  }
}

for (let rep = 0; rep < REPEATS; rep++) {
  const order = rep % 2 ? ['after', 'before'] : ['before', 'after'];
  if (args.memory) order.splice(rep % 3, 0, 'memory');
  for (const build of order) await session(build, rep);
}
const runtime = args.runtime ? execFileSync(path.resolve(args.runtime), ['-v'], { encoding: 'utf8' }).trim() : process.version;
process.stdout.write(`\nmedians of ${REPEATS} (servers on Node ${runtime}, N=${N}, ${WARM / 1000} s warm-up, ${DUR / 1000} s windows, ${RATE} publications/s fixed; load average ${os.loadavg()[0].toFixed(2)})\n`);
const ref = results.memory.length ? median(results.memory.map((r) => r.perCoreSec)) : NaN;
for (const key of Object.keys(results.before[0] ?? {})) {
  const b = median(results.before.map((r) => r[key]));
  const a = median(results.after.map((r) => r[key]));
  const m = results.memory.length ? `  memory ${median(results.memory.map((r) => r[key])).toFixed(3).padStart(9)}` : '';
  process.stdout.write(`${key.padEnd(26)} before ${b.toFixed(3).padStart(10)}  after ${a.toFixed(3).padStart(10)}  after/before ${(a / b).toFixed(3)}${m}\n`);
}
if (Number.isFinite(ref)) {
  const b = median(results.before.map((r) => r.perCoreSec));
  const a = median(results.after.map((r) => r.perCoreSec));
  process.stdout.write(`node-B deliveries per core-s / one node (memory): before ${(b / ref).toFixed(3)}, after ${(a / ref).toFixed(3)}\n`);
}
process.exit(0);
