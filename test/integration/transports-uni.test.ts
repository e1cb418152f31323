/**
 * Integration: the unidirectional transports (uni_websocket, uni_http_stream, uni_sse, uni_grpc)
 * driven by plain clients — `ws`, fetch stream readers, EventSource, @grpc/grpc-js on our
 * unistream.proto. Every transport gets the same scenarios: connect push, server-side subscriptions
 * from the token, publications, pings, recovery through ConnectRequest `subs`, disconnect push and
 * connect errors turned into disconnects. After each test the node has no clients and no timers.
 */
import { strict as assert } from 'node:assert';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import { freePort } from '../harness/redis.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { connectToken, nowSec } from '../harness/tokens.js';
import { waitFor } from '../harness/wait.js';

type Json = Record<string, unknown>;
type UniKind = 'uni_websocket' | 'uni_websocket_first_message' | 'uni_http_stream' | 'uni_sse' | 'uni_grpc';
const KINDS: readonly UniKind[] = ['uni_websocket', 'uni_websocket_first_message', 'uni_http_stream', 'uni_sse', 'uni_grpc'];

/** One open unidirectional connection as the tests see it: decoded pushes and the end of the stream. */
interface UniConn {
  readonly pushes: Json[];
  /** Resolves when the server ended the stream (close frame code for WebSocket). */
  readonly ended: Promise<{ code?: number; reason?: string }>;
  close(): void;
}

let ts: TestServer;
let grpcPort = 0;
let StreamClient: grpc.ServiceClientConstructor;
const open: UniConn[] = [];

/** Bytes fields of gRPC pushes carry JSON here; turn them into values so all transports compare equal. */
function normalise(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return JSON.parse(v.toString('utf8')) as unknown;
  if (Array.isArray(v)) return v.map(normalise);
  if (v !== null && typeof v === 'object') {
    const out: Json = {};
    for (const [k, x] of Object.entries(v)) out[k] = normalise(x);
    return out;
  }
  return v;
}

function lineCollector(pushes: Json[]): (chunk: string) => void {
  let buf = '';
  return (chunk) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim() !== '') pushes.push(JSON.parse(line) as Json);
    }
  };
}

function openUni(kind: UniKind, request: Json): UniConn {
  const pushes: Json[] = [];
  let conn: UniConn;
  switch (kind) {
    case 'uni_websocket':
    case 'uni_websocket_first_message': {
      const base = `ws://127.0.0.1:${ts.port}/connection/uni_websocket`;
      const url = kind === 'uni_websocket' ? `${base}?cf_connect=${encodeURIComponent(JSON.stringify(request))}` : base;
      const ws = new WebSocket(url);
      ws.on('error', () => undefined);
      if (kind === 'uni_websocket_first_message') ws.on('open', () => ws.send(JSON.stringify(request)));
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        assert.equal(isBinary, false, 'uni_websocket sends text frames');
        pushes.push(JSON.parse(data.toString('utf8')) as Json);
      });
      const ended = new Promise<{ code?: number; reason?: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
      conn = { pushes, ended, close: () => ws.terminate() };
      break;
    }
    case 'uni_http_stream': {
      const ac = new AbortController();
      const ended = (async () => {
        const res = await fetch(`${ts.url}/connection/uni_http_stream`, { method: 'POST', body: JSON.stringify(request), signal: ac.signal });
        assert.equal(res.status, 200);
        const feed = lineCollector(pushes);
        const dec = new TextDecoder();
        for await (const chunk of res.body!) feed(dec.decode(chunk as Uint8Array, { stream: true }));
        return {};
      })().catch((err: unknown) => {
        if ((err as Error).name !== 'AbortError') throw err;
        return {};
      });
      conn = { pushes, ended, close: () => ac.abort() };
      break;
    }
    case 'uni_sse': {
      const es = new EventSource(`${ts.url}/connection/uni_sse?cf_connect=${encodeURIComponent(JSON.stringify(request))}`);
      es.onmessage = (e) => pushes.push(JSON.parse(e.data as string) as Json);
      // The server ending the stream shows as an error; closing stops EventSource from reconnecting.
      const ended = new Promise<{ code?: number; reason?: string }>((r) => {
        es.onerror = () => {
          es.close();
          r({});
        };
      });
      conn = { pushes, ended, close: () => es.close() };
      break;
    }
    case 'uni_grpc': {
      const client = new StreamClient(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
      const call = client['Consume']!(request) as grpc.ClientReadableStream<Json>;
      call.on('data', (p: Json) => pushes.push(normalise(p) as Json));
      const ended = new Promise<{ code?: number; reason?: string }>((r) => {
        call.on('status', (s: grpc.StatusObject) => r({ code: s.code, reason: s.details }));
      });
      call.on('error', () => undefined);
      conn = {
        pushes,
        ended,
        close: () => {
          call.cancel();
          client.close();
        },
      };
      void ended.then(() => client.close());
      break;
    }
  }
  open.push(conn);
  return conn;
}

