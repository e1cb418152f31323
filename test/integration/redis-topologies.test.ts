/**
 * @module test/integration/redis-topologies — Redis engine behaviour beyond the engine contracts:
 * resubscription after a `redis-server` restart, the outage itself (subscribe/publish reject with
 * EngineError), idempotent publish results in Redis, the wire format other Centrifugo nodes read,
 * Redis Cluster hash tags, and client-side sharding across two servers.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import type { BrokerEventHandler } from '../../src/core/broker.js';
import { EngineError } from '../../src/core/errors.js';
import type { ClientInfo, Publication, StreamPosition } from '../../src/core/types.js';
import { RedisBroker } from '../../src/engines/redis/broker.js';
import { RedisController } from '../../src/engines/redis/controller.js';
import { createRedisEngine } from '../../src/engines/redis/engine.js';
import { shardIndex } from '../../src/engines/redis/hash.js';
import { decodePublication } from '../../src/engines/redis/protobuf.js';
import {
  spawnRedis,
  spawnRedisCluster,
  type RedisClusterHandle,
  type RedisServerHandle,
} from '../harness/redis.js';
import { waitFor } from '../harness/wait.js';

const enc = new TextEncoder();
const bytes = (s: string): Uint8Array => enc.encode(s);
const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
const HIST = { size: 100, ttlMs: 60_000, metaTtlMs: 0 };
const ALL = { limit: -1, reverse: false, metaTtlMs: 0 };
const newPrefix = (): string => `rotor-topo-${randomUUID()}`;

interface Received {
  channel: string;
  publication: Publication;
  position: StreamPosition;
}

/** Collects publications. */
class Recorder implements BrokerEventHandler {
  readonly publications: Received[] = [];
  readonly joins: Array<[string, ClientInfo]> = [];
  onPublication(channel: string, publication: Publication, position: StreamPosition): void {
    this.publications.push({ channel, publication, position });
  }
  onJoin(channel: string, info: ClientInfo): void {
    this.joins.push([channel, info]);
  }
  onLeave(): void {}
  texts(channel: string): string[] {
    return this.publications.filter((p) => p.channel === channel).map((p) => text(p.publication.data));
  }
}

function isEngineError(err: unknown): boolean {
  assert.ok(err instanceof EngineError, `expected EngineError, got ${String(err)}`);
  return true;
}

void describe('redis: restart of redis-server', () => {
  let server: RedisServerHandle;
  let inspect: Redis;

  before(async () => {
    server = await spawnRedis();
    inspect = new Redis({ host: server.host, port: server.port, lazyConnect: true });
    inspect.on('error', () => undefined);
  });

  after(async () => {
    inspect.disconnect();
    await server.stop();
  });

  void it('re-subscribes every channel with interest (in batches) and delivers again; subscribe and publish reject during the outage', async () => {
    const prefix = newPrefix();
    const broker = new RedisBroker({ shards: [{ address: server.url }], prefix });
    const controller = new RedisController({ shards: [{ address: server.url }], prefix });
    const rec = new Recorder();
    const control: string[] = [];
    try {
      await broker.start(rec);
      await controller.start('node-1', (d) => control.push(text(d)));
      // More than one SUBSCRIBE batch (512) of channels.
      const channels = Array.from({ length: 700 }, (_, i) => `ch-${i}`);
      await Promise.all(channels.map((c) => broker.subscribe(c)));
      await broker.subscribe('dropped-before');
      await broker.unsubscribe('dropped-before');
      await broker.publish('ch-0', bytes('before'), {});
      await waitFor(() => rec.texts('ch-0').includes('before'), 5000, 'delivery before the restart');

      await server.kill();
      await waitFor(() => broker.pubSubUp.every((up) => !up), 5000, 'broker to notice the outage');
      await assert.rejects(broker.subscribe('during-outage'), isEngineError);
      await assert.rejects(broker.publish('ch-1', bytes('lost'), {}), isEngineError);
      await assert.rejects(broker.publish('ch-1', bytes('lost'), { history: HIST }), isEngineError);
      await broker.unsubscribe('ch-699'); // interest dropped while down: must not come back

      await server.start();
      await inspect.connect();
      const prefixClient = `${prefix}.client.`;
      await waitFor(
        async () => (await inspect.pubsub('NUMSUB', `${prefixClient}ch-698`))[1] === 1,
        10_000,
        'the last batch to be re-subscribed',
      );
      const subscribed = new Set((await inspect.pubsub('CHANNELS', `${prefix}.*`)) as string[]);
      assert.ok(subscribed.has(`${prefix}.shard.0`), 'anchor channel');
      assert.ok(subscribed.has(`${prefix}.control`) && subscribed.has(`${prefix}.node.node-1`), 'control channels');
      for (const c of channels.slice(0, 699)) assert.ok(subscribed.has(prefixClient + c), `${c} re-subscribed`);
      assert.equal(subscribed.has(`${prefixClient}ch-699`), false, 'unsubscribed during the outage');
      assert.equal(subscribed.has(`${prefixClient}dropped-before`), false);
      assert.equal(subscribed.has(`${prefixClient}during-outage`), false);
      assert.equal(subscribed.size, 699 + 3);

      await broker.publish('ch-0', bytes('after'), {});
      await broker.publish('ch-512', bytes('after'), { history: HIST });
      await waitFor(() => rec.texts('ch-0').includes('after'), 5000, 'delivery on ch-0 after the restart');
      await waitFor(() => rec.texts('ch-512').includes('after'), 5000, 'delivery on ch-512 after the restart');
      assert.deepEqual(rec.texts('ch-1'), [], 'nothing was published during the outage');
      await broker.subscribe('after-restart');
      await controller.publishControl(bytes('control-after'));
      await waitFor(() => control.includes('control-after'), 5000, 'control after the restart');
    } finally {
      await broker.close();
      await controller.close();
    }
  });

  void it('start() rejects with EngineError when Redis is unreachable', async () => {
    const dead = await spawnRedis();
    const url = dead.url;
    await dead.stop();
    const broker = new RedisBroker({ shards: [{ address: url, connectTimeoutMs: 500 }], prefix: newPrefix() });
    try {
      await assert.rejects(broker.start(new Recorder()), isEngineError);
    } finally {
      await broker.close();
    }
  });
});

