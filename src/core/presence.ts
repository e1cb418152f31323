/** @module core/presence — who is subscribed to a channel, shared across nodes. */
import type { ClientInfo } from './types.js';

/** Counters of `presenceStats`. */
export interface PresenceStats {
  /** Number of connections present. */
  readonly numClients: number;
  /** Number of distinct user ids (anonymous `""` counts once). */
  readonly numUsers: number;
}

/**
 * Presence storage. Entries expire unless refreshed within the manager's TTL (the client refreshes
 * every `presenceUpdateIntervalMs`), so a crashed node's clients disappear on their own.
 */
export interface PresenceManager {
  /** All entries keyed by client id. */
  presence(channel: string): Promise<Map<string, ClientInfo>>;
  presenceStats(channel: string): Promise<PresenceStats>;
  /** Adds or refreshes an entry. */
  addPresence(channel: string, info: ClientInfo): Promise<void>;
  removePresence(channel: string, clientId: string, userId: string): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}
