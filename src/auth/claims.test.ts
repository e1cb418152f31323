/** @module auth/claims.test — payload → ConnectTokenClaims / SubscribeTokenClaims mapping. */

import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { hmacKey, signToken } from '../../test/fixtures/keys/jwt.js';
import { connectTokenClaims, subscribeTokenClaims } from './claims.js';
import { TokenError } from './token-error.js';
import { TokenVerifier } from './token-verifier.js';

const text = (bytes: Uint8Array | undefined): string | undefined => (bytes === undefined ? undefined : new TextDecoder().decode(bytes));
const b64 = (s: string): string => Buffer.from(s).toString('base64');

function invalid(fn: () => unknown, messagePart: string): void {
  assert.throws(fn, (err: unknown) => err instanceof TokenError && err.kind === 'invalid' && err.message.includes(messagePart));
}

void describe('connectTokenClaims', () => {
  void it('maps a minimal token', () => {
    assert.deepEqual(connectTokenClaims({ sub: '42' }, '42'), { userId: '42', expireAtSec: 0, channels: [], subs: {}, hasExpireAtClaim: false });
  });

  void it('info is the JSON text of the claim; b64info wins over info', () => {
    assert.equal(text(connectTokenClaims({ info: { name: 'Ann', n: [1, 2] } }, '').info), '{"name":"Ann","n":[1,2]}');
    assert.equal(text(connectTokenClaims({ info: 'plain' }, '').info), '"plain"');
    const both = connectTokenClaims({ info: { a: 1 }, b64info: b64('\u0000binary\u00ff') }, '');
    assert.deepEqual(both.info, new Uint8Array(Buffer.from('\u0000binary\u00ff')));
    assert.equal(text(connectTokenClaims({ info: { a: 1 }, b64info: '' }, '').info), '{"a":1}', 'empty b64info is ignored');
    assert.equal(connectTokenClaims({ info: null }, '').info, undefined);
  });

  void it('bad base64 in b64info is invalid (Centrifugo answers error 100 for this one; we say invalid)', () => {
    invalid(() => connectTokenClaims({ b64info: 'not base64!' }, ''), 'b64info');
    invalid(() => connectTokenClaims({ b64info: 'YWJj ZA==' }, ''), 'b64info');
    invalid(() => connectTokenClaims({ b64info: 'YWJjZA' }, ''), 'b64info');
    invalid(() => connectTokenClaims({ b64info: 'YWJjZA-_' }, ''), 'b64info');
    invalid(() => connectTokenClaims({ b64info: 5 }, ''), 'b64info');
  });

  void it('expiration: exp, expire_at wins, expire_at 0 = never', () => {
    assert.deepEqual(
      [connectTokenClaims({ exp: 1_700_000_100.9 }, '').expireAtSec, connectTokenClaims({ exp: 1_700_000_100.9 }, '').hasExpireAtClaim],
      [1_700_000_100, false],
    );
    const at = connectTokenClaims({ exp: 1_700_000_100, expire_at: 1_800_000_000 }, '');
    assert.deepEqual([at.expireAtSec, at.hasExpireAtClaim], [1_800_000_000, true]);
    const never = connectTokenClaims({ exp: 1_700_000_100, expire_at: 0 }, '');
    assert.deepEqual([never.expireAtSec, never.hasExpireAtClaim], [0, true]);
    const nullAt = connectTokenClaims({ exp: 1_700_000_100, expire_at: null }, '');
    assert.deepEqual([nullAt.expireAtSec, nullAt.hasExpireAtClaim], [1_700_000_100, false]);
    invalid(() => connectTokenClaims({ expire_at: 1.5 }, ''), 'expire_at');
    invalid(() => connectTokenClaims({ expire_at: '100' }, ''), 'expire_at');
  });

  void it('channels claim; subs (non-empty) makes channels ignored', () => {
    assert.deepEqual(connectTokenClaims({ channels: ['a', 'b'] }, '').channels, ['a', 'b']);
    const withSubs = connectTokenClaims({ channels: ['a', 'b'], subs: { c: {} } }, '');
    assert.deepEqual(withSubs.channels, []);
    assert.deepEqual(withSubs.subs, { c: {} });
    assert.deepEqual(connectTokenClaims({ channels: ['a'], subs: {} }, '').channels, ['a'], 'empty subs does not hide channels');
    invalid(() => connectTokenClaims({ channels: ['a', 1] }, ''), 'channels');
    invalid(() => connectTokenClaims({ channels: 'a' }, ''), 'channels');
    invalid(() => connectTokenClaims({ subs: ['a'] }, ''), 'subs');
    invalid(() => connectTokenClaims({ subs: { a: 1 } }, ''), 'subs.a');
  });

  void it('subs entries: info/data raw JSON, b64 variants win, overrides', () => {
    const { subs } = connectTokenClaims(
      {
        subs: {
          'news:1': { info: { x: 1 }, data: [true], override: { presence: { value: true }, join_leave: { value: false } } },
          'news:2': { info: { x: 1 }, b64info: b64('ci'), data: 'd', b64data: b64('bd') },
          'news:3': { override: { force_recovery: { value: true }, force_positioning: {}, force_push_join_leave: { value: true } } },
        },
      },
      'u',
    );
    const s1 = subs['news:1']!;
    assert.equal(text(s1.info), '{"x":1}');
    assert.equal(text(s1.data), '[true]');
    assert.deepEqual(s1.override, { presence: true, joinLeave: false });
    const s2 = subs['news:2']!;
    assert.equal(text(s2.info), 'ci');
    assert.equal(text(s2.data), 'bd');
    assert.equal(s2.override, undefined);
    assert.deepEqual(subs['news:3']!.override, { forceRecovery: true, forcePositioning: false, forcePushJoinLeave: true });
  });

  void it('bad base64 or malformed override inside subs is invalid', () => {
    invalid(() => connectTokenClaims({ subs: { a: { b64data: '***' } } }, ''), 'b64data');
    invalid(() => connectTokenClaims({ subs: { a: { b64info: '***' } } }, ''), 'b64info');
    invalid(() => connectTokenClaims({ subs: { a: { override: { presence: true } } } }, ''), 'presence');
    invalid(() => connectTokenClaims({ subs: { a: { override: { presence: { value: 'yes' } } } } }, ''), 'presence');
    invalid(() => connectTokenClaims({ subs: { a: { override: [] } } }, ''), 'override');
  });

  void it('meta is raw JSON text', () => {
    assert.equal(text(connectTokenClaims({ meta: { plan: 'pro', n: 1.5 } }, '').meta), '{"plan":"pro","n":1.5}');
    assert.equal(connectTokenClaims({}, '').meta, undefined);
  });
});

