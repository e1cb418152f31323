/** @module auth/token-verifier.test — signature, algorithm, time, audience/issuer and JWKS behaviour. */

import { strict as assert } from 'node:assert';
import { before, describe, it } from 'node:test';
import type { JWK } from 'jose';
import { ManualClock } from '../core/clock.js';
import { hmacKey, signToken, testKeyPair, unsignedToken } from '../../test/fixtures/keys/jwt.js';
import type { TestKeyPair } from '../../test/fixtures/keys/jwt.js';
import { TokenError } from './token-error.js';
import { TokenVerifier } from './token-verifier.js';
import type { TokenVerifierOptions } from './token-verifier.js';

const SECRET = 'test-only-secret';
const NOW_SEC = 1_700_000_000;

function verifier(options: TokenVerifierOptions, clock = new ManualClock(NOW_SEC * 1000)): TokenVerifier {
  return new TokenVerifier({ clock, ...options });
}

async function rejectsWith(p: Promise<unknown>, kind: 'expired' | 'invalid', messagePart?: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof TokenError, `expected TokenError, got ${String(err)}`);
    assert.equal(err.name, 'TokenError');
    assert.equal(err.code, 'ERR_TOKEN');
    assert.equal(err.kind, kind, `kind (message: ${err.message})`);
    if (messagePart !== undefined) assert.match(err.message, new RegExp(messagePart));
    return true;
  });
}

function hs(payload: unknown, alg = 'HS256', secret = SECRET): Promise<string> {
  return signToken(payload, hmacKey(secret), { alg });
}

/** A fetch stand-in serving JWKS documents by URL, recording requests. */
function fakeJwksFetch(byUrl: Record<string, { keys: JWK[] }>): { fetch: (url: string) => Promise<Response>; requested: string[] } {
  const requested: string[] = [];
  return {
    requested,
    fetch: async (url: string) => {
      requested.push(url);
      const body = byUrl[url];
      if (body === undefined) return new Response('not found', { status: 404 });
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    },
  };
}

