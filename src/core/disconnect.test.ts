import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closeReasonText, customDisconnect, Disconnects, reconnectByRange, resolveDisconnect } from './disconnect.js';
import { ClientErrors } from './errors.js';

describe('disconnect catalogue', () => {
  it('classic numbering is exactly the classic table of Centrifugo docs', () => {
    const seed: [keyof typeof Disconnects, number, string, boolean][] = [
      ['Shutdown', 3001, 'shutdown', true],
      ['InvalidToken', 3002, 'invalid token', false],
      ['BadRequest', 3003, 'bad request', false],
      ['ServerError', 3004, 'internal server error', true],
      ['Expired', 3005, 'expired', true],
      ['SubExpired', 3006, 'subscription expired', true],
      ['Stale', 3007, 'stale', false],
      ['Slow', 3008, 'slow', true],
      ['WriteError', 3009, 'write error', true],
      ['InsufficientState', 3010, 'insufficient state', true],
      ['ForceReconnect', 3011, 'force reconnect', true],
      ['ForceNoReconnect', 3012, 'force disconnect', false],
      ['ConnectionLimit', 3013, 'connection limit', false],
    ];
    for (const [name, code, reason, reconnect] of seed) {
      assert.deepEqual(resolveDisconnect(Disconnects[name], 'classic'), { code, reason, reconnect }, name);
    }
  });

  it('ranged numbering follows protocol v2', () => {
    const ranged: [keyof typeof Disconnects, number][] = [
      ['InvalidToken', 3500],
      ['BadRequest', 3501],
      ['Stale', 3502],
      ['ForceNoReconnect', 3503],
      ['ConnectionLimit', 3504],
      ['ChannelLimit', 3505],
      ['InappropriateProtocol', 3506],
      ['PermissionDenied', 3507],
      ['NotAvailable', 3508],
      ['NoPong', 3012],
      ['TooManyRequests', 3013],
      ['Expired', 3005],
    ];
    for (const [name, code] of ranged) assert.equal(resolveDisconnect(Disconnects[name], 'ranged').code, code, name);
    for (const d of Object.values(Disconnects)) {
      assert.equal(d.ranged.reconnect, reconnectByRange(d.ranged.code), `${d.name}: ranged reconnect follows the range rule`);
    }
  });

  it('classic numbers are unique and the two conflicts got free numbers', () => {
    const codes = Object.values(Disconnects).map((d) => d.classic.code);
    assert.equal(new Set(codes).size, codes.length);
    assert.equal(Disconnects.NoPong.classic.code, 3015);
    assert.equal(Disconnects.TooManyRequests.classic.code, 3016);
  });

  it('close reason: JSON with the reconnect flag in classic mode, plain text in ranged mode, ≤ 123 bytes', () => {
    assert.equal(closeReasonText(Disconnects.Stale.classic, 'classic'), '{"reason":"stale","reconnect":false}');
    assert.equal(closeReasonText(Disconnects.Stale.ranged, 'ranged'), 'stale');
    const long = customDisconnect(4000, 'é'.repeat(200));
    assert.ok(Buffer.byteLength(closeReasonText(long, 'classic')) <= 123);
    assert.ok(Buffer.byteLength(closeReasonText(long, 'ranged')) <= 123);
    assert.equal((JSON.parse(closeReasonText(long, 'classic')) as { reconnect: boolean }).reconnect, true);
  });

  it('custom codes reconnect by range', () => {
    assert.equal(customDisconnect(4000, 'x').reconnect, true);
    assert.equal(customDisconnect(4500, 'x').reconnect, false);
    assert.equal(customDisconnect(3500, 'x').reconnect, false);
    assert.equal(customDisconnect(3100, 'x').reconnect, true);
  });
});

describe('client error catalogue', () => {
  it('codes and messages are exactly the table of Centrifugo docs', () => {
    const seed: [number, string][] = [
      [100, 'internal server error'],
      [101, 'unauthorized'],
      [102, 'unknown channel'],
      [103, 'permission denied'],
      [104, 'method not found'],
      [105, 'already subscribed'],
      [106, 'limit exceeded'],
      [107, 'bad request'],
      [108, 'not available'],
      [109, 'token expired'],
      [110, 'expired'],
      [111, 'too many requests'],
      [112, 'unrecoverable position'],
    ];
    const catalogue = Object.values(ClientErrors).map((e) => [e.code, e.message]);
    for (const entry of seed) assert.ok(catalogue.some(([c, m]) => c === entry[0] && m === entry[1]), `${entry[0]} ${entry[1]}`);
  });
});
