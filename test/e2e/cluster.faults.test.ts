/**
 * End-to-end fault tests of a Redis-backed Rotor cluster (built server in child processes, real
 * redis-server, real centrifuge-js): a Redis restart while publishing to a recoverable channel, a node
 * killed with SIGKILL, a node shut down gracefully (SIGTERM); and a nats-server restart under a
 * `broker: nats` cluster. Clients are moved between nodes with
 * `routedWebSocket` (test/harness/cluster.ts): the route is pointed at the surviving node before the
 * old one goes away, so the SDK's own reconnect lands there.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { PublicationContext, Subscription } from 'centrifuge';
import {
  apiOk,
  infoNodes,
  logsMatching,
  publishWithRetry,
  range,
  redisCli,
  route,
  routedWebSocket,
  spawnNodes,
  stopAll,
  waitForNodeNames,
} from '../harness/cluster.js';
import { spawnNats, type NatsServerHandle } from '../harness/nats.js';
import type { ServerProcess } from '../harness/process.js';
import { spawnRedis, type RedisServerHandle } from '../harness/redis.js';
import { decodeData, sdkClient, type Client, type SdkProtocol } from '../harness/sdk.js';
import { connectToken } from '../harness/tokens.js';
import { waitFor } from '../harness/wait.js';

const RUN = `${process.pid}-${Date.now()}`;

function nodeConfig(name: string, redisAddress: string, prefix: string): Record<string, unknown> {
  return {
    name,
    engine: 'redis',
    redis_address: redisAddress,
    redis_prefix: prefix,
    allow_anonymous_connect_without_token: true,
    namespaces: [
      {
        name: 'room',
        history_size: 1000,
        history_ttl: '300s',
        force_recovery: true,
        allow_subscribe_for_client: true,
      },
    ],
  };
}

/** What one subscriber saw: `i` values of publications in arrival order and every `subscribed` event. */
interface Observer {
  readonly name: string;
  readonly client: Client;
  readonly values: number[];
  readonly subscribed: Array<{ recovered: boolean; wasRecovering: boolean }>;
  /** `values.length` at each `subscribed` event after the first. */
  readonly marks: number[];
  readonly connecting: Array<{ code: number; reason: string }>;
}

function valueOf(protocol: SdkProtocol, ctx: PublicationContext): number {
  return (decodeData(protocol, ctx.data) as { i: number }).i;
}

/**
 * A client subscribed to `channel`: client-side (`newSubscription`) or server-side (token `channels`
 * claim; recovers through `connect.subs`). Resolves when subscribed.
 */
async function observer(
  name: string,
  protocol: SdkProtocol,
  url: string,
  channel: string,
  opts: { serverSide?: boolean; routeTo?: ReturnType<typeof route> } = {},
): Promise<Observer> {
  const user = `${name}-${RUN}`;
  const token = await connectToken(user, opts.serverSide ? { channels: [channel] } : {});
  const client = sdkClient(protocol, url, {
    token,
    minReconnectDelay: 200,
    maxReconnectDelay: 400,
    ...(opts.routeTo ? { websocket: routedWebSocket(opts.routeTo) } : {}),
  });
  const o: Observer = { name, client, values: [], subscribed: [], marks: [], connecting: [] };
  const onSubscribed = (ctx: { channel: string; recovered: boolean; wasRecovering: boolean }): void => {
    if (ctx.channel !== channel) return;
    if (o.subscribed.length > 0) o.marks.push(o.values.length);
    o.subscribed.push({ recovered: ctx.recovered, wasRecovering: ctx.wasRecovering });
  };
  client.on('connecting', (ctx) => o.connecting.push({ code: ctx.code, reason: ctx.reason }));
  let sub: Subscription | undefined;
  if (opts.serverSide) {
    client.on('subscribed', onSubscribed);
    client.on('publication', (ctx) => {
      if (ctx.channel === channel) o.values.push(valueOf(protocol, ctx));
    });
  } else {
    sub = client.newSubscription(channel);
    sub.on('subscribed', (ctx) => onSubscribed({ channel, recovered: ctx.recovered, wasRecovering: ctx.wasRecovering }));
    sub.on('publication', (ctx) => o.values.push(valueOf(protocol, ctx)));
    sub.subscribe();
  }
  client.connect();
  await waitFor(() => o.subscribed.length === 1, 5000, `${name} subscribed`, 10);
  o.connecting.length = 0; // the 'connect called' event of connect()
  return o;
}

