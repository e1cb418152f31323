/**
 * @module config/consumers — the `consumers` list (Centrifugo v5 `consumers[]`, with the v6 consumer
 * types `redis_stream` and `nats_jetstream` in the same item form): every item is checked and turned
 * into typed options; every problem names its key (`consumers[0].postgresql.dsn`).
 *
 * Items: `{name, type, disabled, postgresql | redis_stream | nats_jetstream | kafka | …}`. `disabled: true`
 * (v5) or `enabled: false` (v6) switches a consumer off: it is skipped without further checks. Types
 * whose broker Rotor does not speak (`kafka`, `google_pub_sub`, `aws_sqs`, `azure_service_bus`) are
 * refused with a problem naming the `type` key rather than ignored. Durations are Go duration strings
 * (`"300ms"`) or integer nanoseconds, as inside any Centrifugo list item.
 */
import { DurationError, parseDurationNs } from './duration.js';
import type { ConfigProblem } from './errors.js';

/** Consumer types Rotor runs. */
const SUPPORTED_CONSUMER_TYPES = ['postgresql', 'redis_stream', 'nats_jetstream'] as const;
/** Centrifugo consumer types that need a broker Rotor cannot talk to: refused at start. */
const UNSUPPORTED_CONSUMER_TYPES = ['kafka', 'google_pub_sub', 'aws_sqs', 'aws_sns_sqs', 'azure_service_bus'] as const;

/** `publication_data_mode`: the message body is the publication data; the rest comes from headers/values. */
interface PublicationDataMode {
  readonly enabled: boolean;
  /** Comma-separated channels (header or stream field name). */
  readonly channels: string;
  readonly idempotencyKey: string;
  readonly delta: string;
  readonly tagsPrefix: string;
}

export interface PostgresConsumerOptions {
  readonly dsn: string;
  readonly outboxTableName: string;
  readonly numPartitions: number;
  readonly partitionSelectLimit: number;
  readonly partitionPollIntervalMs: number;
  /** `''` = no LISTEN, polling only. */
  readonly partitionNotificationChannel: string;
}

export interface RedisStreamConsumerOptions {
  /** `redis://…` URL or `host:port`. */
  readonly address: string;
  readonly user: string;
  readonly password: string;
  readonly db: number;
  readonly connectTimeoutMs: number;
  readonly streams: readonly string[];
  readonly consumerGroup: string;
  readonly visibilityTimeoutMs: number;
  readonly numWorkers: number;
  readonly payloadValue: string;
  readonly methodValue: string;
  readonly publicationDataMode: PublicationDataMode;
}

export interface NatsJetStreamConsumerOptions {
  readonly url: string;
  readonly credentialsFile: string;
  readonly username: string;
  readonly password: string;
  readonly token: string;
  readonly streamName: string;
  readonly subjects: readonly string[];
  readonly durableConsumerName: string;
  /** `''`: the body is `{"method": …, "payload": …}`. */
  readonly methodHeader: string;
  readonly publicationDataMode: PublicationDataMode;
}

export type ConsumerConfig =
  | { readonly name: string; readonly type: 'postgresql'; readonly postgresql: PostgresConsumerOptions }
  | { readonly name: string; readonly type: 'redis_stream'; readonly redisStream: RedisStreamConsumerOptions }
  | { readonly name: string; readonly type: 'nats_jetstream'; readonly natsJetStream: NatsJetStreamConsumerOptions };

export interface ParsedConsumers {
  /** Enabled, valid consumers in config order. */
  readonly consumers: readonly ConsumerConfig[];
  readonly problems: readonly ConfigProblem[];
  /** Keys accepted but not acted on (logged at start). */
  readonly warnings: readonly string[];
}

type Item = { readonly [key: string]: unknown };

const isObject = (v: unknown): v is Item => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads typed values out of one object, collecting problems under `at` and remembering the keys read. */
class Reader {
  readonly #seen = new Set<string>();
  readonly #children: Reader[] = [];

  constructor(
    readonly obj: Item,
    readonly at: string,
    readonly problems: ConfigProblem[],
  ) {}

  /** Key paths present in the object (and the nested objects read) that nothing read. */
  unread(): string[] {
    const own = Object.keys(this.obj).filter((k) => !this.#seen.has(k)).map((k) => `${this.at}.${k}`);
    return [...own, ...this.#children.flatMap((c) => c.unread())];
  }

  #bad(key: string, message: string): void {
    this.problems.push({ path: `${this.at}.${key}`, message });
  }

  has(key: string): boolean {
    this.#seen.add(key);
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }

  str(key: string, def = '', required = false): string {
    this.#seen.add(key);
    const v = this.obj[key];
    if (v === undefined || v === null || v === '') {
      if (required) this.#bad(key, 'is required');
      return def;
    }
    if (typeof v !== 'string') {
      this.#bad(key, `must be a string, got ${JSON.stringify(v)}`);
      return def;
    }
    return v;
  }

  bool(key: string, def: boolean): boolean {
    this.#seen.add(key);
    const v = this.obj[key];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'boolean') {
      this.#bad(key, `must be a boolean, got ${JSON.stringify(v)}`);
      return def;
    }
    return v;
  }

