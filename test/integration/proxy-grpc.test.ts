/**
 * @module test/integration/proxy-grpc — proxies over GRPC: the shared scenarios against a backend
 * served from Rotor's own `proxy.proto`, plus GRPC-only options (per-RPC credentials, error status).
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { startGrpcBackend, type ProxyBackend } from '../harness/proxy-backend.js';
import { RawClientPool } from '../harness/raw-client.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { proxyConfig, proxySuite } from './proxy-cases.js';

proxySuite('GRPC', () => startGrpcBackend());

describe('proxy over GRPC: per-RPC credentials', () => {
  let b: ProxyBackend;
  let s: TestServer;
  const pool = new RawClientPool();
  before(async () => {
    b = await startGrpcBackend({ credentialsKey: 'x-token' });
    s = await startTestServer(proxyConfig(b, { proxy_grpc_credentials_key: 'X-Token', proxy_grpc_credentials_value: 'secret', proxy_grpc_compression: true }));
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
    await b.close();
  });

  it('sends the credential as metadata on every call (gzip on)', async () => {
    b.on('connect', { result: { user: 'c1' } });
    const c = await pool.open(s.wsUrl);
    const r = await c.connect({});
    assert.equal(typeof r.connect.client, 'string');
    assert.equal(b.callsOf('connect').at(-1)!.headers['x-token'], 'secret');
  });
});