function describeObservers(observers: readonly Observer[]): string {
  return observers
    .map((o) => `${o.name}: ${o.values.length} values, last ${o.values.at(-1)}, subscribed ${JSON.stringify(o.subscribed)}, connecting ${JSON.stringify(o.connecting)}`)
    .join('\n');
}

/** Waits until every observer ends with exactly 1..n, and asserts it. */
async function assertExactlyOnce(observers: readonly Observer[], n: number, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => observers.every((o) => o.values.length >= n), timeoutMs, `every client to get ${n} publications`, 20).catch(
    (err: Error) => assert.fail(`${err.message}\n${describeObservers(observers)}`),
  );
  for (const o of observers) assert.deepEqual(o.values, range(n), `${o.name} got every publication exactly once, in order`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

describe('redis-server restarts while publishing to a recoverable channel', () => {
  let redis: RedisServerHandle | undefined;
  const nodes: ServerProcess[] = [];
  let a: ServerProcess;
  let b: ServerProcess;
  const observers: Observer[] = [];

  before(async () => {
    redis = await spawnRedis();
    [a, b] = (await spawnNodes(['A', 'B'].map((n) => nodeConfig(n, redis!.address, `rotor-e2e-rr-${RUN}`)), nodes)) as [
      ServerProcess,
      ServerProcess,
    ];
    await waitForNodeNames(a, ['A', 'B']);
  });

  afterEach(() => {
    for (const o of observers) o.client.disconnect();
    observers.length = 0;
  });

  after(async () => {
    const codes = await stopAll(nodes);
    await redis?.stop();
    assert.deepEqual(codes, [0, 0], 'both nodes exit 0 on SIGTERM');
  });

  async function subscribeAll(channel: string): Promise<void> {
    observers.push(
      await observer('json-A', 'json', a.wsUrl, channel),
      await observer('protobuf-B', 'protobuf', b.wsUrl, channel),
      await observer('json-B-server-side', 'json', b.wsUrl, channel, { serverSide: true }),
      await observer('protobuf-A-server-side', 'protobuf', a.wsUrl, channel, { serverSide: true }),
    );
  }

  it('restart keeping data (SHUTDOWN SAVE): every client ends with every publication exactly once', async () => {
    const channel = 'room:redis-restart';
    await subscribeAll(channel);
    const pick = (i: number) => () => (i % 2 === 0 ? a : b);
    const offsets: number[] = [];
    let i = 0;
    let failedAttempts = 0;
    const publishNext = async (): Promise<void> => {
      i++;
      const r = await publishWithRetry(pick(i), channel, { i }, `k-${i}`);
      offsets.push(r.offset);
      failedAttempts += r.failures;
    };
    while (i < 15) await publishNext();
    let restarted = false;
    const restart = (async () => {
      // SHUTDOWN SAVE writes dump.rdb into the server's --dir; start() reuses the dir and loads it.
      await redisCli(redis!.port, ['SHUTDOWN', 'SAVE']).catch(() => undefined);
      await sleep(700); // Redis stays down for a while: publishes fail and are retried meanwhile.
      await redis!.start();
      restarted = true;
    })();
    // Publish through the outage until every client got something published after the restart
    // (so every node's PUB/SUB is back), then 10 more.
    let firstAfter = Number.POSITIVE_INFINITY;
    const deadline = Date.now() + 30_000;
    while (!(restarted && observers.every((o) => (o.values.at(-1) ?? 0) >= firstAfter))) {
      if (Date.now() > deadline) assert.fail(`no delivery after the restart\n${describeObservers(observers)}`);
      const before = i;
      await publishNext();
      if (restarted && firstAfter === Number.POSITIVE_INFINITY) firstAfter = before + 1;
      await sleep(20);
    }
    await restart;
    for (let k = 0; k < 10; k++) await publishNext();
    assert.deepEqual(offsets, range(i), 'Redis stream offsets 1..n: no publication lost or appended twice');
    assert.ok(failedAttempts > 0, 'some publishes hit the outage (the restart really happened mid-stream)');
    await assertExactlyOnce(observers, i);
    // The control bus came back too: heartbeats list both nodes, API disconnect through A reaches B.
    await waitForNodeNames(b, ['A', 'B']);
    const onB = observers[1]!;
    const gone = new Promise<{ code: number }>((res) => onB.client.once('disconnected', res));
    await apiOk(a, 'disconnect', { user: `${onB.name}-${RUN}` });
    assert.equal((await gone).code, 3012, 'disconnect through A reached the client on B after the restart');
  });

  it('Redis drops every PUB/SUB connection while publishing: clients see the gap and recover exactly once', async () => {
    // Unlike the restart above (where, depending on which reconnects first, the nodes may miss nothing),
    // this makes the nodes miss publications for sure: Redis keeps serving commands while their PUB/SUB
    // connections are gone (reconnect after ≥ 250 ms).
    const channel = 'room:pubsub-drop';
    await subscribeAll(channel);
    let i = 0;
    let killed = '';
    while (i < 80) {
      i++;
      await apiOk(i % 2 === 0 ? a : b, 'publish', { channel, data: { i } });
      if (i === 20) killed = await redisCli(redis!.port, ['CLIENT', 'KILL', 'TYPE', 'pubsub']);
      await sleep(10);
    }
    assert.ok(Number(killed) >= 4, `killed both nodes' data and control PUB/SUB connections: ${killed}`);
    await assertExactlyOnce(observers, i);
    for (const o of observers) {
      assert.ok(o.subscribed.length >= 2, `${o.name} noticed the gap and resubscribed: ${JSON.stringify(o.subscribed)}`);
      assert.ok(o.subscribed.slice(1).every((s) => s.recovered && s.wasRecovering), `${o.name} recovered: ${JSON.stringify(o.subscribed)}`);
    }
  });

  it('restart losing data: clients are told they could not recover, nothing is duplicated', async () => {
    const channel = 'room:redis-loss';
    await subscribeAll(channel);
    let i = 0;
    let epoch = '';
    const publishNext = async (): Promise<void> => {
      i++;
      epoch = (await publishWithRetry(() => (i % 2 === 0 ? a : b), channel, { i }, `k-${i}`)).epoch;
    };
    for (let k = 0; k < 10; k++) await publishNext();
    await waitFor(() => observers.every((o) => o.values.length === 10), 5000, 'first 10 everywhere');
    // The Redis engine's epoch is the stream's creation second: wait for a new second so the
    // recreated stream cannot get the same epoch.
    const oldEpoch = epoch;
    await waitFor(() => Math.floor(Date.now() / 1000) > Number(oldEpoch), 2000, 'next second', 20);
    const dir = (await redisCli(redis!.port, ['CONFIG', 'GET', 'dir'])).split('\n')[1]?.trim() ?? '';
    await redis!.kill();
    if (dir !== '') await rm(join(dir, 'dump.rdb'), { force: true });
    await redis!.start();
    const deadline = Date.now() + 30_000;
    const toldAndLive = (o: Observer): boolean =>
      o.subscribed.some((s) => !s.recovered) && (o.marks.at(-1) ?? Number.POSITIVE_INFINITY) < o.values.length;
    while (!observers.every(toldAndLive)) {
      if (Date.now() > deadline) assert.fail(`clients not resubscribed after data loss\n${describeObservers(observers)}`);
      await publishNext();
      await sleep(20);
    }
    for (let k = 0; k < 5; k++) await publishNext();
    assert.notEqual(epoch, oldEpoch, 'the recreated stream has a new epoch');
    await waitFor(() => observers.every((o) => o.values.at(-1) === i), 5000, 'last publication everywhere').catch((err: Error) =>
      assert.fail(`${err.message}\n${describeObservers(observers)}`),
    );
    for (const o of observers) {
      assert.deepEqual(o.values.slice(0, 10), range(10), `${o.name}: everything before the loss`);
      assert.ok(
        o.subscribed.slice(1).some((s) => s.wasRecovering && !s.recovered),
        `${o.name} was told it could not recover: ${JSON.stringify(o.subscribed)}`,
      );
      for (let k = 1; k < o.values.length; k++) {
        assert.ok(o.values[k]! > o.values[k - 1]!, `${o.name}: no duplicate or reordering: ${o.values.join(',')}`);
      }
      // After the (last) resubscription nothing is missed.
      const tail = o.values.slice(o.marks.at(-1));
      assert.deepEqual(tail, range(tail.length, tail[0]), `${o.name}: contiguous after resubscribing`);
    }
  });
});

describe('a node dies or shuts down: its clients move to another node and recover', () => {
  let redis: RedisServerHandle | undefined;
  const nodes: ServerProcess[] = [];
  let a: ServerProcess;
  let b: ServerProcess;
  let c: ServerProcess;
  const observers: Observer[] = [];

  before(async () => {
    redis = await spawnRedis();
    [a, b, c] = (await spawnNodes(['A', 'B', 'C'].map((n) => nodeConfig(n, redis!.address, `rotor-e2e-nf-${RUN}`)), nodes)) as [
      ServerProcess,
      ServerProcess,
      ServerProcess,
    ];
    await waitForNodeNames(b, ['A', 'B', 'C']);
  });

  afterEach(() => {
    for (const o of observers) o.client.disconnect();
    observers.length = 0;
  });

  after(async () => {
    await stopAll(nodes, 'SIGKILL');
    await redis?.stop();
  });

  /** Publishes 1..total through `through`, running `midway` after publication `at`. */
  async function publishAcross(through: ServerProcess, channel: string, total: number, at: number, midway: () => Promise<void>): Promise<void> {
    for (let i = 1; i <= total; i++) {
      await apiOk(through, 'publish', { channel, data: { i } });
      if (i === at) await midway();
      await sleep(10);
    }
  }

  it('kill -9 of node A: its clients reconnect to B and recover without loss', async () => {
    const channel = 'room:node-kill';
    const r = route(a.wsUrl);
    observers.push(
      await observer('json-A', 'json', a.wsUrl, channel, { routeTo: r }),
      await observer('protobuf-A', 'protobuf', a.wsUrl, channel, { routeTo: r }),
      await observer('json-A-server-side', 'json', a.wsUrl, channel, { routeTo: r, serverSide: true }),
      await observer('protobuf-B-bystander', 'protobuf', b.wsUrl, channel),
    );
    let killedExit: number | null | undefined;
    await publishAcross(b, channel, 60, 20, async () => {
      r.url = b.wsUrl;
      killedExit = await a.stop('SIGKILL');
    });
    assert.equal(killedExit, null, 'A was killed by a signal');
    await assertExactlyOnce(observers, 60);
    for (const o of observers.slice(0, 3)) {
      assert.deepEqual(o.subscribed.slice(1), [{ recovered: true, wasRecovering: true }], `${o.name} recovered once`);
      assert.equal(o.connecting[0]?.reason, 'transport closed', `${o.name} saw the connection drop`);
    }
    assert.deepEqual(r.dialled.slice(-1), [b.wsUrl]);
    assert.deepEqual(observers[3]!.subscribed.length, 1, 'the client on B was not disturbed');
    // A stops heartbeating: the others drop it from `info` after ~7 s.
    await waitForNodeNames(b, ['B', 'C'], 15_000);
  });

  it('graceful shutdown (SIGTERM) of node C: its clients get disconnect 3001 "shutdown", move to B and recover', async () => {
    const channel = 'room:node-shutdown';
    const r = route(c.wsUrl);
    observers.push(
      await observer('json-C', 'json', c.wsUrl, channel, { routeTo: r }),
      await observer('protobuf-C', 'protobuf', c.wsUrl, channel, { routeTo: r }),
      await observer('protobuf-C-server-side', 'protobuf', c.wsUrl, channel, { routeTo: r, serverSide: true }),
    );
    let exitCode: number | null | undefined;
    let leftInfoMs = Number.POSITIVE_INFINITY;
    await publishAcross(b, channel, 40, 15, async () => {
      r.url = b.wsUrl;
      const t0 = Date.now();
      exitCode = await c.stop('SIGTERM');
      // C announced its shutdown: B drops it at once instead of after the 7 s expiry.
      await waitFor(async () => !(await infoNodes(b)).some((n) => n.name === 'C'), 2000, 'C to leave B\'s info', 20);
      leftInfoMs = Date.now() - t0;
    });
    assert.equal(exitCode, 0, `C exits 0 after a graceful shutdown\n${logsMatching(c, 'shut', 'error')}`);
    assert.ok(leftInfoMs < 2500, `C left B's info at once (${leftInfoMs} ms)`);
    await assertExactlyOnce(observers, 40);
    for (const o of observers) {
      assert.deepEqual(o.connecting[0], { code: 3001, reason: 'shutdown' }, `${o.name} got the shutdown disconnect`);
      assert.deepEqual(o.subscribed.slice(1), [{ recovered: true, wasRecovering: true }], `${o.name} recovered on B`);
    }
    assert.deepEqual(r.dialled.slice(-1), [b.wsUrl]);
  });
});

describe('nats-server restarts while publishing (broker nats)', () => {
  let nats: NatsServerHandle | undefined;
  const nodes: ServerProcess[] = [];
  let a: ServerProcess;
  let b: ServerProcess;
  const observers: Observer[] = [];

  before(async () => {
    nats = await spawnNats();
    const config = (name: string): Record<string, unknown> => ({
      name,
      broker: 'nats',
      nats_url: nats!.url,
      nats_prefix: `rotor-e2e-nr-${RUN}`,
      allow_anonymous_connect_without_token: true,
      namespaces: [{ name: 'room', allow_subscribe_for_client: true }],
    });
    [a, b] = (await spawnNodes([config('A'), config('B')], nodes)) as [ServerProcess, ServerProcess];
    await waitForNodeNames(a, ['A', 'B']);
  });

  after(async () => {
    for (const o of observers) o.client.disconnect();
    const codes = await stopAll(nodes);
    await nats?.stop();
    assert.deepEqual(codes, [0, 0], 'both nodes exit 0 on SIGTERM');
  });

  it('publications resume on every node after the restart, and nothing is delivered twice', async () => {
    const channel = 'room:nats-restart';
    observers.push(
      await observer('json-A', 'json', a.wsUrl, channel),
      await observer('protobuf-B', 'protobuf', b.wsUrl, channel),
      await observer('json-B-server-side', 'json', b.wsUrl, channel, { serverSide: true }),
    );
    let i = 0;
    let failed = 0;
    // Each number is published once, through A (NATS orders the messages of one connection, not
    // those of two publishers); failures during the outage are counted, never retried (a retry could
    // legitimately be delivered twice). Subscribers sit on both nodes.
    const publishNext = async (): Promise<void> => {
      i++;
      const r = await a.api('publish', { channel, data: { i } }).catch(() => undefined);
      const body = r?.body as { error?: unknown } | undefined;
      if (r === undefined || r.status !== 200 || body?.error !== undefined) failed++;
    };
    while (i < 20) {
      await publishNext();
      await sleep(10);
    }
    await waitFor(() => observers.every((o) => o.values.length === 20), 5000, 'first 20 everywhere');
    await nats!.restart();
    const restartedAt = i;
    const deadline = Date.now() + 30_000;
    let firstAfter = Number.POSITIVE_INFINITY;
    while (!observers.every((o) => (o.values.at(-1) ?? 0) >= firstAfter)) {
      if (Date.now() > deadline) assert.fail(`no delivery after the NATS restart\n${describeObservers(observers)}`);
      await publishNext();
      if (firstAfter === Number.POSITIVE_INFINITY && observers.every((o) => (o.values.at(-1) ?? 0) > restartedAt)) firstAfter = i + 1;
      await sleep(20);
    }
    for (const n of [a, b]) {
      await waitFor(() => n.logs.some((l) => l.includes('nats reconnected')), 5000, "the node logged its NATS reconnect", 20).catch(() =>
        assert.fail(`the restart went unnoticed by a node:\n${logsMatching(n, 'nats')}`),
      );
    }
    const resumedFrom = i + 1;
    for (let k = 0; k < 20; k++) {
      await publishNext();
      await sleep(10);
    }
    await waitFor(() => observers.every((o) => o.values.at(-1) === i), 5000, 'last publication everywhere').catch((err: Error) =>
      assert.fail(`${err.message}\n${describeObservers(observers)} (publish failures: ${failed})`),
    );
    for (const o of observers) {
      assert.deepEqual(o.values.slice(0, 20), range(20), `${o.name}: everything before the restart`);
      for (let k = 1; k < o.values.length; k++) {
        assert.ok(o.values[k]! > o.values[k - 1]!, `${o.name}: nothing twice, nothing reordered: ${o.values.join(',')}`);
      }
      assert.deepEqual(o.values.filter((v) => v >= resumedFrom), range(i - resumedFrom + 1, resumedFrom), `${o.name}: everything once publishing resumed`);
      assert.equal(o.subscribed.length, 1, `${o.name}: the client connection was not disturbed`);
    }
  });
});
