/**
 * @module test/integration/protocol-errors — dispatch rules and command errors on the raw wire
 * (Centrifugo's command dispatch, always-present reply fields, refresh, sub_refresh, publish / rpc / send /
 * presence / history errors, inappropriate protocol).
 * Disconnects use the default `classic` numbering.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { type RawClient, RawClientPool, expectedClose, replies, replyIds } from '../harness/raw-client.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { connectToken, nowSec } from '../harness/tokens.js';

const NAMESPACES = [
  { name: 'pres', presence: true, allow_presence_for_client: true, allow_subscribe_for_client: true },
  { name: 'nopres', allow_presence_for_client: true, allow_subscribe_for_client: true },
  { name: 'presclosed', presence: true, allow_subscribe_for_client: true },
  { name: 'hist', history_size: 10, history_ttl: '300s', allow_history_for_client: true },
  { name: 'histclosed', history_size: 10, history_ttl: '300s' },
  { name: 'pub', allow_publish_for_client: true, allow_subscribe_for_client: true },
  { name: 'closed' },
];

describe('protocol: dispatch rules and command errors', () => {
  let s: TestServer;
  const pool = new RawClientPool();

  /** A connected JSON client for user 42. */
  async function connected(user = '42'): Promise<RawClient> {
    const c = await pool.open(s.wsUrl);
    await c.connect({ token: await connectToken(user) });
    return c;
  }

  before(async () => {
    s = await startTestServer({
      namespaces: NAMESPACES,
      allow_subscribe_for_client: true,
      allow_publish_for_client: true,
      ping_interval: '5s',
      pong_timeout: '2s',
    });
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
  });

  // ---- dispatch ----

  it('a pong ({}) before connect → disconnect bad request', async () => {
    const c = await pool.open(s.wsUrl);
    c.sendText('{}');
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  it('a pong without a preceding ping ("unnecessary pong") → disconnect bad request', async () => {
    const c = await connected();
    c.sendText('{}');
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  it('a command with id 0 is a pong regardless of content → unnecessary pong → bad request', async () => {
    const c = await connected();
    c.sendJson({ id: 0, subscribe: { channel: 'news' } });
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
    assert.equal(replies(c).length, 1, 'only the connect reply');
  });

  it('a command with an id but no known method → disconnect bad request', async () => {
    const c = await connected();
    c.sendJson({ id: 2 });
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  it('an unknown command name → disconnect bad request', async () => {
    const c = await connected();
    c.sendJson({ id: 2, frobnicate: { channel: 'x' } });
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  it('a `ping` command with an id is not supported → disconnect bad request', async () => {
    const c = await connected();
    c.sendJson({ id: 2, ping: {} });
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  it('a disconnecting command stops the frame: earlier replies are flushed, later commands unanswered', async () => {
    const c = await connected();
    c.sendJson({ id: 2, subscribe: { channel: 'news' } }, { id: 3, subscribe: { channel: '' } }, { id: 4, subscribe: { channel: 'other' } });
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
    assert.deepEqual(
      replyIds(c),
      [1, 2],
    );
  });

  it('a client error keeps the connection: later commands in the frame are processed', async () => {
    const c = await connected();
    c.sendJson({ id: 2, subscribe: { channel: 'unknownns:x' } }, { id: 3, subscribe: { channel: 'news' } });
    const r3 = await c.waitReply(3);
    assert.deepEqual(replies(c)[1], { id: 2, error: { code: 102, message: 'unknown channel' } });
    assert.deepEqual(r3, { id: 3, subscribe: {} });
  });

  it('the server never answers an id it did not get; ids are not checked for uniqueness', async () => {
    const c = await connected();
    c.sendJson({ id: 7, unsubscribe: { channel: 'a' } }, { id: 7, unsubscribe: { channel: 'b' } });
    await c.waitMessage((v, m) => v.id === 7 && c.messages.indexOf(m) > 1, 3000, 'second reply 7');
    assert.deepEqual(
      replyIds(c),
      [1, 7, 7],
    );
  });

  // ---- send ----

  it('send → disconnect not available 3508 (no reply)', async () => {
    const c = await connected();
    c.sendJson({ send: { data: { hello: 'world' } } });
    assert.deepEqual(await c.waitClose(), expectedClose('notAvailable'));
    assert.equal(replies(c).length, 1);
  });

  // ---- rpc ----

  it('rpc without any RPC handling configured → error 108', async () => {
    const c = await connected();
    c.sendJson({ id: 2, rpc: { method: 'ping' } });
    assert.equal((await c.waitReplyRaw(2)).raw, '{"id":2,"error":{"code":108,"message":"not available"}}');
  });

  // ---- publish ----

  it('publish success → exactly {"id":N,"publish":{}}', async () => {
    const c = await connected();
    c.sendJson({ id: 2, publish: { channel: 'pub:a', data: { x: 1 } } });
    assert.equal((await c.waitReplyRaw(2)).raw, '{"id":2,"publish":{}}');
  });

  it('publish errors: empty channel → bad request disconnect; unknown ns 102; not allowed 103; non-ASCII 107; empty data 107', async () => {
    const c = await connected();
    c.sendJson(
      { id: 2, publish: { channel: 'nope:a', data: { x: 1 } } },
      { id: 3, publish: { channel: 'closed:a', data: { x: 1 } } },
      { id: 4, publish: { channel: 'pub:é', data: { x: 1 } } },
      { id: 5, publish: { channel: 'pub:a' } },
    );
    await c.waitReply(5);
    assert.deepEqual(replies(c).slice(1), [
      { id: 2, error: { code: 102, message: 'unknown channel' } },
      { id: 3, error: { code: 103, message: 'permission denied' } },
      { id: 4, error: { code: 107, message: 'bad request' } },
      { id: 5, error: { code: 107, message: 'bad request' } },
    ]);
    c.sendJson({ id: 6, publish: { channel: '', data: { x: 1 } } });
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  it('a client publication reaches subscribers with info {user, client} of the publisher', async () => {
    const sub = await connected('sub');
    await sub.call('subscribe', { channel: 'pub:room' });
    const pubr = await pool.open(s.wsUrl);
    const cr = await pubr.connect({ token: await connectToken('writer') });
    pubr.sendJson({ id: 2, publish: { channel: 'pub:room', data: { text: 'hi' } } });
    const m = await sub.waitMessage((v) => v.push?.channel === 'pub:room', 3000, 'publication');
    assert.equal(m.raw, `{"push":{"channel":"pub:room","pub":{"data":{"text":"hi"},"info":{"user":"writer","client":"${cr.connect.client}"}}}}`);
  });

  // ---- presence ----

  it('presence: empty result is {"presence":{}}; presence_stats zeros are written', async () => {
    const c = await connected();
    c.sendJson({ id: 2, presence: { channel: 'pres:empty' } }, { id: 3, presence_stats: { channel: 'pres:empty' } });
    assert.equal((await c.waitReplyRaw(2)).raw, '{"id":2,"presence":{"presence":{}}}');
    assert.equal((await c.waitReplyRaw(3)).raw, '{"id":3,"presence_stats":{"num_clients":0,"num_users":0}}');
  });

  it('presence lists subscribers by client id with user and client always written', async () => {
    const a = await connected('alice');
    const ra = (await a.waitReply(1)).connect;
    await a.call('subscribe', { channel: 'pres:room' });
    const r = await a.call('presence', { channel: 'pres:room' });
    assert.deepEqual(r.presence, { presence: { [ra.client]: { user: 'alice', client: ra.client } } });
    const stats = await a.call('presence_stats', { channel: 'pres:room' });
    assert.deepEqual(stats.presence_stats, { num_clients: 1, num_users: 1 });
  });

  it('presence errors: presence off → 108; no access → 103; unknown ns → 102; empty channel → bad request', async () => {
    const c = await connected();
    c.sendJson(
      { id: 2, presence: { channel: 'nopres:a' } },
      { id: 3, presence: { channel: 'presclosed:a' } },
      { id: 4, presence_stats: { channel: 'nope:a' } },
      { id: 5, presence_stats: { channel: 'presclosed:a' } },
    );
    await c.waitReply(5);
    assert.deepEqual(replies(c).slice(1), [
      { id: 2, error: { code: 108, message: 'not available' } },
      { id: 3, error: { code: 103, message: 'permission denied' } },
      { id: 4, error: { code: 102, message: 'unknown channel' } },
      { id: 5, error: { code: 103, message: 'permission denied' } },
    ]);
    c.sendJson({ id: 6, presence: { channel: '' } });
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  // ---- history (details in protocol-history) ----

  it('history of a never-used stream: publications [] and offset 0 are written, epoch set', async () => {
    const c = await connected();
    c.sendJson({ id: 2, history: { channel: 'hist:fresh', limit: 10 } });
    const m = await c.waitReplyRaw(2);
    const epoch = m.value.history?.epoch as string;
    assert.equal(typeof epoch, 'string');
    assert.ok(epoch.length > 0, 'epoch is set');
    assert.equal(m.raw, `{"id":2,"history":{"publications":[],"epoch":${JSON.stringify(epoch)},"offset":0}}`);
  });

  it('history errors: history off → 108; no access → 103; unknown ns → 102; empty channel → bad request', async () => {
    const c = await connected();
    c.sendJson(
      { id: 2, history: { channel: 'pub:a', limit: 1 } },
      { id: 3, history: { channel: 'histclosed:a', limit: 1 } },
      { id: 4, history: { channel: 'nope:a', limit: 1 } },
    );
    await c.waitReply(4);
    assert.deepEqual(replies(c).slice(1), [
      { id: 2, error: { code: 108, message: 'not available' } },
      { id: 3, error: { code: 103, message: 'permission denied' } },
      { id: 4, error: { code: 102, message: 'unknown channel' } },
    ]);
    c.sendJson({ id: 5, history: { channel: '' } });
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  // ---- unsubscribe ----

  it('unsubscribe always succeeds with {} even when not subscribed; empty channel → bad request', async () => {
    const c = await connected();
    c.sendJson({ id: 2, unsubscribe: { channel: 'never-subscribed' } });
    assert.equal((await c.waitReplyRaw(2)).raw, '{"id":2,"unsubscribe":{}}');
    c.sendJson({ id: 3, unsubscribe: { channel: '' } });
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  // ---- refresh ----

  it('refresh with a new token → {"expires":true,"ttl":N}', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({ token: await connectToken('42', {}, { expSec: nowSec() + 60 }) });
    const r = await c.call('refresh', { token: await connectToken('42', {}, { expSec: nowSec() + 3600 }) });
    assert.equal(r.refresh.expires, true);
    assert.ok(r.refresh.ttl >= 3598 && r.refresh.ttl <= 3600, `ttl ${r.refresh.ttl}`);
    assert.equal(r.refresh.client, undefined, 'client/version are not filled');
  });

  it('refresh with an empty token → disconnect bad request', async () => {
    const c = await connected();
    c.sendJson({ id: 2, refresh: {} });
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  it('refresh with a token of another user → disconnect invalid token', async () => {
    const c = await connected('42');
    c.sendJson({ id: 2, refresh: { token: await connectToken('43') } });
    assert.deepEqual(await c.waitClose(), expectedClose('invalidToken'));
  });

  it('refresh with an expired token → disconnect expired', async () => {
    const c = await connected('42');
    c.sendJson({ id: 2, refresh: { token: await connectToken('42', {}, { expSec: nowSec() - 5 }) } });
    assert.deepEqual(await c.waitClose(), expectedClose('expired'));
  });

  // ---- sub_refresh ----

  it('sub_refresh when not subscribed → error 103; empty channel → bad request', async () => {
    const c = await connected();
    c.sendJson({ id: 2, sub_refresh: { channel: 'news', token: 'x' } });
    assert.equal((await c.waitReplyRaw(2)).raw, '{"id":2,"error":{"code":103,"message":"permission denied"}}');
    c.sendJson({ id: 3, sub_refresh: { channel: '' } });
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  // ---- inappropriate protocol ----

  it('binary (non-JSON) publication data to a JSON subscriber → disconnect 3506 inappropriate protocol', async () => {
    const c = await connected();
    await c.call('subscribe', { channel: 'binary' });
    const res = await s.api('publish', { channel: 'binary', b64data: Buffer.from([0xff, 0x00, 0xfe]).toString('base64') });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(await c.waitClose(), expectedClose('inappropriateProtocol'));
  });
});

describe('protocol: rpc with rpc_ping', () => {
  let s: TestServer;
  const pool = new RawClientPool();

  before(async () => {
    s = await startTestServer({ allow_anonymous_connect_without_token: true, rpc_ping: true, ping_interval: '-1s' });
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
  });

  it('rpc method "ping" → exactly {"id":N,"rpc":{}}', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    c.sendJson({ id: 2, rpc: { method: 'ping', data: { any: 'thing' } } });
    assert.equal((await c.waitReplyRaw(2)).raw, '{"id":2,"rpc":{}}');
  });

  it('rpc with another method → error 104 method not found', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    c.sendJson({ id: 2, rpc: { method: 'other' } });
    assert.equal((await c.waitReplyRaw(2)).raw, '{"id":2,"error":{"code":104,"message":"method not found"}}');
  });
});
