/** @module auth/options — Centrifugo v5 config keys → TokenVerifierOptions. */

import type { JwksOptions } from './jwks.js';
import type { TokenVerifierOptions } from './token-verifier.js';

/** The config keys token verification reads (Centrifugo's client connection keys); the full `Config` satisfies this shape. */
export interface TokenConfig {
  readonly token_hmac_secret_key?: string;
  readonly token_hmac_previous_secret_key?: string;
  readonly token_hmac_previous_secret_key_valid_until?: number;
  readonly token_rsa_public_key?: string;
  readonly token_ecdsa_public_key?: string;
  readonly token_jwks_public_endpoint?: string;
  readonly token_audience?: string;
  readonly token_audience_regex?: string;
  readonly token_issuer?: string;
  readonly token_issuer_regex?: string;
  readonly token_user_id_claim?: string;
  readonly separate_subscription_token_config?: boolean;
  readonly subscription_token_hmac_secret_key?: string;
  readonly subscription_token_hmac_previous_secret_key?: string;
  readonly subscription_token_hmac_previous_secret_key_valid_until?: number;
  readonly subscription_token_rsa_public_key?: string;
  readonly subscription_token_ecdsa_public_key?: string;
  readonly subscription_token_jwks_public_endpoint?: string;
  readonly subscription_token_audience?: string;
  readonly subscription_token_audience_regex?: string;
  readonly subscription_token_issuer?: string;
  readonly subscription_token_issuer_regex?: string;
  readonly subscription_token_user_id_claim?: string;
  readonly client_insecure_skip_token_signature_verify?: boolean;
  /** Durations in ms. */
  readonly jwks_refetch_min_interval?: number;
  readonly jwks_cache_ttl?: number;
  readonly jwks_fetch_timeout?: number;
}

function jwksOptions(config: TokenConfig): JwksOptions {
  const out: JwksOptions = {};
  if (config.jwks_refetch_min_interval !== undefined) out.refetchMinIntervalMs = config.jwks_refetch_min_interval;
  if (config.jwks_cache_ttl !== undefined && config.jwks_cache_ttl > 0) out.cacheMaxAgeMs = config.jwks_cache_ttl;
  if (config.jwks_fetch_timeout !== undefined && config.jwks_fetch_timeout > 0) out.timeoutMs = config.jwks_fetch_timeout;
  return out;
}

/** Verifier options for connection tokens (`token_*` keys). */
export function connectionVerifierOptions(config: TokenConfig): TokenVerifierOptions {
  return {
    hmacSecretKey: config.token_hmac_secret_key,
    hmacPreviousSecretKey: config.token_hmac_previous_secret_key,
    hmacPreviousSecretKeyValidUntil: config.token_hmac_previous_secret_key_valid_until,
    rsaPublicKeyPem: config.token_rsa_public_key,
    ecdsaPublicKeyPem: config.token_ecdsa_public_key,
    jwksEndpoint: config.token_jwks_public_endpoint,
    audience: config.token_audience,
    audienceRegex: config.token_audience_regex,
    issuer: config.token_issuer,
    issuerRegex: config.token_issuer_regex,
    userIdClaim: config.token_user_id_claim,
    skipSignatureVerify: config.client_insecure_skip_token_signature_verify === true,
    jwks: jwksOptions(config),
  };
}

/**
 * Verifier options for subscription tokens: the `subscription_token_*` keys when
 * `separate_subscription_token_config` is on, otherwise the connection token settings.
 */
export function subscriptionVerifierOptions(config: TokenConfig): TokenVerifierOptions {
  if (config.separate_subscription_token_config !== true) return connectionVerifierOptions(config);
  return {
    hmacSecretKey: config.subscription_token_hmac_secret_key,
    hmacPreviousSecretKey: config.subscription_token_hmac_previous_secret_key,
    hmacPreviousSecretKeyValidUntil: config.subscription_token_hmac_previous_secret_key_valid_until,
    rsaPublicKeyPem: config.subscription_token_rsa_public_key,
    ecdsaPublicKeyPem: config.subscription_token_ecdsa_public_key,
    jwksEndpoint: config.subscription_token_jwks_public_endpoint,
    audience: config.subscription_token_audience,
    audienceRegex: config.subscription_token_audience_regex,
    issuer: config.subscription_token_issuer,
    issuerRegex: config.subscription_token_issuer_regex,
    userIdClaim: config.subscription_token_user_id_claim,
    skipSignatureVerify: config.client_insecure_skip_token_signature_verify === true,
    jwks: jwksOptions(config),
  };
}
