/** @module config/json-error.test — first-error offsets and Go-style details for broken JSON config files. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { findJsonSyntaxIssue } from './json-error.js';

void test('valid JSON has no issue', () => {
  for (const t of ['{"a":1}', '[[[[]]]]', '{"a":{"b":[true,false,null,"x\\u00e9",-1.5e3]}}', ' 0 ']) {
    assert.equal(findJsonSyntaxIssue(t), undefined, t);
  }
});

void test('broken JSON: offset of the offending character and a Go-style detail', () => {
  const cases: [string, number, string][] = [
    ['{\n  "port": 8000,\n  "api_key": \n}\n', 32, "invalid character '}' looking for beginning of value"],
    ['{\n "port": 1', 12, 'unexpected end of JSON input'],
    ['{"a":1,}', 7, "invalid character '}' looking for beginning of object key string"],
    ['{"a" 1}', 5, "invalid character '1' after object key"],
    ['{"a":1 "b":2}', 7, "invalid character '\"' after object key:value pair"],
    ['[1 2]', 3, "invalid character '2' after array element"],
    ['{"a":tru}', 8, "invalid character '}' in literal true (expecting 'e')"],
    ['"\\x"', 2, "invalid character 'x' in string escape code"],
    ['{"a":"b\n"}', 7, "invalid character '\\n' in string literal"],
    ['{} x', 3, "invalid character 'x' after top-level value"],
    ['', 0, 'unexpected end of JSON input'],
  ];
  for (const [text, offset, detail] of cases) {
    assert.deepEqual(findJsonSyntaxIssue(text), { offset, detail }, JSON.stringify(text));
  }
});

void test('deep nesting does not overflow the stack', () => {
  const deep = '['.repeat(200_000);
  assert.deepEqual(findJsonSyntaxIssue(deep), { offset: 200_000, detail: 'unexpected end of JSON input' });
});
