/**
 * @module test/integration/engines.redis — the broker, presence and controller contracts against real Redis:
 * standalone, two client-side shards, Sentinel (1 master + 1 replica + 3 sentinels) and Cluster (3 masters).
 *
 * Servers are spawned once per topology (lazily, on first use) and shared; every test gets its own key
 * prefix. Time is a ManualClock: presence expiry is driven by it alone (ZSET scores come from the clock);
 * history TTLs live in Redis, so the broker expiry tests run with real waits on the standalone topology only.
 */
import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { RedisBroker } from '../../src/engines/redis/broker.js';
import { RedisController } from '../../src/engines/redis/controller.js';
import type { RedisEngineOptions, RedisShardOptions } from '../../src/engines/redis/options.js';
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

for (const [name, topology, opts] of topologies) {
  runBrokerContract(
    `redis ${name}`,
    async () => {
      const clock = new ManualClock();
      const broker = new RedisBroker(await engineOptions(topology, { clock }));
      const fixture = { broker, clock, close: () => broker.close() };
      if (!opts.realTtl) return fixture;
      // History TTLs are Redis key TTLs: move the clock (epochs, times) and let real time pass.
      const advance = async (ms: number): Promise<void> => {
        clock.advance(ms);
        await sleep(ms);
      };
      return { ...fixture, advance };
    },
    { history: true, ttlWithFakeClock: false, realTtl: opts.realTtl },
  );

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
