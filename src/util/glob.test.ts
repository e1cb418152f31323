/** @module util/glob.test — gobwas/glob syntax without separators. */
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { compileGlob, GlobError } from './glob.js';

function check(pattern: string, yes: readonly string[], no: readonly string[]): void {
  const m = compileGlob(pattern);
  for (const s of yes) assert.equal(m(s), true, `${pattern} should match ${JSON.stringify(s)}`);
  for (const s of no) assert.equal(m(s), false, `${pattern} should not match ${JSON.stringify(s)}`);
}

void describe('compileGlob', () => {
  void test('literal patterns match exactly', () => {
    check('chat', ['chat'], ['chat1', 'cha', '', 'Chat']);
    check('', [''], ['a']);
  });

  void test('* matches any run including the namespace boundary and empty', () => {
    check('*', ['', 'a', 'news:sport', 'a:b:c'], []);
    check('news:*', ['news:', 'news:sport', 'news:a:b'], ['new:s', 'xnews:a']);
    check('*:index', ['chat:index', ':index', 'a:b:index'], ['chat:index2']);
    check('a*b*c', ['abc', 'aXbYc', 'abbbc', 'a:b:c'], ['ab', 'acb', 'abcx']);
    check('**', ['', 'x:y'], []);
  });

  void test('? matches exactly one character (code point)', () => {
    check('user?', ['user1', 'userx', 'user😀'], ['user', 'user12']);
    check('??', ['ab', '😀😀'], ['a', 'abc']);
  });

  void test('character lists and ranges, with negation', () => {
    check('[abc]x', ['ax', 'bx', 'cx'], ['dx', 'x', 'abx']);
    check('[a-c]x', ['ax', 'bx', 'cx'], ['dx']);
    check('[!a-c]x', ['dx', ':x'], ['ax', 'cx', 'x']);
    check('[!abc]', ['d'], ['a', '']);
    check('[-a]', ['-', 'a'], ['b']);
    check('[\\]]', [']'], ['\\']);
    check('[!!]', ['a'], ['!']);
    check('[A-]]', ['A', 'Z', '[', ']'], ['a', '^']); // a range's bounds are taken literally
  });

  void test('alternatives, nested, with wildcards inside', () => {
    check('{news,chat}:*', ['news:1', 'chat:'], ['sport:1', 'news']);
    check('a{b,c{d,e}}f', ['abf', 'acdf', 'acef'], ['acf', 'af']);
    check('x{,y}', ['x', 'xy'], ['xz']);
    check('{*:a,b?}', ['q:a', ':a', 'bz'], ['b', 'bzz']);
  });

  void test('escapes make special characters literal', () => {
    check('\\*', ['*'], ['a', '']);
    check('a\\?b', ['a?b'], ['axb']);
    check('\\{a,b\\}', ['{a,b}'], ['a']);
    check('{a\\,b,c}', ['a,b', 'c'], ['a', 'b']);
  });

  void test('unmatched closers and commas are plain characters', () => {
    check('a}b', ['a}b'], []);
    check('a]b', ['a]b'], []);
    check('a,b', ['a,b'], ['a']);
  });

  void test('malformed patterns throw GlobError', () => {
    for (const bad of ['[', '[a', '[]', '[!]', '[z-a]', '[a-', '[a-b', '[a-bc]', '[a-]]', '{a,b', '{', 'a\\', '[\\']) {
      assert.throws(() => compileGlob(bad), GlobError, `pattern ${JSON.stringify(bad)}`);
    }
  });

  void test('matching is linear: pathological patterns stay fast', () => {
    const m = compileGlob('*a*a*a*a*a*a*a*a*a*a*a*b');
    const input = 'a'.repeat(20_000);
    const start = performance.now();
    assert.equal(m(input), false);
    assert.ok(performance.now() - start < 2000, 'no catastrophic backtracking');
    assert.equal(m(`${input}b`), true);
  });

  void test('a compiled matcher is reusable', () => {
    const m = compileGlob('{a,b}*');
    for (let i = 0; i < 3; i++) {
      assert.equal(m('abc'), true);
      assert.equal(m('cab'), false);
    }
  });
});
