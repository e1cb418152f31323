/**
 * @module core/client/subscribe — establishing a subscription: node interest, presence, stream
 * position and recovery with buffering of live publications (Centrifugo's subscriptions, history and recovery), in two phases
 * so the subscribe reply is always enqueued before any push for the channel.
 */
import type { ProtoPublication, SubscribeRequest, SubscribeResult } from '../../protocol/types.js';
import { type ChannelOptions, hasHistory } from '../channel-options.js';
import { DisconnectError, Disconnects, Unsubscribes } from '../disconnect.js';
import { ClientError, ClientErrors, isClientError } from '../errors.js';
import { type SubscribeOptions, SubscriptionSource } from '../handler.js';
import type { ServerSubscribeOptions } from '../node.js';
import { asJsonString, fossilPatch } from '../delta.js';
import { toProtoPublication } from '../prepared.js';
import { isStreamRecovered, mergePublications } from '../recovery.js';
import type { Publication, StreamPosition } from '../types.js';
import type { ChannelState } from './channel-state.js';
import type { Client } from './client.js';
import { errorText } from '../../util/error-text.js';

/** What the client asked regarding recovery. */
export interface RecoveryInput {
  readonly recover: boolean;
  readonly offset: number;
  readonly epoch: string;
  /** Subscribe flag bit 2: fail with 112 instead of subscribing unrecovered. */
  readonly rejectUnrecovered?: boolean;
}

/** A subscription whose result is computed but not yet visible to deliveries. */
export interface PendingSubscription {
  readonly channel: string;
  readonly result: SubscribeResult;
  /** Makes the subscription live: replays held-back publications and publishes the join. */
  commit(): void;
  /** Undoes everything (used when a later step of connect fails). */
  abort(): Promise<void>;
}

const REJECT_UNRECOVERED_FLAG = 2;

/** Recovery request fields of a SubscribeRequest. */
export function recoveryFromRequest(req: SubscribeRequest | undefined): RecoveryInput | undefined {
  if (req === undefined) return undefined;
  return {
    recover: req.recover === true,
    offset: req.offset ?? 0,
    epoch: req.epoch ?? '',
    rejectUnrecovered: ((req.flag ?? 0) & REJECT_UNRECOVERED_FLAG) !== 0,
  };
}

export async function prepareSubscription(
  client: Client,
  channel: string,
  opts: SubscribeOptions,
  serverSide: boolean,
  recovery: RecoveryInput | undefined,
): Promise<PendingSubscription> {
  const node = client.node;
  const now = node.clock.now();
  const nowSec = now / 1000;
  if (opts.expireAtSec > 0 && opts.expireAtSec <= nowSec) throw new ClientError(ClientErrors.Expired);
  const positioned = opts.enablePositioning || opts.enableRecovery;
  const ctx: ChannelState = {
    subscribed: false,
    serverSide,
    options: opts,
    positioned,
    recoverable: opts.enableRecovery,
    offset: 0,
    epoch: '',
    expireAtSec: opts.expireAtSec,
    info: client.clientInfo(opts.chanInfo),
    buffer: positioned ? [] : undefined,
    delta: opts.deltaFossil === true,
    filter: opts.tagsFilter === undefined ? undefined : node.hub.filters.acquire(opts.tagsFilter),
    deltaReady: false,
    checkedOffset: 0,
    checkedAtMs: now,
  };
  client.addChannel(channel, ctx);
  const abort = async (): Promise<void> => {
    if (client.channels.get(channel) === ctx) await client.unsubscribeChannel(channel, Unsubscribes.Client, false);
  };
  const alive = (): boolean => client.channels.get(channel) === ctx && !client.closed;
  const result: SubscribeResult = {};
  try {
    await node.addSubscription(channel, client);
    if (opts.emitPresence && alive()) {
      node.metrics.action?.('add_presence');
      await node.presenceManager.addPresence(channel, ctx.info);
    }
    if (positioned && alive()) await establishPosition(client, channel, ctx, result, recovery);
    else if (recovery?.recover) result.wasRecovering = true;
  } catch (err) {
    await abort();
    if (err instanceof DisconnectError || isClientError(err, ClientErrors.UnrecoverablePosition)) throw err;
    if (err instanceof ClientError && err.code !== ClientErrors.Internal.code) throw err;
    node.logger.error('error subscribing', { client: client.id, user: client.userId, channel, error: errorText(err) });
    throw new DisconnectError(Disconnects.ServerError, { cause: err });
  }
  if (opts.expireAtSec > 0 && !serverSide && opts.clientSideRefresh !== false) {
    result.expires = true;
    result.ttl = Math.max(1, Math.ceil(opts.expireAtSec - nowSec));
  }
  if (opts.data !== undefined && opts.data.byteLength > 0) result.data = opts.data;
  if (ctx.delta) {
    result.delta = true;
    if (result.publications !== undefined && result.publications.length > 0) {
      result.publications = deltaRecovered(result.publications, client.transport.protocol === 'protobuf');
      ctx.deltaReady = true;
    }
  }

  return {
    channel,
    result,
    abort,
    commit(): void {
      if (!alive()) return;
      ctx.subscribed = true;
      const held = ctx.buffer;
      ctx.buffer = undefined;
      ctx.checkedOffset = ctx.offset;
      ctx.checkedAtMs = node.clock.now();
      if (held !== undefined) for (const p of held) client.deliverPublication(p);
      opts.stream?.start(
        (data, tags) => {
          if (client.channels.get(channel) === ctx && !client.closed) client.sendPush({ channel, pub: { data, ...(tags !== undefined ? { tags: { ...tags } } : {}) } });
        },
        () => {
          if (client.channels.get(channel) === ctx) void client.unsubscribeChannel(channel, Unsubscribes.InsufficientState, true);
        },
      );
      if (opts.emitJoinLeave) {
        node.publishJoin(channel, ctx.info).catch((err: unknown) =>
          node.logger.error('error publishing join', { client: client.id, channel, error: errorText(err) }),
        );
      }
    },
  };
}

