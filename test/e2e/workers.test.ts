/**
 * End-to-end `rotor serve --workers 2` with the memory engine (issue 15, item 1): the built server as a
 * child process, real sockets, the real centrifuge-js SDK. Every test first makes sure it has clients on
 * both workers (`info` lists each worker as a node with its own connection count), since the OS and
 * the cluster module decide which worker accepts a connection.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { after, afterEach, before, describe, it } from 'node:test';
import { apiOk, infoNodes, range, ROOM_NAMESPACE } from '../harness/cluster.js';
import { spawnServer, type ServerProcess } from '../harness/process.js';
import { spawnRedis } from '../harness/redis.js';
import { upgradeStatus } from '../harness/raw-client.js';
import { collect, sdkClient, type Client, type SdkProtocol } from '../harness/sdk.js';
import { TEST_API_KEY } from '../harness/server.js';
import { connectToken } from '../harness/tokens.js';
import { waitFor } from '../harness/wait.js';
import { SPREAD, socketInodes, spawnWorkers as spawnGroup, tcpInodes, waitForBothWorkers, workerPids } from '../harness/workers.js';

const NAME = 'grp';
/** Enough connections that both workers get some (checked through `info`, never assumed). */
const K = 8;

function config(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: NAME,
    workers: 2,
    client_presence_update_interval: '1s',
    namespaces: [
      ROOM_NAMESPACE,
      { name: 'srv', history_size: 10, history_ttl: '300s', force_recovery: true },
    ],
    ...extra,
  };
}

/** The built server with two workers (round-robin accept unless `env` says otherwise), once both serve. */
async function spawnWorkers(extra: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = SPREAD): Promise<ServerProcess> {
  return spawnGroup(config(extra), env);
}

/**
 * A server API call on a fresh connection (no keep-alive): after a worker is killed, a pooled
 * connection it had accepted is gone, which is the client's business, not the server's.
 */
async function apiFresh<T>(server: ServerProcess, method: string, body: unknown): Promise<T> {
  const text = await new Promise<string>((resolve, reject) => {
    const req = request(
      `${server.url}/api/${method}`,
      { method: 'POST', agent: false, headers: { 'X-API-Key': TEST_API_KEY, Connection: 'close' } },
      (res) => {
        let out = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (out += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(out) : reject(new Error(`HTTP ${res.statusCode}: ${out}`))));
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`${method}: no answer in 10 s`)));
    req.end(JSON.stringify(body));
  });
  const reply = JSON.parse(text) as { result?: T; error?: unknown };
  if (reply.error !== undefined) throw new Error(`${method} failed: ${text}`);
  return (reply.result ?? {}) as T;
}

interface Conn {
  client: Client;
  protocol: SdkProtocol;
  /** Close codes of the disconnects the SDK reported (connecting/disconnected events). */
  codes: number[];
  /** Client id of the current connection (from the connect reply). */
  id: string;
}

