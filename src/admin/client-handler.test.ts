import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChannelOptions } from '../core/channel-options.js';
import { DisconnectError, Disconnects } from '../core/disconnect.js';
import type { ClientHandler, ClientView, ConnectionContext } from '../core/handler.js';
import { AdminClientHandler } from './client-handler.js';
import { AdminTokens, CONNECTION_TOKEN_TTL_SEC } from './token.js';

const OPTIONS = { presence: true } as unknown as ChannelOptions;

/** The wrapped policy: records what reached it and refuses subscribes. */
function innerPolicy(calls: string[]): ClientHandler {
  const no = (what: string) => async (): Promise<never> => {
    calls.push(what);
    throw new Error(`inner ${what}`);
  };
  return {
    connect: no('connect'),
    subscribe: no('subscribe'),
    publish: no('publish'),
    presence: no('presence'),
    history: no('history'),
    rpc: no('rpc'),
    refresh: no('refresh'),
    subRefresh: no('subRefresh'),
    serverSubscribe: () => OPTIONS,
  };
}

const ctx = (clientId: string): ConnectionContext => ({ clientId, transport: 'websocket', protocol: 'json', unidirectional: false });
const view = (id: string): ClientView => ({ id, userId: '', transportName: 'websocket', protocol: 'json', meta: undefined, headers: undefined, emulatedHeaders: undefined, isSubscribed: () => false });

describe('admin observer handler', () => {
  const tokens = new AdminTokens('k');
  let now = 1_800_000_000;
  const calls: string[] = [];
  const h = new AdminClientHandler(innerPolicy(calls), tokens, () => now);

  it('connects an observer with an admin connection token; other tokens go to the policy', async () => {
    const d = await h.connect(ctx('c1'), { token: tokens.issue('connection', now) });
    assert.deepEqual(d.credentials, { userId: '', expireAtSec: now + CONNECTION_TOKEN_TTL_SEC });
    assert.equal(d.subscriptions.size, 0);
    await assert.rejects(h.connect(ctx('c2'), { token: 'eyJhbGciOi.jwt.token' }), /inner connect/);
    await assert.rejects(h.connect(ctx('c3'), {}), /inner connect/);
    assert.deepEqual(calls.splice(0), ['connect', 'connect']);
  });

  it('refuses forged, expired and login tokens with InvalidToken', async () => {
    const invalid = (err: unknown): boolean => err instanceof DisconnectError && err.disconnect === Disconnects.InvalidToken;
    await assert.rejects(h.connect(ctx('x'), { token: 'rotor-admin.1.AAAA' }), invalid);
    await assert.rejects(h.connect(ctx('x'), { token: tokens.issue('connection', now - CONNECTION_TOKEN_TTL_SEC) }), invalid);
    await assert.rejects(h.connect(ctx('x'), { token: `rotor-admin.${tokens.issue('admin', now)}` }), invalid);
  });

  it('grants an observer any subscribe as a silent tail; others go to the policy', async () => {
    const o = await h.subscribe(view('c1'), { channel: '$private:x' });
    assert.equal(o.channelOptions, OPTIONS);
    assert.deepEqual([o.emitPresence, o.emitJoinLeave, o.pushJoinLeave, o.enablePositioning, o.enableRecovery], [false, false, false, false, false]);
    await assert.rejects(h.subscribe(view('someone'), { channel: 'a' }), /inner subscribe/);
    await assert.rejects(h.publish(view('c1'), 'a', new Uint8Array()), /inner publish/);
  });

  it('refresh: an observer needs a fresh admin connection token; expiry ends its rights', async () => {
    await assert.rejects(h.refresh(view('c1'), 'eyJhbGciOi.jwt.token'), (e) => e instanceof DisconnectError);
    now += 600;
    const r = await h.refresh(view('c1'), tokens.issue('connection', now));
    assert.equal(r.expireAtSec, now + CONNECTION_TOKEN_TTL_SEC);
    await assert.rejects(h.refresh(view('someone'), 'jwt'), /inner refresh/);
    now += CONNECTION_TOKEN_TTL_SEC;
    await assert.rejects(h.subscribe(view('c1'), { channel: 'a' }), /inner subscribe/);
  });
});
