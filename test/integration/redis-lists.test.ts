/**
 * @module test/integration/redis-lists — `redis_use_lists: true` through the whole server: history
 * (forward, since, reverse) and recovery after a reconnect with the real centrifuge-js SDK, history
 * kept in a Redis LIST (`P.list.<channel>`) of a real redis-server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { spawnRedis } from '../harness/redis.js';
import { collect, sdkClient, type Client } from '../harness/sdk.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { connectToken } from '../harness/tokens.js';
import { waitFor } from '../harness/wait.js';

let redis: Awaited<ReturnType<typeof spawnRedis>>;
let s: TestServer;
let probe: Redis;
const clients: Client[] = [];
const PREFIX = `rotor-lists-${process.pid}`;

before(async () => {
  redis = await spawnRedis();
  s = await startTestServer({
    engine: 'redis',
    redis_address: redis.url,
    redis_prefix: PREFIX,
    redis_use_lists: true,
    ping_interval: '-1s',
    namespaces: [{ name: 'li', history_size: 10, history_ttl: '300s', force_recovery: true, allow_subscribe_for_client: true }],
  });
  probe = new Redis(redis.url);
});

after(async () => {
  for (const c of clients) c.disconnect();
  probe?.disconnect();
  await s?.close();
  await redis?.stop();
});

type HistoryBody = { result?: { publications?: { data: unknown; offset: number }[]; offset: number; epoch: string }; error?: unknown };

async function history(params: Record<string, unknown>): Promise<HistoryBody> {
  const r = await s.api('history', params);
  assert.equal(r.status, 200);
  return r.body as HistoryBody;
}

describe('redis_use_lists through the server', () => {
  it('history reads (forward, since, reverse) come from the LIST', async () => {
    for (let i = 1; i <= 4; i++) await s.api('publish', { channel: 'li:h', data: { i } });
    assert.equal(await probe.type(`${PREFIX}.list.li:h`), 'list');
    assert.equal(await probe.exists(`${PREFIX}.stream.li:h`), 0);
    const all = await history({ channel: 'li:h', limit: -1 });
    assert.deepEqual(all.result?.publications?.map((p) => p.offset), [1, 2, 3, 4]);
    assert.equal(all.result?.offset, 4);
    const since = await history({ channel: 'li:h', limit: 2, since: { offset: 1, epoch: all.result.epoch } });
    assert.deepEqual(since.result?.publications?.map((p) => p.data), [{ i: 2 }, { i: 3 }]);
    const rev = await history({ channel: 'li:h', limit: 2, reverse: true });
    assert.deepEqual(rev.result?.publications?.map((p) => p.offset), [4, 3]);
  });

  it('the SDK recovers missed publications from the LIST after a reconnect', async () => {
    const ch = 'li:rec';
    const user = 'lists-user';
    const c = sdkClient('json', s.wsUrl, { token: await connectToken(user), minReconnectDelay: 300, maxReconnectDelay: 300 });
    clients.push(c);
    const sub = c.newSubscription(ch);
    const got = collect('json', sub);
    const subscribed: { recovered: boolean; wasRecovering: boolean }[] = [];
    sub.on('subscribed', (ctx) => subscribed.push({ recovered: ctx.recovered, wasRecovering: ctx.wasRecovering }));
    sub.subscribe();
    c.connect();
    await sub.ready(5000);
    for (let i = 1; i <= 2; i++) await s.api('publish', { channel: ch, data: { i } });
    await waitFor(() => got.values.length === 2, 5000, 'live publications');
    const disconnected = new Promise((r) => c.once('connecting', r));
    await s.api('disconnect', { user, disconnect: { code: 4001, reason: 'reconnect' } });
    await disconnected;
    for (let i = 3; i <= 5; i++) await s.api('publish', { channel: ch, data: { i } });
    await waitFor(() => subscribed.length === 2, 10_000, 'resubscribed');
    await waitFor(() => got.values.length === 5, 5000, 'recovered publications');
    assert.deepEqual(subscribed[1], { recovered: true, wasRecovering: true });
    assert.deepEqual(got.offsets, [1, 2, 3, 4, 5]);
    assert.deepEqual(got.values, [1, 2, 3, 4, 5].map((i) => ({ i })));
  });
});
