/** Fossil delta on the wire: negotiation, first publication full, then patches as JSON strings. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyDelta } from 'fossil-delta';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../harness/server.js';
import { waitFor } from '../harness/wait.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer({
    allow_anonymous_connect_without_token: true,
    namespaces: [
      { name: 'dl', history_size: 10, history_ttl: '60s', force_recovery: true, allowed_delta_types: ['fossil'], allow_subscribe_for_client: true, allow_subscribe_for_anonymous: true },
      { name: 'plain', history_size: 10, history_ttl: '60s', allow_subscribe_for_client: true, allow_subscribe_for_anonymous: true },
    ],
  });
});
after(async () => srv?.close());

async function rawClient(): Promise<{ ws: WebSocket; msgs: Record<string, unknown>[] }> {
  const ws = new WebSocket(srv.wsUrl);
  const msgs: Record<string, unknown>[] = [];
  ws.on('message', (d: Buffer) => {
    for (const line of d.toString().split('\n')) msgs.push(JSON.parse(line) as Record<string, unknown>);
  });
  await new Promise((r) => ws.once('open', r));
  return { ws, msgs };
}

describe('fossil delta on the wire (JSON)', () => {
  it('negotiates delta only where allowed_delta_types has fossil', async () => {
    const { ws, msgs } = await rawClient();
    ws.send('{"id":1,"connect":{}}\n{"id":2,"subscribe":{"channel":"dl:a","delta":"fossil"}}\n{"id":3,"subscribe":{"channel":"plain:a","delta":"fossil"}}');
    await waitFor(() => msgs.length >= 3, 3000);
    assert.equal((msgs[1]!['subscribe'] as { delta?: boolean }).delta, true);
    assert.equal((msgs[2]!['subscribe'] as { delta?: boolean }).delta, undefined);
    ws.close();
  });

  it('sends the first publication full and then patches that apply to the previous payload', async () => {
    const { ws, msgs } = await rawClient();
    ws.send('{"id":1,"connect":{}}\n{"id":2,"subscribe":{"channel":"dl:b","delta":"fossil"}}');
    await waitFor(() => msgs.length >= 2, 3000);
    const payloads = [1, 2, 3].map((n) => JSON.stringify({ n, text: 'lorem ipsum '.repeat(30) }));
    for (const p of payloads) await srv.api('publish', { channel: 'dl:b', data: JSON.parse(p), delta: true });
    await waitFor(() => msgs.length >= 5, 3000);
    const pubs = msgs.slice(2).map((m) => (m['push'] as { pub: { data: string; delta?: boolean } }).pub);
    assert.equal(pubs[0]!.delta, undefined, 'first is full');
    assert.equal(typeof pubs[0]!.data, 'string', 'JSON payload carried as a string');
    assert.deepEqual(JSON.parse(pubs[0]!.data), JSON.parse(payloads[0]!));
    let prev = new TextEncoder().encode(pubs[0]!.data);
    for (let i = 1; i < 3; i++) {
      assert.equal(pubs[i]!.delta, true, `publication ${i + 1} is a patch`);
      const patch = new TextEncoder().encode(pubs[i]!.data);
      assert.ok(patch.length < payloads[i]!.length, 'patch smaller than the payload');
      const full = applyDelta(prev, patch);
      assert.deepEqual(JSON.parse(new TextDecoder().decode(full)), JSON.parse(payloads[i]!));
      prev = full;
    }
    ws.close();
  });
});
