/**
 * NATS JetStream consumer against a real `nats-server -js` (file store that survives a restart) →
 * publications received by a real centrifuge-js subscriber. The restart test runs the Redis engine,
 * whose writes can be stalled to hold the consumer in the middle of a batch.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { spawnNats, type NatsServerHandle } from '../harness/nats.js';
import { spawnRedis, type RedisServerHandle } from '../harness/redis.js';
import { type Client, collect, sdkClient } from '../harness/sdk.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { freePort } from '../harness/spawned.js';
import { connectToken } from '../harness/tokens.js';
import { waitFor } from '../harness/wait.js';

const T = 20_000;
const STREAM = 'ROTOR';
const METHOD_HEADER = 'centrifugo-method';

let nats: NatsServerHandle;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
const clients: Client[] = [];
const enc = new TextEncoder();

async function subscribe(url: string, channel: string): Promise<{ values: unknown[] }> {
  const client = sdkClient('json', url, { token: await connectToken('js-test') });
  clients.push(client);
  const sub = client.newSubscription(channel);
  const got = collect('json', sub);
  sub.subscribe();
  client.connect();
  await sub.ready(T);
  return got;
}

function jsConsumer(name: string, subject: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    type: 'nats_jetstream',
    nats_jetstream: { url: nats.url, stream_name: STREAM, subjects: [subject], durable_consumer_name: name, ...extra },
  };
}

async function send(subject: string, body: unknown, hdrs: Record<string, string> = {}): Promise<void> {
  const h = headers();
  for (const [k, v] of Object.entries(hdrs)) h.set(k, v);
  await js.publish(subject, typeof body === 'string' ? enc.encode(body) : enc.encode(JSON.stringify(body)), { headers: h });
}

const publishCmd = (subject: string, channel: string, data: unknown): Promise<void> => send(subject, { channel, data }, { [METHOD_HEADER]: 'publish' });

/** Messages of a durable consumer not yet acknowledged or not yet delivered. */
async function outstanding(durable: string): Promise<number> {
  const info = await jsm.consumers.info(STREAM, durable);
  return info.num_ack_pending + info.num_pending;
}

async function openClient(): Promise<void> {
  nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
}

before(async () => {
  nats = await spawnNats({ jetstream: true });
  await openClient();
  await jsm.streams.add({ name: STREAM, subjects: ['rotor.>'] });
});

after(async () => {
  for (const c of clients) c.disconnect();
  await nc?.close();
  await nats?.stop();
});

describe('nats_jetstream consumer start', () => {
  it('fails the server start, naming the consumer, when the stream does not exist', async () => {
    const bad = { ...jsConsumer('nostream', 'rotor.x'), nats_jetstream: { url: nats.url, stream_name: 'MISSING', durable_consumer_name: 'd' } };
    await assert.rejects(startTestServer({ consumers: [bad] }), /consumer "nostream" \(nats_jetstream\) failed to start: .*stream not found/i);
  });
});

