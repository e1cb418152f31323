/** @module engines/redis — the Redis engine: RedisBroker, RedisPresenceManager, RedisController. */
export { RedisBroker } from './broker.js';
export { RedisPresenceManager } from './presence.js';
export { RedisController } from './controller.js';
export { createRedisEngine, type RedisEngine } from './engine.js';
export { RedisShardSet, RedisShard } from './shard.js';
export {
  redisShardOptionsFromConfig,
  redisEngineMode,
  parseRedisAddress,
  parseHostPort,
  RedisOptionsError,
  type RedisConfigKeys,
  type RedisEngineOptions,
  type RedisShardOptions,
  type RedisStandaloneShardOptions,
  type RedisSentinelShardOptions,
  type RedisClusterShardOptions,
  type RedisShardCommonOptions,
  type RedisTlsOptions,
} from './options.js';
export { fnv1a64, jumpHash, shardIndex, bucketIndex } from './hash.js';