/** Reads the stream (recovering if asked) and merges publications buffered meanwhile. */
async function establishPosition(
  client: Client,
  channel: string,
  ctx: ChannelState,
  result: SubscribeResult,
  requested: RecoveryInput | undefined,
): Promise<void> {
  const node = client.node;
  const chOpts = ctx.options.channelOptions;
  // auto_cache_recover: in cache mode every recoverable subscribe recovers the latest publication, as if
  // the client had asked (client-side, server-side and unidirectional subscriptions alike).
  const recovery: RecoveryInput | undefined =
    chOpts.autoCacheRecover && chOpts.forceRecoveryMode === 'cache' && ctx.recoverable && requested?.recover !== true
      ? { recover: true, offset: requested?.offset ?? 0, epoch: requested?.epoch ?? '' }
      : requested;
  const metaTtlMs = chOpts.historyMetaTtlMs;
  const cfg = node.clientConfig;
  let top: StreamPosition;
  let recovered = false;
  let publications: Publication[] = [];

  if (ctx.recoverable && recovery?.recover) {
    node.metrics.action?.('history_recover');
    result.wasRecovering = true;
    const filter = ctx.filter;
    if (chOpts.forceRecoveryMode === 'cache') {
      // With a tags filter: the newest publication passing it, within the recovery limit (Centrifugo's recovery).
      const limit = filter === undefined ? 1 : cfg.recoveryMaxPublicationLimit > 0 ? cfg.recoveryMaxPublicationLimit : -1;
      const r = await node.history(channel, { limit, reverse: true, metaTtlMs });
      top = r.position;
      const latest = filter === undefined ? r.publications[0] : r.publications.find((p) => filter.matches(p.tags));
      const sameState = recovery.offset > 0 && recovery.offset === top.offset && recovery.epoch === top.epoch;
      recovered = latest === undefined ? sameState : true;
      if (latest !== undefined && !sameState) publications = [latest];
    } else {
      const limit = cfg.recoveryMaxPublicationLimit > 0 ? cfg.recoveryMaxPublicationLimit : -1;
      try {
        const r = await node.history(channel, {
          since: { offset: recovery.offset, epoch: recovery.epoch },
          limit,
          reverse: false,
          metaTtlMs,
        });
        top = r.position;
        publications = r.publications;
        recovered = isStreamRecovered(recovery.offset, top.offset, publications);
      } catch (err) {
        if (!isClientError(err, ClientErrors.UnrecoverablePosition)) throw err;
        top = (await node.history(channel, { limit: 0, reverse: false, metaTtlMs })).position;
      }
    }
    node.metrics.recover?.(recovered);
    if (!recovered && recovery.rejectUnrecovered) throw new ClientError(ClientErrors.UnrecoverablePosition);
  } else {
    top = (await node.history(channel, { limit: 0, reverse: false, metaTtlMs })).position;
    if (recovery?.recover) result.wasRecovering = true;
  }

  const buffered = drainSameEpoch(ctx, top.epoch);
  if (recovered) {
    let merged: Publication[] | undefined;
    const filter = ctx.filter;
    if (chOpts.forceRecoveryMode === 'cache') {
      let all = [...publications, ...buffered.filter((p) => p.offset > top.offset)];
      if (filter !== undefined) all = all.filter((p) => filter.matches(p.tags));
      merged = all.length > 0 ? [all[all.length - 1]!] : [];
    } else {
      merged = mergePublications(publications, buffered, recovery!.offset);
      if (merged === undefined) throw new DisconnectError(Disconnects.InsufficientState);
    }
    // The position counts every merged publication; the client gets only those passing its filter.
    const last = merged.length > 0 ? merged[merged.length - 1]!.offset : recovery!.offset;
    const delivered = filter === undefined ? merged : merged.filter((p) => filter.matches(p.tags));
    result.recovered = true;
    result.publications = delivered.map((p) => protoWithEpoch(p, top.epoch));
    result.offset = recovery!.offset;
    ctx.offset = Math.max(top.offset, last, recovery!.offset);
  } else {
    let offset = top.offset;
    for (const p of buffered) if (p.offset > offset) offset = p.offset;
    ctx.offset = offset;
    result.offset = offset;
  }
  ctx.epoch = top.epoch;
  result.epoch = top.epoch;
  result.positioned = true;
  if (ctx.recoverable) result.recoverable = true;
}

