/**
 * @module engines/redis/options — construct-time options of the Redis engine and their mapping from
 * Centrifugo's flat Redis engine configuration keys.
 */
import { readFileSync } from 'node:fs';
import type { HistoryBrokerOptions } from '../../core/broker.js';
import type { Logger } from '../../core/logger.js';
import type { ClientTlsOptions } from '../../util/client-tls.js';
import { isTopologyUrl, parseTopologyUrl } from './address-url.js';
import { parseHostPort, RedisOptionsError } from './host-port.js';
import { assignDefined } from '../../util/object.js';

export { parseHostPort, RedisOptionsError };

/** TLS to Redis (PEM contents, not paths). */
export type RedisTlsOptions = ClientTlsOptions;

/** Settings shared by every shard topology. */
export interface RedisShardCommonOptions {
  /** @default 0 */
  readonly db?: number | undefined;
  /** ACL user. */
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  /** TLS to Redis; absent = plain TCP. */
  readonly tls?: RedisTlsOptions | undefined;
  /** Dial timeout. @default 1000 */
  readonly connectTimeoutMs?: number | undefined;
  /** Per-command timeout. @default 4000 */
  readonly ioTimeoutMs?: number | undefined;
  /** CLIENT SETNAME value. */
  readonly clientName?: string | undefined;
  /** Use RESP2 instead of negotiating RESP3. */
  readonly forceResp2?: boolean | undefined;
}

/**
 * One standalone Redis (`host:port`, `redis://[user:pass@]host:port[/db]`, `rediss://…`, `tcp://…`,
 * `unix:///path`). `redis+cluster://` and `redis+sentinel://` entries become cluster / sentinel shards.
 */
export interface RedisStandaloneShardOptions extends RedisShardCommonOptions {
  readonly address: string;
}

/** One Redis master behind Sentinel. */
export interface RedisSentinelShardOptions extends RedisShardCommonOptions {
  /** Sentinel `host:port` addresses. */
  readonly sentinels: readonly string[];
  readonly masterName: string;
  readonly sentinelUser?: string | undefined;
  readonly sentinelPassword?: string | undefined;
  readonly sentinelClientName?: string | undefined;
  readonly sentinelTls?: RedisTlsOptions | undefined;
}

/** One Redis Cluster, given by seed `host:port` addresses. */
export interface RedisClusterShardOptions extends RedisShardCommonOptions {
  readonly cluster: readonly string[];
}

/** One shard: a standalone Redis, a Sentinel-managed master, or a whole Redis Cluster. */
export type RedisShardOptions = RedisStandaloneShardOptions | RedisSentinelShardOptions | RedisClusterShardOptions;

/** Options of RedisBroker, RedisPresenceManager and RedisController. */
export interface RedisEngineOptions extends HistoryBrokerOptions {
  /** One entry per shard; channels are spread by `jump(fnv1a64(channel), shards.length)`. */
  readonly shards: readonly RedisShardOptions[];
  /** Prefix of every key and PUB/SUB channel. @default 'centrifugo' */
  readonly prefix?: string | undefined;
  /** Presence entry TTL. @default 60_000 */
  readonly presenceTtlMs?: number | undefined;
  /** Keep per-user structures so `presenceStats` needs no full scan. @default false */
  readonly presenceUserMapping?: boolean | undefined;
  /** History in LISTs of framed publications instead of STREAMs (`redis_use_lists`). @default false */
  readonly useLists?: boolean | undefined;
  readonly logger?: Logger | undefined;
}

/** Where to connect for a standalone shard, after URL parsing. */
export interface RedisEndpoint {
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  /** Unix socket path. */
  readonly path?: string | undefined;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly db?: number | undefined;
  /** `rediss://` asks for TLS. */
  readonly tls?: boolean | undefined;
}

const DEFAULT_REDIS_PORT = 6379;
export const DEFAULT_REDIS_PREFIX = 'centrifugo';
export const DEFAULT_PRESENCE_TTL_MS = 60_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 1000;
export const DEFAULT_IO_TIMEOUT_MS = 4000;

/** Milliseconds → whole seconds for Redis TTLs (at least 1 for any positive value, 0 for none). */
export function ttlSeconds(ms: number): number {
  return ms <= 0 ? 0 : Math.max(1, Math.ceil(ms / 1000));
}

