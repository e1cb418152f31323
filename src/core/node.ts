/**
 * @module core/node — the messaging engine: owns the hub, broker, presence manager and control bus.
 *
 * Publish/history/presence go to the engines; user-targeted operations (subscribe, unsubscribe,
 * disconnect, refresh) act on local connections and are broadcast to other nodes over the
 * controller; `channels` and `info` gather every node's view (survey / heartbeat registry).
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_HISTORY_META_TTL_MS, type Broker, type BrokerEventHandler, type HistoryOptions, type HistoryResult, type PublishOptions, type PublishResult } from './broker.js';
import type { ChannelOptionsResolver } from './channel-options.js';
import { Client, type ClientConfig, type ClientContext, DEFAULT_CLIENT_CONFIG } from './client/client.js';
import { type Clock, systemClock } from './clock.js';
import {
  type ControlBody,
  type ControlMessage,
  decodeControl,
  encodeControl,
  fromB64,
  type NodeInfoMessage,
  type NodeInfoMetrics,
  toB64,
} from './control.js';
import type { Controller } from './controller.js';
import { customDisconnect, type Disconnect, type DisconnectCodesMode, type DisconnectDescriptor, Disconnects, Unsubscribes } from './disconnect.js';
import { ClientError, ClientErrors } from './errors.js';
import type { ClientHandler } from './handler.js';
import { Hub } from './hub.js';
import type { UserConnectionSlots } from './user-slots.js';
import { type Logger, silentLogger } from './logger.js';
import type { PresenceManager, PresenceStats } from './presence.js';
import { TimerWheel } from './timer-wheel.js';
import type { Transport } from './transport.js';
import type { ClientInfo, Publication, StreamPosition } from './types.js';
import { compileGlob } from '../util/glob.js';

/** Counters the node reports; the observability layer implements them (all optional). */
export interface NodeMetrics {
  messagesSent?(type: 'publication' | 'join' | 'leave' | 'control'): void;
  messagesReceived?(type: 'publication' | 'join' | 'leave' | 'control'): void;
  action?(action: string): void;
  clientCommand?(method: string, durationSec: number): void;
  replyError?(method: string, code: number): void;
  serverDisconnect?(code: number): void;
  serverUnsubscribe?(code: number): void;
  recover?(recovered: boolean): void;
  transportConnect?(transport: string): void;
  /**
   * The message counters of one transport kind (layout in core/frame-types.ts), asked once per
   * connection; the connection increments it directly.
   */
  frameCounters?(transport: string): Float64Array;
  /** Time between a server ping and the client's pong. */
  pingPong?(transport: string, seconds: number): void;
  surveyDuration?(op: string, seconds: number): void;
  /** Time to hand a publication to every local subscriber (only when there are some). */
  broadcastDuration?(seconds: number): void;
  pubSubLag?(seconds: number): void;
}

export interface NodeOptions {
  /** Node name shown in `info`. */
  readonly name: string;
  /** Server version string (connect result uses `<version> OSS`-style text given here). */
  readonly version: string;
  readonly broker: Broker;
  readonly presenceManager: PresenceManager;
  /** Control bus between nodes; absent = single node. */
  readonly controller?: Controller | undefined;
  /** Permission and option decisions for client commands. */
  readonly handler: ClientHandler;
  readonly channels: ChannelOptionsResolver;
  readonly logger?: Logger | undefined;
  readonly clock?: Clock | undefined;
  /** @default 'classic' */
  readonly disconnectCodes?: DisconnectCodesMode | undefined;
  readonly client?: Partial<ClientConfig> | undefined;
  readonly metrics?: NodeMetrics | undefined;
  /** The node's current metrics snapshot for `info` (sent with every heartbeat); absent = none. */
  readonly infoMetrics?: (() => NodeInfoMetrics | undefined) | undefined;
  /** Heartbeat period; @default 3000 */
  readonly nodeInfoIntervalMs?: number | undefined;
  /** Survey timeout; @default 10_000 */
  readonly surveyTimeoutMs?: number | undefined;
  /**
   * Unidirectional transports turn a connect error into a disconnect; these transforms (error code →
   * disconnect) are applied before the built-in mapping (`client_connect_code_to_unidirectional_disconnect`).
   */
  readonly uniConnectErrorTransforms?: ReadonlyMap<number, Disconnect> | undefined;
  /**
   * Request header names (lower-case) that transports record from the request opening a connection
   * and hand to the handler (`ClientView.headers`); GRPC transports record metadata keys of
   * `captureMetadata`. Empty (the default) records nothing.
   */
  readonly captureHeaders?: readonly string[] | undefined;
  readonly captureMetadata?: readonly string[] | undefined;
  /**
   * Where `client.userConnectionLimit` is counted when other processes share it (the workers of
   * `rotor serve --workers N`); absent = this node's own connections of the user.
   */
  readonly userConnectionSlots?: UserConnectionSlots | undefined;
}

