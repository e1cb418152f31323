/**
 * PostgreSQL outbox consumer against a real PostgreSQL (Debian `postgresql`) and, for the fault tests,
 * the Redis engine (its idempotency results and history survive a Rotor restart). Rows → publications
 * received by a real centrifuge-js subscriber.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import postgres from 'postgres';
import { freePort } from '../harness/spawned.js';
import { spawnPostgres, type PostgresHandle } from '../harness/postgres.js';
import { consumingPublishCount, disconnectSubscribers, recordingLogger, stallableEngine, type StallableEngine, subscribeChannel } from '../harness/consumers.js';
import { sdkClient } from '../harness/sdk.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { connectToken } from '../harness/tokens.js';
import { waitFor } from '../harness/wait.js';

const TABLE = 'centrifugo_outbox';
const NOTIFY_CHANNEL = 'centrifugo_partition_change';

/** The table layout Centrifugo documents, and its documented NOTIFY trigger. */
const DDL = `
CREATE TABLE IF NOT EXISTS ${TABLE} (
  id BIGSERIAL PRIMARY KEY,
  method text NOT NULL,
  payload JSONB NOT NULL,
  partition INTEGER NOT NULL default 0,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL
);
CREATE OR REPLACE FUNCTION centrifugo_notify_partition_change() RETURNS TRIGGER AS $$
BEGIN
  PERFORM pg_notify('${NOTIFY_CHANNEL}', NEW.partition::text);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE TRIGGER centrifugo_notify_partition_trigger AFTER INSERT ON ${TABLE}
FOR EACH ROW EXECUTE FUNCTION centrifugo_notify_partition_change();
`;

const T = 20_000;

let pg: PostgresHandle;
let db: postgres.Sql;

async function insert(rows: { method: string; payload: unknown; partition?: number }[]): Promise<void> {
  await db.begin(async (tx) => {
    for (const r of rows) {
      await tx`INSERT INTO centrifugo_outbox (method, payload, partition) VALUES (${r.method}, ${tx.json(r.payload as postgres.JSONValue)}, ${r.partition ?? 0})`;
    }
  });
}

async function count(): Promise<number> {
  const [row] = await db<{ n: string }[]>`SELECT count(*)::text AS n FROM centrifugo_outbox`;
  return Number(row?.n);
}

function consumer(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'outbox',
    type: 'postgresql',
    postgresql: {
      dsn: pg.dsn,
      outbox_table_name: TABLE,
      num_partitions: 2,
      partition_select_limit: 100,
      // Long poll: deliveries in these tests come from LISTEN/NOTIFY wake-ups.
      partition_poll_interval: '1h',
      partition_notification_channel: NOTIFY_CHANNEL,
      ...extra,
    },
  };
}

before(async () => {
  pg = await spawnPostgres();
  db = postgres(pg.dsn, { onnotice: false, max: 2 });
  await db.unsafe(DDL);
});

after(async () => {
  disconnectSubscribers();
  await db?.end({ timeout: 1 });
  await pg?.stop();
});

describe('postgresql consumer start', () => {
  it('fails the server start, naming the consumer, when the database cannot be reached', async () => {
    const closed = await freePort();
    const bad = { name: 'unreachable', type: 'postgresql', postgresql: { dsn: `postgres://postgres@127.0.0.1:${closed}/postgres`, outbox_table_name: TABLE } };
    await assert.rejects(startTestServer({ consumers: [bad] }), /consumer "unreachable" \(postgresql\) failed to start/);
  });
});