/** True for the cluster variant. */
export function isClusterShard(o: RedisShardOptions): o is RedisClusterShardOptions {
  return 'cluster' in o;
}

/** True for the sentinel variant. */
export function isSentinelShard(o: RedisShardOptions): o is RedisSentinelShardOptions {
  return 'sentinels' in o;
}

/** Parses one `redis_address` entry. URL user/password/db override the separate keys. */
export function parseRedisAddress(address: string): RedisEndpoint {
  const s = address.trim();
  if (s === '') throw new RedisOptionsError('empty Redis address');
  if (!s.includes('://')) return parseHostPort(s);
  let url: URL;
  try {
    url = new URL(s);
  } catch (err) {
    throw new RedisOptionsError(`malformed Redis address ${JSON.stringify(s)}`, { cause: err });
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (scheme === 'unix') {
    if (url.pathname === '' || url.pathname === '/') throw new RedisOptionsError(`malformed Redis address ${JSON.stringify(s)}`);
    const db = url.searchParams.get('db');
    return { path: decodeURIComponent(url.pathname), ...(db !== null ? { db: parseDb(db, s) } : {}) };
  }
  if (scheme !== 'redis' && scheme !== 'rediss' && scheme !== 'tcp') {
    throw new RedisOptionsError(`unsupported Redis address scheme ${JSON.stringify(scheme)}`);
  }
  if (url.hostname === '') throw new RedisOptionsError(`malformed Redis address ${JSON.stringify(s)}: no host`);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === '' ? DEFAULT_REDIS_PORT : Number(url.port);
  const out: {
    host: string;
    port: number;
    user?: string;
    password?: string;
    db?: number;
    tls?: boolean;
  } = { host, port };
  if (url.username !== '') out.user = decodeURIComponent(url.username);
  if (url.password !== '') out.password = decodeURIComponent(url.password);
  const dbPath = url.pathname.replace(/^\//, '');
  if (dbPath !== '') out.db = parseDb(dbPath, s);
  if (scheme === 'rediss') out.tls = true;
  return out;
}

function parseDb(text: string, address: string): number {
  if (!/^\d+$/.test(text)) throw new RedisOptionsError(`malformed Redis db in ${JSON.stringify(address)}`);
  return Number(text);
}

/** The configuration keys read by `redisShardOptionsFromConfig` (snake_case, durations in ms). */
export interface RedisConfigKeys {
  readonly redis_address?: string | readonly string[] | undefined;
  readonly redis_prefix?: string | undefined;
  readonly redis_db?: number | undefined;
  readonly redis_user?: string | undefined;
  readonly redis_password?: string | undefined;
  readonly redis_client_name?: string | undefined;
  readonly redis_connect_timeout?: number | undefined;
  readonly redis_io_timeout?: number | undefined;
  readonly redis_use_lists?: boolean | undefined;
  readonly redis_force_resp2?: boolean | undefined;
  readonly redis_cluster_address?: string | readonly string[] | undefined;
  readonly redis_sentinel_address?: string | readonly string[] | undefined;
  readonly redis_sentinel_master_name?: string | undefined;
  readonly redis_sentinel_user?: string | undefined;
  readonly redis_sentinel_password?: string | undefined;
  readonly redis_sentinel_client_name?: string | undefined;
  readonly redis_tls?: boolean | undefined;
  readonly redis_tls_cert?: string | undefined;
  readonly redis_tls_key?: string | undefined;
  readonly redis_tls_cert_pem?: string | undefined;
  readonly redis_tls_key_pem?: string | undefined;
  readonly redis_tls_root_ca?: string | undefined;
  readonly redis_tls_root_ca_pem?: string | undefined;
  readonly redis_tls_server_name?: string | undefined;
  readonly redis_tls_insecure_skip_verify?: boolean | undefined;
  readonly redis_sentinel_tls?: boolean | undefined;
  readonly redis_sentinel_tls_cert?: string | undefined;
  readonly redis_sentinel_tls_key?: string | undefined;
  readonly redis_sentinel_tls_cert_pem?: string | undefined;
  readonly redis_sentinel_tls_key_pem?: string | undefined;
  readonly redis_sentinel_tls_root_ca?: string | undefined;
  readonly redis_sentinel_tls_root_ca_pem?: string | undefined;
  readonly redis_sentinel_tls_server_name?: string | undefined;
  readonly redis_sentinel_tls_insecure_skip_verify?: boolean | undefined;
  readonly global_presence_ttl?: number | undefined;
  readonly global_redis_presence_user_mapping?: boolean | undefined;
}

function list(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const items = typeof value === 'string' ? [value] : [...value];
  return items.map((s) => s.trim()).filter((s) => s !== '');
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

function readPem(inline: string | undefined, path: string | undefined, what: string): string | undefined {
  if (inline !== undefined && inline !== '') return inline;
  if (path === undefined || path === '') return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new RedisOptionsError(`cannot read ${what} ${JSON.stringify(path)}`, { cause: err });
  }
}

function tlsFromConfig(c: RedisConfigKeys, sentinel: boolean): RedisTlsOptions | undefined {
  const k = (suffix: string): string => (sentinel ? `redis_sentinel_tls${suffix}` : `redis_tls${suffix}`);
  // The key set is closed (RedisConfigKeys); indexing by computed name keeps both variants in one place.
  const get = (suffix: string): unknown => (c as Record<string, unknown>)[k(suffix)];
  const str = (suffix: string): string | undefined => {
    const v = get(suffix);
    return typeof v === 'string' ? v : undefined;
  };
  if (get('') !== true) return undefined;
  const tls: {
    caPem?: string;
    certPem?: string;
    keyPem?: string;
    serverName?: string;
    insecureSkipVerify?: boolean;
  } = {};
  const ca = readPem(str('_root_ca_pem'), str('_root_ca'), `${k('_root_ca')} file`);
  const cert = readPem(str('_cert_pem'), str('_cert'), `${k('_cert')} file`);
  const key = readPem(str('_key_pem'), str('_key'), `${k('_key')} file`);
  const serverName = nonEmpty(str('_server_name'));
  if (ca !== undefined) tls.caPem = ca;
  if (cert !== undefined) tls.certPem = cert;
  if (key !== undefined) tls.keyPem = key;
  if (serverName !== undefined) tls.serverName = serverName;
  if (get('_insecure_skip_verify') === true) tls.insecureSkipVerify = true;
  return tls;
}

/**
 * Maps Centrifugo's flat Redis engine keys to engine options. Mode: `redis_cluster_address` non-empty ⇒ cluster (each
 * element a comma-separated seed list of one cluster, several elements = several shards); else
 * `redis_sentinel_address` non-empty ⇒ sentinel (each element the sentinels of one shard; master name
 * required); else one standalone shard per `redis_address` entry. Throws RedisOptionsError for
 * malformed entries or a missing sentinel master name.
 */
export function redisShardOptionsFromConfig(c: RedisConfigKeys): RedisEngineOptions {
  const common: {
    db?: number;
    user?: string;
    password?: string;
    tls?: RedisTlsOptions;
    connectTimeoutMs?: number;
    ioTimeoutMs?: number;
    clientName?: string;
    forceResp2?: boolean;
  } = {};
  if (c.redis_db !== undefined && c.redis_db !== 0) common.db = c.redis_db;
  const user = nonEmpty(c.redis_user);
  const password = nonEmpty(c.redis_password);
  const clientName = nonEmpty(c.redis_client_name);
  if (user !== undefined) common.user = user;
  if (password !== undefined) common.password = password;
  if (clientName !== undefined) common.clientName = clientName;
  if (c.redis_connect_timeout !== undefined && c.redis_connect_timeout > 0) common.connectTimeoutMs = c.redis_connect_timeout;
  if (c.redis_io_timeout !== undefined && c.redis_io_timeout > 0) common.ioTimeoutMs = c.redis_io_timeout;
  if (c.redis_force_resp2 === true) common.forceResp2 = true;
  const tls = tlsFromConfig(c, false);
  if (tls !== undefined) common.tls = tls;

  const shards: RedisShardOptions[] = [];
  const clusters = list(c.redis_cluster_address);
  const sentinels = list(c.redis_sentinel_address);
  if (clusters.length > 0) {
    for (const entry of clusters) {
      const seeds = entry.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (seeds.length === 0) throw new RedisOptionsError(`malformed redis_cluster_address entry ${JSON.stringify(entry)}`);
      seeds.forEach(parseHostPort);
      shards.push({ ...common, cluster: seeds });
    }
  } else if (sentinels.length > 0) {
    const masterName = nonEmpty(c.redis_sentinel_master_name);
    if (masterName === undefined) {
      throw new RedisOptionsError('redis_sentinel_master_name is required with redis_sentinel_address');
    }
    const sentinelTls = tlsFromConfig(c, true);
    for (const entry of sentinels) {
      const addrs = entry.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (addrs.length === 0) throw new RedisOptionsError(`malformed redis_sentinel_address entry ${JSON.stringify(entry)}`);
      addrs.forEach(parseHostPort);
      const shard: {
        -readonly [K in keyof RedisSentinelShardOptions]: RedisSentinelShardOptions[K];
      } = { ...common, sentinels: addrs, masterName };
      assignDefined(shard, {
        sentinelUser: nonEmpty(c.redis_sentinel_user),
        sentinelPassword: nonEmpty(c.redis_sentinel_password),
        sentinelClientName: nonEmpty(c.redis_sentinel_client_name),
        sentinelTls,
      });
      shards.push(shard);
    }
  } else {
    const addresses = c.redis_address === undefined ? ['redis://127.0.0.1:6379'] : list(c.redis_address);
    if (addresses.length === 0) throw new RedisOptionsError('redis_address is empty');
    for (const address of addresses) {
      if (isTopologyUrl(address)) {
        shards.push(topologyShard(address, common, c));
        continue;
      }
      parseRedisAddress(address); // validate early
      shards.push({ ...common, address });
    }
  }

  const options: {
    -readonly [K in keyof RedisEngineOptions]: RedisEngineOptions[K];
  } = { shards, prefix: nonEmpty(c.redis_prefix) ?? DEFAULT_REDIS_PREFIX };
  if (c.global_presence_ttl !== undefined && c.global_presence_ttl > 0) options.presenceTtlMs = c.global_presence_ttl;
  if (c.global_redis_presence_user_mapping === true) options.presenceUserMapping = true;
  if (c.redis_use_lists === true) options.useLists = true;
  return options;
}

/**
 * A `redis+cluster://` or `redis+sentinel://` address entry (Centrifugo v6 form) as a cluster or sentinel
 * shard: URL credentials, db and client name override the shared keys; `rediss+…` turns TLS on (keeping
 * `redis_tls_*` material when configured); sentinel TLS comes from `redis_sentinel_tls*`.
 */
function topologyShard(address: string, common: RedisShardCommonOptions, c: RedisConfigKeys): RedisShardOptions {
  const u = parseTopologyUrl(address);
  const shard: { -readonly [K in keyof RedisShardCommonOptions]: RedisShardCommonOptions[K] } = { ...common };
  if (u.user !== undefined) shard.user = u.user;
  if (u.password !== undefined) shard.password = u.password;
  if (u.db !== undefined) shard.db = u.db;
  if (u.clientName !== undefined) shard.clientName = u.clientName;
  if (u.tls === true && shard.tls === undefined) shard.tls = {};
  if (u.kind === 'cluster') return { ...shard, cluster: u.addresses };
  const out: { -readonly [K in keyof RedisSentinelShardOptions]: RedisSentinelShardOptions[K] } = {
    ...shard,
    sentinels: u.addresses,
    masterName: u.masterName ?? '',
  };
  const sUser = u.sentinelUser ?? nonEmpty(c.redis_sentinel_user);
  const sPassword = u.sentinelPassword ?? nonEmpty(c.redis_sentinel_password);
  const sName = u.sentinelClientName ?? nonEmpty(c.redis_sentinel_client_name);
  if (sUser !== undefined) out.sentinelUser = sUser;
  if (sPassword !== undefined) out.sentinelPassword = sPassword;
  if (sName !== undefined) out.sentinelClientName = sName;
  const sentinelTls = tlsFromConfig(c, true);
  if (sentinelTls !== undefined) out.sentinelTls = sentinelTls;
  return out;
}

/** The engine mode reported in stats: `standalone|sentinel|cluster`, `_sharded` with several shards. */
export function redisEngineMode(options: RedisEngineOptions): string {
  const first = options.shards[0];
  const base = first === undefined ? 'standalone' : isClusterShard(first) ? 'cluster' : isSentinelShard(first) ? 'sentinel' : 'standalone';
  return options.shards.length > 1 ? `${base}_sharded` : base;
}
