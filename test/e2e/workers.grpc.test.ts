/**
 * End-to-end `rotor serve --workers 2` with the GRPC listeners: the GRPC server API (`grpc_api`) and
 * the unidirectional GRPC stream (`uni_grpc`), memory engine (a start-up failure also with Redis). The
 * built server runs as a child process; the GRPC clients are @grpc/grpc-js stubs built from the
 * project's own `api.proto` and `unistream.proto`, the subscribers the real centrifuge-js SDK (JSON and
 * Protobuf builds).
 *
 * Both GRPC ports are shared by the two workers (port 0: the cluster module hands both workers the same
 * random port). Which worker serves a GRPC connection is not assumed: every GRPC connection is opened
 * alone and the worker holding its server-side socket is read from /proc, so the tests prove that
 * both workers served GRPC calls and streams, and compare what each one answered.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { after, afterEach, before, describe, it } from 'node:test';
import { range, ROOM_NAMESPACE } from '../harness/cluster.js';
import type { ServerProcess } from '../harness/process.js';
import { spawnRedis } from '../harness/redis.js';
import { collect, sdkClient, type Client, type SdkProtocol } from '../harness/sdk.js';
import { connectToken } from '../harness/tokens.js';
import { waitFor } from '../harness/wait.js';
import { loggedPorts, socketInodes, spawnWorkers, tcpInodes, waitForBothWorkers, workerOfNewConnection, workerPids } from '../harness/workers.js';

const NAME = 'ggrp';
const GRPC_KEY = 'grpc-workers-secret';
/** GRPC API client connections (each its own HTTP/2 connection); round-robin accept spreads them over both workers. */
const G = 4;
/** SDK connections per test (alternating JSON / Protobuf builds). */
const K = 6;

const CONFIG: Record<string, unknown> = {
  name: NAME,
  workers: 2,
  client_presence_update_interval: '1s',
  grpc_api: true,
  grpc_api_address: '127.0.0.1',
  grpc_api_port: 0,
  grpc_api_key: GRPC_KEY,
  uni_grpc: true,
  uni_grpc_address: '127.0.0.1',
  uni_grpc_port: 0,
  namespaces: [ROOM_NAMESPACE],
};

type Json = Record<string, unknown>;

// ---- GRPC clients built from the project's schemas -------------------------------------------------

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const LOAD: protoLoader.Options = { keepCase: true, longs: Number, enums: String, defaults: false, oneofs: false, includeDirs: [SRC] };
// loadPackageDefinition returns a nested namespace object; walk it to the service constructors.
const ApiClient = (
  grpc.loadPackageDefinition(protoLoader.loadSync(`${SRC}api/api.proto`, LOAD)) as unknown as {
    centrifugal: { centrifugo: { api: { CentrifugoApi: grpc.ServiceClientConstructor } } };
  }
).centrifugal.centrifugo.api.CentrifugoApi;
const UniClient = (
  grpc.loadPackageDefinition(protoLoader.loadSync(`${SRC}transports/unistream.proto`, LOAD)) as unknown as {
    centrifugal: { centrifugo: { unistream: { CentrifugoUniStream: grpc.ServiceClientConstructor } } };
  }
).centrifugal.centrifugo.unistream.CentrifugoUniStream;

/** A client stub: a grpc-js Client with one method per rpc. */
type Stub = InstanceType<grpc.ServiceClientConstructor>;
type UnaryFn = (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Json) => void) => void;

/** Its own connection per stub (grpc-js shares connections between channels to one target by default). */
const OWN_CONNECTION: grpc.ChannelOptions = { 'grpc.use_local_subchannel_pool': 1 };

function metadata(entries: Record<string, string> = { authorization: `apikey ${GRPC_KEY}` }): grpc.Metadata {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(entries)) md.set(k, v);
  return md;
}

