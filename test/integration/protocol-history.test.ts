/**
 * @module test/integration/protocol-history — the `history` command on the raw wire (Centrifugo's
 * history errors and query semantics: limit capping by `client_history_max_publication_limit`,
 * limit 0, reverse, since, 112 on epoch mismatch; HistoryResult always-present fields).
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { type RawClient, RawClientPool, type Wire } from '../harness/raw-client.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { connectToken } from '../harness/tokens.js';

const CH = 'hist:stream';
const CAP = 3;

describe('protocol: history command (client_history_max_publication_limit 3, 5 publications)', () => {
  let s: TestServer;
  const pool = new RawClientPool();
  let c: RawClient;
  let epoch = '';

  const history = async (body: Wire): Promise<Wire> => c.call('history', { channel: CH, ...body });
  const offsets = (r: Wire): number[] => ((r.history?.publications ?? []) as Wire[]).map((p) => p.offset as number);

  before(async () => {
    s = await startTestServer({
      ping_interval: '-1s',
      client_history_max_publication_limit: CAP,
      namespaces: [{ name: 'hist', history_size: 10, history_ttl: '300s', allow_history_for_client: true, allow_subscribe_for_client: true }],
    });
    for (let i = 1; i <= 5; i++) {
      const res = await s.api('publish', { channel: CH, data: { n: i } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    c = await pool.open(s.wsUrl);
    await c.connect({ token: await connectToken('42') });
    const top = await history({ limit: 0 });
    epoch = top.history.epoch as string;
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
  });

  it('limit 0 → no publications, only the current top offset and epoch; publications:[] is written', async () => {
    const id = c.nextId();
    c.sendJson({ id, history: { channel: CH, limit: 0 } });
    const m = await c.waitReplyRaw(id);
    assert.ok(epoch.length > 0);
    assert.equal(m.raw, `{"id":${id},"history":{"publications":[],"epoch":${JSON.stringify(epoch)},"offset":5}}`);
  });

  it('absent limit means 0 (proto3 default) → no publications', async () => {
    const r = await history({});
    assert.deepEqual(offsets(r), []);
    assert.equal(r.history.offset, 5);
  });

  it('forward with limit 2 → oldest first: offsets 1,2; result offset is the stream top, not the last returned', async () => {
    const r = await history({ limit: 2 });
    assert.deepEqual(offsets(r), [1, 2]);
    assert.equal(r.history.offset, 5);
    assert.equal(r.history.epoch, epoch);
    const pubs = r.history.publications as Wire[];
    assert.deepEqual(pubs[1], { data: { n: 2 }, offset: 2 }, 'data and offset, no info for API publications');
  });

  it('limit above the cap is capped (limit 100 → 3)', async () => {
    assert.deepEqual(offsets(await history({ limit: 100 })), [1, 2, 3]);
  });

  it('negative limit is capped too (limit -1 → 3)', async () => {
    assert.deepEqual(offsets(await history({ limit: -1 })), [1, 2, 3]);
  });

  it('reverse → newest first (limit 2 → 5,4)', async () => {
    assert.deepEqual(offsets(await history({ limit: 2, reverse: true })), [5, 4]);
  });

  it('since {offset 2, epoch} forward → offsets > 2 ascending', async () => {
    assert.deepEqual(offsets(await history({ limit: 10, since: { offset: 2, epoch } })), [3, 4, 5]);
  });

  it('since the top offset → empty list, top offset still reported', async () => {
    const r = await history({ limit: 10, since: { offset: 5, epoch } });
    assert.deepEqual(offsets(r), []);
    assert.equal(r.history.offset, 5);
  });

  it('since with forward paging: the cap applies (since 1, limit 100 → 2,3,4)', async () => {
    assert.deepEqual(offsets(await history({ limit: 100, since: { offset: 1, epoch } })), [2, 3, 4]);
  });

  it('since reverse → offsets < since.offset descending (since 4 → 3,2,1)', async () => {
    assert.deepEqual(offsets(await history({ limit: 10, reverse: true, since: { offset: 4, epoch } })), [3, 2, 1]);
  });

  it('reverse with since.offset 0 → error 107', async () => {
    const r = await history({ limit: 10, reverse: true, since: { offset: 0, epoch } });
    assert.deepEqual(r.error, { code: 107, message: 'bad request' });
  });

  it('since.epoch different from the current epoch → error 112 unrecoverable position', async () => {
    const r = await history({ limit: 10, since: { offset: 2, epoch: `${epoch}x` } });
    assert.deepEqual(r.error, { code: 112, message: 'unrecoverable position' });
    assert.equal(c.closeInfo, undefined, 'a client error keeps the connection');
  });

  it('since with an empty epoch skips the epoch comparison', async () => {
    assert.deepEqual(offsets(await history({ limit: 10, since: { offset: 3, epoch: '' } })), [4, 5]);
  });
});
