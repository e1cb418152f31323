/** @module config/schema — the full Centrifugo v5 flat key table and the `Config` type derived from it. */
import { API } from './api.js';
import { CHANNEL, CHANNEL_OPTIONS } from './channel.js';
import { CLIENT } from './client.js';
import { GENERAL } from './general.js';
import { HTTP } from './http.js';
import { NATS } from './nats.js';
import { PROXY } from './proxy.js';
import { REDIS } from './redis.js';
import { TRANSPORTS } from './transports.js';
import type { Fields, ValuesOf } from './types.js';

/** Every top-level key: name → type, default and doc. The single source of truth for loading and validation. */
export const SCHEMA = {
  ...GENERAL,
  ...HTTP,
  ...API,
  ...CLIENT,
  ...CHANNEL,
  ...REDIS,
  ...NATS,
  ...TRANSPORTS,
  ...PROXY,
} as const satisfies Fields;

export { CHANNEL_OPTIONS };
export { HANDLER_PREFIX_KEYS } from './http.js';
export type * from './types.js';

/**
 * The loaded configuration: a deep-frozen object with exactly the snake_case keys of `SCHEMA`.
 * Durations are milliseconds; `port`/`internal_port` are numbers (`internal_port` 0 = same as `port`);
 * `*_handler_prefix` values are normalised (no trailing `/`, empty → `/`).
 */
export type Config = ValuesOf<typeof SCHEMA>;

/** Channel options with snake_case keys (durations in ms), as found at the top level and in namespaces. */
export type ChannelOptionsConfig = ValuesOf<typeof CHANNEL_OPTIONS>;

/** Lower-case key names of `SCHEMA`. */
export type ConfigKey = keyof Config;