/** A unary call: the GRPC error or the response. */
function rpc(stub: Stub, name: string, request: unknown, md = metadata()): Promise<{ err: grpc.ServiceError | null; res: Json | undefined }> {
  return new Promise((resolve) => {
    const fn = stub[name] as UnaryFn | undefined;
    if (fn === undefined) throw new Error(`client has no rpc ${name}`);
    fn.call(stub, request, md, { deadline: Date.now() + 15_000 }, (err, res) => resolve({ err, res }));
  });
}

/** A unary call that must succeed without an API error; returns `result` (absent = empty). */
async function rpcOk<T = Json>(stub: Stub, name: string, request: unknown): Promise<T> {
  const { err, res } = await rpc(stub, name, request);
  if (err !== null || res === undefined || res['error'] !== undefined) {
    throw new Error(`${name} ${JSON.stringify(request)}: ${err?.message ?? JSON.stringify(res)}`);
  }
  return (res['result'] ?? {}) as T;
}

/** A unary call with hand-made request bytes (identity serializers). */
function rawRpc(stub: Stub, name: string, bytes: Buffer): Promise<grpc.ServiceError | null> {
  return new Promise((resolve) => {
    stub.makeUnaryRequest(
      `/centrifugal.centrifugo.api.CentrifugoApi/${name}`,
      (b: Buffer) => b,
      (b: Buffer) => b,
      bytes,
      metadata(),
      { deadline: Date.now() + 15_000 },
      (err) => resolve(err),
    );
  });
}

const CONSUME = '/centrifugal.centrifugo.unistream.CentrifugoUniStream/Consume';
/** Push bytes → object, as the generated stub decodes them. */
const decodePush = UniClient.service['Consume']!.responseDeserialize as (b: Buffer) => Json;

const bytesOf = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
const valueOf = (b: unknown): unknown => JSON.parse(Buffer.from(b as Uint8Array).toString('utf8'));

/** One GRPC API connection and the worker (pid) that holds it. */
interface ApiConn {
  readonly stub: Stub;
  readonly worker: number;
}

/** One uni_grpc stream: decoded pushes, the stream's end, the worker holding it. */
interface UniConn {
  readonly pushes: Json[];
  /** The final status of the stream. */
  readonly ended: Promise<grpc.StatusObject>;
  /** Client id from the connect push. */
  readonly id: string;
  readonly worker: number;
  close(): void;
}

/** A started group: its worker pids, its two GRPC ports, its GRPC API connections, the streams opened. */
interface Group {
  readonly server: ServerProcess;
  readonly pids: number[];
  readonly grpcPort: number;
  readonly uniPort: number;
  /** `G` GRPC API connections, each with the worker holding it. */
  readonly api: ApiConn[];
  /** uni_grpc streams opened by {@link openUni}, for closing. */
  readonly uni: UniConn[];
}

/** Starts the group with `config` (`env` as in spawnWorkers) and opens `G` GRPC API connections, one at a time. */
async function startGroup(config: Record<string, unknown>, env?: NodeJS.ProcessEnv): Promise<Group> {
  const server = await spawnWorkers(config, env);
  const grpcPorts = loggedPorts(server, /serving GRPC API service on .*:(\d+)/);
  const uniPorts = loggedPorts(server, /serving uni_grpc endpoints on .*:(\d+)/);
  const g: Group = { server, pids: workerPids(server), grpcPort: grpcPorts[0] ?? 0, uniPort: uniPorts[0] ?? 0, api: [], uni: [] };
  try {
    assert.equal(grpcPorts.length, 2, 'both workers serve the GRPC API');
    assert.equal(uniPorts.length, 2, 'both workers serve uni_grpc');
    for (const _ of range(G)) {
      const stub = new ApiClient(`127.0.0.1:${g.grpcPort}`, grpc.credentials.createInsecure(), OWN_CONNECTION);
      g.api.push({ stub, worker: 0 });
      // One connection at a time, so the new server-side socket is this stub's.
      const worker = await workerOfNewConnection(g.grpcPort, g.pids, async () => {
        await rpcOk(stub, 'Info', {});
      });
      g.api[g.api.length - 1] = { stub, worker };
    }
  } catch (err) {
    await stopGroup(g);
    throw err;
  }
  return g;
}

