/** @module auth/jwks — JWKS key lookup (by `kid`), with `{{name}}` URL templates and a bounded cache. */

import { createRemoteJWKSet, customFetch } from 'jose';
import type { FetchImplementation, RemoteJWKSet, RemoteJWKSetOptions } from 'jose';
import { TokenError } from './token-error.js';

/** Tuning of JWKS fetching. */
export interface JwksOptions {
  /** HTTP timeout per fetch (default 5000 ms). */
  timeoutMs?: number;
  /** How long fetched keys are trusted before a refetch (default 10 min). */
  cacheMaxAgeMs?: number;
  /** Maximum number of distinct resolved URLs kept (dynamic JWKS; default 256). */
  maxUrls?: number;
  /** Replaces global `fetch` (tests serve a JWKS without sockets). */
  fetch?: FetchImplementation;
}

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

/** Resolves signing keys from a JWKS endpoint whose URL may depend on token variables. */
export class JwksResolver {
  readonly #template: string;
  readonly #options: Required<Omit<JwksOptions, 'fetch'>>;
  readonly #fetch: FetchImplementation | undefined;
  readonly #sets = new Map<string, RemoteJWKSet>();
  /** Names of the `{{name}}` placeholders in the URL. */
  readonly variables: readonly string[];

  /** Throws `TypeError` when the URL (with placeholders filled by a dummy value) is not http(s). */
  constructor(endpoint: string, options: JwksOptions = {}) {
    this.#template = endpoint;
    this.#options = { timeoutMs: options.timeoutMs ?? 5000, cacheMaxAgeMs: options.cacheMaxAgeMs ?? 600_000, maxUrls: options.maxUrls ?? 256 };
    this.#fetch = options.fetch;
    this.variables = [...endpoint.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
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

  /** The key getter for the JWKS at `url` (created on first use, then cached). */
  keySet(url: string): RemoteJWKSet {
    let set = this.#sets.get(url);
    if (set !== undefined) return set;
    const setOptions: RemoteJWKSetOptions = {
      timeoutDuration: this.#options.timeoutMs,
      cacheMaxAge: this.#options.cacheMaxAgeMs,
    };
    if (this.#fetch !== undefined) setOptions[customFetch] = this.#fetch;
    set = createRemoteJWKSet(checkUrl(url), setOptions);
    if (this.#sets.size >= this.#options.maxUrls) {
      const oldest = this.#sets.keys().next();
      if (oldest.done !== true) this.#sets.delete(oldest.value);
    }
    this.#sets.set(url, set);
    return set;
  }
}
