/** @module test/integration/api-http.test — the HTTP server API end to end over real HTTP on 127.0.0.1. */
import { strict as assert } from 'node:assert';
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createHttpApiHandler } from '../../src/api/http.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Client } from '../harness/sdk.js';
import { sdkClient } from '../harness/sdk.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { connectToken } from '../harness/tokens.js';
import { waitFor } from '../harness/wait.js';
import { API_CASES, API_CASES_CONFIG, type ApiCase, mismatch, withRun } from './api-cases.js';

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  bytes: Buffer;
  text: string;
}

/** A request with full control over method, headers and body bytes. */
function raw(url: string, options: { method?: string | undefined; headers?: Record<string, string | string[]> | undefined; body?: string | Uint8Array | undefined } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, text: bytes.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

let runCounter = 0;
const nextRun = (): string => `r${++runCounter}x${process.pid}`;

void describe('HTTP server API', () => {
  let ts: TestServer;
  let key: string;
  const api = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> =>
    raw(`${ts.url}${path}`, { headers: { 'X-API-Key': key, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  before(async () => {
    ts = await startTestServer(API_CASES_CONFIG);
    key = ts.apiKey;
  });
  after(async () => {
    await ts.close();
  });

  async function runCase(c: ApiCase, transportHeader: boolean): Promise<void> {
    const run = nextRun();
    for (const step of withRun(c.before ?? [], run)) {
      const r = await api(`/api/${step.method}`, step.request);
      assert.equal(r.status, 200, `before step ${step.method}: ${r.text}`);
    }
    const res = await api(`/api/${c.method}`, withRun(c.request, run), transportHeader ? { 'X-Centrifugo-Error-Mode': 'transport' } : {});
    assert.equal(res.headers['content-type'], 'application/json');
    const body = JSON.parse(res.text) as unknown;
    if (c.expect.error !== undefined) {
      if (transportHeader && c.method !== 'batch') {
        assert.equal(res.status, c.expect.transportStatus, res.text);
        assert.deepEqual(body, c.expect.error);
      } else {
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(body, { error: c.expect.error });
      }
      return;
    }
    assert.equal(res.status, 200, res.text);
    const expected = c.method === 'batch' ? c.expect.result : { result: c.expect.result };
    const m = mismatch(body, expected, c.subset === true);
    assert.equal(m, undefined, m);
  }

  void describe('cases, default error mode', () => {
    for (const c of API_CASES) void test(c.name, () => runCase(c, false));
  });

  void describe('cases, transport error mode (X-Centrifugo-Error-Mode header)', () => {
    for (const c of API_CASES) void test(c.name, () => runCase(c, true));
  });

  void describe('exact response bytes', () => {
    void test('error body and transport body', async () => {
      const r1 = await api('/api/publish', {});
      assert.equal(r1.text, '{"error":{"code":107,"message":"bad request"}}');
      const r2 = await api('/api/publish', {}, { 'X-Centrifugo-Error-Mode': 'transport' });
      assert.equal(r2.status, 400);
      assert.equal(r2.text, '{"code":107,"message":"bad request"}');
      assert.equal(r2.headers['content-type'], 'application/json');
    });

    void test('the header value must be exactly "transport"', async () => {
      for (const v of ['Transport', 'TRANSPORT', 'result', '']) {
        const r = await api('/api/publish', {}, { 'X-Centrifugo-Error-Mode': v });
        assert.equal(r.status, 200, `header value ${JSON.stringify(v)}`);
      }
    });

    void test('publish result field order; raw data round-trips through history (compacted, HTML-escaped)', async () => {
      const ch = `hist:bytes${nextRun()}`;
      const p = await raw(`${ts.url}/api/publish`, { headers: { 'X-API-Key': key }, body: `{"channel":"${ch}","data": {"b" : [1, 2.50], "a":"<x&y>"} }` });
      assert.match(p.text, /^\{"result":\{"offset":1,"epoch":"[^"]+"\}\}$/);
      const h = await api('/api/history', { channel: ch, limit: -1 });
      assert.match(h.text, /^\{"result":\{"publications":\[\{"data":\{"b":\[1,2\.50\],"a":"\\u003cx\\u0026y\\u003e"\},"offset":1\}\],"epoch":"[^"]+","offset":1\}\}$/);
    });

    void test('always-present zero fields', async () => {
      assert.equal((await api('/api/presence_stats', { channel: 'pres:z' })).text, '{"result":{"num_clients":0,"num_users":0}}');
      assert.equal((await api('/api/presence', { channel: 'pres:z' })).text, '{"result":{"presence":{}}}');
      assert.equal((await api('/api/channels', { pattern: 'none*' })).text, '{"result":{"channels":{}}}');
      assert.equal((await api('/api/subscribe', { channel: 'a', user: 'nobody' })).text, '{"result":{}}');
      assert.equal((await api('/api/batch', { commands: [] })).text, '{}');
    });

    void test('keys are matched case-insensitively and unknown keys ignored', async () => {
      const r = await api('/api/presence_stats', '{"CHANNEL":"pres:z","whatever":[1,{"x":null}]}');
      assert.equal(r.text, '{"result":{"num_clients":0,"num_users":0}}');
    });
  });

  void describe('authentication', () => {
    const publish = '{"channel":"plain","data":{}}';
    const call = (path: string, headers: Record<string, string>, method = 'POST'): Promise<RawResponse> =>
      raw(`${ts.url}${path}`, { method, headers, body: method === 'GET' ? undefined : publish });

    void test('X-API-Key header', async () => {
      assert.equal((await call('/api/publish', { 'X-API-Key': key })).status, 200);
      const bad = await call('/api/publish', { 'X-API-Key': 'wrong' });
      assert.equal(bad.status, 401);
      assert.equal(bad.bytes.length, 0);
    });

    void test('a repeated X-API-Key header: the first value counts (Go Header.Get), compared whole', async () => {
      const twice = (values: string[]): Promise<RawResponse> => raw(`${ts.url}/api/publish`, { headers: { 'X-API-Key': values }, body: publish });
      assert.equal((await twice([key, 'wrong'])).status, 200);
      assert.equal((await twice(['wrong', key])).status, 401);
      assert.equal((await call('/api/publish', { 'X-API-Key': `${key}, wrong` })).status, 401, 'one header holding a list is not the key');
      assert.equal((await call('/api/publish', { 'x-api-key': key })).status, 200, 'header names are case-insensitive');
    });

    void test('Authorization: apikey <key>, scheme case-insensitive', async () => {
      assert.equal((await call('/api/publish', { Authorization: `apikey ${key}` })).status, 200);
      assert.equal((await call('/api/publish', { Authorization: `APIKEY ${key}` })).status, 200);
      assert.equal((await call('/api/publish', { Authorization: `ApiKey   ${key}` })).status, 200);
      assert.equal((await call('/api/publish', { Authorization: `Bearer ${key}` })).status, 401);
      assert.equal((await call('/api/publish', { Authorization: `apikey ${key} extra` })).status, 401);
      assert.equal((await call('/api/publish', { Authorization: key })).status, 401);
    });

    void test('?api_key= query parameter', async () => {
      assert.equal((await call(`/api/publish?api_key=${encodeURIComponent(key)}`, {})).status, 200);
      assert.equal((await call('/api/publish?api_key=wrong', {})).status, 401);
      assert.equal((await call('/api/publish?other=1', {})).status, 401);
    });

    void test('a wrong X-API-Key is not rescued by Authorization, but is by the query', async () => {
      assert.equal((await call('/api/publish', { 'X-API-Key': 'wrong', Authorization: `apikey ${key}` })).status, 401);
      assert.equal((await call(`/api/publish?api_key=${key}`, { 'X-API-Key': 'wrong' })).status, 200);
    });

    void test('no credentials → 401 with an empty body; legacy endpoint too', async () => {
      const r = await call('/api/publish', {});
      assert.equal(r.status, 401);
      assert.equal(r.text, '');
      assert.equal((await call('/api', {})).status, 401);
    });

    void test('method check (405, empty body) comes before the key check', async () => {
      for (const m of ['GET', 'PUT', 'DELETE']) {
        const r = await call('/api/publish', {}, m);
        assert.equal(r.status, 405, m);
        assert.equal(r.bytes.length, 0);
        assert.equal((await call('/api', {}, m)).status, 405);
      }
    });

    void test('api_insecure: no key needed', async () => {
      const insecure = await startTestServer({ ...API_CASES_CONFIG, api_insecure: true, api_key: '' });
      try {
        const r = await raw(`${insecure.url}/api/publish`, { body: publish });
        assert.equal(r.status, 200);
        assert.equal(r.text, '{"result":{}}');
      } finally {
        await insecure.close();
      }
    });

    void test('empty api_key and not insecure: every call is refused and logged', async () => {
      const errors: string[] = [];
      const handler = createHttpApiHandler(ts.server.executor, {
        apiKey: '',
        insecure: false,
        errorMode: '',
        logger: { ...silentLogger, error: (m: string) => void errors.push(m) },
      });
      await withPlainServer(
        (req, res) => handler(req, res, (req.url ?? '').replace(/^\/api\/?/, '').replace(/\?.*$/, '')),
        async (url) => {
          assert.equal((await raw(`${url}/api/publish`, { headers: { 'X-API-Key': '' }, body: publish })).status, 401);
          assert.equal((await raw(`${url}/api/publish?api_key=`, { body: publish })).status, 401);
        },
      );
      assert.deepEqual(errors, ['API key is empty', 'API key is empty']);
    });
  });

  void describe('routing', () => {
    void test('unknown and PRO method paths are 404 text, before method and key checks', async () => {
      for (const path of ['/api/unknown', '/api/connections', '/api/update_user_status', '/api/Publish', '/api/publish/x', '/api/']) {
        for (const method of ['POST', 'GET']) {
          const r = await raw(`${ts.url}${path}`, { method, body: method === 'POST' ? '{}' : undefined });
          assert.equal(r.status, 404, `${method} ${path}`);
          assert.equal(r.text, '404 page not found\n');
          assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
        }
      }
    });
  });

  void describe('bad input', () => {
    const expect400 = async (path: string, body: string | Uint8Array | undefined): Promise<void> => {
      const r = await raw(`${ts.url}${path}`, { headers: { 'X-API-Key': key }, body });
      assert.equal(r.status, 400, `${path} ${String(body)}: ${r.text}`);
      assert.equal(r.text, 'Bad Request\n');
      assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
    };

    void test('malformed, empty, mistyped and non-UTF-8 bodies → 400 Bad Request', async () => {
      for (const body of [undefined, '', '{', '{"channel":"a",}', '[]', '"x"', '{"channel":5,"data":{}}', '{"data":{"a":}}', '{"channel":"a"} {}']) {
        await expect400('/api/publish', body);
      }
      await expect400('/api/publish', Uint8Array.from([...Buffer.from('{"channel":"'), 0xff, 0xfe, ...Buffer.from('","data":{}}')]));
      await expect400('/api/history', '{"channel":"hist:x","limit":"5"}');
      await expect400('/api/batch', '{"commands":[{"method":"bogus"}]}');
      await expect400('/api/batch', '{"commands":{}}');
    });

    void test('info needs a JSON body: empty → 400, {} → 200', async () => {
      await expect400('/api/info', undefined);
      const r = await api('/api/info', {});
      assert.equal(r.status, 200);
      assert.match(r.text, /^\{"result":\{"nodes":\[\{"uid":"[^"]+","name":"[^"]*","version":"[^"]*","num_clients":\d+,"num_users":\d+,"num_channels":\d+,("uptime":\d+,)?"num_subs":\d+\}\]\}\}$/);
    });

    void test('bodies over the limit → 413 (declared or streamed), process unaffected', async () => {
      const handler = createHttpApiHandler(ts.server.executor, { apiKey: key, insecure: false, errorMode: '', logger: silentLogger, maxBodyBytes: 1024 });
      await withPlainServer(
        (req, res) => handler(req, res, 'publish'),
        async (url) => {
          const big = JSON.stringify({ channel: 'plain', data: 'x'.repeat(4096) });
          const r = await raw(`${url}/api/publish`, { headers: { 'X-API-Key': key }, body: big });
          assert.equal(r.status, 413);
          const ok = await raw(`${url}/api/publish`, { headers: { 'X-API-Key': key }, body: '{"channel":"plain","data":1}' });
          assert.equal(ok.text, '{"result":{}}');
        },
      );
    });

    void test('the server keeps serving after bad input', async () => {
      await raw(`${ts.url}/api/publish`, { headers: { 'X-API-Key': key }, body: '{"data":' + '['.repeat(20_000) });
      await raw(`${ts.url}/api`, { headers: { 'X-API-Key': key }, body: '{"method":"nope"}' });
      await raw(`${ts.url}/api/batch`, { headers: { 'X-API-Key': key }, body: Uint8Array.from([0xc3, 0x28]) });
      const r = await api('/api/publish', { channel: 'plain', data: { still: 'alive' } });
      assert.equal(r.text, '{"result":{}}');
    });
  });

  void describe('legacy /api command stream', () => {
    const legacy = (body: string | Uint8Array | undefined, headers: Record<string, string> = {}): Promise<RawResponse> =>
      raw(`${ts.url}/api`, { headers: { 'X-API-Key': key, ...headers }, body });

    void test('one command; replies joined by newline with id echo, no trailing newline', async () => {
      const one = await legacy('{"id":1,"method":"publish","params":{"channel":"plain","data":{}}}');
      assert.equal(one.status, 200);
      assert.equal(one.headers['content-type'], 'application/json');
      assert.equal(one.text, '{"id":1,"result":{}}');
      const many = await legacy(
        '{"id":1,"method":"presence_stats","params":{"channel":"pres:l"}}\n{"id":2,"method":"PRESENCE","params":{"channel":"pres:l"}}' +
          '{"method":5,"params":{"channel":"plain"}}\n\n{"id":4,"params":{"channel":"plain","data":"x"}}',
      );
      assert.equal(
        many.text,
        '{"id":1,"result":{"num_clients":0,"num_users":0}}\n{"id":2,"result":{"presence":{}}}\n{"error":{"code":108,"message":"not available"}}\n{"id":4,"result":{}}',
      );
    });

    void test('params errors → 107, non-OSS or unknown numeric methods → 104, info ignores params', async () => {
      const r = await legacy(
        [
          '{"id":1,"method":"publish"}',
          '{"id":2,"method":"history","params":{"channel":5}}',
          '{"id":3,"method":"connections","params":{}}',
          '{"id":4,"method":99}',
          '{"id":5,"method":"info","params":"garbage"}',
          '{"id":6,"method":"rpc","params":{"method":"x"}}',
          '{"id":7,"method":"disconnect","params":null}',
          'null',
        ].join('\n'),
      );
      const lines = r.text.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(lines.length, 8);
      assert.deepEqual(lines[0], { id: 1, error: { code: 107, message: 'bad request' } });
      assert.deepEqual(lines[1], { id: 2, error: { code: 107, message: 'bad request' } });
      assert.deepEqual(lines[2], { id: 3, error: { code: 104, message: 'not found' } });
      assert.deepEqual(lines[3], { id: 4, error: { code: 104, message: 'not found' } });
      assert.equal(lines[4]?.['id'], 5);
      assert.ok(Array.isArray((lines[4]?.['result'] as { nodes?: unknown }).nodes));
      assert.deepEqual(lines[5], { id: 6, error: { code: 104, message: 'not found' } });
      assert.deepEqual(lines[6], { id: 7, result: {} });
      assert.deepEqual(lines[7], { error: { code: 107, message: 'bad request' } });
    });

    void test('empty body → 400; whitespace only → 200 with an empty body', async () => {
      const empty = await legacy(undefined);
      assert.equal(empty.status, 400);
      assert.equal(empty.text, 'Bad Request\n');
      const ws = await legacy(' \n\t ');
      assert.equal(ws.status, 200);
      assert.equal(ws.text, '');
    });

    void test('an undecodable object → 400 for the whole request, earlier commands already applied', async () => {
      const ch = `hist:legacy${nextRun()}`;
      const r = await legacy(`{"method":"publish","params":{"channel":"${ch}","data":1}} {"method":"bogus"} {"method":"publish","params":{"channel":"${ch}","data":2}}`);
      assert.equal(r.status, 400);
      assert.equal(r.text, 'Bad Request\n');
      const h = JSON.parse((await api('/api/history', { channel: ch, limit: -1 })).text) as { result: { offset: number; publications: unknown[] } };
      assert.equal(h.result.offset, 1);
      assert.equal(h.result.publications.length, 1);
      assert.equal((await legacy('{"method":"info"} [1]')).status, 400);
      assert.equal((await legacy(Uint8Array.from([0x7b, 0x7d, 0xff]))).status, 400);
    });

    void test('transport error mode does not apply', async () => {
      const r = await legacy('{"method":"publish","params":{}}', { 'X-Centrifugo-Error-Mode': 'transport' });
      assert.equal(r.status, 200);
      assert.equal(r.text, '{"error":{"code":107,"message":"bad request"}}');
    });

    void test('503 while the node shuts down (after method and key checks)', async () => {
      const handler = createHttpApiHandler(ts.server.executor, { apiKey: key, insecure: false, errorMode: '', isShuttingDown: () => true, logger: silentLogger });
      await withPlainServer(
        (req, res) => handler(req, res, (req.url ?? '') === '/api' ? '' : 'publish'),
        async (url) => {
          const r = await raw(`${url}/api`, { headers: { 'X-API-Key': key }, body: '{"method":"info"}' });
          assert.equal(r.status, 503);
          assert.equal(r.text, '');
          assert.equal((await raw(`${url}/api`, { body: '{}' })).status, 401);
          assert.equal((await raw(`${url}/api`, { method: 'GET' })).status, 405);
          // New-style methods keep working while shutting down.
          assert.equal((await raw(`${url}/api/publish`, { headers: { 'X-API-Key': key }, body: '{"channel":"plain","data":1}' })).status, 200);
        },
      );
    });
  });

  void describe('config api_error_mode: transport', () => {
    void test('errors map to statuses without the header; batch stays 200', async () => {
      const t = await startTestServer({ ...API_CASES_CONFIG, api_error_mode: 'transport' });
      try {
        const call = (method: string, body: unknown): Promise<RawResponse> => raw(`${t.url}/api/${method}`, { headers: { 'X-API-Key': t.apiKey }, body: JSON.stringify(body) });
        const r = await call('publish', { channel: 'nope:x', data: {} });
        assert.equal(r.status, 404);
        assert.equal(r.text, '{"code":102,"message":"unknown channel"}');
        assert.equal((await call('history', { channel: 'plain' })).status, 400);
        assert.equal((await call('publish', { channel: 'plain', data: {} })).text, '{"result":{}}');
        const b = await call('batch', { commands: [{ publish: {} }] });
        assert.equal(b.status, 200);
        assert.equal(b.text, '{"replies":[{"error":{"code":107,"message":"bad request"}}]}');
        const br = await call('broadcast', { channels: ['nope:x'], data: 1 });
        assert.equal(br.status, 200);
        assert.equal(br.text, '{"result":{"responses":[{"error":{"code":102,"message":"unknown channel"}}]}}');
      } finally {
        await t.close();
      }
    });
  });

  void describe('with a live SDK connection', () => {
    let client: Client | undefined;
    after(() => client?.disconnect());

    void test('subscribe, channels, presence, publish delivery and custom disconnect act on the connection', async () => {
      const user = `alice${nextRun()}`;
      const channel = `pres:room${nextRun()}`;
      client = sdkClient('json', ts.wsUrl, { token: await connectToken(user) });
      const subscribed: string[] = [];
      const publications: unknown[] = [];
      const disconnects: number[] = [];
      client.on('subscribed', (ctx) => subscribed.push(ctx.channel));
      client.on('publication', (ctx) => publications.push(ctx.data));
      client.on('disconnected', (ctx) => disconnects.push(ctx.code));
      client.on('connecting', (ctx) => {
        if (ctx.code !== 0) disconnects.push(ctx.code);
      });
      client.connect();
      await waitFor(() => String(client?.state) === 'connected', 5000, 'connected');

      assert.equal((await api('/api/subscribe', { user, channel, info: { role: 'x' } })).text, '{"result":{}}');
      await waitFor(() => subscribed.includes(channel), 5000, 'server-side subscription');

      const chans = JSON.parse((await api('/api/channels', { pattern: 'pres:room*' })).text) as { result: { channels: Record<string, { num_clients: number }> } };
      assert.deepEqual(chans.result.channels[channel], { num_clients: 1 });
      const stats = await api('/api/presence_stats', { channel });
      assert.equal(stats.text, '{"result":{"num_clients":1,"num_users":1}}');
      const presence = JSON.parse((await api('/api/presence', { channel })).text) as { result: { presence: Record<string, { user: string; client: string; chan_info?: unknown }> } };
      const entries = Object.values(presence.result.presence);
      assert.equal(entries.length, 1);
      assert.equal(entries[0]?.user, user);
      assert.deepEqual(entries[0]?.chan_info, { role: 'x' });

      await api('/api/publish', { channel, data: { hello: 'world' } });
      await waitFor(() => publications.length === 1, 5000, 'publication');
      assert.deepEqual(publications, [{ hello: 'world' }]);

      assert.equal((await api('/api/unsubscribe', { user, channel })).text, '{"result":{}}');
      await waitFor(async () => JSON.parse((await api('/api/presence_stats', { channel })).text).result.num_clients === 0, 5000, 'unsubscribed');

      assert.equal((await api('/api/disconnect', { user, disconnect: { code: 4501, reason: 'bye' } })).text, '{"result":{}}');
      await waitFor(() => disconnects.length > 0, 5000, 'disconnect');
      assert.equal(disconnects[0], 4501);
    });
  });
});

/** Mounts `handler` on a plain node:http server on 127.0.0.1 for the duration of `fn`. */
async function withPlainServer(handler: Parameters<typeof createServer>[1], fn: (url: string) => Promise<void>): Promise<void> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await fn(`http://127.0.0.1:${port}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
