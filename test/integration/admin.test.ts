/**
 * Admin endpoints (Centrifugo's admin endpoints): /admin/settings, /admin/auth, /admin/api with its token rules,
 * admin_insecure, admin_handler_prefix, admin_external, and Rotor's admin observer connection
 * (connection token + same-origin WebSocket) used by the UI's live tail.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { freePort } from '../harness/spawned.js';
import { sdkClient, type Client } from '../harness/sdk.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { connectToken } from '../harness/tokens.js';
import { waitFor, withTimeout } from '../harness/wait.js';

const PASSWORD = 'admin-password';
const SECRET = 'admin-secret';

const servers: TestServer[] = [];
const clients: Client[] = [];
async function server(overrides: Record<string, unknown>): Promise<TestServer> {
  const s = await startTestServer({ admin: true, admin_password: PASSWORD, admin_secret: SECRET, ...overrides });
  servers.push(s);
  return s;
}
after(async () => {
  for (const c of clients) c.disconnect();
  await Promise.all(servers.map((s) => s.close()));
});

async function login(base: string, password = PASSWORD): Promise<Response> {
  return fetch(`${base}/admin/auth`, { method: 'POST', body: new URLSearchParams({ password }) });
}

async function token(base: string): Promise<string> {
  const r = await login(base);
  assert.equal(r.status, 200);
  const body = (await r.json()) as { token: string };
  assert.equal(typeof body.token, 'string');
  return body.token;
}

function adminApi(base: string, body: string, init: { headers?: Record<string, string>; query?: string; method?: string } = {}): Promise<Response> {
  return fetch(`${base}/admin/api${init.query ?? ''}`, { method: init.method ?? 'POST', headers: init.headers ?? {}, ...(init.method === 'GET' ? {} : { body }) });
}

describe('admin endpoints', () => {
  let s: TestServer;
  before(async () => {
    s = await server({});
  });

  it('/admin/settings answers any method with insecure flag and edition', async () => {
    for (const method of ['GET', 'POST', 'PUT']) {
      const r = await fetch(`${s.url}/admin/settings`, { method });
      assert.equal(r.status, 200, method);
      assert.match(r.headers.get('content-type') ?? '', /application\/json/);
      assert.deepEqual(await r.json(), { insecure: false, edition: 'oss' });
    }
  });

  it('/admin/auth: right password (urlencoded and multipart) → token, wrong → 400, GET → 405', async () => {
    assert.ok((await token(s.url)).length > 20);
    const form = new FormData();
    form.set('password', PASSWORD);
    const multipart = await fetch(`${s.url}/admin/auth`, { method: 'POST', body: form });
    assert.equal(multipart.status, 200);
    assert.equal(typeof ((await multipart.json()) as { token: unknown }).token, 'string');

    const wrong = await login(s.url, 'nope');
    assert.equal(wrong.status, 400);
    assert.equal(await wrong.text(), 'Bad Request\n');
    const missing = await fetch(`${s.url}/admin/auth`, { method: 'POST', body: new URLSearchParams({ other: 'x' }) });
    assert.equal(missing.status, 400);
    const get = await fetch(`${s.url}/admin/auth`);
    assert.equal(get.status, 405);
  });

  it('/admin/api: token via header (scheme case-insensitive) and via query run legacy commands', async () => {
    const t = await token(s.url);
    const body = '{"id":1,"method":"info","params":{}}\n{"id":2,"method":"publish","params":{"channel":"a","data":{"x":1}}}';
    for (const init of [{ headers: { Authorization: `token ${t}` } }, { headers: { Authorization: `TOKEN ${t}` } }, { query: `?token=${encodeURIComponent(t)}` }]) {
      const r = await adminApi(s.url, body, init);
      assert.equal(r.status, 200, JSON.stringify(init));
      const lines = (await r.text()).split('\n').map((l) => JSON.parse(l) as { id: number; result: { nodes?: unknown[] } });
      assert.equal(lines.length, 2);
      assert.equal(lines[0]!.id, 1);
      assert.equal(lines[0]!.result.nodes!.length, 1);
      assert.deepEqual(lines[1], { id: 2, result: {} });
    }
  });

  it('/admin/api: no token, wrong scheme, extra parts, forged or other-secret token → 401; GET → 405', async () => {
    const t = await token(s.url);
    const body = '{"method":"info","params":{}}';
    const cases: Array<Record<string, string>> = [
      {},
      { Authorization: `Bearer ${t}` },
      { Authorization: `apikey ${t}` },
      { Authorization: `token ${t} extra` },
      { Authorization: 'token' },
      { Authorization: `token ${t}x` },
      { Authorization: `token ${t.replace(/^\d/, (d) => String((Number(d) + 1) % 10))}` },
    ];
    for (const headers of cases) assert.equal((await adminApi(s.url, body, { headers })).status, 401, JSON.stringify(headers));
    // A header with a bad scheme is not rescued by a good query token (the header is what counts).
    assert.equal((await adminApi(s.url, body, { headers: { Authorization: `Bearer ${t}` }, query: `?token=${t}` })).status, 401);
    const other = await server({ admin_secret: 'another-secret' });
    assert.equal((await adminApi(other.url, body, { headers: { Authorization: `token ${t}` } })).status, 401);
    assert.equal((await adminApi(s.url, body, { method: 'GET', headers: { Authorization: `token ${t}` } })).status, 405);
    // The API key of the server API is not an admin credential.
    assert.equal((await adminApi(s.url, body, { headers: { 'X-API-Key': s.apiKey } })).status, 401);
  });

  it('/admin/api: bad legacy body → 400 Bad Request', async () => {
    const t = await token(s.url);
    const r = await adminApi(s.url, '{"method":"nosuch"}', { headers: { Authorization: `token ${t}` } });
    assert.equal(r.status, 400);
    assert.equal(await r.text(), 'Bad Request\n');
  });
});

describe('admin configuration', () => {
  it('missing admin_secret: /admin/auth → 400 and /admin/api → 401', async () => {
    const s = await server({ admin_secret: '' });
    assert.equal((await login(s.url)).status, 400);
    const noPassword = await server({ admin_password: '' });
    assert.equal((await login(noPassword.url)).status, 400);
    assert.equal((await adminApi(s.url, '{"method":"info"}', { headers: { Authorization: 'token 1.abc' } })).status, 401);
  });

  it('admin_insecure: settings say so and /admin/api needs no token (still 405 on GET)', async () => {
    const s = await server({ admin_insecure: true, admin_secret: '', admin_password: '' });
    assert.deepEqual(await (await fetch(`${s.url}/admin/settings`)).json(), { insecure: true, edition: 'oss' });
    const r = await adminApi(s.url, '{"method":"info","params":{}}');
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { result: { nodes: unknown[] } }).result.nodes.length, 1);
    assert.equal((await adminApi(s.url, '', { method: 'GET' })).status, 405);
  });

  it('admin_handler_prefix moves every admin route under the prefix', async () => {
    const s = await server({ admin_handler_prefix: '/ops/' });
    assert.equal((await fetch(`${s.url}/ops/admin/settings`)).status, 200);
    assert.equal((await fetch(`${s.url}/admin/settings`)).status, 404);
    const t = await token(`${s.url}/ops`);
    const r = await adminApi(`${s.url}/ops`, '{"method":"info"}', { headers: { Authorization: `token ${t}` } });
    assert.equal(r.status, 200);
    // The API keeps its own route.
    assert.equal((await s.api('info', {})).status, 200);
  });

  it('admin is on the internal listener by default and on the external one with admin_external', async () => {
    const internalPort = await freePort();
    const s = await server({ internal_port: internalPort });
    assert.equal((await fetch(`http://127.0.0.1:${internalPort}/admin/settings`)).status, 200);
    assert.equal((await fetch(`${s.url}/admin/settings`)).status, 404);

    const internal2 = await freePort();
    const e = await server({ internal_port: internal2, admin_external: true });
    assert.equal((await fetch(`${e.url}/admin/settings`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${internal2}/admin/settings`)).status, 404);
  });
});

describe('admin UI files', () => {
  it('the built UI is served at the prefix; unknown files and paths outside it are 404', async () => {
    const s = await server({ admin_handler_prefix: '/ui' });
    const redirect = await fetch(`${s.url}/ui`, { redirect: 'manual' });
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get('location'), '/ui/');
    const index = await fetch(`${s.url}/ui/`);
    assert.equal(index.status, 200, 'run `npm run build` first');
    assert.match(await index.text(), /<script src="app\.js"><\/script>/);
    const js = await fetch(`${s.url}/ui/app.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    assert.equal((await fetch(`${s.url}/ui/nope.js`)).status, 404);
    assert.equal((await fetch(`${s.url}/ui/..%2f..%2fpackage.json`)).status, 404);
    assert.equal((await fetch(`${s.url}/ui/%2e%2e/%2e%2e/package.json`)).status, 404);
  });

  it('admin_web_path serves another build', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rotor-admin-web-'));
    try {
      await writeFile(join(dir, 'index.html'), '<p>custom admin</p>');
      const s = await server({ admin_web_path: dir });
      const r = await fetch(`${s.url}/`);
      assert.equal(r.status, 200);
      assert.equal(await r.text(), '<p>custom admin</p>');
      // Other routes keep working next to the catch-all.
      assert.equal((await s.api('info', {})).status, 200);
      assert.equal((await fetch(`${s.url}/nope`)).status, 404);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('admin observer connection (live tail)', () => {
  let s: TestServer;
  let t: string;
  before(async () => {
    // No namespace allows client subscriptions: only the admin observer may tail.
    s = await server({ namespaces: [{ name: 'secret' }] });
    t = await token(s.url);
  });

  async function connectionToken(auth: string | undefined): Promise<Response> {
    return fetch(`${s.url}/admin/connection_token`, { method: 'POST', headers: auth === undefined ? {} : { Authorization: auth } });
  }

  it('needs the admin token (401 without, 405 on GET)', async () => {
    assert.equal((await connectionToken(undefined)).status, 401);
    assert.equal((await connectionToken('token nope')).status, 401);
    assert.equal((await fetch(`${s.url}/admin/connection_token`)).status, 405);
  });

  it('an observer subscribes to a channel closed to clients and receives publications; an ordinary client cannot', async () => {
    const r = await connectionToken(`token ${t}`);
    assert.equal(r.status, 200);
    const { token: connToken } = (await r.json()) as { token: string };
    assert.match(connToken, /^rotor-admin\./);

    const observer = sdkClient('json', `ws://127.0.0.1:${s.port}/admin/connection/websocket`, { token: connToken });
    clients.push(observer);
    const sub = observer.newSubscription('secret:room');
    const received: unknown[] = [];
    sub.on('publication', (ctx) => received.push(ctx.data));
    sub.subscribe();
    observer.connect();
    await sub.ready(10_000);
    assert.equal((await s.api('publish', { channel: 'secret:room', data: { n: 1 } })).status, 200);
    await waitFor(() => received.length === 1, 10_000, 'observer publication');
    assert.deepEqual(received, [{ n: 1 }]);
    const anon = sdkClient('json', s.wsUrl, { token: await connectToken('u1') });
    clients.push(anon);
    const anonSub = anon.newSubscription('secret:room');
    const refused = new Promise<number>((resolve) => anonSub.on('unsubscribed', (ctx) => resolve(ctx.code)));
    anonSub.subscribe();
    anon.connect();
    assert.equal(await withTimeout(refused, 10_000, 'subscribe refusal'), 103);
  });

  it('a forged admin connection token is refused with invalid token', async () => {
    const c = sdkClient('json', `ws://127.0.0.1:${s.port}/admin/connection/websocket`, { token: 'rotor-admin.1.AAAA' });
    clients.push(c);
    const code = new Promise<number>((resolve) => c.on('disconnected', (ctx) => resolve(ctx.code)));
    c.connect();
    assert.equal(await withTimeout(code, 10_000, 'disconnect'), 3002);
  });

  it('the observer WebSocket refuses a foreign Origin (403)', async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${s.port}/admin/connection/websocket`, { headers: { Origin: 'https://evil.example' } });
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('open', () => {
        resolve(101);
        ws.close();
      });
      ws.on('error', () => resolve(-1));
    });
    assert.equal(status, 403);
  });
});
