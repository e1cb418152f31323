/**
 * @module auth/jwks — JWKS key lookup (by `kid`), with `{{name}}` URL templates and a bounded cache.
 *
 * Each resolved URL has its own key set, fetched on first use and kept:
 * - a token naming a `kid` the set does not hold makes the set refetched at once (a freshly rotated
 *   key is usable immediately, as in Centrifugo), but at most once per `refetchMinIntervalMs` per URL,
 *   so a stream of tokens with random `kid`s cannot turn into a stream of fetches;
 * - after `cacheMaxAgeMs` the set is refreshed on use; when the endpoint fails, the cached set keeps
 *   being served;
 * - when no usable answer can be had (no set fetched yet, or an unknown `kid` while the endpoint is
 *   failing: network error, timeout, 5xx, 408/429, a bad document), verification fails with a
 *   TokenError of kind `'unavailable'` (the client should retry), not `'invalid'`; an endpoint that
 *   answers 4xx has no such key set, and the token is invalid.
 */

import { createLocalJWKSet } from 'jose';
import type { CryptoKey, FlattenedJWSInput, JSONWebKeySet, JWSHeaderParameters, LocalJWKSet } from 'jose';
import { TokenError } from './token-error.js';

/** The part of `fetch` the key sets use (tests serve a JWKS without sockets). */
type JwksFetch = (url: string, init: { signal: AbortSignal; headers: Record<string, string> }) => Promise<Response>;

/** Tuning of JWKS fetching. */
export interface JwksOptions {
  /** HTTP timeout per fetch (default 5000 ms). */
  timeoutMs?: number;
  /** How long fetched keys are trusted before a refetch (default 10 min). */
  cacheMaxAgeMs?: number;
  /** Minimum time between two fetches of one URL caused by unknown `kid`s or failures (default 1000 ms). */
  refetchMinIntervalMs?: number;
  /** Maximum number of distinct resolved URLs kept (dynamic JWKS; default 256). */
  maxUrls?: number;
  /** Replaces global `fetch`. */
  fetch?: JwksFetch;
  /** Time source (unix ms); defaults to `Date.now`. */
  clock?: { now(): number };
  /** Told about every failed fetch (the cached set, if any, keeps being served). */
  onFetchError?: (url: string, error: Error) => void;
}

type Settings = Required<Omit<JwksOptions, 'onFetchError'>> & { onFetchError: JwksOptions['onFetchError'] | undefined };

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

function checkUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new TypeError(`invalid JWKS endpoint URL: ${url}`, { cause: err });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError(`JWKS endpoint must be http(s): ${url}`);
  return parsed;
}

