/** @module auth/options.test — config keys → verifier options. */

import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { connectionVerifierOptions, subscriptionVerifierOptions } from './options.js';
import type { TokenConfig } from './options.js';

const config: TokenConfig = {
  token_hmac_secret_key: 'conn-secret',
  token_hmac_previous_secret_key: 'conn-old',
  token_hmac_previous_secret_key_valid_until: 1_800_000_000,
  token_rsa_public_key: 'conn-rsa',
  token_ecdsa_public_key: 'conn-ec',
  token_jwks_public_endpoint: 'https://conn/jwks',
  token_audience: 'conn-aud',
  token_audience_regex: '',
  token_issuer: '',
  token_issuer_regex: 'conn-iss-re',
  token_user_id_claim: 'uid',
  separate_subscription_token_config: false,
  subscription_token_hmac_secret_key: 'sub-secret',
  subscription_token_hmac_previous_secret_key: 'sub-old',
  subscription_token_hmac_previous_secret_key_valid_until: 0,
  subscription_token_rsa_public_key: 'sub-rsa',
  subscription_token_ecdsa_public_key: 'sub-ec',
  subscription_token_jwks_public_endpoint: 'https://sub/jwks',
  subscription_token_audience: '',
  subscription_token_audience_regex: 'sub-aud-re',
  subscription_token_issuer: 'sub-iss',
  subscription_token_issuer_regex: '',
  subscription_token_user_id_claim: 'suid',
  client_insecure_skip_token_signature_verify: true,
  jwks_refetch_min_interval: 2000,
  jwks_cache_ttl: 60_000,
  jwks_fetch_timeout: 3000,
};

const jwks = { refetchMinIntervalMs: 2000, cacheMaxAgeMs: 60_000, timeoutMs: 3000 };

const connectionExpected = {
  hmacSecretKey: 'conn-secret',
  hmacPreviousSecretKey: 'conn-old',
  hmacPreviousSecretKeyValidUntil: 1_800_000_000,
  rsaPublicKeyPem: 'conn-rsa',
  ecdsaPublicKeyPem: 'conn-ec',
  jwksEndpoint: 'https://conn/jwks',
  audience: 'conn-aud',
  audienceRegex: '',
  issuer: '',
  issuerRegex: 'conn-iss-re',
  userIdClaim: 'uid',
  skipSignatureVerify: true,
  jwks,
};

void describe('verifier options from config', () => {
  void it('connection tokens use the token_* keys', () => {
    assert.deepEqual(connectionVerifierOptions(config), connectionExpected);
  });

  void it('subscription tokens share the connection settings unless separate_subscription_token_config', () => {
    assert.deepEqual(subscriptionVerifierOptions(config), connectionExpected);
  });

  void it('subscription tokens use only subscription_token_* with separate_subscription_token_config', () => {
    assert.deepEqual(subscriptionVerifierOptions({ ...config, separate_subscription_token_config: true }), {
      hmacSecretKey: 'sub-secret',
      hmacPreviousSecretKey: 'sub-old',
      hmacPreviousSecretKeyValidUntil: 0,
      rsaPublicKeyPem: 'sub-rsa',
      ecdsaPublicKeyPem: 'sub-ec',
      jwksEndpoint: 'https://sub/jwks',
      audience: '',
      audienceRegex: 'sub-aud-re',
      issuer: 'sub-iss',
      issuerRegex: '',
      userIdClaim: 'suid',
      skipSignatureVerify: true,
      jwks,
    });
  });

  void it('skipSignatureVerify defaults to false', () => {
    assert.equal(connectionVerifierOptions({}).skipSignatureVerify, false);
    assert.equal(subscriptionVerifierOptions({ separate_subscription_token_config: true }).skipSignatureVerify, false);
  });
});
