import { apiOk, infoNodes, redisCli, spawnNodes, stopAll, publishWithRetry } from '../test/harness/cluster.js';
import type { ServerProcess } from '../test/harness/process.js';
import { spawnRedis } from '../test/harness/redis.js';
import { collect, sdkClient } from '../test/harness/sdk.js';
import { waitFor } from '../test/harness/wait.js';

const redis = await spawnRedis();
const nodes: ServerProcess[] = [];
try {
  const cfg = (name: string) => ({ name, engine: 'redis', redis_address: redis.address, redis_prefix: 'adhoc', allow_anonymous_connect_without_token: true,
    namespaces: [{ name: 'room', history_size: 100, history_ttl: '300s', force_recovery: true, allow_subscribe_for_client: true, allow_subscribe_for_anonymous: true, presence: true }] });
  const [a, b] = await spawnNodes([cfg('A'), cfg('B')], nodes) as [ServerProcess, ServerProcess];
  await waitFor(async () => (await infoNodes(a)).length === 2, 10000, 'info', 100);
  const cl = sdkClient('json', b.wsUrl);
  const sub = cl.newSubscription('room:x');
  const got = collect('json', sub);
  const subs: unknown[] = [];
  sub.on('subscribed', (c) => subs.push({ rec: c.recovered, was: c.wasRecovering }));
  const conn: unknown[] = [];
  cl.on('connecting', (c) => conn.push(c));
  sub.subscribe(); cl.connect(); await sub.ready(5000);
  for (let i = 1; i <= 5; i++) await apiOk(a, 'publish', { channel: 'room:x', data: { i } });
  await redisCli(redis.port, ['SHUTDOWN', 'SAVE']).catch(() => undefined);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, 10000));
  console.log('during outage info A:', (await infoNodes(a)).map((n) => n.name), 'B:', (await infoNodes(b)).map((n) => n.name));
  console.log('presence during outage', await a.api('presence_stats', { channel: 'room:x' }));
  console.log('channels during outage', await a.api('channels', {}));
  await redis.start();
  console.log('restarted after', Date.now() - t0);
  let i = 5;
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline && (got.values.length === 0 || (got.values.at(-1) as { i: number }).i < 10)) {
    i++; await publishWithRetry(() => a, 'room:x', { i }, `k${i}`); await new Promise((r) => setTimeout(r, 50));
  }
  for (let k = 0; k < 5; k++) { i++; await publishWithRetry(() => a, 'room:x', { i }, `k${i}`); }
  await new Promise((r) => setTimeout(r, 1500));
  console.log('published', i, 'got', JSON.stringify(got.values.map((v) => (v as { i: number }).i)), 'subs', JSON.stringify(subs), 'connecting', JSON.stringify(conn));
  await waitFor(async () => (await infoNodes(a)).length === 2, 10000, 'info after', 100).catch((e) => console.log(String(e)));
  console.log('after info A:', (await infoNodes(a)).map((n) => n.name));
  console.log('channels after', JSON.stringify((await a.api('channels', {})).body));
  console.log('presence after', JSON.stringify((await a.api('presence_stats', { channel: 'room:x' })).body));
  cl.disconnect();
  for (const n of nodes) console.log(n.logs.filter((l) => /warn|error/i.test(l)).slice(0, 8).join('\n'));
} finally {
  await stopAll(nodes);
  await redis.stop();
}