void describe('redis: idempotent publish and wire format', () => {
  let server: RedisServerHandle;
  let inspect: Redis;

  before(async () => {
    server = await spawnRedis();
    inspect = new Redis({ host: server.host, port: server.port });
  });

  after(async () => {
    await inspect.quit();
    await server.stop();
  });

  void it('stores the result hash with its TTL and publishes again once it expired', async () => {
    const prefix = newPrefix();
    const engine = createRedisEngine({ shards: [{ address: server.address }], prefix });
    const rec = new Recorder();
    try {
      await engine.broker.start(rec);
      await engine.broker.subscribe('idem');
      const opts = { history: HIST, idempotencyKey: 'key-1', idempotentResultTtlMs: 1000 };
      const first = await engine.broker.publish('idem', bytes('one'), opts);
      const resultKey = `${prefix}.result.idem.key-1`;
      assert.deepEqual(await inspect.hgetall(resultKey), { e: first.position.epoch, s: '1' });
      const ttl = await inspect.pttl(resultKey);
      assert.ok(ttl > 0 && ttl <= 1000, `result TTL ${ttl}`);
      const again = await engine.broker.publish('idem', bytes('two'), opts);
      assert.deepEqual(again, { position: first.position, suppressed: true });

      await waitFor(async () => (await inspect.exists(resultKey)) === 0, 5000, 'the result hash to expire');
      const third = await engine.broker.publish('idem', bytes('three'), opts);
      assert.deepEqual(third, { position: { offset: 2, epoch: first.position.epoch }, suppressed: false });
      await waitFor(() => rec.texts('idem').length >= 2, 5000, 'two deliveries');
      assert.deepEqual(rec.texts('idem'), ['one', 'three']);

      const noHistory = await engine.broker.publish('idem', bytes('x'), { idempotencyKey: 'key-2' });
      assert.deepEqual(noHistory, { position: { offset: 0, epoch: '' }, suppressed: false });
      assert.deepEqual(await inspect.hgetall(`${prefix}.result.idem.key-2`), { e: '' });
      const defaultTtl = await inspect.ttl(`${prefix}.result.idem.key-2`);
      assert.ok(defaultTtl > 290 && defaultTtl <= 300, `default result TTL ${defaultTtl}`);
    } finally {
      await engine.close();
      await engine.close();
    }
  });

  void it('writes Centrifugo keys and PUB/SUB frames and drops malformed payloads', async () => {
    const prefix = newPrefix();
    const broker = new RedisBroker({ shards: [{ address: server.url }], prefix });
    const raw = new Redis({ host: server.host, port: server.port });
    const frames: Buffer[] = [];
    const rec = new Recorder();
    try {
      await broker.start(rec);
      await broker.subscribe('wire');
      await raw.subscribe(`${prefix}.client.wire`);
      raw.on('messageBuffer', (_c: Buffer, m: Buffer) => frames.push(m));

      const res = await broker.publish('wire', bytes('{"v":1}'), { history: HIST, tags: { t: 'x' } });
      assert.match(res.position.epoch, /^\d{10}$/, 'epoch is unix seconds');
      assert.ok(Math.abs(Number(res.position.epoch) - Date.now() / 1000) < 60);
      assert.deepEqual(await inspect.hgetall(`${prefix}.stream.meta.wire`), { e: res.position.epoch, s: '1' });
      const metaTtl = await inspect.ttl(`${prefix}.stream.meta.wire`);
      assert.ok(metaTtl > 720 * 3600 - 60 && metaTtl <= 720 * 3600, `default meta TTL ${metaTtl}`);
      const entries = await inspect.xrangeBuffer(`${prefix}.stream.wire`, '-', '+');
      assert.equal(entries.length, 1);
      assert.equal(entries[0]![0].toString(), '1-0');
      const stored = decodePublication(entries[0]![1][1]!);
      assert.equal(text(stored.data), '{"v":1}');
      assert.deepEqual(stored.tags, { t: 'x' });

      await broker.publish('wire', bytes('plain'), {});
      await broker.publishJoin('wire', { clientId: 'c', userId: 'u' });
      await broker.publish('wire', bytes('d2'), { history: HIST, delta: true });
      await waitFor(() => frames.length >= 4, 5000, 'raw frames');
      const header = `__p1:1:${res.position.epoch}__`;
      assert.equal(frames[0]!.subarray(0, header.length).toString(), header);
      assert.equal(text(decodePublication(frames[1]!).data), 'plain');
      assert.equal(frames[2]!.subarray(0, 5).toString(), '__j__');
      assert.ok(frames[3]!.toString('latin1').startsWith(`__d1:2:${res.position.epoch}:`));

      await inspect.publish(`${prefix}.client.wire`, '__x__garbage');
      await inspect.publish(`${prefix}.client.wire`, '__p1:notanumber:1__');
      await broker.publish('wire', bytes('still-works'), {});
      await waitFor(() => rec.texts('wire').includes('still-works'), 5000, 'delivery after malformed payloads');
      assert.deepEqual(rec.texts('wire'), ['{"v":1}', 'plain', 'd2', 'still-works']);

      // Scripts survive SCRIPT FLUSH (EVALSHA → NOSCRIPT → EVAL).
      await inspect.script('FLUSH');
      const afterFlush = await broker.publish('wire', bytes('after-flush'), { history: HIST });
      assert.equal(afterFlush.position.offset, 3);
      await waitFor(() => rec.texts('wire').includes('after-flush'), 5000, 'delivery after SCRIPT FLUSH');

      await broker.removeHistory('wire');
      assert.equal(await inspect.exists(`${prefix}.stream.wire`), 0);
      assert.equal(await inspect.exists(`${prefix}.stream.meta.wire`), 1);
    } finally {
      raw.disconnect();
      await broker.close();
    }
  });
});

