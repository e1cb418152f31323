/**
 * @module engines/redis/hash — 64-bit FNV-1a and Jump consistent hash (Centrifugo's Redis sharding), used to pick
 * the Redis shard of a channel exactly as Centrifugo does, so mixed deployments agree on placement.
 */

const TWO_32 = 4294967296;
const FNV_OFFSET_HI = 0xcbf29ce4;
const FNV_OFFSET_LO = 0x84222325;
/** Low part of the FNV-64 prime 0x100000001b3 (= 2^40 + 0x1b3). */
const FNV_PRIME_LOW = 0x1b3;
const MASK_64 = (1n << 64n) - 1n;
const JUMP_MULTIPLIER = 2862933555777941757n;
const encoder = new TextEncoder();

/**
 * 64-bit FNV-1a over the UTF-8 bytes of `s`, returned as an unsigned bigint. The loop works on two 32-bit
 * halves so it never allocates per byte: `h * (2^40 + 0x1b3) = h * 0x1b3 + (h << 40)` (mod 2^64).
 */
export function fnv1a64(s: string | Uint8Array): bigint {
  const bytes = typeof s === 'string' ? encoder.encode(s) : s;
  let hi = FNV_OFFSET_HI;
  let lo = FNV_OFFSET_LO;
  for (const byte of bytes) {
    lo = (lo ^ byte) >>> 0;
    const low = lo * FNV_PRIME_LOW; // < 2^41: exact in float64
    const carry = Math.floor(low / TWO_32);
    hi = (hi * FNV_PRIME_LOW + carry + ((lo << 8) >>> 0)) >>> 0;
    lo = low >>> 0;
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/**
 * Jump consistent hash (Lamport & Veach) of a 64-bit key into `[0, buckets)`, with the float64 step of the
 * reference implementation. Returns 0 for `buckets <= 1`.
 */
export function jumpHash(key: bigint, buckets: number): number {
  if (buckets <= 1) return 0;
  let k = key & MASK_64;
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    k = (k * JUMP_MULTIPLIER + 1n) & MASK_64;
    j = Math.floor((b + 1) * (2147483648 / (Number(k >> 33n) + 1)));
  }
  return b;
}

/** The shard of a channel (also the presence shard): `jump(fnv1a64(channel), n)`. */
export function shardIndex(channel: string, shards: number): number {
  return shards <= 1 ? 0 : jumpHash(fnv1a64(channel), shards);
}

/** In-process bucketing: `fnv1a64(s) mod n` (0 when n <= 1). */
export function bucketIndex(s: string, n: number): number {
  return n <= 1 ? 0 : Number(fnv1a64(s) % BigInt(n));
}
