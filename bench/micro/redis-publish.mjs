/**
 * @module bench/micro/redis-publish — the CPU a Node process spends per Redis PUBLISH (120-byte payload)
 * through three ways of issuing commands, against a real redis-server on the same core (as node A in the
 * `cross` scenario): ioredis' auto-pipelining (a `Pipeline` per turn), ioredis' plain path (one socket
 * write per command) and Rotor's `TurnBatchedRedis` (plain path, the socket corked for the turn; from the
 * built `dist/`, run `npm run build` in the repository root first). Every millisecond `k` publishes are
 * issued in one turn and awaited; CPU (user + kernel) per publish over a window after a warm-up, each
 * mode in a fresh child process, modes alternated per round; medians printed.
 *
 *   node bench/micro/redis-publish.mjs [k=1,2,16] [rounds=3]
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(HERE), '..', '..');
const WARM_MS = 2000;
const WINDOW_MS = 4000;
const MODES = ['auto-pipelining', 'plain', 'turn-batched'];

async function child(mode, port, k) {
  const { Redis } = await import('ioredis');
  const { TurnBatchedRedis } = await import(path.join(ROOT, 'dist/engines/redis/turn-batched-redis.js'));
  const Client = mode === 'turn-batched' ? TurnBatchedRedis : Redis;
  const client = new Client({ host: '127.0.0.1', port, enableAutoPipelining: mode === 'auto-pipelining', commandTimeout: 4000, disableClientInfo: true });
  await client.ping();
  const payload = Buffer.alloc(120, 7);
  let done = 0;
  const onReply = () => done++;
  const timer = setInterval(() => {
    for (let i = 0; i < k; i++) client.publish('bench.client.fan', payload).then(onReply);
  }, 1);
  await new Promise((r) => setTimeout(r, WARM_MS));
  const c0 = process.cpuUsage();
  const d0 = done;
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  const c = process.cpuUsage(c0);
  const n = done - d0;
  clearInterval(timer);
  client.disconnect();
  process.stdout.write(JSON.stringify({ us: (c.user + c.system) / n, userUs: c.user / n, sysUs: c.system / n, perSec: n / (WINDOW_MS / 1000) }));
  process.exit(0);
}

function runChild(mode, port, k) {
  return new Promise((resolve, reject) => {
    const p = spawn('taskset', ['-c', '0', process.execPath, HERE, '--child', mode, String(port), String(k)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${mode} child exited ${code}`))));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

if (process.argv[2] === '--child') {
  await child(process.argv[3], Number(process.argv[4]), Number(process.argv[5]));
} else {
  const ks = (process.argv[2] ?? '1,2,16').split(',').map(Number);
  const rounds = Number(process.argv[3] ?? 3);
  const { startRedisServer } = await import('../lib/procs.mjs');
  const { proc: redis, port } = await startRedisServer();
  try {
    process.stdout.write(`CPU µs per PUBLISH (user+kernel; user / kernel), ${process.version}, medians of ${rounds} rounds\n`);
    for (const k of ks) {
      const results = Object.fromEntries(MODES.map((m) => [m, []]));
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 ? [...MODES].reverse() : MODES;
        for (const m of order) results[m].push(await runChild(m, port, k));
      }
      for (const m of MODES) {
        const rs = results[m];
        process.stdout.write(
          `k=${String(k).padStart(2)} ${m.padEnd(16)} ${median(rs.map((x) => x.us)).toFixed(2).padStart(7)} µs  (${median(rs.map((x) => x.userUs)).toFixed(2)} / ${median(rs.map((x) => x.sysUs)).toFixed(2)})  ${median(rs.map((x) => x.perSec)).toFixed(0)} publishes/s\n`,
        );
      }
    }
  } finally {
    redis.kill('SIGKILL');
  }
}
