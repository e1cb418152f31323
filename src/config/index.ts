/** @module config — Centrifugo v5 (flat) and v6 (nested) compatible configuration: the only place that knows key names. */
export { loadConfig, type LoadConfigInput, type LoadConfigResult } from './load.js';
export { defaultConfig, validateConfig } from './validate.js';
export { ConfigError, type ConfigProblem } from './errors.js';
export { parseDuration, formatDuration } from './duration.js';
export { formatOf, readConfigFile, stringifyConfig } from './file.js';
export { v5ToV6, defaultRaw } from './v6/to-v6.js';
export { detectLayout } from './v6/layout.js';
export { keyDocs, type KeyDoc } from './v6/doc.js';
export { lowerCaseEntries } from './coerce.js';
export { jwksTemplateProblemsOf } from './rules.js';
export { tlsSources, type TlsSourceKeys, type TlsSources } from './tls-sources.js';
export {
  SCHEMA,
  type Config,
  type ConfigKey,
  type ChannelOptionsConfig,
} from './schema/index.js';
export { parseConsumers } from './consumers.js';
