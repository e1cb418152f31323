/**
 * TLS on the HTTP listeners: `wss://` with the real centrifuge SDK, the HTTPS API, mutual TLS,
 * `tls_external`, unusable certificates stopping the start, and certificate reload.
 */
import assert from 'node:assert/strict';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { connect as http2Connect, type ClientHttp2Session } from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { X509Certificate } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startServer } from '../../src/app/server.js';
import { ConfigError, validateConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { createTestPki, servedCertificate, type CertFiles, type TestPki } from '../harness/certs.js';
import { PROTOCOLS, sdkClient, decodeData, encodeData } from '../harness/sdk.js';
import { startTestServer, TEST_API_KEY, TEST_HMAC_SECRET, type TestServer } from '../harness/server.js';
import { connectToken } from '../harness/tokens.js';
import { deferred, waitFor } from '../harness/wait.js';

interface ClientTls {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
}

/** POST over HTTPS with the test CA (and optionally a client certificate). */
async function httpsPost(url: string, body: unknown, tls: ClientTls, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const opts: RequestOptions = { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, ca: tls.ca, agent: false };
    if (tls.cert !== undefined) Object.assign(opts, { cert: tls.cert, key: tls.key });
    const req = httpsRequest(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function apiPublish(port: number, tls: ClientTls, channel: string, data: unknown): Promise<{ status: number; body: string }> {
  return httpsPost(`https://127.0.0.1:${port}/api/publish`, { channel, data }, tls, { 'X-API-Key': TEST_API_KEY });
}

/** The SHA-256 fingerprint of the certificate the listener presents (handshake trusted by `ca`). */
async function peerFingerprint(port: number, ca: string): Promise<string> {
  return (await servedCertificate(port, ca, 'localhost')).fingerprint256;
}

function fingerprintOf(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

/** A `ws` WebSocket class carrying TLS options, for the SDK's `websocket` option. */
function tlsWebSocket(tls: ClientTls): typeof WebSocket {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { ca: tls.ca, ...(tls.cert !== undefined ? { cert: tls.cert, key: tls.key } : {}) });
    }
  } as unknown as typeof WebSocket;
}

type Publish = (channel: string, data: unknown) => Promise<{ status: number; body: string }>;

/** Connects the SDK over `wss://`, subscribes, publishes through the API (HTTPS by default) and checks delivery. */
async function roundTrip(s: TestServer, tls: ClientTls, protocol: 'json' | 'protobuf', publish: Publish = (c, d) => apiPublish(s.port, tls, c, d)): Promise<void> {
  const client = sdkClient(protocol, `wss://127.0.0.1:${s.port}/connection/websocket`, { token: await connectToken('u1'), websocket: tlsWebSocket(tls) });
  try {
    const got = deferred<unknown>();
    const sub = client.newSubscription(`tls-${protocol}`);
    sub.on('publication', (ctx) => got.resolve(decodeData(protocol, ctx.data)));
    const subscribed = deferred();
    sub.on('subscribed', () => subscribed.resolve());
    sub.subscribe();
    client.connect();
    await subscribed.promise;
    const r = await publish(`tls-${protocol}`, { n: 1 });
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(await got.promise, { n: 1 });
    // a client publication over the same wss connection
    await sub.publish(encodeData(protocol, { n: 2 }));
  } finally {
    client.disconnect();
  }
}

/** Resolves with the error of a TLS handshake the server refuses, or undefined when it succeeds. */
async function handshakeError(port: number, tls: ClientTls): Promise<Error | undefined> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca: tls.ca, ...(tls.cert !== undefined ? { cert: tls.cert, key: tls.key } : {}) }, () => {
      // TLS 1.3: the server's verdict on the client certificate arrives after the handshake.
      socket.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    let data = '';
    socket.on('data', (d: Buffer) => (data += d.toString()));
    socket.once('error', (err) => resolve(err));
    socket.once('close', () => resolve(data.startsWith('HTTP/1.1') ? undefined : new Error('closed without an answer')));
  });
}

/** The ALPN protocol the listener picks when offered h2 and http/1.1. */
async function alpn(port: number, ca: string): Promise<string | false> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
      resolve(socket.alpnProtocol ?? false);
      socket.end();
    });
    socket.once('error', reject);
  });
}

/** One HTTP/2 request: status and body (collected until `until` matches it, or the stream ends). */
async function h2Request(session: ClientHttp2Session, headers: Record<string, string>, body: string | undefined, until?: RegExp): Promise<{ status: number; body: string; version: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers);
    let status = 0;
    let text = '';
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.on('data', (d: Buffer) => {
      text += d.toString('utf8');
      if (until?.test(text) === true) {
        stream.close();
        resolve({ status, body: text, version: '2' });
      }
    });
    stream.on('end', () => resolve({ status, body: text, version: '2' }));
    stream.on('error', reject);
    stream.end(body);
  });
}

