import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlushScheduler } from './flush-scheduler.js';

/** A connection as the client implements it: a queue, a dirty flag, one write per flush. */
class Conn {
  queue: string[] = [];
  writes: string[][] = [];
  dirty = false;
  constructor(readonly s: FlushScheduler) {}
  send(m: string): void {
    this.queue.push(m);
    if (!this.dirty) {
      this.dirty = true;
      this.s.mark(this);
    }
  }
  flush(): void {
    this.dirty = false;
    if (this.queue.length > 0) this.writes.push(this.queue.splice(0));
  }
}

/** Manual scheduling: `turn()` runs what was scheduled, like one check phase. */
function manual(): { schedule: (f: () => void) => void; turn: () => number } {
  let queued: (() => void)[] = [];
  return {
    schedule: (f) => queued.push(f),
    turn: () => {
      const run = queued;
      queued = [];
      for (const f of run) f();
      return run.length;
    },
  };
}

describe('FlushScheduler', () => {
  it('writes everything marked in one turn once per connection, with one scheduled run', () => {
    const m = manual();
    const s = new FlushScheduler(64, m.schedule);
    const conns = Array.from({ length: 10 }, () => new Conn(s));
    for (const c of conns) c.send('a');
    for (const c of conns) c.send('b');
    assert.equal(s.pending, 10);
    assert.equal(m.turn(), 1);
    for (const c of conns) assert.deepEqual(c.writes, [['a', 'b']]);
    assert.equal(s.pending, 0);
    assert.equal(m.turn(), 0, 'nothing left scheduled');
  });

  it('flushes a large batch in slices and lets a later message join the connections not yet written', () => {
    const m = manual();
    const s = new FlushScheduler(4, m.schedule);
    const conns = Array.from({ length: 10 }, () => new Conn(s));
    for (const c of conns) c.send('p1');
    m.turn(); // first slice: connections 0..3
    assert.deepEqual(
      conns.map((c) => c.writes.length),
      [1, 1, 1, 1, 0, 0, 0, 0, 0, 0],
    );
    for (const c of conns) c.send('p2'); // a second publication arrives between slices
    m.turn(); // 4..7
    m.turn(); // 8..9
    assert.deepEqual(conns[5]!.writes, [['p1', 'p2']], 'not yet flushed: both in one write');
    assert.deepEqual(conns[9]!.writes, [['p1', 'p2']]);
    assert.deepEqual(conns[0]!.writes, [['p1']], 'already flushed: p2 waits for the next batch');
    m.turn(); // next batch: 0..3
    assert.deepEqual(conns[0]!.writes, [['p1'], ['p2']]);
    assert.deepEqual(conns[3]!.writes, [['p1'], ['p2']]);
    assert.equal(s.pending, 0);
    assert.equal(m.turn(), 0);
    const total = conns.reduce((n, c) => n + c.writes.flat().length, 0);
    assert.equal(total, 20, 'every message written exactly once');
  });
});
