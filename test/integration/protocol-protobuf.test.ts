/**
 * @module test/integration/protocol-protobuf — Protobuf encoding on the raw wire (Centrifugo's Protobuf
 * encoding: presence of empty sub-messages, varint framing and bad frames, protocol
 * selection by subprotocol and query). Replies are decoded with the test harness's own schema.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import {
  RawClientPool,
  bytesText,
  encodeProtoCommand,
  expectedClose,
  protoFrame,
  replies,
  replyIds,
  varint,
} from '../harness/raw-client.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { connectToken } from '../harness/tokens.js';

const PROTOBUF = { subprotocols: ['centrifuge-protobuf'] };

describe('protocol: Protobuf over WebSocket', () => {
  let s: TestServer;
  const pool = new RawClientPool();

  before(async () => {
    s = await startTestServer({
      allow_anonymous_connect_without_token: true,
      allow_subscribe_for_client: true,
      allow_subscribe_for_anonymous: true,
      ping_interval: '-1s',
      namespaces: [{ name: 'hist', history_size: 10, history_ttl: '300s', allow_subscribe_for_client: true, allow_recovery: true }],
    });
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
  });

  // ---- protocol selection ----

  it('subprotocol centrifuge-protobuf is selected, echoed, and replies come as binary frames', async () => {
    const c = await pool.open(s.wsUrl, PROTOBUF);
    assert.equal(c.subprotocol, 'centrifuge-protobuf');
    const r = await c.connect({ token: await connectToken('42') });
    assert.equal(typeof r.connect.client, 'string');
    assert.ok(r.connect.client.length > 0);
    assert.ok(c.frames.every((f) => f.binary), 'binary frames');
    assert.deepEqual(c.decodeErrors, []);
  });

  it('query format=protobuf selects Protobuf without a subprotocol', async () => {
    const c = await pool.open(s.wsUrl, { query: { format: 'protobuf' } });
    assert.equal(c.subprotocol, '');
    const r = await c.connect({});
    assert.ok(r.connect.client);
    assert.ok(c.frames.every((f) => f.binary));
    assert.deepEqual(c.decodeErrors, []);
  });

  it('query cf_protocol=protobuf selects Protobuf', async () => {
    const c = await pool.open(s.wsUrl, { query: { cf_protocol: 'protobuf' } });
    const r = await c.connect({});
    assert.ok(r.connect.client);
    assert.ok(c.frames.every((f) => f.binary));
  });

  it('subprotocol centrifuge-json is echoed and the connection speaks JSON in text frames', async () => {
    const c = await pool.open(s.wsUrl, { subprotocols: ['centrifuge-json'] });
    assert.equal(c.subprotocol, 'centrifuge-json');
    const r = await c.connect({});
    assert.ok(r.connect.client);
    assert.ok(c.frames.every((f) => !f.binary));
  });

  it('the first known subprotocol offered by the client is picked', async () => {
    const c = await pool.open(s.wsUrl, { subprotocols: ['unknown-proto', 'centrifuge-protobuf'] });
    assert.equal(c.subprotocol, 'centrifuge-protobuf');
    assert.ok((await c.connect({})).connect.client);
  });

  it('without subprotocol and query the connection is JSON', async () => {
    const c = await pool.open(s.wsUrl);
    assert.equal(c.subprotocol, '');
    c.sendJson({ id: 1, connect: {} });
    await c.waitReply(1);
    assert.equal(c.frames[0]!.binary, false);
  });

  // ---- framing ----

  it('several commands in one varint-framed binary frame; empty results are present sub-messages (08 02 32 00)', async () => {
    const c = await pool.open(s.wsUrl, PROTOBUF);
    c.sendProto({ id: 1, connect: { token: await connectToken('42') } }, { id: 2, subscribe: { channel: 'news' } }, { id: 3, unsubscribe: { channel: 'x' } });
    await c.waitReply(3);
    assert.deepEqual(
      replyIds(c),
      [1, 2, 3],
    );
    const sub = c.messages.find((m) => m.value.id === 2)!;
    assert.equal(sub.raw, '08023200', 'Reply{id:2, subscribe{}}');
    const unsub = c.messages.find((m) => m.value.id === 3)!;
    assert.equal(unsub.raw, '08033a00', 'Reply{id:3, unsubscribe{}}');
  });

  it('the reply frames are valid varint-delimited sequences (decoded without leftovers)', async () => {
    const c = await pool.open(s.wsUrl, PROTOBUF);
    c.sendProto({ id: 1, connect: {} }, ...Array.from({ length: 20 }, (_, i) => ({ id: i + 2, unsubscribe: { channel: `c${i}` } })));
    await c.waitReply(21);
    assert.deepEqual(c.decodeErrors, []);
    assert.equal(replies(c).length, 21);
  });

  it('error replies: Reply{id, error{code, message}}', async () => {
    const c = await pool.open(s.wsUrl, PROTOBUF);
    await c.connect({ token: await connectToken('42') });
    const r = await c.call('subscribe', { channel: 'nosuchns:x' });
    assert.deepEqual(r, { id: 2, error: { code: 102, message: 'unknown channel' } });
  });

  it('publication data travels as raw bytes, including non-JSON binary', async () => {
    const c = await pool.open(s.wsUrl, PROTOBUF);
    await c.connect({ token: await connectToken('42') });
    await c.call('subscribe', { channel: 'bin' });
    const bytes = Buffer.from([0x00, 0xff, 0x10, 0x80]);
    const res = await s.api('publish', { channel: 'bin', b64data: bytes.toString('base64') });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const push = await c.waitPush((p) => p.channel === 'bin');
    assert.deepEqual([...Buffer.from(push.pub.data as Uint8Array)], [...bytes]);
    await s.api('publish', { channel: 'bin', data: { a: 1 } });
    const push2 = await c.waitPush((p) => p.channel === 'bin' && bytesText(p.pub.data).startsWith('{'));
    assert.equal(bytesText(push2.pub.data), '{"a":1}');
  });

  it('history positions: subscribe result offset/epoch decode as numbers/strings', async () => {
    await s.api('publish', { channel: 'hist:p', data: { n: 1 } });
    const c = await pool.open(s.wsUrl, PROTOBUF);
    await c.connect({ token: await connectToken('42') });
    const r = await c.call('subscribe', { channel: 'hist:p', recoverable: true });
    assert.equal(r.subscribe.recoverable, true);
    assert.equal(r.subscribe.positioned, true);
    assert.equal(r.subscribe.offset, 1);
    assert.equal(typeof r.subscribe.epoch, 'string');
  });

  // ---- bad frames ----

  it('an empty binary frame → disconnect bad request', async () => {
    const c = await pool.open(s.wsUrl, PROTOBUF);
    await c.connect({});
    c.sendBinary(Buffer.alloc(0));
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  it('a truncated message (declared length longer than the frame) → disconnect bad request', async () => {
    const c = await pool.open(s.wsUrl, PROTOBUF);
    await c.connect({});
    const msg = encodeProtoCommand({ id: 2, subscribe: { channel: 'news' } });
    c.sendBinary(Buffer.concat([varint(msg.byteLength + 5), Buffer.from(msg)]));
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
    assert.equal(replies(c).filter((r) => r.id === 2).length, 0);
  });

  it('a declared length larger than the message size limit → disconnect bad request', async () => {
    const c = await pool.open(s.wsUrl, PROTOBUF);
    await c.connect({});
    c.sendBinary(Buffer.concat([varint(10_000_000), Buffer.from([0x08, 0x02])]));
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  it('an unterminated varint → disconnect bad request', async () => {
    const c = await pool.open(s.wsUrl, PROTOBUF);
    await c.connect({});
    c.sendBinary(Buffer.from([0xff, 0xff]));
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  it('a message that is not a valid Command (bad wire type) → disconnect bad request', async () => {
    const c = await pool.open(s.wsUrl, PROTOBUF);
    await c.connect({});
    c.sendBinary(protoFrame([Buffer.from([0x0f, 0x01, 0x02])]));
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  it('JSON text on a Protobuf connection is not a valid frame → disconnect bad request', async () => {
    const c = await pool.open(s.wsUrl, PROTOBUF);
    await c.connect({});
    c.sendText('{"id":2,"subscribe":{"channel":"news"}}');
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  it('a zero-length command (00) is a pong: without a ping → disconnect bad request', async () => {
    const c = await pool.open(s.wsUrl, PROTOBUF);
    await c.connect({});
    c.sendBinary(Buffer.from([0x00]));
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
  });

  it('nothing after a malformed message in a frame is answered', async () => {
    const c = await pool.open(s.wsUrl, PROTOBUF);
    await c.connect({});
    const ok = encodeProtoCommand({ id: 2, unsubscribe: { channel: 'a' } });
    const after3 = encodeProtoCommand({ id: 3, unsubscribe: { channel: 'b' } });
    c.sendBinary(Buffer.concat([protoFrame([ok]), Buffer.from([0x05, 0x08]), protoFrame([after3])]));
    assert.deepEqual(await c.waitClose(), expectedClose('badRequest'));
    assert.deepEqual(replies(c).filter((r) => r.id === 2), [{ id: 2, unsubscribe: {} }], 'the command before the bad one is answered');
    assert.equal(replies(c).filter((r) => r.id === 3).length, 0);
  });
});
