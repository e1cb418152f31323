/**
 * @module test/integration/nats-wildcards — `nats_allow_wildcards` end to end (Centrifugo's NATS broker): a
 * client subscribed to `news.*` receives publications to `news.sport` through the hub, the publication
 * naming its concrete channel (Publication.channel); publishing to a wildcard channel fails; without
 * the key a wildcard subscribe is 107. Real nats-server, centrifuge-js over WebSocket (JSON, Protobuf).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { spawnNats, type NatsServerHandle } from '../harness/nats.js';
import { RawClientPool } from '../harness/raw-client.js';
import { collect, PROTOCOLS, sdkClient, type Client } from '../harness/sdk.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { waitFor } from '../harness/wait.js';

let nats: NatsServerHandle;
let wild: TestServer;
let strict: TestServer;
const clients: Client[] = [];
const pool = new RawClientPool();

before(async () => {
  nats = await spawnNats();
  const cfg = {
    broker: 'nats',
    nats_url: nats.url,
    allow_anonymous_connect_without_token: true,
    allow_subscribe_for_client: true,
    allow_subscribe_for_anonymous: true,
    ping_interval: '-1s',
  };
  wild = await startTestServer({ ...cfg, nats_prefix: `rotor-wild-${process.pid}`, nats_allow_wildcards: true });
  strict = await startTestServer({ ...cfg, nats_prefix: `rotor-strict-${process.pid}` });
});

after(async () => {
  for (const c of clients) c.disconnect();
  await pool.closeAll();
  await wild?.close();
  await strict?.close();
  await nats?.stop();
});

async function publish(s: TestServer, channel: string, data: unknown): Promise<unknown> {
  const r = await s.api('publish', { channel, data });
  assert.equal(r.status, 200);
  return r.body;
}

for (const protocol of PROTOCOLS) {
  describe(`NATS wildcard subscriptions (${protocol})`, () => {
    it('a subscriber of news.* receives news.sport and news.weather, not news.a.b or sport', async () => {
      const c = sdkClient(protocol, wild.wsUrl);
      clients.push(c);
      const star = c.newSubscription(`${protocol}.news.*`);
      const tail = c.newSubscription(`${protocol}.news.>`);
      const gotStar = collect(protocol, star);
      const gotTail = collect(protocol, tail);
      star.subscribe();
      tail.subscribe();
      c.connect();
      await Promise.all([star.ready(5000), tail.ready(5000)]);
      await publish(wild, `${protocol}.news.sport`, { n: 1 });
      await publish(wild, `${protocol}.sport`, { n: 2 });
      await publish(wild, `${protocol}.news.a.b`, { n: 3 });
      await publish(wild, `${protocol}.news.weather`, { n: 4 });
      await waitFor(() => gotTail.values.length === 3, 5000, 'news.> deliveries');
      await waitFor(() => gotStar.values.length === 2, 5000, 'news.* deliveries');
      assert.deepEqual(gotStar.values, [{ n: 1 }, { n: 4 }]);
      assert.deepEqual(gotTail.values, [{ n: 1 }, { n: 3 }, { n: 4 }]);
    });
  });
}

describe('NATS wildcards on the wire', () => {
  it('the push is in the subscription channel and the publication names the concrete channel', async () => {
    const c = await pool.open(wild.wsUrl);
    await c.connect({});
    const r = await c.call('subscribe', { channel: 'wire.*' });
    assert.equal(r.error, undefined);
    const concrete = await c.call('subscribe', { channel: 'wire.x' });
    assert.equal(concrete.error, undefined);
    await publish(wild, 'wire.x', { hello: 'x' });
    const viaWildcard = await c.waitPush((p) => p.channel === 'wire.*' && p.pub !== undefined, 5000, 'wildcard push');
    assert.deepEqual(viaWildcard.pub, { data: { hello: 'x' }, channel: 'wire.x' });
    const direct = await c.waitPush((p) => p.channel === 'wire.x' && p.pub !== undefined, 5000, 'concrete push');
    assert.deepEqual(direct.pub, { data: { hello: 'x' } }, 'no channel field when it equals the subscription');
  });

  it('publishing to a wildcard channel is rejected (the server API reports broker errors as 100, as Centrifugo)', async () => {
    const body = (await publish(wild, 'wire.*', { x: 1 })) as { error?: { code: number } };
    assert.equal(body.error?.code, 100);
  });

  it('without nats_allow_wildcards a wildcard subscribe is 107', async () => {
    const c = await pool.open(strict.wsUrl);
    await c.connect({});
    const r = await c.call('subscribe', { channel: 'news.*' });
    assert.equal(r.error?.code, 107);
    const ok = await c.call('subscribe', { channel: 'news.sport' });
    assert.equal(ok.error, undefined);
  });
});
