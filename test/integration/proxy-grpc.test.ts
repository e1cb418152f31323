/**
 * @module test/integration/proxy-grpc — proxies over GRPC: the shared scenarios against a backend
 * served from Rotor's own `proxy.proto`, plus GRPC-only options (per-RPC credentials, error status).
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startGrpcBackend, type ProxyBackend } from '../harness/proxy-backend.js';
import { RawClientPool } from '../harness/raw-client.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { waitFor } from '../harness/wait.js';
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

describe('proxy over GRPC: subscribe streams', () => {
  let b: ProxyBackend;
  let s: TestServer;
  const pool = new RawClientPool();
  before(async () => {
    b = await startGrpcBackend();
    s = await startTestServer({
      proxy_connect_endpoint: b.endpoint('connect'),
      proxy_subscribe_stream_endpoint: b.endpoint('subscribe'),
      ping_interval: '-1s',
      namespaces: [
        { name: 'st', proxy_subscribe_stream: true },
        { name: 'bd', proxy_subscribe_stream: true, proxy_subscribe_stream_bidirectional: true },
      ],
    });
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
    await b.close();
  });

  async function connected(user: string) {
    b.on('connect', { result: { user } });
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    return c;
  }

  it('unidirectional: the first message answers the subscribe, later publications reach only this subscriber; unsubscribe cancels', async () => {
    const c = await connected('st1');
    const other = await connected('st2');
    b.streamAnswer = { result: { data: { welcome: true } } };
    const r = await c.call('subscribe', { channel: 'st:a', data: { q: 1 } });
    assert.deepEqual(r.subscribe.data, { welcome: true });
    const st = b.streams.at(-1)!;
    assert.equal(st.bidirectional, false);
    assert.equal(st.request.channel, 'st:a');
    assert.equal(st.request.user, 'st1');
    assert.deepEqual(st.request.data, { q: 1 });
    b.streamAnswer = { result: {} };
    await other.call('subscribe', { channel: 'st:a' });
    st.publish({ n: 1 }, { k: 'v' });
    const push = await c.waitPush((p) => p.channel === 'st:a' && p.pub !== undefined);
    assert.deepEqual(push.pub.data, { n: 1 });
    assert.deepEqual(push.pub.tags, { k: 'v' });
    assert.equal((await c.call('publish', { channel: 'st:a', data: { up: 1 } })).error.code, 108, 'no publish into a unidirectional stream namespace');
    await c.call('unsubscribe', { channel: 'st:a' });
    await waitFor(() => st.cancelled, 5000, 'stream cancelled');
    assert.equal((await c.call('publish', { channel: 'bd:y', data: { up: 1 } })).error.code, 108, 'no publish into a bidirectional stream without subscribing');
    assert.equal(other.messages.some((m) => m.value.push?.pub !== undefined), false, 'the other subscriber got nothing of this stream');
  });

  it('errors in the first message reach the client; a backend end unsubscribes (2500)', async () => {
    const c = await connected('st3');
    b.streamAnswer = { error: { code: 1777, message: 'no stream for you' } };
    assert.deepEqual((await c.call('subscribe', { channel: 'st:b' })).error, { code: 1777, message: 'no stream for you' });
    b.streamAnswer = { result: {} };
    await c.call('subscribe', { channel: 'st:c' });
    b.streams.at(-1)!.end();
    const unsub = await c.waitPush((p) => p.channel === 'st:c' && p.unsubscribe !== undefined);
    assert.equal(unsub.unsubscribe.code, 2500);
  });

  it('bidirectional: client publications go to the stream, disconnect cancels it', async () => {
    const c = await connected('bd1');
    b.streamAnswer = { result: {} };
    await c.call('subscribe', { channel: 'bd:x' });
    const st = b.streams.at(-1)!;
    assert.equal(st.bidirectional, true);
    assert.deepEqual((await c.call('publish', { channel: 'bd:x', data: { up: 1 } })).publish, {});
    await waitFor(() => st.received.length === 1, 5000, 'publication on the stream');
    assert.deepEqual(st.received[0]!.data, { up: 1 });
    st.publish({ down: 2 });
    const push = await c.waitPush((p) => p.channel === 'bd:x' && p.pub !== undefined);
    assert.deepEqual(push.pub.data, { down: 2 });
    await c.close();
    await waitFor(() => st.cancelled, 5000, 'stream cancelled on disconnect');
  });
});

describe('proxy over GRPC: TLS', () => {
  let haveOpenssl = true;
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    haveOpenssl = false;
  }
  let dir = '';
  let cert = '';
  let b: ProxyBackend;
  const servers: TestServer[] = [];
  const pool = new RawClientPool();
  before(async () => {
    if (!haveOpenssl) return;
    dir = mkdtempSync(join(tmpdir(), 'rotor-proxy-tls-'));
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    b = await startGrpcBackend({ tls: { cert, key: readFileSync(join(dir, 'key.pem'), 'utf8') } });
  });
  after(async () => {
    await pool.closeAll();
    for (const s of servers) await s.close();
    await b?.close();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  async function connectVia(extra: Record<string, unknown>) {
    const s = await startTestServer({ proxy_connect_endpoint: b.endpoint('connect'), ...extra });
    servers.push(s);
    b.on('connect', { result: { user: 'tls' } });
    const c = await pool.open(s.wsUrl);
    return c.connect({});
  }

  it('proxy_grpc_tls with the server CA, and proxy_grpc_cert_file, reach a TLS backend; plaintext gets 100', { skip: !haveOpenssl && 'openssl not available' }, async () => {
    assert.equal(typeof (await connectVia({ proxy_grpc_tls: { enabled: true, server_ca_pem: cert } })).connect.client, 'string');
    assert.equal(typeof (await connectVia({ proxy_grpc_cert_file: join(dir, 'cert.pem') })).connect.client, 'string');
    assert.equal((await connectVia({})).error.code, 100);
  });
});
