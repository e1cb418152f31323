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

type CommandHandler = (client: Client, cmd: Command) => Promise<void>;

/** Centrifugo has no asynchronous message handler. */
function rejectSend(): Promise<void> {
  throw new DisconnectError(Disconnects.NotAvailable);
}

/** Command field, its method name (metrics) and handler, in Centrifugo's dispatch order. */
const HANDLERS: readonly (readonly [keyof Command, string, CommandHandler])[] = [
  ['connect', 'connect', handleConnect],
  ['subscribe', 'subscribe', handleSubscribe],
  ['unsubscribe', 'unsubscribe', handleUnsubscribe],
  ['publish', 'publish', handlePublish],
  ['presence', 'presence', handlePresence],
  ['presenceStats', 'presence_stats', handlePresenceStats],
  ['history', 'history', handleHistory],
  ['rpc', 'rpc', handleRpc],
  ['send', 'send', rejectSend],
  ['refresh', 'refresh', handleRefresh],
  ['subRefresh', 'sub_refresh', handleSubRefresh],
];

/** Runs one command; returns the method name (for metrics). Throws ClientError / DisconnectError. */
export async function dispatchCommand(client: Client, cmd: Command): Promise<string> {
  for (const [field, method, handle] of HANDLERS) {
    if (cmd[field] === undefined) continue;
    await handle(client, cmd);
    return method;
  }
  throw new DisconnectError(Disconnects.BadRequest);
}
