/** @module auth/go-regex.test — Go regex syntax accepted by the audience/issuer settings. */

import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { compileGoRegex, namedGroups } from './go-regex.js';

void describe('compileGoRegex', () => {
  void it('turns (?P<name>…) into a JS named group', () => {
    const m = compileGoRegex('^https://(?P<tenant>[a-z]+)\\.example$').exec('https://acme.example');
    assert.ok(m);
    assert.deepEqual(namedGroups(m), { tenant: 'acme' });
  });

  void it('turns leading (?i) / (?s) flags into RegExp flags', () => {
    assert.equal(compileGoRegex('(?i)^abc$').test('ABC'), true);
    assert.equal(compileGoRegex('(?is)^a.c$').test('A\nC'), true);
    assert.equal(compileGoRegex('^abc$').test('ABC'), false);
  });

  void it('is unanchored like Go MatchString', () => {
    assert.equal(compileGoRegex('rotor').test('my-rotor-app'), true);
  });

  void it('leaves out groups that did not participate', () => {
    const m = compileGoRegex('(?P<a>x)|(?P<b>y)').exec('y');
    assert.ok(m);
    assert.deepEqual(namedGroups(m), { b: 'y' });
  });
});
