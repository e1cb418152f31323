/**
 * End-to-end accept gate of `rotor serve --workers 2` (issue 15): the built server under
 * `prlimit --nofile` so low that one worker cannot hold every client. A worker near its descriptor
 * limit stops accepting and the other takes the new connections; when both are full the extra
 * connections fail cleanly and the held ones keep working. Real sockets, raw WebSocket clients
 * speaking the JSON protocol, the server API on the internal port (which the gate never pauses).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { probeReusePort } from '../../src/app/reuse-port.js';
import { spawnServer, type ServerProcess } from '../harness/process.js';
import { RawClient } from '../harness/raw-client.js';
import { TEST_API_KEY } from '../harness/server.js';
import { freePort } from '../harness/spawned.js';
import { connectToken } from '../harness/tokens.js';
import { waitFor } from '../harness/wait.js';

/** Descriptor limit of the server processes: a worker's gate then pauses at some tens of connections. */
const NOFILE = 120;
const CHANNEL = 'news';

interface Group {
  server: ServerProcess;
  apiPort: number;
  /** Connections at which a worker pauses (from its start-up log). */
  cap: number;
  low: number;
}

async function startGroup(): Promise<Group> {
  const [port, apiPort] = [await freePort(), await freePort()];
  const server = await spawnServer(
    { workers: 2, port, internal_port: apiPort, allow_subscribe_for_client: true, name: 'acc' },
    30_000,
    { NODE_CLUSTER_SCHED_POLICY: undefined },
    ['prlimit', `--nofile=${NOFILE}:${NOFILE}`, '--'],
  );
  await waitFor(() => server.logs.some((l) => l.includes('all workers serving')), 30_000, 'both workers serving', 50);
  const gates = server.logs.filter((l) => l.includes('worker accept gate')).map((l) => JSON.parse(l) as { pause_at_connections: number; resume_at_connections: number });
  assert.equal(gates.length, 2, 'each worker logs its accept gate');
  return {
    server,
    apiPort,
    cap: Math.min(...gates.map((g) => g.pause_at_connections)),
    low: Math.min(...gates.map((g) => g.resume_at_connections)),
  };
}

async function api<T>(g: Group, method: string, body: unknown): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${g.apiPort}/api/${method}`, { method: 'POST', headers: { 'X-API-Key': TEST_API_KEY }, body: JSON.stringify(body) });
  const reply = (await res.json()) as { result?: T; error?: unknown };
  if (reply.error !== undefined) throw new Error(`${method} failed: ${JSON.stringify(reply.error)}`);
  return reply.result as T;
}

/** Clients connected per worker node, once `info` (refreshed by node heartbeats) counts `total` on two nodes. */
async function perWorker(g: Group, total: number): Promise<number[]> {
  let counts: number[] = [];
  await waitFor(
    async () => {
      const { nodes } = await api<{ nodes: Array<{ name: string; num_clients?: number }> }>(g, 'info', {});
      counts = nodes.sort((a, b) => a.name.localeCompare(b.name)).map((n) => n.num_clients ?? 0);
      return counts.length === 2 && counts[0]! + counts[1]! === total;
    },
    30_000,
    `info counts ${total} clients on two workers`,
    200,
  ).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; last: ${counts.join('+')}`, { cause: err });
  });
  return counts;
}

/** Opens a client, connects and subscribes to CHANNEL; rejects when the server does not take it. */
async function connectClient(g: Group, i: number): Promise<RawClient> {
  const c = await RawClient.open(g.server.wsUrl, { timeoutMs: 5000 });
  try {
    const reply = await c.connect({ token: await connectToken(`u${i}`) }, 5000);
    if (reply['connect'] === undefined) throw new Error(`no connect result: ${JSON.stringify(reply)}`);
    const sub = await c.call('subscribe', { channel: CHANNEL }, 5000);
    if (sub['error'] !== undefined) throw new Error(`subscribe failed: ${JSON.stringify(sub)}`);
    return c;
  } catch (err) {
    c.ws.terminate();
    throw err;
  }
}

/** Connects `n` clients one after another; returns those the server took and how many failed. */
async function connectSequentially(g: Group, n: number, from = 0): Promise<{ held: RawClient[]; failed: number }> {
  const held: RawClient[] = [];
  let failed = 0;
  for (let i = from; i < from + n; i++) {
    try {
      held.push(await connectClient(g, i));
    } catch {
      failed++;
    }
  }
  return { held, failed };
}

function logCount(g: Group, text: string): number {
  return g.server.logs.filter((l) => l.includes(text)).length;
}

