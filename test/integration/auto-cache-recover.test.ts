/**
 * @module test/integration/auto-cache-recover — `auto_cache_recover` (Centrifugo v6): in cache recovery
 * mode a subscriber gets the channel's latest publication on every subscribe, without asking to recover;
 * the same namespace without the flag delivers nothing until the next publication.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { ConfigError, validateConfig } from '../../src/config/index.js';
import { PROTOCOLS, collect, sdkClient, type Client } from '../harness/sdk.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { waitFor } from '../harness/wait.js';

const CACHE = {
  history_size: 10,
  history_ttl: '60s',
  force_recovery: true,
  force_recovery_mode: 'cache',
  allow_subscribe_for_client: true,
  allow_subscribe_for_anonymous: true,
};

describe('auto_cache_recover', () => {
  let s: TestServer;
  const clients: Client[] = [];
  before(async () => {
    s = await startTestServer({
      allow_anonymous_connect_without_token: true,
      namespaces: [
        { name: 'auto', ...CACHE, auto_cache_recover: true },
        { name: 'plain', ...CACHE },
      ],
    });
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await s.close();
  });

  async function subscribeFresh(protocol: (typeof PROTOCOLS)[number], channel: string): Promise<{ values: unknown[] }> {
    const client = sdkClient(protocol, s.wsUrl);
    clients.push(client);
    const sub = client.newSubscription(channel);
    const got = collect(protocol, sub);
    const subscribed = new Promise<void>((resolve, reject) => {
      sub.once('subscribed', () => resolve());
      sub.once('unsubscribed', (ctx) => reject(new Error(`unsubscribed ${ctx.code} ${ctx.reason}`)));
    });
    sub.subscribe();
    client.connect();
    await subscribed;
    return got;
  }

  for (const protocol of PROTOCOLS) {
    it(`${protocol}: a new subscriber gets the latest publication at once; without the flag it gets none`, async () => {
      for (const ns of ['auto', 'plain']) {
        for (let n = 1; n <= 3; n++) assert.equal((await s.api('publish', { channel: `${ns}:${protocol}`, data: { n } })).status, 200);
      }
      const auto = await subscribeFresh(protocol, `auto:${protocol}`);
      await waitFor(() => auto.values.length >= 1, 5000, 'the latest publication');
      assert.deepEqual(auto.values, [{ n: 3 }]);

      const plain = await subscribeFresh(protocol, `plain:${protocol}`);
      // A marker publication shows the subscription is live; nothing came before it.
      await s.api('publish', { channel: `plain:${protocol}`, data: { marker: true } });
      await waitFor(() => plain.values.length >= 1, 5000, 'the marker');
      assert.deepEqual(plain.values, [{ marker: true }]);
    });
  }

  it('is refused without force_recovery in cache mode, naming the key', () => {
    assert.throws(
      () => validateConfig({ namespaces: [{ name: 'bad', history_size: 10, history_ttl: '60s', force_recovery: true, auto_cache_recover: true }] }),
      (err: unknown) => err instanceof ConfigError && err.problems.some((p) => p.path === 'namespaces[0].auto_cache_recover'),
    );
  });
});
