import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { OpenStreams } from './open-streams.js';

describe('OpenStreams', () => {
  it('tracks, forgets and terminates every remaining connection once', () => {
    const s = new OpenStreams();
    const ended: string[] = [];
    const forgetA = s.add(() => ended.push('a'));
    s.add(() => ended.push('b'));
    s.add(() => {
      throw new Error('broken');
    });
    s.add(() => ended.push('c'));
    assert.equal(s.size, 4);
    forgetA();
    assert.equal(s.size, 3);
    s.closeAll();
    assert.deepEqual(ended, ['b', 'c']);
    assert.equal(s.size, 0);
    s.closeAll();
    assert.deepEqual(ended, ['b', 'c']);
  });
});
