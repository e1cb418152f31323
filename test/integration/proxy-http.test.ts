/**
 * @module test/integration/proxy-http — proxies over HTTP: the shared scenarios, plus HTTP-only
 * behaviour (status code transforms, malformed / mistyped / oversized bodies).
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import WebSocket from 'ws';
import { freePort } from '../harness/spawned.js';
import { startHttpBackend, type ProxyBackend } from '../harness/proxy-backend.js';
import { waitFor } from '../harness/wait.js';
import { RawClientPool } from '../harness/raw-client.js';
import { sdkClient } from '../harness/sdk.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { proxyConfig, proxySuite } from './proxy-cases.js';

proxySuite('HTTP', () => startHttpBackend());

describe('proxy over HTTP: bad backends and status transforms', () => {
  let b: ProxyBackend;
  let s: TestServer;
  const pool = new RawClientPool();
  before(async () => {
    b = await startHttpBackend();
    s = await startTestServer(
      proxyConfig(b, {
        uni_websocket: true,
        proxy_http_status_code_transforms: [
          { status_code: 404, to_error: { code: 1404, message: 'not found', temporary: false } },
          { status_code: 403, to_disconnect: { code: 4403, reason: 'forbidden' } },
        ],
      }),
    );
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
    await b.close();
  });

  async function connected() {
    b.on('connect', { result: { user: 'u' } });
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    return c;
  }

  it('status 404 → transformed error, 403 → transformed disconnect, 500 → 100', async () => {
    const c = await connected();
    b.on('rpc', { $status: 404 });
    assert.deepEqual((await c.call('rpc', { method: 'a', data: {} })).error, { code: 1404, message: 'not found' });
    b.on('rpc', { $status: 500 });
    assert.equal((await c.call('rpc', { method: 'a', data: {} })).error.code, 100);
    b.on('rpc', { $status: 403 });
    c.send({ id: 50, rpc: { method: 'a', data: {} } });
    const closed = await c.waitClose(5000);
    assert.equal(closed.code, 4403);
    assert.match(closed.reason, /forbidden/);
  });

  for (const [what, answer] of [
    ['malformed JSON', { $raw: '{"result": {' }],
    ['a field of the wrong type', { $raw: '{"result": {"data": {"a":1}, "b64data": 5}}' }],
    ['an oversized body', { $oversize: true }],
    ['a reset connection', { $reset: true }],
  ] as const) {
    it(`${what} → error 100, connection kept`, async () => {
      const c = await connected();
      b.on('rpc', answer);
      assert.equal((await c.call('rpc', { method: 'bad', data: {} }, 8000)).error.code, 100);
      b.on('rpc', { result: { data: { ok: 1 } } });
      assert.deepEqual((await c.call('rpc', { method: 'good', data: {} })).rpc.data, { ok: 1 });
      await c.close();
    });
  }

  it('a client gone during a connect proxy call is not registered when the answer comes; a result-less answer → 3003', async () => {
    const node = s.server.node;
    const live = node.hub.numClients;
    let release: (a: Record<string, unknown>) => void = () => undefined;
    b.on('connect', () => new Promise((resolve) => (release = resolve)));
    const before = b.callsOf('connect').length;
    const c = await pool.open(s.wsUrl);
    c.send({ id: 1, connect: {} });
    await waitFor(() => b.callsOf('connect').length > before, 5000, 'connect proxy called');
    c.terminate();
    await c.closed;
    release({ result: { user: 'gone' } });
    b.on('connect', { result: null });
    const c2 = await pool.open(s.wsUrl);
    c2.send({ id: 1, connect: {} });
    assert.equal((await c2.waitClose(5000)).code, 3003);
    assert.equal(node.hub.numClients, live, 'the gone client was not added');
  });

  it('connect proxy failure: bidirectional → error 100 temporary; uni_websocket → disconnect 3004', async () => {
    b.on('connect', { $raw: 'not json' });
    const c = await pool.open(s.wsUrl);
    const r = await c.connect({});
    assert.deepEqual(r.error, { code: 100, message: 'internal server error', temporary: true });
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/connection/uni_websocket?cf_connect=${encodeURIComponent('{}')}`);
    const closed = await new Promise<{ code: number }>((resolve) => ws.on('close', (code) => resolve({ code })));
    assert.equal(closed.code, 3004);
    b.on('connect', { error: { code: 103, message: 'permission denied' } });
    const ws2 = new WebSocket(`ws://127.0.0.1:${s.port}/connection/uni_websocket?cf_connect=${encodeURIComponent('{}')}`);
    const closed2 = await new Promise<{ code: number }>((resolve) => ws2.on('close', (code) => resolve({ code })));
    assert.equal(closed2.code, 3507, 'error 103 maps to disconnect permission denied');
  });
});

describe('proxy: fail closed', () => {
  let s: TestServer;
  const pool = new RawClientPool();
  before(async () => {
    s = await startTestServer({
      allow_anonymous_connect_without_token: true,
      namespaces: [
        { name: 'sub', proxy_subscribe: true, allow_subscribe_for_client: true, allow_subscribe_for_anonymous: true },
        { name: 'pub', proxy_publish: true, allow_subscribe_for_client: true, allow_subscribe_for_anonymous: true, allow_publish_for_client: true, allow_publish_for_anonymous: true },
        { name: 'srf', proxy_sub_refresh: true, allow_subscribe_for_client: true, allow_subscribe_for_anonymous: true },
      ],
    });
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
  });

  it('a namespace enabling a proxy with no proxy configured answers 108, never the allow_* rules', async () => {
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    assert.equal((await c.call('subscribe', { channel: 'sub:a' })).error.code, 108);
    assert.equal((await c.call('subscribe', { channel: 'srf:a' })).error.code, 108);
    assert.deepEqual((await c.call('subscribe', { channel: 'pub:a' })).subscribe, {});
    assert.equal((await c.call('publish', { channel: 'pub:a', data: { x: 1 } })).error.code, 108);
    // connect-time subscriptions to such namespaces are not granted either
    const c2 = await pool.open(s.wsUrl);
    const r = await c2.connect({ subs: { 'sub:b': {} } });
    assert.equal(r.connect.subs?.['sub:b'], undefined);
  });
});

describe('proxy: emulated (client-sent) headers', () => {
  let b: ProxyBackend;
  let s: TestServer;
  const pool = new RawClientPool();
  const sdks: ReturnType<typeof sdkClient>[] = [];
  before(async () => {
    b = await startHttpBackend();
    s = await startTestServer(proxyConfig(b, { proxy_http_headers: ['Authorization', 'X-Real'], proxy_emulated_headers: ['X-Emu', 'X-Real'] }));
  });
  after(async () => {
    for (const c of sdks) c.disconnect();
    await pool.closeAll();
    await s.close();
    await b.close();
  });

  it('are forwarded only under their own allow-list and never as if they were real headers', async () => {
    b.on('connect', { result: { user: 'e1' } });
    b.on('rpc', { result: {} });
    const c = await pool.open(s.wsUrl, { headers: { 'X-Real': 'real' } });
    await c.connect({ headers: { Authorization: 'Bearer forged', 'X-Emu': 'e1', 'X-Other': 'o', 'X-Real': 'client-value' } });
    const h = b.callsOf('connect').at(-1)!.headers;
    assert.equal(h.authorization, undefined, 'a client-sent Authorization is not forwarded although Authorization is a forwarded real header');
    assert.equal(h['x-emu'], 'e1');
    assert.equal(h['x-other'], undefined);
    assert.equal(h['x-real'], 'real', 'the real header wins over a client-sent one');
    await c.call('rpc', { method: 'm', data: {} });
    const r = b.callsOf('rpc').at(-1)!.headers;
    assert.equal(r['x-emu'], 'e1', 'kept for later proxies of the connection');
    assert.equal(r.authorization, undefined);
  });

  it('the SDK headers option reaches the backend through the allow-list', async () => {
    b.on('connect', { result: { user: 'e2' } });
    const c = sdkClient('json', s.wsUrl, { headers: { 'X-Emu': 'from-sdk', Authorization: 'nope' } });
    sdks.push(c);
    const connected = new Promise((resolve) => c.once('connected', resolve));
    c.connect();
    await connected;
    const h = b.callsOf('connect').at(-1)!.headers;
    assert.equal(h['x-emu'], 'from-sdk');
    assert.equal(h.authorization, undefined);
  });
});

describe('proxy: unidirectional clients (uni-GRPC metadata, uni_sse headers)', () => {
  let b: ProxyBackend;
  let s: TestServer;
  let grpcPort = 0;
  before(async () => {
    b = await startHttpBackend();
    grpcPort = await freePort();
    s = await startTestServer(
      proxyConfig(b, {
        uni_grpc: true,
        uni_grpc_address: '127.0.0.1',
        uni_grpc_port: grpcPort,
        uni_sse: true,
        proxy_grpc_metadata: ['X-Tenant'],
        proxy_http_headers: ['X-Tenant'],
      }),
    );
  });
  after(async () => {
    await s.close();
    await b.close();
  });

  it('uni-GRPC: metadata keys in proxy_grpc_metadata reach the connect proxy, others do not; the connect push carries the result', async () => {
    b.on('connect', { result: { user: 'g1', data: { hi: 1 } } });
    const def = protoLoader.loadSync(fileURLToPath(new URL('../../src/transports/unistream.proto', import.meta.url)), {
      keepCase: true,
      longs: Number,
      defaults: false,
      includeDirs: [fileURLToPath(new URL('../../src', import.meta.url))],
    });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { centrifugal: { centrifugo: { unistream: { CentrifugoUniStream: grpc.ServiceClientConstructor } } } };
    const client = new pkg.centrifugal.centrifugo.unistream.CentrifugoUniStream(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
    const md = new grpc.Metadata();
    md.set('x-tenant', 't1');
    md.set('x-hidden', 'h');
    type Push = { connect: { client?: string; data: Uint8Array } };
    const call = client['Consume']!({}, md) as grpc.ClientReadableStream<Push>;
    const first = await new Promise<Push>((resolve, reject) => {
      call.once('data', resolve);
      call.once('error', reject);
    });
    call.on('error', () => undefined);
    assert.equal(first.connect.client !== undefined, true);
    assert.deepEqual(JSON.parse(Buffer.from(first.connect.data).toString()), { hi: 1 });
    const c = b.callsOf('connect').at(-1)!;
    assert.equal(c.body.transport, 'uni_grpc');
    assert.equal(c.headers['x-tenant'], 't1');
    assert.equal(c.headers['x-hidden'], undefined);
    call.cancel();
    client.close();
  });

  it('uni_sse: forwarded request headers reach the connect proxy', async () => {
    b.on('connect', { result: { user: 's1' } });
    const before = b.callsOf('connect').length;
    const ac = new AbortController();
    const res = await fetch(`${s.url}/connection/uni_sse?cf_connect=${encodeURIComponent('{}')}`, { headers: { 'X-Tenant': 'sse-t' }, signal: ac.signal });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('"connect"')) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    assert.match(text, /"connect"/);
    assert.equal(b.callsOf('connect').length, before + 1);
    assert.equal(b.callsOf('connect').at(-1)!.headers['x-tenant'], 'sse-t');
    assert.equal(b.callsOf('connect').at(-1)!.body.transport, 'uni_sse');
    ac.abort();
  });
});

describe('proxy: binary encoding with the Protobuf SDK', () => {
  let b: ProxyBackend;
  let s: TestServer;
  const sdks: ReturnType<typeof sdkClient>[] = [];
  before(async () => {
    b = await startHttpBackend();
    s = await startTestServer(proxyConfig(b, { proxy_binary_encoding: true }));
  });
  after(async () => {
    for (const c of sdks) c.disconnect();
    await s.close();
    await b.close();
  });

  it('binary payloads travel as b64data both ways (connect data, rpc)', async () => {
    const raw = Uint8Array.from([0, 1, 2, 250, 255]);
    b.on('connect', (req) => ({ result: { user: 'bin', b64data: Buffer.from(Buffer.from(req.b64data, 'base64').reverse()).toString('base64') } }));
    b.on('rpc', (req) => ({ result: { b64data: Buffer.concat([Buffer.from(req.b64data, 'base64'), Buffer.from([7])]).toString('base64') } }));
    const c = sdkClient('protobuf', s.wsUrl, { data: raw });
    sdks.push(c);
    const connected = new Promise<{ data?: unknown }>((resolve) => c.once('connected', resolve));
    c.connect();
    const ctx = await connected;
    assert.deepEqual([...(ctx.data as Uint8Array)], [255, 250, 2, 1, 0]);
    const call = b.callsOf('connect').at(-1)!.body;
    assert.equal(call.encoding, 'binary');
    assert.equal(call.protocol, 'protobuf');
    assert.equal(call.data, undefined);
    const r = await c.rpc('bin', Uint8Array.from([9, 9]));
    assert.deepEqual([...(r.data as Uint8Array)], [9, 9, 7]);
  });
});
