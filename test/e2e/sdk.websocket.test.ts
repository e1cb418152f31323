/**
 * End-to-end: the built server in a child process, driven by the real centrifuge-js SDK (JSON and
 * Protobuf builds) over WebSocket.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { spawnServer, type ServerProcess } from '../harness/process.js';
import { collect, decodeData, encodeData, PROTOCOLS, sdkClient, type Client } from '../harness/sdk.js';
import { connectToken, nowSec, subscriptionToken } from '../harness/tokens.js';
import { waitFor } from '../harness/wait.js';

const CONFIG = {
  allow_anonymous_connect_without_token: true,
  rpc_ping: true,
  client_presence_update_interval: '1s',
  client_expired_close_delay: '1s',
  client_expired_sub_close_delay: '1s',
  namespaces: [
    {
      name: 'room',
      presence: true,
      join_leave: true,
      force_push_join_leave: true,
      history_size: 50,
      history_ttl: '300s',
      force_recovery: true,
      allow_subscribe_for_client: true,
      allow_subscribe_for_anonymous: true,
      allow_publish_for_subscriber: true,
      allow_history_for_subscriber: true,
      allow_presence_for_subscriber: true,
    },
    { name: 'small', history_size: 2, history_ttl: '300s', force_recovery: true, allow_subscribe_for_client: true },
    { name: 'ro', allow_subscribe_for_client: true, allow_subscribe_for_anonymous: true },
    { name: 'priv', presence: true },
    { name: 'srv', history_size: 10, history_ttl: '300s', force_recovery: true },
    {
      name: 'delta',
      history_size: 10,
      history_ttl: '300s',
      force_recovery: true,
      allowed_delta_types: ['fossil'],
      allow_subscribe_for_client: true,
      allow_subscribe_for_anonymous: true,
    },
  ],
};

let srv: ServerProcess;
const clients: Client[] = [];
function track(c: Client): Client {
  clients.push(c);
  return c;
}

before(async () => {
  srv = await spawnServer(CONFIG);
});
after(async () => {
  for (const c of clients) c.disconnect();
  const code = await srv.stop();
  assert.equal(code, 0, 'server exits 0 on SIGTERM');
});

async function publish(channel: string, data: unknown): Promise<{ offset?: number; epoch?: string }> {
  const r = await srv.api('publish', { channel, data });
  assert.equal(r.status, 200);
  const body = r.body as { result?: { offset?: number; epoch?: string }; error?: unknown };
  assert.equal(body.error, undefined, JSON.stringify(body));
  return body.result ?? {};
}

for (const protocol of PROTOCOLS) {
  describe(`centrifuge-js ${protocol} over WebSocket`, () => {
    it('connects with a JWT and anonymously', async () => {
      const token = await connectToken(`u-${protocol}`);
      const c = track(sdkClient(protocol, srv.wsUrl, { token }));
      const connected = new Promise<{ client: string }>((r) => c.on('connected', r));
      c.connect();
      const ctx = await connected;
      assert.match(ctx.client, /^[0-9a-f-]{36}$/);
      const anon = track(sdkClient(protocol, srv.wsUrl));
      anon.connect();
      await anon.ready(3000);
      const stats = await srv.api('info', {});
      const nodes = (stats.body as { result: { nodes: { num_users: number; num_clients: number }[] } }).result.nodes;
      assert.ok(nodes[0]!.num_clients >= 2);
      c.disconnect();
      anon.disconnect();
    });

    it('subscribes and receives API publications in order, exactly once', async () => {
      const ch = `room:order-${protocol}`;
      const c = track(sdkClient(protocol, srv.wsUrl));
      const sub = c.newSubscription(ch);
      const got = collect(protocol, sub);
      sub.subscribe();
      c.connect();
      await sub.ready(3000);
      for (let i = 1; i <= 20; i++) await publish(ch, { n: i });
      await waitFor(() => got.values.length >= 20, 3000, '20 publications');
      assert.deepEqual(got.values, Array.from({ length: 20 }, (_, i) => ({ n: i + 1 })));
      assert.deepEqual(got.offsets, Array.from({ length: 20 }, (_, i) => i + 1));
      c.disconnect();
    });

    it('client publish: allowed for subscribers, denied (103) without permission', async () => {
      const c = track(sdkClient(protocol, srv.wsUrl, { token: await connectToken('pub-user') }));
      const sub = c.newSubscription(`room:pub-${protocol}`);
      const got = collect(protocol, sub);
      sub.subscribe();
      const ro = c.newSubscription(`ro:pub-${protocol}`);
      ro.subscribe();
      c.connect();
      await sub.ready(3000);
      await ro.ready(3000);
      await sub.publish(encodeData(protocol, { from: 'client' }));
      await waitFor(() => got.values.length === 1, 3000, 'own publication');
      assert.deepEqual(got.values[0], { from: 'client' });
      await assert.rejects(ro.publish(encodeData(protocol, { x: 1 })), (e: { code: number }) => e.code === 103);
      c.disconnect();
    });

    it('history with limit, since and reverse', async () => {
      const ch = `room:hist-${protocol}`;
      let epoch = '';
      for (let i = 1; i <= 5; i++) epoch = (await publish(ch, { i })).epoch ?? '';
      const c = track(sdkClient(protocol, srv.wsUrl, { token: await connectToken('hist-user') }));
      const sub = c.newSubscription(ch);
      sub.subscribe();
      c.connect();
      await sub.ready(3000);
      const all = await sub.history({ limit: -1 });
      assert.deepEqual(all.publications.map((p) => p.offset), [1, 2, 3, 4, 5]);
      assert.equal(all.epoch, epoch);
      assert.equal(all.offset, 5);
      const two = await sub.history({ limit: 2 });
      assert.deepEqual(two.publications.map((p) => decodeData(protocol, p.data)), [{ i: 1 }, { i: 2 }]);
      const since = await sub.history({ limit: 10, since: { offset: 3, epoch } });
      assert.deepEqual(since.publications.map((p) => p.offset), [4, 5]);
      const rev = await sub.history({ limit: 2, reverse: true });
      assert.deepEqual(rev.publications.map((p) => p.offset), [5, 4]);
      const top = await sub.history({ limit: 0 });
      assert.equal(top.publications.length, 0);
      assert.equal(top.offset, 5);
      await assert.rejects(sub.history({ limit: 1, since: { offset: 1, epoch: 'wrong' } }), (e: { code: number }) => e.code === 112);
      c.disconnect();
    });

    it('recovers missed publications after a forced reconnect: recovered, nothing lost or duplicated', async () => {
      const ch = `room:rec-${protocol}`;
      const user = `rec-${protocol}`;
      const c = track(sdkClient(protocol, srv.wsUrl, { token: await connectToken(user), minReconnectDelay: 400, maxReconnectDelay: 400 }));
      const sub = c.newSubscription(ch);
      const got = collect(protocol, sub);
      const subscribed: { recovered: boolean; wasRecovering: boolean }[] = [];
      sub.on('subscribed', (ctx) => subscribed.push({ recovered: ctx.recovered, wasRecovering: ctx.wasRecovering }));
      sub.subscribe();
      c.connect();
      await sub.ready(3000);
      for (let i = 1; i <= 3; i++) await publish(ch, { i });
      await waitFor(() => got.values.length === 3, 3000, 'first 3');
      const disconnected = new Promise((r) => c.once('connecting', r));
      await srv.api('disconnect', { user, disconnect: { code: 4001, reason: 'go away for a bit' } });
      await disconnected;
      for (let i = 4; i <= 8; i++) await publish(ch, { i });
      await waitFor(() => subscribed.length === 2, 5000, 'resubscribe');
      await waitFor(() => got.values.length >= 8, 3000, 'all 8');
      assert.deepEqual(subscribed[1], { recovered: true, wasRecovering: true });
      assert.deepEqual(got.values, Array.from({ length: 8 }, (_, i) => ({ i: i + 1 })));
      assert.deepEqual(got.offsets, [1, 2, 3, 4, 5, 6, 7, 8]);
      c.disconnect();
    });

    it('reports recovered = false when the position is gone (history_size 2, 5 missed)', async () => {
      const ch = `small:rec-${protocol}`;
      const user = `small-${protocol}`;
      const c = track(sdkClient(protocol, srv.wsUrl, { token: await connectToken(user), minReconnectDelay: 400, maxReconnectDelay: 400 }));
      const sub = c.newSubscription(ch);
      const subscribed: { recovered: boolean; wasRecovering: boolean }[] = [];
      sub.on('subscribed', (ctx) => subscribed.push({ recovered: ctx.recovered, wasRecovering: ctx.wasRecovering }));
      sub.subscribe();
      c.connect();
      await sub.ready(3000);
      await publish(ch, { i: 1 });
      await waitFor(async () => (await srv.api('history', { channel: ch })).status === 200, 1000);
      const disconnected = new Promise((r) => c.once('connecting', r));
      await srv.api('disconnect', { user, disconnect: { code: 4001, reason: 'bye' } });
      await disconnected;
      for (let i = 2; i <= 6; i++) await publish(ch, { i });
      await waitFor(() => subscribed.length === 2, 5000, 'resubscribe');
      assert.deepEqual(subscribed[1], { recovered: false, wasRecovering: true });
      c.disconnect();
    });

    it('presence and presence stats across several clients and users; join and leave events', async () => {
      const ch = `room:presence-${protocol}`;
      const a = track(sdkClient(protocol, srv.wsUrl, { token: await connectToken('alice') }));
      const subA = a.newSubscription(ch);
      const joins: string[] = [];
      const leaves: string[] = [];
      subA.on('join', (ctx) => joins.push(ctx.info.user));
      subA.on('leave', (ctx) => leaves.push(ctx.info.user));
      subA.subscribe();
      a.connect();
      await subA.ready(3000);
      const others: Client[] = [];
      for (const u of ['bob', 'bob', '']) {
        const o = track(u === '' ? sdkClient(protocol, srv.wsUrl) : sdkClient(protocol, srv.wsUrl, { token: await connectToken(u) }));
        const s = o.newSubscription(ch);
        s.subscribe();
        o.connect();
        await s.ready(3000);
        others.push(o);
      }
      const stats = await subA.presenceStats();
      assert.deepEqual(stats, { numClients: 4, numUsers: 3 });
      const presence = await subA.presence();
      const users = Object.values(presence.clients).map((ci) => ci.user).sort();
      assert.deepEqual(users, ['', 'alice', 'bob', 'bob']);
      await waitFor(() => joins.length >= 3, 3000, 'joins');
      assert.deepEqual(joins.slice(-3).sort(), ['', 'bob', 'bob']);
      others[0]!.disconnect();
      await waitFor(() => leaves.length === 1, 3000, 'leave');
      assert.equal(leaves[0], 'bob');
      const api = await srv.api('presence_stats', { channel: ch });
      assert.deepEqual(api.body, { result: { num_clients: 3, num_users: 3 } });
      for (const o of others) o.disconnect();
      a.disconnect();
    });

    it('refreshes an expiring connection token and an expiring subscription token', async () => {
      const user = `refresh-${protocol}`;
      const ch = `priv:refresh-${protocol}`;
      let connTokens = 0;
      let subTokens = 0;
      const c = track(
        sdkClient(protocol, srv.wsUrl, {
          getToken: async () => {
            connTokens++;
            return connectToken(user, {}, { expSec: nowSec() + 2 });
          },
        }),
      );
      const sub = c.newSubscription(ch, {
        getToken: async () => {
          subTokens++;
          return subscriptionToken(user, ch, {}, { expSec: nowSec() + 2 });
        },
      });
      const unsubscribed: number[] = [];
      sub.on('unsubscribed', (ctx) => unsubscribed.push(ctx.code));
      const disconnects: number[] = [];
      c.on('disconnected', (ctx) => disconnects.push(ctx.code));
      sub.subscribe();
      c.connect();
      await sub.ready(3000);
      const deadline = Date.now() + 4500;
      await waitFor(() => connTokens >= 2 && subTokens >= 2, 6000, 'token refreshes');
      await waitFor(() => Date.now() > deadline, 6000, 'past the first expiry');
      assert.equal(c.state, 'connected');
      assert.equal(sub.state, 'subscribed');
      assert.deepEqual(disconnects, []);
      assert.deepEqual(unsubscribed, []);
      c.disconnect();
    });

    it('server-side subscriptions from the token and from the API', async () => {
      const user = `ss-${protocol}`;
      const c = track(sdkClient(protocol, srv.wsUrl, { token: await connectToken(user, { channels: [`srv:a-${protocol}`] }) }));
      const subscribed: string[] = [];
      const pubs: unknown[] = [];
      c.on('subscribed', (ctx) => subscribed.push(ctx.channel));
      c.on('publication', (ctx) => pubs.push(decodeData(protocol, ctx.data)));
      const unsubscribed: string[] = [];
      c.on('unsubscribed', (ctx) => unsubscribed.push(ctx.channel));
      c.connect();
      await c.ready(3000);
      await waitFor(() => subscribed.includes(`srv:a-${protocol}`), 3000, 'token server-side sub');
      await publish(`srv:a-${protocol}`, { via: 'token' });
      const r = await srv.api('subscribe', { user, channel: `srv:b-${protocol}` });
      assert.deepEqual(r.body, { result: {} });
      await waitFor(() => subscribed.includes(`srv:b-${protocol}`), 3000, 'API server-side sub');
      await publish(`srv:b-${protocol}`, { via: 'api' });
      await waitFor(() => pubs.length === 2, 3000, 'two publications');
      assert.deepEqual(pubs, [{ via: 'token' }, { via: 'api' }]);
      await srv.api('unsubscribe', { user, channel: `srv:b-${protocol}` });
      await waitFor(() => unsubscribed.length === 1, 3000, 'API unsubscribe');
      assert.deepEqual(unsubscribed, [`srv:b-${protocol}`]);
      c.disconnect();
    });

    it('API unsubscribe, refresh and disconnect reach the client', async () => {
      const user = `api-${protocol}`;
      const ch = `room:api-${protocol}`;
      const c = track(sdkClient(protocol, srv.wsUrl, { token: await connectToken(user) }));
      const sub = c.newSubscription(ch);
      const unsub = new Promise<{ code: number }>((r) => sub.on('unsubscribed', r));
      sub.subscribe();
      c.connect();
      await sub.ready(3000);
      await srv.api('unsubscribe', { user, channel: ch });
      assert.equal((await unsub).code, 2000);
      const refreshed = await srv.api('refresh', { user, expire_at: nowSec() + 3600 });
      assert.deepEqual(refreshed.body, { result: {} });
      const disconnected = new Promise<{ code: number; reason: string }>((r) => c.on('disconnected', r));
      await srv.api('disconnect', { user });
      const d = await disconnected;
      assert.equal(d.code, 3012, 'classic force disconnect');
      assert.equal(d.reason, 'force disconnect');
    });

    it('fossil delta: the SDK reconstructs every payload from patches, live and after recovery', async () => {
      const ch = `delta:prices-${protocol}`;
      const user = `delta-${protocol}`;
      const base = { text: 'x'.repeat(400), items: Array.from({ length: 20 }, (_, i) => ({ id: i, price: 100 + i })) };
      const payload = (n: number): unknown => ({ ...base, n, items: base.items.map((it) => (it.id === n ? { ...it, price: it.price + n } : it)) });
      const c = track(sdkClient(protocol, srv.wsUrl, { token: await connectToken(user), minReconnectDelay: 400, maxReconnectDelay: 400 }));
      const sub = c.newSubscription(ch, { delta: 'fossil' });
      const got = collect(protocol, sub);
      sub.subscribe();
      c.connect();
      await sub.ready(3000);
      for (let i = 1; i <= 4; i++) assert.equal((await srv.api('publish', { channel: ch, data: payload(i), delta: true })).status, 200);
      await waitFor(() => got.values.length === 4, 3000, 'four delta publications');
      assert.deepEqual(got.values, [1, 2, 3, 4].map(payload));
      const reconnecting = new Promise((r) => c.once('connecting', r));
      await srv.api('disconnect', { user, disconnect: { code: 4001, reason: 'later' } });
      await reconnecting;
      for (let i = 5; i <= 7; i++) await srv.api('publish', { channel: ch, data: payload(i), delta: true });
      await waitFor(() => got.values.length === 7, 5000, 'recovered delta publications');
      assert.deepEqual(got.values, [1, 2, 3, 4, 5, 6, 7].map(payload));
      c.disconnect();
    });

    it('RPC without a proxy: built-in ping answers, unknown method is 104', async () => {
      const c = track(sdkClient(protocol, srv.wsUrl));
      c.connect();
      await c.ready(3000);
      const r = await c.rpc('ping', encodeData(protocol, {}));
      assert.ok(r.data === undefined || r.data === null || (r.data as Uint8Array).length === 0 || JSON.stringify(r.data) === '{}');
      await assert.rejects(c.rpc('nope', encodeData(protocol, {})), (e: { code: number }) => e.code === 104);
      c.disconnect();
    });
  });
}
