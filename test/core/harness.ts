/**
 * @module test/core/harness — an in-process Node on a manual clock with the memory engine and a
 * scriptable ClientHandler, for core tests that need no sockets and no wall-clock waiting.
 *
 * Time only moves when a test calls `advance(ms)`, which moves the clock and fires the node's timer
 * wheel; everything else (command processing, flushes) runs on the event loop and is awaited with
 * `waitFor` on a condition.
 */
import { ManualClock } from '../../src/core/clock.js';
import { DEFAULT_CHANNEL_OPTIONS, type ChannelOptions } from '../../src/core/channel-options.js';
import type { ClientConfig } from '../../src/core/client/client.js';
import type { Client } from '../../src/core/client/client.js';
import { ClientError, ClientErrors } from '../../src/core/errors.js';
import { type ClientHandler, type ConnectDecision, SubscriptionSource, type SubscribeOptions } from '../../src/core/handler.js';
import { Node } from '../../src/core/node.js';
import { MemoryBroker } from '../../src/engines/memory/broker.js';
import { MemoryPresenceManager } from '../../src/engines/memory/presence.js';
import { FakeTransport } from '../harness/fake-transport.js';
import { waitFor } from '../harness/wait.js';

const HISTORY: ChannelOptions = {
  ...DEFAULT_CHANNEL_OPTIONS,
  historySize: 100,
  historyTtlMs: 300_000,
  presence: true,
  forceRecovery: true,
};

const decoder = new TextDecoder();
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** What the scripted handler decides; tests change it between steps. */
export interface Script {
  /** Connect expiry (unix seconds) handed to new connections; 0 = never. */
  expireAtSec: number;
  /** Expiry of the next refresh; undefined = refresh not available. */
  refreshExpireAtSec: number | undefined;
  /** Subscription expiry (unix seconds) of new subscriptions; 0 = never. */
  subExpireAtSec: number;
  /** Expiry of the next sub_refresh. */
  subRefreshExpireAtSec: number | undefined;
}

/** A handler whose users authenticate with `data: {"user": "..."}`; every channel has history. */
function scriptedHandler(script: Script): ClientHandler {
  const options = (): SubscribeOptions => ({
    channelOptions: HISTORY,
    emitPresence: true,
    emitJoinLeave: false,
    pushJoinLeave: false,
    enablePositioning: true,
    enableRecovery: true,
    expireAtSec: script.subExpireAtSec,
    source: SubscriptionSource.ClientAllowed,
  });
  return {
    async connect(_ctx, req): Promise<ConnectDecision> {
      const user = req.data ? (JSON.parse(decoder.decode(req.data)) as { user?: string }).user : undefined;
      if (user === undefined) throw new ClientError(ClientErrors.Unauthorized);
      return { credentials: { userId: user, expireAtSec: script.expireAtSec }, subscriptions: new Map() };
    },
    async subscribe() {
      return options();
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
    async rpc(_c, _m, data) {
      return data;
    },
    async refresh() {
      if (script.refreshExpireAtSec === undefined) throw new ClientError(ClientErrors.NotAvailable);
      return { expireAtSec: script.refreshExpireAtSec };
    },
    async subRefresh() {
      if (script.subRefreshExpireAtSec === undefined) throw new ClientError(ClientErrors.NotAvailable);
      return { expireAtSec: script.subRefreshExpireAtSec };
    },
    serverSubscribe() {
      return HISTORY;
    },
  };
}

/** One in-process node and the connections a test opened on it. */
export class CoreHarness {
  readonly clock = new ManualClock();
  readonly script: Script = { expireAtSec: 0, refreshExpireAtSec: undefined, subExpireAtSec: 0, subRefreshExpireAtSec: undefined };
  readonly node: Node;

  constructor(client: Partial<ClientConfig> = {}, options: { disconnectCodes?: 'classic' | 'ranged' } = {}) {
    this.node = new Node({
      name: 'core-test',
      version: 'test',
      broker: new MemoryBroker({ sweepIntervalMs: 0, clock: this.clock }),
      presenceManager: new MemoryPresenceManager({ sweepIntervalMs: 0, clock: this.clock }),
      handler: scriptedHandler(this.script),
      channels: { resolve: () => HISTORY },
      clock: this.clock,
      disconnectCodes: options.disconnectCodes ?? 'classic',
      client,
    });
  }

  get nowSec(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  async start(): Promise<this> {
    await this.node.run();
    return this;
  }

  /**
   * Moves time forward, fires every deadline that passed, then lets one event-loop turn run so that
   * what the timers queued (pings, pushes) is flushed to the transports.
   */
  async advance(ms: number): Promise<void> {
    this.clock.advance(ms);
    this.node.timers.tick();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** A new connection on a fake transport (not yet connected). */
  open(options: ConstructorParameters<typeof FakeTransport>[0] = {}): { client: Client; t: FakeTransport } {
    const t = new FakeTransport(options);
    return { client: this.node.newClient(t), t };
  }

  /** Sends commands (JSON lines) and waits for `replies` more messages. */
  async send(conn: { client: Client; t: FakeTransport }, lines: string[], replies = lines.length): Promise<Record<string, unknown>[]> {
    const before = conn.t.messages.length;
    conn.client.handleData(enc(lines.join('\n')));
    await waitFor(() => conn.t.messages.length >= before + replies, 5000, `${replies} message(s) after ${lines.join(' | ')}`);
    return conn.t.json().slice(before);
  }

  /** Opens and connects a user; returns the connection. */
  async connect(user: string, options: ConstructorParameters<typeof FakeTransport>[0] = {}): Promise<{ client: Client; t: FakeTransport }> {
    const conn = this.open(options);
    const [reply] = await this.send(conn, [JSON.stringify({ id: 1, connect: { data: { user } } })]);
    if (reply?.['connect'] === undefined) throw new Error(`connect failed: ${JSON.stringify(reply)}`);
    return conn;
  }

  async shutdown(): Promise<void> {
    await this.node.shutdown();
  }
}
