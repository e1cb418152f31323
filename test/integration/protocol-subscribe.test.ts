/**
 * @module test/integration/protocol-subscribe — subscribe checks, pushes and server API effects on the
 * raw wire (Centrifugo's subscribe checks in order, subscribe result, subscription tokens, private
 * channels, join/leave, server-initiated subscribe/unsubscribe, push shapes).
 * Disconnects use the default `classic` numbering.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { type RawClient, RawClientPool, expectedClose, replies } from '../harness/raw-client.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { connectToken, nowSec, subscriptionToken } from '../harness/tokens.js';

const err = (code: number, message: string): { code: number; message: string } => ({ code, message });

describe('protocol: subscribe', () => {
  let s: TestServer;
  const pool = new RawClientPool();

  async function connected(user = '42'): Promise<{ c: RawClient; client: string }> {
    const c = await pool.open(s.wsUrl);
    const r = await c.connect(user === '' ? {} : { token: await connectToken(user) });
    return { c, client: r.connect.client as string };
  }

  before(async () => {
    s = await startTestServer({
      allow_anonymous_connect_without_token: true,
      allow_subscribe_for_client: true,
      allow_subscribe_for_anonymous: true,
      client_channel_limit: 3,
      ping_interval: '-1s',
      namespaces: [
        {
          name: 'room',
          presence: true,
          join_leave: true,
          force_push_join_leave: true,
          allow_subscribe_for_client: true,
          allow_subscribe_for_anonymous: true,
        },
        { name: 'closed' },
        { name: 'rx', allow_subscribe_for_client: true, channel_regex: '^[a-z]+$' },
        { name: 'fossil', allow_subscribe_for_client: true, allowed_delta_types: ['fossil'] },
      ],
    });
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
  });

  it('minimal success reply is exactly {"id":N,"subscribe":{}}', async () => {
    const { c } = await connected();
    c.sendJson({ id: 2, subscribe: { channel: 'news' } });
    assert.equal((await c.waitReplyRaw(2)).raw, '{"id":2,"subscribe":{}}');
  });

  it('empty channel → disconnect bad request', async () => {
    const { c } = await connected();
    c.sendJson({ id: 2, subscribe: { channel: '' } });
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
    assert.equal(replies(c).length, 1);
  });

  it('missing channel field → disconnect bad request', async () => {
    const { c } = await connected();
    c.sendJson({ id: 2, subscribe: {} });
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  it('unknown delta type → disconnect bad request', async () => {
    const { c } = await connected();
    c.sendJson({ id: 2, subscribe: { channel: 'news', delta: 'xdelta' } });
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  it('delta "fossil" is negotiated only where allowed: result delta:true', async () => {
    const { c } = await connected();
    c.sendJson({ id: 2, subscribe: { channel: 'fossil:a', delta: 'fossil' } }, { id: 3, subscribe: { channel: 'news', delta: 'fossil' } });
    assert.deepEqual(await c.waitReply(2), { id: 2, subscribe: { delta: true } });
    assert.deepEqual(await c.waitReply(3), { id: 3, subscribe: {} });
  });

  it('channel of 255 bytes is accepted, 256 bytes → error 107', async () => {
    const { c } = await connected();
    c.sendJson({ id: 2, subscribe: { channel: 'a'.repeat(255) } }, { id: 3, subscribe: { channel: 'b'.repeat(256) } });
    await c.waitReply(3);
    assert.deepEqual(replies(c).slice(1), [
      { id: 2, subscribe: {} },
      { id: 3, error: err(107, 'bad request') },
    ]);
  });

  it('already subscribed → error 105; the first subscription keeps working', async () => {
    const { c } = await connected();
    c.sendJson({ id: 2, subscribe: { channel: 'dup' } }, { id: 3, subscribe: { channel: 'dup' } });
    await c.waitReply(3);
    assert.deepEqual(replies(c)[2], { id: 3, error: err(105, 'already subscribed') });
    await s.api('publish', { channel: 'dup', data: { v: 1 } });
    const push = await c.waitPush((p) => p.channel === 'dup');
    assert.deepEqual(push.pub, { data: { v: 1 } });
  });

  it('channel limit reached → error 106', async () => {
    const { c } = await connected();
    c.sendJson(
      { id: 2, subscribe: { channel: 'l1' } },
      { id: 3, subscribe: { channel: 'l2' } },
      { id: 4, subscribe: { channel: 'l3' } },
      { id: 5, subscribe: { channel: 'l4' } },
    );
    await c.waitReply(5);
    assert.deepEqual(replies(c)[4], { id: 5, error: err(106, 'limit exceeded') });
    // freeing a slot makes room again
    await c.call('unsubscribe', { channel: 'l1' });
    assert.deepEqual((await c.call('subscribe', { channel: 'l4' })).subscribe, {});
  });

  it('unknown namespace → error 102', async () => {
    const { c } = await connected();
    c.sendJson({ id: 2, subscribe: { channel: 'nosuchns:x' } });
    assert.equal((await c.waitReplyRaw(2)).raw, '{"id":2,"error":{"code":102,"message":"unknown channel"}}');
  });

  it('non-ASCII channel name → error 107', async () => {
    const { c } = await connected();
    c.sendJson({ id: 2, subscribe: { channel: 'café' } });
    assert.deepEqual(await c.waitReply(2), { id: 2, error: err(107, 'bad request') });
  });

  it('channel_regex: the part after "ns:" must match, else 107', async () => {
    const { c } = await connected();
    c.sendJson({ id: 2, subscribe: { channel: 'rx:abc' } }, { id: 3, subscribe: { channel: 'rx:ABC1' } });
    await c.waitReply(3);
    assert.deepEqual(replies(c).slice(1), [
      { id: 2, subscribe: {} },
      { id: 3, error: err(107, 'bad request') },
    ]);
  });

  it('namespace without allow_subscribe_* → error 103', async () => {
    const { c } = await connected();
    c.sendJson({ id: 2, subscribe: { channel: 'closed:x' } });
    assert.deepEqual(await c.waitReply(2), { id: 2, error: err(103, 'permission denied') });
  });

  it('private channel ($) without token → error 103 even where subscribing is allowed', async () => {
    const { c } = await connected();
    c.sendJson({ id: 2, subscribe: { channel: '$secret' } });
    assert.deepEqual(await c.waitReply(2), { id: 2, error: err(103, 'permission denied') });
  });

  it('private channel with a valid subscription token → success; token data → result data', async () => {
    const { c } = await connected('42');
    const token = await subscriptionToken('42', '$secret', { data: { welcome: true } });
    c.sendJson({ id: 2, subscribe: { channel: '$secret', token } });
    assert.equal((await c.waitReplyRaw(2)).raw, '{"id":2,"subscribe":{"data":{"welcome":true}}}');
  });

  it('a subscription token grants access despite the namespace rules', async () => {
    const { c } = await connected('42');
    const token = await subscriptionToken('42', 'closed:x');
    assert.deepEqual(await c.call('subscribe', { channel: 'closed:x', token }), { id: 2, subscribe: {} });
  });

  it('subscription token with exp → expires:true and ttl', async () => {
    const { c } = await connected('42');
    const token = await subscriptionToken('42', '$exp', {}, { expSec: nowSec() + 300 });
    const r = await c.call('subscribe', { channel: '$exp', token });
    assert.equal(r.subscribe.expires, true);
    assert.ok(r.subscribe.ttl >= 298 && r.subscribe.ttl <= 300, `ttl ${r.subscribe.ttl}`);
  });

  it('expired subscription token → error 109', async () => {
    const { c } = await connected('42');
    const token = await subscriptionToken('42', '$secret', {}, { expSec: nowSec() - 10 });
    c.sendJson({ id: 2, subscribe: { channel: '$secret', token } });
    assert.deepEqual(await c.waitReply(2), { id: 2, error: err(109, 'token expired') });
  });

  it('subscription token with a bad signature → error 103', async () => {
    const { c } = await connected('42');
    const token = await subscriptionToken('42', '$secret', {}, { secret: 'wrong' });
    c.sendJson({ id: 2, subscribe: { channel: '$secret', token } });
    assert.deepEqual(await c.waitReply(2), { id: 2, error: err(103, 'permission denied') });
  });

  it('subscription token for another channel → disconnect invalid token', async () => {
    const { c } = await connected('42');
    const token = await subscriptionToken('42', '$other');
    c.sendJson({ id: 2, subscribe: { channel: '$secret', token } });
    assert.deepEqual(await c.waitClose(), expectedClose('invalidToken'));
    assert.equal(replies(c).length, 1);
  });

  it('subscription token of another user → disconnect invalid token', async () => {
    const { c } = await connected('42');
    const token = await subscriptionToken('43', '$secret');
    c.sendJson({ id: 2, subscribe: { channel: '$secret', token } });
    assert.deepEqual(await c.waitClose(), expectedClose('invalidToken'));
  });

  it('publication push shape: {"push":{"channel":…,"pub":{"data":…}}} — no offset without history, no info for API publishes', async () => {
    const { c } = await connected();
    await c.call('subscribe', { channel: 'shape' });
    await s.api('publish', { channel: 'shape', data: { n: 1 } });
    const m = await c.waitMessage((v) => v.push?.channel === 'shape', 3000, 'publication');
    assert.equal(m.raw, '{"push":{"channel":"shape","pub":{"data":{"n":1}}}}');
  });

  it('publication tags are delivered in pub.tags', async () => {
    const { c } = await connected();
    await c.call('subscribe', { channel: 'tagged' });
    await s.api('publish', { channel: 'tagged', data: { n: 1 }, tags: { k: 'v' } });
    const push = await c.waitPush((p) => p.channel === 'tagged');
    assert.deepEqual(push.pub, { data: { n: 1 }, tags: { k: 'v' } });
  });

  it('join push for an anonymous subscriber writes "user":"" (ClientInfo always-present fields)', async () => {
    const watcher = await connected('watcher');
    await watcher.c.call('subscribe', { channel: 'room:1' });
    const anon = await connected('');
    await anon.c.call('subscribe', { channel: 'room:1' });
    const m = await watcher.c.waitMessage((v) => v.push?.join !== undefined && v.push.join.info.client === anon.client, 3000, 'join');
    assert.equal(m.raw, `{"push":{"channel":"room:1","join":{"info":{"user":"","client":"${anon.client}"}}}}`);
  });

  it('leave push when a subscriber unsubscribes; the leaver gets no leave about itself', async () => {
    const watcher = await connected('watcher');
    await watcher.c.call('subscribe', { channel: 'room:2' });
    const other = await connected('other');
    await other.c.call('subscribe', { channel: 'room:2' });
    await other.c.call('unsubscribe', { channel: 'room:2' });
    const leave = await watcher.c.waitPush((p) => p.leave !== undefined, 3000, 'leave');
    assert.deepEqual(leave, { channel: 'room:2', leave: { info: { user: 'other', client: other.client } } });
    assert.equal(other.c.messages.filter((m) => m.value.push?.leave !== undefined && m.value.push.leave.info.client === other.client).length, 0);
  });

  it('leave push when a subscriber disconnects', async () => {
    const watcher = await connected('watcher');
    await watcher.c.call('subscribe', { channel: 'room:3' });
    const other = await connected('gone');
    await other.c.call('subscribe', { channel: 'room:3' });
    await other.c.close();
    const leave = await watcher.c.waitPush((p) => p.leave !== undefined, 3000, 'leave');
    assert.deepEqual(leave.leave.info, { user: 'gone', client: other.client });
  });

  it('after an unsubscribe reply no more pushes for that channel arrive', async () => {
    const { c } = await connected();
    await c.call('subscribe', { channel: 'gone' });
    await c.call('subscribe', { channel: 'marker' });
    await c.call('unsubscribe', { channel: 'gone' });
    await s.api('publish', { channel: 'gone', data: { n: 1 } });
    await s.api('publish', { channel: 'marker', data: { n: 2 } });
    await c.waitPush((p) => p.channel === 'marker');
    assert.equal(c.messages.filter((m) => m.value.push?.channel === 'gone').length, 0);
  });

  // ---- server API effects ----

  it('API subscribe → subscribe push on the live connection, then publications flow', async () => {
    const { c } = await connected('apiuser1');
    const res = await s.api('subscribe', { user: 'apiuser1', channel: 'srv', data: { hello: 1 } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const m = await c.waitMessage((v) => v.push?.subscribe !== undefined, 3000, 'subscribe push');
    assert.equal(m.raw, '{"push":{"channel":"srv","subscribe":{"data":{"hello":1}}}}');
    await s.api('publish', { channel: 'srv', data: { n: 1 } });
    const pub = await c.waitPush((p) => p.channel === 'srv' && p.pub !== undefined);
    assert.deepEqual(pub.pub, { data: { n: 1 } });
  });

  it('API unsubscribe → push unsubscribe {code:2000, reason:"server unsubscribe"}; no more publications', async () => {
    const { c } = await connected('apiuser2');
    await c.call('subscribe', { channel: 'unsub' });
    await c.call('subscribe', { channel: 'unsub-marker' });
    const res = await s.api('unsubscribe', { user: 'apiuser2', channel: 'unsub' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const m = await c.waitMessage((v) => v.push?.unsubscribe !== undefined, 3000, 'unsubscribe push');
    assert.equal(m.raw, '{"push":{"channel":"unsub","unsubscribe":{"code":2000,"reason":"server unsubscribe"}}}');
    await s.api('publish', { channel: 'unsub', data: { n: 1 } });
    await s.api('publish', { channel: 'unsub-marker', data: { n: 2 } });
    await c.waitPush((p) => p.channel === 'unsub-marker' && p.pub !== undefined);
    assert.equal(c.messages.filter((x) => x.value.push?.channel === 'unsub' && x.value.push.pub !== undefined).length, 0);
    // the client may subscribe again afterwards
    assert.deepEqual((await c.call('subscribe', { channel: 'unsub' })).subscribe, {});
  });
});
