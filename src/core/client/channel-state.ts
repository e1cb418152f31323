/** @module core/client/channel-state — what a connection keeps per subscribed channel. */
import type { SubscribeOptions } from '../handler.js';
import type { PreparedPublication } from '../prepared.js';
import type { TagsFilter } from '../tags-filter.js';
import type { ClientInfo } from '../types.js';

export interface ChannelState {
  /** False while the subscribe is in flight (the reply has not been enqueued yet). */
  subscribed: boolean;
  /** Established by the server (token, connect, API) rather than a client subscribe command. */
  readonly serverSide: boolean;
  readonly options: SubscribeOptions;
  /** Positioning: deliveries are checked for gaps against `offset`/`epoch`. */
  positioned: boolean;
  recoverable: boolean;
  /** Last offset delivered (or established at subscribe) and the stream epoch. */
  offset: number;
  epoch: string;
  /** Subscription expiration (unix seconds); 0 = never. */
  expireAtSec: number;
  /** This subscriber as other subscribers see it (presence, join/leave, publications). */
  info: ClientInfo;
  /**
   * While subscribing with positioning, live publications are held here and merged / replayed
   * when the subscription is committed. Absent otherwise (non-positioned subscribes drop them).
   */
  buffer: PreparedPublication[] | undefined;
  /** Delta compression negotiated; `deltaReady` once the client holds a full base publication. */
  readonly delta: boolean;
  /** The subscription's tags filter, interned in the hub's pool (shared with identical filters). */
  readonly filter: TagsFilter | undefined;
  deltaReady: boolean;
  /** Offset seen at the last periodic position check, and when that check ran. */
  checkedOffset: number;
  checkedAtMs: number;
}