describe('rotor serve --workers 2: a worker near its descriptor limit stops accepting', { timeout: 180_000 }, () => {
  const groups: Group[] = [];
  const clients: RawClient[] = [];

  after(async () => {
    for (const c of clients) c.ws.terminate();
    for (const g of groups) assert.equal(await g.server.stop(), 0, 'the group exits 0');
  });

  it('more clients than one worker can hold but fewer than both: every client connects, both workers hold clients', async () => {
    const g = await startGroup();
    groups.push(g);
    assert.ok(g.cap > 20 && g.cap < NOFILE, `gate mark ${g.cap} below the descriptor limit ${NOFILE}`);
    const total = Math.floor(g.cap * 1.6);
    const { held, failed } = await connectSequentially(g, total);
    clients.push(...held);
    assert.equal(failed, 0, `all ${total} clients connect (one worker alone holds at most ${g.cap})`);
    const counts = await perWorker(g, total);
    for (const c of counts) {
      assert.ok(c > 0, `both workers hold clients: ${counts.join('+')}`);
      assert.ok(c <= g.cap, `no worker holds more than its mark ${g.cap}: ${counts.join('+')}`);
    }
    for (const c of held) c.ws.terminate();
  });

  it('more clients than both can hold: the extra ones fail cleanly, the held ones keep working, a freed slot takes a new client', async () => {
    const g = await startGroup();
    groups.push(g);
    const total = 2 * g.cap + 20;
    const { held, failed } = await connectSequentially(g, total, 1000);
    clients.push(...held);
    assert.ok(failed >= 20, `at least the 20 over both marks fail: ${failed} failed, ${held.length} held`);
    assert.ok(held.length <= 2 * g.cap, `the workers hold at most their marks: ${held.length} held, marks ${g.cap}`);
    assert.ok(logCount(g, 'stops accepting connections') >= 2, 'both workers logged that they stopped accepting');
    assert.equal(g.server.child.exitCode, null, 'the server is still running');
    // Both workers still serve every client they hold.
    const counts = await perWorker(g, held.length);
    assert.ok(counts.every((c) => c > 0), `both workers hold clients: ${counts.join('+')}`);
    await api(g, 'publish', { channel: CHANNEL, data: { n: 1 } });
    await Promise.all(held.map((c) => c.waitPush((p) => p['pub'] !== undefined && p['channel'] === CHANNEL, 20_000, 'the publication')));
    for (const c of held) assert.equal(c.closeInfo, undefined, 'held clients stay connected');
    // Closing clients until a worker is back below its lower mark makes it accept again.
    const drop = held.splice(0, g.cap - g.low + 1 + Math.ceil(held.length / 2));
    for (const c of drop) c.ws.terminate();
    await waitFor(() => logCount(g, 'accepts connections again') >= 1, 30_000, 'a worker resumes accepting', 50);
    clients.push(await connectClient(g, 5000)); // rejects if the group does not take it
  });
});

/** Inodes of the IPv4 sockets listening on `port` (/proc/net/tcp, state 0A). */
async function listeningInodes(port: number): Promise<Set<string>> {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const out = new Set<string>();
  for (const line of (await readFile('/proc/net/tcp', 'latin1')).split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 9 && f[1]!.endsWith(hexPort) && f[3] === '0A') out.add(f[9]!);
  }
  return out;
}

/** The listening sockets of `port` among a process's descriptors. */
async function heldListeners(pid: number, listening: Set<string>): Promise<string[]> {
  const out: string[] = [];
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''));
    if (m && listening.has(m[1]!)) out.push(m[1]!);
  }
  return out;
}

function workerPids(server: ServerProcess): number[] {
  return server.logs.flatMap((line) => {
    const l = JSON.parse(line) as { message?: string; pid?: number };
    return l.message === 'starting Rotor' && typeof l.pid === 'number' ? [l.pid] : [];
  });
}

describe('rotor serve --workers 2: how the workers accept', { timeout: 120_000 }, () => {
  it('with SO_REUSEPORT in the runtime each worker binds its own socket (else they share one); a killed worker is replaced and the group keeps taking clients', async () => {
    const reuse = await probeReusePort();
    const port = await freePort();
    const server = await spawnServer({ workers: 2, port, name: 'acc', allow_subscribe_for_client: true }, 30_000, { NODE_CLUSTER_SCHED_POLICY: undefined });
    const held: RawClient[] = [];
    try {
      await waitFor(() => server.logs.some((l) => l.includes('all workers serving')), 30_000, 'both workers serving', 50);
      const mode = reuse ? 'SO_REUSEPORT socket per worker' : 'shared socket';
      assert.ok(server.logs.some((l) => l.includes(`"accept":"${mode}"`)), `the primary logs accept mode ${mode}`);
      const check = async (pids: number[]): Promise<void> => {
        const listening = await listeningInodes(port);
        const perWorker = await Promise.all(pids.map((pid) => heldListeners(pid, listening)));
        for (const h of perWorker) assert.equal(h.length, 1, `each worker holds one listening socket of port ${port}: ${JSON.stringify(perWorker)}`);
        assert.equal(new Set(perWorker.flat()).size, reuse ? pids.length : 1, `own sockets iff SO_REUSEPORT: ${JSON.stringify(perWorker)}`);
      };
      const pids = workerPids(server);
      assert.equal(pids.length, 2);
      await check(pids);
      const g: Group = { server, apiPort: port, cap: 0, low: 0 };
      for (let i = 0; i < 6; i++) held.push(await connectClient(g, i));
      process.kill(pids[1]!, 'SIGKILL');
      await waitFor(() => workerPids(server).length === 3, 20_000, 'the killed worker restarted');
      await waitFor(() => server.logs.filter((l) => l.includes('serving websocket')).length === 3, 20_000, 'the new worker serving');
      await check([pids[0]!, workerPids(server)[2]!]);
      // New clients are taken by the group (a client whose connection was queued on the dead worker's
      // own socket is reset and would reconnect, as with any lost connection).
      for (let i = 10; i < 16; i++) held.push(await connectClient(g, i));
      await perWorker(g, held.filter((c) => c.closeInfo === undefined).length); // two nodes in info, counting every live client
    } finally {
      for (const c of held) c.ws.terminate();
      assert.equal(await server.stop(), 0);
    }
  });
});
