/**
 * @module config/unimplemented — the one table of configuration keys Rotor accepts but does not
 * implement (or implements only in part): why, what to use instead, and whether running without it
 * would be unsafe (then start-up stops). Start-up consults it (one warning per key set to a
 * non-default value), and the README's list is generated from it (`npm run docs:keys`).
 *
 * `area` names the part of Rotor where work on the key is under way, so rows can be dropped when
 * that part lands.
 */
import { ConfigError, type ConfigProblem } from './errors.js';
import { CHANNEL_OPTIONS, type Config } from './schema/index.js';
import { defaultConfig } from './validate.js';

export interface UnimplementedKey {
  /** A top-level key; channel-option keys are also checked in every `namespaces[]` item. */
  readonly key: keyof Config;
  /** What is missing, and what to use instead. */
  readonly reason: string;
  /** Serving without the key would be unsafe or silently wrong: start-up stops with a config error. */
  readonly fatal?: true;
  /** Only checked when this holds (e.g. sub-keys of a switch); `text` is shown in the README. */
  readonly when?: { readonly text: string; readonly test: (c: Config) => boolean };
  /** Where implementation work on the key is under way. */
  readonly area?: string;
}

const on = (key: keyof Config) => ({ text: `with \`${key}\` on`, test: (c: Config) => c[key] === true });
const redisEngine = { text: 'with `engine: redis`', test: (c: Config) => c.engine === 'redis' };

const BUFFER_REASON = 'Go WebSocket buffer tuning; Node\'s `ws` manages its own buffers';
const GRAPHITE_REASON = 'Graphite export is not implemented: scrape `/metrics` (`prometheus: true`)';
const OTEL_REASON = 'OpenTelemetry tracing is not implemented';

export const UNIMPLEMENTED_KEYS: readonly UnimplementedKey[] = [
  // ---- HTTP server ----
  { key: 'http3', reason: 'HTTP/3 is not served (it needs TLS)' },
  // ---- admin ----
  { key: 'admin_web_proxy_address', reason: 'the built-in admin UI is served (or `admin_web_path`); proxying the UI to a development server is not implemented', when: on('admin') },
  // ---- transports ----
  ...(['websocket_read_buffer_size', 'websocket_write_buffer_size', 'websocket_use_write_buffer_pool', 'uni_websocket_read_buffer_size', 'uni_websocket_write_buffer_size', 'uni_websocket_use_write_buffer_pool'] as const).map(
    (key): UnimplementedKey => ({ key, reason: BUFFER_REASON }),
  ),
  { key: 'sockjs', reason: 'SockJS is not served (deprecated in Centrifugo v5, removed in v6): centrifuge-js falls back to HTTP-streaming or SSE (`http_stream`, `sse`)' },
  { key: 'sockjs_url', reason: 'SockJS is not served', when: on('sockjs') },
  { key: 'sockjs_handler_prefix', reason: 'SockJS is not served', when: on('sockjs') },
  { key: 'webtransport', reason: 'WebTransport is not served: use WebSocket' },
  { key: 'webtransport_handler_prefix', reason: 'WebTransport is not served', when: on('webtransport') },
  // ---- client ----
  { key: 'client_concurrency', reason: 'a connection\'s commands are processed one after another' },
  { key: 'client_channel_position_max_time_lag', reason: 'positioned subscriptions are checked by offset only (`client_channel_position_check_delay`), not by publication time lag' },
  // ---- engines and brokers ----
  { key: 'redis_presence_hash_field_ttl', reason: 'presence entries expire through the sorted set (the Redis < 7.4 layout), not hash field TTLs', when: redisEngine },
  // ---- observability and runtime ----
  ...(['graphite', 'graphite_host', 'graphite_port', 'graphite_prefix', 'graphite_interval', 'graphite_tags'] as const).map(
    (key): UnimplementedKey => (key === 'graphite' ? { key, reason: GRAPHITE_REASON } : { key, reason: GRAPHITE_REASON, when: on('graphite') }),
  ),
  ...(['opentelemetry', 'opentelemetry_api', 'opentelemetry_consuming'] as const).map((key): UnimplementedKey => ({ key, reason: OTEL_REASON })),
  { key: 'gomaxprocs', reason: 'Node runs JavaScript on one thread: run several Rotor processes with the Redis engine or NATS broker' },
  { key: 'enable_unreleased_features', reason: 'Rotor has no features behind this switch' },
];

/** A key set to something other than its default while the table lists it. */
export interface UnimplementedFinding {
  readonly entry: UnimplementedKey;
  /** Where it is set: the key itself and/or `namespaces[i].key`. */
  readonly paths: readonly string[];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The table rows whose key is set to a non-default value in `config` (top level or any namespace). */
export function findUnimplemented(config: Config, table: readonly UnimplementedKey[] = UNIMPLEMENTED_KEYS): UnimplementedFinding[] {
  const defaults = defaultConfig();
  const out: UnimplementedFinding[] = [];
  for (const entry of table) {
    if (entry.when !== undefined && !entry.when.test(config)) continue;
    const paths: string[] = [];
    const fallback = defaults[entry.key];
    if (!same(config[entry.key], fallback)) paths.push(entry.key);
    if (Object.hasOwn(CHANNEL_OPTIONS, entry.key)) {
      config.namespaces.forEach((ns, i) => {
        if (!same((ns as Record<string, unknown>)[entry.key], fallback)) paths.push(`namespaces[${i}].${entry.key}`);
      });
    }
    if (paths.length > 0) out.push({ entry, paths });
  }
  return out;
}

/** What start-up needs from a logger. */
export interface WarnLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

/**
 * Start-up check: one warning per unimplemented key that is set; throws a ConfigError naming every
 * fatal one (before anything listens).
 */
export function checkUnimplementedKeys(config: Config, logger: WarnLogger, table: readonly UnimplementedKey[] = UNIMPLEMENTED_KEYS): void {
  const fatal: ConfigProblem[] = [];
  for (const { entry, paths } of findUnimplemented(config, table)) {
    if (entry.fatal === true) fatal.push({ path: paths[0]!, message: `not implemented in Rotor: ${entry.reason}` });
    else logger.warn(`config key ${entry.key} is not implemented: ${entry.reason}`, { key: entry.key, paths });
  }
  if (fatal.length > 0) throw new ConfigError(fatal);
}
