/** @module engines/nats/subjects.test — channel ↔ subject mapping, validity and wildcard matching. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  channelFromClientSubject,
  channelFromRawSubject,
  clientSubject,
  controlSubject,
  hasWildcard,
  isValidSubject,
  nodeSubject,
  rawSubject,
  replaceAll,
  subjectMatches,
} from './subjects.js';

void describe('nats subjects', () => {
  void it('builds the Centrifugo subjects', () => {
    assert.equal(clientSubject('centrifugo', 'news:1'), 'centrifugo.client.news:1');
    assert.equal(controlSubject('p'), 'p.control');
    assert.equal(nodeSubject('p', 'uid-1'), 'p.node.uid-1');
    assert.equal(channelFromClientSubject('p', 'p.client.a.b'), 'a.b');
    assert.equal(channelFromClientSubject('p', 'q.client.a'), undefined);
  });

  void it('detects wildcards', () => {
    assert.equal(hasWildcard('news.*'), true);
    assert.equal(hasWildcard('news.>'), true);
    assert.equal(hasWildcard('a*b'), true);
    assert.equal(hasWildcard('news:sport'), false);
  });

  void it('validates subjects', () => {
    for (const ok of ['a', 'a.b', 'a:b#c', 'ü.x', 'a.*', 'a.>']) assert.equal(isValidSubject(ok), true, ok);
    for (const bad of ['', 'a b', 'a\tb', 'a\nb', 'a..b', '.a', 'a.', 'a\u0000b']) assert.equal(isValidSubject(bad), false, JSON.stringify(bad));
  });

  void it('replaces with the longest key first in one pass', () => {
    assert.equal(replaceAll('a:b:c', { ':': '.' }), 'a.b.c');
    assert.equal(replaceAll('a::b', { ':': '.', '::': '-' }), 'a-b');
    assert.equal(replaceAll('ab', { a: 'b', b: 'a' }), 'ba');
    assert.equal(replaceAll('abc', {}), 'abc');
    assert.equal(replaceAll('abc', { '': 'x' }), 'abc');
  });

  void it('maps raw-mode channels to subjects and back', () => {
    const repl = { ':': '.', '#': '_' };
    assert.equal(rawSubject('raw.', 'chat:room#1', repl), 'raw.chat.room_1');
    assert.equal(rawSubject('', 'chat', {}), 'chat');
    assert.equal(channelFromRawSubject('raw.', 'raw.chat.room_1', repl), 'chat:room#1');
    assert.equal(channelFromRawSubject('raw.', 'other.x', repl), undefined);
    // Ambiguous values stay as they are.
    assert.equal(channelFromRawSubject('', 'a.b', { ':': '.', '/': '.' }), 'a.b');
  });

  void it('matches NATS wildcards', () => {
    assert.equal(subjectMatches('a.*', 'a.b'), true);
    assert.equal(subjectMatches('a.*', 'a.b.c'), false);
    assert.equal(subjectMatches('a.*', 'a'), false);
    assert.equal(subjectMatches('a.>', 'a.b.c'), true);
    assert.equal(subjectMatches('a.>', 'a'), false);
    assert.equal(subjectMatches('*.b', 'x.b'), true);
    assert.equal(subjectMatches('a.b', 'a.b'), true);
    assert.equal(subjectMatches('a.b', 'a.c'), false);
  });
});
