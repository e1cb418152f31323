/** @module auth/jwks-safety.test — which JWKS endpoint templates are refused at start. */

import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { isLiteralAlternation, jwksTemplateProblems, scanRegex } from './jwks-safety.js';

const ENDPOINT = 'https://keys.example/{{tenant}}/jwks.json';
const problems = (issuer: string, audience = ''): string[] =>
  jwksTemplateProblems(ENDPOINT, { token_issuer_regex: issuer, token_audience_regex: audience });

void describe('JWKS endpoint template safety check', () => {
  void it('accepts literal alternations in both group syntaxes', () => {
    assert.deepEqual(problems('^https://auth\\.example/(?P<tenant>acme|globex)$'), []);
    assert.deepEqual(problems('^https://auth\\.example/(?<tenant>acme|globex)$'), []);
    assert.deepEqual(problems('', '^rotor-(?P<tenant>acme|glo(?:bex|bal)|x\\-y)$'), []);
    assert.deepEqual(problems('(?i)^https://auth\\.example/(?P<tenant>acme)$'), []);
  });

  void it('refuses groups that match arbitrary text', () => {
    for (const group of ['.+', '.*', 'a+', 'acme|.*', 'a{1,3}', 'acme?', '(?=acme)acme', '\\x41', '(?i:acme)']) {
      const p = problems(`^https://auth\\.example/(?P<tenant>${group})$`);
      assert.equal(p.length, 1, `${group}: ${p.join('; ')}`);
      assert.match(p[0]!, /token_issuer_regex fills \{\{tenant\}\}/);
    }
  });

  void it('refuses a character class anywhere in the issuer or audience regex', () => {
    assert.match(problems('^https://auth\\.example/(?P<tenant>[a-z0-9-]+)$').join(';'), /token_issuer_regex contains a character class/);
    for (const cls of ['[a-z]', '\\d', '\\D', '\\w', '\\W', '\\s', '\\S', '\\p{L}', '\\P{L}']) {
      const p = problems('^https://auth\\.example/(?P<tenant>acme|globex)$', `^aud-${cls}$`);
      assert.equal(p.length, 1, cls);
      assert.match(p[0]!, /token_audience_regex contains a character class/);
    }
  });

  void it('refuses a template variable no regex fills; non-templates are not checked', () => {
    assert.match(problems('^https://auth\\.example/(?P<realm>acme)$').join(';'), /\{\{tenant\}\} is not a named group/);
    assert.deepEqual(jwksTemplateProblems('https://keys.example/jwks.json', { token_issuer_regex: '(?P<tenant>.+)' }), []);
  });

  void it('scanRegex: parentheses inside classes and escapes are not groups', () => {
    const s = scanRegex('^a[(]\\((?P<x>b|c)(?<y>d)$');
    assert.equal(s.hasClass, true);
    assert.deepEqual(s.groups, [{ name: 'x', body: 'b|c' }, { name: 'y', body: 'd' }]);
    assert.equal(isLiteralAlternation('a\\.b|c'), true);
    assert.equal(isLiteralAlternation('a\\bb'), false);
  });
});
