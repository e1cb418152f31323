/** @module core/channel-options — per-channel behaviour, resolved from namespaces by the policy layer. */

/**
 * Options of one channel (Centrifugo's namespace options, camelCased). History is on when
 * `historySize > 0 && historyTtlMs > 0`.
 */
export interface ChannelOptions {
  /** Namespace name; `""` for top-level channels. */
  readonly namespace: string;
  readonly presence: boolean;
  /** Subscribers emit join/leave events. */
  readonly joinLeave: boolean;
  /** Every subscriber receives join/leave pushes. */
  readonly forcePushJoinLeave: boolean;
  readonly historySize: number;
  readonly historyTtlMs: number;
  /** Stream metadata TTL; 0 = the global default. */
  readonly historyMetaTtlMs: number;
  readonly forcePositioning: boolean;
  readonly allowPositioning: boolean;
  readonly forceRecovery: boolean;
  readonly allowRecovery: boolean;
  /** `''` or `'stream'` = stream recovery; `'cache'` = latest-publication recovery. */
  readonly forceRecoveryMode: '' | 'stream' | 'cache';
  /** Cache mode: every recoverable subscribe gets the latest publication, `recover` or not (Centrifugo v6). */
  readonly autoCacheRecover: boolean;
  readonly allowedDeltaTypes: readonly string[];
  readonly deltaPublish: boolean;
  /** Subscribers may send a publication tags filter (`allow_tags_filter`, Centrifugo v6). */
  readonly allowTagsFilter: boolean;
  readonly allowSubscribeForClient: boolean;
  readonly allowSubscribeForAnonymous: boolean;
  readonly allowPublishForClient: boolean;
  readonly allowPublishForSubscriber: boolean;
  readonly allowPublishForAnonymous: boolean;
  readonly allowPresenceForClient: boolean;
  readonly allowPresenceForSubscriber: boolean;
  readonly allowPresenceForAnonymous: boolean;
  readonly allowHistoryForClient: boolean;
  readonly allowHistoryForSubscriber: boolean;
  readonly allowHistoryForAnonymous: boolean;
  readonly allowUserLimitedChannels: boolean;
  /** Applied to the part of the name after `ns:`; absent = ASCII-only names. */
  readonly channelRegex?: RegExp | undefined;
}

/** True when the channel keeps a history stream. */
export function hasHistory(o: ChannelOptions): boolean {
  return o.historySize > 0 && o.historyTtlMs > 0;
}

/** Resolves a channel name to its options; throws ClientError UnknownChannel (102) for unknown namespaces. */
export interface ChannelOptionsResolver {
  resolve(channel: string): ChannelOptions;
}

/** Defaults of every channel option (all features off). */
export const DEFAULT_CHANNEL_OPTIONS: ChannelOptions = Object.freeze({
  namespace: '',
  presence: false,
  joinLeave: false,
  forcePushJoinLeave: false,
  historySize: 0,
  historyTtlMs: 0,
  historyMetaTtlMs: 0,
  forcePositioning: false,
  allowPositioning: false,
  forceRecovery: false,
  allowRecovery: false,
  forceRecoveryMode: '',
  autoCacheRecover: false,
  allowedDeltaTypes: [],
  deltaPublish: false,
  allowTagsFilter: false,
  allowSubscribeForClient: false,
  allowSubscribeForAnonymous: false,
  allowPublishForClient: false,
  allowPublishForSubscriber: false,
  allowPublishForAnonymous: false,
  allowPresenceForClient: false,
  allowPresenceForSubscriber: false,
  allowPresenceForAnonymous: false,
  allowHistoryForClient: false,
  allowHistoryForSubscriber: false,
  allowHistoryForAnonymous: false,
  allowUserLimitedChannels: false,
  channelRegex: undefined,
});
