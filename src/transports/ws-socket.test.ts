import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { directWritesOffReason, isVerifiedWsVersion, VERIFIED_WS } from './ws-socket.js';

void describe('ws direct socket writes guard', () => {
  void it('accepts only the verified ws versions', () => {
    assert.equal(isVerifiedWsVersion(`${VERIFIED_WS.major}.${VERIFIED_WS.maxMinor}.0`), true);
    assert.equal(isVerifiedWsVersion(`${VERIFIED_WS.major}.${VERIFIED_WS.minMinor}.4`), true);
    assert.equal(isVerifiedWsVersion(`${VERIFIED_WS.major}.${VERIFIED_WS.maxMinor + 1}.0`), false);
    assert.equal(isVerifiedWsVersion(`${VERIFIED_WS.major}.${VERIFIED_WS.minMinor - 1}.9`), false);
    assert.equal(isVerifiedWsVersion(`${VERIFIED_WS.major + 1}.0.0`), false);
    assert.equal(isVerifiedWsVersion(''), false);
    assert.equal(isVerifiedWsVersion('eight'), false);
  });

  void it('the installed ws is a verified one (after upgrading ws: check the frame path, then widen VERIFIED_WS)', () => {
    if (process.env['ROTOR_WS_DIRECT_WRITES'] === '0') return;
    assert.equal(directWritesOffReason, '');
  });
});