describe('postgresql consumer (memory engine)', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ allow_subscribe_for_client: true, consumers: [consumer()] });
  });
  after(async () => {
    await s?.close();
  });

  it('publishes outbox rows in id order to a real SDK subscriber and deletes them', async () => {
    const got = await subscribeChannel(s.wsUrl, 'pg-news');
    await insert(Array.from({ length: 5 }, (_, i) => ({ method: 'publish', payload: { channel: 'pg-news', data: { i } } })));
    await waitFor(() => got.values.length >= 5, T, '5 publications');
    assert.deepEqual(got.values, [0, 1, 2, 3, 4].map((i) => ({ i })));
    await waitFor(async () => (await count()) === 0, T, 'outbox emptied');
  });

  it('runs broadcast rows and rows of partition 1, and accepts the payload as a JSON string', async () => {
    const a = await subscribeChannel(s.wsUrl, 'pg-a');
    const b = await subscribeChannel(s.wsUrl, 'pg-b');
    await insert([
      { method: 'broadcast', payload: { channels: ['pg-a', 'pg-b'], data: { all: true } } },
      { method: 'publish', payload: { channel: 'pg-b', data: { p: 1 } }, partition: 1 },
    ]);
    // The envelope form (empty method column) with the request given as a JSON string.
    await insert([{ method: '', payload: { method: 'publish', payload: JSON.stringify({ channel: 'pg-a', data: { str: 1 } }) } }]);
    await waitFor(() => a.values.length >= 2 && b.values.length >= 2, T, 'broadcast + partition 1 + envelope');
    assert.deepEqual(a.values, [{ all: true }, { str: 1 }]);
    assert.deepEqual(new Set(b.values.map((v) => JSON.stringify(v))), new Set([JSON.stringify({ all: true }), JSON.stringify({ p: 1 })]));
  });

  it('logs and skips malformed rows (unknown method, invalid payload, API error) and processes the next one', async () => {
    const got = await subscribeChannel(s.wsUrl, 'pg-skip');
    await insert([
      { method: 'no_such_method', payload: { channel: 'pg-skip', data: { bad: 1 } } },
      { method: 'publish', payload: { channel: 42, data: { bad: 2 } } },
      { method: 'publish', payload: { channel: 'pg-skip' } },
      { method: '', payload: { nothing: true } },
      { method: 'publish', payload: { channel: 'pg-skip', data: { good: true } } },
    ]);
    await waitFor(() => got.values.length >= 1, T, 'the good row');
    await waitFor(async () => (await count()) === 0, T, 'malformed rows deleted too');
    assert.deepEqual(got.values, [{ good: true }]);
  });

  it('runs methods other than publish: disconnect reaches a live SDK client', async () => {
    const victim = sdkClient('json', s.wsUrl, { token: await connectToken('outbox-victim') });
    const disconnected = new Promise<{ code: number; reason: string }>((resolve) => victim.on('disconnected', resolve));
    victim.connect();
    await victim.ready(T);
    await insert([{ method: 'disconnect', payload: { user: 'outbox-victim', disconnect: { code: 4501, reason: 'from outbox' } } }]);
    assert.deepEqual(await disconnected, { code: 4501, reason: 'from outbox' });
  });

  it('labels the API calls with protocol "consuming" in metrics', async () => {
    const text = await s.server.metrics.registry.metrics();
    assert.match(text, /centrifugo_api_command_duration_seconds_count\{protocol="consuming",method="publish"\} [1-9]/);
    assert.match(text, /centrifugo_api_command_duration_seconds_count\{protocol="consuming",method="broadcast"\} [1-9]/);
  });

  it('resumes after a PostgreSQL outage: rows written before and after are all delivered once, LISTEN is renewed', async () => {
    const got = await subscribeChannel(s.wsUrl, 'pg-outage');
    await insert([{ method: 'publish', payload: { channel: 'pg-outage', data: { n: 1 } } }]);
    await waitFor(() => got.values.length >= 1, T, 'row before the outage');
    await db.end({ timeout: 1 });
    await pg.kill();
    await pg.start();
    db = postgres(pg.dsn, { onnotice: false, max: 2 });
    await insert([2, 3, 4].map((n) => ({ method: 'publish', payload: { channel: 'pg-outage', data: { n } } })));
    // Poll interval is 1h: only a renewed LISTEN (or the retry pass after the outage) can deliver these.
    await waitFor(() => got.values.length >= 4, T, 'rows after the outage');
    await waitFor(async () => (await count()) === 0, T, 'outbox emptied');
    assert.deepEqual(got.values, [1, 2, 3, 4].map((n) => ({ n })));
  });
});

/** Publications of `channel` in history (the Redis engine keeps them across Rotor restarts). */
async function historyValues(s: TestServer, channel: string): Promise<unknown[]> {
  const r = await s.api('history', { channel, limit: -1 });
  const pubs = (r.body as { result?: { publications?: { data: unknown }[] } }).result?.publications ?? [];
  return pubs.map((p) => p.data);
}

