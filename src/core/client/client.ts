/**
 * @module core/client/client — one connection's session: state machine, command dispatch (as Centrifugo dispatches commands),
 * outgoing queue with per-turn coalescing, timers (stale, ping/pong, expiry, periodic tick) and
 * delivery of publications / join / leave with positioning.
 */
import { randomUUID } from 'node:crypto';
import { ProtocolError, codecFor } from '../../protocol/index.js';
import type { Codec } from '../../protocol/codec.js';
import type { Command, ConnectRequest, Push, Reply } from '../../protocol/types.js';
import { closeReasonText, CONNECTION_CLOSED_CODE, type Disconnect, type DisconnectDescriptor, DisconnectError, Disconnects, type UnsubscribeDescriptor, Unsubscribes } from '../disconnect.js';
import { ClientError, ClientErrors } from '../errors.js';
import { flushScheduler, type Flushable } from '../flush-scheduler.js';
import { commandFrameType, countFrame, DISCARDED_FRAME_COUNTERS, FrameType, PUSH_PUBLICATION_SENT, pushFrameType, RECEIVED, replyFrameType, SENT } from '../frame-types.js';
import type { ClientView } from '../handler.js';
import type { ChannelOptions } from '../channel-options.js';
import type { Node, ServerSubscribeOptions } from '../node.js';
import { ENCODE_FAILED, type PreparedPublication } from '../prepared.js';
import type { TimerTarget } from '../timer-wheel.js';
import type { Transport } from '../transport.js';
import type { ClientInfo } from '../types.js';
import type { ChannelState } from './channel-state.js';
import { dispatchCommand } from './dispatch.js';
import { serverSideSubscribe } from './subscribe.js';
import { errorText } from '../../util/error-text.js';

/** Connection-level limits and timers (Centrifugo defaults). Durations ≤ 0 disable. */
export interface ClientConfig {
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  readonly staleCloseDelayMs: number;
  readonly expiredCloseDelayMs: number;
  readonly expiredSubCloseDelayMs: number;
  readonly presenceUpdateIntervalMs: number;
  readonly channelPositionCheckDelayMs: number;
  readonly channelLimit: number;
  readonly channelMaxLength: number;
  readonly queueMaxSizeBytes: number;
  readonly userConnectionLimit: number;
  readonly historyMaxPublicationLimit: number;
  readonly recoveryMaxPublicationLimit: number;
  readonly connectIncludeServerTime: boolean;
  /** Max size of one incoming command (websocket_message_size_limit). */
  readonly maxMessageSize: number;
}

export const DEFAULT_CLIENT_CONFIG: ClientConfig = Object.freeze({
  pingIntervalMs: 25_000,
  pongTimeoutMs: 8_000,
  staleCloseDelayMs: 10_000,
  expiredCloseDelayMs: 25_000,
  expiredSubCloseDelayMs: 25_000,
  presenceUpdateIntervalMs: 27_000,
  channelPositionCheckDelayMs: 40_000,
  channelLimit: 128,
  channelMaxLength: 255,
  queueMaxSizeBytes: 1_048_576,
  userConnectionLimit: 0,
  historyMaxPublicationLimit: 300,
  recoveryMaxPublicationLimit: 300,
  connectIncludeServerTime: false,
  maxMessageSize: 65_536,
});

/** Queue marker for the first undecodable command of a frame: reached, it closes with BadRequest. */
const BAD_COMMAND: Command = Object.freeze({});
/** What a transport knows about the request that opened a connection. */
export interface ClientContext {
  readonly httpUserId?: string | undefined;
  readonly sessionId?: string | undefined;
  /** Recorded request headers or GRPC metadata (lower-case names; see `NodeOptions.captureHeaders`). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** Connection states (numbers, so state checks on the hot path stay cheap). */
const State = { Connecting: 0, Connected: 1, Closed: 2 } as const;
type State = (typeof State)[keyof typeof State];

export class Client implements ClientView, TimerTarget, Flushable {
  readonly id: string = randomUUID();
  readonly node: Node;
  readonly transport: Transport;
  readonly codec: Codec;
  readonly httpUserId: string | undefined;
  /** Session id of emulated and unidirectional transports (routes /emulation requests). */
  readonly sessionId: string;
  // Session state: written only inside core (connect, refresh, subscribe), read through the getters below.
  #userId = '';
  #connInfo: Uint8Array | undefined;
  /** Unix seconds; 0 = never expires. */
  #expireAtSec = 0;
  #clientSideRefresh = true;
  #tokenChannels: readonly string[] | undefined;
  readonly #channels = new Map<string, ChannelState>();
  /**
   * The channel of the last lookup by `deliverPublication` and its state (undefined: not subscribed).
   * A fan-out of one channel's publications finds the state without a Map lookup, which with one
   * small Map per connection costs cache misses on every delivery. Reset whenever #channels changes.
   */
  #lastChannel: string | undefined;
  #lastCtx: ChannelState | undefined;

