/** @module auth/token-verifier — connection and subscription JWT verification (Centrifugo's JWT tokens). */

import { errorText } from '../util/error-text.js';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { compactVerify } from 'jose';
import type { ConnectTokenClaims, SubscribeTokenClaims } from './claims.js';
import { connectTokenClaims, subscribeTokenClaims } from './claims.js';
import { compileGoRegex } from './go-regex.js';
import type { JwksOptions } from './jwks.js';
import { JwksResolver } from './jwks.js';
import type { ParsedJwt } from './jwt-parse.js';
import { parseJwt } from './jwt-parse.js';
import type { ClaimExpectation } from './registered-claims.js';
import {
  checkAudience,
  checkIssuer,
  checkRegisteredShapes,
  checkTime,
  regexVariables,
  stringClaim,
  userIdFrom,
} from './registered-claims.js';
import { JWKS_ALGORITHMS, KNOWN_ALGORITHMS, SigningKeys } from './signing-keys.js';
import { TokenError } from './token-error.js';

/** How tokens are verified. Empty strings count as "not configured". */
export interface TokenVerifierOptions {
  /** Enables HS256/HS384/HS512. */
  hmacSecretKey?: string | undefined;
  /**
   * Previous HMAC secret (key rotation, Centrifugo v6 `hmac_previous_secret_key`): an HS* token whose
   * signature does not match `hmacSecretKey` is checked against this key instead.
   */
  hmacPreviousSecretKey?: string | undefined;
  /** Unix seconds after which `hmacPreviousSecretKey` is no longer accepted; 0/absent = no limit. */
  hmacPreviousSecretKeyValidUntil?: number | undefined;
  /** PEM public key; enables RS256/RS384/RS512. */
  rsaPublicKeyPem?: string | undefined;
  /** PEM public key; enables ES256/ES384/ES512. */
  ecdsaPublicKeyPem?: string | undefined;
  /** JWKS URL (may hold `{{name}}` placeholders filled from the aud/iss regex named groups). Replaces the static keys. */
  jwksEndpoint?: string | undefined;
  /** Expected `aud` element (exclusive with `audienceRegex`). */
  audience?: string | undefined;
  /** Go-syntax regex one `aud` element must match (exclusive with `audience`). */
  audienceRegex?: string | undefined;
  /** Expected `iss` (exclusive with `issuerRegex`). */
  issuer?: string | undefined;
  /** Go-syntax regex `iss` must match (exclusive with `issuer`). */
  issuerRegex?: string | undefined;
  /** Claim holding the user id instead of `sub`. */
  userIdClaim?: string | undefined;
  /** Do not check signatures (tests only); time, audience and issuer are still checked. */
  skipSignatureVerify?: boolean | undefined;
  /** Time source (unix ms); defaults to `Date.now`. */
  clock?: { now(): number } | undefined;
  /** JWKS fetch tuning. */
  jwks?: JwksOptions | undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function expectation(exact: string | undefined, regex: string | undefined, what: string): ClaimExpectation {
  const e = nonEmpty(exact);
  const r = nonEmpty(regex);
  if (e !== undefined && r !== undefined) throw new TypeError(`${what} and ${what} regex are mutually exclusive`);
  if (r === undefined) return { exact: e };
  try {
    return { regex: compileGoRegex(r) };
  } catch (err) {
    throw new TypeError(`invalid ${what} regex: ${r}`, { cause: err });
  }
}

/**
 * Verifies compact JWS tokens. Methods reject with `TokenError` only: kind `'expired'` for exp/nbf,
 * `'unavailable'` when the JWKS key set cannot be fetched now, `'invalid'` for everything else. The constructor throws `TypeError` for unusable settings
 * (bad PEM, bad regex, both exact and regex audience/issuer, bad JWKS URL).
 */
export class TokenVerifier {
  readonly #keys: SigningKeys;
  readonly #jwks: JwksResolver | undefined;
  readonly #audience: ClaimExpectation;
  readonly #issuer: ClaimExpectation;
  readonly #userIdClaim: string | undefined;
  readonly #skipSignature: boolean;
  readonly #clock: { now(): number };
  readonly #previousHmac: Uint8Array | undefined;
  readonly #previousHmacUntilMs: number;

  constructor(options: TokenVerifierOptions = {}) {
    this.#keys = new SigningKeys(options);
    const jwksEndpoint = nonEmpty(options.jwksEndpoint);
    this.#clock = options.clock ?? { now: () => Date.now() };
    this.#jwks = jwksEndpoint === undefined ? undefined : new JwksResolver(jwksEndpoint, { clock: this.#clock, ...options.jwks });
    this.#audience = expectation(options.audience, options.audienceRegex, 'audience');
    this.#issuer = expectation(options.issuer, options.issuerRegex, 'issuer');
    this.#userIdClaim = nonEmpty(options.userIdClaim);
    this.#skipSignature = options.skipSignatureVerify === true;
    this.#clock = options.clock ?? { now: () => Date.now() };
    const previous = nonEmpty(options.hmacPreviousSecretKey);
    this.#previousHmac = previous === undefined ? undefined : new TextEncoder().encode(previous);
    this.#previousHmacUntilMs = (options.hmacPreviousSecretKeyValidUntil ?? 0) * 1000;
  }

