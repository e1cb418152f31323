/** @module engines/nats/options.test — config keys → NATS options. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { natsOptionsFromConfig } from './options.js';

void describe('natsOptionsFromConfig', () => {
  void it('applies Centrifugo defaults to an empty config', () => {
    assert.deepEqual(natsOptionsFromConfig({}), {
      url: 'nats://127.0.0.1:4222',
      prefix: 'centrifugo',
      dialTimeoutMs: 1000,
      writeTimeoutMs: 1000,
      allowWildcards: false,
      rawMode: { enabled: false, prefix: '', channelReplacements: {} },
    });
  });

  void it('reads every key', () => {
    const options = natsOptionsFromConfig({
      nats_url: 'nats://u:p@h:4333',
      nats_prefix: 'app',
      nats_dial_timeout: 250,
      nats_write_timeout: 500,
      nats_allow_wildcards: true,
      nats_raw_mode: { enabled: true, prefix: 'raw.', channel_replacements: { ':': '.' } },
    });
    assert.deepEqual(options, {
      url: 'nats://u:p@h:4333',
      prefix: 'app',
      dialTimeoutMs: 250,
      writeTimeoutMs: 500,
      allowWildcards: true,
      rawMode: { enabled: true, prefix: 'raw.', channelReplacements: { ':': '.' } },
    });
  });

  void it('accepts dotted raw-mode keys and treats empty/invalid values as defaults', () => {
    const options = natsOptionsFromConfig({
      nats_url: '',
      nats_prefix: '',
      nats_dial_timeout: 0,
      nats_write_timeout: Number.NaN,
      'nats_raw_mode.enabled': true,
      'nats_raw_mode.prefix': 'r.',
      'nats_raw_mode.channel_replacements': { '#': '_' },
    });
    assert.equal(options.url, 'nats://127.0.0.1:4222');
    assert.equal(options.prefix, 'centrifugo');
    assert.equal(options.dialTimeoutMs, 1000);
    assert.equal(options.writeTimeoutMs, 1000);
    assert.deepEqual(options.rawMode, { enabled: true, prefix: 'r.', channelReplacements: { '#': '_' } });
  });
});
