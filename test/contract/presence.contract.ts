/**
 * @module test/contract/presence.contract — behaviour every PresenceManager must show (memory, Redis).
 *
 * Each test uses its own random channels. Expiry tests move time through `fixture.advance` (a fake clock
 * or a real wait) and scale with `fixture.ttlMs`.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { PresenceManager } from '../../src/core/presence.js';
import type { ClientInfo } from '../../src/core/types.js';

/** What the factory hands to each test. */
export interface PresenceFixture {
  presence: PresenceManager;
  /** Moves time forward; required when `caps.ttl`. */
  advance?: (ms: number) => Promise<void>;
  /** The manager's entry TTL. @default 60_000 */
  ttlMs?: number;
  close(): Promise<void>;
}

/** What the engine can do. */
export interface PresenceContractCaps {
  /** Entries expire when not refreshed within the TTL. */
  ttl: boolean;
}

const enc = new TextEncoder();
const bytes = (s: string): Uint8Array => enc.encode(s);
const text = (b: Uint8Array | undefined): string => (b === undefined ? '' : Buffer.from(b).toString('utf8'));
const info = (clientId: string, userId: string, chanInfo?: string): ClientInfo =>
  chanInfo === undefined ? { clientId, userId } : { clientId, userId, connInfo: bytes(`conn-${clientId}`), chanInfo: bytes(chanInfo) };
const newChannel = (): string => `presence-${randomUUID()}`;

/** clientId → userId, sorted, for compact assertions. */
async function snapshot(pm: PresenceManager, channel: string): Promise<[string, string][]> {
  const map = await pm.presence(channel);
  for (const [clientId, i] of map) assert.equal(i.clientId, clientId, 'map key must be the client id');
  return [...map].map(([clientId, i]): [string, string] => [clientId, i.userId]).sort((a, b) => a[0].localeCompare(b[0]));
}

