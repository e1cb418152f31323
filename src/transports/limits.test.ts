/** @module transports/limits.test — the connection count limit and the token-bucket rate limit. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../core/clock.js';
import type { LogFields, Logger } from '../core/logger.js';
import { ConnectionLimiter } from './limits.js';

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
