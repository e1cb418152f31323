/** @module engines/memory — the single-node engine: MemoryBroker and MemoryPresenceManager. */
export { MemoryBroker } from './broker.js';
export { MemoryPresenceManager } from './presence.js';
