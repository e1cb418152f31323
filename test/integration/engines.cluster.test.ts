/**
 * @module test/integration/engines.cluster — the engine contracts against the cluster engine of
 * `rotor serve --workers N`: the worker-side Broker / PresenceManager / Controller talking to the
 * primary's engine over a real structured-clone channel (a `MessageChannel`, the same cloning Node's
 * `advanced` IPC serialization uses), plus what only a shared engine must do: route by interest and
 * forget a worker that died.
 */
import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import type { BrokerEventHandler } from '../../src/core/broker.js';
import { ManualClock } from '../../src/core/clock.js';
import { decodeControl } from '../../src/core/control.js';
import type { ClientInfo, Publication } from '../../src/core/types.js';
import {
  ClusterClient,
  IpcBroker,
  IpcController,
  IpcPresenceManager,
  messagePortPort,
  PrimaryEngine,
  type PrimaryMessage,
  type WorkerMessage,
} from '../../src/engines/cluster/index.js';
import { runBrokerContract } from '../contract/broker.contract.js';
import { runControllerContract } from '../contract/controller.contract.js';
import { runPresenceContract } from '../contract/presence.contract.js';
import { waitFor } from '../harness/wait.js';

/** A primary engine with `n` attached worker clients, each over its own MessageChannel. */
function cluster(n: number, clock?: ManualClock, presenceTtlMs?: number) {
  const primary = new PrimaryEngine({ clock, presenceTtlMs });
  const workers = Array.from({ length: n }, () => {
    const { port1, port2 } = new MessageChannel();
    const handle = primary.attach(messagePortPort<WorkerMessage, PrimaryMessage>(port1));
    const client = new ClusterClient(messagePortPort<PrimaryMessage, WorkerMessage>(port2));
    return { handle, client };
  });
  const close = async (): Promise<void> => {
    for (const w of workers) w.client.close();
    await primary.close();
  };
  return { primary, workers, close };
}

runBrokerContract(
  'cluster (worker over IPC to the primary)',
  async () => {
    const clock = new ManualClock();
    const c = cluster(1, clock);
    const broker = new IpcBroker(c.workers[0]!.client);
    return { broker, clock, close: c.close };
  },
  { history: true, ttlWithFakeClock: true },
);

runPresenceContract(
  'cluster (worker over IPC to the primary)',
  async () => {
    const clock = new ManualClock();
    const ttlMs = 60_000;
    const c = cluster(1, clock, ttlMs);
    const presence = new IpcPresenceManager(c.workers[0]!.client);
    return { presence, ttlMs, advance: async (ms: number) => void clock.advance(ms), close: c.close };
  },
  { ttl: true },
);

runControllerContract('cluster (two workers relayed by the primary)', async () => {
  const c = cluster(2);
  return { a: new IpcController(c.workers[0]!.client), b: new IpcController(c.workers[1]!.client), close: c.close };
});

class Recorder implements BrokerEventHandler {
  readonly pubs: { channel: string; publication: Publication }[] = [];
  readonly joins: string[] = [];
  onPublication(channel: string, publication: Publication): void {
    this.pubs.push({ channel, publication });
  }
  onJoin(_channel: string, info: ClientInfo): void {
    this.joins.push(info.clientId);
  }
  onLeave(): void {}
}

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

void describe('cluster engine: routing and dead workers', () => {
  const toClose: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of toClose) await c();
  });

  void it('a publication crosses to the workers with interest in the channel, once each, and not to the others', async () => {
    const c = cluster(3);
    toClose.push(c.close);
    const brokers = c.workers.map((w) => new IpcBroker(w.client));
    const recs = brokers.map(() => new Recorder());
    await Promise.all(brokers.map((b, i) => b.start(recs[i]!)));
    await brokers[0]!.subscribe('a');
    await brokers[1]!.subscribe('a');
    await brokers[2]!.subscribe('marker');
    const r = await brokers[2]!.publish('a', bytes('x'), { history: { size: 10, ttlMs: 60_000, metaTtlMs: 0 } });
    assert.equal(r.position.offset, 1);
    await brokers[2]!.publish('marker', bytes('m'), {});
    await waitFor(() => recs[2]!.pubs.length === 1 && recs[0]!.pubs.length === 1 && recs[1]!.pubs.length === 1, 5000, 'deliveries');
    assert.deepEqual(recs[2]!.pubs.map((p) => p.channel), ['marker']);
    assert.equal(text(recs[0]!.pubs[0]!.publication.data), 'x');
    assert.equal(recs[1]!.pubs[0]!.publication.offset, 1);
    // History written through one worker is read through another.
    const h = await brokers[1]!.history('a', { limit: -1, reverse: false, metaTtlMs: 0 });
    assert.deepEqual(h.publications.map((p) => text(p.data)), ['x']);
    assert.equal(h.position.epoch, r.position.epoch);
  });

  void it('a detached (dead) worker loses its interest, its presence entries, and its node is announced gone', async () => {
    const c = cluster(2);
    toClose.push(c.close);
    const [w0, w1] = c.workers;
    const ctl0 = new IpcController(w0!.client);
    const ctl1 = new IpcController(w1!.client);
    const got: Uint8Array[] = [];
    await ctl0.start('node-0', (d) => got.push(d));
    await ctl1.start('node-1', () => undefined);
    const p1 = new IpcPresenceManager(w1!.client);
    const p0 = new IpcPresenceManager(w0!.client);
    await p1.addPresence('room', { clientId: 'c1', userId: 'u1' });
    await p0.addPresence('room', { clientId: 'c0', userId: 'u0' });
    assert.equal((await p0.presenceStats('room')).numClients, 2);
    c.primary.detach(w1!.handle);
    assert.deepEqual([...(await p0.presence('room')).keys()], ['c0']);
    await waitFor(() => got.length === 1, 5000, 'shutdown control for the dead node');
    const msg = decodeControl(got[0]!);
    assert.equal(msg?.t, 'shutdown');
    assert.equal(msg?.from, 'node-1');
  });
});