/** Closes the group's GRPC clients and stops it; resolves with the exit code. */
async function stopGroup(g: Group): Promise<number | null> {
  for (const u of g.uni.splice(0)) u.close();
  for (const a of g.api) a.stub.close();
  return g.server.stop();
}

/**
 * Opens a uni_grpc stream with `request` bytes or object, alone (see workerOfNewConnection), and
 * waits for its first push or its end. The stream's connection stays open until `close`.
 */
async function openUni(g: Group, request: Json | Buffer): Promise<UniConn> {
  const pushes: Json[] = [];
  let status: grpc.StatusObject | undefined;
  let close = (): void => undefined;
  let ended: Promise<grpc.StatusObject> | undefined;
  try {
    const worker = await workerOfNewConnection(g.uniPort, g.pids, async () => {
      const stub = new UniClient(`127.0.0.1:${g.uniPort}`, grpc.credentials.createInsecure(), OWN_CONNECTION);
      // Raw bytes go out untouched (identity serializer); the pushes are decoded by the stub's schema in both cases.
      const call = Buffer.isBuffer(request)
        ? stub.makeServerStreamRequest<Buffer, Json>(CONSUME, (b) => b, decodePush, request)
        : (stub['Consume']!(request) as grpc.ClientReadableStream<Json>);
      call.on('data', (p: Json) => pushes.push(p));
      call.on('error', () => undefined); // the status below carries the end of the stream
      ended = new Promise<grpc.StatusObject>((resolve) => call.on('status', (st: grpc.StatusObject) => resolve((status = st))));
      close = () => {
        call.cancel();
        stub.close();
      };
      await waitFor(() => pushes.length > 0 || status !== undefined, 15_000, 'first push or end of the stream');
    });
    const connect = pushes[0]?.['connect'] as Json | undefined;
    const conn: UniConn = { pushes, ended: ended!, id: (connect?.['client'] as string | undefined) ?? '', worker, close };
    g.uni.push(conn);
    return conn;
  } catch (err) {
    close();
    throw err;
  }
}

