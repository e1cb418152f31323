/**
 * @module test/integration/proxy-granular — granular proxy mode (`proxies[]` referenced by name from
 * `connect_proxy_name`, `rpc_proxy_name`, `rpc_namespaces[]`, namespace `*_proxy_name`), per-proxy
 * options (binary encoding, headers, static headers, status transforms), proxy metrics under
 * Centrifugo's names and the start-up log line per proxy; non-granular metrics too.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { LogFields, Logger } from '../../src/core/logger.js';
import { startHttpBackend, type ProxyBackend } from '../harness/proxy-backend.js';
import { RawClientPool } from '../harness/raw-client.js';
import { validateConfig } from '../../src/config/index.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { proxyConfig } from './proxy-cases.js';

function captureLogger(lines: { level: string; message: string; fields?: LogFields | undefined }[]): Logger {
  const at = (level: string) => (message: string, fields?: LogFields) => void lines.push({ level, message, fields });
  return { enabled: () => true, trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

async function metricsText(s: TestServer): Promise<string> {
  return (await fetch(`${s.url}/metrics`)).text();
}

describe('granular proxy mode', () => {
  let a: ProxyBackend;
  let b: ProxyBackend;
  let s: TestServer;
  const logs: { level: string; message: string; fields?: LogFields | undefined }[] = [];
  const pool = new RawClientPool();

  before(async () => {
    a = await startHttpBackend();
    b = await startHttpBackend();
    s = await startTestServer(
      {
        granular_proxy_mode: true,
        prometheus: true,
        proxies: [
          { name: 'conn', endpoint: a.endpoint('connect'), timeout: '1s', http_headers: ['X-A'], static_http_headers: { 'X-Which': 'conn' }, include_connection_meta: true },
          { name: 'rpc-a', endpoint: a.endpoint('rpc'), binary_encoding: true, include_connection_meta: true },
          { name: 'rpc-b', endpoint: b.endpoint('rpc'), http_status_to_code_transforms: [{ status_code: 418, to_error: { code: 1418, message: 'teapot' } }] },
          { name: 'sub-b', endpoint: b.endpoint('subscribe') },
        ],
        connect_proxy_name: 'conn',
        rpc_proxy_name: 'rpc-b',
        rpc_namespaces: [{ name: 'alpha', rpc_proxy_name: 'rpc-a' }, { name: 'beta' }],
        namespaces: [{ name: 'gg', subscribe_proxy_name: 'sub-b' }],
      },
      { logger: captureLogger(logs) },
    );
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
    await a.close();
    await b.close();
  });

  it('logs one start-up line per configured proxy', () => {
    const enabled = logs.filter((l) => l.level === 'info' && l.message.endsWith('proxy enabled')).map((l) => l.fields?.proxy);
    assert.deepEqual(enabled.sort(), ['conn', 'rpc-a', 'rpc-b', 'sub-b']);
  });

  it('routes by name: connect, rpc namespaces (104 unknown, 108 without proxy), top-level rpc, namespace subscribe', async () => {
    a.on('connect', { result: { user: 'g1', meta: { m: 1 } } });
    const c = await pool.open(s.wsUrl, { headers: { 'X-A': 'yes', 'X-B': 'no' } });
    await c.connect({ data: { hello: 1 } });
    const conn = a.callsOf('connect').at(-1)!;
    assert.equal(conn.headers['x-a'], 'yes');
    assert.equal(conn.headers['x-b'], undefined);
    assert.equal(conn.headers['x-which'], 'conn');
    assert.deepEqual(conn.body.data, { hello: 1 });

    a.on('rpc', (req) => ({ result: { b64data: Buffer.from(JSON.stringify({ got: Buffer.from(req.b64data, 'base64').toString() })).toString('base64') } }));
    const ra = await c.call('rpc', { method: 'alpha:one', data: { z: 2 } });
    assert.deepEqual(ra.rpc.data, { got: '{"z":2}' });
    const sent = a.callsOf('rpc').at(-1)!.body;
    assert.equal(sent.encoding, 'binary');
    assert.equal(sent.data, undefined, 'binary encoding sends b64data instead of data');
    assert.equal(sent.method, 'alpha:one');
    assert.deepEqual(sent.meta, { m: 1 }, 'connection meta included');

    b.on('rpc', { result: { data: { from: 'b' } } });
    assert.deepEqual((await c.call('rpc', { method: 'plain', data: {} })).rpc.data, { from: 'b' });
    assert.equal(b.callsOf('rpc').at(-1)!.body.meta, undefined, 'rpc-b does not include connection meta');
    assert.equal((await c.call('rpc', { method: 'beta:x', data: {} })).error.code, 108);
    assert.equal((await c.call('rpc', { method: 'gamma:x', data: {} })).error.code, 104);
    b.on('rpc', { $status: 418 });
    assert.deepEqual((await c.call('rpc', { method: 'plain', data: {} })).error, { code: 1418, message: 'teapot' });
    b.on('rpc', { $status: 500 });
    assert.equal((await c.call('rpc', { method: 'plain', data: {} })).error.code, 100);

    b.on('subscribe', { result: {} });
    assert.deepEqual((await c.call('subscribe', { channel: 'gg:room' })).subscribe, {});
    assert.equal(b.callsOf('subscribe').at(-1)!.body.channel, 'gg:room');
    assert.equal(a.callsOf('subscribe').length, 0);
  });

  it('records granular proxy metrics by type and name', async () => {
    const text = await metricsText(s);
    assert.match(text, /centrifugo_granular_proxy_duration_seconds_count\{type="rpc",name="rpc-a"\} [1-9]/);
    assert.match(text, /centrifugo_granular_proxy_duration_seconds_histogram_bucket\{type="connect",name="conn",le="\+Inf"\} [1-9]/);
    assert.match(text, /centrifugo_granular_proxy_errors\{type="rpc",name="rpc-b"\} [1-9]/);
  });
});

describe('non-granular proxy metrics and config errors', () => {
  let b: ProxyBackend;
  let s: TestServer;
  const pool = new RawClientPool();
  before(async () => {
    b = await startHttpBackend();
    s = await startTestServer({ ...proxyConfig(b), prometheus: true });
  });
  after(async () => {
    await pool.closeAll();
    await s.close();
    await b.close();
  });

  it('records centrifugo_proxy_* with protocol and type labels', async () => {
    b.on('connect', { result: { user: 'm' } });
    b.on('rpc', { $status: 500 });
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    assert.equal((await c.call('rpc', { method: 'x', data: {} })).error.code, 100);
    const text = await metricsText(s);
    assert.match(text, /centrifugo_proxy_duration_seconds_count\{protocol="http",type="connect"\} [1-9]/);
    assert.match(text, /centrifugo_proxy_errors\{protocol="http",type="rpc"\} [1-9]/);
  });

  it('unknown proxy names and malformed proxies stop start-up naming the key', async () => {
    await assert.rejects(
      startTestServer({ granular_proxy_mode: true, proxies: [{ name: 'p1', endpoint: 'http://127.0.0.1:1/x' }], connect_proxy_name: 'nope' }),
      /connect_proxy_name: proxy "nope" is not defined/,
    );
    await assert.rejects(startTestServer({ granular_proxy_mode: true, proxies: [{ endpoint: 'http://127.0.0.1:1/x' }] }), /proxies\[0\]\.name/);
    await assert.rejects(
      startTestServer({ granular_proxy_mode: true, proxies: [], namespaces: [{ name: 'ns', subscribe_proxy_name: 'ghost' }] }),
      /namespaces\[0\]\.subscribe_proxy_name/,
    );
    await assert.rejects(
      startTestServer({ proxy_connect_endpoint: 'http://127.0.0.1:1/c', proxy_http_status_code_transforms: [{ status_code: 404 }] }),
      /proxy_http_status_code_transforms\[0\]: exactly one of to_error or to_disconnect/,
    );
    await assert.rejects(startTestServer({ proxy_rpc_endpoint: 'grpc://nohostport' }), /proxy_rpc_endpoint/);
  });
});

describe('proxy settings on reload (SIGHUP)', () => {
  const base = { address: '127.0.0.1', port: 0, api_key: 'k', token_hmac_secret_key: 's', log_level: 'none', allow_anonymous_connect_without_token: true };
  const pool = new RawClientPool();
  let a: ProxyBackend;
  let b: ProxyBackend;
  const servers: TestServer[] = [];
  before(async () => {
    a = await startHttpBackend();
    b = await startHttpBackend();
  });
  after(async () => {
    await pool.closeAll();
    for (const s of servers) await s.close();
    await a.close();
    await b.close();
  });

  it('a reloaded namespace that enables a proxy fails closed (108); a changed endpoint is used; proxies added later need a restart', async () => {
    const ns = (extra: Record<string, unknown>) => [{ name: 'open', allow_subscribe_for_client: true, allow_subscribe_for_anonymous: true, ...extra }];
    const s = await startTestServer({ ...base, proxy_rpc_endpoint: a.endpoint('rpc'), namespaces: ns({}) });
    servers.push(s);
    const c = await pool.open(s.wsUrl);
    await c.connect({});
    assert.deepEqual((await c.call('subscribe', { channel: 'open:1' })).subscribe, {});
    a.on('rpc', { result: { data: { from: 'a' } } });
    b.on('rpc', { result: { data: { from: 'b' } } });
    assert.deepEqual((await c.call('rpc', { method: 'm', data: {} })).rpc.data, { from: 'a' });

    s.server.reload(validateConfig({ ...base, proxy_rpc_endpoint: b.endpoint('rpc'), namespaces: ns({ proxy_subscribe: true }) }));
    assert.equal((await c.call('subscribe', { channel: 'open:2' })).error.code, 108);
    assert.deepEqual((await c.call('rpc', { method: 'm', data: {} })).rpc.data, { from: 'b' });

    const plain = await startTestServer({ ...base });
    servers.push(plain);
    assert.throws(() => plain.server.reload(validateConfig({ ...base, proxy_rpc_endpoint: b.endpoint('rpc') })), /restart/);
    assert.throws(() => s.server.reload(validateConfig({ ...base, granular_proxy_mode: true, connect_proxy_name: 'ghost' })), /connect_proxy_name/);
  });
});
