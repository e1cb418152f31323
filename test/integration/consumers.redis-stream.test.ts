/**
 * Redis Streams consumer against a real redis-server (append-only file on, so its data survives a kill)
 * → publications received by a real centrifuge-js subscriber. The fault tests run the Redis engine on a
 * second redis-server, whose writes can be stalled to hold the consumer in the middle of a batch.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { spawnRedis, type RedisServerHandle } from '../harness/redis.js';
import { disconnectSubscribers, recordingLogger, stallableEngine, type StallableEngine, subscribeChannel } from '../harness/consumers.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { waitFor } from '../harness/wait.js';

const T = 20_000;
const GROUP = 'rotor';

let streams: RedisServerHandle;
let rs: Redis;

function streamConsumer(name: string, stream: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    type: 'redis_stream',
    redis_stream: { address: streams.address, streams: [stream], consumer_group: GROUP, ...extra },
  };
}

async function add(stream: string, fields: Record<string, string>): Promise<void> {
  await rs.xadd(stream, '*', ...Object.entries(fields).flat());
}

const publish = (channel: string, data: unknown): Record<string, string> => ({ method: 'publish', payload: JSON.stringify({ channel, data }) });

/** Entries delivered to the group but not acknowledged. */
async function pending(stream: string): Promise<number> {
  const r = (await rs.xpending(stream, GROUP)) as [number, ...unknown[]];
  return r[0];
}

before(async () => {
  streams = await spawnRedis(['--appendonly', 'yes', '--appendfsync', 'always']);
  rs = new Redis({ host: streams.host, port: streams.port, maxRetriesPerRequest: 1 });
  rs.on('error', () => undefined);
});

after(async () => {
  disconnectSubscribers();
  rs?.disconnect();
  await streams?.stop();
});

describe('redis_stream consumer', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({
      allow_subscribe_for_client: true,
      consumers: [
        streamConsumer('cmds', 'rotor-cmds', { num_workers: 1 }),
        streamConsumer('data', 'rotor-data', { publication_data_mode: { enabled: true } }),
        { ...streamConsumer('off', 'rotor-off'), disabled: true },
      ],
    });
  });
  after(async () => {
    await s?.close();
  });

  it('publishes entries in order, each acknowledged', async () => {
    const got = await subscribeChannel(s.wsUrl, 'rs-news');
    for (let i = 0; i < 5; i++) await add('rotor-cmds', publish('rs-news', { i }));
    await waitFor(() => got.values.length >= 5, T, '5 publications');
    assert.deepEqual(got.values, [0, 1, 2, 3, 4].map((i) => ({ i })));
    await waitFor(async () => (await pending('rotor-cmds')) === 0, T, 'all acknowledged');
  });

  it('skips malformed entries (no payload field, unknown method, invalid JSON) and processes the next one', async () => {
    const got = await subscribeChannel(s.wsUrl, 'rs-skip');
    await add('rotor-cmds', { method: 'publish', other: '{}' });
    await add('rotor-cmds', { method: 'no_such_method', payload: JSON.stringify({ channel: 'rs-skip', data: 1 }) });
    await add('rotor-cmds', { method: 'publish', payload: '{not json' });
    await add('rotor-cmds', { payload: JSON.stringify({ method: 'publish', payload: { channel: 'rs-skip', data: { envelope: true } } }) });
    await add('rotor-cmds', publish('rs-skip', { good: true }));
    await waitFor(() => got.values.length >= 2, T, 'the good entries');
    assert.deepEqual(got.values, [{ envelope: true }, { good: true }]);
    await waitFor(async () => (await pending('rotor-cmds')) === 0, T, 'malformed entries acknowledged too');
  });

  it('publication data mode: data from the payload field, channels and tags from other fields', async () => {
    const a = await subscribeChannel(s.wsUrl, 'rs-d1');
    const b = await subscribeChannel(s.wsUrl, 'rs-d2');
    await add('rotor-data', { payload: JSON.stringify({ direct: 1 }), 'centrifugo-channels': 'rs-d1,rs-d2', 'centrifugo-tag-k': 'v' });
    await add('rotor-data', { payload: JSON.stringify({ direct: 2 }), 'centrifugo-channels': 'rs-d1' });
    await waitFor(() => a.values.length >= 2 && b.values.length >= 1, T, 'data mode publications');
    assert.deepEqual(a.values, [{ direct: 1 }, { direct: 2 }]);
    assert.deepEqual(b.values, [{ direct: 1 }]);
  });

  it('a disabled consumer does nothing', async () => {
    await add('rotor-off', publish('rs-off', 1));
    // The enabled consumers created their groups at start; the disabled one never touched its stream.
    const groups = (await rs.xinfo('GROUPS', 'rotor-off')) as unknown[];
    assert.equal(groups.length, 0);
    assert.equal(await rs.xlen('rotor-off'), 1);
  });

  it('resumes after a Redis outage with nothing lost or doubled', async () => {
    const got = await subscribeChannel(s.wsUrl, 'rs-outage');
    await add('rotor-cmds', publish('rs-outage', { n: 1 }));
    await waitFor(() => got.values.length >= 1, T, 'entry before the outage');
    await streams.kill();
    await streams.start();
    for (const n of [2, 3]) await add('rotor-cmds', publish('rs-outage', { n }));
    await waitFor(() => got.values.length >= 3, T, 'entries after the outage');
    await waitFor(async () => (await pending('rotor-cmds')) === 0, T, 'all acknowledged');
    assert.deepEqual(got.values, [1, 2, 3].map((n) => ({ n })));
  });
});

