/**
 * @module test/integration/write-timeout — `websocket_write_timeout` / `uni_websocket_write_timeout`
 * (Centrifugo's WebSocket transport): a peer that stops reading is closed with 3009 "write error" once a write
 * has not drained within the timeout, long before the slow-consumer queue limit would act; a peer
 * that reads keeps receiving everything.
 */
import { strict as assert } from 'node:assert';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { RawClientPool, type RawClient } from '../harness/raw-client.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { waitFor } from '../harness/wait.js';

/** Far above what the test publishes: the queue limit (3008) must not be what closes the stalled peer. */
const QUEUE_MAX = 512 * 1024 * 1024;
const PAYLOAD = 32 * 1024;

describe('websocket write timeout', () => {
  let s: TestServer;
  const pool = new RawClientPool();
  const uniSockets: WebSocket[] = [];

  before(async () => {
    s = await startTestServer({
      allow_anonymous_connect_without_token: true,
      allow_subscribe_for_client: true,
      allow_subscribe_for_anonymous: true,
      ping_interval: '-1s',
      client_queue_max_size: QUEUE_MAX,
      websocket_write_timeout: '300ms',
      uni_websocket: true,
      uni_websocket_write_timeout: '300ms',
      prometheus: true,
    });
  });
  after(async () => {
    for (const ws of uniSockets) ws.terminate();
    await pool.closeAll();
    await s.close();
  });

  async function subscriber(channel: string): Promise<RawClient> {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    c.sendJson({ id: 2, subscribe: { channel } });
    await c.waitReply(2);
    return c;
  }

  /** Publishes one message per event-loop turn until `done()` or `max` messages. */
  async function publishUntil(channel: string, done: () => boolean, max: number): Promise<number> {
    const filler = 'x'.repeat(PAYLOAD - 32);
    let i = 0;
    for (; i < max && !done(); i++) {
      const data = new TextEncoder().encode(JSON.stringify({ i, filler }));
      const r = await s.server.executor.execute('publish', { channel, data }, 'http');
      assert.equal(r.error, undefined);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return i;
  }

  async function disconnects3009(): Promise<number> {
    const text = await fetch(`${s.url}/metrics`).then((r) => r.text());
    const m = /centrifugo_client_num_server_disconnects\{code="3009"\} (\d+)/.exec(text);
    return m === null ? 0 : Number(m[1]);
  }

  it('bidirectional: a stalled reader is cut with 3009, the reading one gets everything', async () => {
    const before3009 = await disconnects3009();
    const reader = await subscriber('wt');
    const stalled = await subscriber('wt');
    (stalled.ws as unknown as { _socket: Socket })._socket.pause();
    assert.equal(s.server.node.hub.numClients, 2);

    // Enough data to fill both loopback socket buffers; stop as soon as the server gave up.
    const sent = await publishUntil('wt', () => s.server.node.hub.numClients === 1, 4096);
    await waitFor(() => s.server.node.hub.numClients === 1, 20_000, 'stalled client dropped by the write timeout');
    await waitFor(async () => (await disconnects3009()) === before3009 + 1, 10_000, 'one 3009 disconnect counted');
    const text = await fetch(`${s.url}/metrics`).then((r) => r.text());
    assert.doesNotMatch(text, /centrifugo_client_num_server_disconnects\{code="3008"\}/, 'not the slow-consumer limit');

    const seen = () => reader.messages.filter((m) => m.value.push?.pub !== undefined).length;
    await waitFor(() => seen() === sent, 20_000, `all ${sent} publications at the reader`);
  });

  it('unidirectional: a stalled uni_websocket reader is cut with 3009', async () => {
    const before3009 = await disconnects3009();
    const request = { subs: {} };
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/connection/uni_websocket?cf_connect=${encodeURIComponent(JSON.stringify(request))}`);
    uniSockets.push(ws);
    ws.on('error', () => undefined);
    let clientId = '';
    ws.on('message', (data: Buffer) => {
      const push = JSON.parse(data.toString('utf8')) as { connect?: { client: string } };
      if (push.connect !== undefined) clientId = push.connect.client;
    });
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await waitFor(() => clientId !== '', 10_000, 'uni connect push');
    (ws as unknown as { _socket: Socket })._socket.pause();

    // Server-side subscription of the connection's client to a channel, then publications into it.
    const sub = await s.server.executor.execute('subscribe', { user: '', client: clientId, channel: 'wt-uni' }, 'http');
    assert.equal(sub.error, undefined);
    const count = () => s.server.node.hub.numClients;
    const start = count();
    await publishUntil('wt-uni', () => count() < start, 4096);
    await waitFor(() => count() === start - 1, 20_000, 'stalled uni client dropped by the write timeout');
    await waitFor(async () => (await disconnects3009()) === before3009 + 1, 10_000, 'one 3009 disconnect counted');
    (ws as unknown as { _socket: Socket })._socket.resume();
    assert.equal(await closed, 1006, 'the stuck socket is cut, not closed with a handshake');
  });
});
