/**
 * @module config/v6/paths — where every v5 flat key lives in Centrifugo v6's nested layout (the official
 * v5 → v6 converter's key map), plus the few keys Rotor places itself. Pure data and lookups.
 */
import { CHANNEL_OPTIONS, SCHEMA } from '../schema/index.js';

/**
 * One v6 leaf read into one v5 key. `*_pem` leaves of TLS objects also accept a file path there (the
 * official converter writes v5 path keys such as `tls_cert` into `cert_pem`): a value without
 * `-----BEGIN` goes to `pathKey`. `b64` leaves are base64 of a PEM.
 */
export interface Leaf {
  readonly v6: string;
  readonly v5: string;
  readonly pathKey?: string;
  readonly b64?: true;
}

/** Channel option renames between the v5 (top level / `namespaces[]`) and v6 (`without_namespace` / `namespaces[]`) names. */
const CHANNEL_OPTION_RENAMES: Readonly<Record<string, string>> = {
  proxy_subscribe: 'subscribe_proxy_enabled',
  proxy_publish: 'publish_proxy_enabled',
  proxy_sub_refresh: 'sub_refresh_proxy_enabled',
  proxy_subscribe_stream: 'subscribe_stream_proxy_enabled',
  proxy_subscribe_stream_bidirectional: 'subscribe_stream_proxy_bidirectional',
};

/** v6 name of a channel option. */
export function v6ChannelOption(v5: string): string {
  return CHANNEL_OPTION_RENAMES[v5] ?? v5;
}

/** v5 name of a channel option (inverse of `v6ChannelOption`). */
export function v5ChannelOption(v6: string): string {
  for (const [k, v] of Object.entries(CHANNEL_OPTION_RENAMES)) if (v === v6) return k;
  return v6;
}

