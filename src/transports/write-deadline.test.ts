/** @module transports/write-deadline.test — the write-timeout watch on a manual clock with a scripted socket. */
import { strict as assert } from 'node:assert';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { WriteDeadlines, type WriteWatched } from './write-deadline.js';

/** A socket stand-in: `pending` bytes not yet written, `done` bytes whose writes completed. */
function conn(): WriteWatched & { pending: number; done: number; timeouts: number } {
  const c = {
    pending: 0,
    done: 0,
    timeouts: 0,
    destroyed: false,
    get watchedSocket(): Socket {
      return { writableLength: c.pending, bytesWritten: c.done + c.pending, destroyed: c.destroyed } as unknown as Socket;
    },
    onWriteTimeout(): void {
      c.timeouts++;
    },
  };
  return c;
}

void describe('write deadlines', () => {
  void it('ignores drained writes, cuts a connection whose output makes no progress for the timeout', () => {
    let now = 1000;
    const d = new WriteDeadlines(500, () => now);
    const idle = conn();
    d.afterWrite(idle);
    assert.equal(d.size, 0, 'nothing pending: not watched');

    const stuck = conn();
    stuck.pending = 100;
    d.afterWrite(stuck);
    d.afterWrite(stuck);
    assert.equal(d.size, 1);
    now += 499;
    d.check();
    assert.equal(stuck.timeouts, 0);
    now += 1;
    d.check();
    assert.equal(stuck.timeouts, 1);
    assert.equal(d.size, 0, 'reported once, then forgotten');
    d.close();
  });

  void it('a completed write moves the deadline; drained output ends the watch', () => {
    let now = 0;
    const d = new WriteDeadlines(500, () => now);
    const slow = conn();
    slow.pending = 1000;
    d.afterWrite(slow);
    for (let i = 0; i < 5; i++) {
      now += 400;
      slow.done += 100;
      slow.pending -= 100;
      d.check();
    }
    assert.equal(slow.timeouts, 0, 'slow but moving');
    slow.pending = 0;
    d.check();
    assert.equal(d.size, 0);
    assert.equal(slow.timeouts, 0);
    d.close();
  });

  void it('is off with a non-positive timeout', () => {
    const d = new WriteDeadlines(0);
    const c = conn();
    c.pending = 10;
    d.afterWrite(c);
    assert.equal(d.size, 0);
  });
});
