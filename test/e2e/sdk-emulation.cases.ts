/**
 * Shared end-to-end scenarios for centrifuge-js over the bidirectional emulation transports
 * (http_stream, sse): commands after connect travel through POST /emulation, replies and pushes
 * come over the stream. The server runs in-process so every test can assert that the node is left
 * with no clients and no timers.
 */
import { strict as assert } from 'node:assert';
import { ReadableStream } from 'node:stream/web';
import { after, afterEach, before, describe, it } from 'node:test';
import { Centrifuge as CentrifugeJson, type Options } from 'centrifuge';
import { Centrifuge as CentrifugeProtobuf } from 'centrifuge/build/protobuf';
import { EventSource } from 'eventsource';
import { collect, encodeData, type Client, type SdkProtocol } from '../harness/sdk.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { connectToken } from '../harness/tokens.js';
import { waitFor } from '../harness/wait.js';

export type EmulatedTransport = 'http_stream' | 'sse';

export const EMULATION_CONFIG = {
  http_stream: true,
  sse: true,
  allow_anonymous_connect_without_token: true,
  client_presence_update_interval: '1s',
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
      allow_presence_for_subscriber: true,
    },
  ],
};

/** The transport-list form of the SDK constructor, with Node's fetch / streams / EventSource. */
export function emulatedClient(
  protocol: SdkProtocol,
  endpoints: { transport: 'websocket' | EmulatedTransport; endpoint: string }[],
  baseUrl: string,
  options: Partial<Options> = {},
): Client {
  const C = protocol === 'json' ? CentrifugeJson : (CentrifugeProtobuf as unknown as typeof CentrifugeJson);
  return new C(endpoints, {
    emulationEndpoint: `${baseUrl}/emulation`,
    fetch: globalThis.fetch,
    readableStream: ReadableStream,
    eventsource: EventSource,
    minReconnectDelay: 50,
    maxReconnectDelay: 300,
    timeout: 5000,
    ...options,
  });
}