async function publish(channel: string, data: unknown): Promise<{ offset: number; epoch: string }> {
  const r = await ts.api('publish', { channel, data });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const body = r.body as { result?: { offset: number; epoch: string }; error?: unknown };
  assert.equal(body.error, undefined, JSON.stringify(body));
  return body.result!;
}

const pubs = (c: UniConn): Json[] => c.pushes.filter((p) => p['pub'] !== undefined);

before(async () => {
  grpcPort = await freePort();
  ts = await startTestServer({
    uni_websocket: true,
    uni_http_stream: true,
    uni_sse: true,
    uni_grpc: true,
    uni_grpc_address: '127.0.0.1',
    uni_grpc_port: grpcPort,
    ping_interval: '1s',
    pong_timeout: '500ms',
    client_user_id_http_header: 'X-Rotor-User',
    namespaces: [
      { name: 'news', history_size: 20, history_ttl: '300s', force_recovery: true },
      { name: 'open', allow_subscribe_for_client: true, history_size: 20, history_ttl: '300s', force_recovery: true },
    ],
  });
  const def = protoLoader.loadSync(fileURLToPath(new URL('../../src/transports/unistream.proto', import.meta.url)), {
    keepCase: true,
    longs: Number,
    defaults: false,
    includeDirs: [fileURLToPath(new URL('../../src', import.meta.url))],
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    centrifugal: { centrifugo: { unistream: { CentrifugoUniStream: grpc.ServiceClientConstructor } } };
  };
  StreamClient = pkg.centrifugal.centrifugo.unistream.CentrifugoUniStream;
});

afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  const node = ts.server.node;
  await waitFor(() => node.hub.numClients === 0 && node.timers.size === 0, 5000, 'no clients and no timers left');
});

after(async () => {
  await ts.close();
});