/** Registers the PresenceManager contract suite for one engine. */
export function runPresenceContract(
  name: string,
  factory: () => Promise<PresenceFixture>,
  caps: PresenceContractCaps,
): void {
  void describe(`PresenceManager contract: ${name}`, () => {
    let f: PresenceFixture;
    let pm: PresenceManager;
    let ch: string;

    beforeEach(async () => {
      f = await factory();
      pm = f.presence;
      ch = newChannel();
    });

    afterEach(async () => {
      await f.close();
    });

    void it('an unknown channel has no presence and zero stats', async () => {
      assert.equal((await pm.presence(ch)).size, 0);
      assert.deepEqual({ ...(await pm.presenceStats(ch)) }, { numClients: 0, numUsers: 0 });
    });

    void it('addPresence makes the client info visible by client id', async () => {
      await pm.addPresence(ch, info('c1', 'u1', '{"x":1}'));
      const map = await pm.presence(ch);
      assert.equal(map.size, 1);
      const got = map.get('c1');
      assert.ok(got);
      assert.deepEqual(
        [got.clientId, got.userId, text(got.connInfo), text(got.chanInfo)],
        ['c1', 'u1', 'conn-c1', '{"x":1}'],
      );
    });

    void it('adding the same client again refreshes it without duplicating', async () => {
      await pm.addPresence(ch, info('c1', 'u1', 'old'));
      await pm.addPresence(ch, info('c1', 'u1', 'new'));
      const map = await pm.presence(ch);
      assert.equal(map.size, 1);
      assert.equal(text(map.get('c1')?.chanInfo), 'new');
      assert.deepEqual({ ...(await pm.presenceStats(ch)) }, { numClients: 1, numUsers: 1 });
    });

    void it('removePresence removes only that client', async () => {
      await pm.addPresence(ch, info('c1', 'u1'));
      await pm.addPresence(ch, info('c2', 'u1'));
      await pm.addPresence(ch, info('c3', 'u2'));
      await pm.removePresence(ch, 'c2', 'u1');
      assert.deepEqual(await snapshot(pm, ch), [
        ['c1', 'u1'],
        ['c3', 'u2'],
      ]);
      assert.deepEqual({ ...(await pm.presenceStats(ch)) }, { numClients: 2, numUsers: 2 });
      await pm.removePresence(ch, 'c1', 'u1');
      assert.deepEqual({ ...(await pm.presenceStats(ch)) }, { numClients: 1, numUsers: 1 });
    });

    void it('removing unknown clients or channels resolves', async () => {
      await pm.addPresence(ch, info('c1', 'u1'));
      await pm.removePresence(ch, 'nobody', 'u1');
      await pm.removePresence(newChannel(), 'c1', 'u1');
      assert.deepEqual(await snapshot(pm, ch), [['c1', 'u1']]);
    });

    void it('removing the last client leaves the channel empty', async () => {
      await pm.addPresence(ch, info('c1', 'u1'));
      await pm.removePresence(ch, 'c1', 'u1');
      assert.equal((await pm.presence(ch)).size, 0);
      assert.deepEqual({ ...(await pm.presenceStats(ch)) }, { numClients: 0, numUsers: 0 });
      await pm.addPresence(ch, info('c2', 'u2'));
      assert.deepEqual(await snapshot(pm, ch), [['c2', 'u2']]);
    });

    void it('stats count clients and distinct users, anonymous users once', async () => {
      await pm.addPresence(ch, info('c1', 'u1'));
      await pm.addPresence(ch, info('c2', 'u1'));
      await pm.addPresence(ch, info('c3', 'u1'));
      await pm.addPresence(ch, info('c4', ''));
      await pm.addPresence(ch, info('c5', ''));
      await pm.addPresence(ch, info('c6', 'u2'));
      assert.deepEqual({ ...(await pm.presenceStats(ch)) }, { numClients: 6, numUsers: 3 });
      assert.equal((await pm.presence(ch)).size, 6);
    });

    void it('channels are isolated', async () => {
      const other = newChannel();
      await pm.addPresence(ch, info('c1', 'u1'));
      await pm.addPresence(other, info('c2', 'u2'));
      await pm.addPresence(other, info('c1', 'u1'));
      assert.deepEqual(await snapshot(pm, ch), [['c1', 'u1']]);
      assert.deepEqual(await snapshot(pm, other), [
        ['c1', 'u1'],
        ['c2', 'u2'],
      ]);
      await pm.removePresence(other, 'c1', 'u1');
      assert.deepEqual(await snapshot(pm, ch), [['c1', 'u1']]);
      assert.deepEqual({ ...(await pm.presenceStats(other)) }, { numClients: 1, numUsers: 1 });
    });

    void it('the returned map belongs to the caller', async () => {
      await pm.addPresence(ch, info('c1', 'u1'));
      const map = await pm.presence(ch);
      map.delete('c1');
      map.set('c9', info('c9', 'u9'));
      assert.deepEqual(await snapshot(pm, ch), [['c1', 'u1']]);
    });

    void describe('expiry', { skip: !caps.ttl }, () => {
      void it('entries not refreshed within the TTL disappear; refreshed ones stay', async () => {
        assert.ok(f.advance, 'caps.ttl needs fixture.advance');
        const ttl = f.ttlMs ?? 60_000;
        await pm.addPresence(ch, info('c1', 'u1'));
        await pm.addPresence(ch, info('c2', 'u2'));
        await f.advance(ttl * 0.5);
        await pm.addPresence(ch, info('c1', 'u1'));
        assert.deepEqual({ ...(await pm.presenceStats(ch)) }, { numClients: 2, numUsers: 2 });
        await f.advance(ttl * 0.75);
        assert.deepEqual(await snapshot(pm, ch), [['c1', 'u1']]);
        assert.deepEqual({ ...(await pm.presenceStats(ch)) }, { numClients: 1, numUsers: 1 });
        await f.advance(ttl * 0.5);
        assert.equal((await pm.presence(ch)).size, 0);
        assert.deepEqual({ ...(await pm.presenceStats(ch)) }, { numClients: 0, numUsers: 0 });
      });

      void it('stats alone see expiry', async () => {
        assert.ok(f.advance, 'caps.ttl needs fixture.advance');
        const ttl = f.ttlMs ?? 60_000;
        await pm.addPresence(ch, info('c1', 'u1'));
        await f.advance(ttl * 0.5);
        await pm.addPresence(ch, info('c2', ''));
        await f.advance(ttl * 0.75);
        assert.deepEqual({ ...(await pm.presenceStats(ch)) }, { numClients: 1, numUsers: 1 });
      });
    });

    void it('close is idempotent', async () => {
      await pm.close();
      await pm.close();
    });
  });
}