/** Registers the suite for one emulated transport and the given SDK builds. */
export function describeEmulationSuite(transport: EmulatedTransport, protocols: readonly SdkProtocol[]): void {
  let ts: TestServer;
  const clients: Client[] = [];

  before(async () => {
    ts = await startTestServer(EMULATION_CONFIG);
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    const node = ts.server.node;
    await waitFor(() => node.hub.numClients === 0 && node.timers.size === 0, 5000, 'no clients and no timers left');
  });
  after(async () => {
    await ts.close();
  });

  async function publish(channel: string, data: unknown): Promise<void> {
    const r = await ts.api('publish', { channel, data });
    assert.equal(r.status, 200);
    assert.equal((r.body as { error?: unknown }).error, undefined, JSON.stringify(r.body));
  }

  for (const protocol of protocols) {
    const client = (options: Partial<Options> = {}): Client => {
      const c = emulatedClient(protocol, [{ transport, endpoint: `${ts.url}/connection/${transport}` }], ts.url, options);
      clients.push(c);
      return c;
    };

    describe(`centrifuge-js ${protocol} over ${transport}`, () => {
      it('connects over the emulated transport and gets a session on this node', async () => {
        const c = client({ token: await connectToken(`u-${transport}-${protocol}`) });
        const connected = new Promise<{ client: string; transport: string }>((r) => c.on('connected', r));
        c.connect();
        const ctx = await connected;
        assert.equal(ctx.transport, transport);
        assert.match(ctx.client, /^[0-9a-f-]{36}$/);
        const live = ts.server.node.hub.client(ctx.client);
        assert.ok(live, 'the client is registered on the node');
        assert.equal(live.transportName, transport);
        assert.match(live.sessionId, /^[0-9a-f-]{36}$/);
      });

      it('subscribes through /emulation and receives API publications in order, exactly once', async () => {
        const ch = `room:order-${transport}-${protocol}`;
        const c = client();
        const sub = c.newSubscription(ch);
        const got = collect(protocol, sub);
        sub.subscribe();
        c.connect();
        await sub.ready(3000);
        for (let i = 1; i <= 10; i++) await publish(ch, { n: i });
        await waitFor(() => got.values.length >= 10, 3000, '10 publications');
        assert.deepEqual(got.values, Array.from({ length: 10 }, (_, i) => ({ n: i + 1 })));
        assert.deepEqual(got.offsets, Array.from({ length: 10 }, (_, i) => i + 1));
      });

      it('publishes from the client through /emulation', async () => {
        const ch = `room:pub-${transport}-${protocol}`;
        const c = client({ token: await connectToken('emu-publisher') });
        const sub = c.newSubscription(ch);
        const got = collect(protocol, sub);
        sub.subscribe();
        c.connect();
        await sub.ready(3000);
        await sub.publish(encodeData(protocol, { from: 'client', via: transport }));
        await waitFor(() => got.values.length === 1, 3000, 'own publication');
        assert.deepEqual(got.values[0], { from: 'client', via: transport });
        const h = await ts.api('history', { channel: ch, limit: -1 });
        const pubs = (h.body as { result: { publications: { data: unknown }[] } }).result.publications;
        assert.deepEqual(pubs.map((p) => p.data), [{ from: 'client', via: transport }]);
      });

      it('presence and presence stats of two emulated clients', async () => {
        const ch = `room:presence-${transport}-${protocol}`;
        const a = client({ token: await connectToken('alice') });
        const b = client({ token: await connectToken('bob') });
        const subA = a.newSubscription(ch);
        const joins: string[] = [];
        subA.on('join', (ctx) => joins.push(ctx.info.user));
        subA.subscribe();
        a.connect();
        await subA.ready(3000);
        const subB = b.newSubscription(ch);
        subB.subscribe();
        b.connect();
        await subB.ready(3000);
        assert.deepEqual(await subA.presenceStats(), { numClients: 2, numUsers: 2 });
        const presence = await subB.presence();
        assert.deepEqual(Object.values(presence.clients).map((ci) => ci.user).sort(), ['alice', 'bob']);
        await waitFor(() => joins.includes('bob'), 3000, 'join of bob');
      });

      it('recovers missed publications after a server disconnect: recovered, nothing lost or duplicated', async () => {
        const ch = `room:rec-${transport}-${protocol}`;
        const user = `rec-${transport}-${protocol}`;
        const c = client({ token: await connectToken(user), minReconnectDelay: 300, maxReconnectDelay: 300 });
        const sub = c.newSubscription(ch);
        const got = collect(protocol, sub);
        const subscribed: { recovered: boolean; wasRecovering: boolean }[] = [];
        sub.on('subscribed', (ctx) => subscribed.push({ recovered: ctx.recovered, wasRecovering: ctx.wasRecovering }));
        const connecting: number[] = [];
        c.on('connecting', (ctx) => connecting.push(ctx.code));
        sub.subscribe();
        c.connect();
        await sub.ready(3000);
        for (let i = 1; i <= 3; i++) await publish(ch, { i });
        await waitFor(() => got.values.length === 3, 3000, 'first 3');
        const before = connecting.length;
        await ts.api('disconnect', { user, disconnect: { code: 4001, reason: 'come back later' } });
        await waitFor(() => connecting.length > before, 3000, 'connecting after disconnect push');
        assert.equal(connecting.at(-1), 4001, 'the custom code came as a disconnect push');
        for (let i = 4; i <= 8; i++) await publish(ch, { i });
        await waitFor(() => subscribed.length === 2, 5000, 'resubscribe');
        await waitFor(() => got.values.length >= 8, 3000, 'all 8');
        assert.deepEqual(subscribed[1], { recovered: true, wasRecovering: true });
        assert.deepEqual(got.values, Array.from({ length: 8 }, (_, i) => ({ i: i + 1 })));
        assert.deepEqual(got.offsets, [1, 2, 3, 4, 5, 6, 7, 8]);
      });

      it('delivers a server API disconnect with a custom code as a disconnect push', async () => {
        const user = `bye-${transport}-${protocol}`;
        const c = client({ token: await connectToken(user) });
        const disconnected = new Promise<{ code: number; reason: string }>((r) => c.on('disconnected', r));
        c.connect();
        await c.ready(3000);
        const r = await ts.api('disconnect', { user, disconnect: { code: 4501, reason: 'banned for a while' } });
        assert.deepEqual(r.body, { result: {} });
        assert.deepEqual(await disconnected, { code: 4501, reason: 'banned for a while' });
        assert.equal(c.state, 'disconnected');
        await waitFor(() => ts.server.node.hub.numClients === 0, 3000, 'server forgot the client');
      });

      it('answers server pings with pongs through /emulation and stays connected', async () => {
        const fast = await startTestServer({ ...EMULATION_CONFIG, ping_interval: '1s', pong_timeout: '500ms' });
        try {
          const c = emulatedClient(protocol, [{ transport, endpoint: `${fast.url}/connection/${transport}` }], fast.url);
          const states: string[] = [];
          c.on('state', (ctx) => states.push(ctx.newState));
          c.connect();
          await c.ready(3000);
          const started = Date.now();
          await waitFor(() => Date.now() - started > 2600, 4000, 'two ping periods');
          assert.equal(c.state, 'connected');
          assert.deepEqual(states, ['connecting', 'connected'], 'no reconnect: every ping got its pong');
          assert.equal(fast.server.node.hub.numClients, 1);
          c.disconnect();
          await waitFor(() => fast.server.node.hub.numClients === 0 && fast.server.node.timers.size === 0, 3000, 'clean');
        } finally {
          await fast.close();
        }
      });

      it('unsubscribe through /emulation stops delivery', async () => {
        const ch = `room:unsub-${transport}-${protocol}`;
        const c = client();
        const sub = c.newSubscription(ch);
        const got = collect(protocol, sub);
        sub.subscribe();
        c.connect();
        await sub.ready(3000);
        await publish(ch, { n: 1 });
        await waitFor(() => got.values.length === 1, 3000, 'first publication');
        sub.unsubscribe();
        await waitFor(() => !ts.server.node.hub.hasSubscribers(ch), 3000, 'server-side unsubscribe');
        await publish(ch, { n: 2 });
        const marker = `room:marker-${transport}-${protocol}`;
        const m = c.newSubscription(marker);
        const mGot = collect(protocol, m);
        m.subscribe();
        await m.ready(3000);
        await publish(marker, { done: true });
        await waitFor(() => mGot.values.length === 1, 3000, 'marker publication');
        assert.deepEqual(got.values, [{ n: 1 }], 'nothing after the unsubscribe');
      });
    });
  }
}
