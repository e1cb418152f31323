/** @module config/validate.test — every validation rule fails with its key path; several problems → one ConfigError. */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ConfigError } from './errors.js';
import { SCHEMA, type Config } from './schema/index.js';
import { defaultConfig, validateConfig } from './validate.js';

/** Asserts `raw` is rejected and that the message names `path` (and `pattern`, when given). */
function rejects(raw: Record<string, unknown>, path: string, pattern?: RegExp): ConfigError {
  let error: unknown;
  try {
    validateConfig(raw);
  } catch (err) {
    error = err;
  }
  assert.ok(error instanceof ConfigError, 'expected a ConfigError');
  assert.ok(error.message.includes(`${path}:`), `message should name ${path}:\n${error.message}`);
  assert.ok(error.problems.some((p) => p.path === path), `problems should include path ${path}`);
  if (pattern) assert.match(error.message, pattern);
  return error;
}

const history = { history_size: 10, history_ttl: '60s' };

void describe('defaults', () => {
  void test('defaultConfig has exactly the schema keys and the spec defaults', () => {
    const c = defaultConfig();
    assert.deepEqual(Object.keys(c).sort(), Object.keys(SCHEMA).sort());
    assert.equal(c.port, 8000);
    assert.equal(c.internal_port, 0);
    assert.equal(c.engine, 'memory');
    assert.equal(c.broker, '');
    assert.equal(c.log_level, 'info');
    assert.equal(c.disconnect_codes, 'classic');
    assert.equal(c.ping_interval, 25_000);
    assert.equal(c.pong_timeout, 8_000);
    assert.equal(c.shutdown_timeout, 30_000);
    assert.equal(c.global_history_meta_ttl, 720 * 3600 * 1000);
    assert.equal(c.global_presence_ttl, 60_000);
    assert.equal(c.client_channel_limit, 128);
    assert.equal(c.client_queue_max_size, 1_048_576);
    assert.equal(c.channel_private_prefix, '$');
    assert.deepEqual(c.redis_address, ['redis://127.0.0.1:6379']);
    assert.equal(c.nats_url, 'nats://127.0.0.1:4222');
    assert.deepEqual(c.nats_raw_mode, { enabled: false, prefix: '', channel_replacements: {} });
    assert.equal(c.websocket_handler_prefix, '/connection/websocket');
    assert.equal(c.grpc_api_port, 10000);
    assert.equal(c.uni_grpc_port, 11000);
    assert.equal(c.websocket_message_size_limit, 65536);
    assert.deepEqual(c.namespaces, []);
    assert.deepEqual(c.allowed_origins, []);
  });

  void test('the config is deep-frozen', () => {
    const c = validateConfig({ namespaces: [{ name: 'chat', allowed_delta_types: ['fossil'] }] });
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.namespaces));
    assert.ok(Object.isFrozen(c.namespaces[0]));
    assert.ok(Object.isFrozen(c.namespaces[0]?.allowed_delta_types));
    assert.ok(Object.isFrozen(c.nats_raw_mode.channel_replacements));
    assert.throws(() => {
      (c as { port: number }).port = 1;
    }, TypeError);
  });

  void test('Config carries typed values (compile-time checked)', () => {
    const c: Config = validateConfig({ engine: 'redis', namespaces: [{ name: 'chat', presence: true }] });
    const engine: 'memory' | 'redis' = c.engine;
    const presence: boolean | undefined = c.namespaces[0]?.presence;
    const mode: '' | 'stream' | 'cache' = c.force_recovery_mode;
    assert.equal(engine, 'redis');
    assert.equal(presence, true);
    assert.equal(mode, '');
  });

  void test('config.dev.json passes validation with the development values', () => {
    const raw: unknown = JSON.parse(readFileSync(new URL('../../config.dev.json', import.meta.url), 'utf8'));
    const c = validateConfig(raw);
    assert.equal(c.api_key, 'dev-api-key');
    assert.equal(c.token_hmac_secret_key, 'dev-hmac-secret');
    assert.deepEqual(c.allowed_origins, ['*']);
    assert.equal(c.health, true);
    assert.equal(c.prometheus, true);
    assert.equal(c.allow_anonymous_connect_without_token, true);
    assert.equal(c.history_ttl, 0, 'top-level channels keep no history (README curl answers {"result":{}})');
    assert.equal(c.namespaces[0]?.name, 'chat');
    assert.equal(c.namespaces[0]?.history_ttl, 300_000);
    assert.equal(c.namespaces[0]?.force_recovery, true);
    assert.equal(c.namespaces[0]?.presence, true);
    assert.notEqual(c.admin_password, '');
    assert.notEqual(c.admin_secret, '');
  });
});

