/**
 * @module test/integration/redis-url-forms.test — Centrifugo v6 `engine.redis.address` forms against real
 * redis-server topologies: `redis+cluster://` (seed + `addr`) and `redis+sentinel://` (sentinel +
 * `sentinel_master_name` + `addr`), configured through a v6 file layout, driven by the HTTP API and the SDK.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { PublicationContext } from 'centrifuge';
import { Cluster, Redis } from 'ioredis';
import { loadConfig } from '../../src/config/index.js';
import { spawnRedisCluster, spawnRedisSentinel, type RedisClusterHandle, type RedisSentinelHandle } from '../harness/redis.js';
import { freePort, launch, terminate, type Running } from '../harness/spawned.js';
import { sdkClient, type Client } from '../harness/sdk.js';
import { startConfiguredServer, TEST_API_KEY, TEST_HMAC_SECRET, type TestServer } from '../harness/server.js';
import { connectToken } from '../harness/tokens.js';
import { waitFor } from '../harness/wait.js';

const CHANNELS = Array.from({ length: 12 }, (_, i) => `hist:room-${i}`);

async function serverWithAddress(address: string, prefix: string, redis: Record<string, unknown> = {}): Promise<TestServer> {
  const { config, warnings } = await loadConfig({
    env: {},
    data: {
      http_server: { address: '127.0.0.1', port: 0 },
      log: { level: 'none' },
      http_api: { key: TEST_API_KEY },
      client: { token: { hmac_secret_key: TEST_HMAC_SECRET } },
      engine: { type: 'redis', redis: { address, prefix, ...redis } },
      channel: { namespaces: [{ name: 'hist', history_size: 10, history_ttl: '60s', allow_subscribe_for_client: true }] },
    },
  });
  assert.deepEqual(warnings, []);
  assert.deepEqual(config.redis_address, [address]);
  return startConfiguredServer(config);
}

/** Publishes into every channel via the API, reads each back from history, and sees one live publication with the SDK. */
async function exercise(s: TestServer, clients: Client[]): Promise<void> {
  const c = sdkClient('json', s.wsUrl, { token: await connectToken('u1') });
  clients.push(c);
  const live: unknown[] = [];
  const sub = c.newSubscription(CHANNELS[0]!);
  sub.on('publication', (ctx: PublicationContext) => live.push(ctx.data));
  const subscribed = new Promise<void>((resolve) => sub.on('subscribed', () => resolve()));
  sub.subscribe();
  c.connect();
  await subscribed;
  for (const channel of CHANNELS) {
    const r = await s.api('publish', { channel, data: { channel } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal((r.body as { result?: { offset?: number } }).result?.offset, 1, JSON.stringify(r.body));
  }
  for (const channel of CHANNELS) {
    const h = await s.api('history', { channel, limit: 10 });
    const pubs = (h.body as { result: { publications: { data: unknown }[] } }).result.publications;
    assert.deepEqual(pubs.map((p) => p.data), [{ channel }], channel);
  }
  await waitFor(() => live.length === 1, 15_000, 'live publication through Redis PUB/SUB');
  assert.deepEqual(live, [{ channel: CHANNELS[0] }]);
}

void describe('engine.redis.address: redis+cluster://', () => {
  let cluster: RedisClusterHandle;
  let s: TestServer | undefined;
  const clients: Client[] = [];
  const prefix = `rotor-url-${randomUUID()}`;

  before(async () => {
    cluster = await spawnRedisCluster();
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await s?.close();
    await cluster.stop();
  });

  void test('seed node + addr parameters reach the whole cluster (keys on every master)', async () => {
    const [first, ...rest] = cluster.nodes;
    s = await serverWithAddress(`redis+cluster://${first}?${rest.map((a) => `addr=${a}`).join('&')}`, prefix);
    await exercise(s, clients);
    const inspect = new Cluster(cluster.nodes.map((n) => ({ host: n.split(':')[0]!, port: Number(n.split(':')[1]) })));
    try {
      await inspect.ping(); // connects and loads the slot map, so nodes('master') is filled
      let total = 0;
      const perMaster: number[] = [];
      for (const node of inspect.nodes('master')) {
        const keys = await node.keys(`*${prefix}*`);
        perMaster.push(keys.length);
        total += keys.length;
      }
      assert.ok(total >= CHANNELS.length, `history keys in the cluster: ${total}`);
      assert.ok(perMaster.filter((n) => n > 0).length >= 2, `keys spread over masters: ${perMaster.join(',')}`);
    } finally {
      await inspect.quit();
    }
  });
});

void describe('engine.redis.address: redis+sentinel://', () => {
  let sentinel: RedisSentinelHandle;
  let s: TestServer | undefined;
  const clients: Client[] = [];
  const prefix = `rotor-url-${randomUUID()}`;

  before(async () => {
    sentinel = await spawnRedisSentinel();
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await s?.close();
    await sentinel.stop();
  });

  void test('sentinel address + sentinel_master_name (+ addr) lead to the master', async () => {
    const [first, ...rest] = sentinel.sentinels;
    const extra = rest.map((a) => `&addr=${a}`).join('');
    s = await serverWithAddress(`redis+sentinel://${first}?sentinel_master_name=${sentinel.masterName}${extra}`, prefix);
    await exercise(s, clients);
    const master = new Redis({ host: sentinel.master.host, port: sentinel.master.port });
    try {
      const keys = await master.keys(`${prefix}*`);
      assert.ok(keys.length >= CHANNELS.length, `history keys on the master: ${keys.length}`);
    } finally {
      master.disconnect();
    }
  });

  void test('a sentinel URL without sentinel_master_name is refused at start, naming the parameter', async () => {
    await assert.rejects(serverWithAddress(`redis+sentinel://${sentinel.sentinels[0]}`, prefix), /sentinel_master_name parameter is required/);
  });
});

void describe('engine.redis.address: rediss:// with engine.redis.tls', () => {
  let dir = '';
  let redis: Running | undefined;
  let port = 0;
  let s: TestServer | undefined;
  const clients: Client[] = [];
  const prefix = `rotor-url-${randomUUID()}`;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rotor-redis-tls-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    ]);
    port = await freePort();
    redis = launch('redis-server', [
      '--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
      '--tls-cert-file', cert, '--tls-key-file', key, '--tls-ca-cert-file', cert, '--tls-auth-clients', 'no',
    ]);
    const ca = await readFile(cert, 'utf8');
    await waitFor(
      async () => {
        const probe = new Redis({ host: '127.0.0.1', port, tls: { ca }, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        try {
          await probe.connect();
          return (await probe.ping()) === 'PONG';
        } catch {
          return false;
        } finally {
          probe.disconnect();
        }
      },
      15_000,
      `TLS redis-server on ${port}: ${redis.log.join('\n')}`,
    );
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await s?.close();
    if (redis !== undefined) await terminate(redis);
    await rm(dir, { recursive: true, force: true });
  });

  void test('TLS to Redis with the CA from the v6 TLS object (server_ca_pem_file)', async () => {
    s = await serverWithAddress(`rediss://127.0.0.1:${port}`, prefix, { tls: { enabled: true, server_ca_pem_file: join(dir, 'cert.pem') } });
    await exercise(s, clients);
  });
});
