/** @module engines/memory/presence.test — MemoryPresenceManager behaviour beyond the shared contract. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { EngineError } from '../../core/errors.js';
import { waitFor } from '../../../test/harness/wait.js';
import { MemoryPresenceManager } from './presence.js';

const info = (clientId: string, userId = 'u'): { clientId: string; userId: string } => ({ clientId, userId });

void describe('MemoryPresenceManager', () => {
  void it('expires entries exactly ttlMs (default 60 s) after the last add', async () => {
    const clock = new ManualClock();
    const pm = new MemoryPresenceManager({ clock, sweepIntervalMs: 0 });
    await pm.addPresence('ch', info('c1'));
    clock.advance(59_999);
    assert.equal((await pm.presence('ch')).size, 1);
    clock.advance(1);
    assert.equal((await pm.presence('ch')).size, 0);
    assert.equal(pm.channelCount, 0, 'the emptied channel is forgotten');
    await pm.close();
  });

  void it('ttlMs 0 never expires', async () => {
    const clock = new ManualClock();
    const pm = new MemoryPresenceManager({ clock, ttlMs: 0 });
    await pm.addPresence('ch', info('c1'));
    clock.advance(10 * 365 * 24 * 3600_000);
    pm.sweep();
    assert.deepEqual(await pm.presenceStats('ch'), { numClients: 1, numUsers: 1 });
    await pm.close();
  });

  void it('forgets channels when their last client is removed', async () => {
    const pm = new MemoryPresenceManager({ clock: new ManualClock() });
    await pm.addPresence('a', info('c1'));
    await pm.addPresence('a', info('c2'));
    await pm.addPresence('b', info('c1'));
    assert.equal(pm.channelCount, 2);
    await pm.removePresence('a', 'c1', 'u');
    assert.equal(pm.channelCount, 2);
    await pm.removePresence('a', 'c2', 'u');
    await pm.removePresence('b', 'c1', 'u');
    assert.equal(pm.channelCount, 0);
    await pm.close();
  });

  void it('sweep reclaims expired entries of channels nobody reads', async () => {
    const clock = new ManualClock();
    const pm = new MemoryPresenceManager({ clock, ttlMs: 1000, sweepIntervalMs: 0 });
    await pm.addPresence('a', info('c1'));
    await pm.addPresence('b', info('c2'));
    clock.advance(500);
    await pm.addPresence('b', info('c2'));
    clock.advance(500);
    pm.sweep();
    assert.equal(pm.channelCount, 1);
    clock.advance(500);
    pm.sweep();
    assert.equal(pm.channelCount, 0);
    await pm.close();
  });

  void it('runs the sweep on its own timer until closed', async () => {
    const clock = new ManualClock();
    const pm = new MemoryPresenceManager({ clock, ttlMs: 1000, sweepIntervalMs: 5 });
    await pm.addPresence('a', info('c1'));
    clock.advance(1000);
    await waitFor(() => pm.channelCount === 0, 2000, 'timer sweep');
    await pm.close();
  });

  void it('after close: reads and adds reject with EngineError, remove and close resolve', async () => {
    const pm = new MemoryPresenceManager({ clock: new ManualClock() });
    await pm.addPresence('a', info('c1'));
    await pm.close();
    await pm.close();
    await pm.removePresence('a', 'c1', 'u');
    const isEngineError = (err: unknown): boolean => err instanceof EngineError;
    await assert.rejects(pm.presence('a'), isEngineError);
    await assert.rejects(pm.presenceStats('a'), isEngineError);
    await assert.rejects(pm.addPresence('a', info('c2')), isEngineError);
    assert.equal(pm.channelCount, 0);
  });
});
