/**
 * @module test/integration/protocol-codes — WebSocket close codes and reasons in both numberings of
 * config key `disconnect_codes` (Rotor's disconnect-code decision, see README 'Disconnect codes'; Centrifugo's
 * connection close and server API effects). `classic` (default): classic codes, close reason `{"reason":…,"reconnect":…}`;
 * `ranged`: protocol-v2 codes, plain-text reasons. Custom codes pass through unchanged in both.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { type CodesMode, RawClientPool, expectedClose, replies } from '../harness/raw-client.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { connectToken, nowSec } from '../harness/tokens.js';

const MODES: CodesMode[] = ['classic', 'ranged'];

for (const mode of MODES) {
  describe(`protocol: close codes, disconnect_codes = ${mode}`, () => {
    let s: TestServer;
    const pool = new RawClientPool();
    let n = 0;
    const user = (): string => `${mode}-u${++n}`;

    before(async () => {
      s = await startTestServer({
        disconnect_codes: mode,
        allow_subscribe_for_client: true,
        ping_interval: '1s',
        pong_timeout: '500ms',
        client_stale_close_delay: '1s',
        client_user_connection_limit: 1,
      });
    });
    after(async () => {
      await pool.closeAll();
      await s.close();
    });

    it('bad request (command before connect)', async () => {
      const c = await pool.open(s.wsUrl);
      c.sendJson({ id: 1, subscribe: { channel: 'x' } });
      assert.deepEqual(await c.waitClose(), expectedClose('badRequest', mode));
    });

    it('bad request (malformed JSON frame)', async () => {
      const c = await pool.open(s.wsUrl);
      c.sendText('{"id":1,');
      assert.deepEqual(await c.waitClose(), expectedClose('badRequest', mode));
    });

    it('bad request (missing credentials)', async () => {
      const c = await pool.open(s.wsUrl);
      c.sendJson({ id: 1, connect: {} });
      assert.deepEqual(await c.waitClose(), expectedClose('badRequest', mode));
    });

    it('invalid token (bad signature)', async () => {
      const c = await pool.open(s.wsUrl);
      c.sendJson({ id: 1, connect: { token: await connectToken(user(), {}, { secret: 'nope' }) } });
      assert.deepEqual(await c.waitClose(), expectedClose('invalidToken', mode));
    });

    it('stale: no connect within client_stale_close_delay (1s)', async () => {
      const c = await pool.open(s.wsUrl);
      const opened = Date.now();
      const closed = await c.waitClose(3000);
      const elapsed = Date.now() - opened;
      assert.deepEqual(closed, expectedClose('stale', mode));
      assert.ok(elapsed >= 900, `closed as stale after only ${elapsed} ms`);
    });

    it('connection limit (client_user_connection_limit 1)', async () => {
      const u = user();
      const first = await pool.open(s.wsUrl);
      await first.connect({ token: await connectToken(u) });
      const second = await pool.open(s.wsUrl);
      second.sendJson({ id: 1, connect: { token: await connectToken(u) } });
      assert.deepEqual(await second.waitClose(), expectedClose('connectionLimit', mode));
      assert.equal(first.closeInfo, undefined, 'the first connection stays');
    });

    it('no pong', async () => {
      const c = await pool.open(s.wsUrl);
      await c.connect({ token: await connectToken(user()) });
      await c.waitPing(2000);
      assert.deepEqual(await c.waitClose(2000), expectedClose('noPong', mode));
    });

    it('force disconnect: server API `disconnect` without a custom disconnect', async () => {
      const u = user();
      const c = await pool.open(s.wsUrl);
      await c.connect({ token: await connectToken(u) });
      const res = await s.api('disconnect', { user: u });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(await c.waitClose(), expectedClose('forceDisconnect', mode));
    });

    it('custom code from the server API `disconnect` passes through unchanged (4000 "custom")', async () => {
      const u = user();
      const c = await pool.open(s.wsUrl);
      await c.connect({ token: await connectToken(u) });
      await s.api('disconnect', { user: u, disconnect: { code: 4000, reason: 'custom' } });
      const closed = await c.waitClose();
      assert.equal(closed.code, 4000);
      // classic: JSON reason; 4000–4499 is the non-terminal application range → reconnect true (README 'Disconnect codes')
      assert.equal(closed.reason, mode === 'classic' ? '{"reason":"custom","reconnect":true}' : 'custom');
    });

    it('custom terminal code (4500) passes through unchanged', async () => {
      const u = user();
      const c = await pool.open(s.wsUrl);
      await c.connect({ token: await connectToken(u) });
      await s.api('disconnect', { user: u, disconnect: { code: 4500, reason: 'go away' } });
      const closed = await c.waitClose();
      assert.equal(closed.code, 4500);
      assert.equal(closed.reason, mode === 'classic' ? '{"reason":"go away","reconnect":false}' : 'go away');
    });

    it('API disconnect with `client` closes only that connection', async () => {
      const u = `${mode}-multi`;
      // user connection limit is 1 on this server: use one connection and a non-matching client id
      const c = await pool.open(s.wsUrl);
      const r = await c.connect({ token: await connectToken(u) });
      await s.api('disconnect', { user: u, client: 'not-this-one' });
      const reply = await c.call('unsubscribe', { channel: 'x' });
      assert.deepEqual(reply.unsubscribe, {});
      assert.equal(c.closeInfo, undefined);
      await s.api('disconnect', { user: u, client: r.connect.client });
      assert.deepEqual(await c.waitClose(), expectedClose('forceDisconnect', mode));
    });

    it('expired: server API `refresh` with expired: true', async () => {
      const u = user();
      const c = await pool.open(s.wsUrl);
      await c.connect({ token: await connectToken(u) });
      const res = await s.api('refresh', { user: u, expired: true });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(await c.waitClose(), expectedClose('expired', mode));
    });

    it('server API `refresh` with expire_at in the future → refresh push {expires, ttl}', async () => {
      const u = user();
      const c = await pool.open(s.wsUrl);
      await c.connect({ token: await connectToken(u) });
      await s.api('refresh', { user: u, expire_at: nowSec() + 100 });
      const push = await c.waitPush((p) => p.refresh !== undefined);
      assert.equal(push.refresh.expires, true);
      assert.ok(push.refresh.ttl >= 98 && push.refresh.ttl <= 100, `ttl ${push.refresh.ttl}`);
    });

    it('expired: refresh command with an expired token', async () => {
      const u = user();
      const c = await pool.open(s.wsUrl);
      await c.connect({ token: await connectToken(u, {}, { expSec: nowSec() + 60 }) });
      c.sendJson({ id: 2, refresh: { token: await connectToken(u, {}, { expSec: nowSec() - 1 }) } });
      assert.deepEqual(await c.waitClose(), expectedClose('expired', mode));
    });

    it('WebSocket: the close frame carries the disconnect, no `disconnect` push is written; queued pushes are flushed first', async () => {
      const u = user();
      const c = await pool.open(s.wsUrl);
      await c.connect({ token: await connectToken(u) });
      await c.call('subscribe', { channel: 'flush' });
      // publish and disconnect back to back: the publication is queued before the close
      await s.api('publish', { channel: 'flush', data: { last: true } });
      await s.api('disconnect', { user: u });
      assert.deepEqual(await c.waitClose(), expectedClose('forceDisconnect', mode));
      assert.equal(c.messages.filter((m) => m.value.push?.disconnect !== undefined).length, 0, 'no disconnect push');
      assert.equal(c.messages.filter((m) => m.value.push?.channel === 'flush').length, 1, 'the publication arrived before the close');
    });

    it('not available: the send command (3508 in both modes)', async () => {
      const c = await pool.open(s.wsUrl);
      await c.connect({ token: await connectToken(user()) });
      c.sendJson({ send: { data: {} } });
      assert.deepEqual(await c.waitClose(), expectedClose('notAvailable', mode));
      assert.equal(replies(c).length, 1);
    });
  });

  describe(`protocol: shutdown close code, disconnect_codes = ${mode}`, () => {
    it('closing the node closes every connection with 3001 shutdown', async () => {
      const s = await startTestServer({ disconnect_codes: mode, ping_interval: '-1s' });
      const pool = new RawClientPool();
      try {
        const c = await pool.open(s.wsUrl);
        await c.connect({ token: await connectToken('shut') });
        const closing = s.close();
        assert.deepEqual(await c.waitClose(3000), expectedClose('shutdown', mode));
        await closing;
      } finally {
        await pool.closeAll();
        await s.close();
      }
    });
  });
}

describe('protocol: disconnect_codes default', () => {
  let s: TestServer;
  const pool = new RawClientPool();

  before(async () => {
    s = await startTestServer({ ping_interval: '-1s' });
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
  });

  it('is classic: bad request → 3003 with JSON reason {"reason":"bad request","reconnect":false}', async () => {
    const c = await pool.open(s.wsUrl);
    c.sendJson({ id: 1, subscribe: { channel: 'x' } });
    const closed = await c.waitClose();
    assert.deepEqual(closed, { code: 3003, reason: '{"reason":"bad request","reconnect":false}' });
  });
});
