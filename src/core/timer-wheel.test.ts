import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from './clock.js';
import { TimerWheel } from './timer-wheel.js';

describe('TimerWheel', () => {
  it('fires targets when their time passes, once, in time order', () => {
    const clock = new ManualClock(1_000_000);
    const wheel = new TimerWheel(clock, 100);
    const fired: string[] = [];
    const a = { onTimer: () => fired.push('a') };
    const b = { onTimer: () => fired.push('b') };
    wheel.schedule(b, clock.now() + 500);
    wheel.schedule(a, clock.now() + 200);
    clock.advance(250);
    wheel.tick();
    assert.deepEqual(fired, ['a']);
    clock.advance(300);
    wheel.tick();
    assert.deepEqual(fired, ['a', 'b']);
    wheel.tick();
    assert.deepEqual(fired, ['a', 'b']);
    assert.equal(wheel.size, 0);
    wheel.stop();
  });

  it('moves a rescheduled target and forgets a cancelled one', () => {
    const clock = new ManualClock(0);
    const wheel = new TimerWheel(clock, 100);
    let n = 0;
    const t = { onTimer: () => n++ };
    wheel.schedule(t, 150);
    wheel.schedule(t, 1000);
    clock.set(500);
    wheel.tick();
    assert.equal(n, 0);
    wheel.cancel(t);
    clock.set(2000);
    wheel.tick();
    assert.equal(n, 0);
    assert.equal(wheel.size, 0);
    wheel.stop();
  });

  it('handles a large clock jump without walking every empty bucket', () => {
    const clock = new ManualClock(0);
    const wheel = new TimerWheel(clock, 1);
    let n = 0;
    wheel.schedule({ onTimer: () => n++ }, 10);
    clock.set(10 * 24 * 3600 * 1000);
    wheel.tick(); // walking 864M empty 1 ms buckets would hang here
    assert.equal(n, 1);
    wheel.stop();
  });
});
