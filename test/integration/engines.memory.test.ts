/**
 * @module test/integration/engines.memory — the engine contracts against the memory engine.
 *
 * Runs the broker contract twice: with the sweep timer off (expiry seen lazily on access) and with
 * `sweep()` after every clock move (expiry reclaimed by the sweep before the read).
 */
import { ManualClock } from '../../src/core/clock.js';
import { MemoryBroker } from '../../src/engines/memory/broker.js';
import { MemoryPresenceManager } from '../../src/engines/memory/presence.js';
import { runBrokerContract } from '../contract/broker.contract.js';
import { runPresenceContract } from '../contract/presence.contract.js';

const caps = { history: true, ttlWithFakeClock: true };

runBrokerContract(
  'memory (lazy expiry)',
  async () => {
    const clock = new ManualClock();
    const broker = new MemoryBroker({ clock, sweepIntervalMs: 0 });
    return { broker, clock, close: () => broker.close() };
  },
  caps,
);

runBrokerContract(
  'memory (swept expiry)',
  async () => {
    const clock = new ManualClock();
    const broker = new MemoryBroker({ clock, sweepIntervalMs: 0 });
    const advance = async (ms: number): Promise<void> => {
      clock.advance(ms);
      broker.sweep();
    };
    return { broker, clock, advance, close: () => broker.close() };
  },
  caps,
);

runPresenceContract(
  'memory',
  async () => {
    const clock = new ManualClock();
    const ttlMs = 60_000;
    const presence = new MemoryPresenceManager({ clock, ttlMs, sweepIntervalMs: 0 });
    const advance = async (ms: number): Promise<void> => {
      clock.advance(ms);
    };
    return { presence, advance, ttlMs, close: () => presence.close() };
  },
  { ttl: true },
);

runPresenceContract(
  'memory (swept, default options)',
  async () => {
    const clock = new ManualClock();
    const presence = new MemoryPresenceManager({ clock });
    const advance = async (ms: number): Promise<void> => {
      clock.advance(ms);
      presence.sweep();
    };
    return { presence, advance, close: () => presence.close() };
  },
  { ttl: true },
);
