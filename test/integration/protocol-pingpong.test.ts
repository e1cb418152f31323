/**
 * @module test/integration/protocol-pingpong — app-level ping/pong and native WebSocket pings on the
 * raw wire (Centrifugo's ping/pong rules: one pong per ping). Timers: ping_interval 1s, pong_timeout 500ms; the
 * server's timer resolution is allowed ~200 ms of slack.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { RawClientPool, expectedClose, isPing } from '../harness/raw-client.js';
import { startTestServer, type TestServer } from '../harness/server.js';

const INTERVAL = 1000;
const PONG_TIMEOUT = 500;
const SLACK = 200;

describe('protocol: app-level ping/pong (ping_interval 1s, pong_timeout 500ms)', () => {
  let s: TestServer;
  const pool = new RawClientPool();

  before(async () => {
    s = await startTestServer({ allow_anonymous_connect_without_token: true, ping_interval: '1s', pong_timeout: '500ms' });
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
  });

  it('connect result announces ping: 1 (seconds) and pong: true', async () => {
    const c = await pool.open(s.wsUrl);
    const r = await c.connect({});
    assert.equal(r.connect.ping, 1);
    assert.equal(r.connect.pong, true);
  });

  it('the server ping is an empty reply {} and the first one comes within [interval/2, interval) after connect', async () => {
    const c = await pool.open(s.wsUrl);
    const sent = Date.now();
    await c.connect({});
    const ping = await c.waitPing(INTERVAL + SLACK + 500);
    assert.equal(ping.raw, '{}');
    const delay = ping.at - sent;
    assert.ok(delay >= INTERVAL / 2 - 20, `first ping after ${delay} ms (< interval/2)`);
    assert.ok(delay < INTERVAL + SLACK, `first ping after ${delay} ms (≥ interval + slack)`);
  });

  it('answering every ping with {} keeps the connection; later pings come every interval', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    const p1 = await c.waitPing(2000);
    c.pong();
    const p2 = await c.waitPing(2000, c.messages.indexOf(p1) + 1);
    c.pong();
    const gap = p2.at - p1.at;
    assert.ok(gap >= INTERVAL - SLACK && gap <= INTERVAL + SLACK, `gap between pings ${gap} ms`);
    const p3 = await c.waitPing(2000, c.messages.indexOf(p2) + 1);
    c.pong();
    assert.ok(p3.at > p2.at);
    assert.equal(c.closeInfo, undefined);
  });

  it('no pong within pong_timeout after a ping → disconnect "no pong" (classic 3015) at ping + pong_timeout', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    const ping = await c.waitPing(2000);
    const closed = await c.waitClose(2000);
    assert.deepEqual(closed, expectedClose('noPong', 'classic'));
    const after = Date.now() - ping.at;
    assert.ok(after >= PONG_TIMEOUT - 50 && after <= PONG_TIMEOUT + SLACK + 100, `closed ${after} ms after the ping`);
  });

  it('other commands do not count as pongs', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    await c.waitPing(2000);
    const r = await c.call('unsubscribe', { channel: 'x' });
    assert.deepEqual(r.unsubscribe, {});
    assert.deepEqual(await c.waitClose(2000), expectedClose('noPong', 'classic'));
  });

  it('a second pong for the same ping → disconnect bad request', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    await c.waitPing(2000);
    c.pong();
    c.pong();
    assert.deepEqual(await c.waitClose(1000), expectedClose('badRequest'));
  });

  it('a pong before the first ping → disconnect bad request', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    c.pong();
    assert.deepEqual(await c.waitClose(1000), expectedClose('badRequest'));
  });

  it('Protobuf: the ping is a zero-length message (byte 00) and 00 is the pong', async () => {
    const c = await pool.open(s.wsUrl, { subprotocols: ['centrifuge-protobuf'] });
    const r = await c.connect({});
    assert.equal(r.connect.ping, 1);
    assert.equal(r.connect.pong, true);
    const p1 = await c.waitPing(2000);
    assert.equal(p1.raw, '', 'empty message');
    const frame = c.frames[p1.frame]!;
    assert.equal(frame.binary, true);
    assert.ok(frame.data.includes(0x00), 'zero length prefix in the frame');
    if (frame.data.length === 1) assert.deepEqual([...frame.data], [0]);
    c.pong();
    const p2 = await c.waitPing(2000, c.messages.indexOf(p1) + 1);
    c.pong();
    assert.ok(p2.at > p1.at);
    assert.equal(c.closeInfo, undefined);
  });

  it('Protobuf: no pong → disconnect no pong', async () => {
    const c = await pool.open(s.wsUrl, { subprotocols: ['centrifuge-protobuf'] });
    await c.connect({});
    await c.waitPing(2000);
    assert.deepEqual(await c.waitClose(2000), expectedClose('noPong', 'classic'));
  });
});

describe('protocol: pong_timeout disabled (-1)', () => {
  let s: TestServer;
  const pool = new RawClientPool();

  before(async () => {
    s = await startTestServer({ allow_anonymous_connect_without_token: true, ping_interval: '1s', pong_timeout: '-1s' });
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
  });

  it('connect result has ping but no pong; pings keep coming and no pong is required', async () => {
    const c = await pool.open(s.wsUrl);
    const r = await c.connect({});
    assert.equal(r.connect.ping, 1);
    assert.equal(r.connect.pong, undefined);
    const p1 = await c.waitPing(2000);
    await c.waitPing(2000, c.messages.indexOf(p1) + 1);
    assert.equal(c.closeInfo, undefined, 'not disconnected without pongs');
  });
});

describe('protocol: cf_ws_frame_ping_pong=true (native WebSocket pings)', () => {
  let s: TestServer;
  const pool = new RawClientPool();

  before(async () => {
    s = await startTestServer({ allow_anonymous_connect_without_token: true, ping_interval: '1s', pong_timeout: '500ms' });
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
  });

  it('connect result has no ping/pong; native PING frames arrive; no app-level {} pings', async () => {
    const c = await pool.open(s.wsUrl, { query: { cf_ws_frame_ping_pong: 'true' } });
    const r = await c.connect({});
    assert.equal(r.connect.ping, undefined);
    assert.equal(r.connect.pong, undefined);
    await c.waitNativePings(2, 2 * INTERVAL + 1000);
    assert.equal(c.messages.filter((m) => isPing(m.value)).length, 0, 'no app-level pings');
    assert.equal(c.closeInfo, undefined, 'answering native pings (auto PONG) keeps the connection');
  });

  it('a client that never answers native pings (and sends nothing) is dropped after ping_interval + pong_timeout', async () => {
    const c = await pool.open(s.wsUrl, { query: { cf_ws_frame_ping_pong: 'true' }, autoPong: false });
    await c.connect({});
    const started = Date.now();
    const closed = await c.waitClose(INTERVAL * 3 + PONG_TIMEOUT + 1000);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= INTERVAL + PONG_TIMEOUT - 100, `dropped too early, after ${elapsed} ms (code ${closed.code})`);
  });

  it('a pong command on such a connection is unnecessary → bad request (no app-level pings are sent)', async () => {
    const c = await pool.open(s.wsUrl, { query: { cf_ws_frame_ping_pong: 'true' } });
    await c.connect({});
    c.pong();
    assert.deepEqual(await c.waitClose(1000), expectedClose('badRequest'));
  });
});