describe('postgresql consumer: faults mid-batch (redis engine)', () => {
  let engine: StallableEngine;
  const N = 2000;
  const pgConsumer = (): Record<string, unknown> => consumer({ num_partitions: 1, partition_select_limit: 5000 });
  const rows = (channel: string, n: number): { method: string; payload: unknown }[] =>
    Array.from({ length: n }, (_, i) => ({ method: 'publish', payload: { channel, data: { i } } }));
  const expected = (n: number): unknown[] => Array.from({ length: n }, (_, i) => ({ i }));

  before(async () => {
    engine = await stallableEngine();
  });
  after(async () => {
    await engine?.stop();
  });

  it('retries an error-100 publish with backoff and publishes it once (idempotency key of the row)', async () => {
    const rec = recordingLogger();
    const s = await engine.start([pgConsumer()], { ioTimeout: '500ms', logger: rec.logger });
    const got = await subscribeChannel(s.wsUrl, 'fx:retry');
    // Writes stall for longer than redis_io_timeout: the publish fails with 100 while Redis still runs it later.
    await engine.pause();
    await insert(rows('fx:retry', 5));
    await waitFor(() => rec.lines.some((l) => l.startsWith('error processing consumed event, will retry')), T, 'a retried row');
    await engine.unpause();
    await waitFor(() => got.values.length >= 5, T, '5 publications after the pause');
    await waitFor(async () => (await count()) === 0, T, 'outbox emptied');
    assert.deepEqual(got.values, expected(5));
    assert.deepEqual(await historyValues(s, 'fx:retry'), expected(5));
    await s.close();
  });

  it('two nodes on one outbox: the partition lock lets one at a time work it, each row runs once, in order', async () => {
    const a = await engine.start([pgConsumer()], { anyPort: true });
    const b = await engine.start([pgConsumer()], { anyPort: true });
    const got = await subscribeChannel(a.wsUrl, 'fx:two');
    for (let k = 0; k < 10; k++) await insert(rows('fx:two', 100).map((r, i) => ({ ...r, payload: { channel: 'fx:two', data: { i: k * 100 + i } } })));
    await waitFor(() => got.values.length >= 1000, T, '1000 publications');
    await waitFor(async () => (await count()) === 0, T, 'outbox emptied');
    assert.deepEqual(got.values, expected(1000));
    // Without the lock both nodes would select the same rows (idempotency keys would then hide the doubles).
    assert.equal((await consumingPublishCount(a)) + (await consumingPublishCount(b)), 1000);
    await a.close();
    await b.close();
  });

  it('restart of the consumer in the middle of a batch loses and duplicates nothing', async () => {
    let s = await engine.start([pgConsumer()]);
    const got = await subscribeChannel(s.wsUrl, 'fx:restart');
    await insert(rows('fx:restart', N));
    // The consumer is now blocked on one publish, with earlier rows of its pass done.
    await engine.stallMidBatch(got, N);
    const closing = s.close();
    await engine.unpause();
    await closing;
    const left = await count();
    assert.ok(left > 0 && left < N, `rows left after the stop: ${left}`);
    s = await engine.start([pgConsumer()]);
    await waitFor(() => got.values.length >= N, T * 2, `${N} publications`);
    await waitFor(async () => (await count()) === 0, T, 'outbox emptied');
    assert.deepEqual(got.values, expected(N));
    assert.deepEqual(await historyValues(s, 'fx:restart'), expected(N));
    await s.close();
  });

  it('a database session lost mid-batch re-runs the pass without publishing twice', async () => {
    const s = await engine.start([pgConsumer()]);
    const got = await subscribeChannel(s.wsUrl, 'fx:crash');
    await insert(rows('fx:crash', N));
    const atPause = await engine.stallMidBatch(got, N);
    // The consumer's transaction dies with the server (the stalled publish outlives it): its deletes
    // are rolled back and the whole pass re-runs.
    await db.end({ timeout: 1 });
    await pg.kill();
    await engine.unpause();
    await pg.start();
    db = postgres(pg.dsn, { onnotice: false, max: 2 });
    await waitFor(async () => (await count()) === 0, T * 2, 'outbox emptied');
    await waitFor(() => got.values.length >= N, T, `${N} publications`);
    assert.deepEqual(got.values, expected(N));
    assert.deepEqual(await historyValues(s, 'fx:crash'), expected(N));
    // The rows before the stall were run twice; the second run was answered from the idempotency results.
    const runs = await consumingPublishCount(s);
    assert.ok(runs >= N + atPause, `publish ran ${runs} times for ${N} rows, ${atPause} of them before the stall`);
    await s.close();
  });
});