void describe('subscribeTokenClaims', () => {
  void it('maps channel, client, expiration, info, data and override', () => {
    const claims = subscribeTokenClaims(
      { sub: 'u', channel: '$private', client: 'c-1', exp: 1_700_000_050, info: { r: 'admin' }, b64data: b64('hi'), data: { ignored: true }, override: { presence: { value: false } } },
      'u',
    );
    assert.equal(claims.userId, 'u');
    assert.equal(claims.channel, '$private');
    assert.equal(claims.client, 'c-1');
    assert.equal(claims.expireAtSec, 1_700_000_050);
    assert.equal(text(claims.info), '{"r":"admin"}');
    assert.equal(text(claims.data), 'hi');
    assert.deepEqual(claims.override, { presence: false });
  });

  void it('minimal: client defaults to "", no info/data/override; expire_at 0 = never', () => {
    assert.deepEqual(subscribeTokenClaims({ channel: 'c', exp: 100, expire_at: 0 }, ''), { userId: '', channel: 'c', client: '', expireAtSec: 0 });
  });

  void it('missing channel, bad base64 and wrong types are invalid', () => {
    invalid(() => subscribeTokenClaims({ sub: 'u' }, 'u'), 'channel');
    invalid(() => subscribeTokenClaims({ channel: 1 }, 'u'), 'channel');
    invalid(() => subscribeTokenClaims({ channel: 'c', b64info: '@@' }, 'u'), 'b64info');
    invalid(() => subscribeTokenClaims({ channel: 'c', b64data: 'YQ=' }, 'u'), 'b64data');
    invalid(() => subscribeTokenClaims({ channel: 'c', client: 5 }, 'u'), 'client');
  });
});

void describe('claims through TokenVerifier', () => {
  const SECRET = 'test-only-secret';
  const verifier = new TokenVerifier({ hmacSecretKey: SECRET, clock: new ManualClock(1_700_000_000_000) });

  void it('a connection token with b64info and subs', async () => {
    const token = await signToken(
      { sub: '7', exp: 1_700_000_600, info: { a: 1 }, b64info: b64('bin'), channels: ['ignored'], subs: { 'chat:1': { data: { w: 1 } } } },
      hmacKey(SECRET),
      { alg: 'HS256' },
    );
    const claims = await verifier.verifyConnectToken(token);
    assert.equal(claims.userId, '7');
    assert.equal(claims.expireAtSec, 1_700_000_600);
    assert.equal(text(claims.info), 'bin');
    assert.deepEqual(claims.channels, []);
    assert.equal(text(claims.subs['chat:1']!.data), '{"w":1}');
  });

  void it('bad base64 in a valid connection token → invalid; in subs → invalid', async () => {
    for (const payload of [{ sub: '7', b64info: '!' }, { sub: '7', subs: { c: { b64data: '!' } } }]) {
      const token = await signToken(payload, hmacKey(SECRET), { alg: 'HS256' });
      await assert.rejects(verifier.verifyConnectToken(token), (err: unknown) => err instanceof TokenError && err.kind === 'invalid');
    }
  });
});
