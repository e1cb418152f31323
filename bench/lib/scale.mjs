/**
 * @module bench/lib/scale — the `scale` scenario (issue 15 item 4): as many connected and subscribed
 * clients as one process's descriptor limit allows (and beyond it with `--workers 2`), memory per
 * client, the time one broadcast takes to reach all of them, and a soak with one publication per second.
 *
 * The clients live in child PROCESSES (`load/scale-child.mjs`; threads would share one descriptor
 * table), each with its own source address 127.0.0.<2+k> (its own ephemeral port range), at most
 * `perChild` connections each, the connect concurrency split between them. The orchestrator talks to
 * them over IPC only at phase boundaries: a broadcast's completion is announced by each child
 * (`expect` → `reached`) with the monotonic time of its last delivery, no polling per delivery.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { BENCH_DIR, fdCount, raiseNofilePrefix, rssBytes, sleep, treePids, waitUntil } from './procs.mjs';
import { Publisher } from './load.mjs';
import { nowUs } from './payload.mjs';
import { median } from './stats.mjs';

const CHILD = path.join(BENCH_DIR, 'load', 'scale-child.mjs');

/** The client processes of one phase (a warm-up or the measured population). */
export class ScaleClients {
  /** @param {number} n @param {number} perChild */
  constructor(n, perChild) {
    this.n = n;
    const k = Math.max(1, Math.ceil(n / perChild));
    this.shares = Array.from({ length: k }, (_, i) => [Math.floor((n * i) / k), Math.floor((n * (i + 1)) / k)]);
    this.addresses = this.shares.map((_, i) => `127.0.0.${2 + (i % 250)}`);
    let nextId = 1;
    this.nextId = () => nextId++;
    /** @type {string[]} */
    this.errors = [];
    const [cmd, ...pre] = [...raiseNofilePrefix(), process.execPath];
    this.children = this.shares.map(() => {
      const c = spawn(cmd, [...pre, CHILD], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      c.on('message', (m) => {
        if (m.type === 'error' && this.errors.length < 5) this.errors.push(m.message);
      });
      c.on('exit', (code, sig) => {
        if (!this.closing && this.errors.length < 5) this.errors.push(`client process exited (${code ?? sig})`);
      });
      return c;
    });
    this.kill = () => {
      for (const c of this.children) c.kill('SIGKILL');
    };
    process.on('exit', this.kill);
  }

  /** Sends `msg` to child `i` and resolves with its first reply of `type` (rejects after `timeoutMs`). */
  #ask(i, msg, type, timeoutMs, match = () => true) {
    const c = this.children[i];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        c.off('message', on);
        reject(new Error(`client process ${i} did not answer ${msg.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      const on = (m) => {
        if (m.type !== type || !match(m)) return;
        clearTimeout(timer);
        c.off('message', on);
        resolve(m);
      };
      c.on('message', on);
      c.send(msg);
    });
  }

  /**
   * Opens every connection: connect (JWT when `secret`), subscribe to `channel`. Resolves with the
   * ramp's wall time (the slowest child, token generation excluded) and the back-off retries.
   */
  async open({ port, target, concurrency, secret, channel, timeoutMs }) {
    const per = Math.max(1, Math.ceil(concurrency / this.children.length));
    const replies = await Promise.all(
      this.shares.map(([from, to], i) =>
        this.#ask(i, { type: 'open', port, target, localAddress: this.addresses[i], from, to, concurrency: per, secret, channel }, 'opened', timeoutMs),
      ),
    );
    return { ms: Math.max(...replies.map((r) => r.ms)), retries: replies.reduce((a, r) => a + r.retries, 0) };
  }

  /** Per-child counters. */
  stats() {
    return Promise.all(this.children.map((_, i) => this.#ask(i, { type: 'stats' }, 'stats', 10_000)));
  }

  /** Summed counters. */
  async total() {
    const all = await this.stats();
    const sum = (k) => all.reduce((a, s) => a + s[k], 0);
    /** @type {Record<string, number>} */
    const dropReasons = {};
    for (const s of all) for (const [k, v] of Object.entries(s.dropReasons ?? {})) dropReasons[k] = (dropReasons[k] ?? 0) + v;
    return {
      dropReasons,
      deliveries: sum('deliveries'),
      subscribed: sum('subscribed'),
      connected: sum('connected'),
      errors: sum('errors'),
      dropped: sum('dropped'),
      live: sum('live'),
      firstError: all.find((s) => s.firstError)?.firstError ?? '',
      perChild: all,
    };
  }

  /**
   * Resolves when child i has counted `targets[i]` deliveries in total, with the latest monotonic µs
   * of a delivery over all children; `null` for a child that did not get there within `timeoutMs`.
   */
  async reach(targets, timeoutMs) {
    const id = this.nextId();
    const replies = await Promise.all(
      targets.map((d, i) => this.#ask(i, { type: 'expect', id, deliveries: d }, 'reached', timeoutMs, (m) => m.id === id).catch(() => null)),
    );
    const ok = replies.every((r) => r !== null);
    return { ok, lastUs: ok ? Math.max(...replies.map((r) => r.lastUs)) : NaN };
  }

  async close() {
    this.closing = true;
    await Promise.all(this.children.map((_, i) => this.#ask(i, { type: 'close' }, 'closed', 10_000).catch(() => {})));
    for (const c of this.children) c.disconnect?.();
    await Promise.all(this.children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    process.off('exit', this.kill);
  }
}

/** RSS summed over the server and its descendants (a primary and its workers). */
export function treeRss(pid) {
  return treePids(pid).reduce((a, p) => a + (rssBytes(p) || 0), 0);
}

/**
 * Full GC in every server process (SIGUSR2 → lib/parent-watch.mjs, which needs `--expose-gc`; cluster
 * workers inherit the primary's flags), then RSS and the summed `BENCH_MEMORY` figures.
 */
export async function treeGc(server) {
  const pids = treePids(server.pid);
  /** @type {any[]} */
  const seen = [];
  let buf = '';
  const onData = (chunk) => {
    buf += chunk.toString();
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const l of lines) {
      const m = /BENCH_MEMORY (\{.*\})/.exec(l);
      if (m) seen.push(JSON.parse(m[1]));
    }
  };
  server.proc.stdout.on('data', onData);
  server.proc.stderr.on('data', onData);
  try {
    for (const p of pids) process.kill(p, 'SIGUSR2');
    await waitUntil(() => seen.length >= pids.length, 5000);
    await sleep(300);
  } finally {
    server.proc.stdout.off('data', onData);
    server.proc.stderr.off('data', onData);
  }
  const sum = (f) => (seen.length === pids.length ? seen.reduce((a, u) => a + f(u), 0) : NaN);
  return { rss: treeRss(server.pid), young: sum((u) => u.young), js: sum((u) => u.heapUsed + u.external), heapTotal: sum((u) => u.heapTotal) };
}

/**
 * One scale session on a started server: warm-up, memory baseline, ramp of `n` (connect with a JWT +
 * subscribe to one channel), memory per client, `broadcasts` timed broadcasts, and when
 * `soakMinutes` > 0 the soak (one publication per second). `log` reports progress.
 * @param {{server: any, target: string, n: number, perChild: number, concurrency: number, secret: string,
 *   broadcasts: number, soakMinutes: number, log: (m: string) => void}} o
 */
export async function runScale(o) {
  const { server, target, n, log } = o;
  const out = {};
  // Warm-up (connect + subscribe + close) so the measured ramp runs optimised code; see `connect`.
  const warmN = Math.min(2000, Math.ceil(n / 10));
  const warm = new ScaleClients(warmN, o.perChild);
  try {
    await warm.open({ port: server.port, target, concurrency: o.concurrency, secret: o.secret, channel: 'warm', timeoutMs: 120_000 });
  } finally {
    await warm.close();
  }
  await sleep(1500);
  const rss0 = treeRss(server.pid);
  const gc0 = await treeGc(server);
  out.baseRssMB = rss0 / 1048576;

  const clients = new ScaleClients(n, o.perChild);
  const pub = new Publisher(target, server.port);
  try {
    log(`scale ${target}: ramp of ${n} over ${clients.children.length} client processes (${clients.addresses[0]}…${clients.addresses.at(-1)})`);
    const ramp = await clients.open({ port: server.port, target, concurrency: o.concurrency, secret: o.secret, channel: 'fan', timeoutMs: 600_000 });
    const after = await clients.total();
    if (clients.errors.length) throw new Error(`client processes: ${clients.errors[0]}`);
    const subscribed = after.subscribed;
    out.clients = subscribed;
    out.setupErrors = after.errors;
    out.connectRetries = ramp.retries;
    out.connectsPerSec = subscribed / (ramp.ms / 1000);
    if (subscribed === 0) throw new Error(`no client subscribed; first error: ${after.firstError}`);
    if (after.errors > 0) log(`scale ${target}: ${after.errors} setup errors, first: ${after.firstError}`);
    const pids = treePids(server.pid);
    out.serverProcesses = pids.length;
    out.fdsMain = fdCount(server.pid);
    out.fdsMaxOther = pids.length > 1 ? Math.max(...pids.filter((p) => p !== server.pid).map(fdCount)) : NaN;
    await sleep(2000);
    const rss1 = treeRss(server.pid);
    const gc1 = await treeGc(server);
    out.memKB = (rss1 - rss0) / subscribed / 1024;
    out.memKBgc = (gc1.rss - gc0.rss) / subscribed / 1024;
    out.memKBgcOld = (gc1.rss - gc0.rss - (gc1.young - gc0.young)) / subscribed / 1024;
    out.jsKBgc = (gc1.js - gc0.js) / subscribed / 1024;
    out.rssMB = gc1.rss / 1048576;
    log(`scale ${target}: ${subscribed} subscribed, ${out.connectsPerSec.toFixed(0)}/s, ${out.memKBgcOld.toFixed(2)} KB/client after GC w/o young`);

    // Broadcasts: one publication, then the time until the last of the N deliveries.
    await pub.connect();
    const shares = after.perChild.map((s) => s.subscribed);
    const base = after.perChild.map((s) => s.deliveries);
    let pubs = 0;
    const expectFor = () => shares.map((s, i) => base[i] + s * pubs);
    const times = [];
    for (let b = 0; b < o.broadcasts; b++) {
      await sleep(b === 0 ? 1000 : 500);
      const t0 = nowUs();
      pub.publish(1, () => 'fan');
      pubs++;
      const r = await clients.reach(expectFor(), 30_000);
      if (!r.ok) throw new Error(`broadcast ${b + 1}: not all ${subscribed} deliveries within 30 s`);
      times.push((r.lastUs - t0) / 1000);
    }
    out.broadcastMsMedian = median(times);
    out.broadcastMsMin = Math.min(...times);
    out.broadcastMsMax = Math.max(...times);
    log(`scale ${target}: broadcast to ${subscribed}: ${times.map((t) => t.toFixed(0)).join(' / ')} ms`);

    if (o.soakMinutes > 0) Object.assign(out, await soak({ ...o, clients, pub, expectFor, addPub: () => pubs++, subscribed }));
    if (pub.errors.length) throw new Error(`publisher: ${pub.errors[0]}`);
    return out;
  } finally {
    pub.close();
    await clients.close();
  }
}

/** One publication per second for `soakMinutes`: RSS start / end / max, deliveries missed, connections dropped. */
async function soak({ server, soakMinutes, clients, pub, expectFor, addPub, subscribed, log }) {
  const gcStart = await treeGc(server);
  const rssStart = treeRss(server.pid);
  let rssMax = rssStart;
  const durMs = soakMinutes * 60_000;
  const t0 = performance.now();
  let sent = 0;
  let lastLog = t0;
  const loads = [os.loadavg()[0]];
  log(`scale soak: ${soakMinutes} min, one publication per second to ${subscribed} clients`);
  while (performance.now() - t0 < durMs) {
    pub.publish(1, () => 'fan');
    addPub();
    sent++;
    rssMax = Math.max(rssMax, treeRss(server.pid));
    if (performance.now() - lastLog >= 60_000) {
      lastLog = performance.now();
      loads.push(os.loadavg()[0]);
      const s = await clients.total();
      log(`scale soak: ${sent} publications, RSS ${(treeRss(server.pid) / 1048576).toFixed(1)} MB, ${s.live} live, ${s.dropped} dropped ${JSON.stringify(s.dropReasons)}`);
    }
    // The next publication is due at t0 + sent seconds.
    await sleep(Math.max(0, t0 + sent * 1000 - performance.now()));
  }
  const drained = await clients.reach(expectFor(), 15_000);
  const s = await clients.total();
  const expected = expectFor().reduce((a, x) => a + x, 0);
  const rssEnd = treeRss(server.pid);
  const gcEnd = await treeGc(server);
  return {
    soakPublications: sent,
    soakLoadMedian: median(loads),
    soakLoadMax: Math.max(...loads),
    soakDrained: drained.ok ? 1 : 0,
    soakMissed: Math.max(0, expected - s.deliveries),
    soakDropped: s.dropped,
    /** Not a metric: why they dropped (close code + reason → count); run.mjs moves it to the notes. */
    dropReasons: s.dropReasons,
    soakErrors: s.errors,
    soakLive: s.live,
    soakRssStartMB: rssStart / 1048576,
    soakRssEndMB: rssEnd / 1048576,
    soakRssMaxMB: Math.max(rssMax, rssEnd) / 1048576,
    soakRssGrowthMB: (rssEnd - rssStart) / 1048576,
    soakGcStartMB: gcStart.rss / 1048576,
    soakGcEndMB: gcEnd.rss / 1048576,
    soakGcGrowthMB: (gcEnd.rss - gcStart.rss) / 1048576,
    soakJsGrowthMB: (gcEnd.js - gcStart.js) / 1048576,
    soakHeapTotalGrowthMB: (gcEnd.heapTotal - gcStart.heapTotal) / 1048576,
    soakYoungGrowthMB: (gcEnd.young - gcStart.young) / 1048576,
  };
}
