/**
 * NATS JetStream consumer against a real `nats-server -js` (file store that survives a restart) →
 * publications received by a real centrifuge-js subscriber. The restart test runs the Redis engine,
 * whose writes can be stalled to hold the consumer in the middle of a batch.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { spawnNats, type NatsServerHandle } from '../harness/nats.js';
import { disconnectSubscribers, stallableEngine, type StallableEngine, subscribeChannel } from '../harness/consumers.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { waitFor } from '../harness/wait.js';

const T = 20_000;
const STREAM = 'ROTOR';
const METHOD_HEADER = 'centrifugo-method';

let nats: NatsServerHandle;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
const enc = new TextEncoder();

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
  disconnectSubscribers();
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
    const got = await subscribeChannel(s.wsUrl, 'js-news');
    for (let i = 0; i < 5; i++) await publishCmd('rotor.cmd', 'js-news', { i });
    await waitFor(() => got.values.length >= 5, T, '5 publications');
    assert.deepEqual(got.values, [0, 1, 2, 3, 4].map((i) => ({ i })));
    await waitFor(async () => (await outstanding('jscmd')) === 0, T, 'all acknowledged');
  });

  it('reads the {"method", "payload"} body when no method header is configured', async () => {
    const got = await subscribeChannel(s.wsUrl, 'js-env');
    await send('rotor.env', { method: 'broadcast', payload: { channels: ['js-env'], data: { env: 1 } } });
    await send('rotor.env', { method: 'publish', payload: JSON.stringify({ channel: 'js-env', data: { env: 2 } }) });
    await waitFor(() => got.values.length >= 2, T, 'envelope publications');
    assert.deepEqual(got.values, [{ env: 1 }, { env: 2 }]);
  });

  it('skips malformed messages (unknown method, invalid payload) and processes the next one', async () => {
    const got = await subscribeChannel(s.wsUrl, 'js-skip');
    await send('rotor.cmd', { channel: 'js-skip', data: 1 }, { [METHOD_HEADER]: 'no_such_method' });
    await send('rotor.cmd', '{broken', { [METHOD_HEADER]: 'publish' });
    await send('rotor.env', 'not json at all');
    await publishCmd('rotor.cmd', 'js-skip', { good: true });
    await waitFor(() => got.values.length >= 1, T, 'the good message');
    await waitFor(async () => (await outstanding('jscmd')) === 0 && (await outstanding('jsenv')) === 0, T, 'malformed messages acknowledged');
    assert.deepEqual(got.values, [{ good: true }]);
  });

  it('publication data mode: body is the data, channels from a header', async () => {
    const a = await subscribeChannel(s.wsUrl, 'js-d1');
    const b = await subscribeChannel(s.wsUrl, 'js-d2');
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
    const got = await subscribeChannel(s.wsUrl, 'js-outage');
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
  let engine: StallableEngine;
  const N = 500;
  const consumers = (): Record<string, unknown>[] => [jsConsumer('jsrestart', 'rotor.restart', { method_header: METHOD_HEADER })];

  before(async () => {
    engine = await stallableEngine();
  });
  after(async () => {
    await engine?.stop();
  });

  it('a stop in the middle of a batch hands the rest back; the restarted consumer finishes it, nothing doubled', async () => {
    let s = await engine.start(consumers());
    const got = await subscribeChannel(s.wsUrl, 'fx:js');
    await Promise.all(Array.from({ length: N }, (_, i) => publishCmd('rotor.restart', 'fx:js', { i })));
    await engine.stallMidBatch(got, N);
    const closing = s.close();
    await engine.unpause();
    await closing;
    s = await engine.start(consumers());
    await waitFor(() => got.values.length >= N, T * 2, `${N} publications`);
    await waitFor(async () => (await outstanding('jsrestart')) === 0, T, 'all acknowledged');
    const values = (got.values as { i: number }[]).map((v) => v.i);
    assert.equal(new Set(values).size, N, 'no duplicates');
    // Messages handed back on the stop are redelivered after later ones: compare as sets.
    assert.deepEqual(values.sort((x, y) => x - y), Array.from({ length: N }, (_, i) => i));
    await s.close();
  });
});
