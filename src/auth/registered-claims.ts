/** @module auth/registered-claims — the registered JWT claims: shape, audience/issuer, time and user id. */

import { namedGroups } from './go-regex.js';
import { TokenError } from './token-error.js';

type Payload = Readonly<Record<string, unknown>>;

/** Expected value of `aud` or `iss`: an exact string, a regex, or nothing (not checked). */
export interface ClaimExpectation {
  readonly exact?: string | undefined;
  readonly regex?: RegExp | undefined;
}

/** A claim that is absent or JSON null counts as absent (Go unmarshalling semantics). */
function present(payload: Payload, name: string): unknown {
  const value = payload[name];
  return value === null ? undefined : value;
}

/** Reads an optional NumericDate claim (`exp`, `nbf`, `iat`); fractional values allowed. */
export function numericDate(payload: Payload, name: string): number | undefined {
  const value = present(payload, name);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw TokenError.invalid(`claim ${name} is not a number`);
  return value;
}

/** Reads an optional string claim; a non-string value makes the token invalid. */
export function stringClaim(payload: Payload, name: string): string | undefined {
  const value = present(payload, name);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw TokenError.invalid(`claim ${name} is not a string`);
  return value;
}

/** `aud` as a list: a string is a one-element list; an array must hold strings only. */
function audienceList(payload: Payload): string[] {
  const value = present(payload, 'aud');
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v): v is string => typeof v === 'string')) return value;
  throw TokenError.invalid('claim aud is neither a string nor an array of strings');
}

/** Checks that every registered claim present has the right JSON type. */
export function checkRegisteredShapes(payload: Payload): void {
  for (const name of ['exp', 'nbf', 'iat']) numericDate(payload, name);
  for (const name of ['iss', 'sub', 'jti']) stringClaim(payload, name);
  audienceList(payload);
}

/**
 * Named groups of the audience / issuer regexes (the variables of a dynamic JWKS URL). A regex that
 * matches nothing contributes no variables (the audience/issuer check then rejects the token).
 */
export function regexVariables(payload: Payload, audience: ClaimExpectation, issuer: ClaimExpectation): Record<string, string> {
  const vars: Record<string, string> = {};
  if (issuer.regex !== undefined) {
    const iss = stringClaim(payload, 'iss');
    const m = iss === undefined ? null : issuer.regex.exec(iss);
    if (m !== null) Object.assign(vars, namedGroups(m));
  }
  if (audience.regex !== undefined) {
    for (const aud of audienceList(payload)) {
      const m = audience.regex.exec(aud);
      if (m !== null) {
        Object.assign(vars, namedGroups(m));
        break;
      }
    }
  }
  return vars;
}

/** `aud` must contain the expected value / one element must match the regex (when configured). */
export function checkAudience(payload: Payload, expected: ClaimExpectation): void {
  const { exact, regex } = expected;
  if (exact === undefined && regex === undefined) return;
  const list = audienceList(payload);
  const ok = exact !== undefined ? list.includes(exact) : list.some((a) => regex!.test(a));
  if (!ok) throw TokenError.invalid('invalid audience');
}

/** `iss` must equal the expected value / match the regex (when configured). */
export function checkIssuer(payload: Payload, expected: ClaimExpectation): void {
  const { exact, regex } = expected;
  if (exact === undefined && regex === undefined) return;
  const iss = stringClaim(payload, 'iss');
  const ok = iss !== undefined && (exact !== undefined ? iss === exact : regex!.test(iss));
  if (!ok) throw TokenError.invalid('invalid issuer');
}

/**
 * Time claims, no leeway: `exp` valid iff absent or `exp > now`; `nbf` valid iff absent or `nbf < now`.
 * Failure → `TokenError` kind `'expired'`. `iat` and `jti` are not checked.
 */
export function checkTime(payload: Payload, nowMs: number): void {
  const nowSec = nowMs / 1000;
  const exp = numericDate(payload, 'exp');
  if (exp !== undefined && !(exp > nowSec)) throw TokenError.expired('token expired');
  const nbf = numericDate(payload, 'nbf');
  if (nbf !== undefined && !(nbf < nowSec)) throw TokenError.expired('token not valid yet (nbf)');
}

/**
 * The user id: the `sub` claim, or the configured claim (a dotted path walks nested objects).
 * Absent → `""` (anonymous); a number is turned into its decimal text; any other type → invalid.
 */
export function userIdFrom(payload: Payload, claim: string | undefined): string {
  const name = claim === undefined || claim === '' ? 'sub' : claim;
  let value: unknown = payload[name];
  if (value === undefined && name.includes('.')) {
    value = name.split('.').reduce<unknown>(
      (node, key) => (typeof node === 'object' && node !== null && !Array.isArray(node) ? (node as Payload)[key] : undefined),
      payload,
    );
  }
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw TokenError.invalid(`user id claim ${name} is not a string`);
}
