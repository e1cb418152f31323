/** @module engines/cluster/connection-ledger.test — the primary's accounting of the workers' connection slots. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { ManualClock } from '../../core/clock.js';
import { ConnectionLedger } from './connection-ledger.js';
import { LimitsClient, LimitsPrimary, type LimitsAnswer, type LimitsHandle, type LimitsRequest } from './limits-link.js';
import { messagePortPort } from './ports.js';

function ledger(limits: { connectionLimit?: number; ratePerSec?: number; userConnectionLimit?: number }, clock = new ManualClock()): ConnectionLedger {
  return new ConnectionLedger({ connectionLimit: 0, ratePerSec: 0, userConnectionLimit: 0, clock, ...limits });
}

void describe('ConnectionLedger', () => {
  void it('the connection limit counts every worker: the (L+1)th is refused whichever worker asks, a release frees a slot for any', () => {
    const l = ledger({ connectionLimit: 3 });
    const a = l.addWorker();
    const b = l.addWorker();
    assert.deepEqual([l.admit(a), l.admit(b), l.admit(a)], ['ok', 'ok', 'ok']);
    assert.equal(l.connections, 3);
    assert.equal(l.admit(b), 'limit');
    assert.equal(l.admit(a), 'limit');
    assert.equal(l.release(a), true);
    assert.equal(l.admit(b), 'ok', "a's closed connection frees a slot for b");
    assert.deepEqual([a.connections, b.connections], [1, 2]);
    assert.equal(l.admit(a), 'limit');
  });

  void it('the rate limit is one bucket for the group; a refusal by the limit takes no token', () => {
    const clock = new ManualClock();
    const l = ledger({ connectionLimit: 2, ratePerSec: 2 }, clock);
    const a = l.addWorker();
    const b = l.addWorker();
    assert.equal(l.admit(a), 'ok');
    assert.equal(l.admit(b), 'ok');
    assert.equal(l.admit(a), 'limit', 'the limit is checked first');
    l.release(a);
    l.release(b);
    assert.equal(l.admit(b), 'rate', 'two tokens taken by the two workers together');
    clock.advance(500);
    assert.equal(l.admit(a), 'ok', 'one token back after 1/rate s');
    assert.equal(l.admit(b), 'rate');
  });

  void it('the user limit counts the user across workers; other users are not affected', () => {
    const l = ledger({ userConnectionLimit: 2 });
    const a = l.addWorker();
    const b = l.addWorker();
    assert.equal(l.reserveUser(a, 'u'), true);
    assert.equal(l.reserveUser(b, 'u'), true);
    assert.equal(l.reserveUser(a, 'u'), false);
    assert.equal(l.reserveUser(b, 'u'), false);
    assert.equal(l.reserveUser(b, 'v'), true);
    assert.equal(l.userConnections('u'), 2);
    assert.equal(l.releaseUser(b, 'u'), true);
    assert.equal(l.reserveUser(a, 'u'), true);
    assert.deepEqual([...a.users], [['u', 2]]);
    assert.deepEqual([...b.users], [['v', 1]]);
  });

  void it('a worker that dies: all its slots are free at once, and nothing it sends later counts', () => {
    const l = ledger({ connectionLimit: 4, userConnectionLimit: 3 });
    const a = l.addWorker();
    const b = l.addWorker();
    for (const w of [a, a, a, b]) assert.equal(l.admit(w), 'ok');
    for (const w of [a, a, b]) assert.equal(l.reserveUser(w, 'u'), true);
    assert.equal(l.admit(b), 'limit');
    l.dropWorker(a);
    assert.equal(l.connections, 1);
    assert.equal(l.userConnections('u'), 1);
    l.dropWorker(a); // idempotent: exit after disconnect
    assert.equal(l.connections, 1);
    // Late messages of the dead worker change nothing.
    assert.equal(l.release(a), false);
    assert.equal(l.releaseUser(a, 'u'), false);
    assert.equal(l.admit(a), 'limit');
    assert.equal(l.reserveUser(a, 'u'), false);
    assert.equal(l.connections, 1);
    // Its restart is a new worker, starting from nothing.
    const a2 = l.addWorker();
    for (const _ of [1, 2, 3]) assert.equal(l.admit(a2), 'ok');
    assert.equal(l.admit(b), 'limit');
    assert.equal(l.reserveUser(a2, 'u'), true);
    assert.equal(l.reserveUser(a2, 'u'), true);
    assert.equal(l.reserveUser(b, 'u'), false);
  });

  void it('a release without a reservation changes nothing: counts never go below zero, other workers keep their slots', () => {
    const l = ledger({ connectionLimit: 2, userConnectionLimit: 1 });
    const a = l.addWorker();
    const b = l.addWorker();
    assert.equal(l.admit(b), 'ok');
    assert.equal(l.reserveUser(b, 'u'), true);
    assert.equal(l.release(a), false);
    assert.equal(l.releaseUser(a, 'u'), false);
    assert.equal(l.releaseUser(b, 'other'), false);
    assert.equal(l.connections, 1);
    assert.equal(l.userConnections('u'), 1);
    assert.equal(l.reserveUser(a, 'u'), false, "b's slot of u is still held");
    assert.equal(l.admit(a), 'ok');
    assert.equal(l.admit(a), 'limit');
  });
});

void describe('limits link (structured-clone channel)', () => {
  /** A primary and `n` worker clients over real MessageChannels. */
  function group(n: number, limits: Parameters<typeof ledger>[0]): { primary: LimitsPrimary; clients: LimitsClient[]; close(): void } {
    const primary = new LimitsPrimary(ledger(limits));
    const clients: LimitsClient[] = [];
    const handles: LimitsHandle[] = [];
    for (let i = 0; i < n; i++) {
      const ch = new MessageChannel();
      handles.push(primary.attach(messagePortPort<LimitsRequest, LimitsAnswer>(ch.port1)));
      clients.push(new LimitsClient(messagePortPort<LimitsAnswer, LimitsRequest>(ch.port2)));
    }
    return {
      primary,
      clients,
      close: () => {
        for (const c of clients) c.close();
        for (const h of handles) primary.detach(h);
      },
    };
  }

  void it('admissions and releases from two workers reach one count; answers come back to the asker', async () => {
    const g = group(2, { connectionLimit: 3, userConnectionLimit: 1 });
    try {
      const [a, b] = g.clients as [LimitsClient, LimitsClient];
      // Concurrent asks from both workers in one turn: exactly three are admitted.
      const verdicts = await Promise.all([a.admit(), b.admit(), a.admit(), b.admit(), a.admit()]);
      assert.equal(verdicts.filter((v) => v === 'ok').length, 3);
      assert.equal(verdicts.filter((v) => v === 'limit').length, 2);
      assert.equal(g.primary.ledger.connections, 3);
      const [holder, other] = [0, 2, 4].some((i) => verdicts[i] === 'ok') ? [a, b] : [b, a];
      holder.release();
      assert.equal(await holder.admit(), 'ok', 'the release travelled before the next admission on the same link');
      assert.equal(await other.admit(), 'limit');
      holder.release();
      await holder.reserveUser('sync'); // a round trip on the holder's link: its release has arrived
      holder.releaseUser('sync');
      assert.equal(await other.admit(), 'ok', "the holder's release frees a slot for the other worker");
      assert.deepEqual(await Promise.all([a.reserveUser('u'), b.reserveUser('u')]), [true, false]);
      a.releaseUser('u');
      assert.equal(await b.reserveUser('u'), true);
    } finally {
      g.close();
    }
  });

  void it('a detached worker frees its slots; a closed client fails its requests instead of waiting', async () => {
    const primary = new LimitsPrimary(ledger({ connectionLimit: 1 }));
    const ch1 = new MessageChannel();
    const ch2 = new MessageChannel();
    const h1 = primary.attach(messagePortPort<LimitsRequest, LimitsAnswer>(ch1.port1));
    const h2 = primary.attach(messagePortPort<LimitsRequest, LimitsAnswer>(ch2.port1));
    const a = new LimitsClient(messagePortPort<LimitsAnswer, LimitsRequest>(ch1.port2));
    const b = new LimitsClient(messagePortPort<LimitsAnswer, LimitsRequest>(ch2.port2));
    try {
      assert.equal(await a.admit(), 'ok');
      assert.equal(await b.admit(), 'limit');
      primary.detach(h1); // worker a crashed
      assert.equal(await b.admit(), 'ok');
      b.close();
      await assert.rejects(b.admit(), /primary is gone/);
      await assert.rejects(b.reserveUser('u'), /primary is gone/);
      b.release(); // nothing to send, no throw
      assert.equal(primary.ledger.connections, 1);
    } finally {
      a.close();
      b.close();
      primary.detach(h2);
    }
  });
});
