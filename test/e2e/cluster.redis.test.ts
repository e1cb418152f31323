/**
 * End-to-end scale-out over Redis: three built Rotor processes (A, B, C) on one real redis-server, and
 * two processes on a Redis sharded over two servers, driven by the real centrifuge-js SDK and the HTTP
 * server API (issue 6; Centrifugo's engines and brokers).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  apiOk,
  infoNodes,
  range,
  redisCli,
  ROOM_NAMESPACE,
  route,
  routedWebSocket,
  spawnNodes,
  stopAll,
  waitForNodeNames,
} from '../harness/cluster.js';
import type { ServerProcess } from '../harness/process.js';
import { spawnRedis, type RedisServerHandle } from '../harness/redis.js';
import { collect, decodeData, encodeData, PROTOCOLS, sdkClient, type Client } from '../harness/sdk.js';
import { connectToken } from '../harness/tokens.js';
import { waitFor } from '../harness/wait.js';

const RUN = `${process.pid}-${Date.now()}`;

function clusterConfig(name: string, redisAddress: string | string[], prefix: string): Record<string, unknown> {
  return {
    name,
    engine: 'redis',
    redis_address: redisAddress,
    redis_prefix: prefix,
    allow_anonymous_connect_without_token: true,
    client_presence_update_interval: '1s',
    namespaces: [
      { ...ROOM_NAMESPACE, allow_subscribe_for_anonymous: true },
      { name: 'srv', history_size: 10, history_ttl: '300s', force_recovery: true },
    ],
  };
}

type Stats = { num_clients: number; num_users: number };

describe('three Rotor processes on one Redis', () => {
  let redis: RedisServerHandle | undefined;
  const nodes: ServerProcess[] = [];
  let a: ServerProcess;
  let b: ServerProcess;
  let c: ServerProcess;
  const clients: Client[] = [];
  const track = (cl: Client): Client => {
    clients.push(cl);
    return cl;
  };

  before(async () => {
    redis = await spawnRedis();
    const prefix = `rotor-e2e-${RUN}`;
    [a, b, c] = (await spawnNodes(['A', 'B', 'C'].map((n) => clusterConfig(n, redis!.address, prefix)), nodes)) as [
      ServerProcess,
      ServerProcess,
      ServerProcess,
    ];
  });

  afterEach(() => {
    for (const cl of clients) cl.disconnect();
    clients.length = 0;
  });

  after(async () => {
    const codes = await stopAll(nodes);
    await redis?.stop();
    assert.deepEqual(codes, nodes.map(() => 0), 'every node exits 0 on SIGTERM');
  });

  it('info lists all three nodes, on every node', async () => {
    for (const node of [a, b, c]) await waitForNodeNames(node, ['A', 'B', 'C']);
    const uids = new Set((await infoNodes(a)).map((n) => n.uid));
    assert.equal(uids.size, 3, 'three distinct node uids');
  });

  it('clients on B (json) and C (protobuf) receive publications made through A, in order, exactly once', async () => {
    const ch = 'room:fanout';
    const onB = track(sdkClient('json', b.wsUrl));
    const onC = track(sdkClient('protobuf', c.wsUrl, { token: await connectToken('fanout-c') }));
    const subB = onB.newSubscription(ch);
    const subC = onC.newSubscription(ch);
    const gotB = collect('json', subB);
    const gotC = collect('protobuf', subC);
    subB.subscribe();
    subC.subscribe();
    onB.connect();
    onC.connect();
    await Promise.all([subB.ready(5000), subC.ready(5000)]);
    const results: Array<{ offset: number; epoch: string }> = [];
    for (const i of range(20)) results.push(await apiOk(a, 'publish', { channel: ch, data: { i } }));
    assert.deepEqual(results.map((r) => r.offset), range(20), 'offsets from the shared Redis stream');
    assert.equal(new Set(results.map((r) => r.epoch)).size, 1, 'one epoch');
    await waitFor(() => gotB.values.length >= 20 && gotC.values.length >= 20, 5000, '20 publications on B and C');
    const want = range(20).map((i) => ({ i }));
    assert.deepEqual(gotB.values, want);
    assert.deepEqual(gotC.values, want);
    assert.deepEqual(gotB.offsets, range(20));
    assert.deepEqual(gotC.offsets, range(20));
    // A client publish on C reaches the subscriber on B too.
    await subC.publish(encodeData('protobuf', { from: 'C' }));
    await waitFor(() => gotB.values.length === 21, 3000, 'client publication from C on B');
    assert.deepEqual(gotB.values[20], { from: 'C' });
    onB.disconnect();
    onC.disconnect();
  });

  it('an idempotency key is shared by all nodes: a repeat through another node is suppressed', async () => {
    const ch = 'room:idempotent';
    const cl = track(sdkClient('json', c.wsUrl, { token: await connectToken('idem') }));
    const sub = cl.newSubscription(ch);
    const got = collect('json', sub);
    sub.subscribe();
    cl.connect();
    await sub.ready(5000);
    const first = await apiOk<{ offset: number; epoch: string }>(a, 'publish', { channel: ch, data: { n: 1 }, idempotency_key: 'once' });
    const repeat = await apiOk<{ offset: number; epoch: string }>(b, 'publish', { channel: ch, data: { n: 1 }, idempotency_key: 'once' });
    assert.deepEqual(repeat, first, 'the repeat through B returns the first result');
    await apiOk(b, 'publish', { channel: ch, data: { n: 2 } });
    await waitFor(() => got.values.length >= 2, 3000, 'two publications');
    assert.deepEqual(got.values, [{ n: 1 }, { n: 2 }]);
    assert.deepEqual(got.offsets, [1, 2]);
  });

  it('presence and presence_stats count users on every node; join/leave cross nodes', async () => {
    const ch = 'room:presence';
    const alice = track(sdkClient('json', a.wsUrl, { token: await connectToken('alice') }));
    const subA = alice.newSubscription(ch);
    const joins: string[] = [];
    const leaves: string[] = [];
    subA.on('join', (ctx) => joins.push(ctx.info.user));
    subA.on('leave', (ctx) => leaves.push(ctx.info.user));
    subA.subscribe();
    alice.connect();
    await subA.ready(5000);
    const others: Array<{ node: ServerProcess; user: string; client?: Client }> = [
      { node: b, user: 'bob' },
      { node: c, user: 'bob' },
      { node: b, user: '' },
    ];
    for (const o of others) {
      const cl = track(
        o.user === '' ? sdkClient('protobuf', o.node.wsUrl) : sdkClient('protobuf', o.node.wsUrl, { token: await connectToken(o.user) }),
      );
      const s = cl.newSubscription(ch);
      s.subscribe();
      cl.connect();
      await s.ready(5000);
      o.client = cl;
    }
    for (const node of [a, b, c]) {
      assert.deepEqual(await apiOk<Stats>(node, 'presence_stats', { channel: ch }), { num_clients: 4, num_users: 3 }, `presence_stats via ${node.port}`);
    }
    const presence = await apiOk<{ presence: Record<string, { user: string; client: string }> }>(c, 'presence', { channel: ch });
    assert.deepEqual(Object.values(presence.presence).map((p) => p.user).sort(), ['', 'alice', 'bob', 'bob']);
    assert.deepEqual(await subA.presenceStats(), { numClients: 4, numUsers: 3 }, 'SDK presence stats on A');
    await waitFor(() => joins.length >= 4, 3000, 'joins from B and C seen on A');
    assert.deepEqual(joins.sort(), ['', 'alice', 'bob', 'bob'], 'own join (A) and joins from B and C');
    others[1]!.client!.disconnect();
    await waitFor(() => leaves.length === 1, 3000, 'leave from C seen on A');
    assert.deepEqual(leaves, ['bob']);
    assert.deepEqual(await apiOk<Stats>(b, 'presence_stats', { channel: ch }), { num_clients: 3, num_users: 3 });
    for (const o of others) o.client!.disconnect();
    alice.disconnect();
  });

  it('info reports each node with its own client counts', async () => {
    const conns = [
      track(sdkClient('json', a.wsUrl, { token: await connectToken('count-a') })),
      track(sdkClient('json', b.wsUrl, { token: await connectToken('count-b1') })),
      track(sdkClient('json', b.wsUrl, { token: await connectToken('count-b2') })),
    ];
    for (const cl of conns) cl.connect();
    await Promise.all(conns.map((cl) => cl.ready(5000)));
    let seen = '';
    // Remote entries refresh with the 3 s heartbeat; earlier tests' clients are gone by then.
    await waitFor(
      async () => {
        const byName = Object.fromEntries((await infoNodes(c)).map((n) => [n.name, [n.num_clients ?? 0, n.num_users ?? 0]]));
        seen = JSON.stringify(byName);
        return seen === JSON.stringify({ ...byName, A: [1, 1], B: [2, 2], C: [0, 0] });
      },
      8000,
      'per-node counts in info',
      100,
    ).catch((err: Error) => assert.fail(`${err.message}; last: ${seen}`));
    for (const cl of conns) cl.disconnect();
  });

  it('API disconnect by user through A reaches the user\'s clients on B and C', async () => {
    const user = 'kick-me';
    const onB = track(sdkClient('json', b.wsUrl, { token: await connectToken(user) }));
    const onC = track(sdkClient('protobuf', c.wsUrl, { token: await connectToken(user) }));
    const bystander = track(sdkClient('json', b.wsUrl, { token: await connectToken('stay') }));
    const events: Array<{ who: string; code: number; reason: string }> = [];
    onB.on('disconnected', (ctx) => events.push({ who: 'B', code: ctx.code, reason: ctx.reason }));
    onC.on('disconnected', (ctx) => events.push({ who: 'C', code: ctx.code, reason: ctx.reason }));
    bystander.on('disconnected', (ctx) => events.push({ who: 'bystander', code: ctx.code, reason: ctx.reason }));
    for (const cl of [onB, onC, bystander]) cl.connect();
    await Promise.all([onB, onC, bystander].map((cl) => cl.ready(5000)));
    assert.deepEqual(await apiOk(a, 'disconnect', { user }), {});
    await waitFor(() => events.length >= 2, 5000, 'both clients disconnected');
    assert.deepEqual(
      events.sort((x, y) => x.who.localeCompare(y.who)),
      [
        { who: 'B', code: 3012, reason: 'force disconnect' },
        { who: 'C', code: 3012, reason: 'force disconnect' },
      ],
    );
    assert.equal(bystander.state, 'connected');
    // A custom code travels too (4500+: terminal).
    const again = track(sdkClient('json', c.wsUrl, { token: await connectToken(user) }));
    const custom = new Promise<{ code: number; reason: string }>((r) => again.on('disconnected', r));
    again.connect();
    await again.ready(5000);
    await apiOk(a, 'disconnect', { user, disconnect: { code: 4501, reason: 'custom bye' } });
    assert.deepEqual(await custom, { code: 4501, reason: 'custom bye' });
    bystander.disconnect();
  });

  it('API subscribe, unsubscribe and refresh by user through A reach a client on C', async () => {
    const user = 'remote-ops';
    const ch = 'srv:remote';
    const cl = track(
      sdkClient('protobuf', c.wsUrl, { getToken: () => connectToken(user), minReconnectDelay: 200, maxReconnectDelay: 200 }),
    );
    const subscribed: string[] = [];
    const unsubscribed: string[] = [];
    const pubs: unknown[] = [];
    const connecting: Array<{ code: number; reason: string }> = [];
    let connects = 0;
    cl.on('subscribed', (ctx) => subscribed.push(ctx.channel));
    cl.on('unsubscribed', (ctx) => unsubscribed.push(ctx.channel));
    cl.on('publication', (ctx) => pubs.push(decodeData('protobuf', ctx.data)));
    cl.on('connecting', (ctx) => connecting.push({ code: ctx.code, reason: ctx.reason }));
    cl.on('connected', () => connects++);
    cl.connect();
    await cl.ready(5000);
    assert.deepEqual(await apiOk(a, 'subscribe', { user, channel: ch }), {});
    await waitFor(() => subscribed.includes(ch), 5000, 'server-side subscription made through A');
    await apiOk(b, 'publish', { channel: ch, data: { via: 'B' } });
    await waitFor(() => pubs.length === 1, 3000, 'publication through B');
    assert.deepEqual(pubs, [{ via: 'B' }]);
    assert.deepEqual(await apiOk(a, 'unsubscribe', { user, channel: ch }), {});
    await waitFor(() => unsubscribed.length === 1, 5000, 'unsubscribe made through A');
    assert.deepEqual(unsubscribed, [ch]);
    connecting.length = 0;
    assert.deepEqual(await apiOk(a, 'refresh', { user, expired: true }), {});
    await waitFor(() => connecting.length >= 1, 5000, 'refresh(expired) made through A closes the connection');
    assert.deepEqual(connecting[0], { code: 3005, reason: 'expired' });
    await waitFor(() => connects === 2, 5000, 'reconnected after the expiry');
    cl.disconnect();
  });

  it('history written through A is read through B (API) and C (SDK); history_remove through B', async () => {
    const ch = 'room:history';
    let epoch = '';
    for (const i of range(5)) epoch = (await apiOk<{ epoch: string }>(a, 'publish', { channel: ch, data: { i } })).epoch;
    const viaB = await apiOk<{ publications: Array<{ data: unknown; offset: number }>; offset: number; epoch: string }>(b, 'history', {
      channel: ch,
      limit: 10,
    });
    assert.deepEqual(viaB.publications.map((p) => [p.offset, p.data]), range(5).map((i) => [i, { i }]));
    assert.equal(viaB.offset, 5);
    assert.equal(viaB.epoch, epoch);
    const cl = track(sdkClient('protobuf', c.wsUrl, { token: await connectToken('reader') }));
    const sub = cl.newSubscription(ch);
    sub.subscribe();
    cl.connect();
    await sub.ready(5000);
    const since = await sub.history({ limit: 10, since: { offset: 2, epoch } });
    assert.deepEqual(since.publications.map((p) => decodeData('protobuf', p.data)), [{ i: 3 }, { i: 4 }, { i: 5 }]);
    assert.equal(since.epoch, epoch);
    await apiOk(b, 'history_remove', { channel: ch });
    const afterRemove = await apiOk<{ publications?: unknown[]; offset: number; epoch: string }>(c, 'history', { channel: ch, limit: 10 });
    assert.deepEqual(afterRemove.publications ?? [], []);
    assert.equal(afterRemove.offset, 5, 'top offset survives history_remove');
    assert.equal(afterRemove.epoch, epoch);
    cl.disconnect();
  });

  it('channels aggregates subscribers of every node', async () => {
    const conns: Client[] = [];
    for (const [node, ch] of [
      [a, 'room:agg-1'],
      [b, 'room:agg-1'],
      [c, 'room:agg-1'],
      [b, 'room:agg-2'],
    ] as const) {
      const cl = track(sdkClient('json', node.wsUrl));
      const s = cl.newSubscription(ch);
      s.subscribe();
      cl.connect();
      await s.ready(5000);
      conns.push(cl);
    }
    for (const node of [a, b, c]) {
      assert.deepEqual(await apiOk(node, 'channels', { pattern: 'room:agg-*' }), {
        channels: { 'room:agg-1': { num_clients: 3 }, 'room:agg-2': { num_clients: 1 } },
      });
    }
    for (const cl of conns) cl.disconnect();
  });

  for (const protocol of PROTOCOLS) {
    it(`recovery after a ${protocol} client moves from A to B`, async () => {
      const ch = `room:move-${protocol}`;
      const user = `mover-${protocol}`;
      const r = route(a.wsUrl);
      const cl = track(
        sdkClient(protocol, a.wsUrl, { token: await connectToken(user), websocket: routedWebSocket(r), minReconnectDelay: 300, maxReconnectDelay: 300 }),
      );
      const sub = cl.newSubscription(ch);
      const got = collect(protocol, sub);
      const subscribed: Array<{ recovered: boolean; wasRecovering: boolean }> = [];
      sub.on('subscribed', (ctx) => subscribed.push({ recovered: ctx.recovered, wasRecovering: ctx.wasRecovering }));
      sub.subscribe();
      cl.connect();
      await sub.ready(5000);
      for (const i of range(3)) await apiOk(a, 'publish', { channel: ch, data: { i } });
      await waitFor(() => got.values.length === 3, 3000, 'first 3 on A');
      r.url = b.wsUrl;
      const moving = new Promise((res) => cl.once('connecting', res));
      await apiOk(a, 'disconnect', { user, disconnect: { code: 4001, reason: 'move along' } });
      await moving;
      for (const i of range(5, 4)) await apiOk(c, 'publish', { channel: ch, data: { i } });
      await waitFor(() => subscribed.length === 2, 5000, 'resubscribed on B');
      for (const i of range(2, 9)) await apiOk(a, 'publish', { channel: ch, data: { i } });
      await waitFor(() => got.values.length >= 10, 3000, 'all 10');
      assert.deepEqual(r.dialled, [a.wsUrl, b.wsUrl], 'connected to A, then to B');
      assert.deepEqual(subscribed[1], { recovered: true, wasRecovering: true });
      assert.deepEqual(got.values, range(10).map((i) => ({ i })));
      assert.deepEqual(got.offsets, range(10));
      cl.disconnect();
    });
  }
});

describe('two Rotor processes on Redis sharded over two servers', () => {
  const redis: RedisServerHandle[] = [];
  const nodes: ServerProcess[] = [];
  let a: ServerProcess;
  let b: ServerProcess;
  const prefix = `rotor-e2e-shard-${RUN}`;
  const clients: Client[] = [];

  before(async () => {
    redis.push(await spawnRedis(), await spawnRedis());
    const addresses = redis.map((r) => r.address);
    [a, b] = (await spawnNodes(['A', 'B'].map((n) => clusterConfig(n, addresses, prefix)), nodes)) as [ServerProcess, ServerProcess];
  });

  after(async () => {
    for (const cl of clients) cl.disconnect();
    const codes = await stopAll(nodes);
    await Promise.allSettled(redis.map((r) => r.stop()));
    assert.deepEqual(codes, nodes.map(() => 0), 'every node exits 0 on SIGTERM');
  });

  it('info, publications, history and presence work across nodes and both shards hold data', async () => {
    await waitForNodeNames(a, ['A', 'B']);
    await waitForNodeNames(b, ['A', 'B']);
    const channels = range(8).map((i) => `room:shard-${i}`);
    const onB = sdkClient('json', b.wsUrl, { token: await connectToken('shard-user') });
    clients.push(onB);
    const got = new Map<string, ReturnType<typeof collect>>();
    for (const ch of channels) {
      const s = onB.newSubscription(ch);
      got.set(ch, collect('json', s));
      s.subscribe();
    }
    onB.connect();
    await Promise.all(channels.map((ch) => onB.getSubscription(ch)!.ready(5000)));
    for (const ch of channels) for (const i of range(2)) await apiOk(a, 'publish', { channel: ch, data: { ch, i } });
    await waitFor(() => [...got.values()].every((g) => g.values.length >= 2), 5000, 'two publications per channel on B');
    for (const ch of channels) {
      assert.deepEqual(got.get(ch)!.values, [{ ch, i: 1 }, { ch, i: 2 }], ch);
      assert.deepEqual(got.get(ch)!.offsets, [1, 2], ch);
      const h = await apiOk<{ publications: Array<{ offset: number }> }>(b, 'history', { channel: ch, limit: 10 });
      assert.deepEqual(h.publications.map((p) => p.offset), [1, 2], `history of ${ch} through B`);
      assert.deepEqual(await apiOk<Stats>(a, 'presence_stats', { channel: ch }), { num_clients: 1, num_users: 1 });
    }
    // Each channel's stream lives on exactly one shard, and both shards are used.
    const perShard = await Promise.all(
      redis.map(async (r) =>
        (await redisCli(r.port, ['--scan', '--pattern', `${prefix}.stream.room:shard-*`]))
          .split('\n')
          .filter((l) => l !== '' && !l.includes('.meta.'))
          .map((k) => k.slice(`${prefix}.stream.`.length))
          .sort(),
      ),
    );
    assert.ok(perShard.every((keys) => keys.length > 0), `both shards hold streams: ${JSON.stringify(perShard)}`);
    assert.deepEqual([...perShard[0]!, ...perShard[1]!].sort(), [...channels].sort(), 'every stream on exactly one shard');
    // Control messages are spread over the shards: API disconnect through A still reaches B every time.
    for (const n of range(3)) {
      const user = `shard-kick-${n}`;
      const cl = sdkClient('json', b.wsUrl, { token: await connectToken(user) });
      clients.push(cl);
      const gone = new Promise<{ code: number }>((res) => cl.on('disconnected', res));
      cl.connect();
      await cl.ready(5000);
      await apiOk(a, 'disconnect', { user });
      assert.equal((await gone).code, 3012, `disconnect #${n} through A reached B`);
    }
    onB.disconnect();
  });
});