void describe('TokenVerifier: HMAC', () => {
  for (const alg of ['HS256', 'HS384', 'HS512']) {
    void it(`accepts ${alg} with the configured secret`, async () => {
      const claims = await verifier({ hmacSecretKey: SECRET }).verifyConnectToken(await hs({ sub: '42' }, alg));
      assert.equal(claims.userId, '42');
      assert.equal(claims.expireAtSec, 0);
    });
  }

  void it('rejects a token signed with another secret as invalid', async () => {
    await rejectsWith(verifier({ hmacSecretKey: SECRET }).verifyConnectToken(await hs({ sub: '42' }, 'HS256', 'other')), 'invalid', 'signature');
  });

  void it('rejects a tampered payload as invalid', async () => {
    const token = await hs({ sub: '42' });
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'admin' })).toString('base64url')}.${s}`;
    await rejectsWith(verifier({ hmacSecretKey: SECRET }).verifyConnectToken(forged), 'invalid');
  });

  void it('treats an empty secret as not configured', async () => {
    await rejectsWith(verifier({ hmacSecretKey: '' }).verifyConnectToken(await hs({ sub: '1' })), 'invalid', 'disabled JWT algorithm HS256');
  });
});

void describe('TokenVerifier: RSA and ECDSA public keys', () => {
  let rsa: TestKeyPair;
  let rsaOther: TestKeyPair;
  let ec: TestKeyPair;
  let ec384: TestKeyPair;
  before(async () => {
    [rsa, rsaOther, ec, ec384] = await Promise.all([testKeyPair('RS256'), testKeyPair('RS256'), testKeyPair('ES256'), testKeyPair('ES384')]);
  });

  for (const alg of ['RS256', 'RS384', 'RS512']) {
    void it(`accepts ${alg} with the RSA PEM`, async () => {
      const token = await signToken({ sub: 'r' }, rsa.privateKey, { alg });
      assert.equal((await verifier({ rsaPublicKeyPem: rsa.publicPem }).verifyConnectToken(token)).userId, 'r');
    });
  }

  void it('accepts ES256 with a P-256 PEM and ES384 with a P-384 PEM', async () => {
    const t256 = await signToken({ sub: 'e' }, ec.privateKey, { alg: 'ES256' });
    assert.equal((await verifier({ ecdsaPublicKeyPem: ec.publicPem }).verifyConnectToken(t256)).userId, 'e');
    const t384 = await signToken({ sub: 'f' }, ec384.privateKey, { alg: 'ES384' });
    assert.equal((await verifier({ ecdsaPublicKeyPem: ec384.publicPem }).verifyConnectToken(t384)).userId, 'f');
  });

  void it('rejects an RSA token signed by another key', async () => {
    const token = await signToken({ sub: 'r' }, rsaOther.privateKey, { alg: 'RS256' });
    await rejectsWith(verifier({ rsaPublicKeyPem: rsa.publicPem }).verifyConnectToken(token), 'invalid', 'signature');
  });

  void it('rejects an ES384 header with a P-256 key as invalid', async () => {
    const token = await signToken({ sub: 'e' }, ec384.privateKey, { alg: 'ES384' });
    await rejectsWith(verifier({ ecdsaPublicKeyPem: ec.publicPem }).verifyConnectToken(token), 'invalid');
  });

  void it('rejects a known algorithm whose key is not configured (disabled)', async () => {
    const rsToken = await signToken({ sub: 'r' }, rsa.privateKey, { alg: 'RS256' });
    await rejectsWith(verifier({ hmacSecretKey: SECRET }).verifyConnectToken(rsToken), 'invalid', 'disabled JWT algorithm RS256');
    await rejectsWith(verifier({ rsaPublicKeyPem: rsa.publicPem }).verifyConnectToken(await hs({ sub: '1' })), 'invalid', 'disabled JWT algorithm HS256');
  });

  void it('does not let an RSA public key be used as an HMAC secret (alg confusion)', async () => {
    const token = await signToken({ sub: 'x' }, hmacKey(rsa.publicPem), { alg: 'HS256' });
    await rejectsWith(verifier({ rsaPublicKeyPem: rsa.publicPem }).verifyConnectToken(token), 'invalid');
  });

  void it('rejects a PS256 token (not enabled by an RSA key)', async () => {
    const ps = await testKeyPair('PS256');
    const token = await signToken({ sub: 'x' }, ps.privateKey, { alg: 'PS256' });
    await rejectsWith(verifier({ rsaPublicKeyPem: ps.publicPem }).verifyConnectToken(token), 'invalid', 'disabled');
  });

  void it('refuses unusable key material at construction', () => {
    assert.throws(() => new TokenVerifier({ rsaPublicKeyPem: 'not a pem' }), TypeError);
    assert.throws(() => new TokenVerifier({ rsaPublicKeyPem: ec.publicPem }), /expected rsa/);
    assert.throws(() => new TokenVerifier({ ecdsaPublicKeyPem: rsa.publicPem }), /expected ec/);
  });
});

void describe('TokenVerifier: algorithms that never verify', () => {
  void it('rejects alg none (empty signature) as invalid', async () => {
    const token = unsignedToken({ sub: '42' }, { alg: 'none', typ: 'JWT' });
    await rejectsWith(verifier({ hmacSecretKey: SECRET }).verifyConnectToken(token), 'invalid', 'unknown JWT algorithm none');
  });

  void it('rejects an unknown alg as invalid', async () => {
    const token = unsignedToken({ sub: '42' }, { alg: 'HS999' }, 'c2ln');
    await rejectsWith(verifier({ hmacSecretKey: SECRET }).verifyConnectToken(token), 'invalid', 'unknown');
  });

  void it('rejects everything when no key is configured', async () => {
    await rejectsWith(verifier({}).verifyConnectToken(await hs({ sub: '1' })), 'invalid');
  });

  for (const [name, token] of [
    ['empty string', ''],
    ['two parts', 'a.b'],
    ['four parts', 'a.b.c.d'],
    ['non-base64 header', '!!.e30.c2ln'],
    ['non-JSON payload', `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from('nope').toString('base64url')}.c2ln`],
    ['array payload', unsignedToken([1, 2], { alg: 'HS256' }, 'c2ln')],
    ['header without alg', unsignedToken({ sub: '1' }, { typ: 'JWT' }, 'c2ln')],
  ] as const) {
    void it(`rejects a malformed token (${name}) as invalid`, async () => {
      await rejectsWith(verifier({ hmacSecretKey: SECRET }).verifyConnectToken(token), 'invalid');
    });
  }

  void it('rejects wrongly typed registered claims as invalid', async () => {
    const v = verifier({ hmacSecretKey: SECRET });
    await rejectsWith(v.verifyConnectToken(await hs({ sub: 42 })), 'invalid', 'sub');
    await rejectsWith(v.verifyConnectToken(await hs({ sub: '1', exp: 'soon' })), 'invalid', 'exp');
    await rejectsWith(v.verifyConnectToken(await hs({ sub: '1', aud: [1] })), 'invalid', 'aud');
  });
});

void describe('TokenVerifier: time claims (no leeway, injected clock)', () => {
  void it('exp == now is expired, exp > now (even fractionally) is valid', async () => {
    const v = verifier({ hmacSecretKey: SECRET });
    await rejectsWith(v.verifyConnectToken(await hs({ sub: '1', exp: NOW_SEC })), 'expired');
    await rejectsWith(v.verifyConnectToken(await hs({ sub: '1', exp: NOW_SEC - 10 })), 'expired');
    const claims = await v.verifyConnectToken(await hs({ sub: '1', exp: NOW_SEC + 0.5 }));
    assert.equal(claims.expireAtSec, NOW_SEC);
  });

  void it('uses the injected clock, so moving time expires a token', async () => {
    const clock = new ManualClock(NOW_SEC * 1000);
    const v = verifier({ hmacSecretKey: SECRET }, clock);
    const token = await hs({ sub: '1', exp: NOW_SEC + 60 });
    assert.equal((await v.verifyConnectToken(token)).expireAtSec, NOW_SEC + 60);
    clock.advance(59_999);
    await v.verifyConnectToken(token);
    clock.advance(1);
    await rejectsWith(v.verifyConnectToken(token), 'expired');
  });

  void it('nbf in the future or == now is "expired"; nbf in the past is fine', async () => {
    const v = verifier({ hmacSecretKey: SECRET });
    await rejectsWith(v.verifyConnectToken(await hs({ sub: '1', nbf: NOW_SEC + 5 })), 'expired', 'nbf');
    await rejectsWith(v.verifyConnectToken(await hs({ sub: '1', nbf: NOW_SEC })), 'expired');
    await v.verifyConnectToken(await hs({ sub: '1', nbf: NOW_SEC - 0.001 }));
  });

  void it('does not check iat or jti', async () => {
    await verifier({ hmacSecretKey: SECRET }).verifyConnectToken(await hs({ sub: '1', iat: NOW_SEC + 3600, jti: 'x' }));
  });

  void it('a bad signature wins over expiry (signature is checked first)', async () => {
    const token = await hs({ sub: '1', exp: NOW_SEC - 10 }, 'HS256', 'wrong');
    await rejectsWith(verifier({ hmacSecretKey: SECRET }).verifyConnectToken(token), 'invalid');
  });

  void it('expiry wins over claim processing (bad b64info in an expired token → expired)', async () => {
    const token = await hs({ sub: '1', exp: NOW_SEC - 10, b64info: '%%%' });
    await rejectsWith(verifier({ hmacSecretKey: SECRET }).verifyConnectToken(token), 'expired');
  });

  void it('checks expiry for subscription tokens too', async () => {
    const token = await hs({ sub: '1', channel: 'ch', exp: NOW_SEC });
    await rejectsWith(verifier({ hmacSecretKey: SECRET }).verifySubscribeToken(token), 'expired');
  });
});

void describe('TokenVerifier: audience and issuer', () => {
  void it('audience: exact match against a string or any array element', async () => {
    const v = verifier({ hmacSecretKey: SECRET, audience: 'rotor' });
    await v.verifyConnectToken(await hs({ sub: '1', aud: 'rotor' }));
    await v.verifyConnectToken(await hs({ sub: '1', aud: ['other', 'rotor'] }));
    await rejectsWith(v.verifyConnectToken(await hs({ sub: '1', aud: ['other'] })), 'invalid', 'audience');
    await rejectsWith(v.verifyConnectToken(await hs({ sub: '1' })), 'invalid', 'audience');
  });

  void it('audience regex: any element may match (Go (?P<name>) syntax accepted)', async () => {
    const v = verifier({ hmacSecretKey: SECRET, audienceRegex: '^rotor-(?P<env>[a-z]+)$' });
    await v.verifyConnectToken(await hs({ sub: '1', aud: ['x', 'rotor-prod'] }));
    await rejectsWith(v.verifyConnectToken(await hs({ sub: '1', aud: 'rotor-PROD' })), 'invalid', 'audience');
  });

  void it('issuer: exact and regex', async () => {
    const exact = verifier({ hmacSecretKey: SECRET, issuer: 'https://auth.example' });
    await exact.verifyConnectToken(await hs({ sub: '1', iss: 'https://auth.example' }));
    await rejectsWith(exact.verifyConnectToken(await hs({ sub: '1', iss: 'https://auth.example/' })), 'invalid', 'issuer');
    await rejectsWith(exact.verifyConnectToken(await hs({ sub: '1' })), 'invalid', 'issuer');
    const re = verifier({ hmacSecretKey: SECRET, issuerRegex: '(?i)^https://[a-z]+\\.example$' });
    await re.verifyConnectToken(await hs({ sub: '1', iss: 'https://AUTH.example' }));
    await rejectsWith(re.verifyConnectToken(await hs({ sub: '1', iss: 'https://auth.example.evil' })), 'invalid', 'issuer');
  });

  void it('an audience/issuer mismatch is invalid even when the token is also expired', async () => {
    const v = verifier({ hmacSecretKey: SECRET, issuer: 'a' });
    await rejectsWith(v.verifyConnectToken(await hs({ sub: '1', iss: 'b', exp: NOW_SEC - 1 })), 'invalid', 'issuer');
  });

  void it('refuses exact + regex together and bad regexes at construction', () => {
    assert.throws(() => new TokenVerifier({ audience: 'a', audienceRegex: 'a' }), /mutually exclusive/);
    assert.throws(() => new TokenVerifier({ issuer: 'a', issuerRegex: 'a' }), /mutually exclusive/);
    assert.throws(() => new TokenVerifier({ issuerRegex: '(' }), /invalid issuer regex/);
  });
});

void describe('TokenVerifier: user id, channel claim, skip signature', () => {
  void it('reads the user id from the configured claim (nested path too); missing → anonymous', async () => {
    const v = verifier({ hmacSecretKey: SECRET, userIdClaim: 'user_id' });
    assert.equal((await v.verifyConnectToken(await hs({ sub: 'ignored', user_id: 'u-7' }))).userId, 'u-7');
    assert.equal((await v.verifyConnectToken(await hs({ sub: 'ignored' }))).userId, '');
    assert.equal((await v.verifyConnectToken(await hs({ user_id: 77 }))).userId, '77');
    await rejectsWith(v.verifyConnectToken(await hs({ user_id: { a: 1 } })), 'invalid', 'user id');
    const nested = verifier({ hmacSecretKey: SECRET, userIdClaim: 'ext.uid' });
    assert.equal((await nested.verifyConnectToken(await hs({ ext: { uid: 'n' } }))).userId, 'n');
    assert.equal((await nested.verifySubscribeToken(await hs({ ext: { uid: 'n' }, channel: 'c' }))).userId, 'n');
  });

  void it('a connection token with a non-empty channel claim is invalid; an empty one is ignored', async () => {
    const v = verifier({ hmacSecretKey: SECRET });
    await rejectsWith(v.verifyConnectToken(await hs({ sub: '1', channel: 'news' })), 'invalid', 'channel');
    await v.verifyConnectToken(await hs({ sub: '1', channel: '' }));
    await rejectsWith(v.verifyConnectToken(await hs({ sub: '1', channel: 'news', exp: NOW_SEC - 1 })), 'invalid', 'channel');
  });

  void it('a subscription token without channel is invalid', async () => {
    const v = verifier({ hmacSecretKey: SECRET });
    await rejectsWith(v.verifySubscribeToken(await hs({ sub: '1' })), 'invalid', 'channel');
    await rejectsWith(v.verifySubscribeToken(await hs({ sub: '1', channel: '' })), 'invalid', 'channel');
  });

  void it('skipSignatureVerify accepts any signature and alg but still checks time, audience and issuer', async () => {
    const v = verifier({ skipSignatureVerify: true, audience: 'rotor' });
    const forged = unsignedToken({ sub: 'me', aud: 'rotor', exp: NOW_SEC + 10 }, { alg: 'HS256' }, 'Zm9yZ2Vk');
    assert.equal((await v.verifyConnectToken(forged)).userId, 'me');
    assert.equal((await v.verifyConnectToken(unsignedToken({ sub: 'n', aud: 'rotor' }, { alg: 'none' }))).userId, 'n');
    await rejectsWith(v.verifyConnectToken(unsignedToken({ sub: 'me', aud: 'rotor', exp: NOW_SEC }, { alg: 'HS256' }, 'eA')), 'expired');
    await rejectsWith(v.verifyConnectToken(unsignedToken({ sub: 'me', aud: 'x' }, { alg: 'HS256' }, 'eA')), 'invalid', 'audience');
    await rejectsWith(v.verifyConnectToken('garbage'), 'invalid');
  });

  void it('reports the enabled algorithms', async () => {
    const rsa = await testKeyPair('RS256');
    assert.deepEqual(new TokenVerifier({ hmacSecretKey: 's', rsaPublicKeyPem: rsa.publicPem }).algorithms, [
      'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512',
    ]);
    assert.deepEqual(new TokenVerifier({}).algorithms, []);
  });
});

void describe('TokenVerifier: JWKS (fetch stubbed; the real HTTP path is in test/integration/token-jwks.test.ts)', () => {
  let rsa: TestKeyPair;
  let ec: TestKeyPair;
  let ed: TestKeyPair;
  let stray: TestKeyPair;
  let jwks: { keys: JWK[] };
  before(async () => {
    [rsa, ec, ed, stray] = await Promise.all([testKeyPair('RS256'), testKeyPair('ES256'), testKeyPair('EdDSA'), testKeyPair('RS256')]);
    jwks = {
      keys: [
        { ...rsa.publicJwk, kid: 'rsa-1', use: 'sig' },
        { ...ec.publicJwk, kid: 'ec-1' },
        { ...ed.publicJwk, kid: 'ed-1', alg: 'EdDSA' },
      ],
    };
  });

  void it('verifies RS256, ES256 and EdDSA tokens by kid', async () => {
    const stub = fakeJwksFetch({ 'https://keys.example/jwks.json': jwks });
    const v = verifier({ jwksEndpoint: 'https://keys.example/jwks.json', jwks: { fetch: stub.fetch } });
    const rs = await signToken({ sub: 'rs' }, rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' });
    const es = await signToken({ sub: 'es' }, ec.privateKey, { alg: 'ES256', kid: 'ec-1' });
    const eddsa = await signToken({ sub: 'ed' }, ed.privateKey, { alg: 'EdDSA', kid: 'ed-1' });
    assert.equal((await v.verifyConnectToken(rs)).userId, 'rs');
    assert.equal((await v.verifyConnectToken(es)).userId, 'es');
    assert.equal((await v.verifySubscribeToken(await signToken({ sub: 'ed', channel: 'c' }, ed.privateKey, { alg: 'EdDSA', kid: 'ed-1' }))).channel, 'c');
    assert.equal((await v.verifyConnectToken(eddsa)).userId, 'ed');
    assert.deepEqual(stub.requested, ['https://keys.example/jwks.json'], 'JWKS fetched once and cached');
  });

  void it('rejects an unknown kid, a missing kid, a wrong key and a family mismatch as invalid', async () => {
    const stub = fakeJwksFetch({ 'https://keys.example/jwks.json': jwks });
    const v = verifier({ jwksEndpoint: 'https://keys.example/jwks.json', jwks: { fetch: stub.fetch } });
    await rejectsWith(v.verifyConnectToken(await signToken({ sub: 'x' }, rsa.privateKey, { alg: 'RS256', kid: 'nope' })), 'invalid');
    await rejectsWith(v.verifyConnectToken(await signToken({ sub: 'x' }, rsa.privateKey, { alg: 'RS256' })), 'invalid', 'kid');
    await rejectsWith(v.verifyConnectToken(await signToken({ sub: 'x' }, stray.privateKey, { alg: 'RS256', kid: 'rsa-1' })), 'invalid');
    // An RSA-signed token pointing at the EC key: the header alg is outside that key's family.
    await rejectsWith(v.verifyConnectToken(await signToken({ sub: 'x' }, rsa.privateKey, { alg: 'RS256', kid: 'ec-1' })), 'invalid');
  });

  void it('does not use static keys when JWKS is configured, and never accepts HMAC', async () => {
    const stub = fakeJwksFetch({ 'https://keys.example/jwks.json': jwks });
    const v = verifier({ jwksEndpoint: 'https://keys.example/jwks.json', hmacSecretKey: SECRET, rsaPublicKeyPem: stray.publicPem, jwks: { fetch: stub.fetch } });
    await rejectsWith(v.verifyConnectToken(await signToken({ sub: 'x' }, hmacKey(SECRET), { alg: 'HS256', kid: 'rsa-1' })), 'invalid', 'not allowed with JWKS');
    await rejectsWith(v.verifyConnectToken(await signToken({ sub: 'x' }, stray.privateKey, { alg: 'RS256', kid: 'rsa-1' })), 'invalid');
  });

  void it('a failing JWKS endpoint makes the token invalid', async () => {
    const stub = fakeJwksFetch({});
    const v = verifier({ jwksEndpoint: 'https://keys.example/jwks.json', jwks: { fetch: stub.fetch } });
    await rejectsWith(v.verifyConnectToken(await signToken({ sub: 'x' }, rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' })), 'invalid');
  });

  void it('fills {{tenant}} from the issuer regex and caches per resolved URL', async () => {
    const stub = fakeJwksFetch({
      'https://keys.example/acme/jwks.json': { keys: [{ ...rsa.publicJwk, kid: 'k' }] },
      'https://keys.example/globex/jwks.json': { keys: [{ ...ec.publicJwk, kid: 'k' }] },
    });
    const v = verifier({
      jwksEndpoint: 'https://keys.example/{{tenant}}/jwks.json',
      issuerRegex: '^https://auth\\.example/realms/(?P<tenant>[a-z]+)$',
      jwks: { fetch: stub.fetch },
    });
    const acme = await signToken({ sub: 'a', iss: 'https://auth.example/realms/acme' }, rsa.privateKey, { alg: 'RS256', kid: 'k' });
    const globex = await signToken({ sub: 'g', iss: 'https://auth.example/realms/globex' }, ec.privateKey, { alg: 'ES256', kid: 'k' });
    assert.equal((await v.verifyConnectToken(acme)).userId, 'a');
    assert.equal((await v.verifyConnectToken(globex)).userId, 'g');
    assert.equal((await v.verifyConnectToken(acme)).userId, 'a');
    assert.deepEqual(stub.requested, ['https://keys.example/acme/jwks.json', 'https://keys.example/globex/jwks.json']);
    // acme's key presented as globex's → wrong key for that tenant.
    const cross = await signToken({ sub: 'a', iss: 'https://auth.example/realms/globex' }, rsa.privateKey, { alg: 'RS256', kid: 'k' });
    await rejectsWith(v.verifyConnectToken(cross), 'invalid');
    // issuer not matching the regex → no tenant variable → invalid, and nothing fetched.
    const stranger = await signToken({ sub: 'a', iss: 'https://evil.example/realms/acme' }, rsa.privateKey, { alg: 'RS256', kid: 'k' });
    await rejectsWith(v.verifyConnectToken(stranger), 'invalid', 'tenant');
    assert.equal(stub.requested.length, 2);
  });

  void it('fills placeholders from audience regex groups too', async () => {
    const stub = fakeJwksFetch({ 'https://keys.example/eu/jwks.json': { keys: [{ ...rsa.publicJwk, kid: 'k' }] } });
    const v = verifier({ jwksEndpoint: 'https://keys.example/{{region}}/jwks.json', audienceRegex: '^rotor-(?P<region>[a-z]+)$', jwks: { fetch: stub.fetch } });
    const token = await signToken({ sub: 'a', aud: ['x', 'rotor-eu'] }, rsa.privateKey, { alg: 'RS256', kid: 'k' });
    assert.equal((await v.verifyConnectToken(token)).userId, 'a');
  });

  void it('refuses a non-http JWKS URL at construction', () => {
    assert.throws(() => new TokenVerifier({ jwksEndpoint: 'file:///etc/keys' }), /http/);
    assert.throws(() => new TokenVerifier({ jwksEndpoint: 'not a url' }), /invalid JWKS/);
  });
});
