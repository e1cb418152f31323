/**
 * In-process tests of Client and Node on a manual clock: connect, stale close, ping/pong, expiry and
 * refresh, subscription expiry, slow client, server disconnect. No sockets, no wall-clock waits: time
 * moves only through `CoreHarness.advance`.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { waitFor } from '../harness/wait.js';
import { CoreHarness } from './harness.js';

const PING = 25_000;
const PONG = 8_000;

let h: CoreHarness | undefined;
afterEach(async () => {
  await h?.shutdown();
  h = undefined;
});

async function harness(...args: ConstructorParameters<typeof CoreHarness>): Promise<CoreHarness> {
  h = await new CoreHarness(...args).start();
  return h;
}

void describe('connection timers on a manual clock', () => {
  void it('closes a connection that never sends connect after the stale delay (3007), not before', async () => {
    const h = await harness({ staleCloseDelayMs: 10_000 });
    const { t } = h.open();
    await h.advance(9_900);
    assert.equal(t.closed, undefined);
    await h.advance(200);
    assert.deepEqual(t.closed, { code: 3007, reason: '{"reason":"stale","reconnect":false}' });
    assert.equal(h.node.timers.size, 0, 'a closed connection leaves no timer behind');
  });

  void it('pings within the interval and closes without a pong after the pong timeout (3015 classic)', async () => {
    const h = await harness({ pingIntervalMs: PING, pongTimeoutMs: PONG });
    const conn = await h.connect('ann');
    const after = conn.t.messages.length;
    // The first ping comes at a random point in [interval/2, interval]; by the interval it has come.
    await h.advance(PING);
    assert.deepEqual(conn.t.messages.slice(after), ['{}'], 'one ping');
    await h.advance(PONG - 100);
    assert.equal(conn.t.closed, undefined, 'still within the pong timeout');
    await h.advance(200);
    assert.deepEqual(conn.t.closed, { code: 3015, reason: '{"reason":"no pong","reconnect":true}' });
  });

  void it('keeps a connection that answers every ping with a pong', async () => {
    const h = await harness({ pingIntervalMs: PING, pongTimeoutMs: PONG });
    const conn = await h.connect('ann');
    for (let round = 0; round < 5; round++) {
      const before = conn.t.messages.length;
      await h.advance(PING);
      assert.equal(conn.t.messages.length, before + 1, `ping ${round + 1}`);
      conn.client.handleData(new TextEncoder().encode('{}'));
      await h.advance(PONG + 1000);
    }
    assert.equal(conn.t.closed, undefined);
    assert.ok(conn.client.connected);
  });

  void it('ranged codes: no pong closes with 3012', async () => {
    const h = await harness({ pingIntervalMs: PING, pongTimeoutMs: PONG }, { disconnectCodes: 'ranged' });
    const conn = await h.connect('ann');
    await h.advance(PING);
    await h.advance(PONG + 100);
    assert.equal(conn.t.closed?.code, 3012);
  });

  void it('closes an expired connection after the expired close delay (3005) unless refreshed', async () => {
    const h = await harness({ pingIntervalMs: 0, expiredCloseDelayMs: 25_000 });
    h.script.expireAtSec = h.nowSec + 60;
    const stays = await h.connect('ann');
    const goes = await h.connect('bob');
    const [connectReply] = stays.t.json();
    assert.deepEqual((connectReply?.['connect'] as { expires?: boolean; ttl?: number }).expires, true);

    h.script.refreshExpireAtSec = h.nowSec + 600;
    const [refreshed] = await h.send(stays, ['{"id":2,"refresh":{"token":"t"}}']);
    assert.deepEqual(refreshed, { id: 2, refresh: { expires: true, ttl: 600 } });

    await h.advance(60_000 + 24_000);
    assert.equal(goes.t.closed, undefined, 'within the grace delay');
    await h.advance(2_000);
    assert.deepEqual(goes.t.closed, { code: 3005, reason: '{"reason":"expired","reconnect":true}' });
    assert.equal(stays.t.closed, undefined, 'the refreshed connection stays');
    await h.advance(600_000);
    assert.deepEqual(stays.t.closed, { code: 3005, reason: '{"reason":"expired","reconnect":true}' }, 'and expires at its new time');
  });

  void it('unsubscribes an expired client-side subscription with code 2501 on the periodic tick', async () => {
    const h = await harness({ pingIntervalMs: 0, presenceUpdateIntervalMs: 27_000, expiredSubCloseDelayMs: 25_000 });
    const conn = await h.connect('ann');
    h.script.subExpireAtSec = h.nowSec + 30;
    const [sub] = await h.send(conn, ['{"id":2,"subscribe":{"channel":"news"}}']);
    assert.equal((sub?.['subscribe'] as { expires?: boolean }).expires, true);
    await h.advance(30_000 + 25_000 + 27_000);
    assert.equal(conn.client.isSubscribed('news'), false);
    const pushes = conn.t.json().filter((m) => m['push'] !== undefined);
    assert.deepEqual(pushes.at(-1), { push: { channel: 'news', unsubscribe: { code: 2501, reason: 'subscription expired' } } });
    assert.ok(conn.client.connected, 'the connection itself stays');
  });
});

void describe('delivery, recovery and slow clients in process', () => {
  void it('delivers publications in order with offsets and recovers missed ones after a reconnect', async () => {
    const h = await harness({ pingIntervalMs: 0 });
    const first = await h.connect('ann');
    const [sub] = await h.send(first, ['{"id":2,"subscribe":{"channel":"news","recover":true}}']);
    const epoch = (sub?.['subscribe'] as { epoch: string }).epoch;
    assert.ok(epoch.length > 0);
    for (let i = 1; i <= 3; i++) await h.node.publish('news', new TextEncoder().encode(`{"n":${i}}`), { history: { size: 100, ttlMs: 300_000, metaTtlMs: 0 } });
    const { waitFor } = await import('../harness/wait.js');
    await waitFor(() => first.t.messages.length >= 5, 5000, 'three publications');
    const offsets = first.t.json().slice(2).map((m) => (m['push'] as { pub: { offset: number } }).pub.offset);
    assert.deepEqual(offsets, [1, 2, 3]);

    first.client.onTransportClose();
    await h.node.publish('news', new TextEncoder().encode('{"n":4}'), { history: { size: 100, ttlMs: 300_000, metaTtlMs: 0 } });
    await h.node.publish('news', new TextEncoder().encode('{"n":5}'), { history: { size: 100, ttlMs: 300_000, metaTtlMs: 0 } });

    const second = await h.connect('ann');
    const [recovered] = await h.send(second, [JSON.stringify({ id: 2, subscribe: { channel: 'news', recover: true, offset: 3, epoch } })]);
    const result = recovered?.['subscribe'] as { recovered: boolean; publications: Array<{ offset: number; data: { n: number } }> };
    assert.equal(result.recovered, true);
    assert.deepEqual(result.publications.map((p) => [p.offset, p.data.n]), [[4, 4], [5, 5]]);

    const [wrongEpoch] = await h.send(second, [JSON.stringify({ id: 3, subscribe: { channel: 'other', recover: true, offset: 3, epoch: 'nope' } })]);
    assert.equal((wrongEpoch?.['subscribe'] as { recovered?: boolean }).recovered ?? false, false);
  });

  void it('follows unsubscribe and resubscribe between publications of interleaved channels', async () => {
    // Client.deliverPublication remembers the last channel it looked up; this checks that memory
    // never outlives a subscription change.
    const h = await harness({ pingIntervalMs: 0 });
    const conn = await h.connect('ann');
    const [subNews] = await h.send(conn, ['{"id":2,"subscribe":{"channel":"news","recover":true}}', '{"id":3,"subscribe":{"channel":"sport"}}']);
    const epoch = (subNews?.['subscribe'] as { epoch: string }).epoch;
    const history = { history: { size: 100, ttlMs: 300_000, metaTtlMs: 0 } };
    const pub = (channel: string, n: number): Promise<unknown> => h.node.publish(channel, new TextEncoder().encode(`{"n":${n}}`), history);
    const pushes = (): Array<[string, number, number]> =>
      conn.t
        .json()
        .filter((m) => (m['push'] as { pub?: unknown } | undefined)?.pub !== undefined)
        .map((m) => {
          const push = m['push'] as { channel: string; pub: { offset: number; data: { n: number } } };
          return [push.channel, push.pub.data.n, push.pub.offset];
        });
    await pub('news', 1);
    await pub('news', 2);
    await pub('sport', 3);
    await pub('news', 4);
    await waitFor(() => pushes().length >= 4, 5000, 'four publications');
    const [unsub] = await h.send(conn, ['{"id":4,"unsubscribe":{"channel":"news"}}']);
    assert.deepEqual(unsub, { id: 4, unsubscribe: {} });
    // While unsubscribed: not delivered, and the last channel looked up is still "news".
    await pub('news', 5);
    const [resub] = await h.send(conn, [JSON.stringify({ id: 5, subscribe: { channel: 'news', recover: true, offset: 3, epoch } })]);
    assert.deepEqual(
      (resub?.['subscribe'] as { publications?: Array<{ offset: number }> }).publications?.map((p) => p.offset),
      [4],
      'the publication missed while unsubscribed is recovered, not delivered live',
    );
    // Checked against the new subscription's position (offset 4), not the old one's (3).
    await pub('news', 6);
    await pub('sport', 7);
    await waitFor(() => pushes().length >= 6, 5000, 'publications after the resubscribe');
    assert.deepEqual(pushes(), [
      ['news', 1, 1],
      ['news', 2, 2],
      ['sport', 3, 1],
      ['news', 4, 3],
      ['news', 6, 5],
      ['sport', 7, 2],
    ]);
    assert.ok(conn.client.channels.get('news')?.subscribed);
  });

  void it('closes a client whose transport does not drain with 3008 and keeps delivering to the others', async () => {
    const h = await harness({ pingIntervalMs: 0, queueMaxSizeBytes: 65_536 });
    const slow = await h.connect('slow');
    const fast = await h.connect('fast');
    await h.send(slow, ['{"id":2,"subscribe":{"channel":"news"}}']);
    await h.send(fast, ['{"id":2,"subscribe":{"channel":"news"}}']);
    slow.t.stalled = true; // the peer stopped reading: everything written stays buffered
    const payload = new TextEncoder().encode(JSON.stringify({ text: 'x'.repeat(1000) }));
    const { waitFor } = await import('../harness/wait.js');
    // One publication per turn: 8 KiB a turn never passes the limit by itself, the backlog does.
    const total = 80;
    for (let i = 0; i < total; i++) {
      await h.node.publish('news', payload, {});
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await waitFor(() => slow.t.closed !== undefined, 5000, 'slow client closed');
    assert.ok(slow.t.bufferedAmount > 65_536 - 2048 && slow.t.bufferedAmount <= 65_536 + 2048, `closed near the limit (${slow.t.bufferedAmount})`);
    assert.deepEqual(slow.t.closed, { code: 3008, reason: '{"reason":"slow","reconnect":true}' });
    // One transport message may carry several newline-joined pushes (coalesced writes).
    const lines = (): number => fast.t.messages.reduce((n, m) => n + m.split('\n').length, 0);
    await waitFor(() => lines() >= 2 + total, 5000, 'fast client got every publication');
    assert.equal(lines(), 2 + total);
    assert.equal(fast.t.closed, undefined);
  });

  void it('server-side disconnect of a user closes every connection of that user only', async () => {
    const h = await harness({ pingIntervalMs: 0 });
    const a1 = await h.connect('ann');
    const a2 = await h.connect('ann');
    const b = await h.connect('bob');
    await h.node.disconnectUser('ann', {}, { code: 4501, reason: 'banned', reconnect: false });
    assert.deepEqual(a1.t.closed, { code: 4501, reason: '{"reason":"banned","reconnect":false}' });
    assert.deepEqual(a2.t.closed, { code: 4501, reason: '{"reason":"banned","reconnect":false}' });
    assert.equal(b.t.closed, undefined);
    assert.equal(h.node.hub.numClients, 1);
  });
});
