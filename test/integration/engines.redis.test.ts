/**
 * @module test/integration/engines.redis — the broker, presence and controller contracts against real Redis:
 * standalone, two client-side shards, Sentinel (1 master + 1 replica + 3 sentinels) and Cluster (3 masters).
 *
 * Servers are spawned once per topology (lazily, on first use) and shared; every test gets its own key
 * prefix. Time is a ManualClock: presence expiry is driven by it alone (ZSET scores come from the clock);
 * history TTLs live in Redis, so the broker expiry tests run with real waits on the standalone topology only.
 */
import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { RedisBroker } from '../../src/engines/redis/broker.js';
import { RedisController } from '../../src/engines/redis/controller.js';
import type { RedisEngineOptions, RedisShardOptions } from '../../src/engines/redis/options.js';
import { framePublication } from '../../src/engines/redis/payload.js';
import { RedisPresenceManager } from '../../src/engines/redis/presence.js';
import { runBrokerContract } from '../contract/broker.contract.js';
import { runControllerContract } from '../contract/controller.contract.js';
import { runPresenceContract } from '../contract/presence.contract.js';
import { spawnRedis, spawnRedisCluster, spawnRedisSentinel } from '../harness/redis.js';

type Topology = () => Promise<RedisShardOptions[]>;

const stops: Array<() => Promise<void>> = [];
after(async () => {
  await Promise.all(stops.map((stop) => stop()));
});

/** Spawns on first use, then reuses. */
function lazy(spawnShards: () => Promise<{ shards: RedisShardOptions[]; stop: () => Promise<void> }>): Topology {
  let pending: Promise<RedisShardOptions[]> | undefined;
  return () => {
    pending ??= spawnShards().then(({ shards, stop }) => {
      stops.push(stop);
      return shards;
    });
    return pending;
  };
}

const standalone = lazy(async () => {
  const r = await spawnRedis();
  return { shards: [{ address: r.url }], stop: () => r.stop() };
});

const sharded = lazy(async () => {
  const [r1, r2] = await Promise.all([spawnRedis(), spawnRedis()]);
  return {
    // One shard speaks RESP2 (subscriber mode), the other RESP3.
    shards: [{ address: r1.address, forceResp2: true }, { address: `tcp://${r2.address}` }],
    stop: async () => {
      await Promise.all([r1.stop(), r2.stop()]);
    },
  };
});

const sentinel = lazy(async () => {
  const s = await spawnRedisSentinel();
  return { shards: [{ sentinels: s.sentinels, masterName: s.masterName }], stop: () => s.stop() };
});

const cluster = lazy(async () => {
  const c = await spawnRedisCluster();
  return { shards: [{ cluster: c.nodes }], stop: () => c.stop() };
});

async function engineOptions(topology: Topology, extra: Partial<RedisEngineOptions> = {}): Promise<RedisEngineOptions> {
  return { shards: await topology(), prefix: `rotor-test-${randomUUID()}`, ...extra };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const topologies: Array<[string, Topology, { realTtl: boolean; userMapping: boolean[] }]> = [
  ['standalone', standalone, { realTtl: true, userMapping: [false, true] }],
  ['2 sharded standalone', sharded, { realTtl: false, userMapping: [true] }],
  ['sentinel', sentinel, { realTtl: false, userMapping: [false] }],
  ['cluster', cluster, { realTtl: false, userMapping: [true] }],
];

function runRedisBrokerContract(name: string, topology: Topology, realTtl: boolean, extra: Partial<RedisEngineOptions> = {}): void {
  runBrokerContract(
    `redis ${name}`,
    async () => {
      const clock = new ManualClock();
      const broker = new RedisBroker(await engineOptions(topology, { clock, ...extra }));
      const fixture = { broker, clock, close: () => broker.close() };
      if (!realTtl) return fixture;
      // History TTLs are Redis key TTLs: move the clock (epochs, times) and let real time pass.
      const advance = async (ms: number): Promise<void> => {
        clock.advance(ms);
        await sleep(ms);
      };
      return { ...fixture, advance };
    },
    { history: true, ttlWithFakeClock: false, realTtl },
  );
}

// LIST history (`redis_use_lists`) keeps the same broker contract; cluster checks its hash-tagged keys.
runRedisBrokerContract('standalone (LIST history)', standalone, true, { useLists: true });
runRedisBrokerContract('cluster (LIST history)', cluster, false, { useLists: true });

void describe('redis LIST history layout (redis_use_lists)', () => {
  void it('keeps framed publications newest first in P.list.<ch> with meta in P.list.meta.<ch>, no STREAM', async () => {
    const options = await engineOptions(standalone, { useLists: true });
    const broker = new RedisBroker(options);
    try {
      await broker.start({ onPublication: () => undefined, onJoin: () => undefined, onLeave: () => undefined });
      const history = { size: 2, ttlMs: 60_000, metaTtlMs: 0 };
      const data = [1, 2, 3].map((n) => new TextEncoder().encode(`{"n":${n}}`));
      for (const d of data) await broker.publish('ch', d, { history });
      const redis = broker.shards.shards[0]!.client;
      const p = options.prefix!;
      assert.equal(await redis.type(`${p}.list.ch`), 'list');
      assert.equal(await redis.exists(`${p}.stream.ch`), 0);
      const meta = await redis.hgetall(`${p}.list.meta.ch`);
      assert.equal(meta['s'], '3');
      const items = await redis.lrangeBuffer(`${p}.list.ch`, 0, -1);
      assert.equal(items.length, 2, 'trimmed to history_size');
      const r = await broker.history('ch', { limit: -1, reverse: false, metaTtlMs: 0 });
      assert.deepEqual(r.publications.map((x) => x.offset), [2, 3]);
      // Each element is the PUB/SUB frame `__p1:<offset>:<epoch>__<Publication>` (Centrifugo's list layout).
      const head = items[0]!.subarray(0, items[0]!.indexOf('__', 5) + 2).toString();
      assert.equal(head, framePublication(3, meta['e']!, new Uint8Array(0)).toString());
      assert.ok((await redis.ttl(`${p}.list.ch`)) > 0, 'history_ttl applied to the list');
    } finally {
      await broker.close();
    }
  });
});

for (const [name, topology, opts] of topologies) {
  runRedisBrokerContract(name, topology, opts.realTtl);

  for (const userMapping of opts.userMapping) {
    runPresenceContract(
      `redis ${name}${userMapping ? ' (user mapping)' : ''}`,
      async () => {
        const clock = new ManualClock();
        const ttlMs = 60_000;
        const presence = new RedisPresenceManager(
          await engineOptions(topology, { clock, presenceTtlMs: ttlMs, presenceUserMapping: userMapping }),
        );
        const advance = async (ms: number): Promise<void> => {
          clock.advance(ms);
        };
        return { presence, advance, ttlMs, close: () => presence.close() };
      },
      { ttl: true },
    );
  }

  runControllerContract(`redis ${name}`, async () => {
    const options = await engineOptions(topology);
    const a = new RedisController(options);
    const b = new RedisController(options);
    return {
      a,
      b,
      close: async () => {
        await Promise.all([a.close(), b.close()]);
      },
    };
  });
}
