/**
 * @module bench/lib/token — HS256 connection tokens for the load generator (Rotor's bench config
 * verifies them with `token_hmac_secret_key: bench-secret`).
 */
import crypto from 'node:crypto';

const b64url = (s) => Buffer.from(s).toString('base64url');

/** HS256 connection token with `sub` and a one-hour `exp`. */
export function hs256(secret, sub) {
  const header = b64url('{"alg":"HS256","typ":"JWT"}');
  const payload = b64url(JSON.stringify({ sub, exp: Math.floor(Date.now() / 1000) + 3600 }));
  const sig = crypto.createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}