/** Simple renames v5 key → v6 path (everything except TLS groups, channel options and the proxy/list specials). */
const SIMPLE: readonly (readonly [string, string])[] = [
  ['name', 'node.name'],
  ['engine', 'engine.type'],
  ['pid_file', 'pid_file'],
  ['log_level', 'log.level'],
  ['log_file', 'log.file'],
  ['debug', 'debug.enabled'],
  ['node_info_metrics_aggregate_interval', 'node.info_metrics_aggregate_interval'],
  ['shutdown_timeout', 'shutdown.timeout'],
  ['shutdown_termination_delay', 'shutdown.termination_delay'],
  ['usage_stats_disable', 'usage_stats.disabled'],
  ['opentelemetry', 'opentelemetry.enabled'],
  ['opentelemetry_api', 'opentelemetry.api'],
  ['opentelemetry_consuming', 'opentelemetry.consuming'],
  ['enable_unreleased_features', 'enable_unreleased_features'],
  // HTTP server
  ['address', 'http_server.address'],
  ['port', 'http_server.port'],
  ['internal_address', 'http_server.internal_address'],
  ['internal_port', 'http_server.internal_port'],
  ['tls_external', 'http_server.tls_external'],
  ['http3', 'http_server.http3.enabled'],
  ['webtransport', 'webtransport.enabled'],
  ['tls_autocert', 'tls_autocert.enabled'],
  ['tls_autocert_host_whitelist', 'tls_autocert.host_whitelist'],
  ['tls_autocert_cache_dir', 'tls_autocert.cache_dir'],
  ['tls_autocert_email', 'tls_autocert.email'],
  ['tls_autocert_server_name', 'tls_autocert.server_name'],
  ['tls_autocert_http', 'tls_autocert.http'],
  ['tls_autocert_http_addr', 'tls_autocert.http_addr'],
  ['websocket_disable', 'websocket.disabled'],
  ['api_disable', 'http_api.disabled'],
  ['api_external', 'http_api.external'],
  ['admin_external', 'admin.external'],
  ['websocket_handler_prefix', 'websocket.handler_prefix'],
  ['webtransport_handler_prefix', 'webtransport.handler_prefix'],
  ['sockjs_handler_prefix', 'sockjs.handler_prefix'],
  ['http_stream_handler_prefix', 'http_stream.handler_prefix'],
  ['sse_handler_prefix', 'sse.handler_prefix'],
  ['uni_websocket_handler_prefix', 'uni_websocket.handler_prefix'],
  ['uni_sse_handler_prefix', 'uni_sse.handler_prefix'],
  ['uni_http_stream_handler_prefix', 'uni_http_stream.handler_prefix'],
  ['emulation_handler_prefix', 'emulation.handler_prefix'],
  ['api_handler_prefix', 'http_api.handler_prefix'],
  ['admin_handler_prefix', 'admin.handler_prefix'],
  ['prometheus_handler_prefix', 'prometheus.handler_prefix'],
  ['health_handler_prefix', 'health.handler_prefix'],
  ['swagger_handler_prefix', 'swagger.handler_prefix'],
  // server API, admin, observability
  ['api_key', 'http_api.key'],
  ['api_insecure', 'http_api.insecure'],
  ['api_error_mode', 'http_api.error_mode'],
  ['grpc_api', 'grpc_api.enabled'],
  ['grpc_api_address', 'grpc_api.address'],
  ['grpc_api_port', 'grpc_api.port'],
  ['grpc_api_key', 'grpc_api.key'],
  ['grpc_api_error_mode', 'grpc_api.error_mode'],
  ['grpc_api_reflection', 'grpc_api.reflection'],
  ['grpc_api_max_receive_message_size', 'grpc_api.max_receive_message_size'],
  ['grpc_api_tls_disable', 'grpc_api.tls_disable'],
  ['swagger', 'swagger.enabled'],
  ['admin', 'admin.enabled'],
  ['admin_password', 'admin.password'],
  ['admin_secret', 'admin.secret'],
  ['admin_insecure', 'admin.insecure'],
  ['admin_web_path', 'admin.web_path'],
  ['admin_web_proxy_address', 'admin.web_proxy_address'],
  ['prometheus', 'prometheus.enabled'],
  ['health', 'health.enabled'],
  ['graphite', 'graphite.enabled'],
  ['graphite_host', 'graphite.host'],
  ['graphite_port', 'graphite.port'],
  ['graphite_prefix', 'graphite.prefix'],
  ['graphite_interval', 'graphite.interval'],
  ['graphite_tags', 'graphite.tags'],
  // client
  ['separate_subscription_token_config', 'client.subscription_token.enabled'],
  ['allowed_origins', 'client.allowed_origins'],
  ['allow_anonymous_connect_without_token', 'client.allow_anonymous_connect_without_token'],
  ['disallow_anonymous_connection_tokens', 'client.disallow_anonymous_connection_tokens'],
  ['ping_interval', 'client.ping_interval'],
  ['pong_timeout', 'client.pong_timeout'],
  ['rpc_ping', 'rpc.ping.enabled'],
  ['rpc_ping_method', 'rpc.ping.method'],
  ['user_subscribe_to_personal', 'client.subscribe_to_user_personal_channel.enabled'],
  ['user_personal_channel_namespace', 'client.subscribe_to_user_personal_channel.personal_channel_namespace'],
  ['user_personal_single_connection', 'client.subscribe_to_user_personal_channel.single_connection'],
  // channels
  ['channel_max_length', 'channel.max_length'],
  ['channel_private_prefix', 'channel.private_prefix'],
  ['channel_namespace_boundary', 'channel.namespace_boundary'],
  ['channel_user_boundary', 'channel.user_boundary'],
  ['channel_user_separator', 'channel.user_separator'],
  ['rpc_namespace_boundary', 'rpc.namespace_boundary'],
  ['global_history_meta_ttl', 'channel.history_meta_ttl'],
  // redis
  ['redis_address', 'engine.redis.address'],
  ['redis_prefix', 'engine.redis.prefix'],
  ['redis_connect_timeout', 'engine.redis.connect_timeout'],
  ['redis_io_timeout', 'engine.redis.io_timeout'],
  ['redis_use_lists', 'engine.redis.history_use_lists'],
  ['redis_db', 'engine.redis.db'],
  ['redis_user', 'engine.redis.user'],
  ['redis_password', 'engine.redis.password'],
  ['redis_client_name', 'engine.redis.client_name'],
  ['redis_force_resp2', 'engine.redis.force_resp2'],
  ['redis_cluster_address', 'engine.redis.cluster_address'],
  ['redis_sentinel_address', 'engine.redis.sentinel_address'],
  ['redis_sentinel_user', 'engine.redis.sentinel_user'],
  ['redis_sentinel_password', 'engine.redis.sentinel_password'],
  ['redis_sentinel_master_name', 'engine.redis.sentinel_master_name'],
  ['redis_sentinel_client_name', 'engine.redis.sentinel_client_name'],
  ['global_presence_ttl', 'redis.presence_ttl'],
  ['global_redis_presence_user_mapping', 'redis.presence_user_mapping'],
  ['redis_presence_hash_field_ttl', 'redis.presence_hash_field_ttl'],
  // nats
  ['nats_url', 'broker.nats.url'],
  ['nats_prefix', 'broker.nats.prefix'],
  ['nats_dial_timeout', 'broker.nats.dial_timeout'],
  ['nats_write_timeout', 'broker.nats.write_timeout'],
  ['nats_allow_wildcards', 'broker.nats.allow_wildcards'],
  ['nats_raw_mode', 'broker.nats.raw_mode'],
  ['nats_tls', 'broker.nats.tls'],
  // transports
  ['uni_websocket', 'uni_websocket.enabled'],
  ['uni_sse', 'uni_sse.enabled'],
  ['uni_http_stream', 'uni_http_stream.enabled'],
  ['sse', 'sse.enabled'],
  ['http_stream', 'http_stream.enabled'],
  ['sse_max_request_body_size', 'sse.max_request_body_size'],
  ['http_stream_max_request_body_size', 'http_stream.max_request_body_size'],
  ['emulation_max_request_body_size', 'emulation.max_request_body_size'],
  ['uni_sse_max_request_body_size', 'uni_sse.max_request_body_size'],
  ['uni_http_stream_max_request_body_size', 'uni_http_stream.max_request_body_size'],
  ['uni_sse_connect_code_to_http_response', 'uni_sse.connect_code_to_http_response'],
  ['uni_http_stream_connect_code_to_http_response', 'uni_http_stream.connect_code_to_http_response'],
  ['uni_grpc', 'uni_grpc.enabled'],
  ['uni_grpc_address', 'uni_grpc.address'],
  ['uni_grpc_port', 'uni_grpc.port'],
  ['uni_grpc_max_receive_message_size', 'uni_grpc.max_receive_message_size'],
  ['uni_grpc_tls_disable', 'uni_grpc.tls_disable'],
  ['sockjs', 'sockjs.enabled'],
  ['sockjs_url', 'sockjs.url'],
];

