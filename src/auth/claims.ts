/** @module auth/claims — verified JWT payload → typed connection / subscription token claims. */

import type { SubscribeOverride } from '../core/node.js';
import { isPlainObject } from '../util/object.js';
import { numericDate, stringClaim } from './registered-claims.js';
import { TokenError } from './token-error.js';

type Payload = Readonly<Record<string, unknown>>;

/** Per-channel options of a server-side subscription from the connection token `subs` claim. */
interface TokenSubscribeOptions {
  /** Channel info (`chan_info`): JSON text of `info`, or decoded `b64info` (which wins). */
  info?: Uint8Array;
  /** Subscribe data (`SubscribeResult.data`): JSON text of `data`, or decoded `b64data` (which wins). */
  data?: Uint8Array;
  override?: SubscribeOverride;
}

/** What a valid connection token grants. */
export interface ConnectTokenClaims {
  /** `sub` (or the configured user id claim); `""` = anonymous. */
  userId: string;
  /** Connection expiration, unix seconds; 0 = never. `expire_at` wins over `exp` when present. */
  expireAtSec: number;
  /** Connection info: JSON text of `info`, or decoded `b64info` (which wins). */
  info?: Uint8Array;
  /** `channels` claim (empty when `subs` is non-empty). */
  channels: string[];
  /** `subs` claim: channel → options. */
  subs: Record<string, TokenSubscribeOptions>;
  /** JSON text of `meta` (server-side only). */
  meta?: Uint8Array;
  /** The token carried `expire_at` (even 0). */
  hasExpireAtClaim: boolean;
}

/** What a valid subscription token grants. */
export interface SubscribeTokenClaims {
  userId: string;
  /** `channel` claim (never empty). */
  channel: string;
  /** `client` claim (deprecated binding to a client id); `""` when absent. */
  client: string;
  /** Subscription expiration, unix seconds; 0 = never. `expire_at` wins over `exp` when present. */
  expireAtSec: number;
  info?: Uint8Array;
  data?: Uint8Array;
  override?: SubscribeOverride;
}

const encoder = new TextEncoder();
const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;


/** Raw JSON claim (`info`, `data`, `meta`) → its JSON text as UTF-8; absent / null → undefined. */
function rawJson(obj: Payload, name: string): Uint8Array | undefined {
  const value = obj[name];
  if (value === undefined || value === null) return undefined;
  return encoder.encode(JSON.stringify(value));
}

/** Standard padded base64 → bytes; malformed → invalid token. */
function decodeBase64(text: string, name: string): Uint8Array {
  if (!STD_BASE64.test(text)) throw TokenError.invalid(`claim ${name} is not valid base64`);
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** `b64<name>` (non-empty) wins over the raw JSON `<name>`. */
function binaryOrJson(obj: Payload, name: string): Uint8Array | undefined {
  const b64Name = `b64${name}`;
  const b64 = stringClaim(obj, b64Name);
  if (b64 !== undefined && b64 !== '') return decodeBase64(b64, b64Name);
  return rawJson(obj, name);
}

const OVERRIDE_FIELDS = [
  ['presence', 'presence'],
  ['join_leave', 'joinLeave'],
  ['force_push_join_leave', 'forcePushJoinLeave'],
  ['force_positioning', 'forcePositioning'],
  ['force_recovery', 'forceRecovery'],
] as const;

function parseOverride(value: unknown): SubscribeOverride | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) throw TokenError.invalid('claim override is not an object');
  const out: SubscribeOverride = {};
  let any = false;
  for (const [wire, key] of OVERRIDE_FIELDS) {
    const entry = value[wire];
    if (entry === undefined || entry === null) continue;
    if (!isPlainObject(entry)) throw TokenError.invalid(`override ${wire} is not an object`);
    const v = entry['value'];
    if (v !== undefined && v !== null && typeof v !== 'boolean') throw TokenError.invalid(`override ${wire}.value is not a boolean`);
    out[key] = v === true;
    any = true;
  }
  return any ? out : undefined;
}

/** The `info`/`data`/`override` triple shared by subscription tokens and connection `subs` entries. */
function subscribeOptions(obj: Payload): TokenSubscribeOptions {
  const out: TokenSubscribeOptions = {};
  const info = binaryOrJson(obj, 'info');
  if (info !== undefined) out.info = info;
  const data = binaryOrJson(obj, 'data');
  if (data !== undefined) out.data = data;
  const override = parseOverride(obj['override']);
  if (override !== undefined) out.override = override;
  return out;
}

/** `expire_at` (integer seconds, 0 = never) when present, else `exp` truncated to seconds, else 0. */
function expiration(payload: Payload): { expireAtSec: number; hasExpireAtClaim: boolean } {
  const expireAt = payload['expire_at'];
  if (expireAt !== undefined && expireAt !== null) {
    if (typeof expireAt !== 'number' || !Number.isSafeInteger(expireAt)) throw TokenError.invalid('claim expire_at is not an integer');
    return { expireAtSec: expireAt, hasExpireAtClaim: true };
  }
  const exp = numericDate(payload, 'exp');
  return { expireAtSec: exp === undefined ? 0 : Math.floor(exp), hasExpireAtClaim: false };
}

function channelList(payload: Payload): string[] {
  const value = payload['channels'];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((c): c is string => typeof c === 'string')) {
    throw TokenError.invalid('claim channels is not an array of strings');
  }
  return [...value];
}

function subsMap(payload: Payload): Record<string, TokenSubscribeOptions> {
  const value = payload['subs'];
  const out: Record<string, TokenSubscribeOptions> = {};
  if (value === undefined || value === null) return out;
  if (!isPlainObject(value)) throw TokenError.invalid('claim subs is not an object');
  for (const [channel, opts] of Object.entries(value)) {
    if (opts === null) {
      out[channel] = {};
      continue;
    }
    if (!isPlainObject(opts)) throw TokenError.invalid(`claim subs.${channel} is not an object`);
    out[channel] = subscribeOptions(opts);
  }
  return out;
}

/**
 * Maps a verified connection token payload. Throws `TokenError` (invalid) on a malformed claim,
 * including bad base64 in `b64info` (Centrifugo answers error 100 for a bad top-level `b64info`;
 * here every base64 problem is an invalid token).
 */
export function connectTokenClaims(payload: Payload, userId: string): ConnectTokenClaims {
  const subs = subsMap(payload);
  const channels = channelList(payload);
  const { expireAtSec, hasExpireAtClaim } = expiration(payload);
  const claims: ConnectTokenClaims = {
    userId,
    expireAtSec,
    channels: Object.keys(subs).length > 0 ? [] : channels,
    subs,
    hasExpireAtClaim,
  };
  const info = binaryOrJson(payload, 'info');
  if (info !== undefined) claims.info = info;
  const meta = rawJson(payload, 'meta');
  if (meta !== undefined) claims.meta = meta;
  return claims;
}

/** Maps a verified subscription token payload; a missing/empty `channel` → invalid. */
export function subscribeTokenClaims(payload: Payload, userId: string): SubscribeTokenClaims {
  const channel = stringClaim(payload, 'channel') ?? '';
  if (channel === '') throw TokenError.invalid('subscription token has no channel claim');
  const client = stringClaim(payload, 'client') ?? '';
  const { expireAtSec } = expiration(payload);
  return { userId, channel, client, expireAtSec, ...subscribeOptions(payload) };
}
