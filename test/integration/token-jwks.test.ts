/** @module test/integration/token-jwks — TokenVerifier against a real JWKS endpoint on 127.0.0.1. */

import { strict as assert } from 'node:assert';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { JWK } from 'jose';
import { TokenError, TokenVerifier } from '../../src/auth/index.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger, type Logger } from '../../src/core/logger.js';
import { signToken, testKeyPair } from '../fixtures/keys/jwt.js';
import { RawClientPool, expectedClose } from '../harness/raw-client.js';
import { startTestServer, type TestServer } from '../harness/server.js';
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

  void it('an unreachable endpoint makes the token "unavailable" (retry later), not invalid, and no crash', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const v = new TokenVerifier({ jwksEndpoint: `http://127.0.0.1:${port}/jwks.json`, clock, jwks: { timeoutMs: 2000 } });
    const token = await signToken({ sub: 'r' }, rsa.privateKey, { alg: 'RS256', kid: 'rsa' });
    await assert.rejects(v.verifyConnectToken(token), (err: unknown) => err instanceof TokenError && err.kind === 'unavailable');
  });
});

void describe('JWKS through the server: rotation and an unavailable endpoint', () => {
  let jwksServer: Server;
  let jwksUrl: string;
  let a: TestKeyPair;
  let b: TestKeyPair;
  let keys: JWK[] = [];
  let status = 200;
  let fetches = 0;
  let s: TestServer;
  const pool = new RawClientPool();
  const clock = new ManualClock(Date.now());

  before(async () => {
    [a, b] = await Promise.all([testKeyPair('RS256'), testKeyPair('ES256')]);
    jwksServer = createServer((_req, res) => {
      fetches++;
      if (status !== 200) res.writeHead(status).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
    s = await startTestServer({ token_jwks_public_endpoint: jwksUrl, jwks_refetch_min_interval: '1s', ping_interval: '-1s' }, { clock });
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
    jwksServer.closeAllConnections();
    await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
  });

  const token = (pair: TestKeyPair, alg: string, kid: string): Promise<string> =>
    signToken({ sub: 'u1', exp: Math.floor(clock.now() / 1000) + 3600 }, pair.privateKey, { alg, kid });

  void it('endpoint failing before any set was fetched → connect error 100 temporary (the SDK retries), not "invalid token"', async () => {
    status = 503;
    const c = await pool.open(s.wsUrl);
    const reply = await c.connect({ token: await token(a, 'RS256', 'a1') });
    assert.deepEqual(reply.error, { code: 100, message: 'internal server error', temporary: true });
    assert.equal(c.closeInfo, undefined, 'no invalid-token disconnect');
    assert.equal(fetches, 1);
  });

  void it('the endpoint back: the key set is fetched and the token accepted', async () => {
    status = 200;
    keys = [{ ...a.publicJwk, kid: 'a1' }];
    clock.advance(1_000);
    const c = await pool.open(s.wsUrl);
    const reply = await c.connect({ token: await token(a, 'RS256', 'a1') });
    assert.equal(reply.connect?.client !== undefined, true, JSON.stringify(reply));
  });

  void it('a freshly rotated key is accepted on first sight', async () => {
    keys = [{ ...a.publicJwk, kid: 'a1' }, { ...b.publicJwk, kid: 'b2' }];
    clock.advance(1_000);
    const before = fetches;
    const c = await pool.open(s.wsUrl);
    const reply = await c.connect({ token: await token(b, 'ES256', 'b2') });
    assert.equal(reply.connect?.client !== undefined, true, JSON.stringify(reply));
    assert.equal(fetches, before + 1);
  });

  void it('unknown kids: invalid token disconnect, one fetch per refetch interval', async () => {
    clock.advance(1_000);
    const before = fetches;
    for (let i = 0; i < 5; i++) {
      const c = await pool.open(s.wsUrl);
      c.send({ id: 1, connect: { token: await token(a, 'RS256', `random-${i}`) } });
      assert.deepEqual(await c.waitClose(), expectedClose('invalidToken'));
    }
    assert.equal(fetches - before, 1, 'one refetch for 5 unknown kids within one interval');
  });
});

void describe('JWKS endpoint safety check at start', () => {
  void it('insecure_skip_jwks_endpoint_safety_check starts anyway, with a warning naming the problem', async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, enabled: (level) => level === 'warn', warn: (message) => void warnings.push(message) };
    const s = await startTestServer(
      {
        token_jwks_public_endpoint: 'https://keys.example/{{tenant}}/jwks.json',
        token_issuer_regex: '^https://id\\.example/(?P<tenant>.+)$',
        token_insecure_skip_jwks_endpoint_safety_check: true,
      },
      { logger },
    );
    try {
      assert.ok(
        warnings.some((w) => /INSECURE JWKS endpoint template .*token_issuer_regex fills \{\{tenant\}\}/.test(w)),
        warnings.join('\n'),
      );
    } finally {
      await s.close();
    }
  });
});
