/**
 * @module test/contract/broker.contract — behaviour every Broker must show (memory, Redis, NATS).
 *
 * Engine-agnostic: delivery is awaited with `waitFor` (brokers may deliver asynchronously), "not delivered"
 * is proven by a later marker publication arriving first, and every test uses its own random channels.
 * Time moves through `fixture.advance`, else `fixture.clock.advance`, else a real wait — so the expiry tests
 * also run against engines with real (second-granular) TTLs; all TTLs used are multiples of 1 s.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Broker, BrokerEventHandler, HistoryOptions, HistoryPublishOptions, PublishOptions } from '../../src/core/broker.js';
import type { ManualClock } from '../../src/core/clock.js';
import { ClientErrors, isClientError } from '../../src/core/errors.js';
import type { ClientInfo, Publication, StreamPosition } from '../../src/core/types.js';
import { waitFor } from '../harness/wait.js';

/** What the factory hands to each test; `close` must release everything (and tolerate a closed broker). */
export interface BrokerFixture {
  broker: Broker;
  /** When given, publications' `timeMs` is checked against it and time moves with it. */
  clock?: ManualClock;
  /** Moves time forward (fake clock and/or engine-side expiry); preferred over `clock`. */
  advance?: (ms: number) => Promise<void>;
  close: () => Promise<void>;
}

/** What the engine can do. */
export interface BrokerContractCaps {
  /** The broker keeps history streams. */
  history: boolean;
  /** Expiry tests run on a fake clock (instant). */
  ttlWithFakeClock: boolean;
  /** Run the expiry tests with real waits (engines whose TTLs live outside the process). @default false */
  realTtl?: boolean;
  /** `onPublication` receives `prev` for delta publishes. @default caps.history */
  deltaPrev?: boolean;
  /** How long to wait for asynchronous delivery. @default 5000 */
  deliveryTimeoutMs?: number;
}

type BrokerEvent =
  | { kind: 'publication'; channel: string; publication: Publication; position: StreamPosition; prev: Publication | undefined }
  | { kind: 'join' | 'leave'; channel: string; info: ClientInfo };

type PublicationEvent = Extract<BrokerEvent, { kind: 'publication' }>;

/** Records everything the broker hands to the node. */
class Recorder implements BrokerEventHandler {
  readonly events: BrokerEvent[] = [];
  constructor(private readonly timeoutMs: number) {}
  onPublication(channel: string, publication: Publication, position: StreamPosition, prev?: Publication): void {
    this.events.push({ kind: 'publication', channel, publication, position, prev });
  }
  onJoin(channel: string, info: ClientInfo): void {
    this.events.push({ kind: 'join', channel, info });
  }
  onLeave(channel: string, info: ClientInfo): void {
    this.events.push({ kind: 'leave', channel, info });
  }
  publications(channel: string): PublicationEvent[] {
    return this.events.filter((e): e is PublicationEvent => e.kind === 'publication' && e.channel === channel);
  }
  /** Resolves with the channel's publications once there are at least `n`. */
  async waitPublications(channel: string, n: number): Promise<PublicationEvent[]> {
    return until(
      () => {
        const p = this.publications(channel);
        return p.length >= n ? p : undefined;
      },
      this.timeoutMs,
      `${n} publications in ${channel}`,
    );
  }
  /** Resolves once a publication with payload `marker` arrived; returns the channel's publications. */
  async waitMarker(channel: string, marker: string): Promise<PublicationEvent[]> {
    return until(
      () => {
        const p = this.publications(channel);
        return p.some((e) => text(e.publication.data) === marker) ? p : undefined;
      },
      this.timeoutMs,
      `marker ${marker} in ${channel}`,
    );
  }
}

/** `waitFor` for predicates that return the awaited value or undefined. */
async function until<T>(fn: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const value = await waitFor(fn, timeoutMs, what);
  if (value === undefined) throw new Error(`no value for ${what}`);
  return value;
}