/** v6 paths accepted on reading in addition to the converter's (`engine.redis.presence_ttl` is where v6 documents it). */
const READ_ALIASES: readonly (readonly [string, string])[] = [
  ['global_presence_ttl', 'engine.redis.presence_ttl'],
  ['global_redis_presence_user_mapping', 'engine.redis.presence_user_mapping'],
  ['redis_presence_hash_field_ttl', 'engine.redis.presence_hash_field_ttl'],
  ['tls_server_name', 'http_server.tls.server_name'],
  ['tls_insecure_skip_verify', 'http_server.tls.insecure_skip_verify'],
];

/** The flat TLS key groups of v5 (`<prefix>`, `<prefix>_cert`, …) and their v6 TLS object. */
export const TLS_GROUPS: readonly { readonly prefix: string; readonly v6: string }[] = [
  { prefix: 'tls', v6: 'http_server.tls' },
  { prefix: 'grpc_api_tls', v6: 'grpc_api.tls' },
  { prefix: 'uni_grpc_tls', v6: 'uni_grpc.tls' },
  { prefix: 'redis_tls', v6: 'engine.redis.tls' },
  { prefix: 'redis_sentinel_tls', v6: 'engine.redis.sentinel_tls' },
];

/** PEM fields of a v6 TLS object: v5 suffix of the inline PEM key and of the file path key. */
export const TLS_PEM_FIELDS: readonly { readonly field: string; readonly pem: string; readonly path: string }[] = [
  { field: 'cert_pem', pem: '_cert_pem', path: '_cert' },
  { field: 'key_pem', pem: '_key_pem', path: '_key' },
  { field: 'server_ca_pem', pem: '_root_ca_pem', path: '_root_ca' },
  { field: 'client_ca_pem', pem: '_client_ca_pem', path: '_client_ca' },
];

