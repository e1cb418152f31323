/**
 * @module api/executor — the server-API methods (Centrifugo's server API), shared by every front door
 * (HTTP JSON, GRPC). Methods take proto-shaped requests and resolve to `{error}` or `{result}`; they
 * never reject: unexpected failures become error 100 and are logged.
 */
import { assignDefined, dict } from '../util/object.js';
import type { ChannelOptions, ChannelOptionsResolver } from '../core/channel-options.js';
import { hasHistory } from '../core/channel-options.js';
import { ClientError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { PublishResult as CorePublishResult } from '../core/broker.js';
import type { ClientInfo as CoreClientInfo, Publication as CorePublication } from '../core/types.js';
import { GlobError } from '../util/glob.js';
import { decodeStdBase64 } from './base64.js';
import { ApiError, type ApiErrorObject, ApiErrors } from './errors.js';
import type { SubscribeOverride } from '../core/node.js';
import type { ApiNode, DisconnectFilter, RefreshUserOptions, SubscribeUserOptions, UserConnectionFilter } from './node-port.js';
import {
  type ApiProtocol,
  type ApiRequests,
  type ApiResponse,
  type ApiResults,
  type ApiUnaryMethod,
  BATCH_COMMAND_ORDER,
  type BatchRequest,
  type BatchResponse,
  type BoolValue,
  type BroadcastRequest,
  type BroadcastResult,
  type ChannelInfo,
  type ChannelsRequest,
  type ChannelsResult,
  type ClientInfo,
  type Command,
  type DisconnectRequest,
  type DisconnectResult,
  type HistoryRemoveRequest,
  type HistoryRemoveResult,
  type HistoryRequest,
  type HistoryResult,
  type InfoRequest,
  type InfoResult,
  type PresenceRequest,
  type PresenceResult,
  type PresenceStatsRequest,
  type PresenceStatsResult,
  type Publication,
  type PublishRequest,
  type PublishResponse,
  type PublishResult,
  type RefreshRequest,
  type RefreshResult,
  type Reply,
  type RPCRequest,
  type RPCResult,
  type SubscribeRequest,
  type SubscribeResult,
  type UnsubscribeRequest,
  type UnsubscribeResult,
} from './types.js';

/** At most this many publishes of one broadcast, or commands of one parallel batch, run at once. */
const MAX_CONCURRENCY = 1024;

/** Construct-time input of {@link Executor}. */
export interface ExecutorOptions {
  readonly node: ApiNode;
  readonly channels: ChannelOptionsResolver;
  readonly logger: Logger;
  /** Server version, exposed to fronts (`info` reports what the node registry holds). */
  readonly version?: string;
  /** Called after every method (batch and each of its commands included) with its duration. */
  readonly onCommand?: (method: string, protocol: ApiProtocol, durationSec: number) => void;
}

const ERROR_CODES_FROM_RESOLVER = new Set([102, 107, 108, 112]);

function fail<R>(descriptor: ApiErrorObject): ApiResponse<R> {
  return { error: { code: descriptor.code, message: descriptor.message } };
}

function nonEmpty(s: string | undefined | null): s is string {
  return typeof s === 'string' && s !== '';
}

function hasBytes(b: Uint8Array | undefined | null): b is Uint8Array {
  return b !== undefined && b !== null && b.length > 0;
}

/** Null-prototype object: channel and client ids such as `__proto__` stay ordinary keys. */

function toApiClientInfo(info: CoreClientInfo): ClientInfo {
  const out: ClientInfo = { user: info.userId, client: info.clientId };
  if (hasBytes(info.connInfo)) out.conn_info = info.connInfo;
  if (hasBytes(info.chanInfo)) out.chan_info = info.chanInfo;
  return out;
}

function toApiPublication(p: CorePublication): Publication {
  const out: Publication = {};
  if (p.data.length > 0) out.data = p.data;
  if (p.info !== undefined) out.info = toApiClientInfo(p.info);
  if (p.offset !== 0) out.offset = p.offset;
  if (p.tags !== undefined && Object.keys(p.tags).length > 0) out.tags = { ...p.tags };
  return out;
}

function publishResponse(res: CorePublishResult): PublishResponse {
  const result: PublishResult = {};
  if (res.position.offset !== 0) result.offset = res.position.offset;
  if (res.position.epoch !== '') result.epoch = res.position.epoch;
  return { result };
}

function overrideValue(v: BoolValue | undefined | null): boolean | undefined {
  return v === undefined || v === null ? undefined : v.value === true;
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The server API. One instance serves every front door; `protocol` only labels metrics. */
export class Executor {
  readonly #node: ApiNode;
  readonly #channels: ChannelOptionsResolver;
  readonly #logger: Logger;
  readonly #onCommand: ExecutorOptions['onCommand'];
  /** Server version given at construction (`''` when not set). */
  readonly version: string;

  constructor(options: ExecutorOptions) {
    this.#node = options.node;
    this.#channels = options.channels;
    this.#logger = options.logger;
    this.#onCommand = options.onCommand;
    this.version = options.version ?? '';
  }

  /** Dispatches a unary method by wire name. */
  execute<M extends ApiUnaryMethod>(method: M, request: ApiRequests[M], protocol: ApiProtocol = 'http'): Promise<ApiResponse<ApiResults[M]>> {
    // The table is keyed by the same names as ApiRequests/ApiResults, so each entry is well typed;
    // TypeScript cannot correlate the generic key with the entry, hence the cast.
    type Fn = (req: ApiRequests[M], protocol: ApiProtocol) => Promise<ApiResponse<ApiResults[M]>>;
    return (this.#table[method] as Fn)(request, protocol);
  }

  readonly #table: { readonly [K in ApiUnaryMethod]: (req: ApiRequests[K], protocol: ApiProtocol) => Promise<ApiResponse<ApiResults[K]>> } = {
    publish: (r, p) => this.publish(r, p),
    broadcast: (r, p) => this.broadcast(r, p),
    subscribe: (r, p) => this.subscribe(r, p),
    unsubscribe: (r, p) => this.unsubscribe(r, p),
    disconnect: (r, p) => this.disconnect(r, p),
    presence: (r, p) => this.presence(r, p),
    presence_stats: (r, p) => this.presenceStats(r, p),
    history: (r, p) => this.history(r, p),
    history_remove: (r, p) => this.historyRemove(r, p),
    info: (r, p) => this.info(r, p),
    rpc: (r, p) => this.rpc(r, p),
    refresh: (r, p) => this.refresh(r, p),
    channels: (r, p) => this.channels(r, p),
  };

  // ---- plumbing ----------------------------------------------------------------------------------

  async #run<R>(method: string, protocol: ApiProtocol, fn: () => Promise<ApiResponse<R>>): Promise<ApiResponse<R>> {
    const started = performance.now();
    let response: ApiResponse<R>;
    try {
      response = await fn();
    } catch (err) {
      if (err instanceof ApiError) {
        response = { error: err.toObject() };
      } else {
        this.#logger.error('error executing api command', { method, error: String(err) });
        response = fail(ApiErrors.Internal);
      }
    }
    if (this.#onCommand !== undefined) {
      try {
        this.#onCommand(method, protocol, (performance.now() - started) / 1000);
      } catch (err) {
        this.#logger.error('api command observer failed', { method, error: String(err) });
      }
    }
    return response;
  }

  /** Channel options, or an ApiError: 102/107/108/112 keep their code, anything else is 100. */
  #resolve(channel: string): ChannelOptions {
    try {
      return this.#channels.resolve(channel);
    } catch (err) {
      if (err instanceof ClientError && ERROR_CODES_FROM_RESOLVER.has(err.code)) {
        const descriptor = Object.values(ApiErrors).find((d) => d.code === err.code) ?? ApiErrors.Internal;
        throw new ApiError(descriptor, { cause: err });
      }
      this.#logger.error('error resolving channel options', { channel, error: String(err) });
      throw new ApiError(ApiErrors.Internal, { cause: err });
    }
  }

  /** Awaits a node call; a rejection becomes ApiError 100 (logged), unless `map` picks another error. */
  #call<T>(what: string, fields: Record<string, unknown>, p: Promise<T>, map?: (err: unknown) => ApiErrorObject | undefined): Promise<T> {
    // `.then` rather than an async function: one promise and microtask less on every API call.
    return p.then(undefined, (err: unknown) => {
      const mapped = map?.(err);
      if (mapped !== undefined) throw new ApiError(mapped, { cause: err });
      this.#logger.error(what, { ...fields, error: String(err) });
      throw new ApiError(ApiErrors.Internal, { cause: err });
    });
  }

  /** Payload of publish/broadcast: b64data wins when non-empty; undefined when missing or invalid. */
  #payload(method: string, req: { data?: Uint8Array; b64data?: string }): Uint8Array | undefined {
    if (nonEmpty(req.b64data)) {
      const decoded = decodeStdBase64(req.b64data);
      if (decoded === undefined) {
        this.#logger.info('invalid b64data', { method });
        return undefined;
      }
      return decoded.length > 0 ? decoded : undefined;
    }
    return hasBytes(req.data) ? req.data : undefined;
  }

  /**
   * Not async (nor is publish's body): the broker's promise is chained once, so a publish costs no
   * more microtask turns than it needs. An unknown namespace throws synchronously, inside the
   * callers' try blocks.
   */
  #publishOne(channel: string, data: Uint8Array, req: PublishRequest | BroadcastRequest): Promise<PublishResponse> {
    const opts = this.#resolve(channel);
    const history =
      req.skip_history !== true && hasHistory(opts)
        ? { size: opts.historySize, ttlMs: opts.historyTtlMs, metaTtlMs: opts.historyMetaTtlMs }
        : undefined;
    return this.#call(
      'error publishing data to channel',
      { channel },
      this.#node.publish(channel, data, {
        history,
        tags: req.tags !== undefined && req.tags !== null && Object.keys(req.tags).length > 0 ? req.tags : undefined,
        idempotencyKey: nonEmpty(req.idempotency_key) ? req.idempotency_key : undefined,
        delta: req.delta === true || opts.deltaPublish,
      }),
    ).then(publishResponse);
  }

  // ---- methods -----------------------------------------------------------------------------------

  /** Centrifugo's server API publish: 107 without channel or payload (or bad b64data), 102 unknown namespace, 100 broker error. */
  publish(req: PublishRequest, protocol: ApiProtocol = 'http'): Promise<ApiResponse<PublishResult>> {
    return this.#run('publish', protocol, () => {
      const channel = req.channel ?? '';
      if (channel === '') {
        this.#logger.info('channel required for publish');
        return Promise.resolve(fail(ApiErrors.BadRequest));
      }
      const data = this.#payload('publish', req);
      if (data === undefined) {
        this.#logger.info('data required for publish', { channel });
        return Promise.resolve(fail(ApiErrors.BadRequest));
      }
      return this.#publishOne(channel, data, req);
    });
  }

  /** Centrifugo's server API broadcast: top-level 107 only; per-channel errors go into `responses`, in the order of `channels`. */
  broadcast(req: BroadcastRequest, protocol: ApiProtocol = 'http'): Promise<ApiResponse<BroadcastResult>> {
    return this.#run('broadcast', protocol, async () => {
      const channels = req.channels ?? [];
      if (channels.length === 0) {
        this.#logger.info('channels required for broadcast');
        return fail(ApiErrors.BadRequest);
      }
      const data = this.#payload('broadcast', req);
      if (data === undefined) {
        this.#logger.info('data required for broadcast');
        return fail(ApiErrors.BadRequest);
      }
      const responses = await mapLimit(channels, MAX_CONCURRENCY, async (channel): Promise<PublishResponse> => {
        if (!nonEmpty(channel)) return fail(ApiErrors.BadRequest);
        try {
          return await this.#publishOne(channel, data, req);
        } catch (err) {
          if (err instanceof ApiError) return { error: err.toObject() };
          this.#logger.error('error publishing data to channel', { channel, error: String(err) });
          return fail(ApiErrors.Internal);
        }
      });
      return { result: { responses } };
    });
  }

  /**
   * Centrifugo's server API subscribe: subscribes the user's live connections on every node. Quirk kept from Centrifugo v5:
   * `b64info`/`b64data` are accepted but ignored.
   */
  subscribe(req: SubscribeRequest, protocol: ApiProtocol = 'http'): Promise<ApiResponse<SubscribeResult>> {
    return this.#run('subscribe', protocol, async () => {
      const channel = req.channel ?? '';
      if (channel === '') return fail(ApiErrors.BadRequest);
      this.#resolve(channel);
      const options: SubscribeUserOptions = {};
      if (nonEmpty(req.client)) options.clientId = req.client;
      if (nonEmpty(req.session)) options.sessionId = req.session;
      if (req.expire_at !== undefined && req.expire_at !== null && req.expire_at !== 0) options.expireAtSec = req.expire_at;
      if (hasBytes(req.info)) options.chanInfo = req.info;
      if (hasBytes(req.data)) options.data = req.data;
      if (req.recover_since !== undefined && req.recover_since !== null) {
        options.recoverSince = { offset: req.recover_since.offset ?? 0, epoch: req.recover_since.epoch ?? '' };
      }
      const o = req.override;
      if (o !== undefined && o !== null) {
        options.override = assignDefined<SubscribeOverride>({}, {
          presence: overrideValue(o.presence),
          joinLeave: overrideValue(o.join_leave),
          forcePushJoinLeave: overrideValue(o.force_push_join_leave),
          forcePositioning: overrideValue(o.force_positioning),
          forceRecovery: overrideValue(o.force_recovery),
        });
      }
      const user = req.user ?? '';
      await this.#call('error subscribing user to channel', { user, channel }, this.#node.subscribeUser(user, channel, options));
      return { result: {} };
    });
  }

  /** Centrifugo's server API unsubscribe: empty channel is not rejected; a non-empty one must resolve (102). */
  unsubscribe(req: UnsubscribeRequest, protocol: ApiProtocol = 'http'): Promise<ApiResponse<UnsubscribeResult>> {
    return this.#run('unsubscribe', protocol, async () => {
      const channel = req.channel ?? '';
      if (channel !== '') this.#resolve(channel);
      const filter: UserConnectionFilter = {};
      if (nonEmpty(req.client)) filter.clientId = req.client;
      if (nonEmpty(req.session)) filter.sessionId = req.session;
      const user = req.user ?? '';
      await this.#call('error unsubscribing user from channel', { user, channel }, this.#node.unsubscribeUser(user, channel, filter));
      return { result: {} };
    });
  }

  /** Centrifugo's server API disconnect: without `disconnect` the node applies its default force disconnect. */
  disconnect(req: DisconnectRequest, protocol: ApiProtocol = 'http'): Promise<ApiResponse<DisconnectResult>> {
    return this.#run('disconnect', protocol, async () => {
      const filter: DisconnectFilter = {};
      if (nonEmpty(req.client)) filter.clientId = req.client;
      if (nonEmpty(req.session)) filter.sessionId = req.session;
      if (req.whitelist !== undefined && req.whitelist !== null && req.whitelist.length > 0) filter.whitelist = [...req.whitelist];
      const d = req.disconnect;
      const custom = d !== undefined && d !== null ? { code: d.code ?? 0, reason: d.reason ?? '' } : undefined;
      const user = req.user ?? '';
      await this.#call('error disconnecting user', { user }, this.#node.disconnectUser(user, filter, custom));
      return { result: {} };
    });
  }

  /** Centrifugo's server API refresh: expiry/info changes are applied by the node per connection. */
  refresh(req: RefreshRequest, protocol: ApiProtocol = 'http'): Promise<ApiResponse<RefreshResult>> {
    return this.#run('refresh', protocol, async () => {
      const filter: UserConnectionFilter = {};
      if (nonEmpty(req.client)) filter.clientId = req.client;
      if (nonEmpty(req.session)) filter.sessionId = req.session;
      const options: RefreshUserOptions = {};
      if (req.expired === true) options.expired = true;
      if (req.expire_at !== undefined && req.expire_at !== null && req.expire_at !== 0) options.expireAtSec = req.expire_at;
      if (hasBytes(req.info)) options.info = req.info;
      const user = req.user ?? '';
      await this.#call('error refreshing user', { user }, this.#node.refreshUser(user, filter, options));
      return { result: {} };
    });
  }

  #presenceOptions(channel: string): void {
    const opts = this.#resolve(channel);
    if (!opts.presence) throw new ApiError(ApiErrors.NotAvailable);
  }

  /** Centrifugo's server API presence: 107 / 102 / 108 when presence is off / 100. */
  presence(req: PresenceRequest, protocol: ApiProtocol = 'http'): Promise<ApiResponse<PresenceResult>> {
    return this.#run('presence', protocol, async () => {
      const channel = req.channel ?? '';
      if (channel === '') return fail(ApiErrors.BadRequest);
      this.#presenceOptions(channel);
      const entries = await this.#call('error calling presence', { channel }, this.#node.presence(channel));
      const presence = dict<ClientInfo>();
      for (const [clientId, info] of entries) presence[clientId] = toApiClientInfo(info);
      return { result: { presence } };
    });
  }

  /** Centrifugo's server API presence_stats: same checks as presence. */
  presenceStats(req: PresenceStatsRequest, protocol: ApiProtocol = 'http'): Promise<ApiResponse<PresenceStatsResult>> {
    return this.#run('presence_stats', protocol, async () => {
      const channel = req.channel ?? '';
      if (channel === '') return fail(ApiErrors.BadRequest);
      this.#presenceOptions(channel);
      const stats = await this.#call('error calling presence stats', { channel }, this.#node.presenceStats(channel));
      return { result: { num_clients: stats.numClients, num_users: stats.numUsers } };
    });
  }

  #historyOptions(channel: string): ChannelOptions {
    const opts = this.#resolve(channel);
    if (!hasHistory(opts)) throw new ApiError(ApiErrors.NotAvailable);
    return opts;
  }

  /**
   * Centrifugo's server API history: 107 / 102 / 108 without history / 112 epoch mismatch; every other node error is 100
   * (including "bad request" for reverse with since.offset 0 — Centrifugo's quirk).
   */
  history(req: HistoryRequest, protocol: ApiProtocol = 'http'): Promise<ApiResponse<HistoryResult>> {
    return this.#run('history', protocol, async () => {
      const channel = req.channel ?? '';
      if (channel === '') return fail(ApiErrors.BadRequest);
      const opts = this.#historyOptions(channel);
      const since = req.since !== undefined && req.since !== null ? { offset: req.since.offset ?? 0, epoch: req.since.epoch ?? '' } : undefined;
      const res = await this.#call(
        'error getting history',
        { channel },
        this.#node.history(channel, {
          since,
          limit: req.limit ?? 0,
          reverse: req.reverse === true,
          metaTtlMs: opts.historyMetaTtlMs,
        }),
        (err) => (err instanceof ClientError && err.code === ApiErrors.UnrecoverablePosition.code ? ApiErrors.UnrecoverablePosition : undefined),
      );
      return {
        result: {
          publications: res.publications.map(toApiPublication),
          epoch: res.position.epoch,
          offset: res.position.offset,
        },
      };
    });
  }

  /** Centrifugo's server API history_remove: checks as history; removes publications, keeps the stream position. */
  historyRemove(req: HistoryRemoveRequest, protocol: ApiProtocol = 'http'): Promise<ApiResponse<HistoryRemoveResult>> {
    return this.#run('history_remove', protocol, async () => {
      const channel = req.channel ?? '';
      if (channel === '') return fail(ApiErrors.BadRequest);
      this.#historyOptions(channel);
      await this.#call('error removing history', { channel }, this.#node.removeHistory(channel));
      return { result: {} };
    });
  }

  /** Centrifugo's server API channels: cluster-wide channel list filtered by a glob; any failure (bad pattern included) is 100. */
  channels(req: ChannelsRequest, protocol: ApiProtocol = 'http'): Promise<ApiResponse<ChannelsResult>> {
    return this.#run('channels', protocol, async () => {
      const pattern = req.pattern ?? '';
      const counts = await this.#call('error calling channels', { pattern }, this.#node.channels(pattern), (err) => {
        if (err instanceof GlobError) {
          this.#logger.info('invalid channels pattern', { pattern, error: err.message });
          return ApiErrors.Internal;
        }
        return undefined;
      });
      const channels = dict<ChannelInfo>();
      for (const [channel, numClients] of counts) channels[channel] = { num_clients: numClients };
      return { result: { channels } };
    });
  }

  /** Centrifugo's server API info: every live node of the cluster. */
  info(_req: InfoRequest = {}, protocol: ApiProtocol = 'http'): Promise<ApiResponse<InfoResult>> {
    return this.#run('info', protocol, async () => {
      const nodes = await this.#call('error getting info', {}, this.#node.info());
      return {
        result: {
          nodes: nodes.map((n) => ({
            uid: n.uid,
            name: n.name,
            version: n.version,
            num_clients: n.numClients,
            num_users: n.numUsers,
            num_channels: n.numChannels,
            uptime: n.uptimeSec,
            ...(n.metrics !== undefined ? { metrics: { interval: n.metrics.interval, items: { ...n.metrics.items } } } : {}),
            num_subs: n.numSubs,
          })),
        },
      };
    });
  }

  /** Centrifugo's server API rpc: no server-API RPC methods exist: 107 without method, else 104. */
  rpc(req: RPCRequest, protocol: ApiProtocol = 'http'): Promise<ApiResponse<RPCResult>> {
    return this.#run('rpc', protocol, async () => {
      if (!nonEmpty(req.method)) return fail(ApiErrors.BadRequest);
      return fail(ApiErrors.NotFound);
    });
  }

  /** Runs one batch command: the first set typed field in priority order, else 104. */
  async #batchCommand(cmd: Command | undefined | null, protocol: ApiProtocol): Promise<Reply> {
    if (cmd !== undefined && cmd !== null) {
      for (const kind of BATCH_COMMAND_ORDER) {
        const req = cmd[kind];
        if (req === undefined || req === null) continue;
        const resp = await this.execute(kind, req, protocol);
        if (resp.error !== undefined) return { error: resp.error };
        return { [kind]: resp.result ?? {} };
      }
    }
    return { error: { code: ApiErrors.NotFound.code, message: ApiErrors.NotFound.message } };
  }

  /** Centrifugo's server API batch: replies in command order; sequential unless `parallel` (≤ 1024 in flight). Never fails. */
  async batch(req: BatchRequest, protocol: ApiProtocol = 'http'): Promise<BatchResponse> {
    const started = performance.now();
    const commands = req.commands ?? [];
    let replies: Reply[];
    try {
      if (req.parallel === true) {
        replies = await mapLimit(commands, MAX_CONCURRENCY, (cmd) => this.#batchCommand(cmd, protocol));
      } else {
        replies = [];
        for (const cmd of commands) replies.push(await this.#batchCommand(cmd, protocol));
      }
    } catch (err) {
      // #batchCommand only awaits never-rejecting methods; this is a safety net.
      this.#logger.error('error executing batch', { error: String(err) });
      replies = commands.map(() => ({ error: { code: ApiErrors.Internal.code, message: ApiErrors.Internal.message } }));
    }
    if (this.#onCommand !== undefined) {
      try {
        this.#onCommand('batch', protocol, (performance.now() - started) / 1000);
      } catch (err) {
        this.#logger.error('api command observer failed', { method: 'batch', error: String(err) });
      }
    }
    return { replies };
  }
}
