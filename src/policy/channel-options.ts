/** @module policy/channel-options — namespaces config → ChannelOptions (Centrifugo's namespace resolution). */
import { compileGoRegex } from '../auth/go-regex.js';
import type { ChannelOptionsConfig, Config } from '../config/index.js';
import type { ChannelOptions, ChannelOptionsResolver } from '../core/channel-options.js';
import { ClientError, ClientErrors } from '../core/errors.js';

/** Channel naming rules shared by the resolver and the permission checks. */
export interface ChannelNaming {
  readonly privatePrefix: string;
  readonly namespaceBoundary: string;
  readonly userBoundary: string;
  readonly userSeparator: string;
}

function namingFromConfig(config: Config): ChannelNaming {
  return {
    privatePrefix: config.channel_private_prefix,
    namespaceBoundary: config.channel_namespace_boundary,
    userBoundary: config.channel_user_boundary,
    userSeparator: config.channel_user_separator,
  };
}

/** Splits a channel into namespace and the rest (first boundary after stripping the private prefix). */
export function splitChannel(channel: string, naming: ChannelNaming): { namespace: string; rest: string } {
  const stripped =
    naming.privatePrefix !== '' && channel.startsWith(naming.privatePrefix) ? channel.slice(naming.privatePrefix.length) : channel;
  if (naming.namespaceBoundary === '') return { namespace: '', rest: channel };
  const i = stripped.indexOf(naming.namespaceBoundary);
  if (i < 0) return { namespace: '', rest: channel };
  return { namespace: stripped.slice(0, i), rest: stripped.slice(i + naming.namespaceBoundary.length) };
}

function toChannelOptions(namespace: string, c: ChannelOptionsConfig): ChannelOptions {
  return Object.freeze({
    namespace,
    presence: c.presence,
    joinLeave: c.join_leave,
    forcePushJoinLeave: c.force_push_join_leave,
    historySize: c.history_size,
    historyTtlMs: c.history_ttl,
    historyMetaTtlMs: c.history_meta_ttl,
    forcePositioning: c.force_positioning,
    allowPositioning: c.allow_positioning,
    forceRecovery: c.force_recovery,
    allowRecovery: c.allow_recovery,
    forceRecoveryMode: c.force_recovery_mode,
    autoCacheRecover: c.auto_cache_recover,
    allowedDeltaTypes: [...c.allowed_delta_types],
    deltaPublish: c.delta_publish,
    allowTagsFilter: c.allow_tags_filter,
    allowSubscribeForClient: c.allow_subscribe_for_client,
    allowSubscribeForAnonymous: c.allow_subscribe_for_anonymous,
    allowPublishForClient: c.allow_publish_for_client,
    allowPublishForSubscriber: c.allow_publish_for_subscriber,
    allowPublishForAnonymous: c.allow_publish_for_anonymous,
    allowPresenceForClient: c.allow_presence_for_client,
    allowPresenceForSubscriber: c.allow_presence_for_subscriber,
    allowPresenceForAnonymous: c.allow_presence_for_anonymous,
    allowHistoryForClient: c.allow_history_for_client,
    allowHistoryForSubscriber: c.allow_history_for_subscriber,
    allowHistoryForAnonymous: c.allow_history_for_anonymous,
    allowUserLimitedChannels: c.allow_user_limited_channels,
    channelRegex: c.channel_regex ? compileGoRegex(c.channel_regex) : undefined,
  });
}

/** Resolves channel options from the config's top-level options and namespaces. */
export class ConfigChannelOptionsResolver implements ChannelOptionsResolver {
  naming: ChannelNaming;
  #top: ChannelOptions;
  #namespaces = new Map<string, ChannelOptions>();

  constructor(config: Config) {
    this.naming = namingFromConfig(config);
    this.#top = withMetaTtl(toChannelOptions('', config), config.global_history_meta_ttl);
    this.reconfigure(config);
  }

  /** Replaces the namespaces and top-level options (SIGHUP reload); existing subscriptions keep theirs. */
  reconfigure(config: Config): void {
    const globalMs = config.global_history_meta_ttl;
    const namespaces = new Map<string, ChannelOptions>();
    for (const ns of config.namespaces) namespaces.set(ns.name, withMetaTtl(toChannelOptions(ns.name, ns), globalMs));
    this.naming = namingFromConfig(config);
    this.#top = withMetaTtl(toChannelOptions('', config), globalMs);
    this.#namespaces = namespaces;
  }

  resolve(channel: string): ChannelOptions {
    const { namespace } = splitChannel(channel, this.naming);
    if (namespace === '') return this.#top;
    const o = this.#namespaces.get(namespace);
    if (o === undefined) throw new ClientError(ClientErrors.UnknownChannel);
    return o;
  }

  /** Does the namespace exist? ('' = top level, always) */
  hasNamespace(name: string): boolean {
    return name === '' || this.#namespaces.has(name);
  }
}

function withMetaTtl(o: ChannelOptions, globalMs: number): ChannelOptions {
  if (o.historyMetaTtlMs > 0) return o;
  return Object.freeze({ ...o, historyMetaTtlMs: globalMs });
}
