/**
 * @module engines/redis/connection — ioredis client construction for one shard: the shared command client
 * (the commands of one turn in one write, Lua scripts registered) and fresh dedicated PUB/SUB connections.
 */
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { Cluster, Redis } from 'ioredis';
import type { ClusterOptions, RedisOptions } from 'ioredis';
import { nodeTlsOptions } from '../../util/client-tls.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_IO_TIMEOUT_MS,
  isClusterShard,
  isSentinelShard,
  parseHostPort,
  parseRedisAddress,
  type RedisShardCommonOptions,
  type RedisShardOptions,
  type RedisTlsOptions,
} from './options.js';
import { SCRIPTS } from './scripts.js';
import { TurnBatchedRedis } from './turn-batched-redis.js';

/** The client that runs commands and scripts: one connection (standalone, sentinel) or a cluster client. */
export type CommandClient = Redis | Cluster;

/**
 * ioredis 6's constructor declares `replyMapping?: ReplyMappingMode` without `| undefined`, which clashes
 * with `RedisOptions` under `exactOptionalPropertyTypes`; we never set it, so it is left out of our type.
 */
type ConnectOptions = Omit<RedisOptions, 'replyMapping'>;
type ClusterRedisOptions = Omit<NonNullable<ClusterOptions['redisOptions']>, 'replyMapping'>;

function tlsOptions(tls: RedisTlsOptions | undefined): TlsConnectionOptions | undefined {
  return tls === undefined ? undefined : nodeTlsOptions(tls);
}

/** Options every connection of a shard shares (auth, db, TLS, timeouts, protocol). */
function commonOptions(o: RedisShardCommonOptions): ConnectOptions {
  const out: ConnectOptions = {
    connectTimeout: o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    commandTimeout: o.ioTimeoutMs ?? DEFAULT_IO_TIMEOUT_MS,
    protocol: o.forceResp2 === true ? 2 : 3,
    disableClientInfo: true,
  };
  if (o.db !== undefined) out.db = o.db;
  if (o.user !== undefined) out.username = o.user;
  if (o.password !== undefined) out.password = o.password;
  if (o.clientName !== undefined) out.connectionName = o.clientName;
  const tls = tlsOptions(o.tls);
  if (tls !== undefined) out.tls = tls;
  return out;
}

/** Where a standalone or sentinel shard's connections go (cluster shards are handled separately). */
function endpointOptions(o: RedisShardOptions): ConnectOptions {
  const base = commonOptions(o);
  if (isSentinelShard(o)) {
    const out: ConnectOptions = {
      ...base,
      sentinels: o.sentinels.map(parseHostPort),
      name: o.masterName,
    };
    if (o.sentinelUser !== undefined) out.sentinelUsername = o.sentinelUser;
    if (o.sentinelPassword !== undefined) out.sentinelPassword = o.sentinelPassword;
    const sentinelTls = tlsOptions(o.sentinelTls);
    if (sentinelTls !== undefined) {
      out.sentinelTLS = sentinelTls;
      out.enableTLSForSentinelMode = true;
    }
    return out;
  }
  if (isClusterShard(o)) return base;
  const ep = parseRedisAddress(o.address);
  const out: ConnectOptions = { ...base };
  if (ep.path !== undefined) out.path = ep.path;
  if (ep.host !== undefined) out.host = ep.host;
  if (ep.port !== undefined) out.port = ep.port;
  if (ep.user !== undefined) out.username = ep.user;
  if (ep.password !== undefined) out.password = ep.password;
  if (ep.db !== undefined) out.db = ep.db;
  if (ep.tls === true && out.tls === undefined) out.tls = {};
  return out;
}

/** Reconnect delay of command clients: quick first retries, capped at 2 s. */
function commandRetryDelay(times: number): number {
  return Math.min(times * 100, 2000);
}

function registerScripts(client: CommandClient): void {
  for (const s of SCRIPTS) client.defineCommand(s.name, { lua: s.lua, numberOfKeys: s.numberOfKeys });
}

/**
 * The command client of a shard. The commands of one event-loop turn go out in one write (standalone and
 * Sentinel: `TurnBatchedRedis`; Cluster: ioredis' auto-pipelining, per node); in-flight commands are not re-sent after a reconnect
 * (a publish must not run twice) and queued ones fail after one failed reconnect attempt, so callers get
 * an error instead of hanging while Redis is down.
 */
export function createCommandClient(o: RedisShardOptions): CommandClient {
  if (isClusterShard(o)) {
    const { commandTimeout, connectTimeout, protocol, disableClientInfo, db, username, password, connectionName, tls } =
      commonOptions(o);
    const redisOptions: ClusterRedisOptions = {
      commandTimeout,
      connectTimeout,
      protocol,
      disableClientInfo,
      maxRetriesPerRequest: 1,
      autoResendUnfulfilledCommands: false,
    };
    if (db !== undefined) redisOptions.db = db;
    if (username !== undefined) redisOptions.username = username;
    if (password !== undefined) redisOptions.password = password;
    if (connectionName !== undefined) redisOptions.connectionName = connectionName;
    if (tls !== undefined) redisOptions.tls = tls;
    const cluster = new Cluster(o.cluster.map(parseHostPort), {
      enableAutoPipelining: true,
      scaleReads: 'master',
      clusterRetryStrategy: commandRetryDelay,
      redisOptions,
    });
    registerScripts(cluster);
    return cluster;
  }
  const client = new TurnBatchedRedis({
    ...endpointOptions(o),
    enableAutoPipelining: false,
    maxRetriesPerRequest: 1,
    autoResendUnfulfilledCommands: false,
    retryStrategy: commandRetryDelay,
  });
  registerScripts(client);
  return client;
}

/**
 * A new, not yet connected PUB/SUB connection. ioredis does not reconnect it (`retryStrategy` returns
 * null): `PubSubConnection` owns the reconnect loop so it can pick another cluster node and resubscribe
 * by itself. `address` overrides the endpoint (cluster shards: one node of the cluster).
 */
export function createPubSubClient(o: RedisShardOptions, address?: { host: string; port: number }): Redis {
  const base = isClusterShard(o) ? commonOptions(o) : endpointOptions(o);
  const options: ConnectOptions = {
    ...base,
    lazyConnect: true,
    retryStrategy: () => null,
    sentinelRetryStrategy: () => null,
    enableOfflineQueue: false,
    autoResubscribe: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
  };
  if (address !== undefined) {
    options.host = address.host;
    options.port = address.port;
  }
  return new Redis(options);
}

/** Addresses to try for a cluster shard's PUB/SUB connection: known cluster nodes, then the seeds. */
export function clusterPubSubAddresses(o: RedisShardOptions, client: CommandClient): Array<{ host: string; port: number }> {
  if (!isClusterShard(o)) return [];
  const seen = new Set<string>();
  const out: Array<{ host: string; port: number }> = [];
  const add = (host: string | undefined, port: number | undefined): void => {
    if (host === undefined || port === undefined) return;
    const key = `${host}:${port}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ host, port });
  };
  if (client instanceof Cluster) {
    for (const node of client.nodes('all')) add(node.options.host, node.options.port);
  }
  for (const seed of o.cluster) {
    const { host, port } = parseHostPort(seed);
    add(host, port);
  }
  return out;
}