/** Names of the `{{name}}` placeholders of a JWKS endpoint template. */
export function templateVariables(endpoint: string): string[] {
  return [...endpoint.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

/**
 * An error raised while fetching a key set (HTTP status, timeout, bad document). `permanent` when the
 * endpoint answered that there is no such key set (HTTP 4xx other than 408/429): a token needing it is
 * invalid, not waiting for a retry.
 */
class JwksFetchError extends Error {
  override readonly name = 'JwksFetchError';
  readonly code = 'ERR_JWKS_FETCH';
  readonly permanent: boolean;
  constructor(message: string, options?: { cause?: unknown; permanent?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.permanent = options?.permanent === true;
  }
}

/** The keys of one JWKS URL: cached, refetched on unknown `kid` (rate-limited), served stale on failure. */
export class JwksKeySet {
  readonly url: string;
  readonly #s: Settings;
  #local: LocalJWKSet | undefined;
  #kids = new Set<string>();
  /** When the last fetch attempt started / the last successful fetch ended (unix ms). */
  #attemptAt = Number.NEGATIVE_INFINITY;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  /** Outcome of the last fetch: a temporary failure makes unknown kids 'unavailable' rather than 'invalid'. */
  #lastFailure: 'none' | 'temporary' | 'permanent' = 'none';
  #inflight: Promise<void> | undefined;
  /** Number of fetches started (observability and tests). */
  fetches = 0;

  constructor(url: string, settings: Settings) {
    this.url = checkUrl(url).href;
    this.#s = settings;
  }

  /** The key for a token's protected header; rejects with TokenError (`'invalid'` or `'unavailable'`). */
  async getKey(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> {
    const kid = header.kid ?? '';
    const now = this.#s.clock.now();
    const mayFetch = now - this.#attemptAt >= this.#s.refetchMinIntervalMs;
    if (this.#local === undefined || (mayFetch && now - this.#fetchedAt >= this.#s.cacheMaxAgeMs)) {
      // First use, or the set is old: fetch (a failure keeps an existing set in service).
      if (mayFetch || this.#inflight !== undefined) await this.#refresh();
    } else if (!this.#kids.has(kid) && (mayFetch || this.#inflight !== undefined)) {
      // Unknown kid: the key may just have been rotated in.
      await this.#refresh();
    }
    const local = this.#local;
    const temporary = this.#lastFailure === 'temporary';
    if (local === undefined) {
      if (this.#lastFailure === 'permanent') throw TokenError.invalid(`no JWKS at ${this.url}`);
      throw TokenError.unavailable(`JWKS ${this.url} not available`);
    }
    if (!this.#kids.has(kid)) {
      // The set is as fresh as the rate limit allows; unknown stays unknown unless the endpoint is failing.
      if (temporary) throw TokenError.unavailable(`JWKS ${this.url} not available to look up kid ${kid}`);
      throw TokenError.invalid(`no JWKS key with kid ${kid}`);
    }
    try {
      return await local(header, token);
    } catch (err) {
      throw TokenError.invalid(`no usable JWKS key: ${err instanceof Error ? err.message : String(err)}`, err);
    }
  }

  /** One fetch at a time; concurrent callers share it. Never rejects. */
  #refresh(): Promise<void> {
    if (this.#inflight !== undefined) return this.#inflight;
    this.#attemptAt = this.#s.clock.now();
    this.fetches++;
    this.#inflight = this.#fetch()
      .then(
        (jwks) => {
          this.#local = createLocalJWKSet(jwks);
          this.#kids = new Set(jwks.keys.map((k) => (typeof k.kid === 'string' ? k.kid : '')));
          this.#fetchedAt = this.#s.clock.now();
          this.#lastFailure = 'none';
        },
        (err: unknown) => {
          this.#lastFailure = err instanceof JwksFetchError && err.permanent ? 'permanent' : 'temporary';
          this.#s.onFetchError?.(this.url, err instanceof Error ? err : new JwksFetchError(String(err)));
        },
      )
      .finally(() => {
        this.#inflight = undefined;
      });
    return this.#inflight;
  }

  async #fetch(): Promise<JSONWebKeySet> {
    const signal = AbortSignal.timeout(this.#s.timeoutMs);
    let body: unknown;
    try {
      const res = await this.#s.fetch(this.url, { signal, headers: { accept: 'application/json' } });
      if (res.status !== 200) {
        await res.body?.cancel();
        const permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
        throw new JwksFetchError(`JWKS endpoint answered HTTP ${res.status}`, { permanent });
      }
      body = await res.json();
    } catch (err) {
      if (err instanceof JwksFetchError) throw err;
      throw new JwksFetchError(`JWKS fetch failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if (typeof body !== 'object' || body === null || !Array.isArray((body as { keys?: unknown }).keys)) {
      throw new JwksFetchError('JWKS document has no "keys" array');
    }
    const keys = (body as { keys: unknown[] }).keys.filter((k): k is JSONWebKeySet['keys'][number] => typeof k === 'object' && k !== null);
    const jwks: JSONWebKeySet = { keys };
    try {
      createLocalJWKSet(jwks);
    } catch (err) {
      throw new JwksFetchError('invalid JWKS document', { cause: err });
    }
    return jwks;
  }
}

/** Resolves signing keys from a JWKS endpoint whose URL may depend on token variables. */
export class JwksResolver {
  readonly #template: string;
  readonly #s: Settings;
  readonly #sets = new Map<string, JwksKeySet>();
  /** Names of the `{{name}}` placeholders in the URL. */
  readonly variables: readonly string[];

  /** Throws `TypeError` when the URL (with placeholders filled by a dummy value) is not http(s). */
  constructor(endpoint: string, options: JwksOptions = {}) {
    this.#template = endpoint;
    this.#s = {
      timeoutMs: options.timeoutMs ?? 5000,
      cacheMaxAgeMs: options.cacheMaxAgeMs ?? 600_000,
      refetchMinIntervalMs: options.refetchMinIntervalMs ?? 1000,
      maxUrls: options.maxUrls ?? 256,
      fetch: options.fetch ?? ((url, init) => fetch(url, init)),
      clock: options.clock ?? { now: () => Date.now() },
      onFetchError: options.onFetchError,
    };
    this.variables = templateVariables(endpoint);
    checkUrl(endpoint.replace(PLACEHOLDER, 'x'));
  }

  /** The endpoint with placeholders filled (URL-encoded); a missing variable → invalid token. */
  resolveUrl(vars: Readonly<Record<string, string>>): string {
    return this.#template.replace(PLACEHOLDER, (_all, name: string) => {
      const value = vars[name];
      if (value === undefined || value === '') throw TokenError.invalid(`JWKS URL variable ${name} not found in token`);
      return encodeURIComponent(value);
    });
  }

  /** The key set of `url` (created on first use, then cached; the oldest is dropped beyond `maxUrls`). */
  keySet(url: string): JwksKeySet {
    let set = this.#sets.get(url);
    if (set !== undefined) return set;
    set = new JwksKeySet(url, this.#s);
    if (this.#sets.size >= this.#s.maxUrls) {
      const oldest = this.#sets.keys().next();
      if (oldest.done !== true) this.#sets.delete(oldest.value);
    }
    this.#sets.set(url, set);
    return set;
  }
}
