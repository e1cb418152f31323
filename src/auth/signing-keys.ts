/** @module auth/signing-keys — static verification keys (HMAC secret, RSA / ECDSA PEM) and the algorithms they enable. */

import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** Static key material as configured. Empty strings count as not configured. */
export interface StaticKeyMaterial {
  hmacSecretKey?: string | undefined;
  rsaPublicKeyPem?: string | undefined;
  ecdsaPublicKeyPem?: string | undefined;
}

/** Every JWS algorithm name this module knows (to tell "unknown" from "disabled" in log messages). */
export const KNOWN_ALGORITHMS: ReadonlySet<string> = new Set([
  'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512',
  'PS256', 'PS384', 'PS512', 'EdDSA', 'Ed25519',
]);

/** Algorithms accepted with JWKS keys (RSA, EC, OKP/Ed25519). */
export const JWKS_ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

function publicKey(pem: string, expectedType: 'rsa' | 'ec', what: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (err) {
    throw new TypeError(`cannot parse ${what} public key PEM`, { cause: err });
  }
  if (key.asymmetricKeyType !== expectedType) {
    throw new TypeError(`${what} public key has type ${String(key.asymmetricKeyType)}, expected ${expectedType}`);
  }
  return key;
}

/** The keys behind each enabled algorithm. */
export class SigningKeys {
  readonly #byAlg = new Map<string, Uint8Array | KeyObject>();

  /** Throws `TypeError` for a PEM that does not parse or holds the wrong key type. */
  constructor(material: StaticKeyMaterial) {
    const { hmacSecretKey, rsaPublicKeyPem, ecdsaPublicKeyPem } = material;
    if (hmacSecretKey !== undefined && hmacSecretKey !== '') {
      const secret = new TextEncoder().encode(hmacSecretKey);
      for (const alg of ['HS256', 'HS384', 'HS512']) this.#byAlg.set(alg, secret);
    }
    if (rsaPublicKeyPem !== undefined && rsaPublicKeyPem !== '') {
      const key = publicKey(rsaPublicKeyPem, 'rsa', 'RSA');
      for (const alg of ['RS256', 'RS384', 'RS512']) this.#byAlg.set(alg, key);
    }
    if (ecdsaPublicKeyPem !== undefined && ecdsaPublicKeyPem !== '') {
      const key = publicKey(ecdsaPublicKeyPem, 'ec', 'ECDSA');
      for (const alg of ['ES256', 'ES384', 'ES512']) this.#byAlg.set(alg, key);
    }
  }

  /** Enabled algorithm names. */
  get algorithms(): string[] {
    return [...this.#byAlg.keys()];
  }

  /** The key for `alg`, or undefined when the algorithm is not enabled. */
  keyFor(alg: string): Uint8Array | KeyObject | undefined {
    return this.#byAlg.get(alg);
  }
}
