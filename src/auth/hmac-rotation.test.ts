/** @module auth/hmac-rotation.test — HMAC key rotation (`hmac_previous_secret_key` + `_valid_until`). */

import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { hmacKey, signToken } from '../../test/fixtures/keys/jwt.js';
import { connectionVerifierOptions, subscriptionVerifierOptions } from './options.js';
import { TokenError } from './token-error.js';
import { TokenVerifier } from './token-verifier.js';

const NEW = 'new-secret';
const OLD = 'old-secret';
const NOW_SEC = 1_700_000_000;

function hs(payload: unknown, secret: string, alg = 'HS256'): Promise<string> {
  return signToken(payload, hmacKey(secret), { alg });
}

async function rejectsInvalid(p: Promise<unknown>): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof TokenError && err.kind === 'invalid');
}

void describe('TokenVerifier: HMAC key rotation', () => {
  for (const alg of ['HS256', 'HS384', 'HS512']) {
    void it(`${alg}: accepts tokens of the current and of the previous secret`, async () => {
      const v = new TokenVerifier({ hmacSecretKey: NEW, hmacPreviousSecretKey: OLD, clock: new ManualClock(NOW_SEC * 1000) });
      assert.equal((await v.verifyConnectToken(await hs({ sub: 'a' }, NEW, alg))).userId, 'a');
      assert.equal((await v.verifyConnectToken(await hs({ sub: 'b' }, OLD, alg))).userId, 'b');
      await rejectsInvalid(v.verifyConnectToken(await hs({ sub: 'c' }, 'third', alg)));
    });
  }

  void it('the previous secret verifies until valid_until, then the token is invalid', async () => {
    const clock = new ManualClock((NOW_SEC - 10) * 1000);
    const v = new TokenVerifier({
      hmacSecretKey: NEW,
      hmacPreviousSecretKey: OLD,
      hmacPreviousSecretKeyValidUntil: NOW_SEC,
      clock,
    });
    const oldToken = await hs({ sub: 'u', exp: NOW_SEC + 3600 }, OLD);
    assert.equal((await v.verifyConnectToken(oldToken)).userId, 'u');
    clock.set(NOW_SEC * 1000);
    await rejectsInvalid(v.verifyConnectToken(oldToken));
    // the current secret is unaffected by the deadline
    assert.equal((await v.verifyConnectToken(await hs({ sub: 'u', exp: NOW_SEC + 3600 }, NEW))).userId, 'u');
  });

  void it('without a previous secret an old token is invalid (no rotation configured)', async () => {
    const v = new TokenVerifier({ hmacSecretKey: NEW, clock: new ManualClock(NOW_SEC * 1000) });
    await rejectsInvalid(v.verifyConnectToken(await hs({ sub: 'u' }, OLD)));
  });

  void it('config keys feed both connection and separate subscription verifiers', async () => {
    const conn = connectionVerifierOptions({
      token_hmac_secret_key: NEW,
      token_hmac_previous_secret_key: OLD,
      token_hmac_previous_secret_key_valid_until: 123,
    });
    assert.equal(conn.hmacPreviousSecretKey, OLD);
    assert.equal(conn.hmacPreviousSecretKeyValidUntil, 123);
    const sub = subscriptionVerifierOptions({
      separate_subscription_token_config: true,
      subscription_token_hmac_secret_key: 'sub-new',
      subscription_token_hmac_previous_secret_key: 'sub-old',
    });
    const v = new TokenVerifier({ ...sub, clock: new ManualClock(NOW_SEC * 1000) });
    const claims = await v.verifySubscribeToken(await hs({ sub: 'u', channel: 'c' }, 'sub-old'));
    assert.equal(claims.channel, 'c');
  });
});