  #state: State = State.Connecting;
  /** A connect failed with an error reply: no further commands are read. */
  #unusable = false;
  readonly #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  /** The transport's bufferedAmount as of the last flush (see enqueue). */
  #transportBuffered = 0;
  /** Set when the queue holds exactly one publication: it can go out as a shared prebuilt frame. */
  #single: PreparedPublication | undefined;
  #dirty = false;
  /** Commands waiting to be processed; allocated only while some are pending (memory per idle connection). */
  #commands: Command[] | undefined;
  /** This connection's ClientInfo without channel info, shared by its subscriptions. */
  #baseInfo: ClientInfo | undefined;
  #processing = false;
  /** This transport kind's message counters (core/frame-types.ts layout). */
  readonly #frames: Float64Array;
  /** Frame type of the command being handled (labels its error reply). */
  #command: number = FrameType.Unknown;
  /** When the last ping was written (ms), for the ping/pong duration. */
  #pingSentAt = 0;
  /** A frame's undecodable command is queued (as BAD_COMMAND); later frames are ignored. */
  #badFrame = false;
  /** TimerWheel bookkeeping (see TimerTarget); declared here so every Client has one shape. */
  timerBucket: number | undefined = undefined;
  // timers (absolute ms; 0 = not armed)
  #staleAt = 0;
  /** Holds one of its user's shared connection slots (`NodeOptions.userConnectionSlots`) until it closes. */
  #holdsUserSlot = false;
  #nextPingAt = 0;
  #pongDeadline = 0;
  #awaitingPong = false;
  #expireCheckAt = 0;
  #nextTickAt = 0;
  /** Handler-facing extras (recorded headers, meta, emulated headers); one slot, absent for most connections. */
  #extra: { headers?: Readonly<Record<string, string>> | undefined; meta?: Uint8Array | undefined; emulated?: Readonly<Record<string, string>> | undefined } | undefined;
  /** Server-side refreshes in flight: channel names, and '' for the connection itself. */
  #refreshing: Set<string> | undefined;

  constructor(node: Node, transport: Transport, context: ClientContext) {
    this.node = node;
    this.transport = transport;
    this.codec = codecFor(transport.protocol);
    this.httpUserId = context.httpUserId;
    if (context.headers !== undefined) this.#extra = { headers: context.headers };
    this.sessionId = context.sessionId ?? (transport.emulation || transport.unidirectional ? randomUUID() : '');
    this.#frames = node.metrics.frameCounters?.(transport.name) ?? DISCARDED_FRAME_COUNTERS;
    const stale = node.clientConfig.staleCloseDelayMs;
    if (stale > 0) {
      this.#staleAt = node.clock.now() + stale;
      this.#reschedule();
    }
  }

  /** The authenticated user ('' = anonymous). */
  get userId(): string {
    return this.#userId;
  }

  /** Connection info from the token or the connect proxy. */
  get connInfo(): Uint8Array | undefined {
    return this.#connInfo;
  }

  /** Unix seconds; 0 = never expires. */
  get expireAtSec(): number {
    return this.#expireAtSec;
  }

  /** Whether the client refreshes its own token (false = the server refreshes the connection). */
  get clientSideRefresh(): boolean {
    return this.#clientSideRefresh;
  }

  /** The `channels` claim of the connection token, if any. */
  get tokenChannels(): readonly string[] | undefined {
    return this.#tokenChannels;
  }

  /** This connection's subscriptions by channel. */
  get channels(): ReadonlyMap<string, ChannelState> {
    return this.#channels;
  }

  /** Records a subscription being set up (core/client/subscribe.ts). */
  addChannel(channel: string, state: ChannelState): void {
    this.#channels.set(channel, state);
    this.#lastChannel = undefined;
  }

  /** A refreshed connection: the new expiry and, if given, the new connection info (core/client/commands.ts). */
  refreshSession(expireAtSec: number, connInfo: Uint8Array | undefined): void {
    this.#expireAtSec = expireAtSec;
    if (connInfo !== undefined) this.#connInfo = connInfo;
  }

  get connected(): boolean {
    return this.#state === State.Connected;
  }

  get closed(): boolean {
    return this.#state === State.Closed;
  }

  get transportName(): string {
    return this.transport.name;
  }

  get protocol(): 'json' | 'protobuf' {
    return this.transport.protocol;
  }

  /** Request headers recorded when the connection opened. */
  get headers(): Readonly<Record<string, string>> | undefined {
    return this.#extra?.headers;
  }

  /** Hidden connection meta (connect decision), handed back to the handler. */
  get meta(): Uint8Array | undefined {
    return this.#extra?.meta;
  }