describe('redis_stream consumer: restart mid-batch (redis engine)', () => {
  let engine: StallableEngine;
  const N = 500;
  const consumers = (): Record<string, unknown>[] => [streamConsumer('restart', 'rotor-restart'), streamConsumer('crash', 'rotor-crash')];
  const expected = Array.from({ length: N }, (_, i) => ({ i }));

  async function fill(stream: string, channel: string): Promise<void> {
    const pipeline = rs.pipeline();
    for (let i = 0; i < N; i++) pipeline.xadd(stream, '*', ...Object.entries(publish(channel, { i })).flat());
    await pipeline.exec();
  }

  before(async () => {
    engine = await stallableEngine();
  });
  after(async () => {
    await engine?.stop();
  });

  it('a stop in the middle of a batch leaves the rest pending; the restarted consumer finishes it, nothing doubled', async () => {
    let s = await engine.start(consumers());
    const got = await subscribeChannel(s.wsUrl, 'fx:rs');
    await fill('rotor-restart', 'fx:rs');
    // The consumer is blocked on one publish, with entries of its read delivered but unacknowledged.
    await engine.stallMidBatch(got, N);
    const closing = s.close();
    await engine.unpause();
    await closing;
    // The rest of the interrupted read (up to 15 entries) is left pending for this node's worker name.
    s = await engine.start(consumers());
    await waitFor(() => got.values.length >= N, T * 2, `${N} publications`);
    await waitFor(async () => (await pending('rotor-restart')) === 0, T, 'all acknowledged');
    assert.deepEqual(got.values, expected);
    await s.close();
  });

  it('a stream server lost mid-batch (acknowledgements fail) loses and doubles nothing', async () => {
    const rec = recordingLogger();
    const s = await engine.start(consumers(), { logger: rec.logger });
    const got = await subscribeChannel(s.wsUrl, 'fx:rs-crash');
    await fill('rotor-crash', 'fx:rs-crash');
    await engine.stallMidBatch(got, N);
    // The entry in hand gets published once the engine resumes, but its XACK finds the stream server gone;
    // whether the client re-sends that XACK after the reconnect or the entry is re-read from the pending
    // list and answered from its idempotency result, it reaches the subscriber once.
    await streams.kill();
    await engine.unpause();
    // The crash consumer's only worker is inside the stalled publish: its next command is the XACK.
    await waitFor(() => rec.lines.some((l) => l.startsWith('error consuming redis stream {"consumer":"crash"')), T, 'the failed acknowledgement');
    await streams.start();
    await waitFor(() => got.values.length >= N, T * 2, `${N} publications`);
    await waitFor(async () => (await pending('rotor-crash')) === 0, T, 'all acknowledged');
    assert.deepEqual(got.values, expected);
    await s.close();
  });
});
