/**
 * @module rotor — public surface for embedding Rotor in a Node application.
 *
 * Two levels:
 * - `startServer(config)` runs the whole Centrifugo-compatible server from a config object
 *   (`loadConfig` / `validateConfig` build one from files, env or plain objects);
 * - `Node` + a `ClientHandler` + an engine give the messaging core with your own rules and
 *   transports (see README "Embedding").
 */
export { startServer, type RunningServer, type StartOptions } from './app/server.js';
export { loadConfig, validateConfig, defaultConfig, ConfigError, type Config } from './config/index.js';
export { Node, type NodeOptions, type NodeInfo, type NodeMetrics } from './core/node.js';
export type { Broker, PublishOptions, PublishResult, HistoryOptions, HistoryResult, BrokerEventHandler } from './core/broker.js';
export type { PresenceManager, PresenceStats } from './core/presence.js';
export type { Controller } from './core/controller.js';
export type { ClientHandler, SubscribeOptions, ConnectDecision, ClientView } from './core/handler.js';
export { SubscriptionSource } from './core/handler.js';
export type { ChannelOptions, ChannelOptionsResolver } from './core/channel-options.js';
export { DEFAULT_CHANNEL_OPTIONS } from './core/channel-options.js';
export { compileTagsFilter, type TagsFilter } from './core/tags-filter.js';
export type { Transport, TransportName } from './core/transport.js';
export type { Client } from './core/client/client.js';
export type { ClientInfo, Publication, StreamPosition, Credentials } from './core/types.js';
export { ClientErrors, ClientError, EngineError, isClientError } from './core/errors.js';
export { Disconnects, Unsubscribes, DisconnectError, customDisconnect, type Disconnect, type DisconnectCodesMode } from './core/disconnect.js';
export { systemClock, ManualClock, type Clock } from './core/clock.js';
export type { Logger } from './core/logger.js';
export { MemoryBroker, MemoryPresenceManager } from './engines/memory/index.js';
export { Executor } from './api/executor.js';
export { ConfigChannelOptionsResolver } from './policy/channel-options.js';
export { ClientPolicy } from './policy/client-policy.js';
export { TokenVerifier, TokenError } from './auth/index.js';
export { jsonCodec, protobufCodec, codecFor, type Codec } from './protocol/index.js';
export { VERSION } from './version.js';
