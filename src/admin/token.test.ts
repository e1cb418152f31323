import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ADMIN_TOKEN_TTL_SEC, AdminTokens, CONNECTION_TOKEN_PREFIX, CONNECTION_TOKEN_TTL_SEC } from './token.js';

const NOW = 1_800_000_000;

describe('admin tokens', () => {
  const tokens = new AdminTokens('secret');

  it('a login token is valid for 30 days, then refused', () => {
    const t = tokens.issue('admin', NOW);
    assert.equal(tokens.verify('admin', t, NOW), NOW);
    assert.equal(tokens.verify('admin', t, NOW + ADMIN_TOKEN_TTL_SEC - 1), NOW);
    assert.equal(tokens.verify('admin', t, NOW + ADMIN_TOKEN_TTL_SEC), undefined);
    assert.equal(tokens.expiresAt('admin', NOW), NOW + 30 * 24 * 3600);
  });

  it('refuses tampering, another secret, an empty secret, tokens from the future and garbage', () => {
    const t = tokens.issue('admin', NOW);
    const [issued, mac] = t.split('.') as [string, string];
    assert.equal(tokens.verify('admin', `${Number(issued) + 1}.${mac}`, NOW + 10), undefined);
    assert.equal(tokens.verify('admin', `${issued}.${mac}x`, NOW), undefined);
    assert.equal(tokens.verify('admin', `${issued}.${mac.slice(1)}`, NOW), undefined);
    assert.equal(new AdminTokens('other').verify('admin', t, NOW), undefined);
    assert.equal(new AdminTokens('').verify('admin', new AdminTokens('').issue('admin', NOW), NOW), undefined);
    assert.equal(tokens.verify('admin', tokens.issue('admin', NOW + 3600), NOW), undefined);
    for (const bad of ['', '.', 'abc', '1.', '.abc', '-1.abc', '1e9.abc', '１.abc']) assert.equal(tokens.verify('admin', bad, NOW), undefined, bad);
  });

  it('login and connection tokens are not interchangeable', () => {
    const login = tokens.issue('admin', NOW);
    const conn = tokens.issue('connection', NOW);
    assert.ok(conn.startsWith(CONNECTION_TOKEN_PREFIX));
    assert.equal(tokens.verify('connection', conn, NOW), NOW);
    assert.equal(tokens.verify('connection', CONNECTION_TOKEN_PREFIX + login, NOW), undefined);
    assert.equal(tokens.verify('admin', conn.slice(CONNECTION_TOKEN_PREFIX.length), NOW), undefined);
    assert.equal(tokens.verify('connection', conn, NOW + CONNECTION_TOKEN_TTL_SEC), undefined);
  });
});
