/** Two Rotor nodes over one real nats-server: PUB/SUB and control between nodes. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { spawnNats, type NatsServerHandle } from '../harness/nats.js';
import { collect, sdkClient, type Client } from '../harness/sdk.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { connectToken } from '../harness/tokens.js';
import { waitFor } from '../harness/wait.js';

let nats: NatsServerHandle;
let a: TestServer;
let b: TestServer;
const clients: Client[] = [];

before(async () => {
  nats = await spawnNats();
  const cfg = {
    broker: 'nats',
    nats_url: nats.url,
    nats_prefix: `rotor-${process.pid}`,
    allow_anonymous_connect_without_token: true,
    allow_subscribe_for_client: true,
    allow_subscribe_for_anonymous: true,
  };
  a = await startTestServer(cfg);
  b = await startTestServer(cfg);
});

after(async () => {
  for (const c of clients) c.disconnect();
  await a?.close();
  await b?.close();
  await nats?.stop();
});

describe('cluster over NATS', () => {
  it('lists both nodes in info', async () => {
    await waitFor(async () => {
      const r = await a.api('info', {});
      return (r.body as { result: { nodes: unknown[] } }).result.nodes.length === 2;
    }, 10_000, 'two nodes in info');
  });

  it('delivers a publication made through node A to a client on node B', async () => {
    const c = sdkClient('json', b.wsUrl);
    clients.push(c);
    const sub = c.newSubscription('nats-news');
    const got = collect('json', sub);
    sub.subscribe();
    c.connect();
    await sub.ready(3000);
    // Node B subscribes on NATS asynchronously; publish until the first message arrives, then in order.
    await waitFor(async () => {
      await a.api('publish', { channel: 'nats-news', data: { probe: true } });
      return got.values.length > 0;
    }, 5000, 'first cross-node publication');
    const real = (): unknown[] => got.values.filter((v) => !(v as { probe?: boolean }).probe);
    for (let i = 0; i < 10; i++) await a.api('publish', { channel: 'nats-news', data: { i } });
    await waitFor(() => real().length >= 10, 3000, '10 publications');
    assert.deepEqual(real(), Array.from({ length: 10 }, (_, i) => ({ i })));
  });

  it('history is not available with the NATS broker', async () => {
    const r = await a.api('history', { channel: 'nats-news', limit: 1 });
    assert.deepEqual(r.body, { error: { code: 108, message: 'not available' } });
  });

  it('API disconnect by user reaches a client connected to the other node', async () => {
    const c = sdkClient('json', b.wsUrl, { token: await connectToken('nats-user') });
    clients.push(c);
    const disconnected = new Promise<{ code: number }>((r) => c.on('disconnected', r));
    c.connect();
    await c.ready(3000);
    const r = await a.api('disconnect', { user: 'nats-user', disconnect: { code: 4501, reason: 'bye' } });
    assert.deepEqual(r.body, { result: {} });
    assert.equal((await disconnected).code, 4501);
  });

  it('channels aggregates subscribers across nodes', async () => {
    const c = sdkClient('json', a.wsUrl);
    clients.push(c);
    const sub = c.newSubscription('nats-news');
    sub.subscribe();
    c.connect();
    await sub.ready(3000);
    const r = await b.api('channels', { pattern: 'nats-*' });
    assert.deepEqual(r.body, { result: { channels: { 'nats-news': { num_clients: 2 } } } });
  });
});