void describe('redis: cluster', () => {
  let cluster: RedisClusterHandle;
  let inspect: Cluster;

  before(async () => {
    cluster = await spawnRedisCluster();
    inspect = new Cluster(cluster.nodes.map((n) => ({ host: n.split(':')[0]!, port: Number(n.split(':')[1]) })));
  });

  after(async () => {
    await inspect.quit();
    await cluster.stop();
  });

  void it('keeps history of many channels through {channel} hash tags spread over all masters', async () => {
    const prefix = newPrefix();
    const engine = createRedisEngine({ shards: [{ cluster: cluster.nodes }], prefix });
    const rec = new Recorder();
    try {
      await engine.broker.start(rec);
      const channels = Array.from({ length: 150 }, (_, i) => (i % 10 === 0 ? `odd{tag}${i}` : `room:${i}`));
      await Promise.all(channels.map((c) => engine.broker.subscribe(c)));
      await Promise.all(
        channels.map(async (c) => {
          for (let i = 1; i <= 3; i++) await engine.broker.publish(c, bytes(`${c}#${i}`), { history: HIST, idempotencyKey: `k${i}` });
          await engine.presenceManager.addPresence(c, { clientId: `client-${c}`, userId: 'u' });
        }),
      );
      for (const c of channels) {
        const h = await engine.broker.history(c, ALL);
        assert.deepEqual(h.publications.map((p) => text(p.data)), [`${c}#1`, `${c}#2`, `${c}#3`], c);
        assert.equal(h.position.offset, 3);
        assert.deepEqual([...(await engine.presenceManager.presence(c)).keys()], [`client-${c}`]);
      }
      await waitFor(() => rec.publications.length >= channels.length * 3, 10_000, 'all deliveries');
      for (const c of channels.slice(0, 10)) assert.deepEqual(rec.texts(c), [`${c}#1`, `${c}#2`, `${c}#3`]);

      assert.equal(await inspect.exists(`${prefix}.stream.{room:1}`), 1);
      assert.equal(await inspect.exists(`${prefix}.stream.meta.{room:1}`), 1);
      assert.equal(await inspect.exists(`${prefix}.result.{room:1}.k1`), 1);
      assert.equal(await inspect.exists(`${prefix}.presence.data.{room:1}`), 1);
      const slotsByNode = new Set<string>();
      for (const c of channels) {
        const slot = Number(await inspect.cluster('KEYSLOT', `${prefix}.stream.{${c}}`));
        const owner = inspect.slots[slot]?.[0];
        if (owner !== undefined) slotsByNode.add(owner);
      }
      assert.equal(slotsByNode.size, 3, 'channels spread over the three masters');
    } finally {
      await engine.close();
    }
  });
});