void describe('TLS on the HTTP listeners', () => {
  let pki: TestPki;
  let server: CertFiles;
  let server2: CertFiles;
  let client: CertFiles;
  let stranger: CertFiles;
  let otherPki: TestPki;
  const base = { client_channel_limit: 10, allow_subscribe_for_client: true, allow_publish_for_client: true, health: true };

  before(() => {
    pki = createTestPki();
    server = pki.issue('server', 'server');
    server2 = pki.issue('server2', 'server');
    client = pki.issue('client', 'client');
    otherPki = pki.otherCa();
    stranger = otherPki.issue('stranger', 'client');
  });
  after(() => pki.remove());

  for (const protocol of PROTOCOLS) {
    void test(`wss:// with the centrifuge SDK (${protocol}) and the HTTPS API, certificate files`, async () => {
      const s = await startTestServer({ ...base, tls: true, tls_cert: server.cert, tls_key: server.key });
      try {
        await roundTrip(s, { ca: pki.caPem }, protocol);
        assert.equal(await peerFingerprint(s.port, pki.caPem), fingerprintOf(server.certPem));
      } finally {
        await s.close();
      }
    });
  }

  void test('inline PEMs; plain HTTP and ws:// get no service on the TLS port', async () => {
    const s = await startTestServer({ ...base, tls: true, tls_cert_pem: server.certPem, tls_key_pem: server.keyPem });
    try {
      await roundTrip(s, { ca: pki.caPem }, 'json');
      await assert.rejects(fetch(`http://127.0.0.1:${s.port}/health`));
      const ws = new WebSocket(`ws://127.0.0.1:${s.port}/connection/websocket`);
      const err = deferred<Error>();
      ws.once('error', (e) => err.resolve(e));
      ws.once('open', () => err.reject(new Error('plain ws:// was accepted on the TLS port')));
      assert.ok((await err.promise) instanceof Error);
    } finally {
      await s.close();
    }
  });

  void test('a file path wins over the inline PEM of the same kind', async () => {
    const s = await startTestServer({ ...base, tls: true, tls_cert: server.cert, tls_key: server.key, tls_cert_pem: server2.certPem, tls_key_pem: server2.keyPem });
    try {
      assert.equal(await peerFingerprint(s.port, pki.caPem), fingerprintOf(server.certPem));
    } finally {
      await s.close();
    }
  });

  void test('mutual TLS: a client without a certificate, or with one from another CA, is refused; one with a certificate is served', async () => {
    const s = await startTestServer({ ...base, tls: true, tls_cert: server.cert, tls_key: server.key, tls_client_ca: pki.caFile });
    try {
      const withCert: ClientTls = { ca: pki.caPem, cert: client.certPem, key: client.keyPem };
      assert.ok((await handshakeError(s.port, { ca: pki.caPem })) !== undefined, 'no client certificate');
      assert.ok((await handshakeError(s.port, { ca: pki.caPem, cert: stranger.certPem, key: stranger.keyPem })) !== undefined, 'foreign client certificate');
      assert.equal(await handshakeError(s.port, withCert), undefined);
      await assert.rejects(apiPublish(s.port, { ca: pki.caPem }, 'x', {}));
      await roundTrip(s, withCert, 'protobuf');
      // the SDK without a certificate never connects
      const bare = sdkClient('json', `wss://127.0.0.1:${s.port}/connection/websocket`, { token: await connectToken('u2'), websocket: tlsWebSocket({ ca: pki.caPem }) });
      const failed = deferred();
      bare.on('error', () => failed.resolve());
      bare.on('connected', () => failed.reject(new Error('connected without a client certificate')));
      bare.connect();
      await failed.promise;
      bare.disconnect();
    } finally {
      await s.close();
    }
  });

  void test('inline client CA (tls_client_ca_pem) requires client certificates too', async () => {
    const s = await startTestServer({ ...base, tls: true, tls_cert_pem: server.certPem, tls_key_pem: server.keyPem, tls_client_ca_pem: pki.caPem });
    try {
      assert.ok((await handshakeError(s.port, { ca: pki.caPem })) !== undefined);
      assert.equal(await handshakeError(s.port, { ca: pki.caPem, cert: client.certPem, key: client.keyPem }), undefined);
    } finally {
      await s.close();
    }
  });

  void test('tls_external: TLS on the external listener only, the internal port stays plain HTTP', async () => {
    const s = await startTestServer({ ...base, tls: true, tls_external: true, tls_cert: server.cert, tls_key: server.key, internal_port: 0, internal_address: '127.0.0.2', prometheus: true });
    try {
      const internal = s.server.internalPort;
      assert.notEqual(internal, s.port);
      const health = await fetch(`http://127.0.0.2:${internal}/health`);
      assert.equal(health.status, 200);
      const api = await fetch(`http://127.0.0.2:${internal}/api/info`, { method: 'POST', headers: { 'X-API-Key': TEST_API_KEY }, body: '{}' });
      assert.equal(api.status, 200);
      const plainPublish: Publish = async (channel, data) => {
        const res = await fetch(`http://127.0.0.2:${internal}/api/publish`, { method: 'POST', headers: { 'X-API-Key': TEST_API_KEY }, body: JSON.stringify({ channel, data }) });
        return { status: res.status, body: await res.text() };
      };
      await roundTrip(s, { ca: pki.caPem }, 'json', plainPublish);
    } finally {
      await s.close();
    }
  });

  void test('without tls_external a separate internal listener gets TLS too', async () => {
    const s = await startTestServer({ ...base, tls: true, tls_cert: server.cert, tls_key: server.key, internal_port: 0, internal_address: '127.0.0.2' });
    try {
      const internal = s.server.internalPort;
      await assert.rejects(fetch(`http://127.0.0.2:${internal}/health`));
      const r = await httpsPost(`https://127.0.0.2:${internal}/api/info`, {}, { ca: pki.caPem }, { 'X-API-Key': TEST_API_KEY });
      assert.equal(r.status, 200);
    } finally {
      await s.close();
    }
  });

  void test('HTTP/2 by ALPN: the API and the HTTP streaming transports over h2, WebSocket upgrades on the same port', async () => {
    const s = await startTestServer({ ...base, tls: true, tls_cert: server.cert, tls_key: server.key, http_stream: true, sse: true, api_external: true });
    const session = http2Connect(`https://127.0.0.1:${s.port}`, { ca: pki.caPem });
    try {
      assert.equal(await alpn(s.port, pki.caPem), 'h2');
      const info = await h2Request(session, { ':method': 'POST', ':path': '/api/info', 'x-api-key': TEST_API_KEY }, '{}');
      assert.equal(info.status, 200);
      assert.equal((JSON.parse(info.body) as { result: { nodes: unknown[] } }).result.nodes.length, 1);
      assert.equal((session.socket as unknown as { alpnProtocol: string }).alpnProtocol, 'h2');
      // http_stream and sse connect replies arrive over h2 streams of the same session
      const token = await connectToken('h2-user');
      const hs = await h2Request(session, { ':method': 'POST', ':path': '/connection/http_stream' }, JSON.stringify({ id: 1, connect: { token } }), /\n/);
      assert.equal(hs.status, 200);
      assert.equal((JSON.parse(hs.body.split('\n')[0]!) as { id: number; connect?: { client: string } }).id, 1);
      const sseConnect = encodeURIComponent(JSON.stringify({ id: 1, connect: { token } }));
      const sse = await h2Request(session, { ':method': 'GET', ':path': `/connection/sse?cf_connect=${sseConnect}` }, undefined, /data: .*\n/);
      assert.equal(sse.status, 200);
      assert.match(sse.body, /data: \{"id":1,"connect":/);
      // and a WebSocket (HTTP/1.1 upgrade) still works on that port, with the SDK
      await roundTrip(s, { ca: pki.caPem }, 'json');
      // shutdown ends an SSE stream still open on an h2 session and completes
      const open = session.request({ ':method': 'GET', ':path': `/connection/sse?cf_connect=${sseConnect}` });
      let received = '';
      open.on('data', (d: Buffer) => (received += d.toString('utf8')));
      const ended = new Promise<void>((resolve) => open.once('close', () => resolve()));
      await waitFor(() => received.includes('"connect":'), 10_000, 'the sse connect reply');
      await s.close();
      await ended;
      assert.match(received, /"disconnect":\{"code":3001/, 'the stream carried the shutdown disconnect');
    } finally {
      session.close();
      await s.close();
    }
  });

  void test('tls_http2_disable: HTTP/1.1 only', async () => {
    const s = await startTestServer({ ...base, tls: true, tls_cert: server.cert, tls_key: server.key, tls_http2_disable: true });
    try {
      assert.equal(await alpn(s.port, pki.caPem), 'http/1.1');
      await roundTrip(s, { ca: pki.caPem }, 'json');
    } finally {
      await s.close();
    }
  });

  void describe('TLS asked for but impossible stops the start with a config error naming the key', () => {
    const cases: Array<[string, () => Record<string, unknown>, string, RegExp]> = [
      ['no certificate at all', () => ({ tls: true }), 'tls_cert', /neither tls_cert nor tls_cert_pem/],
      ['a certificate without a key', () => ({ tls: true, tls_cert: server.cert }), 'tls_key', /neither tls_key nor tls_key_pem/],
      ['a missing certificate file', () => ({ tls: true, tls_cert: join(pki.dir, 'missing.pem'), tls_key: server.key }), 'tls_cert', /cannot read the certificate file .*missing\.pem/],
      ['an unreadable key file (a directory)', () => ({ tls: true, tls_cert: server.cert, tls_key: pki.dir }), 'tls_key', /cannot read the private key file/],
      ['a certificate PEM that does not parse', () => ({ tls: true, tls_cert_pem: 'not a certificate', tls_key: server.key }), 'tls_cert_pem', /not a PEM certificate/],
      ['a key PEM that does not parse', () => ({ tls: true, tls_cert: server.cert, tls_key_pem: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' }), 'tls_key_pem', /not a PEM private key/],
      ['a key of another certificate', () => ({ tls: true, tls_cert: server.cert, tls_key: server2.key }), 'tls_key', /does not match the certificate/],
      ['no certificate, uni_grpc inheriting tls', () => ({ tls: true, uni_grpc: true, uni_grpc_port: 0, uni_grpc_address: '127.0.0.1' }), 'tls_cert', /neither tls_cert nor tls_cert_pem/],
      ['a client CA that does not parse', () => ({ tls: true, tls_cert: server.cert, tls_key: server.key, tls_client_ca_pem: 'garbage' }), 'tls_client_ca_pem', /client CA is not a PEM certificate/],
    ];
    for (const [name, config, key, message] of cases) {
      void test(name, async () => {
        const cfg = validateConfig({ address: '127.0.0.1', port: 0, api_key: TEST_API_KEY, token_hmac_secret_key: TEST_HMAC_SECRET, log_level: 'none', ...config() });
        const err = await startServer(cfg, { logger: silentLogger, defaultMetrics: false }).then(
          async (s) => {
            await s.close();
            return undefined;
          },
          (e: unknown) => e,
        );
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
        assert.equal(err.problems[0]?.path, key);
        assert.match(err.message, message);
      });
    }
  });

  void test('reload re-reads the certificate files: new handshakes get the new certificate', async () => {
    const live = { cert: join(pki.dir, 'live.pem'), key: join(pki.dir, 'live.key') };
    copyFileSync(server.cert, live.cert);
    copyFileSync(server.key, live.key);
    const raw = { ...base, tls: true, tls_cert: live.cert, tls_key: live.key };
    const s = await startTestServer(raw);
    try {
      const ws = new WebSocket(`wss://127.0.0.1:${s.port}/connection/websocket`, 'centrifuge-json', { ca: pki.caPem });
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      assert.equal(await peerFingerprint(s.port, pki.caPem), fingerprintOf(server.certPem));
      copyFileSync(server2.cert, live.cert);
      copyFileSync(server2.key, live.key);
      const rawNext = { address: '127.0.0.1', port: 0, api_key: TEST_API_KEY, token_hmac_secret_key: TEST_HMAC_SECRET, ...raw };
      const next = validateConfig(rawNext);
      s.server.reload(next);
      assert.equal(await peerFingerprint(s.port, pki.caPem), fingerprintOf(server2.certPem));
      assert.equal(ws.readyState, WebSocket.OPEN, 'established connections are kept');
      // a broken certificate on reload changes nothing
      copyFileSync(server.key, live.key);
      assert.throws(() => s.server.reload(next), (e: unknown) => e instanceof ConfigError && e.problems[0]?.path === 'tls_key');
      assert.equal(await peerFingerprint(s.port, pki.caPem), fingerprintOf(server2.certPem));
      // a client CA added by a reload turns on mutual TLS for new connections
      copyFileSync(server2.key, live.key);
      s.server.reload(validateConfig({ ...rawNext, tls_client_ca: pki.caFile }));
      assert.ok((await handshakeError(s.port, { ca: pki.caPem })) !== undefined, 'no client certificate after the reload');
      assert.equal(await handshakeError(s.port, { ca: pki.caPem, cert: client.certPem, key: client.keyPem }), undefined);
      ws.close();
      await waitFor(() => ws.readyState === WebSocket.CLOSED, 10_000);
    } finally {
      await s.close();
    }
  });
});
