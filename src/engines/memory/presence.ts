/**
 * @module engines/memory/presence — in-process PresenceManager: channel → clientId → ClientInfo with a
 * refresh TTL, so entries of clients that were never removed disappear on their own.
 */
import { systemClock, type Clock } from '../../core/clock.js';
import { EngineError } from '../../core/errors.js';
import type { PresenceManager, PresenceStats } from '../../core/presence.js';
import type { ClientInfo } from '../../core/types.js';

/** Options of `MemoryPresenceManager`. */
export interface MemoryPresenceManagerOptions {
  /** @default systemClock */
  readonly clock?: Clock | undefined;
  /** Entries not refreshed for this long are gone; 0 = never expire. @default 60_000 */
  readonly ttlMs?: number | undefined;
  /**
   * Period of the sweep reclaiming expired entries of channels nobody reads; 0 disables it.
   * Only matters when `ttlMs > 0`. @default 10_000
   */
  readonly sweepIntervalMs?: number | undefined;
}

interface Entry {
  readonly info: ClientInfo;
  /** 0 = never. */
  readonly expireAt: number;
}

/** Presence for a single node. */
export class MemoryPresenceManager implements PresenceManager {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #channels = new Map<string, Map<string, Entry>>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: MemoryPresenceManagerOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#ttlMs = Math.max(0, options.ttlMs ?? 60_000);
    const interval = options.sweepIntervalMs ?? 10_000;
    if (this.#ttlMs > 0 && interval > 0) {
      this.#timer = setInterval(() => this.sweep(), interval);
      this.#timer.unref();
    }
  }

  async presence(channel: string): Promise<Map<string, ClientInfo>> {
    this.#assertOpen();
    const out = new Map<string, ClientInfo>();
    const entries = this.#live(channel);
    if (entries !== undefined) for (const [clientId, e] of entries) out.set(clientId, e.info);
    return out;
  }

  async presenceStats(channel: string): Promise<PresenceStats> {
    this.#assertOpen();
    const entries = this.#live(channel);
    if (entries === undefined) return { numClients: 0, numUsers: 0 };
    const users = new Set<string>();
    for (const e of entries.values()) users.add(e.info.userId);
    return { numClients: entries.size, numUsers: users.size };
  }

  async addPresence(channel: string, info: ClientInfo): Promise<void> {
    this.#assertOpen();
    let entries = this.#channels.get(channel);
    if (entries === undefined) {
      entries = new Map();
      this.#channels.set(channel, entries);
    }
    const expireAt = this.#ttlMs > 0 ? this.#clock.now() + this.#ttlMs : 0;
    entries.set(info.clientId, { info, expireAt });
  }

  /** Resolves after `close()` too: there is nothing left to remove. */
  async removePresence(channel: string, clientId: string, _userId: string): Promise<void> {
    const entries = this.#channels.get(channel);
    if (entries === undefined) return;
    entries.delete(clientId);
    if (entries.size === 0) this.#channels.delete(channel);
  }

  /** Removes expired entries of every channel. */
  sweep(): void {
    for (const channel of [...this.#channels.keys()]) this.#live(channel);
  }

  /** Number of channels holding entries (tests and diagnostics). */
  get channelCount(): number {
    return this.#channels.size;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#channels.clear();
  }

  /** The channel's entries with expired ones removed; undefined (and forgotten) when none is left. */
  #live(channel: string): Map<string, Entry> | undefined {
    const entries = this.#channels.get(channel);
    if (entries === undefined) return undefined;
    if (this.#ttlMs > 0) {
      const now = this.#clock.now();
      for (const [clientId, e] of entries) if (e.expireAt <= now) entries.delete(clientId);
    }
    if (entries.size > 0) return entries;
    this.#channels.delete(channel);
    return undefined;
  }

  #assertOpen(): void {
    if (this.#closed) throw new EngineError('memory presence manager is closed');
  }
}