const enc = new TextEncoder();
const bytes = (s: string): Uint8Array => enc.encode(s);
const text = (b: Uint8Array | undefined): string => (b === undefined ? '' : Buffer.from(b).toString('utf8'));
const offsets = (pubs: readonly Publication[]): number[] => pubs.map((p) => p.offset);
const texts = (pubs: readonly Publication[]): string[] => pubs.map((p) => text(p.data));
const HIST: HistoryPublishOptions = { size: 10, ttlMs: 60_000, metaTtlMs: 0 };
const ALL: HistoryOptions = { limit: -1, reverse: false, metaTtlMs: 0 };
const newChannel = (): string => `contract-${randomUUID()}`;

/** Registers the Broker contract suite for one engine. */
export function runBrokerContract(
  name: string,
  factory: () => Promise<BrokerFixture>,
  caps: BrokerContractCaps,
): void {
  const timeoutMs = caps.deliveryTimeoutMs ?? 5000;
  const deltaPrev = caps.deltaPrev ?? caps.history;
  const runExpiry = caps.history && (caps.ttlWithFakeClock || caps.realTtl === true);

  void describe(`Broker contract: ${name}`, () => {
    let f: BrokerFixture;
    let broker: Broker;
    let rec: Recorder;
    let ch: string;

    beforeEach(async () => {
      f = await factory();
      broker = f.broker;
      rec = new Recorder(timeoutMs);
      await broker.start(rec);
      ch = newChannel();
      await broker.subscribe(ch);
    });

    afterEach(async () => {
      await f.close();
    });

    async function advance(ms: number): Promise<void> {
      if (f.advance) await f.advance(ms);
      else if (f.clock) f.clock.advance(ms);
      else await new Promise((r) => setTimeout(r, ms));
    }

    /** Publishes `m1`…`mN` one after another with history and returns their positions. */
    async function publishN(channel: string, n: number, history: HistoryPublishOptions = HIST): Promise<StreamPosition[]> {
      const out: StreamPosition[] = [];
      for (let i = 1; i <= n; i++) out.push((await broker.publish(channel, bytes(`m${i}`), { history })).position);
      return out;
    }

    void it('reports whether it supports history', () => {
      assert.equal(broker.supportsHistory, caps.history);
    });

    void it('subscribe and unsubscribe resolve', async () => {
      const other = newChannel();
      await broker.subscribe(other);
      await broker.unsubscribe(other);
      await broker.unsubscribe(ch);
      await broker.subscribe(ch);
    });

    void describe('publish', () => {
      void it('without history: offset 0, empty epoch, delivered with data, tags and info', async () => {
        const info: ClientInfo = { clientId: 'c1', userId: 'u1', connInfo: bytes('{"a":1}'), chanInfo: bytes('{"b":2}') };
        const res = await broker.publish(ch, bytes('hello'), { tags: { k: 'v' }, clientInfo: info });
        assert.deepEqual(res, { position: { offset: 0, epoch: '' }, suppressed: false });
        const [e] = await rec.waitPublications(ch, 1);
        assert.equal(text(e!.publication.data), 'hello');
        assert.equal(e!.publication.offset, 0);
        assert.deepEqual({ ...e!.position }, { offset: 0, epoch: '' });
        assert.deepEqual({ ...e!.publication.tags }, { k: 'v' });
        assert.equal(e!.publication.info?.clientId, 'c1');
        assert.equal(e!.publication.info?.userId, 'u1');
        assert.equal(text(e!.publication.info?.connInfo), '{"a":1}');
        assert.equal(text(e!.publication.info?.chanInfo), '{"b":2}');
        assert.equal(e!.prev, undefined);
      });

      void it('stamps publications with the clock time', async (t) => {
        if (!f.clock) return t.skip('no fake clock');
        const now = f.clock.now();
        await broker.publish(ch, bytes('x'), {});
        if (caps.history) await broker.publish(ch, bytes('y'), { history: HIST });
        const pubs = await rec.waitPublications(ch, caps.history ? 2 : 1);
        for (const e of pubs) assert.equal(e.publication.timeMs, now);
      });

      void it('with history: offsets 1, 2, 3 in one stable epoch, delivered with that position', { skip: !caps.history }, async () => {
        const positions = await publishN(ch, 3);
        assert.deepEqual(positions.map((p) => p.offset), [1, 2, 3]);
        const epoch = positions[0]!.epoch;
        assert.ok(epoch.length > 0, 'epoch must not be empty');
        for (const p of positions) assert.equal(p.epoch, epoch);
        const delivered = await rec.waitPublications(ch, 3);
        assert.deepEqual(
          delivered.map((e) => [text(e.publication.data), e.publication.offset, e.position.offset, e.position.epoch]),
          [
            ['m1', 1, 1, epoch],
            ['m2', 2, 2, epoch],
            ['m3', 3, 3, epoch],
          ],
        );
      });

      void it('without the history capability, publish with history options still delivers', { skip: caps.history }, async () => {
        const res = await broker.publish(ch, bytes('h'), { history: HIST });
        assert.equal(res.suppressed, false);
        assert.equal(res.position.offset, 0);
        const [e] = await rec.waitPublications(ch, 1);
        assert.equal(text(e!.publication.data), 'h');
        assert.equal(e!.publication.offset, 0);
      });

      void it('keeps one stream per channel', { skip: !caps.history }, async () => {
        const other = newChannel();
        await broker.subscribe(other);
        await publishN(ch, 2);
        const [p] = await publishN(other, 1);
        assert.equal(p!.offset, 1);
        assert.deepEqual(offsets((await broker.history(ch, ALL)).publications), [1, 2]);
        assert.deepEqual(texts((await broker.history(other, ALL)).publications), ['m1']);
        await rec.waitPublications(other, 1);
        assert.equal(rec.publications(other).length, 1);
      });

      void it('preserves order under 1000 rapid publishes without history', async () => {
        const n = 1000;
        const results = await Promise.all(Array.from({ length: n }, (_, i) => broker.publish(ch, bytes(String(i)), {})));
        for (const r of results) assert.equal(r.position.offset, 0);
        const delivered = await rec.waitPublications(ch, n);
        assert.deepEqual(
          delivered.map((e) => text(e.publication.data)),
          Array.from({ length: n }, (_, i) => String(i)),
        );
      });

      void it('preserves order under 1000 rapid publishes with history', { skip: !caps.history }, async () => {
        const n = 1000;
        const history = { size: n, ttlMs: 60_000, metaTtlMs: 0 };
        const results = await Promise.all(Array.from({ length: n }, (_, i) => broker.publish(ch, bytes(String(i)), { history })));
        const expected = Array.from({ length: n }, (_, i) => i + 1);
        assert.deepEqual(
          results.map((r) => r.position.offset),
          expected,
        );
        const delivered = await rec.waitPublications(ch, n);
        assert.deepEqual(
          delivered.map((e) => e.position.offset),
          expected,
        );
        assert.deepEqual(
          delivered.map((e) => Number(text(e.publication.data)) + 1),
          expected,
        );
        assert.deepEqual(offsets((await broker.history(ch, ALL)).publications), expected);
      });

      void it('hands the previous publication to the handler for delta publishes', { skip: !deltaPrev }, async () => {
        await broker.publish(ch, bytes('a'), { history: HIST, delta: true });
        await broker.publish(ch, bytes('b'), { history: HIST, delta: true });
        await broker.publish(ch, bytes('c'), { history: HIST });
        const [first, second, third] = await rec.waitPublications(ch, 3);
        assert.equal(first!.prev, undefined);
        assert.equal(text(second!.prev?.data), 'a');
        assert.equal(second!.publication.delta, true);
        assert.equal(third!.prev, undefined);
      });
    });

    void describe('history', { skip: !caps.history }, () => {
      let epoch: string;
      beforeEach(async () => {
        const positions = await publishN(ch, 5);
        epoch = positions[0]!.epoch;
      });

      const read = (options: Partial<HistoryOptions>): ReturnType<Broker['history']> =>
        broker.history(ch, { limit: -1, reverse: false, metaTtlMs: 0, ...options });

      void it('limit 0 returns only the top position', async () => {
        const res = await read({ limit: 0 });
        assert.deepEqual(res.publications, []);
        assert.deepEqual({ ...res.position }, { offset: 5, epoch });
      });

      void it('limit N returns the oldest N, limit -1 everything, oldest first', async () => {
        const two = await read({ limit: 2 });
        assert.deepEqual(texts(two.publications), ['m1', 'm2']);
        assert.deepEqual(offsets(two.publications), [1, 2]);
        assert.deepEqual({ ...two.position }, { offset: 5, epoch });
        assert.deepEqual(offsets((await read({ limit: -1 })).publications), [1, 2, 3, 4, 5]);
        assert.deepEqual(offsets((await read({ limit: 100 })).publications), [1, 2, 3, 4, 5]);
      });

      void it('reverse without since returns the newest first', async () => {
        assert.deepEqual(offsets((await read({ reverse: true })).publications), [5, 4, 3, 2, 1]);
        const two = await read({ reverse: true, limit: 2 });
        assert.deepEqual(texts(two.publications), ['m5', 'm4']);
        assert.deepEqual({ ...two.position }, { offset: 5, epoch });
      });

      void it('since forward returns offsets after since, ascending', async () => {
        const res = await read({ since: { offset: 2, epoch } });
        assert.deepEqual(offsets(res.publications), [3, 4, 5]);
        assert.deepEqual({ ...res.position }, { offset: 5, epoch });
        assert.deepEqual(offsets((await read({ since: { offset: 2, epoch }, limit: 2 })).publications), [3, 4]);
        assert.deepEqual(offsets((await read({ since: { offset: 0, epoch } })).publications), [1, 2, 3, 4, 5]);
      });

      void it('since equal to the top returns nothing but the position', async () => {
        const res = await read({ since: { offset: 5, epoch } });
        assert.deepEqual(res.publications, []);
        assert.deepEqual({ ...res.position }, { offset: 5, epoch });
      });

      void it('since beyond the top returns nothing', async () => {
        const res = await read({ since: { offset: 9, epoch } });
        assert.deepEqual(res.publications, []);
        assert.equal(res.position.offset, 5);
      });

      void it('since reverse returns offsets before since, descending', async () => {
        assert.deepEqual(offsets((await read({ since: { offset: 4, epoch }, reverse: true })).publications), [3, 2, 1]);
        assert.deepEqual(offsets((await read({ since: { offset: 4, epoch }, reverse: true, limit: 2 })).publications), [3, 2]);
        assert.deepEqual(offsets((await read({ since: { offset: 1, epoch }, reverse: true })).publications), []);
        assert.deepEqual(offsets((await read({ since: { offset: 6, epoch }, reverse: true, limit: 1 })).publications), [5]);
      });

      void it('reverse with since.offset 0 is rejected with bad request (107)', async () => {
        await assert.rejects(read({ since: { offset: 0, epoch }, reverse: true }), (err: unknown) => {
          assert.ok(isClientError(err, ClientErrors.BadRequest), `expected ClientError 107, got ${String(err)}`);
          return true;
        });
      });

      void it('does not check the epoch in since (the node does)', async () => {
        const res = await read({ since: { offset: 3, epoch: 'another-epoch' } });
        assert.deepEqual(offsets(res.publications), [4, 5]);
        assert.deepEqual({ ...res.position }, { offset: 5, epoch });
      });

      void it('returns publications with their data, offset, tags and info', async () => {
        const info: ClientInfo = { clientId: 'c9', userId: 'u9', connInfo: bytes('ci') };
        const opts: PublishOptions = { history: HIST, tags: { t: '1' }, clientInfo: info };
        await broker.publish(ch, bytes('tagged'), opts);
        const [p] = (await read({ reverse: true, limit: 1 })).publications;
        assert.equal(p!.offset, 6);
        assert.equal(text(p!.data), 'tagged');
        assert.deepEqual({ ...p!.tags }, { t: '1' });
        assert.equal(p!.info?.clientId, 'c9');
        assert.equal(p!.info?.userId, 'u9');
        assert.equal(text(p!.info?.connInfo), 'ci');
      });

      void it('returns arrays the caller may keep and change', async () => {
        const first = await read({});
        first.publications.splice(0, 3);
        first.publications.push(first.publications[0]!);
        assert.deepEqual(offsets((await read({})).publications), [1, 2, 3, 4, 5]);
      });

      void it('evicts the oldest publications beyond size', async () => {
        const other = newChannel();
        const positions = await publishN(other, 5, { size: 3, ttlMs: 60_000, metaTtlMs: 0 });
        assert.equal(positions[4]!.offset, 5);
        const res = await broker.history(other, ALL);
        assert.deepEqual(texts(res.publications), ['m3', 'm4', 'm5']);
        assert.deepEqual(offsets(res.publications), [3, 4, 5]);
        assert.equal(res.position.offset, 5);
      });

      void it('since pointing at an evicted offset starts from the oldest retained', async () => {
        const other = newChannel();
        const [p] = await publishN(other, 5, { size: 3, ttlMs: 60_000, metaTtlMs: 0 });
        const since = { offset: 1, epoch: p!.epoch };
        assert.deepEqual(offsets((await broker.history(other, { ...ALL, since })).publications), [3, 4, 5]);
        assert.deepEqual(offsets((await broker.history(other, { ...ALL, since, limit: 1 })).publications), [3]);
        const back = { offset: 3, epoch: p!.epoch };
        assert.deepEqual(offsets((await broker.history(other, { ...ALL, since: back, reverse: true })).publications), []);
      });

      void it('removeHistory drops the publications but keeps top and epoch', async () => {
        await broker.removeHistory(ch);
        const res = await read({});
        assert.deepEqual(res.publications, []);
        assert.deepEqual({ ...res.position }, { offset: 5, epoch });
        const next = await broker.publish(ch, bytes('m6'), { history: HIST });
        assert.deepEqual({ ...next.position }, { offset: 6, epoch });
        assert.deepEqual(offsets((await read({})).publications), [6]);
      });

      void it('removeHistory of an unknown channel resolves', async () => {
        await broker.removeHistory(newChannel());
      });

      void it('history of a never-published channel creates the stream at offset 0', async () => {
        const other = newChannel();
        const res = await broker.history(other, ALL);
        assert.deepEqual(res.publications, []);
        assert.equal(res.position.offset, 0);
        assert.ok(res.position.epoch.length > 0, 'epoch must not be empty');
        const again = await broker.history(other, { ...ALL, limit: 0 });
        assert.deepEqual({ ...again.position }, { ...res.position });
        const pub = await broker.publish(other, bytes('first'), { history: HIST });
        assert.deepEqual({ ...pub.position }, { offset: 1, epoch: res.position.epoch });
      });
    });

    void it('history is not available without the capability (108)', { skip: caps.history }, async () => {
      await assert.rejects(broker.history(ch, ALL), (err: unknown) => {
        assert.ok(isClientError(err, ClientErrors.NotAvailable), `expected ClientError 108, got ${String(err)}`);
        return true;
      });
    });

    void describe('idempotency', () => {
      for (const withHistory of caps.history ? [true, false] : [false]) {
        const history = withHistory ? HIST : undefined;
        const mode = withHistory ? 'with history' : 'without history';

        void it(`${mode}: a repeated key is suppressed, returns the first position and is not delivered again`, async () => {
          const first = await broker.publish(ch, bytes('a'), { history, idempotencyKey: 'k1' });
          assert.equal(first.suppressed, false);
          const again = await broker.publish(ch, bytes('b'), { history, idempotencyKey: 'k1' });
          assert.equal(again.suppressed, true);
          assert.deepEqual({ ...again.position }, { ...first.position });
          const marker = await broker.publish(ch, bytes('marker'), { history });
          if (withHistory) assert.equal(marker.position.offset, first.position.offset + 1);
          const delivered = await rec.waitMarker(ch, 'marker');
          assert.deepEqual(texts(delivered.map((e) => e.publication)), ['a', 'marker']);
          if (withHistory) assert.deepEqual(texts((await broker.history(ch, ALL)).publications), ['a', 'marker']);
        });
      }

      void it('keys are scoped by channel, and different keys publish normally', async () => {
        const other = newChannel();
        await broker.subscribe(other);
        const a = await broker.publish(ch, bytes('a'), { idempotencyKey: 'same' });
        const b = await broker.publish(other, bytes('b'), { idempotencyKey: 'same' });
        const c = await broker.publish(ch, bytes('c'), { idempotencyKey: 'different' });
        assert.deepEqual([a.suppressed, b.suppressed, c.suppressed], [false, false, false]);
        assert.deepEqual(texts((await rec.waitPublications(ch, 2)).map((e) => e.publication)), ['a', 'c']);
        assert.deepEqual(texts((await rec.waitPublications(other, 1)).map((e) => e.publication)), ['b']);
      });
    });

    void it('delivers join and leave with the client info', async () => {
      const info: ClientInfo = { clientId: 'c1', userId: 'u1', connInfo: bytes('conn'), chanInfo: bytes('chan') };
      await broker.publishJoin(ch, info);
      await broker.publishLeave(ch, { clientId: 'c2', userId: '' });
      const mine = (): BrokerEvent[] => rec.events.filter((e) => e.channel === ch && e.kind !== 'publication');
      const [join, leave] = await until(() => (mine().length >= 2 ? mine() : undefined), timeoutMs, 'join and leave');
      assert.ok(join?.kind === 'join', 'first event must be the join');
      assert.ok(leave?.kind === 'leave', 'second event must be the leave');
      assert.deepEqual(
        [join.info.clientId, join.info.userId, text(join.info.connInfo), text(join.info.chanInfo)],
        ['c1', 'u1', 'conn', 'chan'],
      );
      assert.deepEqual([leave.channel, leave.info.clientId, leave.info.userId], [ch, 'c2', '']);
    });

    void describe('expiry', { skip: !runExpiry }, () => {
      const short = (ttlMs: number, metaTtlMs: number): HistoryPublishOptions => ({ size: 10, ttlMs, metaTtlMs });
      const readAll = (metaTtlMs: number): ReturnType<Broker['history']> => broker.history(ch, { ...ALL, metaTtlMs });

      void it('history_ttl drops the publications but keeps top and epoch', async () => {
        const [, p2] = await publishN(ch, 2, short(1000, 10_000));
        await advance(400);
        assert.deepEqual(offsets((await readAll(10_000)).publications), [1, 2]);
        await advance(1000);
        const res = await readAll(10_000);
        assert.deepEqual(res.publications, []);
        assert.deepEqual({ ...res.position }, { ...p2! });
        const next = await broker.publish(ch, bytes('m3'), { history: short(1000, 10_000) });
        assert.deepEqual({ ...next.position }, { offset: 3, epoch: p2!.epoch });
        assert.deepEqual(offsets((await readAll(10_000)).publications), [3]);
      });

      void it('every publish refreshes history_ttl', async () => {
        await broker.publish(ch, bytes('a'), { history: short(1000, 10_000) });
        await advance(700);
        await broker.publish(ch, bytes('b'), { history: short(1000, 10_000) });
        await advance(700);
        assert.deepEqual(texts((await readAll(10_000)).publications), ['a', 'b']);
        await advance(1000);
        assert.deepEqual((await readAll(10_000)).publications, []);
      });

      void it('meta TTL expiry forgets the stream: new epoch, offsets restart', async () => {
        const [p] = await publishN(ch, 1, short(1000, 2000));
        await advance(2500);
        const res = await readAll(2000);
        assert.deepEqual(res.publications, []);
        assert.equal(res.position.offset, 0);
        assert.ok(res.position.epoch.length > 0);
        assert.notEqual(res.position.epoch, p!.epoch);
        const next = await broker.publish(ch, bytes('again'), { history: short(1000, 2000) });
        assert.deepEqual({ ...next.position }, { offset: 1, epoch: res.position.epoch });
      });

      void it('history reads keep the stream meta alive', async () => {
        const [p] = await publishN(ch, 1, short(1000, 2000));
        await advance(1500);
        assert.deepEqual({ ...(await readAll(2000)).position }, { ...p! });
        await advance(1500);
        assert.deepEqual({ ...(await readAll(2000)).position }, { ...p! });
        await advance(2500);
        const res = await readAll(2000);
        assert.equal(res.position.offset, 0);
        assert.notEqual(res.position.epoch, p!.epoch);
      });

      void it('publishes keep the stream meta alive', async () => {
        const [p] = await publishN(ch, 1, short(1000, 2000));
        await advance(1500);
        await broker.publish(ch, bytes('m2'), { history: short(1000, 2000) });
        await advance(1500);
        const res = await broker.history(ch, { ...ALL, limit: 0, metaTtlMs: 2000 });
        assert.deepEqual({ ...res.position }, { offset: 2, epoch: p!.epoch });
      });
    });

    void it('close is idempotent', async () => {
      await broker.close();
      await broker.close();
    });
  });
}
