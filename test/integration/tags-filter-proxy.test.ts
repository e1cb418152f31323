/**
 * @module test/integration/tags-filter-proxy — server-enforced tags filters (Centrifugo v6 proxy
 * `server_tags_filter`: a proxy's filter and the client's `tf` must both
 * match) through real HTTP and GRPC proxy backends, with the real centrifuge-js SDK (`tagsFilter`)
 * and on the raw wire (connect-proxy `subs`, bad filters from the backend).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FilterNode } from 'centrifuge';
import { type ProxyBackend, startGrpcBackend, startHttpBackend, type Wire } from '../harness/proxy-backend.js';
import { RawClientPool } from '../harness/raw-client.js';
import { collect, PROTOCOLS, sdkClient, type Client } from '../harness/sdk.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { waitFor } from '../harness/wait.js';

const BTC: FilterNode = { key: 'ticker', cmp: 'eq', val: 'BTC' };
const EU: FilterNode = { key: 'region', cmp: 'in', vals: ['eu'] };

for (const [kind, start] of [
  ['HTTP', startHttpBackend],
  ['GRPC', () => startGrpcBackend()],
] as const) {
  describe(`server-enforced tags filter from a subscribe proxy over ${kind}`, () => {
    let b: ProxyBackend;
    let s: TestServer;
    const pool = new RawClientPool();
    const sdks: Client[] = [];
    const track = (c: Client): Client => (sdks.push(c), c);

    before(async () => {
      b = await start();
      s = await startTestServer({
        proxy_connect_endpoint: b.endpoint('connect'),
        proxy_subscribe_endpoint: b.endpoint('subscribe'),
        ping_interval: '-1s',
        namespaces: [
          { name: 'pf', proxy_subscribe: true, allow_tags_filter: true },
          { name: 'pnf', proxy_subscribe: true },
        ],
      });
      // The connect proxy names the user after the connect payload's `user`; the subscribe proxy
      // enforces `region in [eu]` on users whose name starts with "eu".
      b.on('connect', (req: Wire) => {
        const data = (req.data ?? {}) as { user?: string; subs?: Wire };
        return { result: { user: data.user ?? 'anon', ...(data.subs ? { subs: data.subs } : {}) } };
      });
      b.on('subscribe', (req: Wire) => {
        if (String(req.channel).endsWith('-badproxy')) return { result: { server_tags_filter: { key: 'region', cmp: 'in' } } };
        return { result: String(req.user).startsWith('eu') ? { server_tags_filter: EU } : {} };
      });
    });
    after(async () => {
      for (const c of sdks.splice(0)) c.disconnect();
      await pool.closeAll();
      await s.close();
      await b.close();
    });

    async function publish(channel: string, n: number, tags?: Record<string, string>): Promise<void> {
      const res = await s.api('publish', { channel, data: { n }, ...(tags ? { tags } : {}) });
      assert.equal((res.body as { error?: unknown }).error, undefined, JSON.stringify(res.body));
    }

    for (const protocol of PROTOCOLS) {
      it(`both filters must match; identical combinations share one compiled filter (SDK ${protocol})`, async () => {
        const ch = `pf:both-${protocol}`;
        // The Protobuf build sends the connect payload as bytes: hand it the JSON text.
        const payload = (name: string): unknown => (protocol === 'json' ? { user: name } : new TextEncoder().encode(JSON.stringify({ user: name })));
        const user = (name: string): Client => track(sdkClient(protocol, s.wsUrl, { data: payload(name) }));
        const eu1 = user('eu-1');
        const eu2 = user('eu-2');
        const us = user('us-1');
        const euAll = user('eu-3');
        const filtersBefore = s.server.node.hub.filters.size;
        const sEu1 = eu1.newSubscription(ch, { tagsFilter: BTC });
        const sEu2 = eu2.newSubscription(ch, { tagsFilter: BTC });
        const sUs = us.newSubscription(ch, { tagsFilter: BTC });
        const sEuAll = euAll.newSubscription(ch);
        const got = [sEu1, sEu2, sUs, sEuAll].map((sub) => collect(protocol, sub));
        for (const sub of [sEu1, sEu2, sUs, sEuAll]) sub.subscribe();
        for (const c of [eu1, eu2, us, euAll]) c.connect();
        await Promise.all([sEu1, sEu2, sUs, sEuAll].map((sub) => sub.ready(10000)));
        // BTC∧eu (shared by eu-1 and eu-2), BTC (us-1), eu (eu-3: the proxy's filter alone).
        assert.equal(s.server.node.hub.filters.size, filtersBefore + 3);
        await publish(ch, 1, { ticker: 'BTC', region: 'eu' });
        await publish(ch, 2, { ticker: 'BTC', region: 'us' });
        await publish(ch, 3, { ticker: 'ETH', region: 'eu' });
        await publish(ch, 4, { ticker: 'BTC' });
        await publish(ch, 5, { ticker: 'BTC', region: 'eu' });
        await waitFor(() => got.every((g) => g.values.length >= 2) && got[2]!.values.length === 4, 10000, 'deliveries');
        assert.deepEqual(got[0]!.values, [{ n: 1 }, { n: 5 }]);
        assert.deepEqual(got[1]!.values, [{ n: 1 }, { n: 5 }]);
        assert.deepEqual(got[2]!.values, [1, 2, 4, 5].map((n) => ({ n })));
        assert.deepEqual(got[3]!.values, [1, 3, 5].map((n) => ({ n })));
        assert.equal(b.callsOf('subscribe').filter((c) => c.body.channel === ch).length, 4);
        for (const sub of [sEu1, sEu2, sUs, sEuAll]) sub.unsubscribe();
        await waitFor(() => s.server.node.hub.filters.size === filtersBefore, 10000, 'filters released');
      });
    }

    it('the proxy filter applies without allow_tags_filter; a client tf there is still 107', async () => {
      const c = await pool.open(s.wsUrl);
      await c.connect({ data: { user: 'eu-raw' } });
      const r = await c.call('subscribe', { channel: 'pnf:a' });
      assert.equal(r.error, undefined);
      const bad = await c.call('subscribe', { channel: 'pnf:b', tf: BTC });
      assert.deepEqual(bad.error, { code: 107, message: 'bad request' });
      await publish('pnf:a', 1, { region: 'us' });
      await publish('pnf:a', 2, { region: 'eu' });
      const p = await c.waitPush((m) => m.channel === 'pnf:a' && m.pub !== undefined, 10000, 'a publication');
      assert.deepEqual(p.pub.data, { n: 2 });
      assert.equal(c.messages.filter((m) => m.value.push?.channel === 'pnf:a').length, 1);
    });

    it('an invalid filter from the backend → error 100 (internal) on subscribe (connection stays) and on connect', async () => {
      const c = await pool.open(s.wsUrl);
      await c.connect({ data: { user: 'x' } });
      const r = await c.call('subscribe', { channel: 'pf:a-badproxy', tf: BTC });
      assert.equal(r.error?.code, 100);
      const ok = await c.call('subscribe', { channel: 'pf:ok', tf: BTC });
      assert.equal(ok.error, undefined);
      const c2 = await pool.open(s.wsUrl);
      const r2 = await c2.connect({ data: { user: 'y', subs: { 'pf:srvbad': { server_tags_filter: { op: 'not', nodes: [] } } } } });
      assert.equal(r2.error?.code, 100, 'a connect proxy with a malformed filter fails the connect');
    });

    it('connect proxy subs carry server_tags_filter; a tf in the connect request subs is combined with it', async () => {
      const c = await pool.open(s.wsUrl);
      const r = await c.connect({
        data: { user: 'srv', subs: { 'pf:srv': { server_tags_filter: EU } } },
        subs: { 'pf:srv': { tf: BTC } },
      });
      assert.equal(r.error, undefined, JSON.stringify(r));
      assert.ok(r.connect.subs?.['pf:srv'] !== undefined, 'server-side subscription made');
      await publish('pf:srv', 1, { ticker: 'BTC', region: 'us' });
      await publish('pf:srv', 2, { ticker: 'ETH', region: 'eu' });
      await publish('pf:srv', 3, { ticker: 'BTC', region: 'eu' });
      await c.waitPush((m) => m.channel === 'pf:srv' && m.pub !== undefined, 10000, 'a publication');
      await publish('pf:srv', 4, { ticker: 'BTC', region: 'eu' });
      await c.waitPush((m) => m.channel === 'pf:srv' && m.pub?.data?.n === 4, 10000, 'publication 4');
      const seen = c.messages.filter((m) => m.value.push?.channel === 'pf:srv').map((m) => (m.value.push.pub.data as { n: number }).n);
      assert.deepEqual(seen, [3, 4]);
    });
  });
}
