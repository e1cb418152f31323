/** @module config — Centrifugo v5 compatible configuration: the only place that knows key names. */
export { loadConfig, type LoadConfigInput, type LoadConfigResult } from './load.js';
export { defaultConfig, validateConfig, normalisePrefix } from './validate.js';
export { ConfigError, type ConfigProblem } from './errors.js';
export { parseDuration, formatDuration, DurationError } from './duration.js';
export { envName } from './env.js';
export { formatOf, type ConfigFormat } from './file.js';
export { NAMESPACE_NAME } from './rules.js';
export { tlsSources, type TlsServer, type TlsSourceKeys, type TlsSources } from './tls-sources.js';
export {
  SCHEMA,
  type Config,
  type ConfigKey,
  type ChannelOptionsConfig,
  type NamespaceConfig,
  type RpcNamespaceConfig,
  type FieldSpec,
  type FieldType,
} from './schema/index.js';
export {
  parseConsumers,
  type ConsumerConfig,
  type ParsedConsumers,
  type PostgresConsumerOptions,
  type RedisStreamConsumerOptions,
  type NatsJetStreamConsumerOptions,
  type PublicationDataMode,
} from './consumers.js';