  /** Algorithms a token may use with this configuration. */
  get algorithms(): string[] {
    return this.#jwks !== undefined ? [...JWKS_ALGORITHMS] : this.#keys.algorithms;
  }

  /** Verifies a connection token (Centrifugo's connection token claims). A `channel` claim makes it invalid. */
  async verifyConnectToken(token: string): Promise<ConnectTokenClaims> {
    const { payload, userId } = await this.#verify(token, true);
    return connectTokenClaims(payload, userId);
  }

  /** Verifies a subscription token (Centrifugo's subscription token claims). A missing `channel` claim makes it invalid. */
  async verifySubscribeToken(token: string): Promise<SubscribeTokenClaims> {
    const { payload, userId } = await this.#verify(token, false);
    return subscribeTokenClaims(payload, userId);
  }

  /**
   * Centrifugo's JWT verification order: parse → regex variables of iss/aud → signature → aud/iss → `channel` forbidden
   * (connection tokens) → exp/nbf ("expired") → user id.
   */
  async #verify(token: string, connection: boolean): Promise<{ payload: Readonly<Record<string, unknown>>; userId: string }> {
    if (typeof token !== 'string' || token === '') throw TokenError.invalid('empty token');
    const jwt = parseJwt(token);
    const { payload } = jwt;
    checkRegisteredShapes(payload);
    const vars = regexVariables(payload, this.#audience, this.#issuer);
    if (!this.#skipSignature) await this.#checkSignature(token, jwt, vars);
    checkAudience(payload, this.#audience);
    checkIssuer(payload, this.#issuer);
    if (connection && (stringClaim(payload, 'channel') ?? '') !== '') {
      throw TokenError.invalid('connection token must not have a channel claim');
    }
    checkTime(payload, this.#clock.now());
    return { payload, userId: userIdFrom(payload, this.#userIdClaim) };
  }

  async #checkSignature(token: string, jwt: ParsedJwt, vars: Readonly<Record<string, string>>): Promise<void> {
    const { alg } = jwt;
    try {
      if (this.#jwks !== undefined) {
        if (!JWKS_ALGORITHMS.includes(alg)) throw TokenError.invalid(`JWT algorithm ${alg} not allowed with JWKS`);
        if (jwt.kid === undefined || jwt.kid === '') throw TokenError.invalid('token header has no kid');
        const set = this.#jwks.keySet(this.#jwks.resolveUrl(vars));
        await compactVerify(token, (header, input) => set.getKey(header, input), { algorithms: [...JWKS_ALGORITHMS] });
        return;
      }
      const hash = HMAC_HASH[alg];
      if (hash !== undefined && this.#previousHmac !== undefined) {
        this.#checkRotatedHmac(token, hash);
        return;
      }
      const key = this.#keys.keyFor(alg);
      if (key === undefined) {
        throw TokenError.invalid(KNOWN_ALGORITHMS.has(alg) ? `disabled JWT algorithm ${alg}` : `unknown JWT algorithm ${alg}`);
      }
      if (key instanceof Uint8Array && hash !== undefined) {
        verifyHmac(token, key, hash);
        return;
      }
      await compactVerify(token, key, { algorithms: [alg] });
    } catch (err) {
      if (err instanceof TokenError) throw err;
      const detail = errorText(err);
      throw TokenError.invalid(`signature verification failed: ${detail}`, err);
    }
  }

  /**
   * Key rotation: the current secret first (when configured), then the previous one while
   * `hmacPreviousSecretKeyValidUntil` has not passed; a mismatch with both is an invalid token.
   */
  #checkRotatedHmac(token: string, hash: string): void {
    const current = this.#keys.keyFor('HS256');
    if (current instanceof Uint8Array) {
      try {
        verifyHmac(token, current, hash);
        return;
      } catch (err) {
        if (!(err instanceof TokenError)) throw err;
      }
    }
    const previous = this.#previousHmac;
    if (previous === undefined) throw TokenError.invalid('signature verification failed: signature mismatch');
    if (this.#previousHmacUntilMs > 0 && this.#clock.now() >= this.#previousHmacUntilMs) {
      throw TokenError.invalid('signature verification failed: signature mismatch (previous HMAC key no longer valid)');
    }
    verifyHmac(token, previous, hash);
  }
}

const HMAC_HASH: Readonly<Record<string, string>> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

/**
 * HS256/384/512 checked synchronously with node:crypto: the connect hot path (a WebCrypto
 * round trip through jose costs several times more per connection; see bench connects/s).
 */
function verifyHmac(token: string, secret: Uint8Array, hash: string): void {
  const dot = token.lastIndexOf('.');
  if (dot <= 0) throw TokenError.invalid('malformed token');
  const expected = createHmac(hash, secret).update(token.slice(0, dot)).digest();
  const sig = token.slice(dot + 1);
  if (!/^[A-Za-z0-9_-]+$/.test(sig)) throw TokenError.invalid('malformed token signature');
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw TokenError.invalid('signature verification failed: signature mismatch');
  }
}
