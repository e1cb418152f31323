/**
 * @module engines/redis/address-url — Centrifugo v6 Redis address forms that name a topology:
 * `redis+cluster://` / `rediss+cluster://` (seed nodes) and `redis+sentinel://` / `rediss+sentinel://`
 * (sentinels + `sentinel_master_name`), as documented for Centrifugo v6 `engine.redis.address`.
 */
import { parseHostPort, RedisOptionsError } from './host-port.js';

/** What a topology URL describes; credentials and db apply to the Redis nodes (not the sentinels). */
export interface RedisTopologyUrl {
  readonly kind: 'cluster' | 'sentinel';
  /** Cluster seeds or sentinel addresses, `host:port`: the URL host first, then every `addr` parameter. */
  readonly addresses: readonly string[];
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly db?: number | undefined;
  /** `rediss+…` asks for TLS to the Redis nodes. */
  readonly tls?: boolean | undefined;
  readonly clientName?: string | undefined;
  /** Sentinel only (required there). */
  readonly masterName?: string | undefined;
  readonly sentinelUser?: string | undefined;
  readonly sentinelPassword?: string | undefined;
  readonly sentinelClientName?: string | undefined;
}

const SCHEMES: Readonly<Record<string, { kind: 'cluster' | 'sentinel'; tls: boolean }>> = {
  'redis+cluster:': { kind: 'cluster', tls: false },
  'rediss+cluster:': { kind: 'cluster', tls: true },
  'redis+sentinel:': { kind: 'sentinel', tls: false },
  'rediss+sentinel:': { kind: 'sentinel', tls: true },
};

const COMMON_PARAMS = new Set(['addr', 'client_name']);
const SENTINEL_PARAMS = new Set(['sentinel_master_name', 'sentinel_user', 'sentinel_password', 'sentinel_client_name']);

/** True when `address` uses one of the topology schemes. */
export function isTopologyUrl(address: string): boolean {
  return /^rediss?\+(cluster|sentinel):\/\//i.test(address.trim());
}

/**
 * Parses `redis+cluster://[user:pass@]host:port[?addr=host:port&addr=…][&client_name=…]` or
 * `redis+sentinel://[user:pass@]host:port[/db]?sentinel_master_name=NAME[&addr=…][&sentinel_user=…]
 * [&sentinel_password=…][&sentinel_client_name=…][&client_name=…]`. Throws RedisOptionsError for an
 * unknown parameter, a malformed address, a db in a cluster URL or a sentinel URL without master name.
 */
export function parseTopologyUrl(address: string): RedisTopologyUrl {
  const s = address.trim();
  let url: URL;
  try {
    url = new URL(s);
  } catch (err) {
    throw new RedisOptionsError(`malformed Redis address ${JSON.stringify(s)}`, { cause: err });
  }
  const scheme = SCHEMES[url.protocol.toLowerCase()];
  if (scheme === undefined) throw new RedisOptionsError(`unsupported Redis address scheme in ${JSON.stringify(s)}`);
  if (url.hostname === '') throw new RedisOptionsError(`malformed Redis address ${JSON.stringify(s)}: no host`);
  const first = `${url.hostname}:${url.port === '' ? '6379' : url.port}`;
  const addresses = [first, ...url.searchParams.getAll('addr')];
  addresses.forEach(parseHostPort);
  for (const name of url.searchParams.keys()) {
    if (!COMMON_PARAMS.has(name) && !(scheme.kind === 'sentinel' && SENTINEL_PARAMS.has(name))) {
      throw new RedisOptionsError(`unknown parameter ${JSON.stringify(name)} in Redis address ${JSON.stringify(s)}`);
    }
  }
  const param = (name: string): string | undefined => {
    const v = url.searchParams.get(name);
    return v === null || v === '' ? undefined : v;
  };
  const dbText = url.pathname.replace(/^\//, '');
  let db: number | undefined;
  if (dbText !== '') {
    if (!/^\d+$/.test(dbText)) throw new RedisOptionsError(`malformed Redis db in ${JSON.stringify(s)}`);
    db = Number(dbText);
    if (scheme.kind === 'cluster' && db !== 0) throw new RedisOptionsError(`Redis Cluster has no databases other than 0: ${JSON.stringify(s)}`);
  }
  const masterName = param('sentinel_master_name');
  if (scheme.kind === 'sentinel' && masterName === undefined) {
    throw new RedisOptionsError(`sentinel_master_name parameter is required in ${JSON.stringify(s)}`);
  }
  const out: { -readonly [K in keyof RedisTopologyUrl]: RedisTopologyUrl[K] } = { kind: scheme.kind, addresses };
  if (url.username !== '') out.user = decodeURIComponent(url.username);
  if (url.password !== '') out.password = decodeURIComponent(url.password);
  if (db !== undefined && db !== 0) out.db = db;
  if (scheme.tls) out.tls = true;
  const clientName = param('client_name');
  if (clientName !== undefined) out.clientName = clientName;
  if (scheme.kind === 'sentinel') {
    out.masterName = masterName;
    const su = param('sentinel_user');
    const sp = param('sentinel_password');
    const sn = param('sentinel_client_name');
    if (su !== undefined) out.sentinelUser = su;
    if (sp !== undefined) out.sentinelPassword = sp;
    if (sn !== undefined) out.sentinelClientName = sn;
  }
  return out;
}
