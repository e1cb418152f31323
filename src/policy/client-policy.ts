/**
 * @module policy/client-policy — Centrifugo's client rules as a core ClientHandler: JWT
 * authentication, anonymous and insecure modes, server-side subscriptions, namespace permissions
 * (Centrifugo's connect handling, server-side subscriptions, personal channel, JWT tokens, channels and namespaces, subscriptions, client commands).
 */
import type { ConnectTokenClaims, SubscribeTokenClaims } from '../auth/claims.js';
import type { SubscribeOverride } from '../core/node.js';
import { TokenError } from '../auth/token-error.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { Config } from '../config/index.js';
import { type ChannelOptions, hasHistory } from '../core/channel-options.js';
import { DisconnectError, Disconnects } from '../core/disconnect.js';
import { ClientError, ClientErrors } from '../core/errors.js';
import {
  type ClientHandler,
  type ClientView,
  type ConnectDecision,
  type ConnectionContext,
  type HistoryDecision,
  type PublishDecision,
  type RefreshDecision,
  type ServerRefreshDecision,
  type SubRefreshDecision,
  type SubscribeOptions,
  SubscriptionSource,
} from '../core/handler.js';
import { compileTagsFilter, TagsFilter } from '../core/tags-filter.js';
import type { Credentials } from '../core/types.js';
import type { ConnectRequest, FilterNode, SubscribeRequest } from '../protocol/types.js';
import { keptEmulatedHeaders, type ProxyHooks } from '../proxy/hooks.js';
import { type ChannelHook, type ChannelRoute, forwardedNames, type ProxyDefinition, type ProxySetup, rpcRoute } from '../proxy/options.js';
import { type ConfigChannelOptionsResolver, splitChannel } from './channel-options.js';

export interface ClientPolicyOptions {
  readonly config: Config;
  readonly channels: ConfigChannelOptionsResolver;
  readonly connectionTokens: TokenVerifier;
  readonly subscriptionTokens: TokenVerifier;
  /** Proxies to the application backend (connect, refresh, subscribe, publish, sub_refresh, rpc). */
  readonly proxies?: ProxyHooks | undefined;
  /** Which namespaces enable which proxy; with no proxies configured it still marks enabled ones 'missing'. */
  readonly proxySetup?: ProxySetup | undefined;
}

export class ClientPolicy implements ClientHandler {
  // Assigned by reconfigure(), which the constructor calls.
  #config!: Config;
  #channels!: ConfigChannelOptionsResolver;
  #connTokens!: TokenVerifier;
  #subTokens!: TokenVerifier;
  #proxies: ProxyHooks | undefined;
  #proxySetup: ProxySetup | undefined;
  /** Emulated header names any proxy forwards (kept per connection only when non-empty). */
  #emulatedNames: readonly string[] = [];

  constructor(o: ClientPolicyOptions) {
    this.reconfigure(o);
  }

  /** Swaps in new settings and token verifiers (SIGHUP reload). */
  reconfigure(o: ClientPolicyOptions): void {
    this.#config = o.config;
    this.#channels = o.channels;
    this.#connTokens = o.connectionTokens;
    this.#subTokens = o.subscriptionTokens;
    this.#proxies = o.proxies;
    this.#proxySetup = o.proxySetup ?? o.proxies?.setup;
    this.#emulatedNames = this.#proxySetup !== undefined ? forwardedNames(this.#proxySetup).emulated : [];
  }

  /** The proxy route of `channel`'s namespace for a hook (see ChannelRoute). */
  #route(channel: string, hook: ChannelHook): ChannelRoute {
    const setup = this.#proxySetup;
    if (setup === undefined) return undefined;
    const { namespace } = splitChannel(channel, this.#channels.naming);
    return setup.channels.get(namespace)?.[hook];
  }