void describe('normalisation', () => {
  void test('handler prefixes: trailing / trimmed, empty becomes /', () => {
    const c = validateConfig({ websocket_handler_prefix: '/ws/', api_handler_prefix: '/', health_handler_prefix: '/h//' });
    assert.equal(c.websocket_handler_prefix, '/ws');
    assert.equal(c.api_handler_prefix, '/');
    assert.equal(c.health_handler_prefix, '/h');
    assert.equal(c.admin_handler_prefix, '/');
  });

  void test('port and internal_port accept numeric strings; internal_port "" = 0', () => {
    const c = validateConfig({ port: '9000', internal_port: '' });
    assert.equal(c.port, 9000);
    assert.equal(c.internal_port, 0);
  });

  void test('redis_address accepts a string or a list', () => {
    assert.deepEqual(validateConfig({ redis_address: 'redis://a:6379' }).redis_address, ['redis://a:6379']);
    assert.deepEqual(validateConfig({ redis_address: ['a:1', 'b:2'] }).redis_address, ['a:1', 'b:2']);
  });

  void test('channel_regex keeps its source string', () => {
    assert.equal(validateConfig({ channel_regex: '^[a-z]+$' }).channel_regex, '^[a-z]+$');
  });
});

void describe('one failing config per validation rule', () => {
  void test('namespace name must match ^[-a-zA-Z0-9_.]{2,}$', () => {
    rejects({ namespaces: [{ name: 'a' }] }, 'namespaces[0].name', /invalid namespace name "a"/);
    rejects({ namespaces: [{ name: 'bad name' }] }, 'namespaces[0].name');
    rejects({ namespaces: [{ presence: true }] }, 'namespaces[0].name', /required/);
    assert.equal(validateConfig({ namespaces: [{ name: 'a.b-c_1' }] }).namespaces[0]?.name, 'a.b-c_1');
  });

  void test('namespace names must be unique', () => {
    rejects({ namespaces: [{ name: 'chat' }, { name: 'chat' }] }, 'namespaces[1].name', /not unique/);
  });

  void test('rpc namespace names: regex and uniqueness', () => {
    rejects({ rpc_namespaces: [{ name: 'x', rpc_proxy_name: 'p' }] }, 'rpc_namespaces[0].name');
    rejects({ rpc_namespaces: [{ name: 'rpc' }, { name: 'rpc' }] }, 'rpc_namespaces[1].name', /not unique/);
    assert.deepEqual(validateConfig({ rpc_namespaces: [{ name: 'rpc', rpc_proxy_name: 'p' }] }).rpc_namespaces, [
      { name: 'rpc', rpc_proxy_name: 'p' },
    ]);
  });

  void test('history_size and history_ttl both zero or both non-zero', () => {
    rejects({ history_size: 10 }, 'history_ttl', /both history size and history ttl required for history/);
    rejects({ history_ttl: '60s' }, 'history_size', /both history size and history ttl required for history/);
    rejects({ namespaces: [{ name: 'chat', history_size: 5 }] }, 'namespaces[0].history_ttl', /namespace "chat": both history size/);
  });

  void test('effective history meta ttl must be >= history_ttl', () => {
    rejects({ namespaces: [{ name: 'chat', ...history, history_meta_ttl: '30s' }] }, 'namespaces[0].history_meta_ttl');
    rejects({ ...history, global_history_meta_ttl: '30s' }, 'global_history_meta_ttl');
    validateConfig({ ...history, history_meta_ttl: '60s', global_history_meta_ttl: '30s' });
  });

  void test('force_recovery requires history', () => {
    rejects({ force_recovery: true }, 'force_recovery', /requires history/);
    rejects({ namespaces: [{ name: 'chat', force_recovery: true }] }, 'namespaces[0].force_recovery');
    validateConfig({ ...history, force_recovery: true });
  });

  void test('channel_regex must compile', () => {
    rejects({ channel_regex: '([a-z' }, 'channel_regex', /invalid regular expression/);
    rejects({ namespaces: [{ name: 'chat', channel_regex: '*' }] }, 'namespaces[0].channel_regex');
  });

  void test('allowed_delta_types only fossil', () => {
    rejects({ allowed_delta_types: ['fossil', 'xdelta'] }, 'allowed_delta_types[1]', /unknown delta type "xdelta"/);
    assert.deepEqual(validateConfig({ allowed_delta_types: ['fossil'] }).allowed_delta_types, ['fossil']);
  });

  void test('force_recovery_mode in "", stream, cache', () => {
    rejects({ force_recovery_mode: 'memory' }, 'force_recovery_mode', /must be one of "", "stream", "cache"/);
    rejects({ namespaces: [{ name: 'chat', force_recovery_mode: 'x' }] }, 'namespaces[0].force_recovery_mode');
    assert.equal(validateConfig({ force_recovery_mode: 'cache' }).force_recovery_mode, 'cache');
  });

  void test('subscribe stream proxy can not be combined with other channel proxies', () => {
    rejects({ proxy_subscribe_stream: true, proxy_publish: true }, 'proxy_subscribe_stream');
  });

  void test('user_personal_channel_namespace must exist', () => {
    rejects({ user_personal_channel_namespace: 'personal' }, 'user_personal_channel_namespace', /"personal".*not found/);
    validateConfig({ user_personal_channel_namespace: 'personal', namespaces: [{ name: 'personal' }] });
  });

  void test('user_personal_single_connection requires presence on the personal namespace or top level', () => {
    rejects({ user_personal_single_connection: true }, 'user_personal_single_connection', /top level/);
    rejects(
      { user_personal_single_connection: true, user_personal_channel_namespace: 'personal', namespaces: [{ name: 'personal' }], presence: true },
      'user_personal_single_connection',
      /namespace "personal"/,
    );
    validateConfig({ user_personal_single_connection: true, presence: true });
    validateConfig({
      user_personal_single_connection: true,
      user_personal_channel_namespace: 'personal',
      namespaces: [{ name: 'personal', presence: true }],
    });
  });

  void test('pong_timeout must be less than ping_interval when both enabled', () => {
    rejects({ ping_interval: '10s', pong_timeout: '10s' }, 'pong_timeout', /must be less than ping_interval/);
    validateConfig({ ping_interval: '-1s', pong_timeout: '30s' });
    validateConfig({ ping_interval: '10s', pong_timeout: '-1s' });
  });

  void test('api_error_mode and grpc_api_error_mode in "", transport', () => {
    rejects({ api_error_mode: 'http' }, 'api_error_mode');
    rejects({ grpc_api_error_mode: 'grpc' }, 'grpc_api_error_mode');
    assert.equal(validateConfig({ api_error_mode: 'transport' }).api_error_mode, 'transport');
  });

  void test('engine in memory, redis', () => {
    rejects({ engine: 'tarantool' }, 'engine', /must be one of "memory", "redis", got "tarantool"/);
  });

  void test('broker in "", nats', () => {
    rejects({ broker: 'kafka' }, 'broker');
    assert.equal(validateConfig({ broker: 'nats' }).broker, 'nats');
  });

  void test('disconnect_codes in classic, ranged', () => {
    rejects({ disconnect_codes: 'v1' }, 'disconnect_codes');
    assert.equal(validateConfig({ disconnect_codes: 'ranged' }).disconnect_codes, 'ranged');
  });

  void test('log_level in none, trace, debug, info, warn, error, fatal', () => {
    rejects({ log_level: 'verbose' }, 'log_level');
    for (const level of ['none', 'trace', 'debug', 'info', 'warn', 'error', 'fatal']) {
      assert.equal(validateConfig({ log_level: level }).log_level, level);
    }
  });

  void test('audience/issuer and their regex variants are exclusive (connection and subscription tokens)', () => {
    rejects({ token_audience: 'a', token_audience_regex: 'a.*' }, 'token_audience_regex');
    rejects({ token_issuer: 'i', token_issuer_regex: 'i.*' }, 'token_issuer_regex');
    rejects({ subscription_token_audience: 'a', subscription_token_audience_regex: 'a' }, 'subscription_token_audience_regex');
    rejects({ subscription_token_issuer: 'i', subscription_token_issuer_regex: 'i' }, 'subscription_token_issuer_regex');
    rejects({ token_audience_regex: '(' }, 'token_audience_regex', /invalid regular expression/);
  });

  void test('token regexes use Go syntax: (?P<name>…) groups are accepted like (?<name>…)', () => {
    assert.equal(validateConfig({ token_issuer_regex: '^https://id\\.example/(?P<tenant>acme|globex)$' }).token_issuer_regex, '^https://id\\.example/(?P<tenant>acme|globex)$');
    assert.equal(validateConfig({ token_audience_regex: '(?i)^(?<aud>rotor)$' }).token_audience_regex, '(?i)^(?<aud>rotor)$');
    assert.equal(validateConfig({ namespaces: [{ name: 'ns', channel_regex: '^(?P<id>[0-9]+)$' }] }).namespaces[0]!.channel_regex, '^(?P<id>[0-9]+)$');
  });

  void test('JWKS endpoint templates filled from unsafe regex groups are refused; the escape hatch accepts them', () => {
    const endpoint = 'https://keys.example/{{tenant}}/jwks.json';
    for (const group of ['.+', '[a-z0-9-]+', '\\w+']) {
      rejects({ token_jwks_public_endpoint: endpoint, token_issuer_regex: `^https://id\\.example/(?P<tenant>${group})$` }, 'token_jwks_public_endpoint', /unsafe JWKS endpoint template/);
    }
    rejects({ token_jwks_public_endpoint: endpoint, token_audience_regex: '^(?<tenant>acme)-\\d$' }, 'token_jwks_public_endpoint', /token_audience_regex contains a character class/);
    rejects({ token_jwks_public_endpoint: endpoint }, 'token_jwks_public_endpoint', /\{\{tenant\}\} is not a named group/);
    rejects(
      { separate_subscription_token_config: true, subscription_token_jwks_public_endpoint: endpoint, subscription_token_issuer_regex: '(?P<tenant>.*)' },
      'subscription_token_jwks_public_endpoint',
    );
    const safe = validateConfig({ token_jwks_public_endpoint: endpoint, token_issuer_regex: '^https://id\\.example/(?P<tenant>acme|globex)$' });
    assert.equal(safe.token_jwks_public_endpoint, endpoint);
    const skipped = validateConfig({ token_jwks_public_endpoint: endpoint, token_issuer_regex: '(?P<tenant>.+)', token_insecure_skip_jwks_endpoint_safety_check: true });
    assert.equal(skipped.token_insecure_skip_jwks_endpoint_safety_check, true);
    // A plain URL is not a template: any regex goes.
    assert.equal(validateConfig({ token_jwks_public_endpoint: 'https://k.example/jwks', token_issuer_regex: '[a-z]+' }).token_issuer_regex, '[a-z]+');
  });

  void test('token_user_id_claim must match ^[a-zA-Z_]+$', () => {
    rejects({ token_user_id_claim: 'user-id' }, 'token_user_id_claim');
    rejects({ subscription_token_user_id_claim: 'user1' }, 'subscription_token_user_id_claim');
    assert.equal(validateConfig({ token_user_id_claim: 'user_id' }).token_user_id_claim, 'user_id');
  });

  void test('redis_sentinel_address requires redis_sentinel_master_name', () => {
    rejects({ redis_sentinel_address: ['127.0.0.1:26379'] }, 'redis_sentinel_master_name');
    validateConfig({ redis_sentinel_address: ['127.0.0.1:26379'], redis_sentinel_master_name: 'mymaster' });
  });

  void test('cluster and sentinel entries must be host:port lists', () => {
    rejects({ redis_cluster_address: ['127.0.0.1:7000,localhost'] }, 'redis_cluster_address[0]', /malformed address "localhost"/);
    rejects({ redis_sentinel_address: ['sentinel'], redis_sentinel_master_name: 'm' }, 'redis_sentinel_address[0]');
    const c = validateConfig({ redis_cluster_address: ['127.0.0.1:7000, 127.0.0.1:7001', '[::1]:7002'] });
    assert.deepEqual(c.redis_cluster_address, ['127.0.0.1:7000, 127.0.0.1:7001', '[::1]:7002']);
  });

  void test('ports in 0..65535', () => {
    rejects({ port: 70000 }, 'port', /between 0 and 65535/);
    rejects({ internal_port: -1 }, 'internal_port');
    rejects({ grpc_api_port: 65536 }, 'grpc_api_port');
    rejects({ uni_grpc_port: '1e3' }, 'uni_grpc_port', /expected an integer/);
    assert.equal(validateConfig({ port: 0 }).port, 0);
  });

  void test('granular proxies need valid unique names', () => {
    rejects({ proxies: [{ name: 'p', endpoint: 'http://x' }] }, 'proxies[0].name');
    rejects({ consumers: [{ name: 'a-b', type: 'kafka' }] }, 'consumers[0].name');
  });
});