describe('rotor serve --workers 2 (memory engine)', () => {
  let server: ServerProcess;
  const conns: Conn[] = [];

  /** K connections of `user` (alternating JSON / Protobuf builds), connected. */
  async function connectMany(user: string, options: Record<string, unknown> = {}): Promise<Conn[]> {
    const out: Conn[] = [];
    for (const i of range(K, 0)) {
      const protocol: SdkProtocol = i % 2 === 0 ? 'json' : 'protobuf';
      const token = await connectToken(user);
      const client = sdkClient(protocol, server.wsUrl, { token, getToken: () => connectToken(user), ...options });
      const conn: Conn = { client, protocol, codes: [], id: '' };
      client.on('connected', (ctx) => (conn.id = ctx.client));
      client.on('connecting', (ctx) => conn.codes.push(ctx.code));
      client.on('disconnected', (ctx) => conn.codes.push(ctx.code));
      client.connect();
      out.push(conn);
      conns.push(conn);
    }
    await Promise.all(out.map((c) => c.client.ready(10_000)));
    return out;
  }

  before(async () => {
    server = await spawnWorkers();
  });

  afterEach(() => {
    for (const c of conns) c.client.disconnect();
    conns.length = 0;
  });

  after(async () => {
    for (const c of conns) c.client.disconnect();
    await server.stop();
    if (process.env['WORKERS_TEST_LOGS']) console.log(server.logs.join('\n'));
  });

  it('info lists each worker as a node of the group; the counts sum to the connections', async () => {
    await connectMany('info-user');
    await waitForBothWorkers(server, K);
    const nodes = await infoNodes(server);
    assert.deepEqual(nodes.map((n) => n.name).sort(), [`${NAME}#0`, `${NAME}#1`]);
    assert.equal(new Set(nodes.map((n) => n.uid)).size, 2);
    // A heartbeat may have counted a connection before its connect finished (no user yet): wait for the next.
    await waitFor(async () => (await infoNodes(server)).every((n) => n.num_users === 1), 15_000, 'the one user counted on each worker', 100);
  });

  it('a publication through the API reaches subscribers on both workers; history and channels span workers', async () => {
    const ch = 'room:fanout';
    const cs = await connectMany('fan');
    const got = cs.map((c) => {
      const sub = c.client.newSubscription(ch);
      const g = collect(c.protocol, sub);
      sub.subscribe();
      return { sub, g };
    });
    await Promise.all(got.map((x) => x.sub.ready(10_000)));
    await waitForBothWorkers(server, K);
    const results: { offset: number; epoch: string }[] = [];
    for (const i of range(5)) results.push(await apiOk(server, 'publish', { channel: ch, data: { i } }));
    assert.deepEqual(results.map((r) => r.offset), range(5), 'one stream: offsets 1..5 whichever worker served the API call');
    assert.equal(new Set(results.map((r) => r.epoch)).size, 1);
    await waitFor(() => got.every((x) => x.g.values.length >= 5), 10_000, 'five publications on every subscriber');
    for (const x of got) {
      assert.deepEqual(x.g.values, range(5).map((i) => ({ i })));
      assert.deepEqual(x.g.offsets, range(5));
    }
    // History is the same whichever worker answers.
    for (const _ of range(4)) {
      const h = await apiOk<{ publications: unknown[]; offset: number; epoch: string }>(server, 'history', { channel: ch, limit: -1 });
      assert.equal(h.publications.length, 5);
      assert.equal(h.offset, 5);
      assert.equal(h.epoch, results[0]!.epoch);
    }
    // A client publication on one worker reaches subscribers on the other.
    await got[0]!.sub.publish(cs[0]!.protocol === 'json' ? { from: 0 } : new TextEncoder().encode(JSON.stringify({ from: 0 })));
    await waitFor(() => got.every((x) => x.g.values.length === 6), 10_000, 'client publication everywhere');
    // channels sums both workers' subscribers.
    const chans = await apiOk<{ channels: Record<string, { num_clients: number }> }>(server, 'channels', { pattern: 'room:fan*' });
    assert.deepEqual(chans.channels, { [ch]: { num_clients: K } });
  });

  it('presence and join/leave span workers', async () => {
    const ch = 'room:presence';
    const cs = await connectMany('pres');
    const joins = cs.map(() => [] as string[]);
    const leaves = cs.map(() => [] as string[]);
    const subs = cs.map((c, i) => {
      const sub = c.client.newSubscription(ch);
      sub.on('join', (ctx) => joins[i]!.push(ctx.info.client));
      sub.on('leave', (ctx) => leaves[i]!.push(ctx.info.client));
      return sub;
    });
    // All but the last subscribe first, so each of them is in the channel when the last one joins.
    for (const sub of subs.slice(0, -1)) sub.subscribe();
    await Promise.all(subs.slice(0, -1).map((s) => s.ready(10_000)));
    subs[K - 1]!.subscribe();
    await subs[K - 1]!.ready(10_000);
    await waitForBothWorkers(server, K);
    const ids = cs.map((c) => c.id);
    const p = await apiOk<{ presence: Record<string, { client: string; user: string }> }>(server, 'presence', { channel: ch });
    assert.deepEqual(Object.keys(p.presence).sort(), [...ids].sort());
    const stats = await apiOk<{ num_clients: number; num_users: number }>(server, 'presence_stats', { channel: ch });
    assert.deepEqual(stats, { num_clients: K, num_users: 1 });
    // The last subscriber's join reached every earlier subscriber, on both workers.
    await waitFor(() => joins.slice(0, -1).every((j) => j.includes(ids[K - 1]!)), 10_000, 'join of the last subscriber everywhere');
    // Every subscriber sees the first one leave.
    subs[0]!.unsubscribe();
    await waitFor(() => leaves.slice(1).every((l) => l.includes(ids[0]!)), 10_000, 'leave everywhere');
  });

  it('user-targeted subscribe, unsubscribe, refresh and disconnect reach the user on both workers', async () => {
    const user = 'target';
    const cs = await connectMany(user);
    await waitForBothWorkers(server, K);
    const subscribed = cs.map(() => [] as string[]);
    const unsubscribed = cs.map(() => [] as string[]);
    cs.forEach((c, i) => {
      c.client.on('subscribed', (ctx) => subscribed[i]!.push(ctx.channel));
      c.client.on('unsubscribed', (ctx) => unsubscribed[i]!.push(ctx.channel));
    });
    await apiOk(server, 'subscribe', { user, channel: 'srv:x' });
    await waitFor(() => subscribed.every((s) => s.includes('srv:x')), 10_000, 'server-side subscription on every connection');
    await apiOk(server, 'unsubscribe', { user, channel: 'srv:x' });
    await waitFor(() => unsubscribed.every((s) => s.includes('srv:x')), 10_000, 'unsubscribe on every connection');
    // refresh with expired: every connection is disconnected with "expired" (3005) and reconnects.
    await apiOk(server, 'refresh', { user, expired: true });
    await waitFor(() => cs.every((c) => c.codes.includes(3005)), 10_000, 'expired disconnect on every connection');
    await Promise.all(cs.map((c) => c.client.ready(10_000)));
    await apiOk(server, 'disconnect', { user, disconnect: { code: 4500, reason: 'bye' } });
    await waitFor(() => cs.every((c) => c.codes.includes(4500)), 10_000, 'custom disconnect on every connection');
  });

  it('kill -9 of a worker: it is restarted, its clients reconnect and recover what they missed', async () => {
    const ch = 'room:crash';
    // A slow reconnect so the publications below happen while the killed worker's clients are away.
    const cs = await connectMany('crash', { minReconnectDelay: 1500, maxReconnectDelay: 2500 });
    const subs = cs.map((c) => {
      const sub = c.client.newSubscription(ch);
      const g = collect(c.protocol, sub);
      const states: { recovered: boolean; wasRecovering: boolean }[] = [];
      sub.on('subscribed', (ctx) => states.push({ recovered: ctx.recovered, wasRecovering: ctx.wasRecovering }));
      sub.subscribe();
      return { sub, g, states };
    });
    await Promise.all(subs.map((s) => s.sub.ready(10_000)));
    await waitForBothWorkers(server, K);
    await apiOk(server, 'publish', { channel: ch, data: { i: 1 } });
    await waitFor(() => subs.every((s) => s.g.values.length === 1), 10_000, 'first publication everywhere');
    const pids = workerPids(server);
    assert.equal(pids.length >= 2, true);
    const victim = pids[pids.length - 1]!;
    process.kill(victim, 'SIGKILL');
    await waitFor(() => cs.some((c) => c.codes.length > 0), 10_000, 'clients of the killed worker notice');
    // Node's round-robin accept hands connections from the primary to a worker; one handed over in the
    // instant the worker dies is lost (documented in the README), so the API calls below wait until the
    // primary has seen the exit.
    await waitFor(() => server.logs.some((l) => l.includes('worker exited, restarting')), 10_000, 'primary saw the exit');
    for (const i of range(4, 2)) await apiFresh(server, 'publish', { channel: ch, data: { i } });
    await waitFor(() => subs.every((s) => s.g.values.length === 5), 20_000, 'all five publications on every subscriber');
    for (const s of subs) {
      assert.deepEqual(s.g.values, range(5).map((i) => ({ i })), 'no loss, no duplicate, in order');
      assert.deepEqual(s.g.offsets, range(5));
    }
    const moved = subs.filter((s) => s.states.length > 1);
    assert.ok(moved.length > 0, 'some subscribers were on the killed worker');
    for (const s of moved) assert.deepEqual(s.states.at(-1), { recovered: true, wasRecovering: true });
    // The worker is back: a new process, and info lists two live workers again.
    await waitFor(() => workerPids(server).length === pids.length + 1, 20_000, 'restarted worker');
    assert.ok(server.logs.some((l) => l.includes('worker exited, restarting')));
    await waitFor(() => server.logs.filter((l) => l.includes('serving websocket')).length === 3, 20_000, 'restarted worker serving');
    await waitFor(async () => (await apiFresh<{ nodes: unknown[] }>(server, 'info', {})).nodes.length === 2, 15_000, 'two nodes in info');
  });

  it('SIGTERM drains every worker: clients on both get the shutdown disconnect, the group exits 0', async () => {
    const cs = await connectMany('drain', { minReconnectDelay: 5000, maxReconnectDelay: 10_000 });
    await waitForBothWorkers(server, K);
    const code = await server.stop('SIGTERM');
    assert.equal(code, 0);
    await waitFor(() => cs.every((c) => c.codes.includes(3001)), 10_000, 'shutdown disconnect (3001) on every connection');
  });
});

