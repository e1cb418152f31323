/**
 * @module engines/nats/idempotency — node-local memory of recent idempotency keys.
 *
 * NATS has no shared store, so Centrifugo's NATS broker ignores idempotency keys. Rotor keeps them
 * per node instead: a retry that reaches the same node within the TTL is suppressed; a retry that
 * reaches another node is published again.
 */

/** (channel, key) → expiry, in insertion order; expired entries are invisible and swept on writes. */
export class LocalIdempotencyKeys {
  private readonly entries = new Map<string, number>();

  get size(): number {
    return this.entries.size;
  }

  /** True when the key was recorded for the channel and has not expired at `now`. */
  has(channel: string, key: string, now: number): boolean {
    const k = cacheKey(channel, key);
    const expireAt = this.entries.get(k);
    if (expireAt === undefined) return false;
    if (expireAt <= now) {
      this.entries.delete(k);
      return false;
    }
    return true;
  }

  /** Records the key until `expireAt` and reclaims expired entries at the front. */
  add(channel: string, key: string, expireAt: number, now: number): void {
    const k = cacheKey(channel, key);
    this.entries.delete(k);
    this.entries.set(k, expireAt);
    for (const [oldKey, oldExpireAt] of this.entries) {
      if (oldExpireAt > now) break;
      this.entries.delete(oldKey);
    }
  }

  delete(channel: string, key: string): void {
    this.entries.delete(cacheKey(channel, key));
  }

  clear(): void {
    this.entries.clear();
  }
}

/** Length-prefixed so that no (channel, key) pair can collide with another. */
function cacheKey(channel: string, key: string): string {
  return `${channel.length}:${channel}${key}`;
}
