/**
 * @module test/integration/tags-filter — publication tags filter (Centrifugo
 * v6 `allow_tags_filter`) with the real centrifuge-js SDK (`tagsFilter` option) over WebSocket, JSON
 * and Protobuf: live filtering, recovery with filtered-out publications, 107 for invalid or
 * disallowed filters; and on the raw wire: no delta for filtered subscriptions, cache-mode recovery,
 * `tf` in connect-request `subs` (server-side subscriptions).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FilterNode } from 'centrifuge';
import { RawClientPool } from '../harness/raw-client.js';
import { collect, PROTOCOLS, sdkClient, type Client } from '../harness/sdk.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { connectToken } from '../harness/tokens.js';
import { waitFor } from '../harness/wait.js';

let s: TestServer;
const clients: Client[] = [];
const pool = new RawClientPool();

function track(c: Client): Client {
  clients.push(c);
  return c;
}

before(async () => {
  s = await startTestServer({
    ping_interval: '-1s',
    namespaces: [
      { name: 'tf', allow_tags_filter: true, allow_subscribe_for_client: true },
      {
        name: 'tfrec',
        allow_tags_filter: true,
        allow_subscribe_for_client: true,
        history_size: 50,
        history_ttl: '300s',
        force_recovery: true,
      },
      {
        name: 'tfdelta',
        allow_tags_filter: true,
        allow_subscribe_for_client: true,
        history_size: 50,
        history_ttl: '300s',
        force_recovery: true,
        allowed_delta_types: ['fossil'],
      },
      {
        name: 'tfcache',
        allow_tags_filter: true,
        allow_subscribe_for_client: true,
        history_size: 50,
        history_ttl: '300s',
        force_recovery: true,
        force_recovery_mode: 'cache',
      },
      { name: 'notf', allow_subscribe_for_client: true },
    ],
  });
});
after(async () => {
  for (const c of clients) c.disconnect();
  await pool.closeAll();
  await s.close();
});

async function publish(channel: string, n: number, tags?: Record<string, string>): Promise<void> {
  const res = await s.api('publish', { channel, data: { n }, ...(tags ? { tags } : {}) });
  assert.equal(res.status, 200);
  assert.equal((res.body as { error?: unknown }).error, undefined, JSON.stringify(res.body));
}

const BTC: FilterNode = { key: 'ticker', cmp: 'eq', val: 'BTC' };

for (const protocol of PROTOCOLS) {
  describe(`tags filter with centrifuge-js over WebSocket (${protocol})`, () => {
    it('delivers only publications whose tags pass; identical filters share one compiled filter', async () => {
      const ch = `tf:live-${protocol}`;
      const a = track(sdkClient(protocol, s.wsUrl, { token: await connectToken('a') }));
      const b = track(sdkClient(protocol, s.wsUrl, { token: await connectToken('b') }));
      const all = track(sdkClient(protocol, s.wsUrl, { token: await connectToken('all') }));
      const filter: FilterNode = { op: 'and', nodes: [BTC, { key: 'price', cmp: 'gt', val: '100' }] };
      const subA = a.newSubscription(ch, { tagsFilter: filter });
      const subB = b.newSubscription(ch, { tagsFilter: filter });
      const subAll = all.newSubscription(ch);
      const gotA = collect(protocol, subA);
      const gotB = collect(protocol, subB);
      const gotAll = collect(protocol, subAll);
      for (const sub of [subA, subB, subAll]) sub.subscribe();
      for (const c of [a, b, all]) c.connect();
      await Promise.all([subA.ready(5000), subB.ready(5000), subAll.ready(5000)]);
      const filtersBefore = s.server.node.hub.filters.size;
      assert.ok(filtersBefore >= 1);
      await publish(ch, 1, { ticker: 'BTC', price: '150' });
      await publish(ch, 2, { ticker: 'ETH', price: '150' });
      await publish(ch, 3, { ticker: 'BTC', price: '50' });
      await publish(ch, 4);
      await publish(ch, 5, { ticker: 'BTC', price: '1000.5' });
      await waitFor(() => gotAll.values.length === 5, 5000, 'all 5 on the unfiltered subscription');
      await waitFor(() => gotA.values.length === 2 && gotB.values.length === 2, 5000, 'filtered deliveries');
      assert.deepEqual(gotA.values, [{ n: 1 }, { n: 5 }]);
      assert.deepEqual(gotB.values, [{ n: 1 }, { n: 5 }]);
      assert.deepEqual(gotAll.values, [1, 2, 3, 4, 5].map((n) => ({ n })));
      subA.unsubscribe();
      subB.unsubscribe();
      await waitFor(() => s.server.node.hub.filters.size === filtersBefore - 1, 5000, 'the shared filter released');
    });

    it('recovers with filtered-out publications: only passing ones replayed, position intact, live flow continues', async () => {
      const ch = `tfrec:rec-${protocol}`;
      const user = `rec-${protocol}`;
      const c = track(sdkClient(protocol, s.wsUrl, { token: await connectToken(user), minReconnectDelay: 300, maxReconnectDelay: 300 }));
      const sub = c.newSubscription(ch, { tagsFilter: { key: 'kind', cmp: 'in', vals: ['a', 'b'] } });
      const got = collect(protocol, sub);
      const subscribed: { recovered: boolean; wasRecovering: boolean }[] = [];
      const unsubscribed: number[] = [];
      sub.on('subscribed', (ctx) => subscribed.push({ recovered: ctx.recovered, wasRecovering: ctx.wasRecovering }));
      sub.on('unsubscribed', (ctx) => unsubscribed.push(ctx.code));
      sub.subscribe();
      c.connect();
      await sub.ready(5000);
      await publish(ch, 1, { kind: 'a' });
      await publish(ch, 2, { kind: 'x' });
      await waitFor(() => got.values.length === 1, 5000, 'first passing publication');
      const disconnected = new Promise((r) => c.once('connecting', r));
      await s.api('disconnect', { user, disconnect: { code: 4001, reason: 'reconnect please' } });
      await disconnected;
      await publish(ch, 3, { kind: 'x' });
      await publish(ch, 4, { kind: 'b' });
      await publish(ch, 5);
      await publish(ch, 6, { kind: 'a' });
      await publish(ch, 7, { kind: 'y' }); // the stream top is filtered out
      await waitFor(() => subscribed.length === 2, 10000, 'resubscribed');
      assert.deepEqual(subscribed[1], { recovered: true, wasRecovering: true });
      await waitFor(() => got.values.length === 3, 5000, 'recovered publications');
      assert.deepEqual(got.values, [{ n: 1 }, { n: 4 }, { n: 6 }]);
      assert.deepEqual(got.offsets, [1, 4, 6]);
      // Live again: positioning counted the filtered offsets (7 and 8), so 9 is no gap.
      await publish(ch, 8, { kind: 'z' });
      await publish(ch, 9, { kind: 'b' });
      await waitFor(() => got.values.length === 4, 5000, 'live publication after recovery');
      assert.deepEqual(got.values.at(-1), { n: 9 });
      assert.deepEqual(got.offsets.at(-1), 9);
      assert.deepEqual(unsubscribed, [], 'no insufficient-state unsubscribe');
      assert.equal(subscribed.length, 2, 'no resubscribe');
    });

    it('invalid filter → error 107 (subscription ends unsubscribed with code 107)', async () => {
      const c = track(sdkClient(protocol, s.wsUrl, { token: await connectToken('bad') }));
      const codes: number[] = [];
      const sub = c.newSubscription(`tf:bad-${protocol}`, { tagsFilter: { key: 'ticker', cmp: 'eq' } });
      sub.on('unsubscribed', (ctx) => codes.push(ctx.code));
      sub.subscribe();
      c.connect();
      await waitFor(() => codes.length > 0, 5000, 'unsubscribed');
      assert.deepEqual(codes, [107]);
      const bad2: number[] = [];
      const sub2 = c.newSubscription(`tf:bad2-${protocol}`, { tagsFilter: { op: 'not', nodes: [BTC, BTC] } });
      sub2.on('unsubscribed', (ctx) => bad2.push(ctx.code));
      sub2.subscribe();
      await waitFor(() => bad2.length > 0, 5000, 'unsubscribed');
      assert.deepEqual(bad2, [107]);
      assert.equal(c.state, 'connected', 'the connection stays');
    });

    it('namespace without allow_tags_filter → error 107; without a filter the same channel subscribes', async () => {
      const c = track(sdkClient(protocol, s.wsUrl, { token: await connectToken('nf') }));
      const codes: number[] = [];
      const sub = c.newSubscription(`notf:x-${protocol}`, { tagsFilter: BTC });
      sub.on('unsubscribed', (ctx) => codes.push(ctx.code));
      sub.subscribe();
      c.connect();
      await waitFor(() => codes.length > 0, 5000, 'unsubscribed');
      assert.deepEqual(codes, [107]);
      const plain = c.newSubscription(`notf:y-${protocol}`);
      plain.subscribe();
      await plain.ready(5000);
    });
  });
}

describe('tags filter on the raw wire', () => {
  it('invalid or disallowed filters: error 107 "bad request", the connection stays', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({ token: await connectToken('rawbad') });
    for (const [channel, tf] of [
      ['tf:x', { key: 'k', cmp: 'in' }],
      ['tf:x', { op: 'and', nodes: [] }],
      ['tf:x', { op: 'nand', nodes: [{ key: 'k', cmp: 'ex' }] }],
      ['notf:x', { key: 'k', cmp: 'ex' }],
    ] as const) {
      const r = await c.call('subscribe', { channel, tf });
      assert.deepEqual(r.error, { code: 107, message: 'bad request' }, JSON.stringify(tf));
    }
    const ok = await c.call('subscribe', { channel: 'tf:x', tf: { key: 'k', cmp: 'ex' } });
    assert.equal(ok.error, undefined);
  });

  it('no delta for a filtered subscription: delta not negotiated, publications sent in full', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({ token: await connectToken('raw') });
    const plain = await c.call('subscribe', { channel: 'tfdelta:a', delta: 'fossil' });
    assert.equal(plain.subscribe.delta, true, 'delta negotiated without a filter');
    const r = await c.call('subscribe', { channel: 'tfdelta:b', delta: 'fossil', tf: { key: 'k', cmp: 'ex' } });
    assert.equal(r.error, undefined);
    assert.equal(r.subscribe.delta, undefined, 'no delta with a filter');
    const big = 'lorem ipsum '.repeat(40);
    for (const n of [1, 2]) {
      const res = await s.api('publish', { channel: 'tfdelta:b', data: { n, big }, tags: { k: 'v' }, delta: true });
      assert.equal((res.body as { error?: unknown }).error, undefined);
    }
    const p2 = await c.waitPush((p) => p.channel === 'tfdelta:b' && p.pub?.offset === 2, 5000, 'publication 2');
    assert.deepEqual(p2.pub.data, { n: 2, big }, 'full JSON payload, not a patch string');
    assert.equal(p2.pub.delta, undefined);
    assert.deepEqual(p2.pub.tags, { k: 'v' });
  });

  it('filters in Protobuf subscribe commands are decoded and applied', async () => {
    const c = await pool.open(s.wsUrl, { subprotocols: ['centrifuge-protobuf'] });
    await c.connect({ token: await connectToken('rawpb') });
    const r = await c.call('subscribe', { channel: 'tf:pb', tf: { op: 'or', nodes: [{ key: 'k', cmp: 'sw', val: 'go' }, { key: 'k', cmp: 'nex' }] } });
    assert.equal(r.error, undefined);
    for (const k of ['gold', 'silver', undefined, 'good']) {
      await publish('tf:pb', k === undefined ? 0 : k.length, k === undefined ? undefined : { k });
    }
    await c.waitPush((p) => p.channel === 'tf:pb' && p.pub?.tags?.k === 'good', 5000, 'last passing publication');
    const seen = c.messages.filter((m) => m.value.push?.channel === 'tf:pb').map((m) => (m.value.push.pub.tags as Record<string, string> | undefined)?.k ?? '-');
    assert.deepEqual(seen, ['gold', '-', 'good']);
  });

  it('a tf in the connect request subs filters that server-side subscription', async () => {
    const c = await pool.open(s.wsUrl);
    const r = await c.connect({ token: await connectToken('rawsubs'), subs: { 'tf:srv': { tf: BTC }, 'tf:srvall': {} } });
    assert.equal(r.error, undefined, JSON.stringify(r));
    assert.ok(r.connect.subs?.['tf:srv'] !== undefined && r.connect.subs?.['tf:srvall'] !== undefined, 'both server-side subscriptions made');
    for (const ch of ['tf:srv', 'tf:srvall']) {
      await publish(ch, 1, { ticker: 'ETH' });
      await publish(ch, 2);
      await publish(ch, 3, { ticker: 'BTC' });
    }
    await c.waitPush((p) => p.channel === 'tf:srvall' && p.pub?.data?.n === 3, 5000, 'last unfiltered publication');
    await c.waitPush((p) => p.channel === 'tf:srv' && p.pub?.data?.n === 3, 5000, 'the passing publication');
    const seen = (ch: string): number[] => c.messages.filter((m) => m.value.push?.channel === ch).map((m) => (m.value.push.pub.data as { n: number }).n);
    assert.deepEqual(seen('tf:srv'), [3]);
    assert.deepEqual(seen('tf:srvall'), [1, 2, 3]);
  });

  it('an invalid or disallowed tf in the connect request subs → connect error 107', async () => {
    for (const [channel, tf] of [
      ['tf:srvbad', { key: 'k', cmp: 'in' }],
      ['notf:srv', { key: 'k', cmp: 'ex' }],
    ] as const) {
      const c = await pool.open(s.wsUrl);
      const r = await c.connect({ token: await connectToken('rawsubsbad'), subs: { [channel]: { tf } } });
      assert.deepEqual(r.error, { code: 107, message: 'bad request' }, channel);
    }
  });

  it('cache-mode recovery returns the newest publication passing the filter', async () => {
    const ch = 'tfcache:a';
    await publish(ch, 1, { k: 'yes' });
    await publish(ch, 2, { k: 'yes' });
    await publish(ch, 3, { k: 'no' });
    const top = (await s.api('history', { channel: ch, limit: 0 })).body as { result: { epoch: string } };
    const c = await pool.open(s.wsUrl);
    await c.connect({ token: await connectToken('cache') });
    const r = await c.call('subscribe', { channel: ch, recover: true, offset: 0, epoch: top.result.epoch, tf: { key: 'k', cmp: 'eq', val: 'yes' } });
    assert.equal(r.error, undefined);
    assert.equal(r.subscribe.recovered, true);
    assert.deepEqual(
      (r.subscribe.publications as { data: unknown; offset: number }[]).map((p) => [p.data, p.offset]),
      [[{ n: 2 }, 2]],
    );
  });
});
