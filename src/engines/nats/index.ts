/** @module engines/nats — NATS broker (PUB/SUB only, no history) and controller. */
export { NatsBroker } from './broker.js';
export { NatsController } from './controller.js';
export {
  DEFAULT_NATS_DIAL_TIMEOUT_MS,
  DEFAULT_NATS_PREFIX,
  DEFAULT_NATS_RECONNECT_TIME_WAIT_MS,
  DEFAULT_NATS_URL,
  DEFAULT_NATS_WRITE_TIMEOUT_MS,
  natsOptionsFromConfig,
} from './options.js';
export type {
  NatsBrokerOptions,
  NatsConfigSource,
  NatsConnectionOptions,
  NatsControllerOptions,
  NatsOptionsFromConfig,
  NatsRawModeOptions,
} from './options.js';