/** `num_clients` of each worker, by node name. */
async function countsByWorker(server: ServerProcess): Promise<Map<string, number>> {
  return new Map((await infoNodes(server)).map((n) => [n.name, n.num_clients ?? 0]));
}

/** Waits until the workers' connections sum to `total` (the heartbeats have caught up); returns them by worker. */
async function settledCounts(server: ServerProcess, total: number): Promise<Map<string, number>> {
  let counts = new Map<string, number>();
  await waitFor(
    async () => {
      counts = await countsByWorker(server);
      return counts.size === 2 && [...counts.values()].reduce((a, b) => a + b, 0) === total;
    },
    15_000,
    `${total} connections in info`,
    100,
  );
  return counts;
}

/** What a connection attempt got: `ok` (open; `close` ends it) or the HTTP status. */
interface Attempt {
  readonly outcome: string;
  close(): void;
}

const TRANSPORTS = ['websocket', 'uni_websocket', 'http_stream', 'sse', 'uni_sse', 'uni_http_stream'] as const;

async function attempt(server: ServerProcess, kind: (typeof TRANSPORTS)[number]): Promise<Attempt> {
  if (kind === 'websocket' || kind === 'uni_websocket') {
    const url = kind === 'websocket' ? server.wsUrl : server.wsUrl.replace('/connection/websocket', '/connection/uni_websocket?cf_connect=%7B%7D');
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve({ outcome: 'ok', close: () => ws.terminate() }));
      ws.once('unexpected-response', (_req, res) => {
        res.resume();
        resolve({ outcome: String(res.statusCode), close: () => undefined });
      });
      ws.once('error', reject);
    });
  }
  const paths = {
    http_stream: ['/connection/http_stream', { method: 'POST', body: '{"id":1,"connect":{}}' }],
    sse: [`/connection/sse?cf_connect=${encodeURIComponent('{"id":1,"connect":{}}')}`, {}],
    uni_sse: ['/connection/uni_sse?cf_connect=%7B%7D', {}],
    uni_http_stream: ['/connection/uni_http_stream', { method: 'POST', body: '{}' }],
  } as const;
  const [path, init] = paths[kind];
  const ac = new AbortController();
  const res = await fetch(`${server.url}${path}`, { ...init, signal: ac.signal });
  if (res.status === 200) return { outcome: 'ok', close: () => ac.abort() };
  await res.text();
  return { outcome: String(res.status), close: () => undefined };
}

