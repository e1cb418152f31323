/**
 * @module bench/lib/procs — starting the servers under test (pinned to core 0), reading their CPU
 * time and memory from /proc, and making sure none survives the bench.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const BENCH_DIR = path.resolve(HERE, '..');
export const ROOT_DIR = path.resolve(BENCH_DIR, '..');
const WATCH = path.join(HERE, 'parent-watch.mjs');
const CLK_TCK = 100; // USER_HZ; checked in machineInfo()

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();

function killAll() {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

/** The Node binary the servers run under (`--runtime`); the bench's own (load generator) by default. */
let serverNode = process.execPath;

/** Makes the servers started from now on run under `nodeBinary`. */
export function useServerRuntime(nodeBinary) {
  serverNode = nodeBinary;
}

export const CORES = os.cpus().length;
export const PINNED = CORES >= 2;

/** Pins this process (all its threads, and threads created later) to the client core. */
export function pinSelf() {
  if (!PINNED) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** utime+stime of a process in seconds (all its threads). */
export function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** One scan of /proc: pid → {ppid, cpu seconds}. */
function procTable() {
  const table = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(d), { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / CLK_TCK });
    } catch {
      // exited while scanning
    }
  }
  return table;
}

/** Pids of `pid` and its live descendants in a procTable(). */
function descendants(table, pid) {
  const out = [];
  for (const p of table.keys()) {
    for (let q = p, hops = 0; q > 1 && hops < 64; q = table.get(q)?.ppid ?? 0, hops++) {
      if (q === pid) {
        out.push(p);
        break;
      }
    }
  }
  return out;
}

/**
 * utime+stime of a process and all its live descendants (a `--workers N` primary and its workers), in
 * seconds: one scan of /proc per call.
 */
export function treeCpuSeconds(pid) {
  const table = procTable();
  return descendants(table, pid).reduce((a, p) => a + (table.get(p)?.cpu ?? 0), 0);
}

/** Pids of a process and all its live descendants (a `--workers N` primary and its workers). */
export function treePids(pid) {
  return descendants(procTable(), pid);
}

/** Open descriptors of a process (entries of /proc/<pid>/fd; NaN when unreadable). */
export function fdCount(pid) {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return NaN;
  }
}

/**
 * This process's RLIMIT_NOFILE `{soft, hard}` (from /proc/self/limits). Children inherit it; where
 * soft < hard, `startServer({raiseNofile: true})` and the scale children raise it to hard (`prlimit`).
 */
export function nofileLimits() {
  const m = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(fs.readFileSync('/proc/self/limits', 'latin1'));
  const v = (x) => (x === undefined || x === 'unlimited' ? Infinity : Number(x));
  return { soft: v(m?.[1]), hard: v(m?.[2]) };
}

/** Argv prefix that runs a command with the soft descriptor limit raised to the hard one (empty when equal). */
export function raiseNofilePrefix() {
  const { soft, hard } = nofileLimits();
  if (!(soft < hard) || !Number.isFinite(hard)) return [];
  return ['prlimit', `--nofile=${hard}:${hard}`, '--'];
}

/**
 * Established TCP connections to local `port` held by each child process of `pid` (the workers of a
 * `--workers N` primary): how evenly the kernel or the primary spread the clients. Reads
 * /proc/net/tcp and each child's fd table; IPv4 loopback only, as the bench connects to 127.0.0.1.
 * @returns {number[]} one count per child, largest first
 */
