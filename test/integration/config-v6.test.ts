/**
 * @module test/integration/config-v6.test — the same scenario against servers configured three ways: a v5
 * (flat) JSON file, a v6 (nested) YAML file and v6 environment variables. Real server, real centrifuge SDK,
 * real HTTP API: JWT auth (current and previous HMAC key), a namespace with presence, join/leave, history
 * and recovery, the API key; proxy keys are compared in the loaded configuration.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PublicationContext, SubscribedContext } from 'centrifuge';
import { stringify as stringifyYaml } from 'yaml';
import { loadConfig, type Config } from '../../src/config/index.js';
import { sdkClient, type Client } from '../harness/sdk.js';
import { startConfiguredServer, type TestServer } from '../harness/server.js';
import { connectToken, nowSec } from '../harness/tokens.js';
import { waitFor } from '../harness/wait.js';

const SECRET = 'v6-current-secret';
const PREVIOUS = 'v6-previous-secret';
const API_KEY = 'v6-api-key';

const V5 = {
  address: '127.0.0.1',
  port: 0,
  log_level: 'none',
  api_key: API_KEY,
  token_hmac_secret_key: SECRET,
  token_hmac_previous_secret_key: PREVIOUS,
  allowed_origins: ['http://localhost:3000'],
  namespaces: [
    {
      name: 'chat',
      presence: true,
      join_leave: true,
      force_push_join_leave: true,
      history_size: 10,
      history_ttl: '300s',
      force_recovery: true,
      allow_subscribe_for_client: true,
      allow_presence_for_subscriber: true,
      allow_history_for_subscriber: true,
    },
    { name: 'backend', proxy_publish: true },
  ],
  proxy_publish_endpoint: 'http://127.0.0.1:9/publish',
  proxy_rpc_endpoint: 'http://127.0.0.1:9/rpc',
  proxy_http_headers: ['Authorization'],
  proxy_publish_timeout: '2s',
};

const V6 = {
  http_server: { address: '127.0.0.1', port: 0 },
  log: { level: 'none' },
  http_api: { key: API_KEY },
  client: {
    token: { hmac_secret_key: SECRET, hmac_previous_secret_key: PREVIOUS },
    allowed_origins: ['http://localhost:3000'],
  },
  channel: {
    namespaces: [
      {
        name: 'chat',
        presence: true,
        join_leave: true,
        force_push_join_leave: true,
        history_size: 10,
        history_ttl: '300s',
        force_recovery: true,
        allow_subscribe_for_client: true,
        allow_presence_for_subscriber: true,
        allow_history_for_subscriber: true,
      },
      { name: 'backend', publish_proxy_enabled: true },
    ],
    proxy: { publish: { endpoint: 'http://127.0.0.1:9/publish', timeout: '2s', http_headers: ['Authorization'] } },
  },
  rpc: { proxy: { endpoint: 'http://127.0.0.1:9/rpc', http_headers: ['Authorization'] } },
};

const V6_ENV: NodeJS.ProcessEnv = {
  CENTRIFUGO_HTTP_SERVER_ADDRESS: '127.0.0.1',
  CENTRIFUGO_HTTP_SERVER_PORT: '0',
  CENTRIFUGO_LOG_LEVEL: 'none',
  CENTRIFUGO_HTTP_API_KEY: API_KEY,
  CENTRIFUGO_CLIENT_TOKEN_HMAC_SECRET_KEY: SECRET,
  CENTRIFUGO_CLIENT_TOKEN_HMAC_PREVIOUS_SECRET_KEY: PREVIOUS,
  CENTRIFUGO_CLIENT_ALLOWED_ORIGINS: 'http://localhost:3000',
  CENTRIFUGO_CHANNEL_NAMESPACES: JSON.stringify(V6.channel.namespaces),
  CENTRIFUGO_CHANNEL_PROXY_PUBLISH_ENDPOINT: 'http://127.0.0.1:9/publish',
  CENTRIFUGO_CHANNEL_PROXY_PUBLISH_TIMEOUT: '2s',
  CENTRIFUGO_CHANNEL_PROXY_PUBLISH_HTTP_HEADERS: 'Authorization',
  CENTRIFUGO_RPC_PROXY_ENDPOINT: 'http://127.0.0.1:9/rpc',
  CENTRIFUGO_RPC_PROXY_HTTP_HEADERS: 'Authorization',
};

let dir = '';
const configs = new Map<string, Config>();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rotor-v6-'));
  await writeFile(join(dir, 'v5.json'), JSON.stringify(V5));
  await writeFile(join(dir, 'v6.yaml'), stringifyYaml(V6));
  const v5 = await loadConfig({ configPath: join(dir, 'v5.json'), env: {} });
  const v6 = await loadConfig({ configPath: join(dir, 'v6.yaml'), env: {} });
  const env = await loadConfig({ configPath: join(dir, 'absent.json'), env: V6_ENV });
  assert.equal(v5.layout, 'v5');
  assert.equal(v6.layout, 'v6');
  assert.deepEqual(v5.warnings, []);
  assert.deepEqual(v6.warnings, []);
  assert.deepEqual(env.warnings, ['config file not found']);
  configs.set('v5 file', v5.config);
  configs.set('v6 file', v6.config);
  configs.set('v6 environment', env.config);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

void test('the three sources load the same configuration, proxy keys translated to the v5 names', () => {
  const v5 = configs.get('v5 file');
  assert.ok(v5 !== undefined);
  assert.equal(v5.proxy_publish_endpoint, 'http://127.0.0.1:9/publish');
  assert.equal(v5.proxy_publish_timeout, 2000);
  assert.equal(v5.proxy_rpc_endpoint, 'http://127.0.0.1:9/rpc');
  assert.deepEqual(v5.proxy_http_headers, ['Authorization']);
  assert.equal(v5.namespaces[1]?.proxy_publish, true);
  assert.deepEqual(configs.get('v6 file'), v5);
  assert.deepEqual(configs.get('v6 environment'), v5);
});

for (const source of ['v5 file', 'v6 file', 'v6 environment']) {
  void describe(`scenario with a ${source}`, () => {
    let s: TestServer;
    const clients: Client[] = [];

    function client(token: string): Client {
      const c = sdkClient('json', s.wsUrl, { token });
      clients.push(c);
      return c;
    }

    before(async () => {
      const config = configs.get(source);
      assert.ok(config !== undefined);
      s = await startConfiguredServer(config);
    });
    after(async () => {
      for (const c of clients) c.disconnect();
      await s.close();
    });

    void test('JWT auth, publish via the HTTP API, presence, history, join, recovery after reconnect', async () => {
      const alice = client(await connectToken('alice', {}, { secret: SECRET, expSec: nowSec() + 3600 }));
      const received: unknown[] = [];
      const subscribed: SubscribedContext[] = [];
      const sub = alice.newSubscription('chat:room');
      sub.on('publication', (ctx: PublicationContext) => received.push(ctx.data));
      sub.on('subscribed', (ctx) => subscribed.push(ctx));
      sub.subscribe();
      alice.connect();
      await waitFor(() => subscribed.length === 1, 10_000, 'alice subscribed');

      // API key required
      const denied = await fetch(`${s.url.replace(String(s.port), String(s.server.internalPort))}/api/publish`, {
        method: 'POST',
        headers: { 'X-API-Key': 'wrong' },
        body: JSON.stringify({ channel: 'chat:room', data: {} }),
      });
      assert.equal(denied.status, 401);

      const pub = await s.api('publish', { channel: 'chat:room', data: { n: 1 } });
      assert.equal(pub.status, 200, JSON.stringify(pub.body));
      await waitFor(() => received.length === 1, 10_000, 'publication 1');
      assert.deepEqual(received, [{ n: 1 }]);

      // a token signed with the previous HMAC key still connects; its join reaches alice (force_push_join_leave)
      const joins: string[] = [];
      sub.on('join', (ctx) => joins.push(ctx.info.user));
      const bob = client(await connectToken('bob', {}, { secret: PREVIOUS }));
      const bobSub = bob.newSubscription('chat:room');
      bobSub.subscribe();
      bob.connect();
      await waitFor(() => joins.includes('bob'), 10_000, 'bob join');

      const presence = await s.api('presence', { channel: 'chat:room' });
      const users = Object.values((presence.body as { result: { presence: Record<string, { user: string }> } }).result.presence).map((p) => p.user);
      assert.deepEqual(users.sort(), ['alice', 'bob']);
      const fromClient = await sub.presenceStats();
      assert.deepEqual(fromClient, { numClients: 2, numUsers: 2 });

      // recovery: alice misses two publications while disconnected
      alice.disconnect();
      assert.equal(String(alice.state), 'disconnected');
      for (const n of [2, 3]) {
        const r = await s.api('publish', { channel: 'chat:room', data: { n } });
        assert.equal(r.status, 200);
      }
      alice.connect();
      await waitFor(() => subscribed.length === 2, 10_000, 'alice resubscribed');
      assert.equal(subscribed[1]?.wasRecovering, true);
      assert.equal(subscribed[1]?.recovered, true);
      await waitFor(() => received.length === 3, 10_000, 'recovered publications');
      assert.deepEqual(received, [{ n: 1 }, { n: 2 }, { n: 3 }]);
      const history = await sub.history({ limit: 10 });
      assert.deepEqual(history.publications.map((p) => p.data as unknown), [{ n: 1 }, { n: 2 }, { n: 3 }]);

      // a token signed with an unknown key is refused: "invalid token" (classic numbering 3002, non-reconnect)
      const mallory = client(await connectToken('mallory', {}, { secret: 'unknown-key' }));
      const closed = new Promise<{ code: number }>((resolve) => mallory.on('disconnected', (ctx) => resolve(ctx)));
      mallory.connect();
      assert.equal((await closed).code, 3002);
    });
  });
}
