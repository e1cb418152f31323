/**
 * @module admin/token — HMAC-signed admin tokens (Centrifugo's admin endpoints contract).
 *
 * Centrifugo issues a gorilla `securecookie` value; only the server that issued a token (same
 * `admin_secret`) ever validates it, so Rotor uses its own compact form with the same externally
 * visible contract: an opaque string, HMAC-SHA256 keyed by `admin_secret`, valid for 30 days.
 *
 * Format: `<purpose-tag><issued unix seconds>.<base64url HMAC-SHA256(key, "<purpose>|<issued>")>`.
 * Two purposes share the secret but never each other's tokens:
 * - `admin`: the login token (`POST /admin/auth`), sent as `Authorization: token <t>`;
 * - `connection`: a short-lived connection token for the admin UI's own client connection
 *   (live tail of channels), recognised by the `rotor-admin.` prefix (see `admin/client-handler.ts`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type AdminTokenPurpose = 'admin' | 'connection';

/** Login tokens live 30 days, like Centrifugo's securecookie default max age. */
export const ADMIN_TOKEN_TTL_SEC = 30 * 24 * 3600;
/** Admin connection tokens live 15 minutes; the UI fetches a fresh one on refresh. */
export const CONNECTION_TOKEN_TTL_SEC = 15 * 60;
/** Prefix of admin connection tokens (never a valid JWT, so no clash with application tokens). */
export const CONNECTION_TOKEN_PREFIX = 'rotor-admin.';

const TTL: Record<AdminTokenPurpose, number> = { admin: ADMIN_TOKEN_TTL_SEC, connection: CONNECTION_TOKEN_TTL_SEC };
const PREFIX: Record<AdminTokenPurpose, string> = { admin: '', connection: CONNECTION_TOKEN_PREFIX };
/** Tokens issued this far in the future (clock skew between nodes) are still accepted. */
const FUTURE_SKEW_SEC = 60;

export class AdminTokens {
  readonly #secret: string;

  constructor(secret: string) {
    this.#secret = secret;
  }

  #mac(purpose: AdminTokenPurpose, issuedSec: number): Buffer {
    return createHmac('sha256', this.#secret).update(`${purpose}|${issuedSec}`).digest();
  }

  /** A token issued at `nowSec`. */
  issue(purpose: AdminTokenPurpose, nowSec: number): string {
    const issued = Math.floor(nowSec);
    return `${PREFIX[purpose]}${issued}.${this.#mac(purpose, issued).toString('base64url')}`;
  }

  /** Unix seconds when a token issued at `issuedSec` expires. */
  expiresAt(purpose: AdminTokenPurpose, issuedSec: number): number {
    return issuedSec + TTL[purpose];
  }

  /**
   * The token's issue time when it is authentic and not expired at `nowSec`; undefined otherwise
   * (also when the secret is empty: nothing is valid then).
   */
  verify(purpose: AdminTokenPurpose, token: string, nowSec: number): number | undefined {
    if (this.#secret === '') return undefined;
    const prefix = PREFIX[purpose];
    if (!token.startsWith(prefix)) return undefined;
    const body = token.slice(prefix.length);
    const dot = body.indexOf('.');
    if (dot <= 0 || dot > 12) return undefined;
    const issuedText = body.slice(0, dot);
    if (!/^\d+$/.test(issuedText)) return undefined;
    const issued = Number(issuedText);
    // Compared as text: base64url decoding would ignore stray characters.
    const given = Buffer.from(body.slice(dot + 1));
    const expected = Buffer.from(this.#mac(purpose, issued).toString('base64url'));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (issued > nowSec + FUTURE_SKEW_SEC || nowSec >= issued + TTL[purpose]) return undefined;
    return issued;
  }
}
