/**
 * A crash (SIGKILL) of the built server in the middle of an outbox batch: PostgreSQL rolls back the
 * consumer's transaction, the restarted server re-runs the rows and the Redis engine's idempotency
 * results keep the ones already published from going out twice. A real centrifuge-js subscriber
 * (recovering from history across the restart) sees every row exactly once. Requires `npm run build`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { CONSUMER_TEST_TIMEOUT_MS as T, disconnectSubscribers, subscribeChannel } from '../harness/consumers.js';
import { spawnPostgres, type PostgresHandle } from '../harness/postgres.js';
import { spawnServer, type ServerProcess } from '../harness/process.js';
import { spawnRedis, type RedisServerHandle } from '../harness/redis.js';
import { freePort } from '../harness/spawned.js';
import { waitFor } from '../harness/wait.js';

const N = 2000;

describe('postgresql consumer: server crash mid-batch', () => {
  let pg: PostgresHandle;
  let db: postgres.Sql;
  let engine: RedisServerHandle;
  let control: Redis;
  const servers: ServerProcess[] = [];
  const count = async (): Promise<number> => {
    const [row] = await db<{ n: string }[]>`SELECT count(*)::text AS n FROM centrifugo_outbox`;
    return Number(row?.n);
  };

  before(async () => {
    pg = await spawnPostgres();
    db = postgres(pg.dsn, { onnotice: false, max: 2 });
    await db.unsafe(`CREATE TABLE centrifugo_outbox (
      id BIGSERIAL PRIMARY KEY, method text NOT NULL, payload JSONB NOT NULL,
      partition INTEGER NOT NULL default 0, created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL)`);
    engine = await spawnRedis();
    control = new Redis({ host: engine.host, port: engine.port });
  });
  after(async () => {
    disconnectSubscribers();
    await control?.client('UNPAUSE').catch(() => undefined);
    for (const s of servers) await s.stop('SIGKILL');
    control?.disconnect();
    await db?.end({ timeout: 1 });
    await pg?.stop();
    await engine?.stop();
  });

  it('loses and duplicates nothing', async () => {
    const port = await freePort();
    const config = {
      port,
      allow_subscribe_for_client: true,
      engine: 'redis',
      redis_address: engine.address,
      redis_io_timeout: '60s',
      prometheus: true,
      // The subscriber may miss many publications while it reconnects: let recovery return them all.
      client_recovery_max_publication_limit: 10_000,
      namespaces: [{ name: 'fx', history_size: 5000, history_ttl: '600s', allow_subscribe_for_client: true, force_recovery: true }],
      consumers: [
        {
          name: 'outbox',
          type: 'postgresql',
          postgresql: { dsn: pg.dsn, outbox_table_name: 'centrifugo_outbox', partition_select_limit: 5000, partition_poll_interval: '100ms' },
        },
      ],
    };
    const first = await spawnServer(config);
    servers.push(first);
    const got = await subscribeChannel(first.wsUrl, 'fx:e2e');
    await db.begin(async (tx) => {
      for (let i = 0; i < N; i++) await tx`INSERT INTO centrifugo_outbox (method, payload) VALUES ('publish', ${tx.json({ channel: 'fx:e2e', data: { i } })})`;
    });
    await waitFor(() => got.values.length >= 20, T, 'first publications of the batch');
    // Stall the engine so the crash lands inside the pass: some rows published, none deleted yet.
    await control.client('PAUSE', 60_000, 'WRITE');
    const atPause = got.values.length;
    assert.ok(atPause > 0 && atPause < N, `paused mid-batch (${atPause} of ${N})`);
    await first.stop('SIGKILL');
    await control.client('UNPAUSE');
    assert.equal(await count(), N, 'the crashed pass deleted nothing');
    const second = await spawnServer(config);
    servers.push(second);
    try {
      await waitFor(() => got.values.length >= N, T * 2, `${N} publications`);
    } catch (err) {
      throw new Error(`${String(err)}; got ${got.values.length}, rows left ${await count()}\n${second.logs.slice(-15).join('\n')}`, { cause: err });
    }
    await waitFor(async () => (await count()) === 0, T, 'outbox emptied');
    assert.deepEqual(got.values, Array.from({ length: N }, (_, i) => ({ i })));
    // The restarted server ran every row, the ones already published before the crash included.
    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    assert.match(metrics, new RegExp(`centrifugo_api_command_duration_seconds_count\\{protocol="consuming",method="publish"\\} ${N}\\b`));
  });
});
