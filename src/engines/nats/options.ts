/**
 * @module engines/nats/options — construct-time options of NatsBroker / NatsController and their
 * mapping from Centrifugo's flat config keys (Centrifugo's NATS broker keys).
 */
import { positiveOr } from '../../util/positive.js';
import { tlsObjectPems, type TlsObjectConfig } from '../../config/tls-object-pems.js';
import type { ClientTlsOptions } from '../../util/client-tls.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const DEFAULT_NATS_PREFIX = 'centrifugo';
export const DEFAULT_NATS_DIAL_TIMEOUT_MS = 1000;
export const DEFAULT_NATS_WRITE_TIMEOUT_MS = 1000;
/** Pause between reconnect attempts (the NATS Go client's default). */
export const DEFAULT_NATS_RECONNECT_TIME_WAIT_MS = 2000;

/** What a NATS connection needs; shared by the broker and the controller. */
export interface NatsConnectionOptions {
  /** `nats://[user:pass@]host:port`; several servers may be given comma-separated. */
  readonly url: string;
  /** Bound for establishing the first connection (and each reconnect attempt). @default 1000 */
  readonly dialTimeoutMs?: number | undefined;
  /**
   * Bound for waiting on the server's acknowledgement (flush after subscribing, drain on close).
   * Publishing itself never blocks: while disconnected, messages are buffered without limit.
   * @default 1000
   */
  readonly writeTimeoutMs?: number | undefined;
  /** Pause between reconnect attempts; reconnecting never gives up. @default 2000 */
  readonly reconnectTimeWaitMs?: number | undefined;
  readonly logger?: Logger | undefined;
  /** This node's id; names the NATS connection (`rotor-<nodeId>`). */
  readonly nodeId?: string | undefined;
  /** TLS to nats-server (`nats_tls`); absent = plaintext unless the URL or server demands TLS. */
  readonly tls?: NatsTlsOptions | undefined;
}

/** Client TLS to nats-server. */
export type NatsTlsOptions = ClientTlsOptions;

/** `nats_raw_mode.*`: raw subjects and raw payloads. */
export interface NatsRawModeOptions {
  readonly enabled: boolean;
  /** Subject prefix used instead of `<prefix>.client.` (no dot is added). */
  readonly prefix: string;
  /** Replacements applied to channel names to build subjects, e.g. `{":": "."}`. */
  readonly channelReplacements: Readonly<Record<string, string>>;
}

export interface NatsBrokerOptions extends NatsConnectionOptions {
  /** Subject prefix. @default 'centrifugo' */
  readonly prefix?: string | undefined;
  /** Allow `*`/`>` in channels given to `subscribe()`. @default false */
  readonly allowWildcards?: boolean | undefined;
  readonly rawMode?: NatsRawModeOptions | undefined;
  /** Time source for publication `timeMs` and idempotency-key expiry. @default systemClock */
  readonly clock?: Clock | undefined;
}

export interface NatsControllerOptions extends NatsConnectionOptions {
  /** Subject prefix. @default 'centrifugo' */
  readonly prefix?: string | undefined;
}

/**
 * The config keys this module reads (a structural subset of the application Config: flat snake_case
 * keys, durations already converted to milliseconds). `nats_raw_mode` may come as an object or as the
 * dotted keys.
 */
export interface NatsConfigSource {
  readonly nats_url?: string | undefined;
  readonly nats_prefix?: string | undefined;
  readonly nats_dial_timeout?: number | undefined;
  readonly nats_write_timeout?: number | undefined;
  readonly nats_allow_wildcards?: boolean | undefined;
  readonly nats_tls?: TlsObjectConfig | undefined;
  readonly nats_raw_mode?:
    | {
        readonly enabled?: boolean | undefined;
        readonly prefix?: string | undefined;
        readonly channel_replacements?: Readonly<Record<string, string>> | undefined;
      }
    | undefined;
  readonly 'nats_raw_mode.enabled'?: boolean | undefined;
  readonly 'nats_raw_mode.prefix'?: string | undefined;
  readonly 'nats_raw_mode.channel_replacements'?: Readonly<Record<string, string>> | undefined;
}

/** Broker options from config, every default applied; add `logger` and `nodeId` at the call site. */
export type NatsOptionsFromConfig = Required<Pick<NatsBrokerOptions, 'url' | 'prefix' | 'allowWildcards'>> & {
  readonly dialTimeoutMs: number;
  readonly writeTimeoutMs: number;
  readonly rawMode: NatsRawModeOptions;
  readonly tls?: NatsTlsOptions | undefined;
};


/**
 * Maps `nats_*` config keys to broker (and controller) options. Empty strings mean "default". Throws
 * ConfigError when `nats_tls` names an unreadable file.
 */
export function natsOptionsFromConfig(config: NatsConfigSource): NatsOptionsFromConfig {
  const raw = config.nats_raw_mode;
  const tls: NatsTlsOptions | undefined = config.nats_tls === undefined ? undefined : tlsObjectPems(config.nats_tls, 'nats_tls');
  return {
    ...(tls !== undefined ? { tls } : {}),
    url: config.nats_url !== undefined && config.nats_url !== '' ? config.nats_url : DEFAULT_NATS_URL,
    prefix: config.nats_prefix !== undefined && config.nats_prefix !== '' ? config.nats_prefix : DEFAULT_NATS_PREFIX,
    dialTimeoutMs: positiveOr(config.nats_dial_timeout, DEFAULT_NATS_DIAL_TIMEOUT_MS),
    writeTimeoutMs: positiveOr(config.nats_write_timeout, DEFAULT_NATS_WRITE_TIMEOUT_MS),
    allowWildcards: config.nats_allow_wildcards ?? false,
    rawMode: {
      enabled: raw?.enabled ?? config['nats_raw_mode.enabled'] ?? false,
      prefix: raw?.prefix ?? config['nats_raw_mode.prefix'] ?? '',
      channelReplacements: { ...(raw?.channel_replacements ?? config['nats_raw_mode.channel_replacements'] ?? {}) },
    },
  };
}
