/**
 * @module test/integration/ws-fallback — the WebSocket transport without direct socket writes (what
 * Rotor does with an unverified `ws` version): the real SDK in both protocols still gets every reply
 * and publication, in order, single and coalesced.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';

// Read once when transports/ws-socket loads: set before the server modules are imported below.
process.env['ROTOR_WS_DIRECT_WRITES'] = '0';
const { startTestServer } = await import('../harness/server.js');
const { PROTOCOLS, collect, sdkClient } = await import('../harness/sdk.js');
const { waitFor } = await import('../harness/wait.js');
const { directWritesOffReason } = await import('../../src/transports/ws-socket.js');

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

describe('WebSocket transport through ws\'s own sender', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({
      allow_anonymous_connect_without_token: true,
      namespaces: [
        { name: 'hist', history_size: 100, history_ttl: '60s', force_recovery: true, allow_subscribe_for_client: true, allow_subscribe_for_anonymous: true },
      ],
    });
  });
  after(async () => {
    await s.close();
  });

  it('is the fallback that runs', () => {
    assert.equal(directWritesOffReason, 'ROTOR_WS_DIRECT_WRITES=0');
  });

  for (const protocol of PROTOCOLS) {
    it(`${protocol}: delivers single and coalesced publications in order`, async () => {
      const client = sdkClient(protocol, s.wsUrl);
      const sub = client.newSubscription(`hist:${protocol}`);
      const got = collect(protocol, sub);
      const subscribed = new Promise<void>((resolve, reject) => {
        sub.once('subscribed', () => resolve());
        sub.once('unsubscribed', (ctx) => reject(new Error(`unsubscribed: ${ctx.code} ${ctx.reason}`)));
      });
      sub.subscribe();
      client.connect();
      await subscribed;
      for (const c of s.server.node.hub.allClients()) assert.equal(c.transport.frameKind, undefined, 'no prebuilt frames');

      // One per turn (the single-publication path), then 40 in one turn (coalesced into packed frames).
      for (let i = 0; i < 10; i++) {
        const r = await s.api('publish', { channel: `hist:${protocol}`, data: { i } });
        assert.equal(r.status, 200);
      }
      await Promise.all(Array.from({ length: 40 }, (_, k) => s.server.node.publish(`hist:${protocol}`, new TextEncoder().encode(JSON.stringify({ i: 10 + k })), { history: { size: 100, ttlMs: 60_000, metaTtlMs: 0 } })));
      await waitFor(() => got.values.length >= 50, 10_000, '50 publications');
      assert.deepEqual(got.offsets, Array.from({ length: 50 }, (_, k) => k + 1));
      assert.deepEqual(new Set(got.values.map((v) => (v as { i: number }).i)).size, 50);
      const rpc = await client.rpc('missing', {}).catch((e: { code?: number }) => e.code);
      assert.equal(typeof rpc, 'number', 'replies still reach the client');
      client.disconnect();
    });
  }
});
