/** @module engines/memory/epoch.test */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { EPOCH_LENGTH, generateEpoch } from './epoch.js';

void describe('generateEpoch', () => {
  void it('is 8 letters from [a-zA-Z]', () => {
    assert.equal(EPOCH_LENGTH, 8);
    for (let i = 0; i < 1000; i++) assert.match(generateEpoch(), /^[a-zA-Z]{8}$/);
  });

  void it('is random: distinct values, both letter cases used', () => {
    const seen = new Set<string>();
    const letters = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const e = generateEpoch();
      seen.add(e);
      for (const c of e) letters.add(c);
    }
    assert.equal(seen.size, 2000);
    assert.equal(letters.size, 52, 'all 52 letters appear in 16000 draws');
  });
});
