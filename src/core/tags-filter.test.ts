/** @module core/tags-filter.test — FilterNode validation (107), comparison semantics, canonical keys, pooling. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FilterNode } from '../protocol/types.js';
import { ClientError } from './errors.js';
import { compileTagsFilter, TagsFilter, TagsFilterPool } from './tags-filter.js';
import type { Publication } from './types.js';

const m = (f: FilterNode, tags?: Record<string, string>): boolean => compileTagsFilter(f).matches(tags);

function rejects107(f: FilterNode): void {
  assert.throws(
    () => compileTagsFilter(f),
    (err: unknown) => err instanceof ClientError && err.code === 107,
    JSON.stringify(f),
  );
}

describe('tags filter: leaf comparisons', () => {
  const t = { ticker: 'BTC', price: '50100.5', kind: 'trade' };
  it('eq / neq', () => {
    assert.equal(m({ key: 'ticker', cmp: 'eq', val: 'BTC' }, t), true);
    assert.equal(m({ key: 'ticker', cmp: 'eq', val: 'ETH' }, t), false);
    assert.equal(m({ key: 'missing', cmp: 'eq', val: 'BTC' }, t), false);
    assert.equal(m({ key: 'ticker', cmp: 'neq', val: 'ETH' }, t), true);
    assert.equal(m({ key: 'ticker', cmp: 'neq', val: 'BTC' }, t), false);
    assert.equal(m({ key: 'missing', cmp: 'neq', val: 'BTC' }, t), true, 'absent key is not equal');
    assert.equal(m({ key: 'ticker', cmp: 'eq', val: 'BTC' }, undefined), false, 'no tags at all');
  });
  it('in / nin (absent key compares as "")', () => {
    assert.equal(m({ key: 'ticker', cmp: 'in', vals: ['ETH', 'BTC'] }, t), true);
    assert.equal(m({ key: 'ticker', cmp: 'in', vals: ['ETH'] }, t), false);
    assert.equal(m({ key: 'missing', cmp: 'in', vals: ['', 'x'] }, t), true);
    assert.equal(m({ key: 'ticker', cmp: 'nin', vals: ['ETH'] }, t), true);
    assert.equal(m({ key: 'ticker', cmp: 'nin', vals: ['BTC'] }, t), false);
    assert.equal(m({ key: 'missing', cmp: 'nin', vals: [''] }, t), false);
  });
  it('ex / nex', () => {
    assert.equal(m({ key: 'kind', cmp: 'ex' }, t), true);
    assert.equal(m({ key: 'missing', cmp: 'ex' }, t), false);
    assert.equal(m({ key: 'missing', cmp: 'nex' }, t), true);
    assert.equal(m({ key: 'kind', cmp: 'nex' }, t), false);
    assert.equal(m({ key: 'kind', cmp: 'ex' }, { kind: '' }), true, 'present with an empty value');
  });
  it('sw / ew / ct need the key present', () => {
    assert.equal(m({ key: 'kind', cmp: 'sw', val: 'tr' }, t), true);
    assert.equal(m({ key: 'kind', cmp: 'sw', val: 'ad' }, t), false);
    assert.equal(m({ key: 'kind', cmp: 'ew', val: 'ade' }, t), true);
    assert.equal(m({ key: 'kind', cmp: 'ct', val: 'rad' }, t), true);
    assert.equal(m({ key: 'kind', cmp: 'ct', val: 'xyz' }, t), false);
    assert.equal(m({ key: 'missing', cmp: 'ct', val: 'a' }, t), false);
  });
  it('gt / gte / lt / lte compare decimals; unparsable → false', () => {
    assert.equal(m({ key: 'price', cmp: 'gt', val: '50000' }, t), true);
    assert.equal(m({ key: 'price', cmp: 'gt', val: '50100.5' }, t), false);
    assert.equal(m({ key: 'price', cmp: 'gte', val: '50100.5' }, t), true);
    assert.equal(m({ key: 'price', cmp: 'lt', val: '1e5' }, t), true);
    assert.equal(m({ key: 'price', cmp: 'lte', val: '-3' }, t), false);
    assert.equal(m({ key: 'n', cmp: 'gt', val: '9' }, { n: '10' }), true, 'numeric, not lexical');
    assert.equal(m({ key: 'ticker', cmp: 'gt', val: '1' }, t), false, 'value not a number');
    assert.equal(m({ key: 'price', cmp: 'gt', val: 'abc' }, t), false, 'val not a number');
    assert.equal(m({ key: 'missing', cmp: 'lt', val: '1' }, t), false);
    assert.equal(m({ key: 'n', cmp: 'lt', val: '1' }, { n: ' 0' }), false, 'whitespace is not a decimal');
  });
});

describe('tags filter: logical nodes', () => {
  const btc = { key: 'ticker', cmp: 'eq', val: 'BTC' };
  const big = { key: 'price', cmp: 'gt', val: '100' };
  it('and / or / not', () => {
    assert.equal(m({ op: 'and', nodes: [btc, big] }, { ticker: 'BTC', price: '200' }), true);
    assert.equal(m({ op: 'and', nodes: [btc, big] }, { ticker: 'BTC', price: '20' }), false);
    assert.equal(m({ op: 'or', nodes: [btc, big] }, { ticker: 'ETH', price: '200' }), true);
    assert.equal(m({ op: 'or', nodes: [btc, big] }, { ticker: 'ETH', price: '2' }), false);
    assert.equal(m({ op: 'not', nodes: [btc] }, { ticker: 'ETH' }), true);
    assert.equal(m({ op: 'not', nodes: [{ op: 'or', nodes: [btc, big] }] }, { ticker: 'BTC' }), false);
  });
});

describe('tags filter: validation → 107', () => {
  it('rejects malformed leaves', () => {
    rejects107({});
    rejects107({ key: 'a' });
    rejects107({ key: 'a', cmp: 'like', val: 'x' });
    rejects107({ cmp: 'eq', val: 'x' });
    rejects107({ key: 'a', cmp: 'eq' });
    rejects107({ key: 'a', cmp: 'eq', val: 'x', vals: ['y'] });
    rejects107({ key: 'a', cmp: 'in' });
    rejects107({ key: 'a', cmp: 'in', vals: [] });
    rejects107({ key: 'a', cmp: 'nin', vals: ['x'], val: 'y' });
    rejects107({ key: 'a', cmp: 'ex', val: 'x' });
    rejects107({ key: 'a', cmp: 'nex', vals: ['x'] });
    rejects107({ key: 'a', cmp: 'gt' });
    rejects107({ key: 'a', cmp: 'eq', val: 'x', nodes: [{ key: 'b', cmp: 'ex' }] });
  });
  it('rejects malformed logical nodes', () => {
    rejects107({ op: 'xor', nodes: [{ key: 'a', cmp: 'ex' }] });
    rejects107({ op: 'and' });
    rejects107({ op: 'or', nodes: [] });
    rejects107({ op: 'not', nodes: [{ key: 'a', cmp: 'ex' }, { key: 'b', cmp: 'ex' }] });
    rejects107({ op: 'and', key: 'a', nodes: [{ key: 'a', cmp: 'ex' }] });
    rejects107({ op: 'and', nodes: [{ key: 'a', cmp: 'ex' }, { key: 'b', cmp: 'eq' }] });
  });
  it('accepts ex / nex without a key', () => {
    assert.equal(m({ cmp: 'nex' }, { a: '1' }), true);
  });
});

describe('tags filter: client filter combined with a server-enforced one', () => {
  const client = compileTagsFilter({ key: 'ticker', cmp: 'eq', val: 'BTC' });
  const server = compileTagsFilter({ key: 'region', cmp: 'in', vals: ['eu'] });

  it('both must match; either alone when the other is absent', () => {
    const both = TagsFilter.both(client, server)!;
    assert.equal(both.matches({ ticker: 'BTC', region: 'eu' }), true);
    assert.equal(both.matches({ ticker: 'BTC', region: 'us' }), false);
    assert.equal(both.matches({ ticker: 'ETH', region: 'eu' }), false);
    assert.equal(TagsFilter.both(client, undefined), client);
    assert.equal(TagsFilter.both(undefined, server), server);
    assert.equal(TagsFilter.both(undefined, undefined), undefined);
  });

  it('the combination keys like the same and-tree sent as one filter, so the pool shares it', () => {
    const tree = compileTagsFilter({ op: 'and', nodes: [{ key: 'ticker', cmp: 'eq', val: 'BTC' }, { key: 'region', cmp: 'in', vals: ['eu'] }] });
    const both = TagsFilter.both(client, server)!;
    assert.equal(both.key, tree.key);
    assert.notEqual(TagsFilter.both(server, client)!.key, client.key);
    const pool = new TagsFilterPool();
    assert.equal(pool.acquire(both), pool.acquire(TagsFilter.both(client, server)!));
    assert.equal(pool.size, 1);
  });
});

describe('tags filter: canonical key and pool', () => {
  it('equal filters share a key, different ones do not', () => {
    const a = compileTagsFilter({ op: 'and', nodes: [{ key: 'a', cmp: 'eq', val: '1' }, { key: 'b', cmp: 'in', vals: ['x'] }] });
    const b = compileTagsFilter({ op: 'and', nodes: [{ key: 'a', cmp: 'eq', val: '1' }, { key: 'b', cmp: 'in', vals: ['x'] }] });
    const c = compileTagsFilter({ op: 'or', nodes: [{ key: 'a', cmp: 'eq', val: '1' }, { key: 'b', cmp: 'in', vals: ['x'] }] });
    const d = compileTagsFilter({ key: 'a:', cmp: 'eq', val: '1' });
    const e = compileTagsFilter({ key: 'a', cmp: 'eq', val: ':1' });
    assert.equal(a.key, b.key);
    assert.notEqual(a.key, c.key);
    assert.notEqual(d.key, e.key);
  });
  it('the pool interns by key and forgets released filters', () => {
    const pool = new TagsFilterPool();
    const f1 = pool.acquire(compileTagsFilter({ key: 'a', cmp: 'ex' }));
    const f2 = pool.acquire(compileTagsFilter({ key: 'a', cmp: 'ex' }));
    assert.equal(f1, f2);
    assert.equal(pool.size, 1);
    pool.release(f1);
    assert.equal(pool.size, 1);
    pool.release(f2);
    assert.equal(pool.size, 0);
    const f3 = pool.acquire(compileTagsFilter({ key: 'a', cmp: 'ex' }));
    assert.notEqual(f3, f1, 'a new filter after the last release');
  });
  it('passes() evaluates once per publication and follows each new one', () => {
    const f = compileTagsFilter({ key: 'k', cmp: 'eq', val: 'v' });
    const yes: Publication = { offset: 1, data: new Uint8Array(0), tags: { k: 'v' } };
    const no: Publication = { offset: 2, data: new Uint8Array(0), tags: { k: 'w' } };
    assert.equal(f.passes(yes), true);
    assert.equal(f.passes(yes), true);
    assert.equal(f.passes(no), false);
    assert.equal(f.passes(yes), true);
  });
});
