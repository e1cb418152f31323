/**
 * `client_connection_limit` and `client_connection_rate_limit` on every connection transport:
 * HTTP 503 on websocket, http_stream, sse, uni_websocket, uni_sse, uni_http_stream; GRPC
 * `UNAVAILABLE` on uni_grpc. The rate is a token bucket with burst = rate, refilled continuously
 * (driven by a manual clock here, so no test depends on timing).
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { afterEach, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import WebSocket from 'ws';
import { ManualClock } from '../../src/core/clock.js';
import { freePort } from '../harness/spawned.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { waitFor } from '../harness/wait.js';

type Kind = 'websocket' | 'http_stream' | 'sse' | 'uni_websocket' | 'uni_sse' | 'uni_http_stream' | 'uni_grpc';
const KINDS: readonly Kind[] = ['websocket', 'http_stream', 'sse', 'uni_websocket', 'uni_sse', 'uni_http_stream', 'uni_grpc'];

/** What a connection attempt got: `ok` (the connection is open), an HTTP status, or a GRPC status name. */
interface Attempt {
  readonly outcome: string;
  close(): void;
}

let StreamClient: grpc.ServiceClientConstructor;

function serverConfig(grpcPort: number, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    client_insecure: true,
    http_stream: true,
    sse: true,
    uni_websocket: true,
    uni_sse: true,
    uni_http_stream: true,
    uni_grpc: true,
    uni_grpc_address: '127.0.0.1',
    uni_grpc_port: grpcPort,
    ...extra,
  };
}

async function upgrade(url: string): Promise<Attempt> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve({ outcome: 'ok', close: () => ws.terminate() }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ outcome: String(res.statusCode), close: () => undefined });
      res.resume();
    });
    ws.on('error', () => undefined);
  });
}

async function stream(url: string, init: RequestInit): Promise<Attempt> {
  const ac = new AbortController();
  const res = await fetch(url, { ...init, signal: ac.signal });
  if (res.status === 200) {
    return { outcome: 'ok', close: () => ac.abort() };
  }
  await res.text();
  return { outcome: String(res.status), close: () => undefined };
}

async function grpcStream(port: number): Promise<Attempt> {
  const client = new StreamClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = client['Consume']!({}) as grpc.ClientReadableStream<unknown>;
  call.on('error', () => undefined);
  return new Promise((resolve) => {
    const close = (): void => {
      call.cancel();
      client.close();
    };
    call.once('data', () => resolve({ outcome: 'ok', close }));
    call.once('status', (s: grpc.StatusObject) => {
      client.close();
      resolve({ outcome: grpc.status[s.code] ?? String(s.code), close: () => undefined });
    });
  });
}

const CONNECT = encodeURIComponent('{"id":1,"connect":{}}');

async function attempt(s: TestServer, grpcPort: number, kind: Kind): Promise<Attempt> {
  const base = `http://127.0.0.1:${s.port}`;
  switch (kind) {
    case 'websocket':
      return upgrade(s.wsUrl);
    case 'http_stream':
      return stream(`${base}/connection/http_stream`, { method: 'POST', body: '{"id":1,"connect":{}}' });
    case 'sse':
      return stream(`${base}/connection/sse?cf_connect=${CONNECT}`, {});
    case 'uni_websocket':
      return upgrade(`ws://127.0.0.1:${s.port}/connection/uni_websocket?cf_connect=%7B%7D`);
    case 'uni_sse':
      return stream(`${base}/connection/uni_sse?cf_connect=%7B%7D`, {});
    case 'uni_http_stream':
      return stream(`${base}/connection/uni_http_stream`, { method: 'POST', body: '{}' });
    case 'uni_grpc':
      return grpcStream(grpcPort);
  }
}

const refused = (kind: Kind): string => (kind === 'uni_grpc' ? 'UNAVAILABLE' : '503');

void describe('connection limits on every transport', () => {
  const open: Attempt[] = [];
  let server: TestServer | undefined;

  before(() => {
    const def = protoLoader.loadSync(fileURLToPath(new URL('../../src/transports/unistream.proto', import.meta.url)), {
      keepCase: true,
      longs: Number,
      defaults: false,
      includeDirs: [fileURLToPath(new URL('../../src', import.meta.url))],
    });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { centrifugal: { centrifugo: { unistream: { CentrifugoUniStream: grpc.ServiceClientConstructor } } } };
    StreamClient = pkg.centrifugal.centrifugo.unistream.CentrifugoUniStream;
  });
  afterEach(async () => {
    for (const a of open.splice(0)) a.close();
    if (server !== undefined) await server.close();
    server = undefined;
  });

  void test('client_connection_limit: every transport is refused while the node is full, and served again after', async () => {
    const grpcPort = await freePort();
    const s = (server = await startTestServer(serverConfig(grpcPort, { client_connection_limit: 1 })));
    const node = s.server.node;
    // A WebSocket client counts once it is in the hub (after its connect command).
    const raw = new WebSocket(s.wsUrl);
    await new Promise((r) => raw.once('open', r));
    raw.send('{"id":1,"connect":{}}');
    await waitFor(() => node.hub.numClients >= 1, 10_000, 'one connected client');
    open.push({ outcome: 'ok', close: () => raw.terminate() });
    for (const kind of KINDS) {
      const a = await attempt(s, grpcPort, kind);
      open.push(a);
      assert.equal(a.outcome, refused(kind), `${kind} over the limit`);
    }
    for (const a of open.splice(0)) a.close();
    await waitFor(() => node.hub.numClients === 0, 10_000, 'no clients');
    for (const kind of KINDS) {
      const a = await attempt(s, grpcPort, kind);
      assert.equal(a.outcome, 'ok', `${kind} under the limit`);
      a.close();
      await waitFor(() => node.hub.numClients === 0, 10_000, `${kind} client gone`);
    }
  });

  void test('client_connection_rate_limit: a burst of `rate` connections, then refused until the bucket refills', async () => {
    const grpcPort = await freePort();
    const clock = new ManualClock();
    const s = (server = await startTestServer(serverConfig(grpcPort, { client_connection_rate_limit: 3 }), { clock }));
    for (const kind of KINDS) {
      clock.advance(10_000); // a quiet period: the bucket is full (3 tokens, never more)
      for (let i = 0; i < 3; i++) {
        const a = await attempt(s, grpcPort, kind);
        open.push(a);
        assert.equal(a.outcome, 'ok', `${kind} connection ${i + 1} of the burst`);
      }
      const over = await attempt(s, grpcPort, kind);
      open.push(over);
      assert.equal(over.outcome, refused(kind), `${kind} over the burst`);
      clock.advance(300); // 0.9 token: still refused
      assert.equal((await attempt(s, grpcPort, kind)).outcome, refused(kind), `${kind} before a whole token refilled`);
      clock.advance(100); // 0.9 + 0.3 = 1.2 tokens: one passes, the next is refused
      const refilled = await attempt(s, grpcPort, kind);
      open.push(refilled);
      assert.equal(refilled.outcome, 'ok', `${kind} after 1/rate s`);
      assert.equal((await attempt(s, grpcPort, kind)).outcome, refused(kind), `${kind} after the refilled token was used`);
      for (const a of open.splice(0)) a.close();
    }
  });
});