void describe('wrong value types', () => {
  void test('"presence": "yes" names the key path, at top level and in a namespace', () => {
    rejects({ presence: 'yes' }, 'presence', /expected a boolean, got string "yes"/);
    rejects({ namespaces: [{ name: 'ok' }, { name: 'chat', presence: 'yes' }] }, 'namespaces[1].presence');
  });

  void test('namespace values use strict JSON types (no string bools or string ints)', () => {
    rejects({ namespaces: [{ name: 'chat', presence: 'true' }] }, 'namespaces[0].presence');
    rejects({ namespaces: [{ name: 'chat', history_size: '10', history_ttl: '1s' }] }, 'namespaces[0].history_size');
  });

  void test('top-level values follow viper coercion (ParseBool strings, numeric strings)', () => {
    const c = validateConfig({ presence: 'true', history_size: '10', history_ttl: '10s', api_key: 12345 });
    assert.equal(c.presence, true);
    assert.equal(c.history_size, 10);
    assert.equal(c.api_key, '12345');
  });

  void test('lists, maps and objects are type-checked', () => {
    rejects({ allowed_origins: [1, {}] }, 'allowed_origins[1]');
    rejects({ namespaces: { name: 'chat' } }, 'namespaces', /expected a list of objects/);
    rejects({ nats_raw_mode: { enabled: true, channel_replacements: { ':': 1 } } }, 'nats_raw_mode.channel_replacements.:');
    rejects({ nats_raw_mode: 'on' }, 'nats_raw_mode', /expected an object/);
  });

  void test('validateConfig requires an object', () => {
    assert.throws(() => validateConfig([]), ConfigError);
    assert.throws(() => validateConfig(null), ConfigError);
  });
});

