/** @module config — Centrifugo v5 (flat) and v6 (nested) compatible configuration: the only place that knows key names. */
export { loadConfig, type LoadConfigInput, type LoadConfigResult } from './load.js';
export { defaultConfig, validateConfig, normalisePrefix } from './validate.js';
export { ConfigError, type ConfigProblem } from './errors.js';
export { parseDuration, formatDuration, DurationError } from './duration.js';
export { envName } from './env.js';
export { formatOf, readConfigFile, stringifyConfig, type ConfigFormat } from './file.js';
export { v5ToV6, defaultRaw } from './v6/to-v6.js';
export { detectLayout, type Layout } from './v6/layout.js';
export { keyDocs, type KeyDoc } from './v6/doc.js';
export { lowerCaseEntries } from './coerce.js';
export { NAMESPACE_NAME, jwksTemplateProblemsOf } from './rules.js';
export { tlsSources, type TlsServer, type TlsSourceKeys, type TlsSources } from './tls-sources.js';
export { tlsObjectPems, type TlsObjectConfig, type TlsObjectPems } from './tls-object-pems.js';
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
