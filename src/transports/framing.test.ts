import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { frameLines, frameSse, frameVarint } from './framing.js';

const b = (s: string): Uint8Array => Buffer.from(s);
const text = (u: Uint8Array): string => Buffer.from(u).toString('latin1');

describe('framing', () => {
  it('frameLines terminates every message with a newline', () => {
    assert.equal(text(frameLines([b('{"id":1}'), b('{}'), b('{"push":{}}')])), '{"id":1}\n{}\n{"push":{}}\n');
    assert.equal(text(frameLines([b('{}')])), '{}\n');
  });

  it('frameSse writes one data event per message', () => {
    assert.equal(text(frameSse([b('{"id":1}'), b('{}')])), 'data: {"id":1}\n\ndata: {}\n\n');
  });

  it('frameSse drops raw CR and LF bytes, which would split the event', () => {
    assert.equal(text(frameSse([b('{"a":\r1}'), b('{"b":\n2}')])), 'data: {"a":1}\n\ndata: {"b":2}\n\n');
  });

  it('frameVarint prefixes each message with its varint length, empty messages included', () => {
    const big = new Uint8Array(300).fill(7);
    const out = frameVarint([new Uint8Array(0), b('ab'), big]);
    assert.deepEqual([...out.subarray(0, 6)], [0x00, 0x02, 0x61, 0x62, 0xac, 0x02]);
    assert.equal(out.length, 1 + 3 + 2 + 300);
  });
});
