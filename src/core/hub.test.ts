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

describe('Hub channel subscribers', () => {
  const subscriber = (): Client & { got: number[]; joins: boolean[] } => {
    const c = {
      id: `s${++seq}`,
      userId: 'u',
      sessionId: '',
      got: [] as number[],
      joins: [] as boolean[],
      deliverPublication(p: { position: { offset: number } }) {
        c.got.push(p.position.offset);
      },
      deliverJoinLeave(_ch: string, _info: unknown, join: boolean) {
        c.joins.push(join);
      },
    };
    return c as unknown as Client & { got: number[]; joins: boolean[] };
  };
  const pub = { offset: 0, data: new Uint8Array([123, 125]) };
  const info = { clientId: 'x', userId: 'u' };

  it('counts first/last subscribers and delivers to one and to many', () => {
    const hub = new Hub();
    const a = subscriber();
    const b = subscriber();
    assert.equal(hub.addSub('ch', a), true, 'first subscriber');
    assert.equal(hub.addSub('ch', a), false);
    assert.equal(hub.numSubs, 1);
    assert.equal(hub.broadcastPublication('ch', pub, { offset: 1, epoch: 'e' }), 1);
    hub.broadcastJoin('ch', info);
    assert.equal(hub.addSub('ch', b), false);
    assert.equal(hub.numSubs, 2);
    assert.deepEqual([...hub.channels()], [['ch', 2]]);
    assert.equal(hub.broadcastPublication('ch', pub, { offset: 2, epoch: 'e' }), 2);
    hub.broadcastLeave('ch', info);
    assert.deepEqual(a.got, [1, 2]);
    assert.deepEqual(b.got, [2]);
    assert.deepEqual(a.joins, [true, false]);
    assert.deepEqual(b.joins, [false]);
    assert.equal(hub.removeSub('ch', a), false);
    assert.equal(hub.removeSub('ch', a), false, 'not subscribed any more');
    assert.equal(hub.removeSub('ch', b), true, 'last subscriber gone');
    assert.equal(hub.hasSubscribers('ch'), false);
    assert.equal(hub.numSubs, 0);
    assert.equal(hub.broadcastPublication('ch', pub, { offset: 3, epoch: 'e' }), 0);
  });

  it('a single subscriber is removed only by itself', () => {
    const hub = new Hub();
    const a = subscriber();
    const other = subscriber();
    hub.addSub('personal', a);
    assert.equal(hub.removeSub('personal', other), false);
    assert.equal(hub.removeSub('nothing', a), false);
    assert.equal(hub.hasSubscribers('personal'), true);
    assert.equal(hub.removeSub('personal', a), true);
    assert.equal(hub.numChannels, 0);
  });
});