describe('rotor serve --workers 2: connection limits are exact across workers', () => {
  const clients: Client[] = [];
  const servers: ServerProcess[] = [];

  /** `n` connected SDK clients of `user` (the SDK retries a 503 by itself, as any client does). */
  async function connectUsers(server: ServerProcess, user: string, n: number, options: Record<string, unknown> = {}): Promise<Client[]> {
    const out: Client[] = [];
    for (const _ of range(n)) {
      const c = sdkClient('json', server.wsUrl, { token: await connectToken(user), getToken: () => connectToken(user), ...options });
      clients.push(c);
      out.push(c);
      c.connect();
    }
    await Promise.all(out.map((c) => c.ready(15_000)));
    return out;
  }

  async function start(extra: Record<string, unknown>, env: NodeJS.ProcessEnv = SPREAD): Promise<ServerProcess> {
    const s = await spawnWorkers(extra, env);
    servers.push(s);
    return s;
  }

  afterEach(async () => {
    for (const c of clients) c.disconnect();
    clients.length = 0;
    for (const s of servers) assert.equal(await s.stop(), 0);
    servers.length = 0;
  });

  it('client_connection_limit counts both workers: over it every new connection gets 503, a close frees a slot for either worker', async () => {
    const L = 6;
    // Round-robin accept (SPREAD) also makes which worker takes the next connection predictable: the
    // test moves a freed slot from one worker to the other.
    const server = await start({ client_connection_limit: L });
    assert.equal(server.logs.some((l) => l.includes('per worker process')), false, 'no per-worker warning: the limit is exact');
    const cs = await connectUsers(server, 'lim', L);
    await waitForBothWorkers(server, L);
    // Each worker holds fewer than L: counting alone, either would let a new connection in.
    for (const _ of range(4)) assert.equal(await upgradeStatus(server.wsUrl, { subprotocols: ['centrifuge-json'], timeoutMs: 10_000 }), 503);
    // A close on one worker frees a slot that a connection landing on the other worker takes (the
    // cluster module picks the worker: close and reconnect until the slot has moved, at most 6 rounds).
    let moved = false;
    let victim = cs[0]!;
    for (const _ of range(8)) {
      const before = await settledCounts(server, L);
      victim.disconnect();
      const after = await settledCounts(server, L - 1);
      const freedOn = [...before].find(([name, n]) => after.get(name) === n - 1)![0];
      victim = (await connectUsers(server, 'lim', 1))[0]!;
      const now = await settledCounts(server, L);
      const takenOn = [...now].find(([name, n]) => after.get(name) === n - 1)![0];
      assert.equal(await upgradeStatus(server.wsUrl, { subprotocols: ['centrifuge-json'], timeoutMs: 10_000 }), 503, 'full again');
      if (takenOn !== freedOn) {
        moved = true;
        break;
      }
      // Taken on the same worker: the next victim is the new connection (on that worker), and one
      // more refused connection moves the cluster module's round-robin turn to the other worker.
      assert.equal(await upgradeStatus(server.wsUrl, { subprotocols: ['centrifuge-json'], timeoutMs: 10_000 }), 503);
    }
    assert.ok(moved, 'a slot freed on one worker was taken on the other');
  });

  it('client_user_connection_limit counts the user on both workers: the next connect of that user is refused with the connection-limit disconnect (3013 in the default classic numbering)', async () => {
    const server = await start({ client_user_connection_limit: 3 });
    const cs = await connectUsers(server, 'u1', 3);
    await waitForBothWorkers(server, 3);
    const codes: number[] = [];
    for (const _ of range(2)) {
      const extra = sdkClient('json', server.wsUrl, { token: await connectToken('u1') });
      clients.push(extra);
      extra.on('disconnected', (ctx) => codes.push(ctx.code));
      extra.connect();
    }
    await waitFor(() => codes.length === 2, 15_000, 'both extra connects refused');
    assert.deepEqual(codes, [3013, 3013]);
    // Another user is not limited by u1's connections.
    await connectUsers(server, 'u2', 3);
    // A close of one of u1's connections frees one slot of u1's, on whichever worker.
    cs[0]!.disconnect();
    await settledCounts(server, 5);
    await connectUsers(server, 'u1', 1);
    const late: number[] = [];
    const over = sdkClient('json', server.wsUrl, { token: await connectToken('u1') });
    clients.push(over);
    over.on('disconnected', (ctx) => late.push(ctx.code));
    over.connect();
    await waitFor(() => late.length === 1, 15_000, 'the fourth connection of u1 refused');
    assert.deepEqual(late, [3013]);
  });

  it('client_connection_rate_limit is one bucket for the group: a burst gets at most rate + rate × elapsed seconds in', async () => {
    const rate = 2;
    const server = await start({ client_connection_rate_limit: rate });
    const started = performance.now();
    const statuses = await Promise.all(range(12).map(() => upgradeStatus(server.wsUrl, { subprotocols: ['centrifuge-json'], timeoutMs: 15_000 })));
    const elapsedSec = (performance.now() - started) / 1000;
    const admitted = statuses.filter((s) => s === 101).length;
    assert.deepEqual(new Set(statuses.filter((s) => s !== 101)), new Set([503]), 'the others get 503');
    // The bucket starts full (`rate` tokens) and gains `rate` per second: two buckets (one per worker)
    // would let up to 2 × rate in at once.
    assert.ok(admitted >= rate, `a full bucket admits ${rate} at once (got ${admitted})`);
    assert.ok(admitted <= Math.floor(rate + rate * elapsedSec), `at most ${rate} + ${rate} × ${elapsedSec.toFixed(2)} s admitted, got ${admitted}`);
  });

  it('every HTTP transport holds a slot while it is open: over the limit each one gets 503 from either worker', async () => {
    const server = await start({ client_connection_limit: 1, client_insecure: true, http_stream: true, sse: true, uni_websocket: true, uni_sse: true, uni_http_stream: true });
    for (const holder of TRANSPORTS) {
      let held: Attempt | undefined;
      // The previous holder's slot comes back once its close reached the primary.
      await waitFor(
        async () => {
          const a = await attempt(server, holder);
          assert.ok(a.outcome === 'ok' || a.outcome === '503', `${holder}: ${a.outcome}`);
          if (a.outcome === 'ok') held = a;
          return held !== undefined;
        },
        15_000,
        `${holder} admitted`,
        50,
      );
      for (const kind of TRANSPORTS) assert.equal((await attempt(server, kind)).outcome, '503', `${kind} while ${holder} holds the slot`);
      held!.close();
    }
  });

  it('kill -9 of a worker frees its slots: its clients reconnect within the limits, which still hold after the restart', async () => {
    const L = 6;
    const server = await start({ client_connection_limit: L, client_user_connection_limit: L });
    const cs = await connectUsers(server, 'crash', L, { minReconnectDelay: 300, maxReconnectDelay: 1000 });
    await waitForBothWorkers(server, L);
    const codes = cs.map(() => [] as number[]);
    cs.forEach((c, i) => c.on('connecting', (ctx) => codes[i]!.push(ctx.code)));
    const pids = workerPids(server);
    process.kill(pids[pids.length - 1]!, 'SIGKILL');
    await waitFor(() => codes.some((c) => c.length > 0), 10_000, 'clients of the killed worker notice');
    // They can only connect again if the dead worker's connection and user slots were dropped.
    await waitFor(() => cs.every((c) => String(c.state) === 'connected'), 30_000, 'every client connected again');
    await waitFor(() => workerPids(server).length === pids.length + 1, 20_000, 'restarted worker');
    await settledCounts(server, L);
    assert.equal(await upgradeStatus(server.wsUrl, { subprotocols: ['centrifuge-json'], timeoutMs: 10_000 }), 503, 'still exactly L');
    const extra = sdkClient('json', server.wsUrl, { token: await connectToken('crash') });
    clients.push(extra);
    const state: string[] = [];
    extra.on('connecting', (ctx) => state.push(`connecting ${ctx.code}`));
    extra.connect();
    await waitFor(() => state.length > 0, 10_000, 'the extra connection is refused and retried by the SDK');
    assert.equal(String(extra.state), 'connecting');
  });
});

