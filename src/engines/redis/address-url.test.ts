/** @module engines/redis/address-url.test — v6 topology address forms → cluster / sentinel shards. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { isTopologyUrl, parseTopologyUrl } from './address-url.js';
import { redisEngineMode, redisShardOptionsFromConfig, RedisOptionsError } from './options.js';

void describe('Redis topology URLs', () => {
  void it('recognises the four schemes only', () => {
    for (const a of ['redis+cluster://h:1', 'rediss+cluster://h:1', 'redis+sentinel://h:1', 'REDISS+SENTINEL://h:1']) assert.ok(isTopologyUrl(a), a);
    for (const a of ['redis://h:1', 'rediss://h:1', 'h:1', 'unix:///tmp/r.sock']) assert.ok(!isTopologyUrl(a), a);
  });

  void it('redis+cluster: host plus every addr parameter are seeds; credentials apply to the nodes', () => {
    assert.deepEqual(parseTopologyUrl('redis+cluster://u:p%40ss@127.0.0.1:7000?addr=127.0.0.1:7001&addr=[::1]:7002&client_name=rotor'), {
      kind: 'cluster',
      addresses: ['127.0.0.1:7000', '127.0.0.1:7001', '[::1]:7002'],
      user: 'u',
      password: 'p@ss',
      clientName: 'rotor',
    });
    assert.deepEqual(parseTopologyUrl('rediss+cluster://h').addresses, ['h:6379']);
    assert.equal(parseTopologyUrl('rediss+cluster://h:1').tls, true);
  });

  void it('redis+sentinel: sentinel_master_name required, sentinel credentials from parameters, db from the path', () => {
    assert.deepEqual(
      parseTopologyUrl('redis+sentinel://:pw@s1:26379/2?sentinel_master_name=mymaster&addr=s2:26380&sentinel_user=su&sentinel_password=sp&sentinel_client_name=sn'),
      {
        kind: 'sentinel',
        addresses: ['s1:26379', 's2:26380'],
        password: 'pw',
        db: 2,
        masterName: 'mymaster',
        sentinelUser: 'su',
        sentinelPassword: 'sp',
        sentinelClientName: 'sn',
      },
    );
    assert.throws(() => parseTopologyUrl('redis+sentinel://s1:26379'), /sentinel_master_name parameter is required/);
  });

  void it('bad input: unknown parameter, sentinel parameter on a cluster, malformed addr, db in a cluster', () => {
    assert.throws(() => parseTopologyUrl('redis+cluster://h:1?foo=1'), (e: unknown) => e instanceof RedisOptionsError && /unknown parameter "foo"/.test(e.message));
    assert.throws(() => parseTopologyUrl('redis+cluster://h:1?sentinel_master_name=m'), /unknown parameter "sentinel_master_name"/);
    assert.throws(() => parseTopologyUrl('redis+cluster://h:1?addr=nohost'), /malformed Redis address "nohost"/);
    assert.throws(() => parseTopologyUrl('redis+cluster://h:1/3'), /no databases other than 0/);
    assert.throws(() => parseTopologyUrl('redis+sentinel://h:1/x?sentinel_master_name=m'), /malformed Redis db/);
  });

  void it('redis_address entries become cluster / sentinel shards (URL values win over the shared keys)', () => {
    const o = redisShardOptionsFromConfig({
      redis_address: ['redis+cluster://a:1?addr=b:2', 'redis+sentinel://x@s:3/1?sentinel_master_name=m'],
      redis_password: 'shared',
      redis_sentinel_password: 'spw',
    });
    assert.deepEqual(o.shards, [
      { password: 'shared', cluster: ['a:1', 'b:2'] },
      { password: 'shared', user: 'x', db: 1, sentinels: ['s:3'], masterName: 'm', sentinelPassword: 'spw' },
    ]);
    assert.equal(redisEngineMode(o), 'cluster_sharded');
    const tls = redisShardOptionsFromConfig({ redis_address: 'rediss+cluster://a:1' });
    assert.deepEqual(tls.shards, [{ tls: {}, cluster: ['a:1'] }]);
    assert.equal(redisEngineMode(redisShardOptionsFromConfig({ redis_address: 'redis+sentinel://s:1?sentinel_master_name=m' })), 'sentinel');
    assert.throws(() => redisShardOptionsFromConfig({ redis_address: 'redis+sentinel://s:1' }), RedisOptionsError);
  });
});
