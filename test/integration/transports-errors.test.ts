/**
 * Integration: the HTTP answers of the streaming / emulation / unidirectional endpoints for bad
 * input (400, 405, 413), emulation routing (204 for an unknown session, 404 for an unknown node,
 * forwarding to the owning node of a Redis cluster), OPTIONS and CORS, origin refusal, peers that
 * go away mid-stream, and shutdown with open streams. The node must end every test with no
 * clients and no timers.
 */
import { strict as assert } from 'node:assert';
import { after, afterEach, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import WebSocket from 'ws';
import { freePort, spawnRedis, type RedisServerHandle } from '../harness/redis.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { waitFor } from '../harness/wait.js';

const LIMIT = 1024;
const GOOD_ORIGIN = 'http://good.example';
const EVIL_ORIGIN = 'http://evil.example';

const BASE_CONFIG = {
  http_stream: true,
  sse: true,
  uni_http_stream: true,
  uni_sse: true,
  uni_websocket: true,
  allow_anonymous_connect_without_token: true,
  allowed_origins: [GOOD_ORIGIN],
  namespaces: [{ name: 'room', allow_subscribe_for_client: true, allow_subscribe_for_anonymous: true }],
};

/** A streaming HTTP response being read: decoded text so far, and the abort switch. */
interface OpenStream {
  readonly status: number;
  readonly headers: Headers;
  text: string;
  readonly done: Promise<void>;
  abort(): void;
}

async function openStream(url: string, init: RequestInit = {}): Promise<OpenStream> {
  const ac = new AbortController();
  const res = await fetch(url, { ...init, signal: ac.signal });
  const s: OpenStream = {
    status: res.status,
    headers: res.headers,
    text: '',
    done: Promise.resolve(),
    abort: () => ac.abort(),
  };
  const dec = new TextDecoder();
  (s as { done: Promise<void> }).done = (async () => {
    for await (const chunk of res.body!) s.text += dec.decode(chunk as Uint8Array, { stream: true });
  })().catch(() => undefined);
  return s;
}

/** The first JSON line of an http_stream body: the connect reply with session and node. */
async function connectHttpStream(url: string): Promise<{ stream: OpenStream; session: string; node: string }> {
  const stream = await openStream(`${url}/connection/http_stream`, { method: 'POST', body: '{"id":1,"connect":{}}' });
  assert.equal(stream.status, 200);
  await waitFor(() => stream.text.includes('\n'), 3000, 'connect reply');
  const reply = JSON.parse(stream.text.slice(0, stream.text.indexOf('\n'))) as { connect: { session: string; node: string } };
  return { stream, session: reply.connect.session, node: reply.connect.node };
}

async function emulate(url: string, body: unknown, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${url}/emulation`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers });
  await res.arrayBuffer();
  return res.status;
}

async function status(url: string, init: RequestInit = {}): Promise<number> {
  const res = await fetch(url, init);
  await res.body?.cancel();
  return res.status;
}

/** A body sent with chunked transfer encoding (no Content-Length), so the limit is checked while reading. */
function chunkedBody(size: number): RequestInit {
  const chunk = new Uint8Array(256).fill(0x20);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) return controller.close();
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
  // `duplex` is required by Node's fetch for a stream body but missing from the DOM RequestInit type.
  const init: RequestInit & { duplex: 'half' } = { method: 'POST', body, duplex: 'half' };
  return init;
}

/** Status of a refused WebSocket upgrade. */
async function upgradeStatus(url: string, options: WebSocket.ClientOptions = {}): Promise<number> {
  const ws = new WebSocket(url, options);
  ws.on('error', () => undefined);
  return new Promise<number>((resolve) => {
    ws.on('unexpected-response', (req, res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    ws.on('open', () => {
      resolve(101);
      ws.terminate();
    });
  });
}

function assertClean(ts: TestServer): Promise<unknown> {
  const node = ts.server.node;
  return waitFor(() => node.hub.numClients === 0 && node.timers.size === 0, 5000, 'no clients and no timers left');
}

describe('streaming endpoints: bad requests, methods, CORS', () => {
  let ts: TestServer;
  const streams: OpenStream[] = [];
  const track = (s: OpenStream): OpenStream => {
    streams.push(s);
    return s;
  };

  before(async () => {
    ts = await startTestServer({
      ...BASE_CONFIG,
      http_stream_max_request_body_size: LIMIT,
      sse_max_request_body_size: LIMIT,
      emulation_max_request_body_size: LIMIT,
      uni_http_stream_max_request_body_size: LIMIT,
      uni_sse_max_request_body_size: LIMIT,
    });
  });
  afterEach(async () => {
    for (const s of streams.splice(0)) s.abort();
    await assertClean(ts);
  });
  after(async () => {
    await ts.close();
  });

  it('missing or malformed cf_connect → 400', async () => {
    assert.equal(await status(`${ts.url}/connection/sse`), 400, 'sse without cf_connect');
    assert.equal(await status(`${ts.url}/connection/sse?cf_connect=`), 400, 'sse with empty cf_connect');
    assert.equal(await status(`${ts.url}/connection/uni_sse?cf_connect=%7Bnope`), 400, 'uni_sse with bad JSON');
    assert.equal(await status(`${ts.url}/connection/uni_sse?cf_connect=%5B1%5D`), 400, 'uni_sse with a non-object');
    assert.equal(await status(`${ts.url}/connection/uni_http_stream`, { method: 'POST', body: '{"token":' }), 400);
    assert.equal(await status(`${ts.url}/connection/uni_sse`, { method: 'POST', body: 'nope' }), 400);
    const code = await upgradeStatus(`ws://127.0.0.1:${ts.port}/connection/uni_websocket?cf_connect=%7Bbad`);
    assert.equal(code, 400, 'uni_websocket with bad cf_connect is refused before the upgrade');
  });

  it('a malformed command frame on a bidirectional stream is a bad-request disconnect push', async () => {
    const sse = track(await openStream(`${ts.url}/connection/sse?cf_connect=${encodeURIComponent('{nope')}`));
    assert.equal(sse.status, 200);
    await sse.done;
    assert.equal(sse.text, '\r\ndata: {"push":{"disconnect":{"code":3003,"reason":"bad request"}}}\n\n');
    const hs = track(await openStream(`${ts.url}/connection/http_stream`, { method: 'POST', body: '{"id":1,"subscribe":{"channel":"x"}}' }));
    await hs.done;
    assert.equal(hs.text, '{"push":{"disconnect":{"code":3003,"reason":"bad request"}}}\n', 'first command must be connect');
  });

  it('oversized bodies → 413 (declared length and chunked)', async () => {
    const big = 'x'.repeat(LIMIT + 1);
    for (const path of ['/connection/http_stream', '/connection/sse', '/emulation', '/connection/uni_http_stream', '/connection/uni_sse']) {
      assert.equal(await status(`${ts.url}${path}`, { method: 'POST', body: big }), 413, `${path} with Content-Length`);
      assert.equal(await status(`${ts.url}${path}`, chunkedBody(LIMIT * 4)), 413, `${path} chunked`);
    }
    const exact = track(await openStream(`${ts.url}/connection/uni_http_stream`, { method: 'POST', body: `{"name":"${'n'.repeat(LIMIT - 11)}"}` }));
    assert.equal(exact.status, 200, 'a body of exactly the limit is accepted');
  });

  it('emulation: unknown session → 204, unknown node → 404, bad body → 400, wrong protocol → 400', async () => {
    const { stream, session, node } = await connectHttpStream(ts.url);
    track(stream);
    assert.equal(node, ts.server.node.id);
    assert.equal(await emulate(ts.url, { session: 'no-such-session', node, data: '{"id":2,"subscribe":{"channel":"room:a"}}' }), 204);
    assert.equal(await emulate(ts.url, { session, node: 'no-such-node', data: '{}' }), 404);
    assert.equal(await emulate(ts.url, { session, data: '{}' }), 404, 'no node given');
    assert.equal(await emulate(ts.url, '{"session":'), 400);
    assert.equal(await emulate(ts.url, { session, node, data: { not: 'a string' } }), 400);
    assert.equal(await emulate(ts.url, Buffer.from([0x0a, 0xff]).toString('latin1'), { 'Content-Type': 'application/octet-stream' }), 400);
    const protobufRequest = Buffer.concat([
      Buffer.from([0x0a, node.length]),
      Buffer.from(node),
      Buffer.from([0x12, session.length]),
      Buffer.from(session),
      Buffer.from([0x1a, 0x00]),
    ]);
    const res = await fetch(`${ts.url}/emulation`, { method: 'POST', body: protobufRequest, headers: { 'Content-Type': 'application/octet-stream' } });
    assert.equal(res.status, 400, 'protobuf request for a JSON session');
    // None of the above touched the session: a real command still works.
    assert.equal(await emulate(ts.url, { session, node, data: '{"id":2,"subscribe":{"channel":"room:a"}}' }), 204);
    await waitFor(() => stream.text.includes('{"id":2,"subscribe":{}}\n'), 3000, 'subscribe reply on the stream');
  });

  it('emulation does not feed commands to a unidirectional session', async () => {
    const uni = track(await openStream(`${ts.url}/connection/uni_http_stream`, { method: 'POST', body: '{}' }));
    await waitFor(() => uni.text.includes('\n'), 3000, 'connect push');
    const session = (JSON.parse(uni.text.split('\n')[0]!) as { connect: { session: string } }).connect.session;
    assert.equal(await emulate(ts.url, { session, node: ts.server.node.id, data: '{"id":2,"subscribe":{"channel":"room:a"}}' }), 204);
    assert.equal(ts.server.node.hub.hasSubscribers('room:a'), false);
  });

  it('wrong methods → 405', async () => {
    const cases: [string, string][] = [
      ['/connection/http_stream', 'GET'],
      ['/connection/http_stream', 'PUT'],
      ['/connection/sse', 'PUT'],
      ['/connection/sse', 'DELETE'],
      ['/emulation', 'GET'],
      ['/connection/uni_http_stream', 'GET'],
      ['/connection/uni_sse', 'PATCH'],
    ];
    for (const [path, method] of cases) assert.equal(await status(`${ts.url}${path}`, { method }), 405, `${method} ${path}`);
  });

  it('OPTIONS → 204 with the allowed methods and max age', async () => {
    const cases: [string, string][] = [
      ['/connection/http_stream', 'POST, OPTIONS'],
      ['/emulation', 'POST, OPTIONS'],
      ['/connection/sse', 'GET, POST, OPTIONS'],
      ['/connection/uni_http_stream', 'POST, OPTIONS'],
      ['/connection/uni_sse', 'GET, POST, OPTIONS'],
    ];
    for (const [path, methods] of cases) {
      const res = await fetch(`${ts.url}${path}`, {
        method: 'OPTIONS',
        headers: { Origin: GOOD_ORIGIN, 'Access-Control-Request-Headers': 'content-type' },
      });
      assert.equal(res.status, 204, path);
      assert.equal(res.headers.get('access-control-allow-methods'), methods, path);
      assert.equal(res.headers.get('access-control-max-age'), '300', path);
      assert.equal(res.headers.get('access-control-allow-origin'), GOOD_ORIGIN, path);
      assert.equal(res.headers.get('access-control-allow-headers'), 'content-type', path);
      assert.equal(res.headers.get('access-control-allow-credentials'), 'true', path);
    }
  });

  it('CORS headers only for an allowed origin; a refused origin gets none on every HTTP transport', async () => {
    const opens: [string, RequestInit][] = [
      ['/connection/http_stream', { method: 'POST', body: '{"id":1,"connect":{}}' }],
      ['/connection/sse?cf_connect=' + encodeURIComponent('{"id":1,"connect":{}}'), {}],
      ['/connection/uni_http_stream', { method: 'POST', body: '{}' }],
      ['/connection/uni_sse', {}],
    ];
    for (const [path, init] of opens) {
      const good = track(await openStream(`${ts.url}${path}`, { ...init, headers: { Origin: GOOD_ORIGIN } }));
      assert.equal(good.status, 200, path);
      assert.equal(good.headers.get('access-control-allow-origin'), GOOD_ORIGIN, path);
      assert.equal(good.headers.get('access-control-allow-credentials'), 'true', path);
      const evil = track(await openStream(`${ts.url}${path}`, { ...init, headers: { Origin: EVIL_ORIGIN } }));
      assert.equal(evil.status, 200, `${path}: still served, the browser enforces CORS`);
      assert.equal(evil.headers.get('access-control-allow-origin'), null, path);
      assert.equal(evil.headers.get('access-control-allow-credentials'), null, path);
    }
    const res = await fetch(`${ts.url}/emulation`, { method: 'POST', body: '{"session":"x","node":"y","data":"{}"}', headers: { Origin: EVIL_ORIGIN } });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    const ok = await fetch(`${ts.url}/emulation`, { method: 'OPTIONS', headers: { Origin: GOOD_ORIGIN } });
    assert.equal(ok.headers.get('access-control-allow-origin'), GOOD_ORIGIN);
  });

  it('uni_websocket refuses a disallowed origin with 403 and accepts an allowed one', async () => {
    const url = `ws://127.0.0.1:${ts.port}/connection/uni_websocket?cf_connect=%7B%7D`;
    assert.equal(await upgradeStatus(url, { origin: EVIL_ORIGIN }), 403);
    const good = new WebSocket(url, { origin: GOOD_ORIGIN });
    const first = await new Promise<string>((r) => good.once('message', (d: Buffer) => r(d.toString())));
    assert.match(first, /^\{"connect":\{"client":/);
    good.terminate();
  });

  it('a streaming response starts with the specified headers', async () => {
    const sse = track(await openStream(`${ts.url}/connection/sse?cf_connect=${encodeURIComponent('{"id":1,"connect":{}}')}`));
    assert.equal(sse.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(sse.headers.get('cache-control'), 'private, no-cache, no-store, must-revalidate, max-age=0');
    assert.equal(sse.headers.get('pragma'), 'no-cache');
    assert.equal(sse.headers.get('expire'), '0');
    assert.equal(sse.headers.get('x-accel-buffering'), 'no');
    await waitFor(() => sse.text.includes('\n\n'), 3000, 'connect event');
    assert.match(sse.text, /^\r\ndata: \{"id":1,"connect":\{"client":"[0-9a-f-]{36}"/);
  });
});

describe('peers going away', () => {
  let ts: TestServer;
  let grpcPort = 0;

  before(async () => {
    grpcPort = await freePort();
    ts = await startTestServer({ ...BASE_CONFIG, uni_grpc: true, uni_grpc_address: '127.0.0.1', uni_grpc_port: grpcPort, ping_interval: '1s', pong_timeout: '500ms' });
  });
  after(async () => {
    await ts.close();
  });

  it('client aborts mid-stream on every HTTP transport → no clients, no timers', async () => {
    const opens: [string, RequestInit][] = [
      ['/connection/http_stream', { method: 'POST', body: '{"id":1,"connect":{}}\n{"id":2,"subscribe":{"channel":"room:gone"}}' }],
      ['/connection/sse?cf_connect=' + encodeURIComponent('{"id":1,"connect":{}}'), {}],
      ['/connection/uni_http_stream', { method: 'POST', body: JSON.stringify({ subs: { 'room:gone': {} } }) }],
      ['/connection/uni_sse', {}],
    ];
    const streams: OpenStream[] = [];
    for (const [path, init] of opens) streams.push(await openStream(`${ts.url}${path}`, init));
    await waitFor(() => ts.server.node.hub.numClients === 4, 3000, 'four clients');
    assert.equal(ts.server.node.hub.numSubs, 2);
    for (const s of streams) s.abort();
    await assertClean(ts);
    assert.equal(ts.server.node.hub.numSubs, 0);
  });

  it('uni_websocket and uni_grpc peers going away → no clients, no timers', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${ts.port}/connection/uni_websocket?cf_connect=%7B%7D`);
    const client = new grpc.Client(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
    const call = client.makeServerStreamRequest(
      '/centrifugal.centrifugo.unistream.CentrifugoUniStream/Consume',
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.alloc(0),
    );
    call.on('error', () => undefined);
    await new Promise((r) => ws.on('open', r));
    await waitFor(() => ts.server.node.hub.numClients === 2, 3000, 'two clients');
    ws.terminate();
    call.cancel();
    client.close();
    await assertClean(ts);
  });

  it('a connection that never sends its connect request leaves nothing behind when it goes', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${ts.port}/connection/uni_websocket`);
    await new Promise((r) => ws.on('open', r));
    await waitFor(() => ts.server.node.timers.size === 1, 3000, 'stale timer of the waiting connection');
    assert.equal(ts.server.node.hub.numClients, 0);
    ws.terminate();
    await assertClean(ts);
  });

  it('uni_websocket drops a peer that answers no native ping', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${ts.port}/connection/uni_websocket?cf_connect=%7B%7D`, { autoPong: false });
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    await waitFor(() => ts.server.node.hub.numClients === 1, 3000, 'client');
    assert.equal(await closed, 1006, 'terminated without a close frame');
    await assertClean(ts);
  });
});

describe('shutdown with open streams', () => {
  it('every stream gets the shutdown disconnect push and ends; waiting connections too', async () => {
    const ts = await startTestServer(BASE_CONFIG);
    const hs = await openStream(`${ts.url}/connection/http_stream`, { method: 'POST', body: '{"id":1,"connect":{}}' });
    const uni = await openStream(`${ts.url}/connection/uni_sse`);
    const waiting = new WebSocket(`ws://127.0.0.1:${ts.port}/connection/uni_websocket`);
    const wsPushes: string[] = [];
    waiting.on('message', (d: Buffer) => wsPushes.push(d.toString()));
    const wsClosed = new Promise<number>((r) => waiting.on('close', (code) => r(code)));
    await new Promise((r) => waiting.on('open', r));
    await waitFor(() => ts.server.node.hub.numClients === 2, 3000, 'two connected clients');
    await ts.close();
    await Promise.all([hs.done, uni.done]);
    assert.match(hs.text, /\{"push":\{"disconnect":\{"code":3001,"reason":"shutdown","reconnect":true\}\}\}\n$/);
    assert.match(uni.text, /data: \{"disconnect":\{"code":3001,"reason":"shutdown","reconnect":true\}\}\n\n$/);
    assert.equal(await wsClosed, 3001);
    assert.deepEqual(wsPushes, ['{"disconnect":{"code":3001,"reason":"shutdown","reconnect":true}}']);
    assert.equal(ts.server.node.hub.numClients, 0);
    assert.equal(ts.server.node.timers.size, 0);
  });
});

