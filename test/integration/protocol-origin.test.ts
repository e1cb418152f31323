/**
 * @module test/integration/protocol-origin — the Origin check on the WebSocket upgrade (Centrifugo's
 * origin check on the WebSocket transport: a failed check → HTTP 403 during the upgrade).
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { RawClientPool, upgradeStatus } from '../harness/raw-client.js';
import { startTestServer, type TestServer } from '../harness/server.js';

describe('protocol: allowed_origins empty (default)', () => {
  let s: TestServer;

  before(async () => {
    s = await startTestServer({ allow_anonymous_connect_without_token: true, ping_interval: '-1s' });
  });
  after(async () => {
    await s.close();
  });

  it('no Origin header → upgrade accepted (101)', async () => {
    assert.equal(await upgradeStatus(s.wsUrl), 101);
  });

  it('any Origin header → HTTP 403', async () => {
    assert.equal(await upgradeStatus(s.wsUrl, { origin: 'http://example.com' }), 403);
    assert.equal(await upgradeStatus(s.wsUrl, { origin: `http://127.0.0.1:${s.port}` }), 403);
  });

  it('an accepted connection works normally', async () => {
    const pool = new RawClientPool();
    try {
      const c = await pool.open(s.wsUrl);
      assert.ok((await c.connect({})).connect.client);
    } finally {
      await pool.closeAll();
    }
  });
});

describe('protocol: allowed_origins with a glob pattern', () => {
  let s: TestServer;
  const pool = new RawClientPool();

  before(async () => {
    s = await startTestServer({
      allow_anonymous_connect_without_token: true,
      ping_interval: '-1s',
      allowed_origins: ['http://*.example.com', 'https://exact.org'],
    });
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
  });

  it('http://*.example.com matches a subdomain origin', async () => {
    assert.equal(await upgradeStatus(s.wsUrl, { origin: 'http://app.example.com' }), 101);
    assert.equal(await upgradeStatus(s.wsUrl, { origin: 'http://a.b.example.com' }), 101);
  });

  it('the Origin is lower-cased before matching', async () => {
    assert.equal(await upgradeStatus(s.wsUrl, { origin: 'http://APP.Example.COM' }), 101);
  });

  it('non-matching origins → 403 (other scheme, other host, bare domain)', async () => {
    assert.equal(await upgradeStatus(s.wsUrl, { origin: 'https://app.example.com' }), 403);
    assert.equal(await upgradeStatus(s.wsUrl, { origin: 'http://example.org' }), 403);
    assert.equal(await upgradeStatus(s.wsUrl, { origin: 'http://example.com' }), 403);
    assert.equal(await upgradeStatus(s.wsUrl, { origin: 'http://app.example.com.evil.net' }), 403);
  });

  it('an exact pattern matches only itself', async () => {
    assert.equal(await upgradeStatus(s.wsUrl, { origin: 'https://exact.org' }), 101);
    assert.equal(await upgradeStatus(s.wsUrl, { origin: 'https://exact.org.au' }), 403);
  });

  it('requests without Origin are always allowed', async () => {
    assert.equal(await upgradeStatus(s.wsUrl), 101);
  });

  it('a matching origin yields a working protocol connection', async () => {
    const c = await pool.open(s.wsUrl, { origin: 'http://app.example.com' });
    assert.ok((await c.connect({})).connect.client);
  });
});

describe('protocol: allowed_origins ["*"]', () => {
  let s: TestServer;

  before(async () => {
    s = await startTestServer({ allow_anonymous_connect_without_token: true, ping_interval: '-1s', allowed_origins: ['*'] });
  });
  after(async () => {
    await s.close();
  });

  it('any Origin is accepted', async () => {
    assert.equal(await upgradeStatus(s.wsUrl, { origin: 'http://anything.example' }), 101);
    assert.equal(await upgradeStatus(s.wsUrl, { origin: 'null' }), 101);
    assert.equal(await upgradeStatus(s.wsUrl), 101);
  });
});