function tlsLeaves(): Leaf[] {
  const out: Leaf[] = [];
  for (const { prefix, v6 } of TLS_GROUPS) {
    out.push({ v6: `${v6}.enabled`, v5: prefix });
    for (const f of TLS_PEM_FIELDS) {
      out.push({ v6: `${v6}.${f.field}`, v5: prefix + f.pem, pathKey: prefix + f.path });
      out.push({ v6: `${v6}.${f.field}_file`, v5: prefix + f.path });
      out.push({ v6: `${v6}.${f.field}_b64`, v5: prefix + f.pem, b64: true });
    }
    // The converter writes the HTTP server's two keys under a top-level `tls` object.
    const at = prefix === 'tls' ? 'tls' : v6;
    out.push({ v6: `${at}.server_name`, v5: `${prefix}_server_name` });
    out.push({ v6: `${at}.insecure_skip_verify`, v5: `${prefix}_insecure_skip_verify` });
  }
  return out;
}

function prefixed(v5Prefix: string, v6Prefix: string, strip: string): Leaf[] {
  return Object.keys(SCHEMA)
    .filter((k) => k.startsWith(v5Prefix))
    .map((k) => ({ v6: `${v6Prefix}${k.slice(strip.length)}`, v5: k }));
}

/**
 * Sections for v5 keys the converter's map does not name (keys added to the schema later): a key with one
 * of these prefixes lives in the section (`prometheus_x` → `prometheus.x`), as v6 names its keys.
 */
const AUTO_SECTIONS: readonly (readonly [string, string])[] = [
  ['admin_', 'admin.'],
  ['prometheus_', 'prometheus.'],
  ['health_', 'health.'],
  ['swagger_', 'swagger.'],
  ['graphite_', 'graphite.'],
  ['grpc_api_', 'grpc_api.'],
  ['uni_grpc_', 'uni_grpc.'],
  ['uni_sse_', 'uni_sse.'],
  ['uni_http_stream_', 'uni_http_stream.'],
  ['sse_', 'sse.'],
  ['http_stream_', 'http_stream.'],
  ['emulation_', 'emulation.'],
  ['nats_', 'broker.nats.'],
  ['redis_', 'engine.redis.'],
  ['log_', 'log.'],
  ['shutdown_', 'shutdown.'],
  ['opentelemetry_', 'opentelemetry.'],
  ['api_', 'http_api.'],
  ['tls_autocert_', 'tls_autocert.'],
];

function autoLeaves(covered: readonly Leaf[]): Leaf[] {
  const v5 = new Set(covered.flatMap((l) => (l.pathKey === undefined ? [l.v5] : [l.v5, l.pathKey])));
  const v6 = new Set(covered.map((l) => l.v6));
  const out: Leaf[] = [];
  for (const key of Object.keys(SCHEMA)) {
    if (v5.has(key) || SPECIAL_V5_KEYS.has(key) || Object.hasOwn(CHANNEL_OPTIONS, key)) continue;
    const section = AUTO_SECTIONS.find(([prefix]) => key.startsWith(prefix));
    if (section === undefined) continue;
    const path = section[1] + key.slice(section[0].length);
    if (!v6.has(path)) out.push({ v5: key, v6: path });
  }
  return out;
}

