/**
 * Shared proxy scenarios (Centrifugo's proxy semantics, README "Proxy to your backend") run against a
 * real HTTP backend and a real GRPC backend: every hook's success, custom error, custom disconnect,
 * timeout and transport failure, header forwarding, connection meta, server-side refresh of
 * connections and subscriptions, publish data replacement and skip_history, with the real
 * centrifuge SDK (WebSocket and HTTP-streaming) and raw WebSocket clients for exact codes.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { ConnectedContext } from 'centrifuge';
import { collect, decodeData, sdkClient, type Client } from '../harness/sdk.js';
import { type ProxyBackend } from '../harness/proxy-backend.js';
import { RawClientPool } from '../harness/raw-client.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { waitFor } from '../harness/wait.js';
import { emulatedClient } from '../e2e/sdk-emulation.cases.js';

const nowSec = (): number => Math.floor(Date.now() / 1000);

export function proxyConfig(b: ProxyBackend, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    proxy_connect_endpoint: b.endpoint('connect'),
    proxy_refresh_endpoint: b.endpoint('refresh'),
    proxy_subscribe_endpoint: b.endpoint('subscribe'),
    proxy_publish_endpoint: b.endpoint('publish'),
    proxy_sub_refresh_endpoint: b.endpoint('sub_refresh'),
    proxy_rpc_endpoint: b.endpoint('rpc'),
    proxy_connect_timeout: '1s',
    proxy_rpc_timeout: '500ms',
    proxy_http_headers: ['X-Custom', 'Authorization'],
    proxy_static_http_headers: { 'X-Static': 'yes' },
    proxy_include_connection_meta: true,
    http_stream: true,
    client_presence_update_interval: '250ms',
    ping_interval: '-1s',
    namespaces: [
      { name: 'px', proxy_subscribe: true, proxy_publish: true, history_size: 10, history_ttl: '60s', allow_history_for_subscriber: true },
      { name: 'sr', proxy_subscribe: true, proxy_sub_refresh: true },
      { name: 'open', allow_subscribe_for_client: true },
    ],
    ...extra,
  };
}

/** Registers the shared scenarios for one backend kind. */
export function proxySuite(name: string, startBackend: () => Promise<ProxyBackend>): void {
  describe(`proxy over ${name}`, () => {
    let b: ProxyBackend;
    let s: TestServer;
    const pool = new RawClientPool();
    const sdks: Client[] = [];

    before(async () => {
      b = await startBackend();
      s = await startTestServer(proxyConfig(b));
    });
    after(async () => {
      for (const c of sdks.splice(0)) c.disconnect();
      await pool.closeAll();
      await s.close();
      await b.close();
    });

    const welcome = (user: string, extra: Record<string, unknown> = {}) => ({
      result: { user, info: { name: user }, data: { welcome: user }, meta: { secret: `m-${user}` }, ...extra },
    });

    it('connect: result fills the reply, server-side channels/subs, meta goes to later proxies (SDK over WebSocket)', async () => {
      b.on('connect', (req) => welcome(req.data?.want ?? 'anon', { channels: ['open:news'], subs: { 'open:sub': { data: { sd: 1 } } } }));
      b.on('rpc', (req) => ({ result: { data: { echo: req.data, user: req.user, meta: req.meta, method: req.method } } }));
      const c = sdkClient('json', s.wsUrl, { data: { want: 'u1' }, name: 'proxy-test' });
      sdks.push(c);
      const subscribed: string[] = [];
      c.on('subscribed', (ctx) => subscribed.push(ctx.channel));
      const connected = new Promise<ConnectedContext>((resolve) => c.once('connected', resolve));
      c.connect();
      const ctx = await connected;
      assert.deepEqual(ctx.data, { welcome: 'u1' });
      await waitFor(() => subscribed.length === 2, 5000, 'server-side subscriptions');
      assert.deepEqual(subscribed.sort(), ['open:news', 'open:sub']);
      const call = b.callsOf('connect').at(-1)!;
      assert.equal(call.body.transport, 'websocket');
      assert.equal(call.body.protocol, 'json');
      assert.equal(call.body.encoding, 'json');
      assert.equal(call.body.name, 'proxy-test');
      assert.deepEqual(call.body.data, { want: 'u1' });
      assert.equal(typeof call.body.client, 'string');
      const r = await c.rpc('do', { x: 1 });
      assert.deepEqual(r.data, { echo: { x: 1 }, user: 'u1', meta: { secret: 'm-u1' }, method: 'do' });
    });

    it('connect over HTTP-streaming (SDK, emulated transport) and rpc through /emulation', async () => {
      b.on('connect', () => welcome('u2'));
      b.on('rpc', (req) => ({ result: { data: { transport: req.transport } } }));
      const c = emulatedClient('json', [{ transport: 'http_stream', endpoint: `${s.url}/connection/http_stream` }], s.url, { data: {} });
      sdks.push(c);
      const connected = new Promise<ConnectedContext>((resolve) => c.once('connected', resolve));
      c.connect();
      const ctx = await connected;
      assert.equal(ctx.transport, 'http_stream');
      assert.deepEqual(ctx.data, { welcome: 'u2' });
      assert.equal(b.callsOf('connect').at(-1)!.body.transport, 'http_stream');
      const r = await c.rpc('t', {});
      assert.deepEqual(r.data, { transport: 'http_stream' });
      c.disconnect();
    });

    it('headers named in proxy_http_headers are forwarded, others are not', async () => {
      b.on('connect', () => welcome('h'));
      const c = await pool.open(s.wsUrl, { headers: { 'X-Custom': 'abc', 'X-Other': 'nope', Authorization: 'Bearer t' } });
      const r = await c.connect({});
      assert.equal(r.connect.client !== undefined, true);
      const h = b.callsOf('connect').at(-1)!.headers;
      assert.equal(h['x-custom'], 'abc');
      assert.equal(h.authorization, 'Bearer t');
      assert.equal(h['x-other'], undefined);
      if (b.kind === 'http') {
        assert.equal(h['x-static'], 'yes');
        assert.equal(h['content-type'], 'application/json');
      }
      await c.close();
    });

    it('connect: custom error reaches the client untouched', async () => {
      b.on('connect', { error: { code: 1000, message: 'custom error', temporary: true } });
      const c = await pool.open(s.wsUrl);
      const r = await c.connect({});
      assert.deepEqual(r.error, { code: 1000, message: 'custom error', temporary: true });
      await c.close();
    });

    it('connect: custom disconnect closes with the backend code and reason', async () => {
      b.on('connect', { disconnect: { code: 4501, reason: 'go away' } });
      const c = await pool.open(s.wsUrl);
      c.send({ id: 1, connect: {} });
      const closed = await c.waitClose(5000);
      assert.equal(closed.code, 4501);
      assert.match(closed.reason, /go away/);
    });

    it('connect: timeout → error 100 temporary', async () => {
      b.on('connect', { $hang: true });
      const c = await pool.open(s.wsUrl);
      const r = await c.connect({}, 5000);
      assert.deepEqual(r.error, { code: 100, message: 'internal server error', temporary: true });
      await c.close();
    });

    it('connect: a channel of an unknown namespace in the result → 102', async () => {
      b.on('connect', welcome('x', { channels: ['nope:chan'] }));
      const c = await pool.open(s.wsUrl);
      const r = await c.connect({});
      assert.equal(r.error.code, 102);
      await c.close();
    });

    async function connectedRaw(user: string) {
      b.on('connect', welcome(user));
      const c = await pool.open(s.wsUrl);
      const r = await c.connect({});
      assert.equal(typeof r.connect.client, 'string');
      return c;
    }

    it('subscribe: proxy result gives info and data; errors and disconnects pass through', async () => {
      const c = await connectedRaw('s1');
      b.on('subscribe', (req) => {
        if (req.channel === 'px:deny') return { error: { code: 1403, message: 'nope' } };
        if (req.channel === 'px:kick') return { disconnect: { code: 4000, reason: 'kick' } };
        return { result: { info: { ch: req.channel }, data: { hello: req.data } } };
      });
      const ok = await c.call('subscribe', { channel: 'px:a', data: { q: 1 } });
      assert.deepEqual(ok.subscribe.data, { hello: { q: 1 } });
      const call = b.callsOf('subscribe').at(-1)!;
      assert.equal(call.body.user, 's1');
      assert.equal(call.body.channel, 'px:a');
      assert.deepEqual(call.body.meta, { secret: 'm-s1' });
      const denied = await c.call('subscribe', { channel: 'px:deny' });
      assert.deepEqual(denied.error, { code: 1403, message: 'nope' });
      c.send({ id: 99, subscribe: { channel: 'px:kick' } });
      const closed = await c.waitClose(5000);
      assert.equal(closed.code, 4000);
    });

    it('subscribe: transport failure → 100; publish: result replaces data and skip_history; rpc error', async () => {
      const c = await connectedRaw('p1');
      b.on('subscribe', { result: {} });
      await c.call('subscribe', { channel: 'px:pub' });
      b.on('publish', (req) => (req.data.skip ? { result: { skip_history: true } } : { result: { data: { replaced: req.data } } }));
      const r1 = await c.call('publish', { channel: 'px:pub', data: { v: 1 } });
      assert.deepEqual(r1.publish, {});
      const pushed = await c.waitPush((p) => p.channel === 'px:pub' && p.pub !== undefined);
      assert.deepEqual(pushed.pub.data, { replaced: { v: 1 } });
      await c.call('publish', { channel: 'px:pub', data: { skip: true } });
      const h = await c.call('history', { channel: 'px:pub', limit: 10 });
      assert.equal(h.history.publications.length, 1);
      assert.deepEqual(h.history.publications[0].data, { replaced: { v: 1 } });
      b.on('publish', { error: { code: 2000, message: 'publish refused' } });
      assert.deepEqual((await c.call('publish', { channel: 'px:pub', data: { v: 2 } })).error, { code: 2000, message: 'publish refused' });
      b.on('rpc', { $hang: true });
      const t = await c.call('rpc', { method: 'slow', data: {} }, 5000);
      assert.equal(t.error.code, 100);
      b.on('rpc', { error: { code: 1999, message: 'rpc says no' } });
      assert.deepEqual((await c.call('rpc', { method: 'x', data: {} })).error, { code: 1999, message: 'rpc says no' });
      b.on('subscribe', b.kind === 'http' ? { $reset: true } : { $grpcError: 14 });
      assert.equal((await c.call('subscribe', { channel: 'px:broken' })).error.code, 100);
      await c.close();
    });

    it('server-side refresh keeps a connection alive, an expired result closes it (3005)', async () => {
      b.on('connect', welcome('r1', { expire_at: nowSec() + 1 }));
      let refreshes = 0;
      b.on('refresh', () => (++refreshes === 1 ? { result: { expire_at: nowSec() + 1, info: { v: 2 } } } : { result: { expired: true } }));
      const c = await pool.open(s.wsUrl);
      const r = await c.connect({});
      assert.equal(r.connect.expires, undefined, 'no client-side refresh when a refresh proxy is configured');
      await waitFor(() => refreshes >= 1, 8000, 'first refresh');
      assert.equal(b.callsOf('refresh').at(-1)!.body.user, 'r1');
      assert.deepEqual(b.callsOf('refresh').at(-1)!.body.meta, { secret: 'm-r1' });
      const closed = await c.waitClose(8000);
      assert.equal(refreshes, 2);
      assert.equal(closed.code, 3005);
    });

    it('server-side refresh: a failing refresh proxy keeps the connection', async () => {
      b.on('connect', welcome('r2', { expire_at: nowSec() + 1 }));
      b.on('refresh', b.kind === 'http' ? { $status: 500 } : { $grpcError: 13 });
      const before = b.callsOf('refresh').length;
      const c = await pool.open(s.wsUrl);
      await c.connect({});
      await waitFor(() => b.callsOf('refresh').length > before, 8000, 'refresh call');
      b.on('rpc', { result: { data: { alive: true } } });
      const alive = await c.call('rpc', { method: 'ping', data: {} });
      assert.deepEqual(alive.rpc.data, { alive: true });
      await c.close();
    });

    it('sub_refresh: server-side refresh of a subscription; expired → unsubscribe push', async () => {
      const c = await connectedRaw('sr1');
      b.on('subscribe', { result: { expire_at: nowSec() + 1 } });
      let n = 0;
      b.on('sub_refresh', () => (++n === 1 ? { result: { expire_at: nowSec() + 1 } } : { result: { expired: true } }));
      const r = await c.call('subscribe', { channel: 'sr:x' });
      assert.equal(r.subscribe.expires, undefined, 'server-refreshed subscription has no client-side ttl');
      const unsub = await c.waitPush((p) => p.channel === 'sr:x' && p.unsubscribe !== undefined, 10_000);
      assert.equal(n, 2);
      assert.equal(unsub.unsubscribe.code, 2501);
      assert.equal(b.callsOf('sub_refresh').at(-1)!.body.channel, 'sr:x');
      await c.close();
    });

    it('publish through the proxy with the SDK: subscriber sees the replaced data', async () => {
      b.on('connect', () => welcome('sdk'));
      b.on('subscribe', { result: {} });
      b.on('publish', (req) => ({ result: { data: { wrapped: req.data } } }));
      const c = sdkClient('json', s.wsUrl);
      sdks.push(c);
      c.connect();
      const sub = c.newSubscription('px:sdk');
      const got = collect('json', sub);
      sub.subscribe();
      await sub.ready(5000);
      await sub.publish({ n: 1 });
      await waitFor(() => got.values.length === 1, 5000, 'publication');
      assert.deepEqual(decodeData('json', got.values[0]), { wrapped: { n: 1 } });
    });
  });
}
