/** @module config/rules — cross-field validation rules (Centrifugo's channel and namespace keys, Centrifugo's channels and namespaces); every problem is collected. */
import { compileGoRegex } from '../auth/go-regex.js';
import { jwksTemplateProblems } from '../auth/jwks-safety.js';
import { parseConsumers } from './consumers.js';
import type { ConfigProblem } from './errors.js';
import type { ChannelOptionsConfig, Config } from './schema/index.js';

/** Namespace, rpc namespace and granular proxy names. */
const NAMESPACE_NAME = /^[-a-zA-Z0-9_.]{2,}$/;
const CONSUMER_NAME = /^[a-zA-Z0-9_]{2,}$/;
const USER_ID_CLAIM = /^[a-zA-Z_]+$/;

/** Returns every problem of an already type-checked config (empty = valid). */
export function checkRules(cfg: Config): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: string, message: string): void => {
    problems.push({ path, message });
  };

  checkNames(cfg.namespaces.map((n) => n.name), 'namespaces', 'namespace', add);
  checkNames(cfg.rpc_namespaces.map((n) => n.name), 'rpc_namespaces', 'rpc namespace', add);

  checkChannelOptions(cfg, cfg, '', '', add);
  cfg.namespaces.forEach((ns, i) => {
    checkChannelOptions(cfg, ns, `namespaces[${i}].`, `namespace ${JSON.stringify(ns.name)}: `, add);
  });

  checkPersonalChannel(cfg, add);

  if (cfg.ping_interval > 0 && cfg.pong_timeout > 0 && cfg.pong_timeout >= cfg.ping_interval) {
    add('pong_timeout', `pong_timeout (${cfg.pong_timeout}ms) must be less than ping_interval (${cfg.ping_interval}ms)`);
  }

  for (const prefix of ['token_', 'subscription_token_'] as const) {
    for (const claim of ['audience', 'issuer'] as const) {
      const exact = `${prefix}${claim}` as const;
      const regex = `${prefix}${claim}_regex` as const;
      if (cfg[exact] !== '' && cfg[regex] !== '') add(regex, `${exact} and ${regex} can not be set at the same time`);
      if (cfg[regex] !== '') checkRegex(cfg[regex], regex, add);
    }
    checkJwksTemplate(cfg, prefix, add);
    const claimKey = `${prefix}user_id_claim` as const;
    if (cfg[claimKey] !== '' && !USER_ID_CLAIM.test(cfg[claimKey])) {
      add(claimKey, `${claimKey} must match ${USER_ID_CLAIM.source}, got ${JSON.stringify(cfg[claimKey])}`);
    }
  }

  if (cfg.redis_sentinel_address.length > 0 && cfg.redis_sentinel_master_name === '') {
    add('redis_sentinel_master_name', 'redis_sentinel_master_name is required when redis_sentinel_address is set');
  }
  checkHostPortList(cfg.redis_cluster_address, 'redis_cluster_address', add);
  checkHostPortList(cfg.redis_sentinel_address, 'redis_sentinel_address', add);

  checkLooseNames(cfg.proxies, 'proxies', NAMESPACE_NAME, add);
  checkLooseNames(cfg.consumers, 'consumers', CONSUMER_NAME, add);
  for (const key of ['uni_sse_connect_code_to_http_response', 'uni_http_stream_connect_code_to_http_response'] as const) {
    checkHttpResponseTransforms(cfg[key], key, add);
  }
  problems.push(...parseConsumers(cfg.consumers).problems);
  return problems;
}

/** Enabled `uni_*_connect_code_to_http_response`: every transform names an error code and a valid HTTP status. */
function checkHttpResponseTransforms(c: Config['uni_sse_connect_code_to_http_response'], key: string, add: Add): void {
  if (!c.enabled) return;
  c.transforms.forEach((t, i) => {
    if (t.code <= 0) add(`${key}.transforms[${i}].code`, `${key}: transform needs a connect error code`);
    if (t.to.status_code < 200 || t.to.status_code > 599) {
      add(`${key}.transforms[${i}].to.status_code`, `${key}: status_code must be an HTTP status 200–599, got ${t.to.status_code}`);
    }
  });
}

type Add = (path: string, message: string) => void;

/**
 * Problems of a `{{var}}` JWKS endpoint template (see auth/jwks-safety): refused unless
 * `<prefix>insecure_skip_jwks_endpoint_safety_check` is on (the server then warns at start).
 */
export function jwksTemplateProblemsOf(cfg: Config, prefix: 'token_' | 'subscription_token_'): string[] {
  if (prefix === 'subscription_token_' && !cfg.separate_subscription_token_config) return [];
  const endpoint = cfg[`${prefix}jwks_public_endpoint`];
  if (endpoint === '') return [];
  return jwksTemplateProblems(endpoint, {
    [`${prefix}issuer_regex`]: cfg[`${prefix}issuer_regex`],
    [`${prefix}audience_regex`]: cfg[`${prefix}audience_regex`],
  });
}

function checkJwksTemplate(cfg: Config, prefix: 'token_' | 'subscription_token_', add: Add): void {
  if (cfg[`${prefix}insecure_skip_jwks_endpoint_safety_check`]) return;
  for (const problem of jwksTemplateProblemsOf(cfg, prefix)) {
    add(`${prefix}jwks_public_endpoint`, `unsafe JWKS endpoint template: ${problem} (${prefix}insecure_skip_jwks_endpoint_safety_check starts anyway)`);
  }
}

