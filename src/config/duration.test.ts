/** @module config/duration.test — Go ParseDuration syntax and the config-level duration rules (Centrifugo's configuration sources and precedence). */
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { DurationError, formatDuration, parseDuration } from './duration.js';
import { ConfigError } from './errors.js';
import { validateConfig } from './validate.js';

function problemsOf(raw: Record<string, unknown>): ConfigError {
  try {
    validateConfig(raw);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err;
  }
  assert.fail('expected a ConfigError');
}

void describe('parseDuration accepts Go time.ParseDuration syntax and returns milliseconds', () => {
  const cases: [string, number][] = [
    ['300ms', 300],
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['720h', 2_592_000_000],
    ['1h2m3s4ms', 3_723_004],
    ['-1s', -1000],
    ['+5s', 5000],
    ['0', 0],
    ['-0', 0],
    ['0s', 0],
    ['.5s', 500],
    ['1.s', 1000],
    ['1500us', 1.5],
    ['1µs', 0.001],
    ['1μs', 0.001],
    ['2000000ns', 2],
  ];
  for (const [text, ms] of cases) {
    void test(`${JSON.stringify(text)} = ${ms} ms`, () => {
      assert.equal(parseDuration(text), ms);
    });
  }
});

void describe('parseDuration rejects what Go rejects, with Go-like messages', () => {
  const cases: [string, RegExp][] = [
    ['', /invalid duration ""/],
    ['300', /missing unit in duration "300"/],
    ['1d', /unknown unit "d" in duration "1d"/],
    ['s', /invalid duration "s"/],
    ['.s', /invalid duration ".s"/],
    ['-', /invalid duration "-"/],
    ['1s2', /missing unit/],
    ['abc', /invalid duration/],
    ['3000000h', /invalid duration/], // > max int64 nanoseconds
  ];
  for (const [text, message] of cases) {
    void test(`${JSON.stringify(text)} throws DurationError`, () => {
      assert.throws(() => parseDuration(text), (err: unknown) => err instanceof DurationError && message.test(err.message));
    });
  }
});

void test('formatDuration prints Go style', () => {
  assert.equal(formatDuration(604_800_000), '168h0m0s');
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(300), '300ms');
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(-1000), '-1s');
});

void describe('duration keys in the config', () => {
  void test('top-level bare number other than 0 is a malformed duration naming the key', () => {
    const err = problemsOf({ client_stale_close_delay: 10 });
    assert.match(err.message, /malformed duration for key 'client_stale_close_delay'/);
    assert.equal(err.problems[0]?.path, 'client_stale_close_delay');
  });

  void test('top-level bare 0 is allowed', () => {
    assert.equal(validateConfig({ client_stale_close_delay: 0 }).client_stale_close_delay, 0);
  });

  void test('unparsable text is a malformed duration naming the key and Go error', () => {
    const err = problemsOf({ shutdown_timeout: '30 seconds' });
    assert.match(err.message, /shutdown_timeout: malformed duration for key 'shutdown_timeout': time: unknown unit/);
  });

  void test('values in (0, 1ms) are rejected', () => {
    const err = problemsOf({ client_expired_close_delay: '500us' });
    assert.match(err.message, /client_expired_close_delay: duration for key 'client_expired_close_delay' must be 0 or at least 1ms/);
  });

  void test('durations become milliseconds', () => {
    const c = validateConfig({ client_expired_close_delay: '1m30s', shutdown_timeout: '1.5s', redis_io_timeout: '250ms' });
    assert.equal(c.client_expired_close_delay, 90_000);
    assert.equal(c.shutdown_timeout, 1500);
    assert.equal(c.redis_io_timeout, 250);
  });

  for (const key of ['history_ttl', 'history_meta_ttl', 'global_history_meta_ttl', 'global_presence_ttl']) {
    void test(`${key} requires whole seconds`, () => {
      assert.match(problemsOf({ [key]: '1500ms', history_size: 10 }).message, new RegExp(`${key}: .*sub-second precision is not supported`));
      assert.match(problemsOf({ [key]: '500ms', history_size: 10 }).message, new RegExp(`${key}: .*minimal duration resolution is 1s`));
    });
  }

  void test('whole-seconds rule also applies inside namespaces', () => {
    const err = problemsOf({ namespaces: [{ name: 'chat', history_size: 10, history_ttl: '2.5s' }] });
    assert.match(err.message, /namespaces\[0\]\.history_ttl: .*sub-second precision is not supported/);
  });

  void test('inside namespace objects a JSON number is nanoseconds', () => {
    const c = validateConfig({ namespaces: [{ name: 'chat', history_size: 10, history_ttl: 300_000_000_000 }] });
    assert.equal(c.namespaces[0]?.history_ttl, 300_000);
  });

  void test('a negative duration disables ping_interval and pong_timeout (normalised to -1)', () => {
    const c = validateConfig({ ping_interval: '-1s', pong_timeout: '-5s' });
    assert.equal(c.ping_interval, -1);
    assert.equal(c.pong_timeout, -1);
  });

  void test('ping_interval/pong_timeout of 0 mean the defaults 25s/8s', () => {
    const c = validateConfig({ ping_interval: '0s', pong_timeout: 0 });
    assert.equal(c.ping_interval, 25_000);
    assert.equal(c.pong_timeout, 8_000);
  });

  void test('a negative duration is rejected for other keys', () => {
    assert.match(problemsOf({ shutdown_timeout: '-1s' }).message, /shutdown_timeout: duration for key 'shutdown_timeout' must not be negative/);
  });
});
