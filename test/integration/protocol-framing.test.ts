/**
 * @module test/integration/protocol-framing — JSON framing on the raw wire (Centrifugo's JSON encoding
 * rules, framing and batching, WebSocket message size limit).
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { RawClientPool, expectedClose, replies, replyIds } from '../harness/raw-client.js';
import { startTestServer, type TestServer } from '../harness/server.js';

describe('protocol: JSON framing', () => {
  let s: TestServer;
  const pool = new RawClientPool();

  before(async () => {
    s = await startTestServer({
      allow_anonymous_connect_without_token: true,
      allow_subscribe_for_client: true,
      allow_subscribe_for_anonymous: true,
      allow_publish_for_client: true,
      allow_publish_for_anonymous: true,
      ping_interval: '-1s',
    });
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
  });

  it('several commands in one frame (\\n-separated) are all answered, in order', async () => {
    const c = await pool.open(s.wsUrl);
    c.sendText(
      [
        '{"id":1,"connect":{}}',
        '{"id":2,"subscribe":{"channel":"a"}}',
        '{"id":3,"subscribe":{"channel":"b"}}',
        '{"id":4,"unsubscribe":{"channel":"a"}}',
      ].join('\n'),
    );
    await c.waitReply(4);
    assert.deepEqual(
      replyIds(c),
      [1, 2, 3, 4],
    );
    assert.deepEqual(replies(c).slice(1), [
      { id: 2, subscribe: {} },
      { id: 3, subscribe: {} },
      { id: 4, unsubscribe: {} },
    ]);
  });

  it('a single trailing \\n at the end of a frame is accepted', async () => {
    const c = await pool.open(s.wsUrl);
    c.sendText('{"id":1,"connect":{}}\n{"id":2,"subscribe":{"channel":"a"}}\n');
    assert.deepEqual(await c.waitReply(2), { id: 2, subscribe: {} });
    assert.equal(c.closeInfo, undefined);
  });

  it('server frames: messages joined by single \\n, no trailing \\n, at most 16 messages per frame, and batching happens', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    const n = 40;
    const cmds = Array.from({ length: n }, (_, i) => ({ id: i + 2, unsubscribe: { channel: `ch${i}` } }));
    c.sendJson(...cmds);
    await c.waitReply(n + 1);
    const frames = c.frames.slice(1);
    for (const f of frames) {
      const text = f.data.toString('utf8');
      assert.equal(f.binary, false, 'JSON goes in text frames');
      assert.ok(!text.endsWith('\n'), 'no trailing newline');
      assert.ok(!text.includes('\n\n'), 'single newline separators');
      assert.ok(text.split('\n').length <= 16, `frame with ${text.split('\n').length} messages`);
    }
    assert.ok(
      frames.some((f) => f.data.toString('utf8').split('\n').length > 1),
      `replies to ${n} commands of one frame were never batched (frames: ${frames.length})`,
    );
    assert.deepEqual(
      replyIds(c),
      Array.from({ length: n + 1 }, (_, i) => i + 1),
    );
  });

  it('JSON commands are also accepted in a binary WebSocket frame; replies stay text', async () => {
    const c = await pool.open(s.wsUrl);
    c.sendBinary(Buffer.from('{"id":1,"connect":{}}'));
    const r = await c.waitReply(1);
    assert.ok(r.connect);
    assert.equal(c.frames[0]!.binary, false);
  });

  it('unknown fields are ignored and null values are treated as absent', async () => {
    const c = await pool.open(s.wsUrl);
    c.sendText('{"id":1,"connect":{"name":"raw","token":null,"whatever":[1,{"x":2}]},"extra":{"y":true}}');
    assert.ok((await c.waitReply(1)).connect);
    c.sendText('{"id":2,"subscribe":{"channel":"nulls","token":null,"data":null,"recover":null,"offset":null},"zzz":1}');
    const m = await c.waitReplyRaw(2);
    assert.equal(m.raw, '{"id":2,"subscribe":{}}');
  });

  it('an empty frame → disconnect bad request', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    c.sendText('');
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  it('a frame that is only "\\n" → disconnect bad request', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    c.sendText('\n');
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  it('an empty line in the middle of a frame → disconnect bad request', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    c.sendText('{"id":2,"unsubscribe":{"channel":"a"}}\n\n{"id":3,"unsubscribe":{"channel":"b"}}');
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
    assert.deepEqual(replies(c).filter((r) => r.id === 2), [{ id: 2, unsubscribe: {} }], 'the command before the bad line is answered');
    assert.equal(replies(c).filter((r) => r.id === 3).length, 0, 'the command after the bad line is not answered');
  });

  it('one good and one bad command in a frame: the good one runs and is answered, then bad request (Centrifugo decodes one by one)', async () => {
    const sub = await pool.open(s.wsUrl);
    await sub.connect({});
    assert.deepEqual((await sub.call('subscribe', { channel: 'framing-partial' })).subscribe, {});
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    c.sendText('{"id":2,"publish":{"channel":"framing-partial","data":{"n":1}}}\n{"id":3,"publish":');
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
    assert.deepEqual(replies(c).filter((r) => r.id === 2), [{ id: 2, publish: {} }]);
    const push = await sub.waitPush((p) => p.channel === 'framing-partial');
    assert.deepEqual(push.pub.data, { n: 1 });
  });

  it('frames after the one with the bad command are not read', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    c.sendText('{"id":2,"unsubscribe":{"channel":"a"}}\n{"id":3');
    c.sendText('{"id":4,"unsubscribe":{"channel":"b"}}');
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
    assert.deepEqual(replyIds(c), [1, 2]);
  });

  it('a line that is not valid JSON → disconnect bad request', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    c.sendText('{"id":2,"subscribe":{"channel":"a"');
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  it('invalid JSON before connect → disconnect bad request', async () => {
    const c = await pool.open(s.wsUrl);
    c.sendText('hello');
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
    assert.deepEqual(replies(c), []);
  });

  it('a JSON value that is not an object → disconnect bad request', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    c.sendText('[1,2,3]');
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  it('an integer field sent as a string ("offset":"5") → disconnect bad request', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    c.sendText('{"id":2,"subscribe":{"channel":"a","recover":true,"offset":"5"}}');
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
    assert.deepEqual(replyIds(c), [1]);
  });

  it('payloads are raw JSON copied verbatim; raw \\n bytes are removed on output', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    await c.call('subscribe', { channel: 'raw' });
    const res = await s.api('publish', '{"channel":"raw","data":{"a": [1,\n 2],\n"s":"x y"}}');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const m = await c.waitMessage((v) => v.push?.channel === 'raw', 3000, 'publication push');
    assert.equal(m.raw, '{"push":{"channel":"raw","pub":{"data":{"a": [1, 2],"s":"x y"}}}}');
  });

  it('64-bit integers are JSON numbers; bytes fields are embedded JSON, not base64', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    await c.call('subscribe', { channel: 'raw2' });
    await s.api('publish', { channel: 'raw2', data: { big: 1700000000000, list: ['x'] } });
    const push = await c.waitPush((p) => p.channel === 'raw2');
    assert.deepEqual(push.pub.data, { big: 1700000000000, list: ['x'] });
  });
});

describe('protocol: websocket_message_size_limit', () => {
  let s: TestServer;
  const pool = new RawClientPool();

  before(async () => {
    s = await startTestServer({ allow_anonymous_connect_without_token: true, websocket_message_size_limit: 1024, ping_interval: '-1s' });
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
  });

  it('a message up to the limit is accepted', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    const base = '{"id":2,"unsubscribe":{"channel":""}}';
    const channel = 'x'.repeat(1024 - base.length);
    const text = `{"id":2,"unsubscribe":{"channel":"${channel}"}}`;
    assert.equal(Buffer.byteLength(text), 1024);
    c.sendText(text);
    assert.deepEqual(await c.waitReply(2), { id: 2, unsubscribe: {} });
  });

  it('a message larger than the limit → close 1009', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    c.sendText(`{"id":2,"unsubscribe":{"channel":"${'x'.repeat(2000)}"}}`);
    const closed = await c.waitClose();
    assert.equal(closed.code, 1009);
    assert.equal(replies(c).filter((r) => r.id === 2).length, 0);
  });

  it('a too large first frame (before connect) → close 1009', async () => {
    const c = await pool.open(s.wsUrl);
    c.sendText(`{"id":1,"connect":{"name":"${'n'.repeat(4096)}"}}`);
    assert.equal((await c.waitClose()).code, 1009);
  });
});
