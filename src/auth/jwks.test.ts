/** @module auth/jwks.test — key rotation (refetch on unknown kid, rate-limited), stale-on-failure, unavailable vs invalid. */

import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import type { JWK } from 'jose';
import { ManualClock } from '../core/clock.js';
import { signToken, testKeyPair } from '../../test/fixtures/keys/jwt.js';
import type { TestKeyPair } from '../../test/fixtures/keys/jwt.js';
import type { TokenErrorKind } from './token-error.js';
import { TokenError } from './token-error.js';
import { TokenVerifier } from './token-verifier.js';

const URL_ = 'https://keys.example/jwks.json';

/** A JWKS endpoint stand-in whose answer the test changes (document, HTTP status or network failure). */
class FakeEndpoint {
  keys: JWK[] = [];
  status = 200;
  down = false;
  requests = 0;
  readonly fetch = async (url: string): Promise<Response> => {
    assert.equal(url, URL_);
    this.requests++;
    if (this.down) throw new TypeError('fetch failed: connect ECONNREFUSED');
    if (this.status !== 200) return new Response('no', { status: this.status });
    return new Response(JSON.stringify({ keys: this.keys }), { status: 200, headers: { 'content-type': 'application/json' } });
  };
}

async function kindOf(p: Promise<unknown>): Promise<TokenErrorKind | 'ok'> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    assert.ok(err instanceof TokenError, `expected TokenError, got ${String(err)}`);
    return err.kind;
  }
}

void describe('JWKS key sets: rotation, rate limit, failures', () => {
  let a: TestKeyPair;
  let b: TestKeyPair;
  before(async () => {
    [a, b] = await Promise.all([testKeyPair('RS256'), testKeyPair('ES256')]);
  });

  const setup = (refetchMinIntervalMs = 1000, cacheMaxAgeMs = 600_000): { v: TokenVerifier; ep: FakeEndpoint; clock: ManualClock } => {
    const ep = new FakeEndpoint();
    const clock = new ManualClock(1_700_000_000_000);
    const v = new TokenVerifier({ jwksEndpoint: URL_, clock, jwks: { fetch: ep.fetch, refetchMinIntervalMs, cacheMaxAgeMs } });
    return { v, ep, clock };
  };
  const tokenA = (kid = 'a1'): Promise<string> => signToken({ sub: 'u' }, a.privateKey, { alg: 'RS256', kid });
  const tokenB = (kid = 'b1'): Promise<string> => signToken({ sub: 'u' }, b.privateKey, { alg: 'ES256', kid });

  void it('a freshly rotated key is usable at once: an unknown kid refetches the set', async () => {
    const { v, ep, clock } = setup();
    ep.keys = [{ ...a.publicJwk, kid: 'a1' }];
    assert.equal((await v.verifyConnectToken(await tokenA())).userId, 'u');
    assert.equal(ep.requests, 1);
    clock.advance(5_000);
    ep.keys = [{ ...a.publicJwk, kid: 'a1' }, { ...b.publicJwk, kid: 'b1' }];
    assert.equal((await v.verifyConnectToken(await tokenB())).userId, 'u', 'the new key works on first sight');
    assert.equal(ep.requests, 2);
    // Known kids need no fetch.
    await v.verifyConnectToken(await tokenA());
    await v.verifyConnectToken(await tokenB());
    assert.equal(ep.requests, 2);
  });

  void it('random kids cause at most one fetch per refetch interval, and are invalid', async () => {
    const { v, ep, clock } = setup(1000);
    ep.keys = [{ ...a.publicJwk, kid: 'a1' }];
    await v.verifyConnectToken(await tokenA());
    clock.advance(2_000);
    const forged = await Promise.all(Array.from({ length: 40 }, () => tokenA(randomUUID())));
    const kinds = await Promise.all(forged.map((t) => kindOf(v.verifyConnectToken(t))));
    assert.deepEqual(new Set(kinds), new Set(['invalid']));
    for (const t of forged) assert.equal(await kindOf(v.verifyConnectToken(t)), 'invalid');
    assert.equal(ep.requests, 2, 'one refetch for 80 unknown kids within the interval');
    clock.advance(1_000);
    for (const t of forged.slice(0, 10)) assert.equal(await kindOf(v.verifyConnectToken(t)), 'invalid');
    assert.equal(ep.requests, 3, 'the next interval allows one more');
  });

  void it('concurrent first tokens share one fetch', async () => {
    const { v, ep } = setup();
    ep.keys = [{ ...a.publicJwk, kid: 'a1' }];
    const t = await tokenA();
    const results = await Promise.all(Array.from({ length: 20 }, () => v.verifyConnectToken(t)));
    assert.equal(results.length, 20);
    assert.equal(ep.requests, 1);
  });

  void it('the cached set stays in service when the endpoint fails; unknown kids are then "unavailable"', async () => {
    const { v, ep, clock } = setup(1000, 60_000);
    ep.keys = [{ ...a.publicJwk, kid: 'a1' }];
    await v.verifyConnectToken(await tokenA());
    ep.down = true;
    clock.advance(120_000); // the cache is old: a refresh is tried and fails
    assert.equal(await kindOf(v.verifyConnectToken(await tokenA())), 'ok');
    assert.equal(ep.requests, 2);
    assert.equal(await kindOf(v.verifyConnectToken(await tokenB())), 'unavailable', 'the key may exist: retry later');
    assert.equal(ep.requests, 2, 'no fetch within the interval after a failure');
    clock.advance(1_000);
    ep.status = 503;
    ep.down = false;
    assert.equal(await kindOf(v.verifyConnectToken(await tokenB())), 'unavailable');
    assert.equal(ep.requests, 3);
    clock.advance(1_000);
    ep.status = 200;
    ep.keys = [{ ...b.publicJwk, kid: 'b1' }];
    assert.equal(await kindOf(v.verifyConnectToken(await tokenB())), 'ok', 'back: the rotated key is fetched');
    assert.equal(await kindOf(v.verifyConnectToken(await tokenA())), 'invalid', 'a1 was rotated out');
  });

  void it('no set yet and the endpoint down → "unavailable" (rate-limited); a 404 → "invalid"', async () => {
    const { v, ep, clock } = setup(1000);
    ep.down = true;
    assert.equal(await kindOf(v.verifyConnectToken(await tokenA())), 'unavailable');
    assert.equal(await kindOf(v.verifyConnectToken(await tokenA())), 'unavailable');
    assert.equal(ep.requests, 1);
    clock.advance(1_000);
    ep.down = false;
    ep.status = 404;
    assert.equal(await kindOf(v.verifyConnectToken(await tokenA())), 'invalid');
    assert.equal(ep.requests, 2);
    clock.advance(1_000);
    ep.status = 200;
    ep.keys = [{ ...a.publicJwk, kid: 'a1' }];
    assert.equal(await kindOf(v.verifyConnectToken(await tokenA())), 'ok');
  });

  void it('a document that is not a key set counts as a failure, not as an empty set', async () => {
    const ep = new FakeEndpoint();
    const clock = new ManualClock();
    const fetch = async (url: string): Promise<Response> => {
      ep.requests++;
      void url;
      return new Response('{"nokeys":true}', { status: 200 });
    };
    const v = new TokenVerifier({ jwksEndpoint: URL_, clock, jwks: { fetch } });
    assert.equal(await kindOf(v.verifyConnectToken(await tokenA())), 'unavailable');
    assert.equal(ep.requests, 1);
  });
});
