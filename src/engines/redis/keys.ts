/**
 * @module engines/redis/keys — Redis key and PUB/SUB channel names (Centrifugo's Redis key names).
 *
 * In Redis Cluster mode every key of a channel carries the `{<channel>}` hash tag so that the multi-key
 * Lua scripts (stream + meta + idempotency result, the four presence structures) hit one slot.
 * PUB/SUB channel names never carry a tag.
 */

/** Name builder for one prefix and topology. */
export class RedisKeys {
  readonly prefix: string;
  readonly cluster: boolean;
  /** `P.client.` — prefix of data PUB/SUB channels. */
  readonly clientChannelPrefix: string;
  /** `P.control` — control broadcast channel. */
  readonly controlChannel: string;
  /** `P.shard.0` — the data connection's anchor channel (subscribed first, never published to). */
  readonly anchorChannel: string;

  constructor(prefix: string, cluster: boolean) {
    this.prefix = prefix;
    this.cluster = cluster;
    this.clientChannelPrefix = `${prefix}.client.`;
    this.controlChannel = `${prefix}.control`;
    this.anchorChannel = `${prefix}.shard.0`;
  }

  /** `P.client.<channel>`: publications, join and leave of a channel. */
  clientChannel(channel: string): string {
    return this.clientChannelPrefix + channel;
  }

  /** `P.node.<uid>`: node-directed control messages. */
  nodeChannel(nodeId: string): string {
    return `${this.prefix}.node.${nodeId}`;
  }

  #tagged(kind: string, channel: string): string {
    return this.cluster ? `${this.prefix}.${kind}.{${channel}}` : `${this.prefix}.${kind}.${channel}`;
  }

  /** History STREAM. */
  stream(channel: string): string {
    return this.#tagged('stream', channel);
  }

  /** History meta HASH (`e` epoch, `s` top offset). */
  streamMeta(channel: string): string {
    return this.#tagged('stream.meta', channel);
  }

  /** History LIST of framed publications, newest first (`redis_use_lists`). */
  list(channel: string): string {
    return this.#tagged('list', channel);
  }

  /** History meta HASH of the LIST storage. */
  listMeta(channel: string): string {
    return this.#tagged('list.meta', channel);
  }

  /** Idempotent publish result HASH (`e`, `s`). */
  result(channel: string, idempotencyKey: string): string {
    return `${this.#tagged('result', channel)}.${idempotencyKey}`;
  }

  /** Presence HASH clientId → protobuf ClientInfo. */
  presenceData(channel: string): string {
    return this.#tagged('presence.data', channel);
  }

  /** Presence ZSET clientId → expire-at unix seconds. */
  presenceExpire(channel: string): string {
    return this.#tagged('presence.expire', channel);
  }

  /** User mapping HASH userId → number of clients. */
  presenceUserClients(channel: string): string {
    return this.#tagged('presence.user.clients', channel);
  }

  /** User mapping ZSET userId → expire-at unix seconds. */
  presenceUserExpire(channel: string): string {
    return this.#tagged('presence.user.expire', channel);
  }
}
