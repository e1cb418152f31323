import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff, sleep, Waker } from './backoff.js';

describe('consumer backoff', () => {
  it('grows from min to max with 50–100 % jitter, and starts over after reset', () => {
    const b = new Backoff(50, 400);
    const delays = Array.from({ length: 6 }, () => b.next());
    const bases = [50, 100, 200, 400, 400, 400];
    delays.forEach((d, i) => {
      const base = bases[i] as number;
      assert.ok(d >= base / 2 && d <= base, `step ${i}: ${d} within [${base / 2}, ${base}]`);
    });
    b.reset();
    assert.ok(b.next() <= 50);
  });

  it('sleep ends at once when aborted', async () => {
    const ac = new AbortController();
    const done = sleep(60_000, ac.signal);
    ac.abort();
    await done;
    await sleep(60_000, ac.signal); // already aborted: returns at once
  });
});

describe('consumer waker', () => {
  it('a wake while nobody waits makes the next wait return at once, once', async () => {
    const w = new Waker();
    const ac = new AbortController();
    w.wake();
    await w.wait(60_000, ac.signal);
    let second = false;
    const p = w.wait(60_000, ac.signal).then(() => {
      second = true;
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(second, false, 'the pending wake was used up');
    w.wake();
    await p;
    assert.equal(second, true);
  });

  it('a wait ends on abort', async () => {
    const w = new Waker();
    const ac = new AbortController();
    const p = w.wait(60_000, ac.signal);
    ac.abort();
    await p;
  });
});
