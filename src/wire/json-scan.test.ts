/** @module wire/json-scan.test — the shared JSON grammar: ends of values, failure codes and positions, depth limit. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { isJsonValue, JsonScanCode, jsonScanError, scanDocument, scanValue } from './json-scan.js';

const b = (s: string): Uint8Array => Buffer.from(s, 'utf8');

void describe('json scan', () => {
  void it('finds the end of one value', () => {
    for (const [text, end] of [['{"a":[1,-2.5e3,true,false,null,"x\\u00e9\\n"]} tail', 44], ['"é"x', 4], ['0,', 1], ['[]]', 2]] as const) {
      assert.equal(scanValue(b(text), 0, b(text).length), end, text);
    }
  });

  void it('reports where and why a value is invalid', () => {
    const cases: [string, JsonScanCode, number, boolean][] = [
      ['', JsonScanCode.ValueStart, 0, true],
      ['x', JsonScanCode.ValueStart, 0, false],
      ['"a\u0001"', JsonScanCode.String, 2, false],
      ['"abc', JsonScanCode.String, 4, true],
      ['"\\x"', JsonScanCode.StringEscape, 2, false],
      ['"\\u12g4"', JsonScanCode.StringHex, 5, false],
      ['-', JsonScanCode.Number, 1, true],
      ['1.', JsonScanCode.NumberFraction, 2, true],
      ['1e+x', JsonScanCode.NumberExponent, 3, false],
      ['tru', JsonScanCode.Literal, 3, true],
      ['{1}', JsonScanCode.ObjectKeyStart, 1, false],
      ['{"a" 1}', JsonScanCode.AfterObjectKey, 5, false],
      ['{"a":1 "b":2}', JsonScanCode.AfterObjectMember, 7, false],
      ['[1 2]', JsonScanCode.AfterArrayElement, 3, false],
      ['[1,', JsonScanCode.ValueStart, 3, true],
    ];
    for (const [text, code, pos, eof] of cases) {
      assert.equal(scanValue(b(text), 0, b(text).length), -1, text);
      assert.deepEqual([jsonScanError.code, jsonScanError.pos, jsonScanError.eof], [code, pos, eof], text);
    }
    scanValue(b('nul!'), 0, 4);
    assert.deepEqual([jsonScanError.literal, jsonScanError.index], ['null', 3]);
  });

  void it('limits depth only when asked, without recursion', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    assert.equal(isJsonValue(b(deep)), true);
    assert.equal(isJsonValue(b('[[[]]]'), 3), true);
    assert.equal(isJsonValue(b('[[[[]]]]'), 3), false);
    assert.deepEqual([jsonScanError.code, jsonScanError.pos], [JsonScanCode.MaxDepth, 3]);
  });

  void it('tells trailing data from an invalid value', () => {
    assert.equal(scanDocument(b(' {} ')), -1);
    assert.equal(scanDocument(b('{} x')), 3);
    assert.equal(scanDocument(b('{')), -2);
  });
});
