/**
 * Rotor as a library: a Node with the memory engine, an application-defined ClientHandler and an
 * application-provided Transport — no HTTP, no config file (the thing the Go original cannot offer
 * Node users).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ClientError,
  ClientErrors,
  DEFAULT_CHANNEL_OPTIONS,
  MemoryBroker,
  MemoryPresenceManager,
  Node,
  SubscriptionSource,
  type ChannelOptions,
  type ClientHandler,
} from '../../src/index.js';
import { FakeTransport } from '../harness/fake-transport.js';
import { waitFor } from '../harness/wait.js';

const HISTORY: ChannelOptions = { ...DEFAULT_CHANNEL_OPTIONS, historySize: 10, historyTtlMs: 60_000, presence: true };
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** An application's own rules: users authenticate with `data: {"user": "..."}`; only `news` exists. */
const handler: ClientHandler = {
  async connect(_ctx, req) {
    const user = req.data ? (JSON.parse(new TextDecoder().decode(req.data)) as { user?: string }).user : undefined;
    if (!user) throw new ClientError(ClientErrors.Unauthorized);
    return { credentials: { userId: user }, subscriptions: new Map() };
  },
  async subscribe(_client, req) {
    if (req.channel !== 'news') throw new ClientError(ClientErrors.UnknownChannel);
    return {
      channelOptions: HISTORY,
      emitPresence: true,
      emitJoinLeave: false,
      pushJoinLeave: false,
      enablePositioning: true,
      enableRecovery: true,
      expireAtSec: 0,
      source: SubscriptionSource.ClientAllowed,
    };
  },
  async publish() {
    return { channelOptions: HISTORY };
  },
  async presence() {
    return HISTORY;
  },
  async history() {
    return { channelOptions: HISTORY };
  },
  async rpc(_c, method, data) {
    if (method !== 'echo') throw new ClientError(ClientErrors.MethodNotFound);
    return data;
  },
  async refresh() {
    throw new ClientError(ClientErrors.NotAvailable);
  },
  async subRefresh() {
    throw new ClientError(ClientErrors.NotAvailable);
  },
  serverSubscribe() {
    return HISTORY;
  },
};

describe('embedding Rotor as a library', () => {
  it('runs the client protocol over an application transport with custom rules', async () => {
    const node = new Node({
      name: 'embedded',
      version: 'test',
      broker: new MemoryBroker({ sweepIntervalMs: 0 }),
      presenceManager: new MemoryPresenceManager({ sweepIntervalMs: 0 }),
      handler,
      channels: { resolve: () => HISTORY },
      client: { pingIntervalMs: 0 },
    });
    await node.run();
    const t = new FakeTransport();
    const client = node.newClient(t);
    client.handleData(enc('{"id":1,"connect":{"data":{"user":"ann"}}}\n{"id":2,"subscribe":{"channel":"news"}}\n{"id":3,"rpc":{"method":"echo","data":{"x":1}}}'));
    await waitFor(() => t.messages.length >= 3, 2000, 'three replies');
    const [connect, subscribe, rpc] = t.json();
    assert.equal((connect!['connect'] as { client: string }).client, client.id);
    assert.deepEqual(subscribe, { id: 2, subscribe: { recoverable: true, epoch: (subscribe!['subscribe'] as { epoch: string }).epoch, positioned: true } });
    assert.deepEqual(rpc, { id: 3, rpc: { data: { x: 1 } } });
    assert.equal(t.writes, 1, 'the three replies went out in one transport write');

    const r = await node.publish('news', enc('{"n":1}'), { history: { size: 10, ttlMs: 60_000, metaTtlMs: 0 } });
    assert.equal(r.position.offset, 1);
    await waitFor(() => t.messages.length === 4, 2000, 'publication push');
    // The publication with offset 1 carries the stream epoch (Centrifugo's stream position).
    assert.deepEqual(t.json()[3], { push: { channel: 'news', pub: { data: { n: 1 }, offset: 1, epoch: r.position.epoch } } });
    assert.deepEqual(await node.presenceStats('news'), { numClients: 1, numUsers: 1 });

    client.handleData(enc('{"id":4,"subscribe":{"channel":"other"}}'));
    await waitFor(() => t.messages.length === 5, 2000, 'error reply');
    assert.deepEqual(t.json()[4], { id: 4, error: { code: 102, message: 'unknown channel' } });

    await node.shutdown();
    assert.deepEqual(t.closed, { code: 3001, reason: '{"reason":"shutdown","reconnect":true}' });
    assert.equal(node.hub.numClients, 0);
    assert.equal(node.timers.size, 0);
  });

  it('rejects a connect the application refuses (error reply, connection unusable)', async () => {
    const node = new Node({
      name: 'embedded',
      version: 'test',
      broker: new MemoryBroker({ sweepIntervalMs: 0 }),
      presenceManager: new MemoryPresenceManager({ sweepIntervalMs: 0 }),
      handler,
      channels: { resolve: () => HISTORY },
      disconnectCodes: 'ranged',
    });
    await node.run();
    const t = new FakeTransport();
    const client = node.newClient(t);
    client.handleData(enc('{"id":1,"connect":{}}'));
    await waitFor(() => t.messages.length === 1, 2000, 'error reply');
    assert.deepEqual(t.json()[0], { id: 1, error: { code: 101, message: 'unauthorized' } });
    client.handleData(enc('{"id":2,"connect":{"data":{"user":"x"}}}'));
    assert.deepEqual(t.closed, { code: 3501, reason: 'bad request' });
    await node.shutdown();
  });
});
