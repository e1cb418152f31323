/** @module core/client/connect — the connect command (Centrifugo's connect handling) and server-side subscriptions (Centrifugo's server-side subscriptions). */
import type { Command, ConnectResult, SubscribeResult } from '../../protocol/types.js';
import { DisconnectError, Disconnects } from '../disconnect.js';
import { ClientError, ClientErrors } from '../errors.js';
import type { Client } from './client.js';
import { type PendingSubscription, prepareSubscription, recoveryFromRequest } from './subscribe.js';

export async function handleConnect(client: Client, cmd: Command): Promise<void> {
  const req = cmd.connect ?? {};
  if (client.connected) throw new DisconnectError(Disconnects.BadRequest);
  const node = client.node;
  const cfg = node.clientConfig;
  const decision = await node.handler.connect(
    {
      clientId: client.id,
      transport: client.transport.name,
      protocol: client.transport.protocol,
      httpUserId: client.httpUserId,
      unidirectional: client.transport.unidirectional,
      headers: client.headers,
    },
    req,
  );
  if (client.closed) return;
  if (decision.subscriptions.size > cfg.channelLimit) throw new DisconnectError(Disconnects.ChannelLimit);
  const { userId } = decision.credentials;
  // Shared slots (`--workers N`) are reserved here and held by the client once authenticated.
  const slots = cfg.userConnectionLimit > 0 && userId !== '' ? node.userConnectionSlots : undefined;
  if (slots !== undefined) {
    if (!(await slots.reserve(userId))) throw new DisconnectError(Disconnects.ConnectionLimit);
  } else if (cfg.userConnectionLimit > 0 && userId !== '' && node.hub.userConnectionCount(userId) >= cfg.userConnectionLimit) {
    throw new DisconnectError(Disconnects.ConnectionLimit);
  }
  const now = node.clock.now();
  const nowSec = now / 1000;
  const expireAtSec = decision.credentials.expireAtSec ?? 0;
  let authenticated = false;
  try {
    if (client.closed) return;
    if (expireAtSec > 0 && expireAtSec < nowSec) throw new ClientError(ClientErrors.Expired);

    if (decision.singleConnectionChannel !== undefined && userId !== '') {
      const stats = await node.presenceStats(decision.singleConnectionChannel);
      if (stats.numClients > 0) {
        await node.disconnectUser(userId, { whitelist: [client.id] }, node.resolveDisconnect(Disconnects.ConnectionLimit));
      }
      if (client.closed) return;
    }
    client.meta = decision.meta;
    client.emulatedHeaders = decision.emulatedHeaders;
    client.authenticate(userId, decision.credentials.info, expireAtSec, decision.clientSideRefresh ?? true, decision.tokenChannels, slots !== undefined);
    authenticated = true;
  } finally {
    // Until the client holds it (and gives it back when it closes), a shared slot goes back on every way out.
    if (slots !== undefined && !authenticated) slots.release(userId);
  }

  const pending: PendingSubscription[] = [];
  try {
    for (const [channel, opts] of decision.subscriptions) {
      pending.push(await prepareSubscription(client, channel, opts, true, recoveryFromRequest(req.subs?.[channel])));
      if (client.closed) return;
    }
  } catch (err) {
    for (const p of pending) await p.abort();
    // The connection is authenticated already: a failed connect closes it.
    if (err instanceof ClientError) {
      client.sendReply({ id: cmd.id ?? 0, error: { code: err.code, message: err.message } });
      client.disconnect(Disconnects.BadRequest);
      return;
    }
    throw err;
  }

  const result: ConnectResult = { client: client.id, version: node.version };
  if (expireAtSec > 0 && client.clientSideRefresh) {
    result.expires = true;
    result.ttl = Math.max(1, Math.ceil(expireAtSec - nowSec));
  }
  if (decision.data !== undefined && decision.data.byteLength > 0) result.data = decision.data;
  if (pending.length > 0) {
    const subs: Record<string, SubscribeResult> = {};
    for (const p of pending) subs[p.channel] = p.result;
    result.subs = subs;
  }
  if (client.pingEnabled) {
    result.ping = Math.round(cfg.pingIntervalMs / 1000);
    if (client.pongEnabled) result.pong = true;
  }
  if (client.transport.emulation || client.transport.unidirectional) result.session = client.sessionId;
  if (client.transport.emulation) result.node = node.id;
  if (cfg.connectIncludeServerTime) result.time = now;

  if (client.transport.unidirectional) {
    const { pong: _pong, ...push } = result;
    client.sendPush({ connect: push });
  } else {
    client.sendReply({ id: cmd.id ?? 0, connect: result });
  }
  for (const p of pending) p.commit();
}