for (const kind of KINDS) {
  describe(kind, () => {
    it('connect push, token server-side subscription, publications, pings, disconnect push', async () => {
      const user = `u-${kind}`;
      const ch = `news:live-${kind}`;
      const c = openUni(kind, { token: await connectToken(user, { channels: [ch] }), name: 'plain' });
      await waitFor(() => c.pushes.length >= 1, 5000, 'connect push');
      const connect = c.pushes[0]!['connect'] as Json;
      assert.ok(connect, JSON.stringify(c.pushes[0]));
      assert.match(connect['client'] as string, /^[0-9a-f-]{36}$/);
      assert.equal(connect['ping'], 1);
      assert.equal(connect['pong'], undefined, 'no pong for unidirectional transports');
      assert.match(connect['session'] as string, /^[0-9a-f-]{36}$/);
      const subs = connect['subs'] as Record<string, Json>;
      assert.deepEqual(Object.keys(subs), [ch]);
      assert.equal(subs[ch]!['recoverable'], true);
      const live = ts.server.node.hub.client(connect['client'] as string);
      assert.equal(live?.userId, user);
      assert.equal(live?.transportName, kind === 'uni_websocket_first_message' ? 'uni_websocket' : kind);

      await publish(ch, { n: 1 });
      await publish(ch, { n: 2 });
      await waitFor(() => pubs(c).length === 2, 3000, 'two publications');
      assert.deepEqual(
        pubs(c).map((p) => [p['channel'], (p['pub'] as Json)['data'], (p['pub'] as Json)['offset']]),
        [
          [ch, { n: 1 }, 1],
          [ch, { n: 2 }, 2],
        ],
      );
      await waitFor(() => c.pushes.some((p) => Object.keys(p).length === 0), 3000, 'an empty push (ping)');

      const r = await ts.api('disconnect', { user });
      assert.deepEqual(r.body, { result: {} });
      const end = await c.ended;
      const last = c.pushes.at(-1)!;
      assert.deepEqual(last, { disconnect: { code: 3012, reason: 'force disconnect' } });
      if (kind.startsWith('uni_websocket')) {
        assert.equal(end.code, 3012);
        assert.deepEqual(JSON.parse(end.reason!), { reason: 'force disconnect', reconnect: false });
      }
      if (kind === 'uni_grpc') assert.equal(end.code, grpc.status.OK);
    });

    it('recovers through ConnectRequest subs positions', async () => {
      const ch = `news:rec-${kind}`;
      const user = `rec-${kind}`;
      let epoch = '';
      for (let i = 1; i <= 4; i++) epoch = (await publish(ch, { i })).epoch;
      const c = openUni(kind, {
        token: await connectToken(user, { channels: [ch] }),
        subs: { [ch]: { recover: true, offset: 2, epoch } },
      });
      await waitFor(() => c.pushes.length >= 1, 5000, 'connect push');
      const sub = ((c.pushes[0]!['connect'] as Json)['subs'] as Record<string, Json>)[ch]!;
      assert.equal(sub['recovered'], true);
      assert.equal(sub['was_recovering'], true);
      assert.equal(sub['epoch'], epoch);
      assert.equal(sub['offset'], 2, 'offset = the requested one; the client advances it through the publications');
      assert.deepEqual(
        (sub['publications'] as Json[]).map((p) => [p['data'], p['offset']]),
        [
          [{ i: 3 }, 3],
          [{ i: 4 }, 4],
        ],
      );
      await publish(ch, { i: 5 });
      await waitFor(() => pubs(c).length === 1, 3000, 'live publication after recovery');
      assert.equal((pubs(c)[0]!['pub'] as Json)['offset'], 5);
    });

    it('subscribes to channels named in ConnectRequest subs when the namespace allows it', async () => {
      const ch = `open:req-${kind}`;
      const c = openUni(kind, { token: await connectToken(`req-${kind}`), subs: { [ch]: {}, 'news:denied': {} } });
      await waitFor(() => c.pushes.length >= 1, 5000, 'connect push');
      const subs = (c.pushes[0]!['connect'] as Json)['subs'] as Record<string, Json>;
      assert.deepEqual(Object.keys(subs), [ch]);
      await publish(ch, { hello: kind });
      await waitFor(() => pubs(c).length === 1, 3000, 'publication');
      assert.deepEqual((pubs(c)[0]!['pub'] as Json)['data'], { hello: kind });
    });

    it('turns connect errors into disconnects: expired token 3005, invalid token 3002, no credentials 3003', async () => {
      const cases: [Json, Json][] = [
        [{ token: await connectToken('late', {}, { expSec: nowSec() - 60 }) }, { code: 3005, reason: 'expired', reconnect: true }],
        [{ token: await connectToken('forged', {}, { secret: 'wrong-secret' }) }, { code: 3002, reason: 'invalid token' }],
        [{}, { code: 3003, reason: 'bad request' }],
      ];
      for (const [request, expected] of cases) {
        const c = openUni(kind, request);
        const end = await c.ended;
        assert.deepEqual(c.pushes, [{ disconnect: expected }], `${JSON.stringify(request)} → ${JSON.stringify(expected)}`);
        if (kind.startsWith('uni_websocket')) assert.equal(end.code, expected['code']);
      }
      assert.equal(ts.server.node.hub.numClients, 0);
    });
  });
}