  /** An integer ≥ min; 0 / absent gives the default (Centrifugo treats 0 as "use the default"). */
  int(key: string, def: number, min = 1): number {
    this.#seen.add(key);
    const v = this.obj[key];
    if (v === undefined || v === null || v === 0) return def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      this.#bad(key, `must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
      return def;
    }
    return v;
  }

  /** Milliseconds from a Go duration string or integer nanoseconds; 0 / absent gives the default. */
  duration(key: string, defMs: number): number {
    this.#seen.add(key);
    const v = this.obj[key];
    if (v === undefined || v === null || v === 0 || v === '') return defMs;
    let ns: bigint;
    if (typeof v === 'number' && Number.isInteger(v)) ns = BigInt(v);
    else if (typeof v === 'string') {
      try {
        ns = parseDurationNs(v.trim());
      } catch (err) {
        if (!(err instanceof DurationError)) throw err;
        this.#bad(key, `malformed duration: ${err.message}`);
        return defMs;
      }
    } else {
      this.#bad(key, `must be a duration such as "300ms", got ${JSON.stringify(v)}`);
      return defMs;
    }
    if (ns < 1_000_000n) {
      if (ns !== 0n) this.#bad(key, 'must be at least 1ms');
      return defMs;
    }
    return Number(ns / 1_000_000n);
  }

  /** A list of non-empty strings (a single string is a one-item list). */
  strings(key: string, required = false): string[] {
    this.#seen.add(key);
    const v = this.obj[key];
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) {
      if (required) this.#bad(key, 'must list at least one value');
      return [];
    }
    const list: unknown[] = Array.isArray(v) ? v : [v];
    if (!list.every((s): s is string => typeof s === 'string' && s !== '')) {
      this.#bad(key, `must be a list of non-empty strings, got ${JSON.stringify(v)}`);
      return [];
    }
    return list;
  }

  /** A nested object (absent = empty). */
  child(key: string): Reader {
    this.#seen.add(key);
    const v = this.obj[key];
    if (v !== undefined && v !== null && !isObject(v)) this.#bad(key, `must be an object, got ${JSON.stringify(v)}`);
    const child = new Reader(isObject(v) ? v : {}, `${this.at}.${key}`, this.problems);
    this.#children.push(child);
    return child;
  }
}

/** SQL identifier, optionally schema-qualified: the table name is put into queries as is. */
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/;

function parsePostgres(r: Reader, name: string, env: NodeJS.ProcessEnv, warnings: string[]): PostgresConsumerOptions {
  warnUnsupported(r, [], warnings);
  // Centrifugo's documented override: CENTRIFUGO_CONSUMERS_POSTGRESQL_<CONSUMER_NAME>_DSN.
  const envDsn = env[`CENTRIFUGO_CONSUMERS_POSTGRESQL_${name}_DSN`] ?? env[`CENTRIFUGO_CONSUMERS_POSTGRESQL_${name.toUpperCase()}_DSN`];
  const dsn = envDsn !== undefined && envDsn !== '' ? envDsn : r.str('dsn', '', true);
  const outboxTableName = r.str('outbox_table_name', '', true);
  if (outboxTableName !== '' && !TABLE_NAME.test(outboxTableName)) {
    r.problems.push({ path: `${r.at}.outbox_table_name`, message: `must be a plain SQL identifier (optionally schema.table), got ${JSON.stringify(outboxTableName)}` });
  }
  return {
    dsn,
    outboxTableName,
    numPartitions: r.int('num_partitions', 1),
    partitionSelectLimit: r.int('partition_select_limit', 100),
    partitionPollIntervalMs: r.duration('partition_poll_interval', 300),
    partitionNotificationChannel: r.str('partition_notification_channel'),
  };
}

function parseDataMode(r: Reader, kind: 'header' | 'value'): PublicationDataMode {
  const suffix = kind === 'header' ? '_header' : '_value';
  const prefixKey = kind === 'header' ? 'tags_header_prefix' : 'tags_value_prefix';
  return {
    enabled: r.bool('enabled', false),
    channels: r.str(`channels${suffix}`, 'centrifugo-channels'),
    idempotencyKey: r.str(`idempotency_key${suffix}`, 'centrifugo-idempotency-key'),
    delta: r.str(`delta${suffix}`, 'centrifugo-delta'),
    tagsPrefix: r.str(prefixKey, 'centrifugo-tag-'),
  };
}