export function connectionsPerChild(pid, port) {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set();
  for (const line of fs.readFileSync('/proc/net/tcp', 'latin1').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // f[1] local address:port, f[3] state (01 = ESTABLISHED), f[9] inode
    if (f.length > 9 && f[1].endsWith(`:${hexPort}`) && f[3] === '01') inodes.add(f[9]);
  }
  const counts = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'latin1');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== pid) continue;
      let n = 0;
      for (const fd of fs.readdirSync(`/proc/${d}/fd`)) {
        const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${d}/fd/${fd}`));
        if (m && inodes.has(m[1])) n++;
      }
      counts.push(n);
    } catch {
      // exited while scanning
    }
  }
  return counts.sort((a, b) => b - a);
}

/** stime alone (kernel time: syscalls, and on loopback the receiving side's TCP work too). */
export function sysCpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[12]) / CLK_TCK;
}

/** VmRSS in bytes. */
export function rssBytes(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

/** This process's CPU seconds (main thread and workers). */
export function selfCpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * Starts a server pinned to core 0 (or `core`, or the cores of `cpuList`) and resolves when it has told its port.
 * `raiseNofile`: soft descriptor limit raised to the hard one first (`prlimit`), for the `scale` scenario.
 * @param {{kind: string, rotorConfig?: object, nodeArgs?: string[], tmpDir: string, timeoutMs?: number, core?: number, cpuList?: string, raiseNofile?: boolean}} opts
 * @returns {Promise<{kind: string, pid: number, port: number, proc: import('node:child_process').ChildProcess, stop: () => Promise<void>, log: () => string}>}
 */
export function startServer(opts) {
  const nodeArgs = ['--import', WATCH, ...(opts.nodeArgs ?? [])];
  // Ad-hoc profiling of any scenario: BENCH_PROFILE_DIR=dir runs every server under --cpu-prof.
  const profileDir = process.env.BENCH_PROFILE_DIR;
  if (profileDir && !nodeArgs.includes('--cpu-prof')) nodeArgs.push('--cpu-prof', '--cpu-prof-dir', profileDir);
  let script;
  let args = [];
  let portRe;
  /** @type {string|null} */
  let cfgFile = null;
  if (opts.kind === 'rotor') {
    const cfg = path.join(opts.tmpDir, `rotor-${process.pid}-${Date.now()}.json`);
    fs.writeFileSync(cfg, JSON.stringify(opts.rotorConfig));
    cfgFile = cfg;
    script = path.join(opts.distDir ?? path.join(ROOT_DIR, 'dist'), 'main.js');
    args = ['serve', '-c', cfg];
    portRe = /serving .*websocket.* endpoints on .*:(\d+)/;
  } else {
    const file = { 'ws-plain': 'ws-server.mjs', 'ws-corked': 'ws-server.mjs', socketio: 'socketio-server.mjs', 'http-bare': 'http-bare.mjs', 'proxy-backend': 'proxy-backend.mjs' }[
      opts.kind
    ];
    if (!file) throw new Error(`unknown server kind ${opts.kind}`);
    script = path.join(BENCH_DIR, 'servers', file);
    if (opts.kind === 'ws-plain') args = ['plain'];
    if (opts.kind === 'ws-corked') args = ['corked'];
    portRe = /LISTENING (\d+)/;
  }
  const cpus = opts.cpuList ?? String(opts.core ?? 0);
  const full = [...(opts.raiseNofile ? raiseNofilePrefix() : []), ...(PINNED ? ['taskset', '-c', cpus] : []), serverNode, ...nodeArgs, script, ...args];
  const [cmd, ...argv] = full;
  const proc = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.tmpDir });
  children.add(proc);
  let out = '';
  const keep = (chunk) => {
    out += chunk.toString();
    if (out.length > 64_000) out = out.slice(-32_000);
  };
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => fail(new Error(`${opts.kind} did not report its port in time:\n${out}`)), opts.timeoutMs ?? 15_000);
    const fail = (err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      proc.kill('SIGKILL');
      if (cfgFile) fs.rmSync(cfgFile, { force: true });
      reject(err);
    };
    const onChunk = (chunk) => {
      keep(chunk);
      if (done) return;
      const m = portRe.exec(out);
      if (!m) return;
      done = true;
      clearTimeout(timer);
      const exited = new Promise((r) => proc.once('exit', r));
      resolve({
        kind: opts.kind,
        pid: /** @type {number} */ (proc.pid),
        port: Number(m[1]),
        proc,
        log: () => out,
        /** The last match of `re` (global flag required) in the recent output. */
        lastMatch: (re) => {
          let last = null;
          for (const m of out.matchAll(re)) last = m;
          return last;
        },
        /** SIGTERM, SIGKILL after a grace period. */
        stop: async (graceMs = profileDir ? 30_000 : 3000) => {
          if (proc.exitCode === null && proc.signalCode === null) {
            proc.kill('SIGTERM');
            const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
            await exited;
            clearTimeout(t);
          }
          children.delete(proc);
          if (cfgFile) fs.rmSync(cfgFile, { force: true });
        },
      });
    };
    proc.stdout.on('data', onChunk);
    proc.stderr.on('data', onChunk);
    proc.once('exit', (code, sig) => fail(new Error(`${opts.kind} exited early (${code ?? sig}):\n${out}`)));
  });
}

/** Resolves after `ms`. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every 5 ms until true or `timeoutMs`; resolves with whether it became true. */
export async function waitUntil(cond, timeoutMs) {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (cond()) return true;
    await sleep(5);
  }
  return cond();
}

/**
 * A throw-away redis-server on a free loopback port, pinned to `cpuList` (the bench puts it on the
 * servers' core 0: the whole cluster on one core, clients on the other), no persistence. Resolves
 * once it answers PING; `kill()` it when done.
 * @returns {Promise<{ proc: import('node:child_process').ChildProcess, port: number }>}
 */
export async function startRedisServer(cpuList = '0') {
  const port = await freePort();
  const proc = spawn('taskset', ['-c', cpuList, 'redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  const up = await waitUntil(() => {
    try {
      execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'pipe' });
      return true;
    } catch {
      return false;
    }
  }, 5000);
  if (!up) {
    proc.kill('SIGKILL');
    throw new Error('redis-server did not start');
  }
  return { proc, port };
}

/** A free loopback TCP port (for servers that need a fixed port, e.g. `--workers` with SO_REUSEPORT). */
export async function freePort() {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}
