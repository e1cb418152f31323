/** @module auth/token-error — the one error class token verification rejects with. */

/**
 * Why a token was refused:
 * - `'expired'`: `exp` ≤ now or `nbf` ≥ now (clients refresh: error 109 / disconnect 3005);
 * - `'invalid'`: anything else (malformed, signature, algorithm, audience, issuer, claim shape, base64…);
 * - `'unavailable'`: the token could not be checked now (its JWKS key set cannot be fetched); the
 *   client should retry (internal error, temporary / reconnect), not give up.
 */
export type TokenErrorKind = 'expired' | 'invalid' | 'unavailable';

/** A token was refused. `message` is a short description meant for logs, never for clients. */
export class TokenError extends Error {
  override readonly name = 'TokenError';
  readonly code = 'ERR_TOKEN';
  readonly kind: TokenErrorKind;
  constructor(kind: TokenErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
  }

  /** An invalid-token error. */
  static invalid(message: string, cause?: unknown): TokenError {
    return new TokenError('invalid', message, cause === undefined ? undefined : { cause });
  }

  /** The keys needed to check the token are temporarily unavailable. */
  static unavailable(message: string, cause?: unknown): TokenError {
    return new TokenError('unavailable', message, cause === undefined ? undefined : { cause });
  }

  /** An expired-token error. */
  static expired(message: string): TokenError {
    return new TokenError('expired', message);
  }
}