describe('rotor serve --workers 2: GRPC server API and uni_grpc', () => {
  let g: Group;
  let server: ServerProcess;
  let pids: number[] = [];
  let grpcPort = 0;
  let api: ApiConn[] = [];
  const sdk: Client[] = [];
  let stopped = false;

  /** `n` SDK connections of `user` subscribed to `channel`, spread over both workers (checked through info). */
  async function subscribers(user: string, channel: string, n = K) {
    const out = range(n, 0).map((i) => {
      const protocol: SdkProtocol = i % 2 === 0 ? 'json' : 'protobuf';
      const client = sdkClient(protocol, server.wsUrl, { getToken: () => connectToken(user) });
      sdk.push(client);
      const sub = client.newSubscription(channel);
      const s = { protocol, id: '', sub, got: collect(protocol, sub) };
      client.on('connected', (ctx) => (s.id = ctx.client));
      sub.subscribe();
      client.connect();
      return s;
    });
    await Promise.all(out.map((s) => s.sub.ready(15_000)));
    await waitForBothWorkers(server, n);
    return out;
  }

  before(async () => {
    g = await startGroup(CONFIG);
    ({ server, pids, grpcPort, api } = g);
  });

  afterEach(async () => {
    for (const c of sdk.splice(0)) c.disconnect();
    for (const u of g.uni.splice(0)) u.close();
    if (stopped) return;
    // The next test counts its own connections in info: wait until these are gone from both workers.
    await waitFor(async () => (await rpcOk<{ nodes: { num_clients?: number }[] }>(api[0]!.stub, 'Info', {})).nodes.every((n) => (n.num_clients ?? 0) === 0), 15_000, 'no clients left', 100);
  });

  after(async () => {
    for (const c of sdk) c.disconnect();
    if (g !== undefined) await stopGroup(g);
    if (process.env['WORKERS_TEST_LOGS']) console.log(server.logs.join('\n'));
  });

  it('both workers share the GRPC API port and serve GRPC connections; Info through either lists both workers', async () => {
    assert.deepEqual(loggedPorts(server, /serving GRPC API service on .*:(\d+)/), [grpcPort, grpcPort], 'one GRPC API port for both workers');
    assert.deepEqual(loggedPorts(server, /serving uni_grpc endpoints on .*:(\d+)/), [g.uniPort, g.uniPort], 'one uni_grpc port for both workers');
    assert.equal(pids.length, 2);
    assert.deepEqual(new Set(api.map((a) => a.worker)), new Set(pids), `GRPC connections by worker: ${api.map((a) => a.worker).join(', ')}`);
    const seen = new Set<string>();
    for (const a of api) {
      const nodes = (await rpcOk<{ nodes: { name: string; uid: string }[] }>(a.stub, 'Info', {})).nodes;
      assert.deepEqual(nodes.map((n) => n.name).sort(), [`${NAME}#0`, `${NAME}#1`], `Info from worker ${a.worker}`);
      seen.add(nodes.map((n) => `${n.name}=${n.uid}`).sort().join(','));
    }
    assert.equal(seen.size, 1, 'every worker answers with the same two nodes');
  });

  it('Publish through GRPC on either worker reaches subscribers on both; History and Channels answer for the group', async () => {
    const ch = 'room:grpc-fanout';
    const subs = await subscribers('fan', ch);
    const results: { offset: number; epoch: string }[] = [];
    for (const i of range(2 * G)) results.push(await rpcOk(api[i % G]!.stub, 'Publish', { channel: ch, data: bytesOf({ i }) }));
    assert.deepEqual(results.map((r) => r.offset), range(2 * G), 'one stream: offsets 1..n whichever worker served the call');
    assert.equal(new Set(results.map((r) => r.epoch)).size, 1);
    await waitFor(() => subs.every((s) => s.got.values.length >= 2 * G), 15_000, 'every publication on every subscriber');
    for (const s of subs) {
      assert.deepEqual(s.got.values, range(2 * G).map((i) => ({ i })), `${s.protocol} subscriber: no loss, no duplicate, in order`);
      assert.deepEqual(s.got.offsets, range(2 * G));
    }
    for (const a of api) {
      const h = await rpcOk<{ publications: { data: Buffer; offset: number }[]; offset: number; epoch: string }>(a.stub, 'History', { channel: ch, limit: -1 });
      assert.deepEqual(h.publications.map((p) => [valueOf(p.data), p.offset]), range(2 * G).map((i) => [{ i }, i]), `History from worker ${a.worker}`);
      assert.equal(h.offset, 2 * G);
      assert.equal(h.epoch, results[0]!.epoch);
      const c = await rpcOk<{ channels: Record<string, { num_clients: number }> }>(a.stub, 'Channels', { pattern: 'room:grpc-*' });
      assert.deepEqual(c.channels, { [ch]: { num_clients: K } }, `Channels from worker ${a.worker}`);
    }
  });

  it('Presence and PresenceStats through GRPC list the clients of both workers', async () => {
    const ch = 'room:grpc-presence';
    const subs = await subscribers('pres', ch);
    const ids = subs.map((s) => s.id).sort();
    assert.equal(new Set(ids).size, K);
    for (const a of api) {
      const p = await rpcOk<{ presence: Record<string, { client: string; user: string }> }>(a.stub, 'Presence', { channel: ch });
      assert.deepEqual(Object.keys(p.presence).sort(), ids, `Presence from worker ${a.worker}`);
      for (const [id, info] of Object.entries(p.presence)) assert.deepEqual([info.client, info.user], [id, 'pres']);
      assert.deepEqual(await rpcOk(a.stub, 'PresenceStats', { channel: ch }), { num_clients: K, num_users: 1 }, `PresenceStats from worker ${a.worker}`);
    }
  });

  it('bad GRPC requests get their specified answers from either worker, which keeps serving', async () => {
    for (const a of api) {
      const where = `worker ${a.worker}`;
      // API errors travel in the response…
      assert.deepEqual((await rpc(a.stub, 'Publish', { channel: '', data: bytesOf(1) })).res, { error: { code: 107, message: 'bad request' } }, where);
      assert.deepEqual((await rpc(a.stub, 'Publish', { channel: 'nope:x', data: bytesOf(1) })).res, { error: { code: 102, message: 'unknown channel' } }, where);
      // …or as a GRPC status when the call asks for transport errors.
      const transport = await rpc(a.stub, 'Publish', { channel: '' }, metadata({ authorization: `apikey ${GRPC_KEY}`, 'x-centrifugo-error-mode': 'transport' }));
      assert.equal(transport.err?.code, grpc.status.INVALID_ARGUMENT, where);
      const noKey = await rpc(a.stub, 'Info', {}, metadata({}));
      assert.deepEqual([noKey.err?.code, noKey.err?.details], [grpc.status.UNAUTHENTICATED, 'unauthenticated'], where);
      const wrongKey = await rpc(a.stub, 'Publish', { channel: 'room:x', data: bytesOf(1) }, metadata({ authorization: 'apikey wrong' }));
      assert.equal(wrongKey.err?.code, grpc.status.UNAUTHENTICATED, where);
      const pro = await rpc(a.stub, 'Connections', {});
      assert.deepEqual([pro.err?.code, pro.err?.details], [grpc.status.UNIMPLEMENTED, 'method Connections not implemented'], where);
      assert.equal((await rawRpc(a.stub, 'Publish', Buffer.from([0x0a, 0xff])))?.code, grpc.status.INTERNAL, `malformed protobuf, ${where}`);
      // The same connection still serves.
      assert.equal((await rpcOk<{ nodes: unknown[] }>(a.stub, 'Info', {})).nodes.length, 2, where);
    }
  });

  it('uni_grpc streams on both workers get publications from the GRPC API, joins, leaves and presence across workers', async () => {
    const ch = 'room:uni';
    const first = await openUni(g, { token: await connectToken('uni-a', { channels: [ch] }) });
    const second = await openUni(g, { token: await connectToken('uni-b', { channels: [ch] }) });
    assert.notEqual(first.worker, second.worker, 'round-robin put the two streams on different workers');
    await waitForBothWorkers(server, 2);
    const subscribed = (u: UniConn): Json | undefined => (u.pushes[0]!['connect'] as { subs?: Record<string, Json> }).subs?.[ch];
    assert.ok(subscribed(first) !== undefined && subscribed(second) !== undefined, 'both subscribed to the token channel');
    // The second stream's join crosses to the first one's worker.
    const joined = (u: UniConn, id: string): boolean => u.pushes.some((p) => p['channel'] === ch && (p['join'] as { info?: Json } | undefined)?.info?.['client'] === id);
    await waitFor(() => joined(first, second.id), 15_000, 'join of the second stream on the first');
    for (const a of api) {
      const p = await rpcOk<{ presence: Record<string, Json> }>(a.stub, 'Presence', { channel: ch });
      assert.deepEqual(Object.keys(p.presence).sort(), [first.id, second.id].sort(), `Presence from worker ${a.worker}`);
    }
    // A publication through each GRPC connection (both workers) reaches both streams, in order.
    for (const i of range(G)) await rpcOk(api[i - 1]!.stub, 'Publish', { channel: ch, data: bytesOf({ i }) });
    const pubs = (u: UniConn): [unknown, number][] =>
      u.pushes.filter((p) => p['pub'] !== undefined).map((p) => {
        const pub = p['pub'] as { data: Buffer; offset: number };
        return [valueOf(pub.data), pub.offset];
      });
    await waitFor(() => pubs(first).length >= G && pubs(second).length >= G, 15_000, 'every publication on both streams');
    for (const u of [first, second]) assert.deepEqual(pubs(u), range(G).map((i) => [{ i }, i]), `stream on worker ${u.worker}`);
    // The second stream goes away: its leave reaches the first, presence shrinks on every worker.
    second.close();
    const left = (u: UniConn, id: string): boolean => u.pushes.some((p) => p['channel'] === ch && (p['leave'] as { info?: Json } | undefined)?.info?.['client'] === id);
    await waitFor(() => left(first, second.id), 15_000, 'leave of the second stream on the first');
    for (const a of api) {
      await waitFor(
        async () => Object.keys((await rpcOk<{ presence: Record<string, Json> }>(a.stub, 'Presence', { channel: ch })).presence).join() === first.id,
        15_000,
        `presence without the closed stream on worker ${a.worker}`,
        100,
      );
    }
  });

  it('bad uni_grpc requests get their specified answers on either worker', async () => {
    // Undecodable ConnectRequest bytes: INVALID_ARGUMENT, no push.
    const garbled = [await openUni(g, Buffer.from([0x0a, 0xff])), await openUni(g, Buffer.from([0x0a, 0xff]))];
    assert.deepEqual(new Set(garbled.map((u) => u.worker)), new Set(pids), 'one on each worker');
    for (const u of garbled) {
      assert.equal((await u.ended).code, grpc.status.INVALID_ARGUMENT, `worker ${u.worker}`);
      assert.deepEqual(u.pushes, []);
    }
    // A token that is not a JWT: the disconnect push of an invalid token (3002 in the default classic numbering), then the stream ends.
    const badToken = [await openUni(g, { token: 'not-a-jwt' }), await openUni(g, { token: 'not-a-jwt' })];
    assert.deepEqual(new Set(badToken.map((u) => u.worker)), new Set(pids), 'one on each worker');
    for (const u of badToken) {
      assert.equal((await u.ended).code, grpc.status.OK, `worker ${u.worker}`);
      assert.deepEqual(u.pushes, [{ disconnect: { code: 3002, reason: 'invalid token' } }], `worker ${u.worker}`);
    }
    // Both workers still take streams.
    const good = [await openUni(g, { token: await connectToken('after-bad') }), await openUni(g, { token: await connectToken('after-bad') })];
    assert.deepEqual(new Set(good.map((u) => u.worker)), new Set(pids));
    assert.ok(good.every((u) => u.id !== ''), 'connect pushes');
  });

  it('SIGTERM ends the uni_grpc streams of both workers with the shutdown disconnect; the group exits 0', async () => {
    const streams = [];
    for (const i of range(2)) streams.push(await openUni(g, { token: await connectToken(`drain-${i}`, { channels: ['room:drain'] }) }));
    assert.deepEqual(new Set(streams.map((s) => s.worker)), new Set(pids), 'one stream on each worker');
    stopped = true;
    assert.equal(await server.stop('SIGTERM'), 0);
    for (const s of streams) {
      const status = await s.ended;
      assert.equal(status.code, grpc.status.OK, `stream on worker ${s.worker} ended cleanly`);
      assert.deepEqual(s.pushes.at(-1), { disconnect: { code: 3001, reason: 'shutdown', reconnect: true } }, `stream on worker ${s.worker}`);
    }
  });
});

