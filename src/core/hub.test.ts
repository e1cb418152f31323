import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client } from './client/client.js';
import { Hub } from './hub.js';

let seq = 0;
const client = (userId: string, sessionId = ''): Client => ({ id: `c${++seq}`, userId, sessionId }) as unknown as Client;

describe('Hub connections', () => {
  it('tracks a user with one, several, then one connection again', () => {
    const hub = new Hub();
    const a = client('u');
    const b = client('u');
    const c = client('u', 's1');
    hub.add(a);
    hub.add(a); // idempotent
    assert.equal(hub.userConnectionCount('u'), 1);
    assert.deepEqual(hub.userClients('u'), [a]);
    hub.add(b);
    hub.add(c);
    assert.equal(hub.userConnectionCount('u'), 3);
    assert.deepEqual(hub.userClients('u', c.id), [c]);
    assert.deepEqual(hub.userClients('u', undefined, 's1'), [c]);
    assert.equal(hub.bySession('s1'), c);
    hub.remove(a);
    hub.remove(c);
    assert.equal(hub.userConnectionCount('u'), 1);
    assert.deepEqual(hub.userClients('u'), [b]);
    assert.equal(hub.bySession('s1'), undefined);
    assert.equal(hub.numUsers, 1);
    hub.remove(b);
    hub.remove(b); // already gone
    assert.equal(hub.userConnectionCount('u'), 0);
    assert.deepEqual(hub.userClients('u'), []);
    assert.equal(hub.numUsers, 0);
    assert.equal(hub.numClients, 0);
  });

  it('keeps users apart, and the anonymous user counts as one user', () => {
    const hub = new Hub();
    const x = client('x');
    const anon1 = client('');
    const anon2 = client('');
    for (const c of [x, anon1, anon2]) hub.add(c);
    assert.equal(hub.numUsers, 2);
    assert.equal(hub.numClients, 3);
    assert.deepEqual(hub.userClients(''), [anon1, anon2]);
    hub.remove(anon2);
    assert.deepEqual(hub.userClients(''), [anon1]);
    assert.deepEqual(hub.userClients('x'), [x]);
  });
});