function checkNames(names: readonly string[], listKey: string, what: string, add: Add): void {
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (!NAMESPACE_NAME.test(name)) {
      add(`${listKey}[${i}].name`, `invalid ${what} name ${JSON.stringify(name)}: must match ${NAMESPACE_NAME.source}`);
    } else if (seen.has(name)) {
      add(`${listKey}[${i}].name`, `${what} name ${JSON.stringify(name)} is not unique`);
    }
    seen.add(name);
  });
}

function checkChannelOptions(cfg: Config, o: ChannelOptionsConfig, at: string, label: string, add: Add): void {
  if ((o.history_size > 0) !== (o.history_ttl > 0)) {
    const missing = o.history_size > 0 ? 'history_ttl' : 'history_size';
    add(`${at}${missing}`, `${label}both history size and history ttl required for history`);
  }
  const metaTtl = o.history_meta_ttl > 0 ? o.history_meta_ttl : cfg.global_history_meta_ttl;
  if (o.history_ttl > 0 && metaTtl < o.history_ttl) {
    const key = o.history_meta_ttl > 0 ? `${at}history_meta_ttl` : 'global_history_meta_ttl';
    add(key, `${label}history meta ttl (${metaTtl}ms) must be greater than or equal to history ttl (${o.history_ttl}ms)`);
  }
  if (o.force_recovery && !(o.history_size > 0 && o.history_ttl > 0)) {
    add(`${at}force_recovery`, `${label}force_recovery requires history (history_size and history_ttl)`);
  }
  if (o.auto_cache_recover && !(o.force_recovery && o.force_recovery_mode === 'cache')) {
    add(`${at}auto_cache_recover`, `${label}auto_cache_recover requires force_recovery and force_recovery_mode "cache"`);
  }
  if (o.channel_regex !== '') checkRegex(o.channel_regex, `${at}channel_regex`, add);
  o.allowed_delta_types.forEach((t, i) => {
    if (t !== 'fossil') add(`${at}allowed_delta_types[${i}]`, `${label}unknown delta type ${JSON.stringify(t)}, only "fossil" is supported`);
  });
  const streamProxy = o.proxy_subscribe_stream || o.subscribe_stream_proxy_name !== '';
  const otherProxy =
    o.proxy_subscribe || o.proxy_publish || o.proxy_sub_refresh ||
    o.subscribe_proxy_name !== '' || o.publish_proxy_name !== '' || o.sub_refresh_proxy_name !== '';
  if (streamProxy && otherProxy) {
    add(`${at}proxy_subscribe_stream`, `${label}subscribe stream proxy can not be combined with subscribe, publish or sub refresh proxies`);
  }
}

/** Go-syntax regexes (as the server compiles them: `(?P<name>…)` groups and leading flags accepted). */
function checkRegex(source: string, path: string, add: Add): void {
  try {
    compileGoRegex(source);
  } catch (err) {
    add(path, `invalid regular expression ${JSON.stringify(source)}: ${(err as Error).message}`);
  }
}

function checkPersonalChannel(cfg: Config, add: Add): void {
  const nsName = cfg.user_personal_channel_namespace;
  const ns = nsName === '' ? undefined : cfg.namespaces.find((n) => n.name === nsName);
  if (nsName !== '' && ns === undefined) {
    add('user_personal_channel_namespace', `namespace ${JSON.stringify(nsName)} for user personal channel not found`);
    return;
  }
  if (cfg.user_personal_single_connection) {
    const presence = ns === undefined ? cfg.presence : ns.presence;
    if (!presence) {
      const where = ns === undefined ? 'top level' : `namespace ${JSON.stringify(nsName)}`;
      add('user_personal_single_connection', `user_personal_single_connection requires presence enabled on the personal channel (${where})`);
    }
  }
}

function checkHostPortList(entries: readonly string[], key: string, add: Add): void {
  entries.forEach((entry, i) => {
    for (const part of entry.split(',')) {
      const addr = part.trim();
      if (!isHostPort(addr)) add(`${key}[${i}]`, `malformed address ${JSON.stringify(addr)}: expected host:port`);
    }
  });
}

function isHostPort(addr: string): boolean {
  const colon = addr.lastIndexOf(':');
  if (colon <= 0) return false;
  let host = addr.slice(0, colon);
  const portText = addr.slice(colon + 1);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  else if (host.includes(':')) return false;
  if (host === '' || /\s/.test(host) || !/^\d{1,5}$/.test(portText)) return false;
  return Number(portText) <= 65535;
}

function checkLooseNames(items: readonly { readonly [key: string]: unknown }[], key: string, re: RegExp, add: Add): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const name = item['name'];
    if (typeof name !== 'string' || !re.test(name)) {
      add(`${key}[${i}].name`, `invalid name ${JSON.stringify(name ?? '')}: must match ${re.source}`);
    } else if (seen.has(name)) {
      add(`${key}[${i}].name`, `name ${JSON.stringify(name)} is not unique`);
    }
    if (typeof name === 'string') seen.add(name);
  });
}
