/**
 * @module test/integration/protocol-connect — the connect command on the raw wire (Centrifugo's
 * ConnectResult, its dispatch rules around connect, connect handling and connection token claims).
 * Disconnects use the default `classic` numbering.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { RawClientPool, expectedClose, replies, replyIds } from '../harness/raw-client.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { connectToken, nowSec } from '../harness/tokens.js';
import { waitFor } from '../harness/wait.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('protocol: connect (token required)', () => {
  let s: TestServer;
  const pool = new RawClientPool();

  before(async () => {
    s = await startTestServer({ ping_interval: '2s', pong_timeout: '1s', allow_subscribe_for_client: true });
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
  });

  it('connect reply has client (UUID v4), version, ping (seconds) and pong — nothing else', async () => {
    const c = await pool.open(s.wsUrl);
    c.sendText(JSON.stringify({ id: 1, connect: { token: await connectToken('42'), name: 'raw', version: '0.0.1' } }));
    const m = await c.waitReplyRaw(1);
    assert.deepEqual(Object.keys(m.value).sort(), ['connect', 'id']);
    const r = m.value.connect;
    assert.match(r.client, UUID_V4);
    assert.equal(typeof r.version, 'string');
    assert.ok(r.version.length > 0, 'version is not empty');
    assert.equal(r.ping, 2);
    assert.equal(r.pong, true);
    // omit-empty: no expires/ttl without exp, no session/node on a plain WebSocket, no subs/data/time.
    assert.deepEqual(Object.keys(r).sort(), ['client', 'ping', 'pong', 'version']);
    assert.equal(m.raw, `{"id":1,"connect":{"client":"${r.client}","version":${JSON.stringify(r.version)},"ping":2,"pong":true}}`);
  });

  it('each connection gets a different client id', async () => {
    const a = await pool.open(s.wsUrl);
    const b = await pool.open(s.wsUrl);
    const ra = await a.connect({ token: await connectToken('42') });
    const rb = await b.connect({ token: await connectToken('42') });
    assert.notEqual(ra.connect.client, rb.connect.client);
  });

  it('a token with exp gives expires: true and ttl = exp − now', async () => {
    const c = await pool.open(s.wsUrl);
    const exp = nowSec() + 120;
    const r = await c.connect({ token: await connectToken('42', {}, { expSec: exp }) });
    assert.equal(r.connect.expires, true);
    assert.ok(r.connect.ttl >= 118 && r.connect.ttl <= 120, `ttl ${r.connect.ttl}`);
  });

  it('expire_at claim overrides exp for the connection expiration', async () => {
    const c = await pool.open(s.wsUrl);
    const r = await c.connect({ token: await connectToken('42', { expire_at: nowSec() + 600 }, { expSec: nowSec() + 60 }) });
    assert.equal(r.connect.expires, true);
    assert.ok(r.connect.ttl >= 598 && r.connect.ttl <= 600, `ttl ${r.connect.ttl}`);
  });

  it('expire_at: 0 means the connection never expires (no expires/ttl) even with exp', async () => {
    const c = await pool.open(s.wsUrl);
    const r = await c.connect({ token: await connectToken('42', { expire_at: 0 }, { expSec: nowSec() + 60 }) });
    assert.equal(r.connect.expires, undefined);
    assert.equal(r.connect.ttl, undefined);
  });

  it('no token and no anonymous access → disconnect bad request', async () => {
    const c = await pool.open(s.wsUrl);
    c.sendJson({ id: 1, connect: {} });
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
    assert.deepEqual(replies(c), [], 'no error reply, only the close frame');
  });

  it('expired token → error 109 reply; the connection is then unusable: next command → bad request', async () => {
    const c = await pool.open(s.wsUrl);
    c.sendJson({ id: 1, connect: { token: await connectToken('42', {}, { expSec: nowSec() - 10 }) } });
    const m = await c.waitReplyRaw(1);
    assert.equal(m.raw, '{"id":1,"error":{"code":109,"message":"token expired"}}');
    assert.equal(c.closeInfo, undefined, 'an error reply does not close the connection by itself');
    c.sendJson({ id: 2, connect: { token: await connectToken('42') } });
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
    assert.equal(replies(c).length, 1, 'the retried connect is not answered');
  });

  it('commands after a failed connect in the same frame are not processed', async () => {
    const c = await pool.open(s.wsUrl);
    c.sendJson(
      { id: 1, connect: { token: await connectToken('42', {}, { expSec: nowSec() - 10 }) } },
      { id: 2, subscribe: { channel: 'news' } },
    );
    const r = await c.waitReply(1);
    assert.equal(r.error.code, 109);
    // Either the server stops reading (a failed connect makes the connection unusable) or closes with bad request (a command on an unusable connection); never a reply to id 2.
    const closed = await Promise.race([c.closed, new Promise((res) => setTimeout(res, 300, undefined))]);
    if (closed !== undefined) assert.deepEqual(closed, expectedClose('badRequest'));
    assert.equal(replies(c).filter((x) => x.id === 2).length, 0, 'no reply to the subscribe');
  });

  it('expire_at in the past (token itself valid) → error 110 expired', async () => {
    const c = await pool.open(s.wsUrl);
    c.sendJson({ id: 1, connect: { token: await connectToken('42', { expire_at: nowSec() - 5 }, { expSec: nowSec() + 60 }) } });
    const m = await c.waitReplyRaw(1);
    assert.equal(m.raw, '{"id":1,"error":{"code":110,"message":"expired"}}');
  });

  it('token with a bad signature → disconnect invalid token', async () => {
    const c = await pool.open(s.wsUrl);
    c.sendJson({ id: 1, connect: { token: await connectToken('42', {}, { secret: 'not-the-secret' }) } });
    assert.deepEqual(await c.waitClose(), expectedClose('invalidToken'));
    assert.deepEqual(replies(c), []);
  });

  it('malformed token → disconnect invalid token', async () => {
    const c = await pool.open(s.wsUrl);
    c.sendJson({ id: 1, connect: { token: 'not.a.jwt' } });
    assert.deepEqual(await c.waitClose(), expectedClose('invalidToken'));
  });

  it('connection token carrying a `channel` claim → disconnect invalid token', async () => {
    const c = await pool.open(s.wsUrl);
    c.sendJson({ id: 1, connect: { token: await connectToken('42', { channel: 'news' }) } });
    assert.deepEqual(await c.waitClose(), expectedClose('invalidToken'));
  });

  it('a command before connect → disconnect bad request', async () => {
    const c = await pool.open(s.wsUrl);
    c.sendJson({ id: 1, subscribe: { channel: 'news' } });
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
    assert.deepEqual(replies(c), []);
  });

  it('a connect without id is a pong → disconnect bad request', async () => {
    const c = await pool.open(s.wsUrl);
    c.sendJson({ connect: { token: await connectToken('42') } });
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
    assert.deepEqual(replies(c), []);
  });

  it('a second connect on an authenticated connection → disconnect bad request', async () => {
    const c = await pool.open(s.wsUrl);
    const r = await c.connect({ token: await connectToken('42') });
    assert.ok(r.connect);
    c.sendJson({ id: 2, connect: { token: await connectToken('42') } });
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
    assert.equal(replies(c).length, 1);
  });

  it('connect and subscribe in the same frame: replies in command order', async () => {
    const c = await pool.open(s.wsUrl);
    c.sendJson({ id: 1, connect: { token: await connectToken('42') } }, { id: 2, subscribe: { channel: 'news' } });
    await c.waitReply(2);
    assert.deepEqual(
      replyIds(c),
      [1, 2],
    );
    assert.ok(replies(c)[0]!.connect);
    assert.deepEqual(replies(c)[1], { id: 2, subscribe: {} });
  });
});

describe('protocol: connect (anonymous, user connection limit, server time)', () => {
  let s: TestServer;
  const pool = new RawClientPool();

  before(async () => {
    s = await startTestServer({
      allow_anonymous_connect_without_token: true,
      client_user_connection_limit: 1,
      client_connect_include_server_time: true,
      ping_interval: '-1s',
    });
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
  });

  it('anonymous connect without token succeeds', async () => {
    const c = await pool.open(s.wsUrl);
    const r = await c.connect({});
    assert.match(r.connect.client, UUID_V4);
  });

  it('client_connect_include_server_time adds `time` in unix ms', async () => {
    const c = await pool.open(s.wsUrl);
    const before = Date.now();
    const r = await c.connect({});
    assert.equal(typeof r.connect.time, 'number');
    assert.ok(r.connect.time >= before - 1000 && r.connect.time <= Date.now() + 1000, `time ${r.connect.time}`);
  });

  it('ping_interval -1 → no ping and no pong in the connect result', async () => {
    const c = await pool.open(s.wsUrl);
    const r = await c.connect({});
    assert.equal(r.connect.ping, undefined);
    assert.equal(r.connect.pong, undefined);
  });

  it('client_user_connection_limit: the second connection of a user → disconnect connection limit', async () => {
    const first = await pool.open(s.wsUrl);
    await first.connect({ token: await connectToken('limited') });
    const second = await pool.open(s.wsUrl);
    second.sendJson({ id: 1, connect: { token: await connectToken('limited') } });
    assert.deepEqual(await second.waitClose(), expectedClose('connectionLimit'));
    assert.deepEqual(replies(second), []);
    // the first connection is untouched
    const r = await first.call('unsubscribe', { channel: 'news' });
    assert.deepEqual(r, { id: 2, unsubscribe: {} });
    assert.equal(first.closeInfo, undefined);
  });

  it('the limit frees up when the user’s connection closes', async () => {
    const first = await pool.open(s.wsUrl);
    await first.connect({ token: await connectToken('limited2') });
    await first.close();
    // the server notices the close asynchronously (TCP close after the close handshake)
    await waitFor(() => s.server.node.hub.userConnectionCount('limited2') === 0, 2000, 'server to forget the closed connection');
    const second = await pool.open(s.wsUrl);
    const r = await second.connect({ token: await connectToken('limited2') });
    assert.ok(r.connect, `second connection accepted; got ${second.describe()}`);
  });

  it('the per-user limit does not apply to anonymous connections', async () => {
    const a = await pool.open(s.wsUrl);
    const b = await pool.open(s.wsUrl);
    assert.ok((await a.connect({})).connect);
    assert.ok((await b.connect({})).connect);
  });
});