/** One node as listed by `info`. */
export interface NodeInfo {
  readonly uid: string;
  readonly name: string;
  readonly version: string;
  readonly numClients: number;
  readonly numUsers: number;
  readonly numChannels: number;
  readonly numSubs: number;
  readonly uptimeSec: number;
  readonly metrics?: NodeInfoMetrics | undefined;
}

/** Options of a server-side subscription made through the server API. */
export interface ServerSubscribeOptions extends UserFilter {
  readonly expireAtSec?: number | undefined;
  readonly chanInfo?: Uint8Array | undefined;
  readonly data?: Uint8Array | undefined;
  readonly recoverSince?: StreamPosition | undefined;
  readonly override?: SubscribeOverride | undefined;
}

/**
 * Per-subscription overrides of channel options (token `override` claim, server API `subscribe`
 * `override`, subscribe and connect proxy results); unset = the channel option. Filled field by field by the claim and API parsers.
 */
export interface SubscribeOverride {
  presence?: boolean | undefined;
  joinLeave?: boolean | undefined;
  forcePushJoinLeave?: boolean | undefined;
  forcePositioning?: boolean | undefined;
  forceRecovery?: boolean | undefined;
}

/** Which of a user's connections a user-targeted operation reaches: all, or only one client / session. */
export interface UserFilter {
  readonly clientId?: string | undefined;
  readonly sessionId?: string | undefined;
}

/**
 * Survey reply codes every op shares; an op may add its own codes between them (the emulation op's
 * 1 = no such session).
 */
export const SurveyCodes = Object.freeze({
  Ok: 0,
  /** The request could not be read (e.g. a malformed channels pattern). */
  BadRequest: 2,
  /** No handler for the op is registered on the answering node. */
  UnknownOp: 3,
});

/** A survey handler answers a request from another node (or this one). */
export type SurveyHandler = (data: Uint8Array) => Promise<{ code: number; data: Uint8Array }>;

const NODE_EXPIRY_MS = 7000;

interface PendingSurvey {
  /** Remote replies still awaited. */
  remaining: number;
  replies: Map<string, { code: number; data: Uint8Array }>;
  done: () => void;
}

export class Node implements BrokerEventHandler {
  readonly id = randomUUID();
  readonly name: string;
  readonly version: string;
  readonly hub = new Hub();
  readonly broker: Broker;
  readonly presenceManager: PresenceManager;
  readonly controller: Controller | undefined;
  readonly handler: ClientHandler;
  readonly channelOptions: ChannelOptionsResolver;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly disconnectCodes: DisconnectCodesMode;
  readonly clientConfig: ClientConfig;
  readonly metrics: NodeMetrics;
  readonly timers: TimerWheel;
  readonly uniConnectErrorTransforms: ReadonlyMap<number, Disconnect>;
  /** See {@link NodeOptions.captureHeaders}. */
  readonly captureHeaders: readonly string[];
  readonly captureMetadata: readonly string[];
  /** See {@link NodeOptions.userConnectionSlots}. */
  readonly userConnectionSlots: UserConnectionSlots | undefined;
  readonly #startedAtMs: number;
  readonly #nodeInfoIntervalMs: number;
  readonly #infoMetrics: (() => NodeInfoMetrics | undefined) | undefined;
  readonly #surveyTimeoutMs: number;
  readonly #registry = new Map<string, { info: NodeInfo; seenAtMs: number }>();
  readonly #surveyHandlers = new Map<string, SurveyHandler>();
  readonly #pendingSurveys = new Map<number, PendingSurvey>();
  /** Serialises broker subscribe/unsubscribe per channel so they never reorder. */
  readonly #channelOps = new Map<string, Promise<void>>();
  #surveyId = 0;
  #heartbeat: NodeJS.Timeout | undefined;
  #running = false;
  #shuttingDown = false;
  #closed = false;