describe('rotor serve --workers 2: GRPC listeners under the default accept policy and a worker crash', () => {
  it('by default (SCHED_NONE) each worker holds the listening sockets of the GRPC API and uni_grpc ports itself', async () => {
    const g = await startGroup(CONFIG, { NODE_CLUSTER_SCHED_POLICY: undefined });
    try {
      for (const port of [g.grpcPort, g.uniPort]) {
        const listening = await tcpInodes(port, 'listening');
        assert.ok(listening.size > 0, `no listening socket on port ${port} in /proc/net/tcp`);
        for (const pid of g.pids) assert.ok((await socketInodes(pid)).some((i) => listening.has(i)), `worker ${pid} holds the listening socket of port ${port}`);
      }
      for (const a of g.api) assert.equal((await rpcOk<{ nodes: unknown[] }>(a.stub, 'Info', {})).nodes.length, 2);
      const u = await openUni(g, { token: await connectToken('sched-none') });
      assert.ok(u.id !== '', 'connect push');
    } finally {
      assert.equal(await stopGroup(g), 0);
    }
  });

  it("kill -9 of a worker: its uni_grpc stream ends, the other worker's keeps receiving; GRPC API clients reconnect; the restarted worker serves GRPC", async () => {
    const g = await startGroup(CONFIG);
    try {
      const ch = 'room:crash';
      const victim = await openUni(g, { token: await connectToken('crash-a', { channels: [ch] }) });
      const survivor = await openUni(g, { token: await connectToken('crash-b', { channels: [ch] }) });
      assert.notEqual(victim.worker, survivor.worker, 'one stream on each worker');
      assert.ok(g.api.some((a) => a.worker === victim.worker), 'a GRPC API connection on the worker to kill');
      process.kill(victim.worker, 'SIGKILL');
      assert.equal((await victim.ended).code, grpc.status.UNAVAILABLE, 'the stream of the killed worker ends as a dropped connection');
      // Node's round-robin accept: a connection handed to the dying worker is lost, so wait until the primary saw the exit.
      await waitFor(() => g.server.logs.some((l) => l.includes('worker exited, restarting')), 15_000, 'primary saw the exit');
      // Every GRPC API client publishes, those whose connection was on the killed worker too: grpc-js dials again on the next call.
      for (const i of range(G)) await rpcOk(g.api[i - 1]!.stub, 'Publish', { channel: ch, data: bytesOf({ i }) });
      const pubs = (u: UniConn): [unknown, number][] =>
        u.pushes.filter((p) => p['pub'] !== undefined).map((p) => [valueOf((p['pub'] as Json)['data']), (p['pub'] as Json)['offset'] as number]);
      await waitFor(() => pubs(survivor).length >= G, 15_000, 'every publication on the surviving stream');
      assert.deepEqual(pubs(survivor), range(G).map((i) => [{ i }, i]));
      assert.deepEqual(pubs(victim), [], 'nothing reached the dead stream');
      // The restarted worker serves GRPC again: Info lists two workers, a new stream pair lands on both live ones.
      await waitFor(() => workerPids(g.server).length === 3, 20_000, 'restarted worker');
      await waitFor(async () => (await rpcOk<{ nodes: unknown[] }>(g.api[0]!.stub, 'Info', {})).nodes.length === 2, 20_000, 'two nodes in Info', 100);
      const live = [survivor.worker, workerPids(g.server)[2]!];
      const again: UniConn[] = [];
      for (const _ of range(2)) again.push(await openUni({ ...g, pids: live }, { token: await connectToken('crash-c', { channels: [ch] }) }));
      assert.deepEqual(new Set(again.map((u) => u.worker)), new Set(live), 'both live workers serve uni_grpc');
      await rpcOk(g.api[0]!.stub, 'Publish', { channel: ch, data: bytesOf({ i: G + 1 }) });
      await waitFor(() => again.every((u) => pubs(u).length === 1), 15_000, 'publication on the new streams');
    } finally {
      assert.equal(await stopGroup(g), 0);
    }
  });
});

describe('rotor serve --workers 2: a GRPC listener that cannot bind', () => {
  // The GRPC API is bound after the HTTP listeners: a worker counts as serving only once it is bound too,
  // whatever the engine (with Redis each worker is a node of its own and the primary runs no engine).
  for (const engine of ['memory', 'redis'] as const) {
    it(`GRPC API port in use (${engine} engine): the start of the group fails with exit 1, no restart loop`, async () => {
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const port = (blocker.address() as AddressInfo).port;
      const redis = engine === 'redis' ? await spawnRedis() : undefined;
      try {
        const extra = redis !== undefined ? { engine: 'redis', redis_address: redis.address, redis_prefix: `workers-grpc-${process.pid}` } : {};
        await assert.rejects(spawnWorkers({ ...CONFIG, ...extra, grpc_api_port: port }), (err: Error) => {
          assert.match(err.message, /exited with 1/);
          assert.match(err.message, /before it started serving/);
          assert.doesNotMatch(err.message, /worker exited, restarting/);
          return true;
        });
      } finally {
        await new Promise<void>((resolve) => blocker.close(() => resolve()));
        await redis?.stop();
      }
    });
  }
});
