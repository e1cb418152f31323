/** @module config/schema/general — Centrifugo's node-level keys, logging and the disconnect numbering. */
import { bool, duration, int, oneOf, str } from './types.js';

export const GENERAL = {
  name: str('', 'node name shown in `info`; empty = `<hostname>_<port>` (resolved by the server)'),
  engine: oneOf(['memory', 'redis'], 'memory', 'engine: `memory` (single node) or `redis`'),
  broker: oneOf(['', 'nats'], '', '`nats` replaces the PUB/SUB part of the engine; empty = the engine itself'),
  gomaxprocs: int(0, 'CPU limit (accepted for compatibility; Node runs one event loop)'),
  workers: int(1, 'server processes sharing the listening ports (`rotor serve --workers N`); 0 = one per CPU core, 1 = a single process', { min: 0, max: 1024 }),
  workers_reuseport: bool(
    true,
    'with `workers` > 1: each worker binds its own SO_REUSEPORT listening sockets where the runtime supports it (Node >= 22.12) and the port is fixed; false = one socket shared by the workers',
  ),
  pid_file: str('', 'write the process id to this file at start; removed on shutdown'),
  log_level: oneOf(
    ['none', 'trace', 'debug', 'info', 'warn', 'error', 'fatal'],
    'info',
    'log level: none, trace, debug, info, warn, error, fatal',
  ),
  log_file: str('', 'append logs to this file instead of the console'),
  debug: bool(false, 'enable debug endpoints on the internal port'),
  node_info_metrics_aggregate_interval: duration('60s', 'metrics snapshot period for `info`'),
  shutdown_timeout: duration('30s', 'hard deadline for graceful shutdown, then exit status 1'),
  shutdown_termination_delay: duration('0', 'sleep before exit 0 after a graceful shutdown'),
  usage_stats_disable: bool(false, 'disable anonymous usage stats (never sent by this server)'),
  opentelemetry: bool(false, 'OTLP tracing (accepted, not implemented)'),
  opentelemetry_api: bool(false, 'OTLP tracing of server API calls (accepted, not implemented)'),
  opentelemetry_consuming: bool(false, 'OTLP tracing of consumers (accepted, not implemented)'),
  enable_unreleased_features: bool(false, 'gates experimental features'),
  disconnect_codes: oneOf(
    ['classic', 'ranged'],
    'classic',
    'disconnect code numbering: `classic` (3001–3013 table with JSON close reasons) or `ranged` (protocol v2: 3500+ terminal)',
  ),
} as const;
