/**
 * @module core/frame-types — the frame types of Centrifugo's transport metrics
 * (`centrifugo_transport_messages_sent` / `_received` and their `_size` twins, label `frame_type`)
 * and the counter layout a connection records them into.
 *
 * Each transport kind has one Float64Array of {@link FRAME_COUNTER_SLOTS} numbers owned by the
 * metrics layer; a connection keeps a reference to its transport's array and records a message with
 * two increments at fixed indexes (no call, no allocation), which keeps the fan-out path cheap.
 */
import type { Command, Push, Reply } from '../protocol/types.js';

/** Label values, in index order (Centrifugo's `frame_type` names). */
export const FRAME_TYPE_NAMES = [
  'server_ping',
  'client_pong',
  'push_connect',
  'push_subscribe',
  'push_publication',
  'push_join',
  'push_leave',
  'push_unsubscribe',
  'push_message',
  'push_refresh',
  'push_disconnect',
  'connect',
  'subscribe',
  'publish',
  'unsubscribe',
  'rpc',
  'presence',
  'presence_stats',
  'history',
  'sub_refresh',
  'refresh',
  'send',
  'unknown',
] as const;

/** Index of each frame type in {@link FRAME_TYPE_NAMES}. */
export const FrameType = {
  ServerPing: 0,
  ClientPong: 1,
  PushConnect: 2,
  PushSubscribe: 3,
  PushPublication: 4,
  PushJoin: 5,
  PushLeave: 6,
  PushUnsubscribe: 7,
  PushMessage: 8,
  PushRefresh: 9,
  PushDisconnect: 10,
  Connect: 11,
  Subscribe: 12,
  Publish: 13,
  Unsubscribe: 14,
  Rpc: 15,
  Presence: 16,
  PresenceStats: 17,
  History: 18,
  SubRefresh: 19,
  Refresh: 20,
  Send: 21,
  Unknown: 22,
} as const;

/** Numbers kept per frame type: sent count, sent bytes, received count, received bytes. */
export const SLOTS_PER_FRAME_TYPE = 4;
export const SENT = 0;
export const SENT_BYTES = 1;
export const RECEIVED = 2;
export const RECEIVED_BYTES = 3;
export const FRAME_COUNTER_SLOTS = FRAME_TYPE_NAMES.length * SLOTS_PER_FRAME_TYPE;

/** Where a connection records when no metrics are attached (never read). */
export const DISCARDED_FRAME_COUNTERS = new Float64Array(FRAME_COUNTER_SLOTS);

/** Index of the sent-count slot of a push publication (its sent-bytes slot follows). */
export const PUSH_PUBLICATION_SENT = FrameType.PushPublication * SLOTS_PER_FRAME_TYPE + SENT;

/** Records one message of `bytes` bytes: `kind` is SENT or RECEIVED. */
export function countFrame(counters: Float64Array, frameType: number, kind: typeof SENT | typeof RECEIVED, bytes: number): void {
  const i = frameType * SLOTS_PER_FRAME_TYPE + kind;
  counters[i]!++;
  counters[i + 1]! += bytes;
}

/** The frame type of a push (Centrifugo counts pushes by what they carry). */
export function pushFrameType(push: Push): number {
  if (push.pub !== undefined) return FrameType.PushPublication;
  if (push.join !== undefined) return FrameType.PushJoin;
  if (push.leave !== undefined) return FrameType.PushLeave;
  if (push.unsubscribe !== undefined) return FrameType.PushUnsubscribe;
  if (push.message !== undefined) return FrameType.PushMessage;
  if (push.subscribe !== undefined) return FrameType.PushSubscribe;
  if (push.connect !== undefined) return FrameType.PushConnect;
  if (push.disconnect !== undefined) return FrameType.PushDisconnect;
  if (push.refresh !== undefined) return FrameType.PushRefresh;
  return FrameType.ServerPing;
}

/** The frame type of a reply: its push, its result kind, else `command` (error replies). */
export function replyFrameType(reply: Reply, command: number): number {
  if (reply.push !== undefined) return pushFrameType(reply.push);
  if (reply.error !== undefined) return command;
  if (reply.connect !== undefined) return FrameType.Connect;
  if (reply.subscribe !== undefined) return FrameType.Subscribe;
  if (reply.publish !== undefined) return FrameType.Publish;
  if (reply.unsubscribe !== undefined) return FrameType.Unsubscribe;
  if (reply.rpc !== undefined) return FrameType.Rpc;
  if (reply.presence !== undefined) return FrameType.Presence;
  if (reply.presenceStats !== undefined) return FrameType.PresenceStats;
  if (reply.history !== undefined) return FrameType.History;
  if (reply.subRefresh !== undefined) return FrameType.SubRefresh;
  if (reply.refresh !== undefined) return FrameType.Refresh;
  return command;
}

/** The frame type of a received command (a command without id and `send` is a pong). */
export function commandFrameType(cmd: Command): number {
  if (!cmd.id && cmd.send === undefined) return FrameType.ClientPong;
  if (cmd.connect !== undefined) return FrameType.Connect;
  if (cmd.subscribe !== undefined) return FrameType.Subscribe;
  if (cmd.unsubscribe !== undefined) return FrameType.Unsubscribe;
  if (cmd.publish !== undefined) return FrameType.Publish;
  if (cmd.presence !== undefined) return FrameType.Presence;
  if (cmd.presenceStats !== undefined) return FrameType.PresenceStats;
  if (cmd.history !== undefined) return FrameType.History;
  if (cmd.rpc !== undefined) return FrameType.Rpc;
  if (cmd.send !== undefined) return FrameType.Send;
  if (cmd.refresh !== undefined) return FrameType.Refresh;
  if (cmd.subRefresh !== undefined) return FrameType.SubRefresh;
  return FrameType.Unknown;
}