describe('rotor serve --workers: bad input and other engines', () => {
  it('a negative worker count is a config error naming the key', async () => {
    await assert.rejects(spawnServer(config({ workers: -1 }), 30_000), /workers/);
  });

  it('a worker that cannot start (port in use) fails the start of the group with exit 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      await assert.rejects(spawnServer(config({ port }), 30_000), (err: Error) => {
        assert.match(err.message, /exited with 1/);
        assert.match(err.message, /before it started serving/);
        return true;
      });
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('by default each worker holds the shared listening socket and accepts from it itself (SCHED_NONE)', async () => {
    const server = await spawnWorkers({}, { NODE_CLUSTER_SCHED_POLICY: undefined });
    try {
      const listening = await tcpInodes(server.port, 'listening');
      assert.ok(listening.size > 0, `no listening socket on port ${server.port} in /proc/net/tcp`);
      const pids = workerPids(server);
      assert.equal(pids.length, 2, `two workers started: ${pids.join(', ')}`);
      for (const pid of pids) {
        const held = (await socketInodes(pid)).filter((i) => listening.has(i));
        assert.ok(held.length > 0, `worker ${pid} holds the listening socket of port ${server.port}`);
      }
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('with Redis each worker joins the engine as a node: publications reach subscribers on both', async () => {
    const redis = await spawnRedis();
    const conns: Client[] = [];
    let s: ServerProcess | undefined;
    try {
      s = await spawnWorkers({ engine: 'redis', redis_address: redis.address, redis_prefix: `workers-${process.pid}` });
      const server = s;
      const got = range(K, 0).map(() => [] as unknown[]);
      const subs = [];
      for (const i of range(K, 0)) {
        const client = sdkClient('json', server.wsUrl, { token: await connectToken('redis-user') });
        conns.push(client);
        const sub = client.newSubscription('room:redis');
        sub.on('publication', (ctx) => got[i]!.push(ctx.data));
        sub.subscribe();
        client.connect();
        subs.push(sub);
      }
      await Promise.all(subs.map((sub) => sub.ready(10_000)));
      await waitForBothWorkers(server, K);
      const r = await apiOk<{ offset: number }>(server, 'publish', { channel: 'room:redis', data: { via: 'redis' } });
      assert.equal(r.offset, 1);
      await waitFor(() => got.every((g) => g.length === 1), 10_000, 'publication on every subscriber');
      for (const g of got) assert.deepEqual(g, [{ via: 'redis' }]);
    } finally {
      for (const c of conns) c.disconnect();
      if (s !== undefined) assert.equal(await s.stop(), 0);
      await redis.stop();
    }
  });
});
