/**
 * @module test/integration/protocol-recovery — positioning and recovery in the subscribe reply on the
 * raw wire (Centrifugo's subscription options and subscribe result, stream position, recovery in stream
 * mode, live offsets, and its behavioural quirks around them). `client_recovery_max_publication_limit` 3.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { type RawClient, RawClientPool, type Wire, bytesText } from '../harness/raw-client.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { connectToken } from '../harness/tokens.js';

describe('protocol: subscribe positioning and recovery', () => {
  let s: TestServer;
  const pool = new RawClientPool();

  async function connected(options: { protobuf?: boolean } = {}): Promise<RawClient> {
    const c = await pool.open(s.wsUrl, options.protobuf ? { subprotocols: ['centrifuge-protobuf'] } : {});
    await c.connect({ token: await connectToken('42') });
    return c;
  }

  /** Publishes `n` publications into `channel` via the server API; returns the stream epoch. */
  async function publish(channel: string, from: number, to: number): Promise<void> {
    for (let i = from; i <= to; i++) {
      const res = await s.api('publish', { channel, data: { n: i } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
  }

  async function top(channel: string): Promise<{ offset: number; epoch: string }> {
    const res = await s.api('history', { channel, limit: 0 });
    const body = res.body as Wire;
    assert.equal(res.status, 200, JSON.stringify(body));
    return { offset: (body.result?.offset as number | undefined) ?? 0, epoch: body.result?.epoch as string };
  }

  const offsets = (pubs: Wire[] | undefined): number[] => (pubs ?? []).map((p) => p.offset as number);

  before(async () => {
    s = await startTestServer({
      ping_interval: '-1s',
      client_recovery_max_publication_limit: 3,
      namespaces: [
        { name: 'rec', history_size: 20, history_ttl: '300s', allow_subscribe_for_client: true, allow_recovery: true, allow_positioning: true },
        { name: 'norec', allow_subscribe_for_client: true },
        { name: 'forced', history_size: 20, history_ttl: '300s', allow_subscribe_for_client: true, force_recovery: true },
      ],
    });
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
  });

  it('recoverable: true → recoverable, positioned, epoch and offset = current top', async () => {
    await publish('rec:a', 1, 3);
    const t = await top('rec:a');
    const c = await connected();
    const r = await c.call('subscribe', { channel: 'rec:a', recoverable: true });
    assert.deepEqual(r.subscribe, { recoverable: true, epoch: t.epoch, offset: 3, positioned: true });
  });

  it('positioned: true → positioned, epoch and offset, not recoverable', async () => {
    await publish('rec:b', 1, 2);
    const t = await top('rec:b');
    const c = await connected();
    const r = await c.call('subscribe', { channel: 'rec:b', positioned: true });
    assert.deepEqual(r.subscribe, { epoch: t.epoch, offset: 2, positioned: true });
  });

  it('live publications after a positioned subscribe carry increasing offsets', async () => {
    await publish('rec:live', 1, 2);
    const c = await connected();
    await c.call('subscribe', { channel: 'rec:live', recoverable: true });
    await publish('rec:live', 3, 4);
    const p4 = await c.waitPush((p) => p.channel === 'rec:live' && p.pub?.offset === 4, 3000, 'publication 4');
    assert.deepEqual(p4.pub.data, { n: 4 });
    assert.deepEqual(
      c.messages.filter((m) => m.value.push?.channel === 'rec:live').map((m) => m.value.push.pub.offset as number),
      [3, 4],
    );
  });

  it('recover from offset 1 → recovered, publications 2..3, offset = the client’s offset, was_recovering', async () => {
    await publish('rec:c', 1, 3);
    const t = await top('rec:c');
    const c = await connected();
    const id = c.nextId();
    c.sendJson({ id, subscribe: { channel: 'rec:c', recoverable: true, recover: true, offset: 1, epoch: t.epoch } });
    const m = await c.waitReplyRaw(id);
    const r = m.value.subscribe as Wire;
    assert.equal(r.recovered, true);
    assert.equal(r.was_recovering, true);
    assert.equal(r.offset, 1, 'offset is the one the client sent');
    assert.equal(r.epoch, t.epoch);
    assert.equal(r.recoverable, true);
    assert.equal(r.positioned, true);
    assert.deepEqual(r.publications, [
      { data: { n: 2 }, offset: 2 },
      { data: { n: 3 }, offset: 3 },
    ]);
    assert.deepEqual(Object.keys(r).sort(), ['epoch', 'offset', 'positioned', 'publications', 'recoverable', 'recovered', 'was_recovering']);
  });

  it('recover from the top offset → recovered, no publications, offset = top', async () => {
    await publish('rec:d', 1, 2);
    const t = await top('rec:d');
    const c = await connected();
    const r = await c.call('subscribe', { channel: 'rec:d', recoverable: true, recover: true, offset: 2, epoch: t.epoch });
    assert.equal(r.subscribe.recovered, true);
    assert.equal(r.subscribe.publications, undefined);
    assert.equal(r.subscribe.offset, 2);
    assert.equal(r.subscribe.was_recovering, true);
  });

  it('recover with a different epoch → not recovered: no recovered/publications, offset = top, current epoch, was_recovering', async () => {
    await publish('rec:e', 1, 3);
    const t = await top('rec:e');
    const c = await connected();
    const r = await c.call('subscribe', { channel: 'rec:e', recoverable: true, recover: true, offset: 1, epoch: 'stale-epoch' });
    assert.deepEqual(r.subscribe, { recoverable: true, epoch: t.epoch, offset: 3, positioned: true, was_recovering: true });
  });

  it('more missed publications than client_recovery_max_publication_limit → not recovered', async () => {
    await publish('rec:f', 1, 6);
    const t = await top('rec:f');
    const c = await connected();
    const r = await c.call('subscribe', { channel: 'rec:f', recoverable: true, recover: true, offset: 1, epoch: t.epoch });
    assert.equal(r.subscribe.recovered, undefined);
    assert.equal(r.subscribe.publications, undefined);
    assert.equal(r.subscribe.offset, 6);
    assert.equal(r.subscribe.was_recovering, true);
  });

  it('exactly the limit of missed publications → recovered', async () => {
    await publish('rec:g', 1, 4);
    const t = await top('rec:g');
    const c = await connected();
    const r = await c.call('subscribe', { channel: 'rec:g', recoverable: true, recover: true, offset: 1, epoch: t.epoch });
    assert.equal(r.subscribe.recovered, true);
    assert.deepEqual(offsets(r.subscribe.publications), [2, 3, 4]);
  });

  it('recover with an empty epoch skips the epoch comparison', async () => {
    await publish('rec:h', 1, 2);
    const c = await connected();
    const r = await c.call('subscribe', { channel: 'rec:h', recoverable: true, recover: true, offset: 0, epoch: '' });
    assert.equal(r.subscribe.recovered, true);
    assert.deepEqual(offsets(r.subscribe.publications), [1, 2]);
    assert.equal(r.subscribe.offset, undefined, 'the client offset 0 is omitted (omit-empty)');
  });

  it('flag 2 (reject unrecovered) and recovery impossible → error 112, no subscription', async () => {
    await publish('rec:i', 1, 2);
    const c = await connected();
    const r = await c.call('subscribe', { channel: 'rec:i', recoverable: true, recover: true, offset: 1, epoch: 'wrong', flag: 2 });
    assert.deepEqual(r, { id: 2, error: { code: 112, message: 'unrecoverable position' } });
    // not subscribed: a fresh subscribe works (no 105)
    const again = await c.call('subscribe', { channel: 'rec:i', recoverable: true });
    assert.equal(again.subscribe?.recoverable, true);
  });

  it('was_recovering mirrors recover:true even where recovery is not enabled', async () => {
    const c = await connected();
    const id = c.nextId();
    c.sendJson({ id, subscribe: { channel: 'norec:a', recover: true, offset: 5, epoch: 'x' } });
    assert.equal((await c.waitReplyRaw(id)).raw, `{"id":${id},"subscribe":{"was_recovering":true}}`);
  });

  it('recoverable:true is ignored where neither allowed nor history access', async () => {
    const c = await connected();
    const r = await c.call('subscribe', { channel: 'norec:b', recoverable: true, positioned: true });
    assert.deepEqual(r.subscribe, {});
  });

  it('force_recovery namespace: recoverable/positioned without asking', async () => {
    await publish('forced:a', 1, 1);
    const t = await top('forced:a');
    const c = await connected();
    const r = await c.call('subscribe', { channel: 'forced:a' });
    assert.deepEqual(r.subscribe, { recoverable: true, epoch: t.epoch, offset: 1, positioned: true });
  });

  it('Protobuf: recovered subscribe result carries the same fields', async () => {
    await publish('rec:p', 1, 3);
    const t = await top('rec:p');
    const c = await connected({ protobuf: true });
    const r = await c.call('subscribe', { channel: 'rec:p', recoverable: true, recover: true, offset: 1, epoch: t.epoch });
    const sub = r.subscribe as Wire;
    assert.equal(sub.recovered, true);
    assert.equal(sub.was_recovering, true);
    assert.equal(sub.offset, 1);
    assert.equal(sub.epoch, t.epoch);
    assert.deepEqual(offsets(sub.publications as Wire[]), [2, 3]);
    assert.deepEqual(JSON.parse(bytesText((sub.publications as Wire[])[0]!.data)), { n: 2 });
  });
});
