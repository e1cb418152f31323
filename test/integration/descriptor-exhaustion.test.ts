/**
 * @module test/integration/descriptor-exhaustion — the server under a low descriptor limit
 * (`ulimit -n 64`): refused connections are counted and logged, and `/metrics` — asked over a
 * keep-alive connection opened before — keeps reporting true memory even when no descriptor is left.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../harness/spawned.js';
import { waitFor } from '../harness/wait.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const API_KEY = 'fd-test-key';


/** One HTTP exchange over `agent` (a single kept-alive socket). */
function call(agent: Agent, port: number, method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: { 'X-API-Key': API_KEY, 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function metric(text: string, name: string): number {
  const m = new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} ([0-9.e+]+)$`, 'm').exec(text);
  return m?.[1] === undefined ? NaN : Number(m[1]);
}

/** Opens a TCP connection; resolves when connected (the server may still close it at once). */
function tcp(port: number, sockets: Socket[]): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    sockets.push(s);
    s.on('error', () => resolve());
    s.on('connect', () => resolve());
  });
}

void describe('file descriptor exhaustion (ulimit -n 64)', () => {
  let child: ChildProcess;
  let dir: string;
  let port: number;
  let grpcPort: number;
  const logs: string[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const sockets: Socket[] = [];

  before(async () => {
    [port, grpcPort] = [await freePort(), await freePort()];
    dir = await mkdtemp(join(tmpdir(), 'rotor-fd-'));
    const file = join(dir, 'config.json');
    await writeFile(
      file,
      JSON.stringify({
        address: '127.0.0.1',
        port,
        api_key: API_KEY,
        prometheus: true,
        log_level: 'info',
        grpc_api: true,
        grpc_api_address: '127.0.0.1',
        grpc_api_port: grpcPort,
        namespaces: [{ name: 'big', history_size: 1000, history_ttl: '600s' }],
      }),
    );
    const cmd = `ulimit -n 64 && exec "${process.execPath}" --import tsx src/main.ts serve -c "${file}"`;
    child = spawn('bash', ['-c', cmd], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: child.stdout! }).on('line', (l) => logs.push(l));
    createInterface({ input: child.stderr! }).on('line', (l) => logs.push(l));
    await waitFor(() => logs.some((l) => l.includes('serving')) || child.exitCode !== null, 30_000, 'server start', 50);
    assert.equal(child.exitCode, null, logs.join('\n'));
    // The kept-alive connection of this test, opened while descriptors are plentiful.
    assert.equal((await call(agent, port, 'GET', '/metrics')).status, 200);
  });

  after(async () => {
    for (const s of sockets) s.destroy();
    agent.destroy();
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await waitFor(() => child.exitCode !== null, 10_000, 'server exit', 50).catch(() => child.kill('SIGKILL'));
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('connections beyond the descriptor-derived cap are refused, counted and logged (rate-limited)', async () => {
    const cap = /"max_connections":(\d+)/.exec(logs.find((l) => l.includes('connection cap per listener')) ?? '')?.[1];
    assert.ok(cap !== undefined, `cap logged at start:\n${logs.join('\n')}`);
    for (let i = 0; i < Number(cap) + 10; i++) await tcp(port, sockets);
    const text = await waitFor(
      async () => {
        const t = (await call(agent, port, 'GET', '/metrics')).text;
        return metric(t, 'rotor_refused_connections_total{reason="fd_limit"}') >= 5 ? t : '';
      },
      15_000, 'refused connections counted', 50,
    );
    assert.ok(metric(text, 'rotor_refused_connections_total{reason="fd_limit"}') >= 5);
    const warnings = logs.filter((l) => l.includes('connections refused: out of file descriptors'));
    assert.equal(warnings.length, 1, 'one log line for the burst (rate-limited)');
    assert.match(warnings[0]!, /"reason":"fd_limit"/);
    assert.equal(child.exitCode, null);
    for (const s of sockets.splice(0)) s.destroy();
  });

  it('with every descriptor taken, /metrics over the kept-alive connection reports changing memory', async () => {
    // The GRPC listener has no cap: raw TCP connections to it use up the remaining descriptors.
    for (let i = 0; i < 80; i++) await tcp(grpcPort, sockets);
    // Proof of exhaustion: a fresh HTTP connection is dropped without an answer.
    await waitFor(
      async () => {
        try {
          await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
          return false;
        } catch {
          return true;
        }
      },
      10_000, 'fresh connections dropped', 50,
    );
    const before = (await call(agent, port, 'GET', '/metrics')).text;
    const rssBefore = metric(before, 'process_resident_memory_bytes');
    const heapBefore = metric(before, 'nodejs_heap_size_used_bytes');
    assert.ok(rssBefore > 0 && heapBefore > 0, before.slice(0, 500));
    // Make the server hold ~30 MB more (history of a namespace with history), over the same connection.
    const payload = JSON.stringify({ channel: 'big:1', data: { blob: 'x'.repeat(300_000) } });
    for (let i = 0; i < 100; i++) assert.equal((await call(agent, port, 'POST', '/api/publish', payload)).status, 200);
    const after = (await call(agent, port, 'GET', '/metrics')).text;
    const rssAfter = metric(after, 'process_resident_memory_bytes');
    const heapAfter = metric(after, 'nodejs_heap_size_used_bytes');
    assert.ok(rssAfter > rssBefore, `RSS ${rssBefore} → ${rssAfter}`);
    assert.notEqual(heapAfter, heapBefore);
    assert.equal(child.exitCode, null, 'the server survives');
  });
});