  constructor(options: NodeOptions) {
    this.name = options.name;
    this.version = options.version;
    this.broker = options.broker;
    this.presenceManager = options.presenceManager;
    this.controller = options.controller;
    this.handler = options.handler;
    this.channelOptions = options.channels;
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.disconnectCodes = options.disconnectCodes ?? 'classic';
    this.clientConfig = { ...DEFAULT_CLIENT_CONFIG, ...stripUndefined(options.client ?? {}) };
    this.metrics = options.metrics ?? {};
    this.timers = new TimerWheel(this.clock, 100);
    this.uniConnectErrorTransforms = options.uniConnectErrorTransforms ?? new Map();
    this.captureHeaders = options.captureHeaders ?? [];
    this.captureMetadata = options.captureMetadata ?? [];
    this.userConnectionSlots = options.userConnectionSlots;
    this.#startedAtMs = this.clock.now();
    this.#nodeInfoIntervalMs = options.nodeInfoIntervalMs ?? 3000;
    this.#infoMetrics = options.infoMetrics;
    this.#surveyTimeoutMs = options.surveyTimeoutMs ?? 10_000;
    this.#surveyHandlers.set('channels', async (data) => this.#localChannelsSurvey(data));
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Starts the engines and the heartbeat. */
  async run(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.broker.start(this);
    this.#applyNodeInfo(this.#selfInfo());
    if (this.controller !== undefined) {
      await this.controller.start(this.id, (data) => this.#onControl(data));
      await this.#sendControl({ ...this.#selfInfo() });
      this.#heartbeat = setInterval(() => {
        this.#applyNodeInfo(this.#selfInfo());
        this.#sendControl({ ...this.#selfInfo() }).catch((err: unknown) =>
          this.logger.error('error sending node info', { error: String(err) }),
        );
        this.#expireNodes();
      }, this.#nodeInfoIntervalMs);
      this.#heartbeat.unref();
    }
  }

  // ---- connections ----

  /** Creates the session for a new transport; the transport feeds it with `client.handleData`. */
  newClient(transport: Transport, context: ClientContext = {}): Client {
    const client = new Client(this, transport, context);
    this.metrics.transportConnect?.(transport.name);
    return client;
  }

  /** Resolves a catalogue entry in this node's numbering. */
  resolveDisconnect(d: DisconnectDescriptor | Disconnect): Disconnect {
    return 'classic' in d ? (this.disconnectCodes === 'classic' ? d.classic : d.ranged) : d;
  }

  // ---- subscriptions (called by clients) ----

  /** Registers a local subscriber; the first one subscribes the node through the broker. */
  async addSubscription(channel: string, client: Client): Promise<void> {
    this.metrics.action?.('add_subscription');
    if (this.hub.addSub(channel, client)) {
      await this.#serialised(channel, () => this.broker.subscribe(channel));
    }
  }

