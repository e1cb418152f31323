/**
 * @module core/client/commands — subscribe, unsubscribe, publish, presence, history, rpc, refresh,
 * sub_refresh (Centrifugo's subscriptions, connection expiration and refresh). Permission decisions come from the node's ClientHandler.
 */
import type { Command, HistoryResult, PresenceResult, ProtoClientInfo } from '../../protocol/types.js';
import { hasHistory } from '../channel-options.js';
import { DisconnectError, Disconnects, Unsubscribes } from '../disconnect.js';
import { ClientError, ClientErrors } from '../errors.js';
import { toProtoPublication } from '../prepared.js';
import type { ClientInfo } from '../types.js';
import type { Client } from './client.js';
import { errorText } from '../../util/error-text.js';
import { prepareSubscription, recoveryFromRequest } from './subscribe.js';

const DELTA_FOSSIL = 'fossil';

export async function handleSubscribe(client: Client, cmd: Command): Promise<void> {
  const req = cmd.subscribe!;
  const channel = req.channel ?? '';
  if (channel === '') throw new DisconnectError(Disconnects.BadRequest);
  if (req.delta && req.delta !== DELTA_FOSSIL) throw new DisconnectError(Disconnects.BadRequest);
  const cfg = client.node.clientConfig;
  if (Buffer.byteLength(channel) > cfg.channelMaxLength) throw new ClientError(ClientErrors.BadRequest);
  if (client.channels.has(channel)) throw new ClientError(ClientErrors.AlreadySubscribed);
  if (client.channels.size >= cfg.channelLimit) throw new ClientError(ClientErrors.LimitExceeded);
  if (req.type !== undefined && req.type !== 0) {
    throw new ClientError(req.type === 4 ? ClientErrors.NotAvailable : ClientErrors.PermissionDenied);
  }
  const opts = await client.node.handler.subscribe(client, req);
  if (client.closed || client.channels.has(channel)) {
    opts.stream?.close();
    if (client.closed) return;
    throw new ClientError(ClientErrors.AlreadySubscribed);
  }
  let pending: Awaited<ReturnType<typeof prepareSubscription>>;
  try {
    pending = await prepareSubscription(client, channel, opts, false, recoveryFromRequest(req));
  } catch (err) {
    opts.stream?.close();
    throw err;
  }
  if (client.closed) return;
  client.sendReply({ id: cmd.id ?? 0, subscribe: pending.result });
  pending.commit();
}

export async function handleUnsubscribe(client: Client, cmd: Command): Promise<void> {
  const channel = cmd.unsubscribe!.channel ?? '';
  if (channel === '') throw new DisconnectError(Disconnects.BadRequest);
  await client.unsubscribeChannel(channel, Unsubscribes.Client, false);
  client.sendReply({ id: cmd.id ?? 0, unsubscribe: {} });
}

export async function handlePublish(client: Client, cmd: Command): Promise<void> {
  const req = cmd.publish!;
  const channel = req.channel ?? '';
  if (channel === '') throw new DisconnectError(Disconnects.BadRequest);
  const data = req.data ?? new Uint8Array(0);
  const streamed = client.channels.get(channel);
  if (streamed?.subscribed === true && streamed.options.stream?.publish !== undefined) {
    // A bidirectional subscription stream takes the client's publications instead of the broker.
    if (data.byteLength === 0) throw new ClientError(ClientErrors.BadRequest);
    streamed.options.stream.publish(data);
    client.sendReply({ id: cmd.id ?? 0, publish: {} });
    return;
  }
  const decision = await client.node.handler.publish(client, channel, data);
  const o = decision.channelOptions;
  const ctx = client.channels.get(channel);
  const info: ClientInfo = client.clientInfo(ctx?.subscribed ? ctx.options.chanInfo : undefined);
  const withHistory = hasHistory(o) && decision.skipHistory !== true;
  try {
    await client.node.publish(channel, decision.data ?? data, {
      history: withHistory ? { size: o.historySize, ttlMs: o.historyTtlMs, metaTtlMs: o.historyMetaTtlMs } : undefined,
      clientInfo: info,
      delta: o.deltaPublish,
    });
  } catch (err) {
    client.node.logger.error('error publishing', { client: client.id, channel, error: errorText(err) });
    throw new ClientError(ClientErrors.Internal);
  }
  client.sendReply({ id: cmd.id ?? 0, publish: {} });
}

export async function handlePresence(client: Client, cmd: Command): Promise<void> {
  const channel = cmd.presence!.channel ?? '';
  if (channel === '') throw new DisconnectError(Disconnects.BadRequest);
  await client.node.handler.presence(client, channel);
  const map = await storage(client, () => client.node.presence(channel));
  const presence: PresenceResult['presence'] = {};
  for (const [id, info] of map) presence[id] = protoInfo(info);
  client.sendReply({ id: cmd.id ?? 0, presence: { presence } });
}

