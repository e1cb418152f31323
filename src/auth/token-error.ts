/** @module auth/token-error — the one error class token verification rejects with. */

/**
 * Why a token was refused:
 * - `'expired'`: `exp` ≤ now or `nbf` ≥ now (clients refresh: error 109 / disconnect 3005);
 * - `'invalid'`: anything else (malformed, signature, algorithm, audience, issuer, claim shape, base64…).
 */
export type TokenErrorKind = 'expired' | 'invalid';

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

  /** An expired-token error. */
  static expired(message: string): TokenError {
    return new TokenError('expired', message);
  }
}
