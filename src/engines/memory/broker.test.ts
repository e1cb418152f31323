/** @module engines/memory/broker.test — MemoryBroker behaviour beyond the shared contract. */
import { strict as assert } from 'node:assert';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { BrokerEventHandler, HistoryOptions, HistoryPublishOptions } from '../../core/broker.js';
import { ManualClock } from '../../core/clock.js';
import { ClientErrors, EngineError, isClientError } from '../../core/errors.js';
import type { Publication, StreamPosition } from '../../core/types.js';
import { waitFor } from '../../../test/harness/wait.js';
import { MemoryBroker } from './broker.js';

interface Delivered {
  channel: string;
  publication: Publication;
  position: StreamPosition;
  prev: Publication | undefined;
}

class Recorder implements BrokerEventHandler {
  readonly pubs: Delivered[] = [];
  readonly joins: string[] = [];
  onPublication(channel: string, publication: Publication, position: StreamPosition, prev?: Publication): void {
    this.pubs.push({ channel, publication, position, prev });
  }
  onJoin(channel: string): void {
    this.joins.push(`join:${channel}`);
  }
  onLeave(channel: string): void {
    this.joins.push(`leave:${channel}`);
  }
}

const data = (s: string): Uint8Array => new TextEncoder().encode(s);
const HOUR = 3600_000;
const hist = (ttlMs = 60_000, metaTtlMs = 0, size = 10): HistoryPublishOptions => ({ size, ttlMs, metaTtlMs });
const ALL: HistoryOptions = { limit: -1, reverse: false, metaTtlMs: 0 };