describe('emulation across nodes (Redis engine)', () => {
  let redis: RedisServerHandle;
  let a: TestServer;
  let b: TestServer;

  before(async () => {
    redis = await spawnRedis();
    const config = { ...BASE_CONFIG, engine: 'redis', redis_address: redis.address, redis_prefix: `emu${Date.now()}` };
    a = await startTestServer(config);
    b = await startTestServer(config);
    await waitFor(async () => (await a.server.node.info()).length === 2 && (await b.server.node.info()).length === 2, 8000, 'nodes see each other');
  });
  after(async () => {
    await Promise.allSettled([a?.close(), b?.close()]);
    await redis?.stop();
  });

  it('a command posted to another node reaches the session through the owning node', async () => {
    const { stream, session, node } = await connectHttpStream(a.url);
    assert.equal(node, a.server.node.id);
    assert.equal(await emulate(b.url, { session, node, data: '{"id":2,"subscribe":{"channel":"room:x"}}' }), 204);
    await waitFor(() => stream.text.includes('{"id":2,"subscribe":{}}\n'), 5000, 'subscribe reply via node A');
    assert.ok(a.server.node.hub.hasSubscribers('room:x'));
    assert.equal(b.server.node.hub.hasSubscribers('room:x'), false);
    assert.equal(await emulate(b.url, { session: 'unknown', node, data: '{}' }), 204, 'unknown session on the owning node');
    assert.equal(await emulate(b.url, { session, node: 'gone-node', data: '{}' }), 404);
    stream.abort();
    await assertClean(a);
    await assertClean(b);
  });
});
