/**
 * @module test/integration/slow-client — a subscriber that stops reading is disconnected with
 * "slow" (3008, README 'Disconnect codes') once what waits for it passes `client_queue_max_size`, while a
 * subscriber that reads keeps receiving every publication.
 */
import { strict as assert } from 'node:assert';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { RawClientPool, expectedClose, type RawClient } from '../harness/raw-client.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { waitFor } from '../harness/wait.js';

const QUEUE_MAX = 1024 * 1024;
const PAYLOAD = 32 * 1024;
/** 24 MiB in total: more than both loopback socket buffers and the queue limit can hold. */
const COUNT = 768;

describe('slow client', () => {
  let s: TestServer;
  const pool = new RawClientPool();

  before(async () => {
    s = await startTestServer({
      allow_anonymous_connect_without_token: true,
      allow_subscribe_for_client: true,
      allow_subscribe_for_anonymous: true,
      ping_interval: '-1s',
      client_queue_max_size: QUEUE_MAX,
      websocket_write_timeout: '60s', // the slow-client rule is under test, not the write timeout
      prometheus: true,
    });
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
  });

  async function subscriber(): Promise<RawClient> {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    c.sendJson({ id: 2, subscribe: { channel: 'firehose' } });
    await c.waitReply(2);
    return c;
  }

  it('a subscriber that stops reading gets 3008 and the one that reads gets everything', async () => {
    const reader = await subscriber();
    const stalled = await subscriber();
    const socket = (stalled.ws as unknown as { _socket: Socket })._socket;
    socket.pause();
    assert.equal(s.server.node.hub.numClients, 2);

    // One publication per event-loop turn, as separate API requests would arrive (a single turn
    // holding more than the queue limit for every subscriber would rightly drop them all).
    const filler = 'x'.repeat(PAYLOAD - 32);
    for (let i = 0; i < COUNT; i++) {
      const data = new TextEncoder().encode(JSON.stringify({ i, filler }));
      const r = await s.server.executor.execute('publish', { channel: 'firehose', data }, 'http');
      assert.equal(r.error, undefined);
      await new Promise((resolve) => setImmediate(resolve));
    }

    // The server gives up on the stalled connection (its queue and socket buffer passed the limit)…
    await waitFor(() => s.server.node.hub.numClients === 1, 10_000, 'stalled client dropped by the server');
    const metrics = await fetch(`${s.url}/metrics`).then((r) => r.text());
    assert.match(metrics, /centrifugo_client_num_server_disconnects\{code="3008"\} 1/);

    // …while the reader got every publication, in order.
    const seen = () => reader.messages.filter((m) => m.value.push?.pub !== undefined).length;
    await waitFor(() => seen() === COUNT, 10_000, `all ${COUNT} publications at the reader`);
    const order = reader.messages
      .filter((m) => m.value.push?.pub !== undefined)
      .map((m) => (m.value.push.pub.data as { i: number }).i);
    assert.deepEqual(order, Array.from({ length: COUNT }, (_, i) => i));

    // Reading again, the stalled client finds the close frame with the slow code behind the data
    // that was already in flight (or the connection cut after the close grace period).
    socket.resume();
    const closed = await stalled.waitClose(10_000);
    if (closed.code !== 1006) assert.deepEqual(closed, expectedClose('slow'));
    assert.ok(
      stalled.messages.filter((m) => m.value.push?.pub !== undefined).length < COUNT,
      'the stalled client cannot have received everything',
    );
  });
});
