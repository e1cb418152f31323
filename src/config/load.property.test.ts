/**
 * @module config/load.property.test — property-based tests of the config loader: any file text in any
 * format and any raw key/value mix gives a frozen Config or a ConfigError naming keys, nothing else.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { configObjects, unitParams } from '../../test/fuzz/arbitraries.js';
import { ConfigError } from './errors.js';
import { parseConfigText } from './file.js';
import { SCHEMA } from './schema/index.js';
import { validateConfig } from './validate.js';

const KEYS = Object.keys(SCHEMA);

function onlyConfigErrors(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    assert.ok(err.problems.length > 0, 'a ConfigError lists its problems');
    return undefined;
  }
}

void describe('config loader: properties', () => {
  void it('validateConfig: any raw object gives a frozen Config or a ConfigError with problems', () => {
    fc.assert(
      fc.property(configObjects(KEYS), (raw) => {
        const config = onlyConfigErrors(() => validateConfig(raw));
        if (config !== undefined) assert.ok(Object.isFrozen(config));
      }),
      unitParams(),
    );
  });

  void it('parseConfigText: any text in JSON, YAML or TOML gives an object or a ConfigError', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      configObjects(KEYS).map((o) => JSON.stringify(o)),
      configObjects(KEYS).map((o) => Object.entries(o).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join('\n')),
      configObjects(KEYS).map((o) => Object.entries(o).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('\n')),
    );
    fc.assert(
      fc.property(text, fc.constantFrom<'json' | 'yaml' | 'toml'>('json', 'yaml', 'toml'), (body, format) => {
        const parsed = onlyConfigErrors(() => parseConfigText(body, format, `config.${format}`));
        if (parsed !== undefined) onlyConfigErrors(() => validateConfig(parsed));
      }),
      unitParams(),
    );
  });
});
