/** @module test/integration/token-jwks — TokenVerifier against a real JWKS endpoint on 127.0.0.1. */

import { strict as assert } from 'node:assert';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { JWK } from 'jose';
import { TokenError, TokenVerifier } from '../../src/auth/index.js';
import { ManualClock } from '../../src/core/clock.js';
import { signToken, testKeyPair } from '../fixtures/keys/jwt.js';
import type { TestKeyPair } from '../fixtures/keys/jwt.js';

void describe('JWKS over HTTP', () => {
  let server: Server;
  let base: string;
  let rsa: TestKeyPair;
  let ec: TestKeyPair;
  let ed: TestKeyPair;
  const requests: string[] = [];
  const documents = new Map<string, { keys: JWK[] }>();

  before(async () => {
    [rsa, ec, ed] = await Promise.all([testKeyPair('RS256'), testKeyPair('ES256'), testKeyPair('EdDSA')]);
    documents.set('/jwks.json', { keys: [{ ...rsa.publicJwk, kid: 'rsa' }, { ...ec.publicJwk, kid: 'ec' }, { ...ed.publicJwk, kid: 'ed' }] });
    documents.set('/tenants/acme/jwks.json', { keys: [{ ...ed.publicJwk, kid: 'k' }] });
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const doc = documents.get(req.url ?? '');
      if (doc === undefined) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const clock = new ManualClock(1_700_000_000_000);

  void it('fetches once and verifies RS256, ES256 and EdDSA tokens by kid', async () => {
    requests.length = 0;
    const v = new TokenVerifier({ jwksEndpoint: `${base}/jwks.json`, clock });
    const tokens = await Promise.all([
      signToken({ sub: 'r', exp: 1_700_000_100 }, rsa.privateKey, { alg: 'RS256', kid: 'rsa' }),
      signToken({ sub: 'e' }, ec.privateKey, { alg: 'ES256', kid: 'ec' }),
      signToken({ sub: 'd', channel: 'room' }, ed.privateKey, { alg: 'EdDSA', kid: 'ed' }),
    ]);
    const r = await v.verifyConnectToken(tokens[0]);
    assert.deepEqual([r.userId, r.expireAtSec], ['r', 1_700_000_100]);
    assert.equal((await v.verifyConnectToken(tokens[1])).userId, 'e');
    const sub = await v.verifySubscribeToken(tokens[2]);
    assert.deepEqual([sub.userId, sub.channel], ['d', 'room']);
    assert.deepEqual(requests, ['/jwks.json']);
  });

  void it('fills {{tenant}} from the issuer regex', async () => {
    requests.length = 0;
    const v = new TokenVerifier({
      jwksEndpoint: `${base}/tenants/{{tenant}}/jwks.json`,
      issuerRegex: '^https://id\\.example/(?P<tenant>[a-z]+)$',
      clock,
    });
    const ok = await signToken({ sub: 'a', iss: 'https://id.example/acme' }, ed.privateKey, { alg: 'EdDSA', kid: 'k' });
    assert.equal((await v.verifyConnectToken(ok)).userId, 'a');
    const unknownTenant = await signToken({ sub: 'a', iss: 'https://id.example/nobody' }, ed.privateKey, { alg: 'EdDSA', kid: 'k' });
    await assert.rejects(v.verifyConnectToken(unknownTenant), (err: unknown) => err instanceof TokenError && err.kind === 'invalid');
    assert.deepEqual(requests, ['/tenants/acme/jwks.json', '/tenants/nobody/jwks.json']);
  });

  void it('an unreachable endpoint gives an invalid token, not a crash', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const v = new TokenVerifier({ jwksEndpoint: `http://127.0.0.1:${port}/jwks.json`, clock, jwks: { timeoutMs: 2000 } });
    const token = await signToken({ sub: 'r' }, rsa.privateKey, { alg: 'RS256', kid: 'rsa' });
    await assert.rejects(v.verifyConnectToken(token), (err: unknown) => err instanceof TokenError && err.kind === 'invalid');
  });
});
