/** @module engines/redis/options.test — address parsing and the mapping of Centrifugo's Redis engine keys. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  parseHostPort,
  parseRedisAddress,
  redisEngineMode,
  redisShardOptionsFromConfig,
  RedisOptionsError,
} from './options.js';

void describe('parseRedisAddress', () => {
  void it('accepts host:port', () => {
    assert.deepEqual(parseRedisAddress('127.0.0.1:6380'), { host: '127.0.0.1', port: 6380 });
    assert.deepEqual(parseRedisAddress('[::1]:7000'), { host: '::1', port: 7000 });
    assert.deepEqual(parseHostPort(' redis.local:1 '), { host: 'redis.local', port: 1 });
  });

  void it('accepts redis://, rediss:// and tcp:// URLs with user, password and db', () => {
    assert.deepEqual(parseRedisAddress('redis://127.0.0.1:6379'), { host: '127.0.0.1', port: 6379 });
    assert.deepEqual(parseRedisAddress('redis://localhost'), { host: 'localhost', port: 6379 });
    assert.deepEqual(parseRedisAddress('redis://al%40ice:p%3Ass@h:1234/3'), {
      host: 'h',
      port: 1234,
      user: 'al@ice',
      password: 'p:ss',
      db: 3,
    });
    assert.deepEqual(parseRedisAddress('redis://:secret@h:1'), { host: 'h', port: 1, password: 'secret' });
    assert.deepEqual(parseRedisAddress('tcp://h:9'), { host: 'h', port: 9 });
    assert.deepEqual(parseRedisAddress('rediss://h:9'), { host: 'h', port: 9, tls: true });
    assert.deepEqual(parseRedisAddress('redis://[::1]:9'), { host: '::1', port: 9 });
  });

  void it('accepts unix:// sockets', () => {
    assert.deepEqual(parseRedisAddress('unix:///var/run/redis.sock'), { path: '/var/run/redis.sock' });
    assert.deepEqual(parseRedisAddress('unix:///tmp/r.sock?db=2'), { path: '/tmp/r.sock', db: 2 });
  });

  void it('rejects malformed addresses with RedisOptionsError', () => {
    for (const bad of ['', 'nohost', 'h:', 'h:0', 'h:70000', 'h:port', 'http://h:1', 'redis://h:1/x', 'unix://', 'a b:1']) {
      assert.throws(() => parseRedisAddress(bad), RedisOptionsError, bad);
    }
  });
});

void describe('redisShardOptionsFromConfig', () => {
  void it('defaults to one standalone shard on redis://127.0.0.1:6379 with prefix centrifugo', () => {
    const o = redisShardOptionsFromConfig({});
    assert.deepEqual(o, { shards: [{ address: 'redis://127.0.0.1:6379' }], prefix: 'centrifugo' });
    assert.equal(redisEngineMode(o), 'standalone');
  });

  void it('maps one shard per redis_address entry with the shared settings', () => {
    const o = redisShardOptionsFromConfig({
      redis_address: ['127.0.0.1:6379', 'redis://127.0.0.1:6380/1'],
      redis_prefix: 'app',
      redis_db: 2,
      redis_user: 'u',
      redis_password: 'p',
      redis_client_name: 'rotor',
      redis_connect_timeout: 1500,
      redis_io_timeout: 3000,
      redis_force_resp2: true,
      global_presence_ttl: 30_000,
      global_redis_presence_user_mapping: true,
    });
    const common = { db: 2, user: 'u', password: 'p', clientName: 'rotor', connectTimeoutMs: 1500, ioTimeoutMs: 3000, forceResp2: true };
    assert.deepEqual(o, {
      shards: [
        { ...common, address: '127.0.0.1:6379' },
        { ...common, address: 'redis://127.0.0.1:6380/1' },
      ],
      prefix: 'app',
      presenceTtlMs: 30_000,
      presenceUserMapping: true,
    });
    assert.equal(redisEngineMode(o), 'standalone_sharded');
    assert.deepEqual(redisShardOptionsFromConfig({ redis_address: 'h:1' }).shards, [{ address: 'h:1' }]);
  });

  void it('cluster wins over sentinel and standalone; each element is the seed list of one cluster', () => {
    const o = redisShardOptionsFromConfig({
      redis_cluster_address: ['a:1,b:2', ' c:3 '],
      redis_sentinel_address: ['s:1'],
      redis_address: 'x:1',
    });
    assert.deepEqual(o.shards, [{ cluster: ['a:1', 'b:2'] }, { cluster: ['c:3'] }]);
    assert.equal(redisEngineMode(o), 'cluster_sharded');
    assert.throws(() => redisShardOptionsFromConfig({ redis_cluster_address: ['a:1,redis://b:2'] }), RedisOptionsError);
  });

  void it('sentinel needs a master name and carries the sentinel credentials', () => {
    assert.throws(() => redisShardOptionsFromConfig({ redis_sentinel_address: ['s:1'] }), RedisOptionsError);
    const o = redisShardOptionsFromConfig({
      redis_sentinel_address: ['s1:26379,s2:26379'],
      redis_sentinel_master_name: 'mymaster',
      redis_sentinel_user: 'su',
      redis_sentinel_password: 'sp',
      redis_password: 'p',
    });
    assert.deepEqual(o.shards, [
      { password: 'p', sentinels: ['s1:26379', 's2:26379'], masterName: 'mymaster', sentinelUser: 'su', sentinelPassword: 'sp' },
    ]);
    assert.equal(redisEngineMode(o), 'sentinel');
    assert.throws(
      () => redisShardOptionsFromConfig({ redis_sentinel_address: ['nope'], redis_sentinel_master_name: 'm' }),
      RedisOptionsError,
    );
  });

  void it('reads TLS material from PEM keys or files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rotor-redis-tls-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), 'CA-FROM-FILE');
      const o = redisShardOptionsFromConfig({
        redis_address: 'h:1',
        redis_tls: true,
        redis_tls_root_ca: join(dir, 'ca.pem'),
        redis_tls_cert_pem: 'CERT',
        redis_tls_key_pem: 'KEY',
        redis_tls_server_name: 'redis.internal',
        redis_tls_insecure_skip_verify: true,
      });
      assert.deepEqual(o.shards[0], {
        address: 'h:1',
        tls: { caPem: 'CA-FROM-FILE', certPem: 'CERT', keyPem: 'KEY', serverName: 'redis.internal', insecureSkipVerify: true },
      });
      assert.deepEqual(redisShardOptionsFromConfig({ redis_address: 'h:1', redis_tls_cert_pem: 'ignored' }).shards[0], { address: 'h:1' });
      assert.throws(
        () => redisShardOptionsFromConfig({ redis_tls: true, redis_tls_root_ca: join(dir, 'missing.pem') }),
        RedisOptionsError,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('maps redis_use_lists; rejects malformed addresses', () => {
    assert.equal(redisShardOptionsFromConfig({ redis_use_lists: true }).useLists, true);
    assert.equal(redisShardOptionsFromConfig({}).useLists, undefined);
    assert.throws(() => redisShardOptionsFromConfig({ redis_address: ['ok:1', 'bad'] }), RedisOptionsError);
    assert.throws(() => redisShardOptionsFromConfig({ redis_address: [] }), RedisOptionsError);
  });
});