function buildLeaves(): Leaf[] {
  const leaves: Leaf[] = [
    ...SIMPLE.map(([v5, v6]) => ({ v5, v6 })),
    ...tlsLeaves(),
    ...prefixed('token_', 'client.token.', 'token_'),
    ...prefixed('subscription_token_', 'client.subscription_token.', 'subscription_token_'),
    ...prefixed('client_', 'client.', 'client_'),
    ...prefixed('websocket_', 'websocket.', 'websocket_').filter((l) => !l.v5.endsWith('_handler_prefix') && l.v5 !== 'websocket_disable'),
    ...prefixed('uni_websocket_', 'uni_websocket.', 'uni_websocket_').filter((l) => !l.v5.endsWith('_handler_prefix')),
    ...Object.keys(CHANNEL_OPTIONS).map((k) => ({ v5: k, v6: `channel.without_namespace.${v6ChannelOption(k)}` })),
  ];
  const known = leaves.filter((l) => Object.hasOwn(SCHEMA, l.v5) && (l.pathKey === undefined || Object.hasOwn(SCHEMA, l.pathKey)));
  return [...known, ...autoLeaves(known)];
}

/** v5 keys translated by dedicated code (proxies, lists, broker) rather than by a leaf. */
export const SPECIAL_V5_KEYS: ReadonlySet<string> = new Set([
  'broker',
  'namespaces',
  'rpc_namespaces',
  'consumers',
  'proxies',
  'granular_proxy_mode',
  'connect_proxy_name',
  'refresh_proxy_name',
  'rpc_proxy_name',
  ...Object.keys(SCHEMA).filter((k) => k.startsWith('proxy_') && !Object.hasOwn(CHANNEL_OPTIONS, k)),
]);

/** Every v6 leaf that is read (canonical paths, file/base64 variants and aliases). */
export const LEAVES: readonly Leaf[] = [
  ...buildLeaves(),
  ...READ_ALIASES.filter(([v5]) => Object.hasOwn(SCHEMA, v5)).map(([v5, v6]) => ({ v5, v6 })),
];

/** v6 leaf path → leaf. */
export const LEAF_BY_V6: ReadonlyMap<string, Leaf> = new Map(LEAVES.map((l) => [l.v6, l]));

/**
 * v5 key → the v6 path it is written to (first leaf naming it; for TLS path keys the `*_pem` leaf, as the
 * converter writes them). Keys of the proxy/list specials are absent.
 */
export const V6_PATH_OF: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>();
  for (const l of buildLeaves()) {
    if (l.b64 === true) continue;
    if (!m.has(l.v5)) m.set(l.v5, l.v6);
    if (l.pathKey !== undefined && !m.has(l.pathKey)) m.set(l.pathKey, l.v6);
  }
  return m;
})();

/** v6 subtrees translated by dedicated code. */
export const SPECIAL_V6_ROOTS: readonly string[] = [
  'broker.type',
  'broker.enabled',
  'client.proxy',
  'channel.proxy',
  'rpc.proxy',
  'rpc.without_namespace',
  'rpc.namespaces',
  'channel.namespaces',
  'consumers',
  'proxies',
];

/**
 * v5 keys with no v6 place (Rotor-only keys such as `disconnect_codes`, or keys added after this map):
 * they keep their v5 name at the top level of a v6 file, so neither layout rejects them.
 */
export function isNeutralKey(key: string): boolean {
  if (!Object.hasOwn(SCHEMA, key)) return false;
  if (SPECIAL_V5_KEYS.has(key)) return key === 'consumers' || key === 'proxies';
  const v6 = V6_PATH_OF.get(key);
  return v6 === undefined || v6 === key;
}

/** First segments of every v6 path (`http_server`, `client`, `engine`, …). */
export const V6_ROOTS: ReadonlySet<string> = new Set(
  [...LEAVES.map((l) => l.v6), ...SPECIAL_V6_ROOTS].map((p) => p.split('.')[0] ?? p),
);

/** Every proper prefix of a v6 leaf or special root (the objects a v6 file nests through). */
export const V6_BRANCHES: ReadonlySet<string> = new Set(
  [...LEAVES.map((l) => l.v6), ...SPECIAL_V6_ROOTS].flatMap((p) => {
    const parts = p.split('.');
    return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('.'));
  }),
);