function warnUnsupported(r: Reader, keys: readonly string[], warnings: string[]): void {
  for (const key of keys) if (r.has(key)) warnings.push(`${r.at}.${key} is not supported by Rotor and is ignored`);
  const tls = r.obj['tls'];
  if (r.has('tls') && isObject(tls) && tls['enabled'] === true) warnings.push(`${r.at}.tls is not supported by Rotor and is ignored`);
}

function parseRedisStream(r: Reader, warnings: string[]): RedisStreamConsumerOptions {
  for (const key of ['cluster_address', 'sentinel_address']) {
    if (r.has(key)) r.problems.push({ path: `${r.at}.${key}`, message: 'Redis Cluster / Sentinel is not supported for redis_stream consumers; use address' });
  }
  warnUnsupported(r, ['force_resp2', 'client_name', 'io_timeout', 'sentinel_master_name'], warnings);
  const addresses = r.strings('address', true);
  if (addresses.length > 1) r.problems.push({ path: `${r.at}.address`, message: 'a redis_stream consumer reads from one Redis server: give one address' });
  return {
    address: addresses[0] ?? '',
    user: r.str('user'),
    password: r.str('password'),
    db: r.int('db', 0, 0),
    connectTimeoutMs: r.duration('connect_timeout', 1000),
    streams: r.strings('streams', true),
    consumerGroup: r.str('consumer_group', '', true),
    visibilityTimeoutMs: r.duration('visibility_timeout', 30_000),
    numWorkers: r.int('num_workers', 1),
    payloadValue: r.str('payload_value', 'payload'),
    methodValue: r.str('method_value', 'method'),
    publicationDataMode: parseDataMode(r.child('publication_data_mode'), 'value'),
  };
}

function parseNatsJetStream(r: Reader, warnings: string[]): NatsJetStreamConsumerOptions {
  warnUnsupported(r, [], warnings);
  return {
    url: r.str('url', 'nats://127.0.0.1:4222'),
    credentialsFile: r.str('credentials_file'),
    username: r.str('username'),
    password: r.str('password'),
    token: r.str('token'),
    streamName: r.str('stream_name', '', true),
    subjects: r.strings('subjects'),
    durableConsumerName: r.str('durable_consumer_name', '', true),
    methodHeader: r.str('method_header'),
    publicationDataMode: parseDataMode(r.child('publication_data_mode'), 'header'),
  };
}

/**
 * Checks the `consumers` list. Names are checked by the general rules (regex, uniqueness); this adds
 * the type and per-type options of every enabled consumer.
 */
export function parseConsumers(items: readonly unknown[], env: NodeJS.ProcessEnv = process.env): ParsedConsumers {
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  const consumers: ConsumerConfig[] = [];
  items.forEach((raw, i) => {
    const at = `consumers[${i}]`;
    if (!isObject(raw)) {
      problems.push({ path: at, message: `must be an object, got ${JSON.stringify(raw)}` });
      return;
    }
    const r = new Reader(raw, at, problems);
    r.has('name'); // checked by the general rules
    const disabled = r.bool('disabled', false) || !r.bool('enabled', true);
    if (disabled) return;
    const name = typeof raw['name'] === 'string' ? raw['name'] : '';
    const type = r.str('type', '', true);
    if (type === '') return;
    if ((UNSUPPORTED_CONSUMER_TYPES as readonly string[]).includes(type)) {
      problems.push({
        path: `${at}.type`,
        message: `consumer ${JSON.stringify(name)}: type ${JSON.stringify(type)} is not supported by Rotor (no client for that broker); supported: ${SUPPORTED_CONSUMER_TYPES.join(', ')}`,
      });
      return;
    }
    switch (type) {
      case 'postgresql':
        consumers.push({ name, type, postgresql: parsePostgres(r.child('postgresql'), name, env, warnings) });
        break;
      case 'redis_stream':
        consumers.push({ name, type, redisStream: parseRedisStream(r.child('redis_stream'), warnings) });
        break;
      case 'nats_jetstream':
        consumers.push({ name, type, natsJetStream: parseNatsJetStream(r.child('nats_jetstream'), warnings) });
        break;
      default:
        problems.push({ path: `${at}.type`, message: `unknown consumer type ${JSON.stringify(type)}; supported: ${SUPPORTED_CONSUMER_TYPES.join(', ')}` });
        return;
    }
    // Sections of the other types may sit in the item (Centrifugo ignores them too); other keys are typos
    // or options Rotor does not know.
    const sections: readonly string[] = [...SUPPORTED_CONSUMER_TYPES, ...UNSUPPORTED_CONSUMER_TYPES];
    for (const path of r.unread()) {
      if (!sections.includes(path.slice(at.length + 1))) warnings.push(`${path} is not a known consumer option and is ignored`);
    }
  });
  return { consumers, problems, warnings };
}
