/** @module transports/limits.test — the connection count limit and the token-bucket rate limit. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../core/clock.js';
import type { LogFields, Logger } from '../core/logger.js';
import { EventEmitter } from 'node:events';
import { ConnectionLimiter, type ConnectionSlots, SharedConnectionLimiter, whenAdmitted } from './limits.js';

function recordingLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const noop = (): void => undefined;
  const logger: Logger = { enabled: () => true, trace: noop, debug: noop, info: noop, error: noop, warn: (m: string, _f?: LogFields) => warnings.push(m) };
  return { logger, warnings };
}

void describe('ConnectionLimiter', () => {
  void it('is disabled with both limits at 0', () => {
    const { logger } = recordingLogger();
    const l = new ConnectionLimiter(0, 0, () => 1_000_000, logger);
    assert.equal(l.enabled, false);
    assert.equal(l.allow(), true);
  });

  void it('refuses while the node holds `limit` connections and counts refusals', () => {
    const { logger, warnings } = recordingLogger();
    let count = 0;
    let refused = 0;
    const clock = new ManualClock();
    const l = new ConnectionLimiter(2, 0, () => count, logger, { clock, onRefused: () => refused++ });
    assert.equal(l.allow(), true);
    count = 2;
    assert.equal(l.allow(), false);
    assert.equal(l.allow(), false);
    assert.equal(refused, 2);
    assert.deepEqual(warnings, ['node connection limit reached'], 'the warning is throttled');
    clock.advance(3000);
    assert.equal(l.allow(), false);
    assert.equal(warnings.length, 2, 'warned again after 3 s');
    count = 1;
    assert.equal(l.allow(), true);
  });

  void it('rate: a burst of `rate`, then one per 1/rate s, never more than `rate` saved up', () => {
    const { logger } = recordingLogger();
    const clock = new ManualClock();
    const l = new ConnectionLimiter(0, 4, () => 0, logger, { clock });
    for (let i = 0; i < 4; i++) assert.equal(l.allow(), true, `burst ${i}`);
    assert.equal(l.allow(), false);
    clock.advance(200); // 0.8 token
    assert.equal(l.allow(), false);
    clock.advance(50); // 0.8 + 0.2 = 1 token
    assert.equal(l.allow(), true);
    assert.equal(l.allow(), false);
    clock.advance(60_000); // a long quiet time refills to `rate`, not more
    for (let i = 0; i < 4; i++) assert.equal(l.allow(), true, `second burst ${i}`);
    assert.equal(l.allow(), false);
  });

  void it('a connection refused by the count does not use a rate token', () => {
    const { logger } = recordingLogger();
    let count = 5;
    const l = new ConnectionLimiter(5, 1, () => count, logger, { clock: new ManualClock() });
    assert.equal(l.allow(), false);
    count = 0;
    assert.equal(l.allow(), true);
    assert.equal(l.allow(), false);
  });
});

/** Slots whose answers the test gives by hand; counts what was held and released. */
class ManualSlots implements ConnectionSlots {
  readonly asked: ((v: 'ok' | 'limit' | 'rate') => void)[] = [];
  fail: ((err: Error) => void)[] = [];
  released = 0;
  admit(): Promise<'ok' | 'limit' | 'rate'> {
    return new Promise((resolve, reject) => {
      this.asked.push(resolve);
      this.fail.push(reject);
    });
  }
  release(): void {
    this.released++;
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

void describe('SharedConnectionLimiter and whenAdmitted (--workers)', () => {
  void it('answers with the verdict of the slots; refusals by the limit are counted and warned about', async () => {
    const { logger, warnings } = recordingLogger();
    const slots = new ManualSlots();
    let refused = 0;
    const l = new SharedConnectionLimiter(slots, 2, 1, logger, { clock: new ManualClock(), onRefused: () => refused++ });
    assert.equal(l.enabled, true);
    const answers = [l.allow(), l.allow(), l.allow()];
    slots.asked[0]!('ok');
    slots.asked[1]!('limit');
    slots.asked[2]!('rate');
    assert.deepEqual(await Promise.all(answers), [true, false, false]);
    assert.equal(l.refusedByLimit, 1);
    assert.equal(refused, 1);
    assert.deepEqual(warnings, ['node connection limit reached'], 'one warning per 3 s for both limits');
  });

  void it('an admitted connection holds its slot until it ends; one that ended while waiting gives it back at once', async () => {
    const { logger } = recordingLogger();
    const slots = new ManualSlots();
    const l = new SharedConnectionLimiter(slots, 1, 0, logger);
    const events: string[] = [];
    const run = (name: string, socket: EventEmitter): void =>
      whenAdmitted(l.allow(), l, (gone) => socket.once('close', gone), () => events.push(`${name} admitted`), () => events.push(`${name} refused`));

    const live = new EventEmitter();
    run('live', live);
    slots.asked[0]!('ok');
    await tick();
    assert.deepEqual(events, ['live admitted']);
    assert.equal(slots.released, 0, 'held while open');
    live.emit('close');
    live.emit('close');
    assert.equal(slots.released, 1, 'released once when it closes');

    const early = new EventEmitter();
    run('early', early);
    early.emit('close'); // the peer went away before the primary answered
    slots.asked[1]!('ok');
    await tick();
    assert.deepEqual(events, ['live admitted'], 'not admitted after it ended');
    assert.equal(slots.released, 2, 'its slot went back at once');

    const refused = new EventEmitter();
    run('refused', refused);
    slots.asked[2]!('limit');
    await tick();
    refused.emit('close');
    assert.deepEqual(events, ['live admitted', 'refused refused']);
    assert.equal(slots.released, 2, 'a refused connection held nothing');

    const orphan = new EventEmitter();
    run('orphan', orphan);
    slots.fail[3]!(new Error('the primary is gone'));
    await tick();
    assert.deepEqual(events.at(-1), 'orphan refused', 'a failed ask is a refusal (503), not a hang');
  });
});
