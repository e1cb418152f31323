/** `swagger: true` (OpenAPI document + Swagger UI) and `debug: true` (CPU profile, heap snapshot). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../harness/spawned.js';
import { startTestServer, type TestServer } from '../harness/server.js';

const METHODS = ['publish', 'broadcast', 'subscribe', 'unsubscribe', 'disconnect', 'refresh', 'presence', 'presence_stats', 'history', 'history_remove', 'channels', 'info', 'rpc', 'batch'];

const servers: TestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** Every `$ref` inside `value`. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe('swagger', () => {
  let internal: string;
  let s: TestServer;
  before(async () => {
    const port = await freePort();
    s = await startTestServer({ swagger: true, internal_port: port });
    servers.push(s);
    internal = `http://127.0.0.1:${port}`;
  });

  it('serves a valid OpenAPI document listing every server API method on the internal port', async () => {
    const r = await fetch(`${internal}/swagger/openapi.json`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    const doc = (await r.json()) as {
      openapi: string;
      servers: Array<{ url: string }>;
      paths: Record<string, { post: { requestBody: unknown; responses: Record<string, unknown> } }>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }>; securitySchemes: Record<string, unknown> };
    };
    assert.match(doc.openapi, /^3\./);
    assert.deepEqual(doc.servers, [{ url: '/api' }]);
    assert.deepEqual(Object.keys(doc.paths).sort(), METHODS.map((m) => `/${m}`).sort());
    for (const ref of refs(doc)) {
      const name = ref.replace('#/components/schemas/', '');
      assert.ok(doc.components.schemas[name] !== undefined, `unresolved ${ref}`);
    }
    assert.deepEqual(Object.keys(doc.components.schemas['PublishRequest']!.properties!).slice(0, 2), ['channel', 'data']);
    assert.ok(doc.components.schemas['PublishResponse']!.properties!['result'] !== undefined);
    assert.ok(doc.components.schemas['NodeResult']!.properties!['metrics'] !== undefined);
    assert.deepEqual(doc.components.securitySchemes['apiKey'], { type: 'apiKey', in: 'header', name: 'X-API-Key' });
    // Not on the external listener.
    assert.equal((await fetch(`${s.url}/swagger/openapi.json`)).status, 404);
  });

  it('serves Swagger UI from local files', async () => {
    const redirect = await fetch(`${internal}/swagger`, { redirect: 'manual' });
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get('location'), '/swagger/');
    const page = await fetch(`${internal}/swagger/`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /swagger-ui-bundle\.js/);
    assert.doesNotMatch(html, /https?:\/\//, 'no CDN');
    const bundle = await fetch(`${internal}/swagger/swagger-ui-bundle.js`);
    assert.equal(bundle.status, 200, 'run `npm run build` first');
    assert.ok((await bundle.arrayBuffer()).byteLength > 100_000);
    assert.equal((await fetch(`${internal}/swagger/initializer.js`)).status, 404);
    assert.equal((await fetch(`${internal}/swagger/`, { method: 'POST' })).status, 405);
  });

  it('is off by default', async () => {
    const off = await startTestServer({});
    servers.push(off);
    assert.equal((await fetch(`${off.url}/swagger/openapi.json`)).status, 404);
    assert.equal((await fetch(`${off.url}/debug/pprof/heap`)).status, 404);
  });
});

describe('debug endpoints', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ debug: true });
    servers.push(s);
  });

  it('index lists the endpoints', async () => {
    const r = await fetch(`${s.url}/debug/pprof/`);
    assert.equal(r.status, 200);
    assert.match(await r.text(), /\/debug\/pprof\/profile\?seconds=N/);
  });

  it('profile?seconds=N returns a V8 CPU profile; a concurrent request gets 409', async () => {
    // Two requests at once: one profiles, the other is refused while the profiler is held.
    const [first, second] = await Promise.all([fetch(`${s.url}/debug/pprof/profile?seconds=2`), fetch(`${s.url}/debug/pprof/profile?seconds=2`)]);
    const statuses = [first.status, second.status].sort();
    assert.deepEqual(statuses, [200, 409]);
    const r = first.status === 200 ? first : second;
    await (first.status === 200 ? second : first).text();
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-disposition') ?? '', /\.cpuprofile"$/);
    const profile = (await r.json()) as { nodes: unknown[]; startTime: number; endTime: number; samples?: unknown[] };
    assert.ok(Array.isArray(profile.nodes) && profile.nodes.length > 0);
    assert.ok(profile.endTime > profile.startTime);
  });

  it('bad seconds → 400', async () => {
    for (const q of ['abc', '0', '-1', '301']) assert.equal((await fetch(`${s.url}/debug/pprof/profile?seconds=${q}`)).status, 400, q);
  });

  it('heap returns a V8 heap snapshot', async () => {
    const r = await fetch(`${s.url}/debug/pprof/heap`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-disposition') ?? '', /\.heapsnapshot"$/);
    const snapshot = JSON.parse(await r.text()) as { snapshot: { meta: { node_fields: string[] }; node_count: number }; nodes: number[] };
    assert.ok(snapshot.snapshot.meta.node_fields.includes('name'));
    assert.ok(snapshot.snapshot.node_count > 1000);
    assert.equal(snapshot.nodes.length, snapshot.snapshot.node_count * snapshot.snapshot.meta.node_fields.length);
  });
});