/**
 * Recovered publications for a delta subscription (Centrifugo's recovery with delta): the first full, each next one a
 * fossil patch against the previous when smaller; JSON payloads as JSON strings.
 */
function deltaRecovered(pubs: ProtoPublication[], protobuf: boolean): ProtoPublication[] {
  const out: ProtoPublication[] = [];
  let prev: Uint8Array | undefined;
  for (const p of pubs) {
    const data = p.data ?? new Uint8Array(0);
    const patch = prev !== undefined ? fossilPatch(prev, data) : undefined;
    const raw = patch ?? data;
    const q: ProtoPublication = { ...p, data: protobuf ? raw : asJsonString(raw) };
    if (patch !== undefined) q.delta = true;
    out.push(q);
    prev = data;
  }
  return out;
}

function drainSameEpoch(ctx: ChannelState, epoch: string): Publication[] {
  const buf = ctx.buffer;
  if (buf === undefined || buf.length === 0) return [];
  const out: Publication[] = [];
  for (const p of buf.splice(0)) if (p.position.epoch === epoch && p.offset > 0) out.push(p.publication);
  return out;
}

function protoWithEpoch(p: Publication, epoch: string): ProtoPublication {
  return toProtoPublication(p, epoch);
}

/** Options of a server-API subscription: namespace settings with the request's overrides. */
function serverApiSubscribeOptions(channelOptions: ChannelOptions, options: ServerSubscribeOptions): SubscribeOptions {
  const o = options.override ?? {};
  const forceRecovery = o.forceRecovery ?? channelOptions.forceRecovery;
  const forcePositioning = o.forcePositioning ?? channelOptions.forcePositioning;
  return {
    channelOptions,
    emitPresence: o.presence ?? channelOptions.presence,
    emitJoinLeave: o.joinLeave ?? channelOptions.joinLeave,
    pushJoinLeave: o.forcePushJoinLeave ?? channelOptions.forcePushJoinLeave,
    enablePositioning: forcePositioning || forceRecovery,
    enableRecovery: forceRecovery && hasHistory(channelOptions),
    chanInfo: options.chanInfo,
    data: options.data,
    expireAtSec: options.expireAtSec ?? 0,
    source: SubscriptionSource.ServerApi,
  };
}

/** Server API subscribe of a live connection: subscribe, then a `subscribe` push (Centrifugo's server API subscribe/unsubscribe). */
export async function serverSideSubscribe(
  client: Client,
  channel: string,
  channelOptions: ChannelOptions,
  options: ServerSubscribeOptions,
): Promise<void> {
  const opts = serverApiSubscribeOptions(channelOptions, options);
  const since = options.recoverSince;
  const pending = await prepareSubscription(
    client,
    channel,
    opts,
    true,
    since ? { recover: true, offset: since.offset, epoch: since.epoch } : undefined,
  );
  if (client.closed || client.channels.get(channel) === undefined) return;
  const r = pending.result;
  client.sendPush({
    channel,
    subscribe: {
      ...(r.recoverable ? { recoverable: true } : {}),
      ...(r.epoch ? { epoch: r.epoch } : {}),
      ...(r.offset ? { offset: r.offset } : {}),
      ...(r.positioned ? { positioned: true } : {}),
      ...(r.data ? { data: r.data } : {}),
    },
  });
  pending.commit();
}