void describe('MemoryBroker', () => {
  let clock: ManualClock;
  let broker: MemoryBroker;
  let rec: Recorder;

  beforeEach(async () => {
    clock = new ManualClock();
    broker = new MemoryBroker({ clock, sweepIntervalMs: 0 });
    rec = new Recorder();
    await broker.start(rec);
  });

  afterEach(async () => {
    await broker.close();
  });

  void it('publishes before start without delivering, and keeps the history', async () => {
    const b = new MemoryBroker({ clock, sweepIntervalMs: 0 });
    const res = await b.publish('ch', data('early'), { history: hist() });
    assert.equal(res.position.offset, 1);
    await b.publishJoin('ch', { clientId: 'c', userId: 'u' });
    const late = new Recorder();
    await b.start(late);
    assert.equal(late.pubs.length, 0);
    assert.equal((await b.history('ch', ALL)).publications.length, 1);
    await b.publish('ch', data('late'), {});
    assert.equal(late.pubs.length, 1);
    await b.close();
  });

  void it('delivers synchronously inside publish, in call order', async () => {
    const pending = [broker.publish('a', data('1'), {}), broker.publish('b', data('2'), { history: hist() })];
    assert.deepEqual(
      rec.pubs.map((d) => [d.channel, d.position.offset]),
      [
        ['a', 0],
        ['b', 1],
      ],
    );
    await Promise.all(pending);
  });

  void it('creates streams with 8-letter epochs, and a new one after the meta TTL', async () => {
    const first = await broker.history('ch', ALL);
    assert.match(first.position.epoch, /^[a-zA-Z]{8}$/);
    clock.advance(720 * HOUR);
    const second = await broker.history('ch', ALL);
    assert.match(second.position.epoch, /^[a-zA-Z]{8}$/);
    assert.notEqual(second.position.epoch, first.position.epoch);
  });

  void it('treats size <= 0 or ttl <= 0 as no history', async () => {
    const a = await broker.publish('ch', data('a'), { history: hist(0) });
    const b = await broker.publish('ch', data('b'), { history: hist(1000, 0, 0) });
    assert.deepEqual([a.position, b.position], [
      { offset: 0, epoch: '' },
      { offset: 0, epoch: '' },
    ]);
    assert.equal(broker.stats().streams, 0, 'no stream is created without history');
    assert.deepEqual(
      rec.pubs.map((d) => d.position.offset),
      [0, 0],
    );
  });

  void it('passes prev only for delta publishes with retained history', async () => {
    await broker.publish('ch', data('x'), { delta: true });
    await broker.publish('ch', data('y'), { delta: true });
    await broker.publish('h', data('a'), { history: hist(1000), delta: true });
    await broker.publish('h', data('b'), { history: hist(1000), delta: true });
    await broker.removeHistory('h');
    await broker.publish('h', data('c'), { history: hist(1000), delta: true });
    clock.advance(1000);
    await broker.publish('h', data('d'), { history: hist(1000), delta: true });
    assert.deepEqual(
      rec.pubs.map((d) => [d.publication.offset, d.prev?.offset]),
      [
        [0, undefined],
        [0, undefined],
        [1, undefined],
        [2, 1],
        [3, undefined],
        [4, undefined],
      ],
    );
  });

  void it('uses the default meta TTL of 720 h, or the configured default, when metaTtlMs is 0', async () => {
    await broker.publish('ch', data('a'), { history: hist() });
    clock.advance(720 * HOUR - 1);
    broker.sweep();
    assert.equal(broker.stats().streams, 1);
    clock.advance(1);
    broker.sweep();
    assert.equal(broker.stats().streams, 0);

    const b = new MemoryBroker({ clock, sweepIntervalMs: 0, defaultHistoryMetaTtlMs: 5000 });
    const p = await b.publish('ch', data('a'), { history: hist(1000) });
    clock.advance(4999);
    assert.equal((await b.history('ch', { ...ALL, limit: 0 })).position.epoch, p.position.epoch);
    clock.advance(5000);
    const after = await b.history('ch', { ...ALL, limit: 0 });
    assert.notEqual(after.position.epoch, p.position.epoch);
    assert.equal(after.position.offset, 0);
    await b.close();
  });

  void it('sweep reclaims expired items and forgotten streams', async () => {
    for (const ch of ['a', 'b', 'c']) {
      for (let i = 0; i < 4; i++) await broker.publish(ch, data('x'), { history: hist(1000, 5000) });
    }
    assert.deepEqual(broker.stats(), { streams: 3, publications: 12, idempotentResults: 0 });
    clock.advance(999);
    broker.sweep();
    assert.equal(broker.stats().publications, 12);
    clock.advance(1);
    broker.sweep();
    assert.deepEqual(broker.stats(), { streams: 3, publications: 0, idempotentResults: 0 });
    clock.advance(4000);
    broker.sweep();
    assert.deepEqual(broker.stats(), { streams: 0, publications: 0, idempotentResults: 0 });
  });

  void it('sweep keeps streams whose deadlines moved since they were scheduled', async () => {
    const first = await broker.publish('ch', data('a'), { history: hist(1000, 5000) });
    clock.advance(4000);
    await broker.publish('ch', data('b'), { history: hist(1000, 5000) });
    clock.advance(1500); // past the first meta deadline, not the second
    broker.sweep();
    assert.deepEqual(broker.stats(), { streams: 1, publications: 0, idempotentResults: 0 });
    const res = await broker.history('ch', { ...ALL, metaTtlMs: 5000 });
    assert.deepEqual(res.position, { offset: 2, epoch: first.position.epoch });
  });

  void it('sweep honours a deadline that moved earlier (shorter TTL on a later publish)', async () => {
    await broker.publish('ch', data('a'), { history: hist(10_000) });
    await broker.publish('ch', data('b'), { history: hist(1000) });
    clock.advance(1000);
    broker.sweep();
    assert.equal(broker.stats().publications, 0);
    clock.advance(20_000);
    broker.sweep();
    assert.equal(broker.stats().streams, 1, 'the stale later entry does not remove anything');
  });

  void it('expires idempotent results after the default 300 s', async () => {
    const first = await broker.publish('ch', data('a'), { history: hist(HOUR), idempotencyKey: 'k' });
    clock.advance(299_999);
    const dup = await broker.publish('ch', data('a'), { history: hist(HOUR), idempotencyKey: 'k' });
    assert.deepEqual(dup, { position: first.position, suppressed: true });
    clock.advance(1);
    const again = await broker.publish('ch', data('a'), { history: hist(HOUR), idempotencyKey: 'k' });
    assert.deepEqual(again, { position: { offset: 2, epoch: first.position.epoch }, suppressed: false });
    assert.equal(rec.pubs.length, 2);
  });

  void it('honours per-publish and per-broker idempotent result TTLs', async () => {
    await broker.publish('ch', data('a'), { idempotencyKey: 'k', idempotentResultTtlMs: 1000 });
    clock.advance(999);
    assert.equal((await broker.publish('ch', data('a'), { idempotencyKey: 'k' })).suppressed, true);
    clock.advance(1);
    assert.equal((await broker.publish('ch', data('a'), { idempotencyKey: 'k' })).suppressed, false);

    const b = new MemoryBroker({ clock, sweepIntervalMs: 0, idempotentResultTtlMs: 2000 });
    await b.publish('ch', data('a'), { idempotencyKey: 'k' });
    clock.advance(1999);
    assert.equal((await b.publish('ch', data('a'), { idempotencyKey: 'k' })).suppressed, true);
    clock.advance(1);
    assert.equal((await b.publish('ch', data('a'), { idempotencyKey: 'k' })).suppressed, false);
    await b.close();
  });

  void it('ignores an empty idempotency key', async () => {
    await broker.publish('ch', data('a'), { idempotencyKey: '' });
    const second = await broker.publish('ch', data('a'), { idempotencyKey: '' });
    assert.equal(second.suppressed, false);
    assert.equal(rec.pubs.length, 2);
    assert.equal(broker.stats().idempotentResults, 0);
  });

  void it('sweep reclaims expired idempotent results', async () => {
    for (let i = 0; i < 5; i++) await broker.publish('ch', data('a'), { idempotencyKey: `k${i}`, idempotentResultTtlMs: 1000 * (i + 1) });
    assert.equal(broker.stats().idempotentResults, 5);
    clock.advance(2500);
    broker.sweep();
    assert.equal(broker.stats().idempotentResults, 3);
    clock.advance(10_000);
    broker.sweep();
    assert.equal(broker.stats().idempotentResults, 0);
  });

  void it('rejects non-integer limits and offsets with bad request', async () => {
    await broker.publish('ch', data('a'), { history: hist() });
    const bad = (err: unknown): boolean => isClientError(err, ClientErrors.BadRequest);
    await assert.rejects(broker.history('ch', { ...ALL, limit: 2.5 }), bad);
    await assert.rejects(broker.history('ch', { ...ALL, limit: Number.NaN }), bad);
    await assert.rejects(broker.history('ch', { ...ALL, since: { offset: 0.5, epoch: '' } }), bad);
    await assert.rejects(broker.history('ch', { ...ALL, since: { offset: Infinity, epoch: '' }, reverse: true }), bad);
    assert.equal((await broker.history('ch', { ...ALL, since: { offset: -3, epoch: '' } })).publications.length, 1);
  });

  void it('removeHistory frees the publications', async () => {
    for (let i = 0; i < 3; i++) await broker.publish('ch', data('a'), { history: hist() });
    await broker.removeHistory('ch');
    assert.deepEqual(broker.stats(), { streams: 1, publications: 0, idempotentResults: 0 });
    await broker.removeHistory('missing');
    assert.equal(broker.stats().streams, 1, 'removeHistory does not create streams');
  });

  void it('stores the delivered publication objects with timeMs, info, tags and delta', async () => {
    const info = { clientId: 'c', userId: 'u' };
    await broker.publish('ch', data('a'), { history: hist(), clientInfo: info, tags: { a: 'b' }, delta: true });
    const [stored] = (await broker.history('ch', ALL)).publications;
    assert.deepEqual(stored, { offset: 1, data: data('a'), info, tags: { a: 'b' }, timeMs: clock.now(), delta: true });
    assert.equal(rec.pubs[0]!.publication, stored);
  });

  void it('runs the sweep on its own timer until closed', async () => {
    const b = new MemoryBroker({ clock, sweepIntervalMs: 5 });
    await b.publish('ch', data('a'), { history: hist(1000, 2000) });
    await b.publish('ch', data('a'), { idempotencyKey: 'k' });
    clock.advance(300_000);
    await waitFor(() => b.stats().streams === 0 && b.stats().idempotentResults === 0, 2000, 'timer sweep');
    await b.close();
    await b.close();
  });

  void it('after close: data operations reject with EngineError, interest calls and close resolve', async () => {
    await broker.publish('ch', data('a'), { history: hist() });
    await broker.close();
    await broker.close();
    await broker.subscribe('ch');
    await broker.unsubscribe('ch');
    const isEngineError = (err: unknown): boolean => err instanceof EngineError;
    await assert.rejects(broker.publish('ch', data('b'), {}), isEngineError);
    await assert.rejects(broker.history('ch', ALL), isEngineError);
    await assert.rejects(broker.removeHistory('ch'), isEngineError);
    await assert.rejects(broker.publishJoin('ch', { clientId: 'c', userId: '' }), isEngineError);
    await assert.rejects(broker.publishLeave('ch', { clientId: 'c', userId: '' }), isEngineError);
    await assert.rejects(broker.start(rec), isEngineError);
    assert.equal(rec.pubs.length, 1);
    assert.deepEqual(broker.stats(), { streams: 0, publications: 0, idempotentResults: 0 });
  });
});