describe('nats_jetstream consumer', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({
      allow_subscribe_for_client: true,
      consumers: [
        jsConsumer('jscmd', 'rotor.cmd', { method_header: METHOD_HEADER }),
        jsConsumer('jsenv', 'rotor.env'),
        jsConsumer('jsdata', 'rotor.data', { publication_data_mode: { enabled: true } }),
        { ...jsConsumer('jsoff', 'rotor.off'), enabled: false },
      ],
    });
  });
  after(async () => {
    await s?.close();
  });

  it('publishes messages (method in a header) in order, each acknowledged', async () => {
    const got = await subscribe(s.wsUrl, 'js-news');
    for (let i = 0; i < 5; i++) await publishCmd('rotor.cmd', 'js-news', { i });
    await waitFor(() => got.values.length >= 5, T, '5 publications');
    assert.deepEqual(got.values, [0, 1, 2, 3, 4].map((i) => ({ i })));
    await waitFor(async () => (await outstanding('jscmd')) === 0, T, 'all acknowledged');
  });

  it('reads the {"method", "payload"} body when no method header is configured', async () => {
    const got = await subscribe(s.wsUrl, 'js-env');
    await send('rotor.env', { method: 'broadcast', payload: { channels: ['js-env'], data: { env: 1 } } });
    await send('rotor.env', { method: 'publish', payload: JSON.stringify({ channel: 'js-env', data: { env: 2 } }) });
    await waitFor(() => got.values.length >= 2, T, 'envelope publications');
    assert.deepEqual(got.values, [{ env: 1 }, { env: 2 }]);
  });

  it('skips malformed messages (unknown method, invalid payload) and processes the next one', async () => {
    const got = await subscribe(s.wsUrl, 'js-skip');
    await send('rotor.cmd', { channel: 'js-skip', data: 1 }, { [METHOD_HEADER]: 'no_such_method' });
    await send('rotor.cmd', '{broken', { [METHOD_HEADER]: 'publish' });
    await send('rotor.env', 'not json at all');
    await publishCmd('rotor.cmd', 'js-skip', { good: true });
    await waitFor(() => got.values.length >= 1, T, 'the good message');
    await waitFor(async () => (await outstanding('jscmd')) === 0 && (await outstanding('jsenv')) === 0, T, 'malformed messages acknowledged');
    assert.deepEqual(got.values, [{ good: true }]);
  });

  it('publication data mode: body is the data, channels from a header', async () => {
    const a = await subscribe(s.wsUrl, 'js-d1');
    const b = await subscribe(s.wsUrl, 'js-d2');
    await send('rotor.data', { direct: 1 }, { 'centrifugo-channels': 'js-d1,js-d2' });
    await send('rotor.data', { direct: 2 }, { 'centrifugo-channels': 'js-d2' });
    await waitFor(() => a.values.length >= 1 && b.values.length >= 2, T, 'data mode publications');
    assert.deepEqual(a.values, [{ direct: 1 }]);
    assert.deepEqual(b.values, [{ direct: 1 }, { direct: 2 }]);
  });

  it('a disabled consumer does nothing (no durable consumer is created)', async () => {
    const names: string[] = [];
    for await (const c of jsm.consumers.list(STREAM)) names.push(c.name);
    assert.deepEqual(names.sort(), ['jscmd', 'jsdata', 'jsenv']);
  });

  it('resumes after a NATS restart with nothing lost or doubled', async () => {
    const got = await subscribe(s.wsUrl, 'js-outage');
    await publishCmd('rotor.cmd', 'js-outage', { n: 1 });
    await waitFor(() => got.values.length >= 1, T, 'message before the outage');
    await nats.restart();
    await waitFor(async () => {
      try {
        await publishCmd('rotor.cmd', 'js-outage', { n: 2 });
        return true;
      } catch {
        return false; // the test's own client is still reconnecting
      }
    }, T, 'a publish accepted after the restart');
    await publishCmd('rotor.cmd', 'js-outage', { n: 3 });
    await waitFor(() => got.values.length >= 3, T, 'messages after the outage');
    await waitFor(async () => (await outstanding('jscmd')) === 0, T, 'all acknowledged');
    assert.deepEqual(got.values, [1, 2, 3].map((n) => ({ n })));
  });
});

describe('nats_jetstream consumer: restart mid-batch (redis engine)', () => {
  let engine: RedisServerHandle;
  let control: Redis;
  let port: number;
  const servers: TestServer[] = [];
  const N = 500;

  const start = async (): Promise<TestServer> => {
    const s = await startTestServer({
      port,
      engine: 'redis',
      redis_address: engine.address,
      redis_io_timeout: '60s',
      namespaces: [{ name: 'fx', history_size: 5000, history_ttl: '600s', allow_subscribe_for_client: true, force_recovery: true }],
      consumers: [jsConsumer('jsrestart', 'rotor.restart', { method_header: METHOD_HEADER })],
    });
    servers.push(s);
    return s;
  };

  before(async () => {
    engine = await spawnRedis();
    control = new Redis({ host: engine.host, port: engine.port });
    port = await freePort();
  });
  after(async () => {
    await control?.client('UNPAUSE').catch(() => undefined);
    for (const s of servers) await s.close();
    control?.disconnect();
    await engine?.stop();
  });

  it('a stop in the middle of a batch hands the rest back; the restarted consumer finishes it, nothing doubled', async () => {
    let s = await start();
    const got = await subscribe(s.wsUrl, 'fx:js');
    await Promise.all(Array.from({ length: N }, (_, i) => publishCmd('rotor.restart', 'fx:js', { i })));
    await waitFor(() => got.values.length >= 20, T, 'first publications');
    await control.client('PAUSE', 60_000, 'WRITE');
    const atPause = got.values.length;
    assert.ok(atPause > 0 && atPause < N, `paused mid-batch (${atPause} of ${N})`);
    const closing = s.close();
    await control.client('UNPAUSE');
    await closing;
    s = await start();
    await waitFor(() => got.values.length >= N, T * 2, `${N} publications`);
    await waitFor(async () => (await outstanding('jsrestart')) === 0, T, 'all acknowledged');
    const values = got.values as { i: number }[];
    assert.equal(new Set(values.map((v) => v.i)).size, N, 'no duplicates');
    assert.deepEqual(values.map((v) => v.i).sort((x, y) => x - y), Array.from({ length: N }, (_, i) => i));
    await s.close();
  });
});