describe('uni transports: other request forms', () => {
  it('uni_sse accepts the ConnectRequest as a POST body', async () => {
    const ac = new AbortController();
    const res = await fetch(`${ts.url}/connection/uni_sse`, {
      method: 'POST',
      body: JSON.stringify({ token: await connectToken('sse-post') }),
      signal: ac.signal,
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    assert.ok(text.startsWith('\r\ndata: {"connect":{'), JSON.stringify(text));
    ac.abort();
  });

  it('takes the user from client_user_id_http_header when there is no token', async () => {
    const ac = new AbortController();
    const res = await fetch(`${ts.url}/connection/uni_http_stream`, { method: 'POST', body: '{}', headers: { 'X-Rotor-User': 'header-user' }, signal: ac.signal });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const first = JSON.parse(new TextDecoder().decode((await reader.read()).value).split('\n')[0]!) as { connect: { client: string } };
    assert.equal(ts.server.node.hub.client(first.connect.client)?.userId, 'header-user');
    const ws = new WebSocket(`ws://127.0.0.1:${ts.port}/connection/uni_websocket?cf_connect=%7B%7D`, { headers: { 'X-Rotor-User': 'ws-user' } });
    const push = await new Promise<Json>((r) => ws.once('message', (d: Buffer) => r(JSON.parse(d.toString()) as Json)));
    assert.equal(ts.server.node.hub.client((push['connect'] as Json)['client'] as string)?.userId, 'ws-user');
    ws.terminate();
    ac.abort();
  });

  it('uni_websocket ignores client messages after the connect request', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${ts.port}/connection/uni_websocket`);
    const pushes: Json[] = [];
    ws.on('message', (d: Buffer) => pushes.push(JSON.parse(d.toString()) as Json));
    await new Promise((r) => ws.on('open', r));
    ws.send(JSON.stringify({ token: await connectToken('chatty', { channels: ['news:chatty'] }) }));
    await waitFor(() => pushes.length >= 1, 3000, 'connect push');
    ws.send('not json at all');
    ws.send('{"id":1,"subscribe":{"channel":"news:x"}}');
    await publish('news:chatty', { still: 'here' });
    await waitFor(() => pushes.some((p) => p['pub'] !== undefined), 3000, 'publication');
    assert.equal(ws.readyState, WebSocket.OPEN);
    ws.terminate();
  });

  it('uni_websocket sends native PING frames every ping_interval', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${ts.port}/connection/uni_websocket?cf_connect=${encodeURIComponent(JSON.stringify({ token: await connectToken('pinged') }))}`);
    const started = Date.now();
    const pings: number[] = [];
    ws.on('ping', () => pings.push(Date.now() - started));
    await waitFor(() => pings.length >= 2, 4000, 'two native pings');
    assert.ok(pings[1]! - pings[0]! >= 700, `pings ~1 s apart: ${JSON.stringify(pings)}`);
    ws.terminate();
  });

  it('uni_websocket closes with bad request when the first message is not JSON', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${ts.port}/connection/uni_websocket`);
    const pushes: Json[] = [];
    ws.on('message', (d: Buffer) => pushes.push(JSON.parse(d.toString()) as Json));
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('open', () => ws.send('{oops'));
    assert.equal(await closed, 3003);
    assert.deepEqual(pushes, [{ disconnect: { code: 3003, reason: 'bad request' } }]);
  });

  it('uni_grpc rejects an undecodable request with INVALID_ARGUMENT', async () => {
    const client = new grpc.Client(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
    const call = client.makeServerStreamRequest(
      '/centrifugal.centrifugo.unistream.CentrifugoUniStream/Consume',
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from([0x0a, 0xff]),
    );
    call.on('error', () => undefined);
    const status = await new Promise<grpc.StatusObject>((r) => call.on('status', r));
    assert.equal(status.code, grpc.status.INVALID_ARGUMENT);
    client.close();
  });
});