void describe('several problems', () => {
  void test('several bad keys give one ConfigError naming all of them', () => {
    let error: unknown;
    try {
      validateConfig({
        engine: 'x',
        presence: 'yes',
        port: 99999,
        history_ttl: 300,
        namespaces: [{ name: 'a' }, { name: 'ok', force_recovery: true }],
        token_user_id_claim: '-',
      });
    } catch (err) {
      error = err;
    }
    assert.ok(error instanceof ConfigError);
    assert.equal(error.code, 'ERR_CONFIG');
    assert.equal(error.name, 'ConfigError');
    const paths = error.problems.map((p) => p.path).sort();
    assert.deepEqual(paths, [
      'engine',
      'history_ttl',
      'namespaces[0].name',
      'namespaces[1].force_recovery',
      'port',
      'presence',
      'token_user_id_claim',
    ]);
    for (const path of paths) assert.ok(error.message.includes(`${path}:`), `message names ${path}`);
    assert.match(error.message, /^invalid configuration \(7 problems\):\n/);
  });
});

void describe('uni connect code to HTTP response', () => {
  void test('enabled transforms need a code and an HTTP status 200–599', () => {
    const key = 'uni_sse_connect_code_to_http_response';
    rejects({ [key]: { enabled: true, transforms: [{ code: 109, to: { status_code: 99, body: 'x' } }] } }, `${key}.transforms[0].to.status_code`);
    rejects({ uni_http_stream_connect_code_to_http_response: { enabled: true, transforms: [{ code: 0, to: { status_code: 401 } }] } }, 'uni_http_stream_connect_code_to_http_response.transforms[0].code');
    const ok = validateConfig({ [key]: { enabled: true, transforms: [{ code: 109, to: { status_code: 401, body: 'expired' } }] } });
    assert.deepEqual(ok[key].transforms[0], { code: 109, to: { status_code: 401, body: 'expired' } });
    // Disabled transforms are not checked (they are never used).
    validateConfig({ [key]: { enabled: false, transforms: [{ code: 0, to: { status_code: 0 } }] } });
  });
});