  /** A route that must be a proxy: 'missing' answers 108 (fail closed, never the allow_* rules). */
  #proxyOf(route: ChannelRoute): ProxyDefinition | undefined {
    if (route === 'missing') throw new ClientError(ClientErrors.NotAvailable);
    return route;
  }

  // ---- connect ----

  async connect(ctx: ConnectionContext, req: ConnectRequest): Promise<ConnectDecision> {
    const cfg = this.#config;
    let credentials: Credentials;
    const subscriptions = new Map<string, SubscribeOptions>();
    let tokenChannels: string[] | undefined;
    let mayRequestSubs = false;
    const token = req.token ?? '';
    const proxied = token === '' && this.#proxies?.setup.connect !== undefined ? await this.#proxies.connect(ctx, req) : undefined;
    let data: Uint8Array | undefined;
    let meta: Uint8Array | undefined;
    if (token !== '') {
      const claims = await this.#verifyConnect(token, 'connect');
      if (claims.userId === '' && cfg.disallow_anonymous_connection_tokens) throw new DisconnectError(Disconnects.PermissionDenied);
      credentials = { userId: claims.userId, expireAtSec: cfg.client_insecure ? 0 : claims.expireAtSec, info: claims.info };
      tokenChannels = this.#tokenServerSubs(claims, subscriptions);
      mayRequestSubs = true;
    } else if (proxied !== undefined) {
      credentials = { userId: proxied.userId, expireAtSec: proxied.expireAtSec, info: proxied.info };
      data = proxied.data;
      meta = proxied.meta;
      for (const channel of proxied.channels) {
        subscriptions.set(channel, sharedOptions(baseOptions(this.#channels.resolve(channel), undefined, SubscriptionSource.ConnectProxy)));
      }
      for (const [channel, so] of proxied.subs) {
        const o = this.#channels.resolve(channel);
        const opts = baseOptions(o, so.override, SubscriptionSource.ConnectProxy, so.info, so.data, so.expireAtSec);
        const tagsFilter = so.serverTagsFilter;
        subscriptions.set(channel, tagsFilter === undefined ? opts : { ...opts, tagsFilter });
      }
      mayRequestSubs = true;
    } else if (cfg.allow_anonymous_connect_without_token || cfg.client_insecure) {
      credentials = { userId: '' };
      mayRequestSubs = true;
    } else if (ctx.httpUserId !== undefined && ctx.httpUserId !== '') {
      credentials = { userId: ctx.httpUserId };
    } else {
      throw new DisconnectError(Disconnects.BadRequest);
    }
    const userId = credentials.userId;

    let singleConnectionChannel: string | undefined;
    if (cfg.user_subscribe_to_personal && userId !== '') {
      const ns = cfg.user_personal_channel_namespace;
      const channel = (ns ? ns + cfg.channel_namespace_boundary : '') + cfg.channel_user_boundary + userId;
      const o = this.#channels.resolve(channel);
      subscriptions.set(channel, sharedOptions(baseOptions(o, undefined, SubscriptionSource.UserPersonal)));
      if (cfg.user_personal_single_connection) singleConnectionChannel = channel;
    }

    if (mayRequestSubs && req.subs !== undefined) {
      for (const channel of Object.keys(req.subs)) {
        if (subscriptions.has(channel)) continue;
        let o: ChannelOptions;
        try {
          o = this.#channels.resolve(channel);
        } catch {
          throw new DisconnectError(Disconnects.BadRequest);
        }
        if (this.#isPrivate(channel) || !this.#validName(channel, o)) continue;
        // Channels whose namespace asks a subscribe proxy are never granted here (fail closed).
        if (this.#route(channel, 'subscribe') !== undefined || this.#route(channel, 'sub_refresh') !== undefined) continue;
        const userLimited = this.#isUserLimited(channel, o);
        let source: number | undefined;
        if (userLimited && this.#userAllowed(channel, userId)) source = SubscriptionSource.UserLimited;
        else if (!userLimited && o.allowSubscribeForClient && (userId !== '' || o.allowSubscribeForAnonymous)) source = SubscriptionSource.ClientAllowed;
        else if (cfg.client_insecure) source = SubscriptionSource.ClientInsecure;
        if (source !== undefined) subscriptions.set(channel, sharedOptions(baseOptions(o, undefined, source)));
      }
    }
    // A `tf` in a `subs` entry filters that server-side subscription as on a subscribe command (Centrifugo's publication tags filter).
    if (req.subs !== undefined) {
      for (const [channel, opts] of subscriptions) {
        const tf = req.subs[channel]?.tf;
        if (tf === undefined) continue;
        const tagsFilter = TagsFilter.both(clientTagsFilter(tf, opts.channelOptions), opts.tagsFilter);
        subscriptions.set(channel, { ...opts, tagsFilter, deltaFossil: false });
      }
    }
    const clientSideRefresh = this.#proxies?.setup.refresh === undefined;
    const emulatedHeaders = this.#emulatedNames.length > 0 ? keptEmulatedHeaders(this.#emulatedNames, req.headers) : undefined;
    return { credentials, subscriptions, tokenChannels, clientSideRefresh, singleConnectionChannel, data, meta, emulatedHeaders };
  }

  /** Server-side subscriptions from token `subs` (or `channels` when `subs` is empty). */
  #tokenServerSubs(claims: ConnectTokenClaims, out: Map<string, SubscribeOptions>): string[] {
    const subsKeys = Object.keys(claims.subs);
    if (subsKeys.length > 0) {
      for (const channel of subsKeys) {
        const s = claims.subs[channel]!;
        const o = this.#channels.resolve(channel);
        out.set(channel, baseOptions(o, s.override, SubscriptionSource.ConnectionToken, s.info, s.data));
      }
      return subsKeys;
    }
    for (const channel of claims.channels) {
      out.set(channel, sharedOptions(baseOptions(this.#channels.resolve(channel), undefined, SubscriptionSource.ConnectionToken)));
    }
    return [...claims.channels];
  }

  async #verifyConnect(token: string, phase: 'connect' | 'refresh'): Promise<ConnectTokenClaims> {
    try {
      return await this.#connTokens.verifyConnectToken(token);
    } catch (err) {
      if (err instanceof TokenError && err.kind === 'expired') {
        if (phase === 'connect') throw new ClientError(ClientErrors.TokenExpired);
        throw new DisconnectError(Disconnects.Expired);
      }
      // Keys temporarily unavailable (JWKS endpoint failing): internal error, temporary → the client retries.
      if (err instanceof TokenError && err.kind === 'unavailable') throw new ClientError(ClientErrors.Internal, { cause: err });
      throw new DisconnectError(Disconnects.InvalidToken, { cause: err });
    }
  }

  // ---- subscribe ----

  async subscribe(client: ClientView, req: SubscribeRequest): Promise<SubscribeOptions> {
    const channel = req.channel ?? '';
    const o = this.#channels.resolve(channel);
    if (!this.#validName(channel, o)) throw new ClientError(ClientErrors.BadRequest);
    const userId = client.userId;
    const token = req.token ?? '';
    let opts: SubscribeOptions;
    let serverFilter: TagsFilter | undefined;
    if (this.#isPrivate(channel) && token === '') throw new ClientError(ClientErrors.PermissionDenied);
    if (token !== '') {
      const claims = await this.#verifySubscribe(token, false);
      this.#checkSubClaims(claims, channel, client);
      opts = baseOptions(o, claims.override, SubscriptionSource.SubscriptionToken, claims.info, claims.data, claims.expireAtSec);
    } else {
      const userLimited = this.#isUserLimited(channel, o);
      // User-limited channels never go to subscribe proxies (Centrifugo's order of checks).
      const subProxy = userLimited ? undefined : this.#proxyOf(this.#route(channel, 'subscribe'));
      const refreshProxy = this.#proxyOf(this.#route(channel, 'sub_refresh'));
      const streamProxy = userLimited ? undefined : this.#proxyOf(this.#route(channel, 'subscribe_stream'));
      let source: number;
      if (userLimited && this.#userAllowed(channel, userId)) {
        opts = baseOptions(o, undefined, SubscriptionSource.UserLimited);
      } else if (streamProxy !== undefined) {
        const { namespace } = splitChannel(channel, this.#channels.naming);
        const bidi = this.#proxySetup?.streamBidirectional.has(namespace) === true;
        const { result: r, stream } = await this.#proxies!.subscribeStream(streamProxy, client, req, bidi);
        // A stream subscription is never interned (it carries its own stream).
        return { ...baseOptions(o, r.override, SubscriptionSource.SubscribeProxy, r.info, r.data, r.expireAtSec), stream };
      } else if (subProxy !== undefined) {
        const r = await this.#proxies!.subscribe(subProxy, client, req);
        opts = baseOptions(o, r.override, SubscriptionSource.SubscribeProxy, r.info, r.data, r.expireAtSec);
        serverFilter = r.serverTagsFilter;
      } else {
        if (!userLimited && o.allowSubscribeForClient && (userId !== '' || o.allowSubscribeForAnonymous)) source = SubscriptionSource.ClientAllowed;
        else if (this.#config.client_insecure) source = SubscriptionSource.ClientInsecure;
        else throw new ClientError(ClientErrors.PermissionDenied);
        opts = baseOptions(o, undefined, source);
      }
      if (refreshProxy !== undefined) opts = { ...opts, clientSideRefresh: false };
    }
    const tagsFilter = TagsFilter.both(clientTagsFilter(req.tf, o), serverFilter);
    // Client-requested features (Centrifugo's subscription options); during subscribe "subscribed" counts as true.
    const historyAccess = this.#access(o, userId, true, 'history');
    let { enablePositioning, enableRecovery, pushJoinLeave } = opts;
    if (req.positioned && (o.allowPositioning || historyAccess)) enablePositioning = true;
    if (req.recoverable && (o.allowRecovery || historyAccess) && hasHistory(o)) enableRecovery = true;
    if (req.joinLeave && o.joinLeave && this.#access(o, userId, true, 'presence')) pushJoinLeave = true;
    // No delta for filtered subscriptions: a patch needs the previous publication, which the filter may drop.
    const deltaFossil = tagsFilter === undefined && req.delta === 'fossil' && o.allowedDeltaTypes.includes('fossil');
    const final = { ...opts, enablePositioning, enableRecovery, pushJoinLeave, deltaFossil, tagsFilter };
    // Token-less subscriptions of one channel kind are identical: share one frozen object per kind
    // (one less allocation per subscription; see bench memory per connection).
    return token === '' ? sharedOptions(final) : final;
  }

  async #verifySubscribe(token: string, refresh: boolean): Promise<SubscribeTokenClaims> {
    try {
      return await this.#subTokens.verifySubscribeToken(token);
    } catch (err) {
      if (err instanceof TokenError && err.kind === 'expired') throw new ClientError(ClientErrors.TokenExpired);
      if (err instanceof TokenError && err.kind === 'unavailable') throw new ClientError(ClientErrors.Internal, { cause: err });
      if (refresh) throw new DisconnectError(Disconnects.InvalidToken, { cause: err });
      throw new ClientError(ClientErrors.PermissionDenied);
    }
  }

  #checkSubClaims(claims: SubscribeTokenClaims, channel: string, client: ClientView): void {
    if (claims.channel !== channel || claims.userId !== client.userId || (claims.client !== '' && claims.client !== client.id)) {
      throw new DisconnectError(Disconnects.InvalidToken);
    }
  }

  // ---- other commands ----

  async publish(client: ClientView, channel: string, data: Uint8Array): Promise<PublishDecision> {
    const o = this.#channels.resolve(channel);
    if (!this.#validName(channel, o)) throw new ClientError(ClientErrors.BadRequest);
    if (data.byteLength === 0) throw new ClientError(ClientErrors.BadRequest);
    const pubProxy = this.#proxyOf(this.#route(channel, 'publish'));
    // Subscribe-stream namespaces take publications only through a bidirectional stream the client
    // is subscribed with (handled by the core before this); anything else is not available.
    if (pubProxy === undefined && this.#route(channel, 'subscribe_stream') !== undefined) throw new ClientError(ClientErrors.NotAvailable);
    if (pubProxy !== undefined) {
      const r = await this.#proxies!.publish(pubProxy, client, channel, data);
      return { channelOptions: o, data: r.data, skipHistory: r.skipHistory };
    }
    const anonOk = client.userId !== '' || o.allowPublishForAnonymous;
    const allowed =
      (o.allowPublishForClient && anonOk) ||
      (o.allowPublishForSubscriber && client.isSubscribed(channel) && anonOk) ||
      this.#config.client_insecure;
    if (!allowed) throw new ClientError(ClientErrors.PermissionDenied);
    return { channelOptions: o };
  }

  async presence(client: ClientView, channel: string): Promise<ChannelOptions> {
    const o = this.#channels.resolve(channel);
    if (!this.#validName(channel, o)) throw new ClientError(ClientErrors.BadRequest);
    if (!o.presence) throw new ClientError(ClientErrors.NotAvailable);
    if (!this.#access(o, client.userId, client.isSubscribed(channel), 'presence')) throw new ClientError(ClientErrors.PermissionDenied);
    return o;
  }

  async history(client: ClientView, channel: string): Promise<HistoryDecision> {
    const o = this.#channels.resolve(channel);
    if (!this.#validName(channel, o)) throw new ClientError(ClientErrors.BadRequest);
    if (!hasHistory(o)) throw new ClientError(ClientErrors.NotAvailable);
    if (!this.#access(o, client.userId, client.isSubscribed(channel), 'history')) throw new ClientError(ClientErrors.PermissionDenied);
    return { channelOptions: o };
  }

  async rpc(client: ClientView, method: string, data: Uint8Array | undefined): Promise<Uint8Array | undefined> {
    const cfg = this.#config;
    if (cfg.rpc_ping && method === cfg.rpc_ping_method) return undefined;
    const setup = this.#proxies?.setup;
    if (setup !== undefined && (setup.rpc.top !== undefined || setup.rpc.namespaces.size > 0)) {
      const route = rpcRoute(setup, method);
      if (route === 'not_found') throw new ClientError(ClientErrors.MethodNotFound);
      if (route === 'missing') throw new ClientError(ClientErrors.NotAvailable);
      return this.#proxies!.rpc(route, client, method, data);
    }
    if (!this.#config.rpc_ping) throw new ClientError(ClientErrors.NotAvailable);
    if (method === this.#config.rpc_ping_method) return undefined;
    throw new ClientError(ClientErrors.MethodNotFound);
  }

  async refresh(client: ClientView, token: string): Promise<RefreshDecision> {
    const claims = await this.#verifyConnect(token, 'refresh');
    if (claims.userId !== client.userId) throw new DisconnectError(Disconnects.InvalidToken);
    const subs = Object.keys(claims.subs);
    return {
      expireAtSec: this.#config.client_insecure ? 0 : claims.expireAtSec,
      info: claims.info,
      tokenChannels: subs.length > 0 ? subs : claims.channels,
    };
  }

  async subRefresh(client: ClientView, channel: string, token: string): Promise<SubRefreshDecision> {
    const claims = await this.#verifySubscribe(token, true);
    this.#checkSubClaims(claims, channel, client);
    return { expireAtSec: claims.expireAtSec, chanInfo: claims.info };
  }

  serverSubscribe(_userId: string, channel: string): ChannelOptions {
    return this.#channels.resolve(channel);
  }

  async refreshConnection(client: ClientView): Promise<ServerRefreshDecision> {
    if (this.#proxies?.setup.refresh === undefined) return { expired: true, expireAtSec: 0 };
    return this.#proxies.refresh(client);
  }

  async refreshSubscription(client: ClientView, channel: string): Promise<ServerRefreshDecision> {
    const route = this.#route(channel, 'sub_refresh');
    if (route === undefined || route === 'missing') return { expired: true, expireAtSec: 0 };
    return this.#proxies!.subRefresh(route, client, channel);
  }

  // ---- helpers ----

  #access(o: ChannelOptions, userId: string, subscribed: boolean, what: 'history' | 'presence'): boolean {
    const forClient = what === 'history' ? o.allowHistoryForClient : o.allowPresenceForClient;
    const forSubscriber = what === 'history' ? o.allowHistoryForSubscriber : o.allowPresenceForSubscriber;
    const forAnon = what === 'history' ? o.allowHistoryForAnonymous : o.allowPresenceForAnonymous;
    const anonOk = userId !== '' || forAnon;
    return (forClient && anonOk) || (forSubscriber && subscribed && anonOk) || this.#config.client_insecure;
  }

  #isPrivate(channel: string): boolean {
    const p = this.#config.channel_private_prefix;
    return p !== '' && channel.startsWith(p);
  }

  #isUserLimited(channel: string, o: ChannelOptions): boolean {
    return o.allowUserLimitedChannels && channel.includes(this.#config.channel_user_boundary);
  }

  #userAllowed(channel: string, userId: string): boolean {
    if (userId === '') return false;
    const b = this.#config.channel_user_boundary;
    const users = channel.slice(channel.lastIndexOf(b) + b.length).split(this.#config.channel_user_separator);
    return users.includes(userId);
  }

  /** Name rules (Centrifugo's channel name rules): `channel_regex` on the part after `ns:`, otherwise ASCII only. */
  #validName(channel: string, o: ChannelOptions): boolean {
    if (o.channelRegex !== undefined) {
      const { rest } = splitChannel(channel, this.#channels.naming);
      o.channelRegex.lastIndex = 0;
      return o.channelRegex.test(rest);
    }
    for (let i = 0; i < channel.length; i++) if (channel.charCodeAt(i) > 127) return false;
    return true;
  }
}

/** The client's own `tf` compiled; sent where the namespace does not allow tags filters → 107 (Centrifugo's subscribe checks). */
function clientTagsFilter(tf: FilterNode | undefined, o: ChannelOptions): TagsFilter | undefined {
  if (tf === undefined) return undefined;
  if (!o.allowTagsFilter) throw new ClientError(ClientErrors.BadRequest);
  return compileTagsFilter(tf);
}

const SHARED = new WeakMap<ChannelOptions, Map<number, SubscribeOptions>>();

/** Interns options that carry no per-subscription data (no info, data or expiry). */
function sharedOptions(o: SubscribeOptions): SubscribeOptions {
  if (o.chanInfo !== undefined || o.data !== undefined || o.expireAtSec !== 0 || o.tagsFilter !== undefined) return o;
  const key =
    o.source |
    (o.emitPresence ? 1 << 8 : 0) |
    (o.emitJoinLeave ? 1 << 9 : 0) |
    (o.pushJoinLeave ? 1 << 10 : 0) |
    (o.enablePositioning ? 1 << 11 : 0) |
    (o.enableRecovery ? 1 << 12 : 0) |
    (o.deltaFossil ? 1 << 13 : 0);
  let byKey = SHARED.get(o.channelOptions);
  if (byKey === undefined) {
    byKey = new Map();
    SHARED.set(o.channelOptions, byKey);
  }
  let shared = byKey.get(key);
  if (shared === undefined) {
    shared = Object.freeze(o);
    byKey.set(key, shared);
  }
  return shared;
}

/** Subscription options from namespace settings plus token overrides. */
function baseOptions(
  o: ChannelOptions,
  override: SubscribeOverride | undefined,
  source: number,
  chanInfo?: Uint8Array,
  data?: Uint8Array,
  expireAtSec = 0,
): SubscribeOptions {
  const forceRecovery = (override?.forceRecovery ?? o.forceRecovery) && hasHistory(o);
  const forcePositioning = override?.forcePositioning ?? o.forcePositioning;
  return {
    channelOptions: o,
    emitPresence: override?.presence ?? o.presence,
    emitJoinLeave: override?.joinLeave ?? o.joinLeave,
    pushJoinLeave: override?.forcePushJoinLeave ?? o.forcePushJoinLeave,
    enablePositioning: forcePositioning || forceRecovery,
    enableRecovery: forceRecovery,
    chanInfo,
    data,
    expireAtSec,
    source,
  };
}
