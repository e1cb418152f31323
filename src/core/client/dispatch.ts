/** @module core/client/dispatch — picks the handler for a command (first present field, as Centrifugo dispatches commands). */
import type { Command } from '../../protocol/types.js';
import { DisconnectError, Disconnects } from '../disconnect.js';
import type { Client } from './client.js';
import {
  handleHistory,
  handlePresence,
  handlePresenceStats,
  handlePublish,
  handleRefresh,
  handleRpc,
  handleSubRefresh,
  handleSubscribe,
  handleUnsubscribe,
} from './commands.js';
import { handleConnect } from './connect.js';

/** Runs one command; returns the method name (for metrics). Throws ClientError / DisconnectError. */
export async function dispatchCommand(client: Client, cmd: Command): Promise<string> {
  if (cmd.connect !== undefined) {
    await handleConnect(client, cmd);
    return 'connect';
  }
  if (cmd.subscribe !== undefined) {
    await handleSubscribe(client, cmd);
    return 'subscribe';
  }
  if (cmd.unsubscribe !== undefined) {
    await handleUnsubscribe(client, cmd);
    return 'unsubscribe';
  }
  if (cmd.publish !== undefined) {
    await handlePublish(client, cmd);
    return 'publish';
  }
  if (cmd.presence !== undefined) {
    await handlePresence(client, cmd);
    return 'presence';
  }
  if (cmd.presenceStats !== undefined) {
    await handlePresenceStats(client, cmd);
    return 'presence_stats';
  }
  if (cmd.history !== undefined) {
    await handleHistory(client, cmd);
    return 'history';
  }
  if (cmd.rpc !== undefined) {
    await handleRpc(client, cmd);
    return 'rpc';
  }
  if (cmd.send !== undefined) {
    // Centrifugo has no asynchronous message handler.
    throw new DisconnectError(Disconnects.NotAvailable);
  }
  if (cmd.refresh !== undefined) {
    await handleRefresh(client, cmd);
    return 'refresh';
  }
  if (cmd.subRefresh !== undefined) {
    await handleSubRefresh(client, cmd);
    return 'sub_refresh';
  }
  throw new DisconnectError(Disconnects.BadRequest);
}