export async function handlePresenceStats(client: Client, cmd: Command): Promise<void> {
  const channel = cmd.presenceStats!.channel ?? '';
  if (channel === '') throw new DisconnectError(Disconnects.BadRequest);
  await client.node.handler.presence(client, channel);
  const s = await storage(client, () => client.node.presenceStats(channel));
  client.sendReply({ id: cmd.id ?? 0, presenceStats: { numClients: s.numClients, numUsers: s.numUsers } });
}

export async function handleHistory(client: Client, cmd: Command): Promise<void> {
  const req = cmd.history!;
  const channel = req.channel ?? '';
  if (channel === '') throw new DisconnectError(Disconnects.BadRequest);
  const { channelOptions } = await client.node.handler.history(client, channel);
  const cap = client.node.clientConfig.historyMaxPublicationLimit;
  let limit = req.limit ?? 0;
  if (cap > 0 && (limit < 0 || limit > cap)) limit = cap;
  if (req.reverse && req.since !== undefined && req.since.offset === 0) throw new ClientError(ClientErrors.BadRequest);
  const r = await storage(client, () =>
    client.node.history(channel, {
      ...(req.since ? { since: { offset: req.since.offset, epoch: req.since.epoch } } : {}),
      limit,
      reverse: req.reverse === true,
      metaTtlMs: channelOptions.historyMetaTtlMs,
    }),
  );
  const history: HistoryResult = {
    publications: r.publications.map((p) => toProtoPublication(p)),
    epoch: r.position.epoch,
    offset: r.position.offset,
  };
  client.sendReply({ id: cmd.id ?? 0, history });
}

export async function handleRpc(client: Client, cmd: Command): Promise<void> {
  const req = cmd.rpc!;
  const data = await client.node.handler.rpc(client, req.method ?? '', req.data);
  client.sendReply({ id: cmd.id ?? 0, rpc: data !== undefined && data.byteLength > 0 ? { data } : {} });
}

export async function handleRefresh(client: Client, cmd: Command): Promise<void> {
  const token = cmd.refresh!.token ?? '';
  if (token === '' || !client.clientSideRefresh) throw new DisconnectError(Disconnects.BadRequest);
  const decision = await client.node.handler.refresh(client, token);
  const nowSec = client.node.clock.now() / 1000;
  if (decision.expireAtSec > 0 && decision.expireAtSec <= nowSec) throw new ClientError(ClientErrors.Expired);
  if (decision.tokenChannels !== undefined && !sameSet(decision.tokenChannels, client.tokenChannels ?? [])) {
    throw new DisconnectError(Disconnects.InsufficientState);
  }
  client.refreshSession(decision.expireAtSec, decision.info);
  client.armExpiry();
  client.sendReply({
    id: cmd.id ?? 0,
    refresh: decision.expireAtSec > 0 ? { expires: true, ttl: Math.max(1, Math.ceil(decision.expireAtSec - nowSec)) } : {},
  });
}

export async function handleSubRefresh(client: Client, cmd: Command): Promise<void> {
  const req = cmd.subRefresh!;
  const channel = req.channel ?? '';
  if (channel === '') throw new DisconnectError(Disconnects.BadRequest);
  const ctx = client.channels.get(channel);
  if (ctx === undefined || !ctx.subscribed) throw new ClientError(ClientErrors.PermissionDenied);
  if (ctx.serverSide) throw new DisconnectError(Disconnects.BadRequest);
  const token = req.token ?? '';
  if (token === '') throw new ClientError(ClientErrors.BadRequest);
  const decision = await client.node.handler.subRefresh(client, channel, token);
  const nowSec = client.node.clock.now() / 1000;
  if (decision.expireAtSec > 0 && decision.expireAtSec <= nowSec) throw new ClientError(ClientErrors.Expired);
  ctx.expireAtSec = decision.expireAtSec;
  if (decision.chanInfo !== undefined) ctx.info = client.clientInfo(decision.chanInfo);
  client.sendReply({
    id: cmd.id ?? 0,
    subRefresh: decision.expireAtSec > 0 ? { expires: true, ttl: Math.max(1, Math.ceil(decision.expireAtSec - nowSec)) } : {},
  });
}

/** Runs a storage call; engine failures become error 100, client errors (112, 108, 107) pass. */
async function storage<T>(client: Client, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ClientError) throw err;
    client.node.logger.error('storage error', { client: client.id, error: errorText(err) });
    throw new ClientError(ClientErrors.Internal);
  }
}

function protoInfo(info: ClientInfo): ProtoClientInfo {
  const out: ProtoClientInfo = { user: info.userId, client: info.clientId };
  if (info.connInfo !== undefined) out.connInfo = info.connInfo;
  if (info.chanInfo !== undefined) out.chanInfo = info.chanInfo;
  return out;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}
