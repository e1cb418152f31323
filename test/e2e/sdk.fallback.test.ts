/**
 * End-to-end: centrifuge-js given a transport list whose WebSocket endpoint is unreachable falls
 * back to the HTTP-based transports of the built server (child process) and works over them.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { spawnServer, type ServerProcess } from '../harness/process.js';
import { collect, type Client } from '../harness/sdk.js';
import { waitFor } from '../harness/wait.js';
import { emulatedClient } from './sdk-emulation.cases.js';

const NAMESPACES = [{ name: 'room', history_size: 10, history_ttl: '300s', allow_subscribe_for_client: true, allow_subscribe_for_anonymous: true }];

describe('centrifuge-js transport fallback', () => {
  let noWs: ServerProcess;
  let sseOnly: ServerProcess;
  const clients: Client[] = [];

  before(async () => {
    [noWs, sseOnly] = await Promise.all([
      spawnServer({ websocket_disable: true, http_stream: true, sse: true, allow_anonymous_connect_without_token: true, namespaces: NAMESPACES }),
      spawnServer({ websocket_disable: true, sse: true, allow_anonymous_connect_without_token: true, namespaces: NAMESPACES }),
    ]);
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    const codes = await Promise.all([noWs.stop(), sseOnly.stop()]);
    assert.deepEqual(codes, [0, 0], 'servers exit 0 on SIGTERM');
  });

  async function connectVia(srv: ServerProcess, expected: string, protocol: 'json' | 'protobuf'): Promise<void> {
    const c = emulatedClient(
      protocol,
      [
        { transport: 'websocket', endpoint: srv.wsUrl },
        { transport: 'http_stream', endpoint: `${srv.url}/connection/http_stream` },
        { transport: 'sse', endpoint: `${srv.url}/connection/sse` },
      ],
      srv.url,
      { websocket: WebSocket },
    );
    clients.push(c);
    const connected = new Promise<{ transport: string }>((r) => c.on('connected', r));
    const ch = `room:fallback-${expected}-${protocol}`;
    const sub = c.newSubscription(ch);
    const got = collect(protocol, sub);
    sub.subscribe();
    c.connect();
    assert.equal((await connected).transport, expected);
    await sub.ready(5000);
    const r = await srv.api('publish', { channel: ch, data: { via: expected } });
    assert.equal(r.status, 200);
    await waitFor(() => got.values.length === 1, 3000, 'publication after fallback');
    assert.deepEqual(got.values, [{ via: expected }]);
    c.disconnect();
  }

  it('falls back from an unreachable WebSocket to http_stream (JSON)', async () => {
    await connectVia(noWs, 'http_stream', 'json');
  });

  it('falls back from an unreachable WebSocket to http_stream (Protobuf)', async () => {
    await connectVia(noWs, 'http_stream', 'protobuf');
  });

  it('falls back past a disabled http_stream to sse', async () => {
    await connectVia(sseOnly, 'sse', 'json');
  });
});
