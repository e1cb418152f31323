/**
 * @module api/node-port — the part of the core `Node` the server-API executor calls. The real `Node`
 * (core/node.ts) satisfies it structurally; tests use a fake.
 */
import type { HistoryOptions, HistoryResult, PublishOptions, PublishResult } from '../core/broker.js';
import type { PresenceStats } from '../core/presence.js';
import type { NodeInfo, ServerSubscribeOptions, UserFilter } from '../core/node.js';
import type { ClientInfo } from '../core/types.js';

/** A core type with writable fields: the executor fills these options field by field. */
type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** Options of `ApiNode.subscribeUser`: the core's server-side subscription options. */
export type SubscribeUserOptions = Writable<ServerSubscribeOptions>;

/** Which connections of a user a command targets (the core's `UserFilter`). */
export type UserConnectionFilter = Writable<UserFilter>;

/** `disconnectUser` filter: also the client ids to keep. */
export interface DisconnectFilter extends UserConnectionFilter {
  whitelist?: readonly string[];
}

/** Options of `ApiNode.refreshUser`. */
export interface RefreshUserOptions {
  /** Close the connections with the "expired" disconnect. */
  expired?: boolean;
  /** New expiry (unix seconds); absent/0 = never expires. */
  expireAtSec?: number;
  /** Replaces connection info when non-empty. */
  info?: Uint8Array;
}

/** One node of the cluster as `info` reports it. */
export type { NodeInfo };

/** What the executor needs from the node. All methods act cluster-wide. */
export interface ApiNode {
  publish(channel: string, data: Uint8Array, options: PublishOptions): Promise<PublishResult>;
  /**
   * Rejects with ClientError UnrecoverablePosition (112) when `since.epoch` is non-empty and differs
   * from the stream epoch; any other rejection becomes API error 100.
   */
  history(channel: string, options: HistoryOptions): Promise<HistoryResult>;
  removeHistory(channel: string): Promise<void>;
  /** Client id → info. */
  presence(channel: string): Promise<Map<string, ClientInfo>>;
  presenceStats(channel: string): Promise<PresenceStats>;
  subscribeUser(userId: string, channel: string, options: SubscribeUserOptions): Promise<void>;
  unsubscribeUser(userId: string, channel: string, filter: UserConnectionFilter): Promise<void>;
  /** `disconnect` undefined = the default force disconnect (no reconnect). */
  disconnectUser(userId: string, filter: DisconnectFilter, disconnect?: { code: number; reason: string }): Promise<void>;
  refreshUser(userId: string, filter: UserConnectionFilter, options: RefreshUserOptions): Promise<void>;
  /** Channel → number of subscribers across the cluster; `""` = all; rejects with GlobError for a bad pattern. */
  channels(pattern: string): Promise<Map<string, number>>;
  info(): Promise<NodeInfo[]>;
}
