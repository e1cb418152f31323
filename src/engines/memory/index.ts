/** @module engines/memory — the single-node engine: MemoryBroker and MemoryPresenceManager. */
export { MemoryBroker, type MemoryBrokerOptions, type MemoryBrokerStats } from './broker.js';
export { MemoryPresenceManager, type MemoryPresenceManagerOptions } from './presence.js';
export { generateEpoch, EPOCH_LENGTH } from './epoch.js';
