/** @module auth — JWT verification for connection and subscription tokens. */

export { TokenVerifier } from './token-verifier.js';
export type { TokenVerifierOptions } from './token-verifier.js';
export { TokenError } from './token-error.js';
export { connectionVerifierOptions, subscriptionVerifierOptions } from './options.js';
export type { TokenConfig } from './options.js';