  set meta(v: Uint8Array | undefined) {
    if (v !== undefined || this.#extra !== undefined) (this.#extra ??= {}).meta = v;
  }

  /** Client-sent (emulated) headers kept by the connect decision. */
  get emulatedHeaders(): Readonly<Record<string, string>> | undefined {
    return this.#extra?.emulated;
  }

  set emulatedHeaders(v: Readonly<Record<string, string>> | undefined) {
    if (v !== undefined || this.#extra !== undefined) (this.#extra ??= {}).emulated = v;
  }

  isSubscribed(channel: string): boolean {
    return this.#channels.get(channel)?.subscribed === true;
  }

  /** This connection as presence / join-leave see it in `channel`. */
  clientInfo(chanInfo?: Uint8Array): ClientInfo {
    if (chanInfo !== undefined) return { clientId: this.id, userId: this.#userId, connInfo: this.#connInfo, chanInfo };
    const base = this.#baseInfo;
    if (base !== undefined && base.userId === this.#userId && base.connInfo === this.#connInfo) return base;
    return (this.#baseInfo = { clientId: this.id, userId: this.#userId, connInfo: this.#connInfo });
  }

  // ---- incoming ----

  /** Feeds one received transport frame (bidirectional transports). */
  handleData(frame: Uint8Array): void {
    if (this.#state === State.Closed) return;
    if (this.#unusable) {
      this.disconnect(Disconnects.BadRequest);
      return;
    }
    if (this.#badFrame) return; // a bad command is queued: the connection closes after what came before it
    let commands: readonly Command[];
    let bad = false;
    try {
      commands = this.codec.decodeCommands(frame, this.node.clientConfig.maxMessageSize);
    } catch (err) {
      if (this.node.logger.enabled('info')) {
        this.node.logger.info('error decoding command', { client: this.id, user: this.#userId, error: errorText(err) });
      }
      // Like Centrifugo, the commands before the undecodable one run (and are answered) first.
      commands = err instanceof ProtocolError ? err.decoded : [];
      bad = true;
    }
    if (!bad) {
      if (commands.length === 0) {
        this.disconnect(Disconnects.BadRequest);
        return;
      }
      if (this.#commands === undefined) this.#commands = commands as Command[];
      else for (const c of commands) this.#commands.push(c);
    } else {
      if (commands.length === 0 && this.#commands === undefined && !this.#processing) {
        this.disconnect(Disconnects.BadRequest);
        return;
      }
      const queue = (this.#commands ??= []);
      for (const c of commands) queue.push(c);
      queue.push(BAD_COMMAND);
      this.#badFrame = true;
    }
    if (commands.length > 0) {
      // Per-command sizes are not kept by the decoders: a frame's bytes are split evenly.
      const size = Math.floor(frame.byteLength / commands.length);
      for (let i = 0; i < commands.length; i++) {
        countFrame(this.#frames, commandFrameType(commands[i]!), RECEIVED, i === 0 ? frame.byteLength - size * (commands.length - 1) : size);
      }
    }
    if (!this.#processing) void this.#processCommands();
  }

  /** For unidirectional transports: run the connect request as if it were a connect command. */
  async connectUnidirectional(request: ConnectRequest): Promise<void> {
    (this.#commands ??= []).push({ id: 1, connect: request });
    await this.#processCommands();
  }

  async #processCommands(): Promise<void> {
    this.#processing = true;
    try {
      while (this.#commands !== undefined && this.#commands.length > 0 && this.#state !== State.Closed) {
        if (this.#unusable) {
          this.#commands = undefined;
          this.disconnect(Disconnects.BadRequest);
          return;
        }
        const cmd = this.#commands.shift()!;
        if (this.#commands.length === 0) this.#commands = undefined;
        if (cmd === BAD_COMMAND) {
          this.#commands = undefined;
          this.disconnect(Disconnects.BadRequest);
          return;
        }
        await this.#handleCommand(cmd);
      }
    } finally {
      this.#processing = false;
    }
  }

  async #handleCommand(cmd: Command): Promise<void> {
    if (this.#state === State.Connecting && cmd.connect === undefined) {
      this.disconnect(Disconnects.BadRequest);
      return;
    }
    if (!cmd.id && cmd.send === undefined) {
      // A command without id is a pong (its other fields are ignored).
      if (this.#state !== State.Connected || !this.#awaitingPong) {
        this.disconnect(Disconnects.BadRequest);
        return;
      }
      this.#awaitingPong = false;
      this.node.metrics.pingPong?.(this.transport.name, (this.node.clock.now() - this.#pingSentAt) / 1000);
      return;
    }
    this.#command = commandFrameType(cmd);
    const started = performance.now();
    let method = 'unknown';
    try {
      method = await dispatchCommand(this, cmd);
    } catch (err) {
      this.#handleCommandError(cmd, method === 'unknown' ? commandMethod(cmd) : method, err);
    } finally {
      this.node.metrics.clientCommand?.(method === 'unknown' ? commandMethod(cmd) : method, (performance.now() - started) / 1000);
    }
  }

  #handleCommandError(cmd: Command, method: string, err: unknown): void {
    if (err instanceof DisconnectError) {
      this.disconnect(err.disconnect);
      return;
    }
    let ce: ClientError;
    if (err instanceof ClientError) ce = err;
    else {
      this.node.logger.error('error handling command', { client: this.id, user: this.#userId, method, error: errorText(err) });
      if (cmd.connect !== undefined || cmd.subscribe !== undefined) {
        this.disconnect(Disconnects.ServerError);
        return;
      }
      ce = new ClientError(ClientErrors.Internal);
    }
    this.node.metrics.replyError?.(method, ce.code);
    if (this.transport.unidirectional && cmd.connect !== undefined) {
      if (this.transport.rejectConnect?.(ce.code) === true) {
        this.onTransportClose();
        return;
      }
      this.disconnect(this.node.uniConnectErrorTransforms.get(ce.code) ?? uniConnectDisconnect(ce.code));
      return;
    }
    this.sendReply({ id: cmd.id ?? 0, error: { code: ce.code, message: ce.message, ...(ce.temporary ? { temporary: true } : {}) } });
    if (cmd.connect !== undefined && this.#state === State.Connecting) this.#unusable = true;
  }

  // ---- outgoing ----

  /** Encodes and queues a reply (bidirectional transports only). */
  sendReply(reply: Reply): void {
    if (this.#state === State.Closed || this.transport.unidirectional) return;
    let bytes: Uint8Array;
    try {
      bytes = this.codec.encodeReply(reply);
    } catch {
      this.disconnect(Disconnects.InappropriateProtocol);
      return;
    }
    countFrame(this.#frames, replyFrameType(reply, this.#command), SENT, bytes.byteLength);
    this.enqueue(bytes);
  }

  /** Encodes and queues a push (wrapped in Reply for bidirectional transports). */
  sendPush(push: Push): void {
    if (this.#state === State.Closed) return;
    let bytes: Uint8Array;
    try {
      bytes = this.transport.unidirectional ? this.codec.encodePush(push) : this.codec.encodeReply({ push });
    } catch {
      this.disconnect(Disconnects.InappropriateProtocol);
      return;
    }
    countFrame(this.#frames, pushFrameType(push), SENT, bytes.byteLength);
    this.enqueue(bytes);
  }

  /**
   * Queues encoded bytes; flushed once per event-loop turn. Overflow disconnects as slow. With
   * `prepared` the bytes are a publication push (counted here, where the size is read anyway).
   */
  enqueue(bytes: Uint8Array, prepared?: PreparedPublication): void {
    if (this.#state === State.Closed) return;
    const size = bytes.byteLength;
    if (prepared !== undefined) {
      const frames = this.#frames;
      frames[PUSH_PUBLICATION_SENT]!++;
      frames[PUSH_PUBLICATION_SENT + 1]! += size;
    }
    this.#single = this.#queue.length === 0 ? prepared : undefined;
    this.#queue.push(bytes);
    this.#queuedBytes += size;
    // What the transport still holds was read at the last flush (it only shrinks until the next
    // one); the live value, a getter chain into ws and the socket, is read only when that
    // estimate says the limit is passed.
    const max = this.node.clientConfig.queueMaxSizeBytes;
    if (this.#queuedBytes + this.#transportBuffered > max) {
      this.#transportBuffered = this.transport.bufferedAmount;
      if (this.#queuedBytes + this.#transportBuffered > max) {
        this.disconnect(Disconnects.Slow);
        return;
      }
    }
    if (!this.#dirty) {
      this.#dirty = true;
      flushScheduler.mark(this);
    }
  }

  flush(): void {
    this.#dirty = false;
    if (this.#queue.length === 0 || this.#state === State.Closed) return;
    const t = this.transport;
    const single = this.#single;
    this.#single = undefined;
    try {
      if (single !== undefined && this.#queue.length === 1 && t.frameKind !== undefined && t.writeFrame !== undefined) {
        t.writeFrame(single.framed(t.frameKind, this.#queue[0]!, t));
      } else {
        t.writeMessages(this.#queue);
      }
    } catch (err) {
      this.node.logger.info('transport write error', { client: this.id, error: errorText(err) });
      this.#queue.length = 0;
      this.#queuedBytes = 0;
      this.disconnect(Disconnects.WriteError);
      return;
    }
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    this.#transportBuffered = t.bufferedAmount;
  }

  #flushNow(): void {
    if (this.#queue.length === 0) return;
    this.#single = undefined;
    const q = this.#queue.splice(0);
    this.#queuedBytes = 0;
    try {
      this.transport.writeMessages(q);
    } catch {
      // closing anyway
    }
  }

  // ---- deliveries from the hub ----

  /** Fan-out hot path: enqueue the shared encoding, after positioning checks. */
  deliverPublication(p: PreparedPublication): void {
    let ctx: ChannelState | undefined;
    if (p.channel === this.#lastChannel) ctx = this.#lastCtx;
    else {
      ctx = this.#channels.get(p.channel);
      this.#lastChannel = p.channel;
      this.#lastCtx = ctx;
    }
    if (ctx === undefined) return;
    if (!ctx.subscribed) {
      if (ctx.buffer !== undefined) ctx.buffer.push(p);
      return;
    }
    if (ctx.positioned && p.offset > 0) {
      const epoch = p.position.epoch;
      if (epoch !== ctx.epoch) {
        if (ctx.epoch !== '') {
          this.#insufficientState(p.channel, ctx);
          return;
        }
        ctx.epoch = epoch;
      }
      if (p.offset > ctx.offset + 1) {
        this.#insufficientState(p.channel, ctx);
        return;
      }
      if (p.offset <= ctx.offset) return;
      ctx.offset = p.offset;
    }
    // Filtered out: the position above still advanced (Centrifugo's publication tags filter).
    if (ctx.filter !== undefined && !ctx.filter.passes(p.publication)) return;
    const protobuf = this.transport.protocol === 'protobuf';
    if (ctx.delta) {
      // Per-subscriber state (has the client a base?) picks one of the shared delta encodings.
      const bytes = p.deltaBytes(protobuf, this.transport.unidirectional, ctx.deltaReady && p.hasPatch);
      ctx.deltaReady = true;
      if (bytes === ENCODE_FAILED) this.disconnect(Disconnects.InappropriateProtocol);
      else {
        countFrame(this.#frames, FrameType.PushPublication, SENT, bytes.byteLength);
        this.enqueue(bytes);
      }
      return;
    }
    const bytes = p.bytes(protobuf, this.transport.unidirectional);
    if (bytes === ENCODE_FAILED) {
      this.disconnect(Disconnects.InappropriateProtocol);
      return;
    }
    this.enqueue(bytes, p);
  }

  deliverJoinLeave(channel: string, info: ClientInfo, join: boolean): void {
    const ctx = this.#channels.get(channel);
    if (ctx === undefined || !ctx.subscribed || !ctx.options.pushJoinLeave) return;
    const wire = { user: info.userId, client: info.clientId, ...(info.connInfo ? { connInfo: info.connInfo } : {}), ...(info.chanInfo ? { chanInfo: info.chanInfo } : {}) };
    this.sendPush(join ? { channel, join: { info: wire } } : { channel, leave: { info: wire } });
  }

  #insufficientState(channel: string, ctx: ChannelState): void {
    if (ctx.serverSide) {
      this.disconnect(Disconnects.InsufficientState);
      return;
    }
    this.unsubscribeChannel(channel, Unsubscribes.InsufficientState, true).catch((err: unknown) =>
      this.node.logger.error('error unsubscribing', { client: this.id, channel, error: errorText(err) }),
    );
  }

  // ---- subscriptions ----

  /** Removes a subscription (presence, leave, node interest); optionally tells the client. */
  async unsubscribeChannel(channel: string, unsub: UnsubscribeDescriptor, push: boolean): Promise<void> {
    const ctx = this.#channels.get(channel);
    if (ctx === undefined) return;
    this.#channels.delete(channel);
    this.#lastChannel = undefined;
    this.#lastCtx = undefined;
    if (push && ctx.subscribed) {
      this.node.metrics.serverUnsubscribe?.(unsub.code);
      this.sendPush({ channel, unsubscribe: { code: unsub.code, reason: unsub.reason } });
    }
    await this.#releaseChannel(channel, ctx);
  }

  async #releaseChannel(channel: string, ctx: ChannelState): Promise<void> {
    if (ctx.filter !== undefined) this.node.hub.filters.release(ctx.filter);
    ctx.options.stream?.close();
    const tasks: Promise<unknown>[] = [this.node.removeSubscription(channel, this)];
    if (ctx.options.emitPresence) {
      this.node.metrics.action?.('remove_presence');
      tasks.push(this.node.presenceManager.removePresence(channel, this.id, this.#userId));
    }
    if (ctx.options.emitJoinLeave && ctx.subscribed) tasks.push(this.node.publishLeave(channel, ctx.info));
    const results = await Promise.allSettled(tasks);
    for (const r of results) {
      if (r.status === 'rejected') this.node.logger.error('error releasing subscription', { client: this.id, channel, error: errorText(r.reason) });
    }
  }

  /** Server API subscribe: a server-side subscription with a `subscribe` push. */
  async serverSubscribe(
    channel: string,
    channelOptions: ChannelOptions,
    options: ServerSubscribeOptions,
  ): Promise<void> {
    if (this.#state !== State.Connected || this.#channels.has(channel)) return;
    if (this.#channels.size >= this.node.clientConfig.channelLimit) {
      this.disconnect(Disconnects.ChannelLimit);
      return;
    }
    try {
      await serverSideSubscribe(this, channel, channelOptions, options);
    } catch (err) {
      if (err instanceof DisconnectError) this.disconnect(err.disconnect);
      else this.node.logger.error('error subscribing user from server API', { client: this.id, channel, error: errorText(err) });
    }
  }

  async serverUnsubscribe(channel: string, unsub: UnsubscribeDescriptor): Promise<void> {
    await this.unsubscribeChannel(channel, unsub, true);
  }

  /** Server API refresh (Centrifugo's server API refresh). */
  serverRefresh(options: { expired?: boolean | undefined; expireAtSec?: number | undefined; info?: Uint8Array | undefined }): void {
    if (this.#state !== State.Connected) return;
    const nowSec = this.node.clock.now() / 1000;
    if (options.expired) {
      this.disconnect(Disconnects.Expired);
      return;
    }
    const at = options.expireAtSec ?? 0;
    if (at > 0 && at <= nowSec) {
      this.disconnect(Disconnects.Expired);
      return;
    }
    if (at > 0) {
      this.#expireAtSec = at;
      if (options.info !== undefined && options.info.byteLength > 0) this.#connInfo = options.info;
      this.armExpiry();
      this.sendPush({ refresh: { expires: true, ttl: Math.max(0, Math.floor(at - nowSec)) } });
      return;
    }
    this.#expireAtSec = 0;
    this.#expireCheckAt = 0;
    this.sendPush({ refresh: {} });
  }

  // ---- lifecycle ----

  /** Marks the connection authenticated and starts its timers (called by connect). */
  authenticate(
    userId: string,
    connInfo: Uint8Array | undefined,
    expireAtSec: number,
    clientSideRefresh: boolean,
    tokenChannels: readonly string[] | undefined,
    holdsUserSlot = false,
  ): void {
    this.#holdsUserSlot = holdsUserSlot;
    this.#clientSideRefresh = clientSideRefresh;
    this.#tokenChannels = tokenChannels;
    this.#userId = userId;
    this.#connInfo = connInfo;
    this.#expireAtSec = expireAtSec;
    this.#state = State.Connected;
    this.#staleAt = 0;
    this.node.hub.add(this);
    this.node.metrics.action?.('add_client');
    const cfg = this.node.clientConfig;
    const now = this.node.clock.now();
    if (this.pingEnabled) this.#nextPingAt = now + randomBetween(cfg.pingIntervalMs / 2, cfg.pingIntervalMs);
    if (cfg.presenceUpdateIntervalMs > 0) this.#nextTickAt = now + randomBetween(cfg.presenceUpdateIntervalMs / 2, cfg.presenceUpdateIntervalMs);
    this.armExpiry();
  }

  /** App-level pings are on for this connection. */
  get pingEnabled(): boolean {
    return this.node.clientConfig.pingIntervalMs > 0 && this.transport.appLevelPing;
  }

  get pongEnabled(): boolean {
    return this.pingEnabled && !this.transport.unidirectional && this.node.clientConfig.pongTimeoutMs > 0;
  }

  armExpiry(): void {
    if (this.#expireAtSec <= 0) this.#expireCheckAt = 0;
    else if (this.#serverSideRefresh) this.#expireCheckAt = this.#expireAtSec * 1000;
    else this.#expireCheckAt = this.#expireAtSec * 1000 + this.node.clientConfig.expiredCloseDelayMs;
    this.#reschedule();
  }

  /** The server refreshes this connection itself when it expires (handler's `refreshConnection`). */
  get #serverSideRefresh(): boolean {
    return !this.#clientSideRefresh && this.node.handler.refreshConnection !== undefined;
  }

  async #refreshConnection(): Promise<void> {
    const handler = this.node.handler;
    const busy = (this.#refreshing ??= new Set());
    if (busy.has('') || handler.refreshConnection === undefined) return;
    busy.add('');
    try {
      const d = await handler.refreshConnection(this);
      if (this.#state !== State.Connected) return;
      const nowSec = this.node.clock.now() / 1000;
      if (d.expired === true || (d.expireAtSec > 0 && d.expireAtSec <= nowSec)) {
        this.disconnect(Disconnects.Expired);
        return;
      }
      if (d.info !== undefined && d.info.byteLength > 0) this.#connInfo = d.info;
      if (d.meta !== undefined) this.meta = d.meta;
      this.#expireAtSec = d.expireAtSec;
      this.armExpiry();
    } catch (err) {
      if (err instanceof DisconnectError) this.disconnect(err.disconnect);
      else {
        this.node.logger.error('error refreshing connection', { client: this.id, user: this.#userId, error: errorText(err) });
        this.disconnect(Disconnects.ServerError);
      }
    } finally {
      busy.delete('');
    }
  }

  async #refreshSubscription(channel: string, ctx: ChannelState): Promise<void> {
    const handler = this.node.handler;
    const busy = (this.#refreshing ??= new Set());
    if (busy.has(channel) || handler.refreshSubscription === undefined) return;
    busy.add(channel);
    try {
      const d = await handler.refreshSubscription(this, channel);
      if (this.#channels.get(channel) !== ctx || this.#state !== State.Connected) return;
      const nowSec = this.node.clock.now() / 1000;
      if (d.expired === true || (d.expireAtSec > 0 && d.expireAtSec <= nowSec)) {
        if (ctx.serverSide) this.disconnect(Disconnects.SubExpired);
        else await this.unsubscribeChannel(channel, Unsubscribes.Expired, true);
        return;
      }
      if (d.info !== undefined && d.info.byteLength > 0) ctx.info = this.clientInfo(d.info);
      ctx.expireAtSec = d.expireAtSec;
    } catch (err) {
      if (err instanceof DisconnectError) this.disconnect(err.disconnect);
      else {
        this.node.logger.error('error refreshing subscription', { client: this.id, channel, error: errorText(err) });
        this.disconnect(Disconnects.ServerError);
      }
    } finally {
      busy.delete(channel);
    }
  }

  /** Closes the connection with a disconnect; idempotent. */
  disconnect(d: DisconnectDescriptor | Disconnect): void {
    if (this.#state === State.Closed) return;
    const resolved = this.node.resolveDisconnect(d);
    const mode = this.node.disconnectCodes;
    const closedByClient = resolved.code === CONNECTION_CLOSED_CODE;
    if (!closedByClient) this.node.metrics.serverDisconnect?.(resolved.code);
    if (d === Disconnects.Slow) {
      this.#queue.length = 0;
      this.#queuedBytes = 0;
    } else if (!this.transport.disconnectInCloseFrame && !closedByClient) {
      this.sendPush({
        disconnect: { code: resolved.code, reason: resolved.reason, ...(mode === 'classic' ? { reconnect: resolved.reconnect } : {}) },
      });
    }
    this.#flushNow();
    this.#state = State.Closed;
    this.transport.close(resolved.code, closeReasonText(resolved, mode));
    this.#cleanup();
  }

  /** The transport went away (client closed, network error). */
  onTransportClose(): void {
    if (this.#state === State.Closed) return;
    this.#state = State.Closed;
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    this.#cleanup();
  }

  #cleanup(): void {
    this.node.timers.cancel(this);
    this.#commands = undefined;
    const channels = [...this.#channels.entries()];
    this.#channels.clear();
    this.#lastChannel = undefined;
    this.#lastCtx = undefined;
    this.node.hub.remove(this);
    if (this.#holdsUserSlot) {
      this.#holdsUserSlot = false;
      this.node.userConnectionSlots?.release(this.#userId);
    }
    this.node.metrics.action?.('remove_client');
    for (const [ch, ctx] of channels) {
      this.#releaseChannel(ch, ctx).catch(() => undefined);
    }
  }

  // ---- timers ----

  /** Records that a ping was just written (for pong accounting). */
  #sendPing(now: number): void {
    const cfg = this.node.clientConfig;
    const ping = this.transport.unidirectional ? this.codec.encodePush({}) : this.codec.encodeReply({});
    countFrame(this.#frames, FrameType.ServerPing, SENT, ping.byteLength);
    this.#pingSentAt = now;
    this.enqueue(ping);
    this.#nextPingAt = now + cfg.pingIntervalMs;
    if (this.pongEnabled) {
      this.#awaitingPong = true;
      this.#pongDeadline = now + cfg.pongTimeoutMs;
    }
  }

  onTimer(now: number): void {
    if (this.#state === State.Closed) return;
    if (this.#state === State.Connecting) {
      if (this.#staleAt > 0 && now >= this.#staleAt) {
        this.disconnect(Disconnects.Stale);
        return;
      }
      this.#reschedule();
      return;
    }
    if (this.#pongDeadline > 0 && now >= this.#pongDeadline) {
      this.#pongDeadline = 0;
      if (this.#awaitingPong) {
        this.disconnect(Disconnects.NoPong);
        return;
      }
    }
    if (this.#nextPingAt > 0 && now >= this.#nextPingAt) this.#sendPing(now);
    if (this.#expireCheckAt > 0 && now >= this.#expireCheckAt && this.#serverSideRefresh) {
      this.#expireCheckAt = 0;
      void this.#refreshConnection();
    } else if (this.#expireCheckAt > 0 && now >= this.#expireCheckAt) {
      if (this.#expireAtSec > 0 && this.#expireAtSec * 1000 <= now) {
        this.disconnect(Disconnects.Expired);
        return;
      }
      this.#expireCheckAt = 0;
    }
    if (this.#nextTickAt > 0 && now >= this.#nextTickAt) {
      this.#nextTickAt = now + this.node.clientConfig.presenceUpdateIntervalMs;
      this.#periodicTick(now);
    }
    this.#reschedule();
  }

  #reschedule(): void {
    if (this.#state === State.Closed) return;
    let next = Infinity;
    for (const t of [this.#staleAt, this.#nextPingAt, this.#pongDeadline, this.#expireCheckAt, this.#nextTickAt]) {
      if (t > 0 && t < next) next = t;
    }
    if (next === Infinity) this.node.timers.cancel(this);
    else this.node.timers.schedule(this, next);
  }

  /** Presence refresh, subscription expiry and position checks (Centrifugo's connection states and timers, sub_refresh, positioning). */
  #periodicTick(now: number): void {
    const cfg = this.node.clientConfig;
    const nowSec = now / 1000;
    for (const [channel, ctx] of this.#channels) {
      if (!ctx.subscribed) continue;
      if (ctx.options.emitPresence) {
        this.node.metrics.action?.('add_presence');
        this.node.presenceManager.addPresence(channel, ctx.info).catch((err: unknown) =>
          this.node.logger.error('error updating presence', { client: this.id, channel, error: errorText(err) }),
        );
      }
      if (ctx.expireAtSec > 0 && ctx.options.clientSideRefresh === false && this.node.handler.refreshSubscription !== undefined) {
        if (nowSec >= ctx.expireAtSec) void this.#refreshSubscription(channel, ctx);
      } else if (ctx.expireAtSec > 0 && nowSec > ctx.expireAtSec + cfg.expiredSubCloseDelayMs / 1000) {
        if (ctx.serverSide) {
          this.disconnect(Disconnects.SubExpired);
          return;
        }
        void this.unsubscribeChannel(channel, Unsubscribes.Expired, true);
        continue;
      }
      if (ctx.positioned) this.#maybeCheckPosition(channel, ctx, now);
    }
  }

  #maybeCheckPosition(channel: string, ctx: ChannelState, now: number): void {
    if (ctx.offset !== ctx.checkedOffset) {
      ctx.checkedOffset = ctx.offset;
      ctx.checkedAtMs = now;
      return;
    }
    if (now - ctx.checkedAtMs < this.node.clientConfig.channelPositionCheckDelayMs) return;
    ctx.checkedAtMs = now;
    const expected = { offset: ctx.offset, epoch: ctx.epoch };
    this.node
      .history(channel, { limit: 0, reverse: false, metaTtlMs: ctx.options.channelOptions.historyMetaTtlMs })
      .then((r) => {
        const cur = this.#channels.get(channel);
        if (cur !== ctx || this.#state === State.Closed) return;
        // Only compare if nothing was delivered meanwhile.
        if (ctx.offset !== expected.offset) return;
        if (r.position.offset !== expected.offset || (expected.epoch !== '' && r.position.epoch !== expected.epoch)) {
          this.#insufficientState(channel, ctx);
        }
      })
      .catch(() => undefined);
  }
}

/** Unidirectional transports turn a connect error into a disconnect (Centrifugo's unidirectional transports). */
function uniConnectDisconnect(code: number): DisconnectDescriptor {
  if (code === ClientErrors.TokenExpired.code || code === ClientErrors.Expired.code) return Disconnects.Expired;
  if (code === ClientErrors.TooManyRequests.code) return Disconnects.TooManyRequests;
  if (code === ClientErrors.PermissionDenied.code) return Disconnects.PermissionDenied;
  return Disconnects.ServerError;
}

function randomBetween(min: number, max: number): number {
  return min + Math.random() * (max - min);
}

function commandMethod(cmd: Command): string {
  if (cmd.connect) return 'connect';
  if (cmd.subscribe) return 'subscribe';
  if (cmd.unsubscribe) return 'unsubscribe';
  if (cmd.publish) return 'publish';
  if (cmd.presence) return 'presence';
  if (cmd.presenceStats) return 'presence_stats';
  if (cmd.history) return 'history';
  if (cmd.rpc) return 'rpc';
  if (cmd.send) return 'send';
  if (cmd.refresh) return 'refresh';
  if (cmd.subRefresh) return 'sub_refresh';
  return 'unknown';
}
