/**
 * @module test/integration/write-timeout — `websocket_write_timeout` / `uni_websocket_write_timeout`:
 * a connection whose socket stops draining is closed with "write error" (3009) once a write has
 * waited longer than the timeout, while a connection that reads keeps receiving everything.
 * `client_queue_max_size` is set high so the slow-client rule (3008) cannot act first.
 */
import { strict as assert } from 'node:assert';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { RawClientPool, type RawClient } from '../harness/raw-client.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { connectToken } from '../harness/tokens.js';
import { waitFor } from '../harness/wait.js';

const PAYLOAD = 32 * 1024;
/** Upper bound of publications: 64 MiB, far more than loopback socket buffers hold. */
const MAX_COUNT = 2048;

describe('websocket write timeout', () => {
  let s: TestServer;
  const pool = new RawClientPool();
  const extra: WebSocket[] = [];

  before(async () => {
    s = await startTestServer({
      allow_anonymous_connect_without_token: true,
      allow_subscribe_for_client: true,
      allow_subscribe_for_anonymous: true,
      ping_interval: '-1s',
      client_queue_max_size: 512 * 1024 * 1024,
      websocket_write_timeout: '300ms',
      uni_websocket: true,
      uni_websocket_write_timeout: '300ms',
      prometheus: true,
    });
  });
  after(async () => {
    await pool.closeAll();
    for (const ws of extra) ws.terminate();
    await s.close();
  });

  async function subscriber(): Promise<RawClient> {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    c.sendJson({ id: 2, subscribe: { channel: 'firehose' } });
    await c.waitReply(2);
    return c;
  }

  /** Publishes one 32 KiB publication per event-loop turn until `done()` or MAX_COUNT; returns the count. */
  async function publishUntil(done: () => boolean): Promise<number> {
    const filler = 'x'.repeat(PAYLOAD - 32);
    let i = 0;
    for (; i < MAX_COUNT && !done(); i++) {
      const data = new TextEncoder().encode(JSON.stringify({ i, filler }));
      const r = await s.server.executor.execute('publish', { channel: 'firehose', data }, 'http');
      assert.equal(r.error, undefined);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return i;
  }

  async function disconnects(code: number): Promise<number> {
    const text = await fetch(`${s.url}/metrics`).then((r) => r.text());
    const m = new RegExp(`centrifugo_client_num_server_disconnects\\{code="${code}"\\} (\\d+)`).exec(text);
    return m === null ? 0 : Number(m[1]);
  }

  it('a bidirectional subscriber that stops reading is closed with 3009; one that reads gets everything', async () => {
    const reader = await subscriber();
    const stalled = await subscriber();
    (stalled.ws as unknown as { _socket: Socket })._socket.pause();
    const node = s.server.node;
    assert.equal(node.hub.numClients, 2);

    const sent = await publishUntil(() => node.hub.numClients < 2);
    await waitFor(() => node.hub.numClients === 1, 10_000, 'stalled client closed by the write timeout');
    assert.ok(sent < MAX_COUNT, 'closed while publishing');
    assert.equal(await disconnects(3009), 1);
    assert.equal(await disconnects(3008), 0, 'not the slow-client rule');
    const seen = (): number => reader.messages.filter((m) => m.value.push?.pub !== undefined).length;
    await waitFor(() => seen() === sent, 10_000, `all ${sent} publications at the reader`);
    assert.equal(reader.closeInfo, undefined, 'the reader stays connected');
  });

  it('a uni_websocket connection that stops reading is closed too', async () => {
    const token = await connectToken('uni-user', { channels: ['firehose'] });
    const url = `ws://127.0.0.1:${s.port}/connection/uni_websocket?cf_connect=${encodeURIComponent(JSON.stringify({ token }))}`;
    const ws = new WebSocket(url);
    extra.push(ws);
    const connected = new Promise<void>((resolve, reject) => {
      ws.once('message', () => resolve());
      ws.once('error', reject);
    });
    await connected;
    (ws as unknown as { _socket: Socket })._socket.pause();
    const node = s.server.node;
    const before = node.hub.numClients;
    const before3009 = await disconnects(3009);
    await waitFor(() => node.hub.numSubs === before, 10_000, 'uni client subscribed server-side');

    await publishUntil(() => node.hub.numClients < before);
    await waitFor(() => node.hub.numClients === before - 1, 10_000, 'stalled uni client closed by the write timeout');
    assert.equal(await disconnects(3009), before3009 + 1);
  });
});
