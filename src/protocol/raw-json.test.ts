/** @module protocol/raw-json.test — the raw JSON scanner used for `bytes` payloads. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { scanValue } from '../wire/json-scan.js';
import { copyWithoutNewlines, isValidJson, lengthWithoutNewlines } from './raw-json.js';

const b = (s: string): Uint8Array => new TextEncoder().encode(s);

void describe('raw-json', () => {
  void it('accepts what JSON.parse accepts', () => {
    const good = [
      '0', '-0', '1.5', '-1.5e-3', '1E+2', '12345678901234567890', 'true', 'false', 'null', '""', '"a\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00E9"',
      '[]', '{}', '[1,[2,[3]]]', '{"a":{"b":[{},[]]}}', ' \t\r\n{ "a" : 1 , "b" : [ 1 , 2 ] }\n', '"ü中😀"', '[null,true,false,"x",{"":0}]',
    ];
    for (const s of good) {
      JSON.parse(s);
      assert.ok(isValidJson(b(s)), s);
    }
  });

  void it('rejects what JSON.parse rejects', () => {
    const bad = [
      '', ' ', '01', '-', '1.', '.5', '1e', '+1', 'NaN', 'Infinity', 'tru', 'nul', 'True', '"', '"\\x"', '"\\u12g4"', '"a\tb"', '"a\nb"',
      '[', ']', '[1,]', '[,1]', '{"a"}', '{"a":}', '{"a":1,}', '{a:1}', "{'a':1}", '{"a":1}}', '1 2', '{} []', '[1 2]', '{"a" 1}', '{,}',
      '{"a":1 "b":2}', '//c', '/* */1',
    ];
    for (const s of bad) {
      assert.throws(() => JSON.parse(s), SyntaxError, `JSON.parse(${JSON.stringify(s)})`);
      assert.equal(isValidJson(b(s)), false, s);
    }
  });

  void it('rejects invalid UTF-8', () => {
    assert.equal(isValidJson(new Uint8Array([0x22, 0xff, 0x22])), false);
    assert.equal(isValidJson(new Uint8Array([0x22, 0xc3, 0xa9, 0x22])), true);
  });

  void it('agrees with JSON.parse on random inputs', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const alphabet = ['{', '}', '[', ']', ',', ':', '"', '1', '0', '-', '.', 'e', 'a', ' ', '\\', 'n', 'u', 't', 'r', 'true', 'null', '"k"'];
    for (let i = 0; i < 20000; i++) {
      let s = '';
      const n = 1 + Math.floor(rnd() * 10);
      for (let j = 0; j < n; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      let ok = true;
      try {
        JSON.parse(s);
      } catch {
        ok = false;
      }
      assert.equal(isValidJson(b(s)), ok, s);
    }
  });

  void it('scanValue stops right after one value', () => {
    const s = b('{"a":[1,2]} , 5');
    assert.equal(scanValue(s, 0, s.length), 11);
    assert.equal(scanValue(s, 14, s.length), 15);
    assert.equal(scanValue(b('"x"y'), 0, 4), 3);
    assert.equal(scanValue(b('123,'), 0, 4), 3);
  });

  void it('drops newline bytes when copying', () => {
    const raw = b('\n{\n"a":\r\n1}\n\n');
    assert.equal(lengthWithoutNewlines(raw), raw.length - 5);
    const out = new Uint8Array(20).fill(0x2e);
    const end = copyWithoutNewlines(out, 2, raw);
    assert.equal(end, 2 + raw.length - 5);
    assert.equal(new TextDecoder().decode(out.subarray(0, end + 1)), '..{"a":\r1}.');
    assert.equal(lengthWithoutNewlines(b('abc')), 3);
  });
});