  /** Removes a local subscriber; the last one unsubscribes the node. */
  async removeSubscription(channel: string, client: Client): Promise<void> {
    this.metrics.action?.('remove_subscription');
    if (this.hub.removeSub(channel, client)) {
      await this.#serialised(channel, async () => {
        // Re-check: someone may have subscribed again while we waited our turn.
        if (!this.hub.hasSubscribers(channel)) await this.broker.unsubscribe(channel);
      });
    }
  }

  async #serialised(channel: string, op: () => Promise<void>): Promise<void> {
    const prev = this.#channelOps.get(channel) ?? Promise.resolve();
    const next = prev.then(op, op);
    const settled = next.catch(() => undefined);
    this.#channelOps.set(channel, settled);
    void settled.then(() => {
      if (this.#channelOps.get(channel) === settled) this.#channelOps.delete(channel);
    });
    return next;
  }

  // ---- BrokerEventHandler ----

  onPublication(channel: string, publication: Publication, position: StreamPosition, prev?: Publication): void {
    this.metrics.messagesReceived?.('publication');
    if (publication.timeMs !== undefined && publication.timeMs > 0) {
      this.metrics.pubSubLag?.(Math.abs(this.clock.now() - publication.timeMs) / 1000);
    }
    const started = performance.now();
    if (this.hub.broadcastPublication(channel, publication, position, prev) > 0) this.metrics.broadcastDuration?.((performance.now() - started) / 1000);
  }

  onJoin(channel: string, info: ClientInfo): void {
    this.metrics.messagesReceived?.('join');
    this.hub.broadcastJoin(channel, info);
  }

  onLeave(channel: string, info: ClientInfo): void {
    this.metrics.messagesReceived?.('leave');
    this.hub.broadcastLeave(channel, info);
  }

  // ---- publishing, history, presence ----

  publish(channel: string, data: Uint8Array, options: PublishOptions): Promise<PublishResult> {
    this.metrics.messagesSent?.('publication');
    // Not async: the broker's promise is returned as is (one microtask less per publish).
    try {
      return this.broker.publish(channel, data, options);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  async publishJoin(channel: string, info: ClientInfo): Promise<void> {
    this.metrics.messagesSent?.('join');
    return this.broker.publishJoin(channel, info);
  }

  async publishLeave(channel: string, info: ClientInfo): Promise<void> {
    this.metrics.messagesSent?.('leave');
    return this.broker.publishLeave(channel, info);
  }

  /**
   * Reads history. Rejects with UnrecoverablePosition when `since.epoch` is set and differs
   * from the stream epoch, and with BadRequest for a reverse read from offset 0.
   */
  async history(channel: string, options: HistoryOptions): Promise<HistoryResult> {
    this.metrics.action?.(options.limit === 0 ? 'history_stream_top' : 'history');
    if (options.reverse && options.since !== undefined && options.since.offset === 0) {
      throw new ClientError(ClientErrors.BadRequest);
    }
    const metaTtlMs = options.metaTtlMs > 0 ? options.metaTtlMs : DEFAULT_HISTORY_META_TTL_MS;
    const result = await this.broker.history(channel, { ...options, metaTtlMs });
    if (options.since !== undefined && options.since.epoch !== '' && options.since.epoch !== result.position.epoch) {
      throw new ClientError(ClientErrors.UnrecoverablePosition);
    }
    return result;
  }

  async removeHistory(channel: string): Promise<void> {
    this.metrics.action?.('history_remove');
    return this.broker.removeHistory(channel);
  }

  async presence(channel: string): Promise<Map<string, ClientInfo>> {
    this.metrics.action?.('presence');
    return this.presenceManager.presence(channel);
  }

  async presenceStats(channel: string): Promise<PresenceStats> {
    this.metrics.action?.('presence_stats');
    return this.presenceManager.presenceStats(channel);
  }

  // ---- user-targeted operations (local + cluster) ----

  async subscribeUser(userId: string, channel: string, options: ServerSubscribeOptions): Promise<void> {
    await this.#localSubscribe(userId, channel, options);
    await this.#sendControl({
      t: 'subscribe',
      ...userTarget(userId, options),
      channel,
      ...(options.expireAtSec ? { expireAtSec: options.expireAtSec } : {}),
      ...(options.chanInfo ? { chanInfo: toB64(options.chanInfo)! } : {}),
      ...(options.data ? { data: toB64(options.data)! } : {}),
      ...(options.recoverSince ? { recoverSince: { ...options.recoverSince } } : {}),
      ...(options.override ? { override: stripUndefined(options.override) as Record<string, boolean> } : {}),
    });
  }

  async unsubscribeUser(userId: string, channel: string, filter: UserFilter): Promise<void> {
    await this.#localUnsubscribe(userId, channel, filter);
    await this.#sendControl({
      t: 'unsubscribe',
      ...userTarget(userId, filter),
      channel,
    });
  }

  async disconnectUser(
    userId: string,
    filter: UserFilter & { whitelist?: readonly string[] | undefined },
    disconnect?: { code: number; reason: string; reconnect?: boolean | undefined },
  ): Promise<void> {
    this.#localDisconnect(userId, filter, disconnect);
    await this.#sendControl({
      t: 'disconnect',
      ...userTarget(userId, filter),
      ...(filter.whitelist?.length ? { whitelist: [...filter.whitelist] } : {}),
      ...(disconnect ? { code: disconnect.code, reason: disconnect.reason } : {}),
      ...(disconnect?.reconnect !== undefined ? { reconnect: disconnect.reconnect } : {}),
    });
  }

  async refreshUser(
    userId: string,
    filter: UserFilter,
    options: { expired?: boolean | undefined; expireAtSec?: number | undefined; info?: Uint8Array | undefined },
  ): Promise<void> {
    this.#localRefresh(userId, filter, options);
    await this.#sendControl({
      t: 'refresh',
      ...userTarget(userId, filter),
      ...(options.expired ? { expired: true } : {}),
      ...(options.expireAtSec ? { expireAtSec: options.expireAtSec } : {}),
      ...(options.info ? { info: toB64(options.info)! } : {}),
    });
  }

  async #localSubscribe(userId: string, channel: string, options: ServerSubscribeOptions): Promise<void> {
    const clients = this.hub.userClients(userId, options.clientId, options.sessionId);
    if (clients.length === 0) return;
    const channelOptions = this.handler.serverSubscribe(userId, channel);
    await Promise.all(clients.map((c) => c.serverSubscribe(channel, channelOptions, options)));
  }

  async #localUnsubscribe(userId: string, channel: string, filter: UserFilter): Promise<void> {
    const clients = this.hub.userClients(userId, filter.clientId, filter.sessionId);
    await Promise.all(clients.map((c) => c.serverUnsubscribe(channel, Unsubscribes.Server)));
  }

  #localDisconnect(
    userId: string,
    filter: UserFilter & { whitelist?: readonly string[] | undefined },
    disconnect?: { code: number; reason: string; reconnect?: boolean | undefined },
  ): void {
    const d = disconnect
      ? disconnect.reconnect !== undefined
        ? { code: disconnect.code, reason: disconnect.reason, reconnect: disconnect.reconnect }
        : customDisconnect(disconnect.code, disconnect.reason)
      : this.resolveDisconnect(Disconnects.ForceNoReconnect);
    const keep = new Set(filter.whitelist ?? []);
    for (const c of this.hub.userClients(userId, filter.clientId, filter.sessionId)) {
      if (keep.has(c.id)) continue;
      c.disconnect(d);
    }
  }

  #localRefresh(
    userId: string,
    filter: UserFilter,
    options: { expired?: boolean | undefined; expireAtSec?: number | undefined; info?: Uint8Array | undefined },
  ): void {
    for (const c of this.hub.userClients(userId, filter.clientId, filter.sessionId)) c.serverRefresh(options);
  }

  // ---- local views (this node's connections; outer layers read these, not the hub) ----

  /** Authenticated connections on this node. */
  get numClients(): number {
    return this.hub.numClients;
  }

  /** Distinct users connected to this node. */
  get numUsers(): number {
    return this.hub.numUsers;
  }

  /** Channels with at least one subscriber on this node. */
  get numChannels(): number {
    return this.hub.numChannels;
  }

  /** Subscriptions (connection × channel) on this node. */
  get numSubscriptions(): number {
    return this.hub.numSubs;
  }

  /** The connection of an emulated or unidirectional session on this node. */
  clientBySession(sessionId: string): Client | undefined {
    return this.hub.bySession(sessionId);
  }

  // ---- cluster views ----

  /**
   * Channels with subscriber counts summed over all nodes, filtered by a gobwas-style glob
   * (`""` = all). Rejects with GlobError for a malformed pattern.
   */
  async channels(pattern: string): Promise<Map<string, number>> {
    if (pattern !== '') compileGlob(pattern);
    const replies = await this.survey('channels', new TextEncoder().encode(pattern));
    const out = new Map<string, number>();
    for (const r of replies.values()) {
      if (r.code !== SurveyCodes.Ok) throw new Error(`channels survey failed with code ${r.code}`);
      const obj = JSON.parse(new TextDecoder().decode(r.data)) as Record<string, number>;
      for (const [ch, n] of Object.entries(obj)) out.set(ch, (out.get(ch) ?? 0) + n);
    }
    return out;
  }

  async #localChannelsSurvey(data: Uint8Array): Promise<{ code: number; data: Uint8Array }> {
    const pattern = new TextDecoder().decode(data);
    let match: ((s: string) => boolean) | undefined;
    if (pattern !== '') {
      try {
        match = compileGlob(pattern);
      } catch {
        return { code: SurveyCodes.BadRequest, data: new Uint8Array(0) };
      }
    }
    const obj: Record<string, number> = Object.create(null) as Record<string, number>;
    for (const [ch, n] of this.hub.channels()) if (match === undefined || match(ch)) obj[ch] = n;
    return { code: SurveyCodes.Ok, data: new TextEncoder().encode(JSON.stringify(obj)) };
  }

  /** Nodes in the registry (this node included). */
  async info(): Promise<NodeInfo[]> {
    this.#applyNodeInfo(this.#selfInfo());
    this.#expireNodes();
    return [...this.#registry.values()].map((e) => e.info);
  }

  get numNodes(): number {
    return this.#registry.size;
  }

  /**
   * Registers (or replaces) the handler answering survey `op` on this node, for requests from
   * this node and from others. Ops starting with `centrifuge_` are reserved for the library's own
   * routing (e.g. `centrifuge_emulation`, bidirectional-emulation commands for a local session).
   */
  registerSurveyHandler(op: string, handler: SurveyHandler): void {
    this.#surveyHandlers.set(op, handler);
  }

  /** Asks every node (or one) and gathers replies until all answered or the timeout. */
  async survey(op: string, data: Uint8Array, toNode?: string): Promise<Map<string, { code: number; data: Uint8Array }>> {
    this.metrics.action?.('survey');
    const started = performance.now();
    try {
      return await this.#survey(op, data, toNode);
    } finally {
      this.metrics.surveyDuration?.(op, (performance.now() - started) / 1000);
    }
  }

  async #survey(op: string, data: Uint8Array, toNode: string | undefined): Promise<Map<string, { code: number; data: Uint8Array }>> {
    const replies = new Map<string, { code: number; data: Uint8Array }>();
    const local = this.#surveyHandlers.get(op);
    if (toNode === undefined || toNode === this.id) {
      replies.set(this.id, local ? await local(data) : { code: SurveyCodes.UnknownOp, data: new Uint8Array(0) });
      if (toNode === this.id || this.controller === undefined || this.#registry.size <= 1) return replies;
    }
    if (this.controller === undefined) return replies;
    const expected = toNode !== undefined ? 1 : this.#registry.size - 1;
    const id = ++this.#surveyId;
    const finished = new Promise<void>((resolve) => {
      this.#pendingSurveys.set(id, { remaining: expected, replies, done: resolve });
    });
    const timeout = new Promise<'timeout'>((resolve) => {
      const t = setTimeout(() => resolve('timeout'), this.#surveyTimeoutMs);
      t.unref();
      void finished.then(() => clearTimeout(t));
    });
    try {
      await this.controller.publishControl(
        encodeControl(this.id, { t: 'survey_req', id, op, data: toB64(data)! }),
        toNode,
      );
      const r = await Promise.race([finished, timeout]);
      if (r === 'timeout') throw new Error(`survey ${op} timed out`);
      return replies;
    } finally {
      this.#pendingSurveys.delete(id);
    }
  }

  // ---- control bus ----

  async #sendControl(body: ControlBody, toNode?: string): Promise<void> {
    if (this.controller === undefined) return;
    this.metrics.messagesSent?.('control');
    await this.controller.publishControl(encodeControl(this.id, body), toNode);
  }

  #onControl(data: Uint8Array): void {
    this.metrics.messagesReceived?.('control');
    const msg = decodeControl(data);
    if (msg === undefined) {
      this.logger.error('malformed control message');
      return;
    }
    if (msg.from === this.id) return;
    this.#handleControl(msg).catch((err: unknown) =>
      this.logger.error('error handling control message', { error: String(err), type: msg.t }),
    );
  }

  async #handleControl(msg: ControlMessage): Promise<void> {
    switch (msg.t) {
      case 'node': {
        const known = this.#registry.has(msg.uid);
        this.#applyNodeInfo({
          uid: msg.uid,
          name: msg.name,
          version: msg.version,
          numClients: msg.numClients,
          numUsers: msg.numUsers,
          numChannels: msg.numChannels,
          numSubs: msg.numSubs,
          uptimeSec: msg.uptimeSec,
          metrics: validMetrics(msg.metrics),
        });
        if (!known) await this.#sendControl({ ...this.#selfInfo() }, msg.uid);
        return;
      }
      case 'shutdown':
        this.#registry.delete(msg.from);
        return;
      case 'disconnect':
        this.#localDisconnect(
          msg.user,
          { clientId: msg.client, sessionId: msg.session, whitelist: msg.whitelist },
          msg.code !== undefined ? { code: msg.code, reason: msg.reason ?? '', reconnect: msg.reconnect } : undefined,
        );
        return;
      case 'unsubscribe':
        await this.#localUnsubscribe(msg.user, msg.channel, { clientId: msg.client, sessionId: msg.session });
        return;
      case 'subscribe':
        await this.#localSubscribe(msg.user, msg.channel, {
          clientId: msg.client,
          sessionId: msg.session,
          expireAtSec: msg.expireAtSec,
          chanInfo: fromB64(msg.chanInfo),
          data: fromB64(msg.data),
          recoverSince: msg.recoverSince,
          override: msg.override,
        });
        return;
      case 'refresh':
        this.#localRefresh(
          msg.user,
          { clientId: msg.client, sessionId: msg.session },
          { expired: msg.expired, expireAtSec: msg.expireAtSec, info: fromB64(msg.info) },
        );
        return;
      case 'survey_req': {
        const handler = this.#surveyHandlers.get(msg.op);
        const reply = handler ? await handler(fromB64(msg.data)!) : { code: SurveyCodes.UnknownOp, data: new Uint8Array(0) };
        await this.#sendControl({ t: 'survey_resp', id: msg.id, code: reply.code, data: toB64(reply.data)! }, msg.from);
        return;
      }
      case 'survey_resp': {
        const pending = this.#pendingSurveys.get(msg.id);
        if (pending === undefined) return;
        if (pending.replies.has(msg.from)) return;
        pending.replies.set(msg.from, { code: msg.code, data: fromB64(msg.data)! });
        if (--pending.remaining <= 0) pending.done();
        return;
      }
      default: {
        const never: never = msg;
        void never;
      }
    }
  }

  #selfInfo(): NodeInfoMessage {
    const metrics = this.#infoMetrics?.();
    return {
      ...(metrics !== undefined ? { metrics } : {}),
      t: 'node',
      uid: this.id,
      name: this.name,
      version: this.version,
      numClients: this.hub.numClients,
      numUsers: this.hub.numUsers,
      numChannels: this.hub.numChannels,
      numSubs: this.hub.numSubs,
      uptimeSec: Math.floor((this.clock.now() - this.#startedAtMs) / 1000),
    };
  }

  #applyNodeInfo(m: NodeInfo | NodeInfoMessage): void {
    const info: NodeInfo = {
      uid: m.uid,
      name: m.name,
      version: m.version,
      numClients: m.numClients,
      numUsers: m.numUsers,
      numChannels: m.numChannels,
      numSubs: m.numSubs,
      uptimeSec: m.uptimeSec,
      metrics: m.metrics,
    };
    this.#registry.set(info.uid, { info, seenAtMs: this.clock.now() });
  }

  #expireNodes(): void {
    const now = this.clock.now();
    for (const [uid, e] of this.#registry) {
      if (uid !== this.id && now - e.seenAtMs > NODE_EXPIRY_MS) this.#registry.delete(uid);
    }
  }

  // ---- lifecycle ----

  /**
   * Graceful shutdown: refuse new connections, tell other nodes, close every client with
   * Disconnect Shutdown (reconnect), then close the engines. Idempotent.
   */
  async shutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#shuttingDown = true;
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    await this.#sendControl({ t: 'shutdown' }).catch(() => undefined);
    const shutdown = this.resolveDisconnect(Disconnects.Shutdown);
    for (const c of [...this.hub.allClients()]) c.disconnect(shutdown);
    this.timers.stop();
    await Promise.allSettled([this.broker.close(), this.presenceManager.close(), this.controller?.close()]);
  }
}

/** The fields of a user-targeted control message that name whose connections it reaches. */
function userTarget(userId: string, filter: UserFilter): { user: string; client?: string; session?: string } {
  return {
    user: userId,
    ...(filter.clientId ? { client: filter.clientId } : {}),
    ...(filter.sessionId ? { session: filter.sessionId } : {}),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** A remote node's metrics snapshot when well-formed (another build may send none or garbage). */
function validMetrics(m: unknown): NodeInfoMetrics | undefined {
  if (typeof m !== 'object' || m === null) return undefined;
  const { interval, items } = m as { interval?: unknown; items?: unknown };
  if (typeof interval !== 'number' || typeof items !== 'object' || items === null || Array.isArray(items)) return undefined;
  const out: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const [k, v] of Object.entries(items)) if (typeof v === 'number') out[k] = v;
  return { interval, items: out };
}
