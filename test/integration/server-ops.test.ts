/** Operational behaviour of the composed server: config reload, connection limits, health, metrics. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { validateConfig } from '../../src/config/index.js';
import { startTestServer, TEST_API_KEY } from '../harness/server.js';
import { waitFor } from '../harness/wait.js';

async function connect(url: string): Promise<{ ws: WebSocket; msgs: string[] }> {
  const ws = new WebSocket(url);
  const msgs: string[] = [];
  ws.on('message', (d: Buffer) => msgs.push(...d.toString().split('\n')));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, msgs };
}

async function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => undefined);
  });
}

describe('server operations', () => {
  it('reload (SIGHUP) applies new namespaces and token settings, rejects unusable ones', async () => {
    const base = { allow_anonymous_connect_without_token: true, namespaces: [{ name: 'old', allow_subscribe_for_client: true, allow_subscribe_for_anonymous: true }] };
    const s = await startTestServer(base);
    try {
      const { ws, msgs } = await connect(s.wsUrl);
      ws.send('{"id":1,"connect":{}}\n{"id":2,"subscribe":{"channel":"new:x"}}');
      await waitFor(() => msgs.length >= 2, 3000);
      assert.deepEqual(JSON.parse(msgs[1]!), { id: 2, error: { code: 102, message: 'unknown channel' } });
      s.server.reload(
        validateConfig({
          ...base,
          api_key: TEST_API_KEY,
          namespaces: [{ name: 'new', allow_subscribe_for_client: true, allow_subscribe_for_anonymous: true }],
        }),
      );
      ws.send('{"id":3,"subscribe":{"channel":"new:x"}}');
      await waitFor(() => msgs.length >= 3, 3000);
      assert.deepEqual(JSON.parse(msgs[2]!), { id: 3, subscribe: {} });
      assert.throws(() => s.server.reload(validateConfig({ ...base, token_rsa_public_key: 'not a pem' })));
      ws.send('{"id":4,"subscribe":{"channel":"old:x"}}');
      await waitFor(() => msgs.length >= 4, 3000);
      assert.deepEqual(JSON.parse(msgs[3]!), { id: 4, error: { code: 102, message: 'unknown channel' } }, 'failed reload kept the previous config');
      ws.close();
    } finally {
      await s.close();
    }
  });

  it('client_connection_limit answers 503 to new connections over the limit', async () => {
    const s = await startTestServer({ allow_anonymous_connect_without_token: true, client_connection_limit: 1 });
    try {
      const { ws, msgs } = await connect(s.wsUrl);
      ws.send('{"id":1,"connect":{}}');
      await waitFor(() => msgs.length >= 1, 3000);
      assert.equal(await upgradeStatus(s.wsUrl), 503);
      ws.close();
      await waitFor(() => s.server.node.hub.numClients === 0, 3000);
      assert.equal(await upgradeStatus(s.wsUrl), 101);
    } finally {
      await s.close();
    }
  });

  it('serves /health and Prometheus metrics with Centrifugo names', async () => {
    const s = await startTestServer({ health: true, prometheus: true });
    try {
      const h = await fetch(`${s.url}/health`);
      assert.equal(h.status, 200);
      assert.equal(await h.text(), '{}');
      await s.api('publish', { channel: 'm', data: {} });
      const m = await (await fetch(`${s.url}/metrics`)).text();
      assert.match(m, /centrifugo_node_num_clients 0/);
      assert.match(m, /centrifugo_api_command_duration_seconds_count\{protocol="http",method="publish"\} 1/);
      assert.match(m, /centrifugo_node_messages_sent_count\{type="publication"\} 1/);
      assert.match(m, /centrifugo_node_build\{version="[^"]+"\} 1/);
    } finally {
      await s.close();
    }
  });
});

describe('unidirectional connect error transforms', () => {
  it('client_connect_code_to_unidirectional_disconnect maps an error code to the configured disconnect', async () => {
    const { connectToken, nowSec } = await import('../harness/tokens.js');
    const s = await startTestServer({
      uni_http_stream: true,
      client_connect_code_to_unidirectional_disconnect: { enabled: true, transforms: [{ code: 109, to: { code: 4509, reason: 'token expired, custom' } }] },
    });
    try {
      const expired = await connectToken('u1', {}, { expSec: nowSec() - 10 });
      const res = await fetch(`${s.url}/connection/uni_http_stream`, { method: 'POST', body: JSON.stringify({ token: expired }) });
      const text = await res.text();
      assert.deepEqual(JSON.parse(text.trim().split('\n').at(-1)!), { disconnect: { code: 4509, reason: 'token expired, custom' } }, '4500-4999 is terminal: reconnect false (omitted)');
      const invalid = await fetch(`${s.url}/connection/uni_http_stream`, { method: 'POST', body: JSON.stringify({ token: 'bad' }) });
      const last = JSON.parse((await invalid.text()).trim().split('\n').at(-1)!) as { disconnect: { code: number } };
      assert.equal(last.disconnect.code, 3002, 'untransformed codes keep the built-in mapping (invalid token)');
    } finally {
      await s.close();
    }
  });
});

describe('personal channel', () => {
  it('user_personal_single_connection closes the older connection of the user with connection limit', async () => {
    const { connectToken } = await import('../harness/tokens.js');
    const s = await startTestServer({ user_subscribe_to_personal: true, user_personal_single_connection: true, presence: true });
    try {
      const token = await connectToken('42');
      const first = await connect(s.wsUrl);
      const closed = new Promise<{ code: number; reason: string }>((r) => first.ws.once('close', (code, reason) => r({ code, reason: reason.toString() })));
      first.ws.send(JSON.stringify({ id: 1, connect: { token } }));
      await waitFor(() => first.msgs.length >= 1, 3000);
      assert.deepEqual(Object.keys((JSON.parse(first.msgs[0]!) as { connect: { subs: object } }).connect.subs), ['#42'], 'server-side personal channel');
      const second = await connect(s.wsUrl);
      second.ws.send(JSON.stringify({ id: 1, connect: { token } }));
      assert.deepEqual(await closed, { code: 3013, reason: '{"reason":"connection limit","reconnect":false}' });
      await waitFor(() => second.msgs.length >= 1, 3000);
      assert.ok((JSON.parse(second.msgs[0]!) as { connect?: unknown }).connect, 'the new connection stays');
      second.ws.close();
    } finally {
      await s.close();
    }
  });
});

describe('websocket_compression', () => {
  it('negotiates permessage-deflate and still delivers replies and publications (through ws, not raw frames)', async () => {
    const s = await startTestServer({ websocket_compression: true, allow_anonymous_connect_without_token: true, allow_subscribe_for_client: true, allow_subscribe_for_anonymous: true });
    try {
      const ws = new WebSocket(s.wsUrl, { perMessageDeflate: true });
      const msgs: string[] = [];
      ws.on('message', (d: Buffer) => msgs.push(...d.toString().split('\n')));
      await new Promise((r) => ws.once('open', r));
      assert.match(ws.extensions, /permessage-deflate/);
      ws.send('{"id":1,"connect":{}}\n{"id":2,"subscribe":{"channel":"z"}}');
      await waitFor(() => msgs.length >= 2, 3000);
      await s.api('publish', { channel: 'z', data: { big: 'y'.repeat(2000) } });
      await waitFor(() => msgs.length >= 3, 3000);
      assert.deepEqual(JSON.parse(msgs[2]!), { push: { channel: 'z', pub: { data: { big: 'y'.repeat(2000) } } } });
      ws.close();
    } finally {
      await s.close();
    }
  });
});
