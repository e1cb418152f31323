/** @module config/unimplemented.test — the unimplemented-keys table, its start-up check and the README section. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ConfigError } from './errors.js';
import { SCHEMA, type FieldSpec } from './schema/index.js';
import { renderUnimplementedKeys, replaceSection } from './unimplemented-readme.js';
import { checkUnimplementedKeys, findUnimplemented, UNIMPLEMENTED_KEYS, type UnimplementedKey } from './unimplemented.js';
import { validateConfig } from './validate.js';

/** A raw (file-shaped) value other than the key's default, valid for its type. */
const OVERRIDES: Record<string, unknown> = {
  proxies: [{ name: 'p1', endpoint: 'http://127.0.0.1:1/proxy' }],
  rpc_namespaces: [{ name: 'rpcns' }],
  consumers: [{ name: 'c1', type: 'postgresql' }],
  proxy_http_status_code_transforms: [{ status_code: 404, to_error: { code: 404, message: 'not found' } }],
  proxy_subscribe_stream: true,
  proxy_subscribe_stream_bidirectional: true,
  admin_handler_prefix: '/my-admin',
  swagger_handler_prefix: '/my-swagger',
  sockjs_handler_prefix: '/my-sockjs',
  webtransport_handler_prefix: '/my-wt',
};

function nonDefault(key: string, spec: FieldSpec): unknown {
  if (key in OVERRIDES) return OVERRIDES[key];
  switch (spec.type) {
    case 'bool':
      return !spec.default;
    case 'int':
      return spec.default + 1;
    case 'string':
      return spec.values !== undefined ? spec.values.find((v) => v !== spec.default) : `${spec.default}x`;
    case 'duration':
      return spec.default === '0' ? '3s' : `${spec.default}3s`;
    case 'string[]':
    case 'string-or-string[]':
      return ['x'];
    case 'map':
      return { a: 'b' };
    case 'object':
      return { enabled: true };
    case 'object[]':
      return [{ name: 'x1' }];
  }
}

/** Raw config setting `entry`'s key (and what its `when` needs). */
function rawFor(entry: UnimplementedKey): Record<string, unknown> {
  const raw: Record<string, unknown> = { [entry.key]: nonDefault(entry.key, SCHEMA[entry.key]) };
  const gate = entry.when?.text.match(/`(\w+)` on/)?.[1];
  if (gate !== undefined) raw[gate] = true;
  if (entry.when?.text.includes('engine: redis')) raw.engine = 'redis';
  if (entry.when?.text.includes('broker: nats')) raw.broker = 'nats';
  return raw;
}

function capture(): { warnings: { message: string; fields: Record<string, unknown> | undefined }[]; warn(message: string, fields?: Record<string, unknown>): void } {
  const warnings: { message: string; fields: Record<string, unknown> | undefined }[] = [];
  return { warnings, warn: (message, fields) => warnings.push({ message, fields }) };
}

describe('unimplemented keys table', () => {
  it('names only schema keys, each once', () => {
    const keys = UNIMPLEMENTED_KEYS.map((e) => e.key);
    for (const k of keys) assert.ok(Object.hasOwn(SCHEMA, k), `${k} is a schema key`);
    assert.deepEqual(keys.filter((k, i) => keys.indexOf(k) !== i), []);
  });

  it('the default configuration sets none of them', () => {
    assert.deepEqual(findUnimplemented(validateConfig({})), []);
    const log = capture();
    checkUnimplementedKeys(validateConfig({}), log);
    assert.deepEqual(log.warnings, []);
  });

  for (const entry of UNIMPLEMENTED_KEYS) {
    const raw = rawFor(entry);
    if (entry.fatal === true) {
      it(`${entry.key}: stops start-up with a config error naming it`, () => {
        const log = capture();
        assert.throws(
          () => checkUnimplementedKeys(validateConfig(raw), log),
          (err: unknown) => err instanceof ConfigError && err.problems.length === 1 && err.problems[0]!.path === entry.key && err.message.includes(entry.key),
        );
        assert.deepEqual(log.warnings, []);
      });
    } else {
      it(`${entry.key}: exactly one warning naming it`, () => {
        const log = capture();
        checkUnimplementedKeys(validateConfig(raw), log);
        const mine = log.warnings.filter((w) => w.fields?.key === entry.key);
        assert.equal(mine.length, 1, JSON.stringify(log.warnings));
        assert.ok(mine[0]!.message.includes(`config key ${entry.key} is not implemented`), mine[0]!.message);
        // The only other warnings are about the switch the key depends on (set by this test), when
        // that switch is itself in the table.
        const others = log.warnings.filter((w) => w.fields?.key !== entry.key).map((w) => w.fields?.key);
        const listed = (k: string): boolean => UNIMPLEMENTED_KEYS.some((e) => e.key === k);
        assert.deepEqual(others, Object.keys(raw).filter((k) => k !== entry.key && listed(k)));
      });
    }
  }

  it('a gated key alone (its switch off) is not reported', () => {
    const gated = UNIMPLEMENTED_KEYS.filter((e) => e.when !== undefined);
    assert.ok(gated.length > 5);
    for (const entry of gated) {
      const raw = { [entry.key]: nonDefault(entry.key, SCHEMA[entry.key]) };
      assert.deepEqual(findUnimplemented(validateConfig(raw)), [], entry.key);
    }
  });

  it('a channel option set in several namespaces and at the top level is one warning listing every place', () => {
    const table: UnimplementedKey[] = [{ key: 'join_leave', reason: 'r' }];
    const config = validateConfig({
      join_leave: true,
      namespaces: [{ name: 'ns-a', join_leave: true }, { name: 'ns-b' }, { name: 'ns-c', join_leave: true }],
    });
    const log = capture();
    checkUnimplementedKeys(config, log, table);
    assert.equal(log.warnings.length, 1);
    assert.deepEqual(log.warnings[0]!.fields?.paths, ['join_leave', 'namespaces[0].join_leave', 'namespaces[2].join_leave']);
  });

  it('every fatal key set is named in one config error (a table with fatal rows)', () => {
    const table: UnimplementedKey[] = [
      { key: 'graphite', reason: 'r1', fatal: true },
      { key: 'webtransport', reason: 'r2', fatal: true },
      { key: 'gomaxprocs', reason: 'r3' },
    ];
    const log = capture();
    assert.throws(
      () => checkUnimplementedKeys(validateConfig({ graphite: true, webtransport: true, gomaxprocs: 2 }), log, table),
      (err: unknown) => err instanceof ConfigError && err.problems.map((p) => p.path).join() === 'graphite,webtransport',
    );
    assert.deepEqual(log.warnings.map((w) => w.fields?.key), ['gomaxprocs']);
  });
});

describe('README section of unimplemented keys', () => {
  it('is generated from the table and up to date (run `npm run docs:keys`)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    assert.equal(replaceSection(readme), readme);
  });

  it('lists every key of the table', () => {
    const text = renderUnimplementedKeys();
    for (const e of UNIMPLEMENTED_KEYS) assert.ok(text.includes(`\`${e.key}\``), e.key);
  });

  it('a changed table makes the section out of date', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const fewer = renderUnimplementedKeys(UNIMPLEMENTED_KEYS.slice(1));
    assert.notEqual(replaceSection(readme, fewer), readme);
  });
});
