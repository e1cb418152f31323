/** @module test/harness/tokens — HS256 connection and subscription JWTs for tests. */
import { SignJWT } from 'jose';
import { TEST_HMAC_SECRET } from './server.js';

const key = (secret: string): Uint8Array => new TextEncoder().encode(secret);

/** A connection token for `sub` with optional extra claims; `expSec` absolute unix seconds. */
export async function connectToken(
  sub: string,
  claims: Record<string, unknown> = {},
  options: { expSec?: number; secret?: string } = {},
): Promise<string> {
  const jwt = new SignJWT({ ...claims, sub }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' });
  if (options.expSec !== undefined) jwt.setExpirationTime(options.expSec);
  return jwt.sign(key(options.secret ?? TEST_HMAC_SECRET));
}

/** A subscription token for (`sub`, `channel`). */
export async function subscriptionToken(
  sub: string,
  channel: string,
  claims: Record<string, unknown> = {},
  options: { expSec?: number; secret?: string } = {},
): Promise<string> {
  return connectToken(sub, { ...claims, channel }, options);
}

export function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}