void describe('redis: client-side sharding', () => {
  let r1: RedisServerHandle;
  let r2: RedisServerHandle;
  let c1: Redis;
  let c2: Redis;

  before(async () => {
    [r1, r2] = await Promise.all([spawnRedis(), spawnRedis()]);
    c1 = new Redis({ host: r1.host, port: r1.port });
    c2 = new Redis({ host: r2.host, port: r2.port });
  });

  after(async () => {
    await Promise.all([c1.quit(), c2.quit()]);
    await Promise.all([r1.stop(), r2.stop()]);
  });

  void it('places streams, presence and subscriptions on jump(fnv1a64(channel), 2); control on both', async () => {
    const prefix = newPrefix();
    const engine = createRedisEngine({ shards: [{ address: r1.url }, { address: r2.url }], prefix });
    const other = new RedisController({ shards: [{ address: r1.url }, { address: r2.url }], prefix });
    const rec = new Recorder();
    try {
      await engine.broker.start(rec);
      const control: string[] = [];
      await engine.controller.start('n1', (d) => control.push(text(d)));
      await other.start('n2', () => undefined);
      const channels = Array.from({ length: 60 }, (_, i) => `shard-test-${i}`);
      for (const c of channels) {
        await engine.broker.subscribe(c);
        await engine.broker.publish(c, bytes(c), { history: HIST });
        await engine.presenceManager.addPresence(c, { clientId: 'x', userId: 'y' });
      }
      const expected = channels.map((c) => shardIndex(c, 2));
      assert.ok(expected.includes(0) && expected.includes(1), 'both shards used');
      const subs = [
        new Set((await c1.pubsub('CHANNELS', `${prefix}.client.*`)) as string[]),
        new Set((await c2.pubsub('CHANNELS', `${prefix}.client.*`)) as string[]),
      ];
      for (const [i, c] of channels.entries()) {
        const want = expected[i]!;
        const [mine, theirs] = want === 0 ? [c1, c2] : [c2, c1];
        assert.equal(await mine.exists(`${prefix}.stream.${c}`), 1, `${c} stream on shard ${want}`);
        assert.equal(await theirs.exists(`${prefix}.stream.${c}`), 0, `${c} stream not on the other shard`);
        assert.equal(await mine.exists(`${prefix}.presence.data.${c}`), 1);
        assert.equal(subs[want]!.has(`${prefix}.client.${c}`), true, `${c} subscribed on shard ${want}`);
        assert.equal(subs[1 - want]!.has(`${prefix}.client.${c}`), false);
      }
      await waitFor(() => rec.publications.length >= channels.length, 5000, 'deliveries from both shards');

      // Control: listened to on both shards, sent round-robin.
      for (const server of [c1, c2]) {
        assert.equal((await server.pubsub('NUMSUB', `${prefix}.control`))[1], 2);
      }
      const perShard = [0, 0];
      const taps = [r1, r2].map((r, i) => {
        const tap = new Redis({ host: r.host, port: r.port });
        tap.on('message', () => (perShard[i]! += 1));
        return tap;
      });
      try {
        await Promise.all(taps.map((t) => t.subscribe(`${prefix}.control`)));
        for (let i = 0; i < 4; i++) await other.publishControl(bytes(`c${i}`));
        await waitFor(() => control.length >= 4, 5000, 'control messages');
        assert.deepEqual(control.sort(), ['c0', 'c1', 'c2', 'c3']);
        await waitFor(() => perShard[0]! + perShard[1]! >= 4, 5000, 'taps');
        assert.deepEqual(perShard, [2, 2], 'round-robin over the shards');
      } finally {
        for (const t of taps) t.disconnect();
      }
    } finally {
      await other.close();
      await engine.close();
    }
  });
});
