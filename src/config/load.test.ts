/** @module config/load.test — file formats, env, flags and their precedence (Centrifugo's configuration sources and precedence). */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError } from './errors.js';
import { loadConfig } from './load.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rotor-config-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** Loads with an isolated environment (never the test runner's own CENTRIFUGO_* variables). */
function load(configPath: string, env: NodeJS.ProcessEnv = {}, flags?: Record<string, unknown>) {
  return loadConfig({ configPath, env, flags, cwd: dir });
}

async function loadError(p: Promise<unknown>): Promise<ConfigError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a ConfigError');
}

void describe('the same settings from JSON, YAML, TOML, env and flags give deep-equal configs', () => {
  const namespaces = [{ name: 'chat', presence: true, history_size: 5, history_ttl: '30s', allowed_delta_types: ['fossil'] }];
  const json = {
    engine: 'redis',
    port: 9000,
    presence: true,
    history_size: 10,
    history_ttl: '60s',
    ping_interval: '20s',
    allowed_origins: ['http://a.example', 'http://b.example'],
    redis_address: ['127.0.0.1:6379', '127.0.0.1:6380'],
    namespaces,
    nats_raw_mode: { enabled: true, channel_replacements: { ':': '.' } },
    log_level: 'debug',
  };
  const yaml = `engine: redis
port: 9000
presence: true
history_size: 10
history_ttl: 60s
ping_interval: 20s
allowed_origins:
  - http://a.example
  - http://b.example
redis_address: ["127.0.0.1:6379", "127.0.0.1:6380"]
namespaces:
  - name: chat
    presence: true
    history_size: 5
    history_ttl: 30s
    allowed_delta_types: [fossil]
nats_raw_mode:
  enabled: true
  channel_replacements:
    ":": "."
log_level: debug
`;
  const toml = `engine = "redis"
port = 9000
presence = true
history_size = 10
history_ttl = "60s"
ping_interval = "20s"
allowed_origins = ["http://a.example", "http://b.example"]
redis_address = ["127.0.0.1:6379", "127.0.0.1:6380"]
log_level = "debug"

[nats_raw_mode]
enabled = true
channel_replacements = { ":" = "." }

[[namespaces]]
name = "chat"
presence = true
history_size = 5
history_ttl = "30s"
allowed_delta_types = ["fossil"]
`;
  const env = {
    CENTRIFUGO_ENGINE: 'redis',
    CENTRIFUGO_PORT: '9000',
    CENTRIFUGO_PRESENCE: 'true',
    CENTRIFUGO_HISTORY_SIZE: '10',
    CENTRIFUGO_HISTORY_TTL: '60s',
    CENTRIFUGO_PING_INTERVAL: '20s',
    CENTRIFUGO_ALLOWED_ORIGINS: 'http://a.example http://b.example',
    CENTRIFUGO_REDIS_ADDRESS: '127.0.0.1:6379 127.0.0.1:6380',
    CENTRIFUGO_NAMESPACES: JSON.stringify(namespaces),
    CENTRIFUGO_NATS_RAW_MODE_ENABLED: 'true',
    CENTRIFUGO_NATS_RAW_MODE_CHANNEL_REPLACEMENTS: '{":":"."}',
    CENTRIFUGO_LOG_LEVEL: 'debug',
  };
  const flags = {
    engine: 'redis',
    port: '9000',
    presence: true,
    history_size: '10',
    history_ttl: '60s',
    ping_interval: '20s',
    allowed_origins: ['http://a.example', 'http://b.example'],
    redis_address: '127.0.0.1:6379 127.0.0.1:6380',
    namespaces,
    nats_raw_mode: { enabled: true, channel_replacements: { ':': '.' } },
    log_level: 'debug',
  };

  void test('all five sources agree, and the values are the expected ones', async () => {
    const fromJson = await load(await file('same.json', JSON.stringify(json)));
    const fromYaml = await load(await file('same.yaml', yaml));
    const fromYml = await load(await file('same.yml', yaml));
    const fromToml = await load(await file('same.toml', toml));
    const fromEnv = await load('absent.json', env);
    const fromFlags = await load('absent.json', {}, flags);
    for (const other of [fromYaml, fromYml, fromToml, fromEnv, fromFlags]) assert.deepEqual(other.config, fromJson.config);
    const c = fromJson.config;
    assert.equal(c.engine, 'redis');
    assert.equal(c.port, 9000);
    assert.equal(c.history_ttl, 60_000);
    assert.equal(c.ping_interval, 20_000);
    assert.deepEqual(c.redis_address, ['127.0.0.1:6379', '127.0.0.1:6380']);
    assert.equal(c.namespaces[0]?.history_ttl, 30_000);
    assert.deepEqual(c.nats_raw_mode, { enabled: true, prefix: '', channel_replacements: { ':': '.' } });
    assert.equal(fromJson.configFile, join(dir, 'same.json'));
    assert.equal(fromEnv.configFile, undefined);
  });
});

void describe('precedence: flag > env > file > default', () => {
  void test('each layer wins over the ones below it', async () => {
    const path = await file('prec.json', JSON.stringify({ port: 1001, api_key: 'file' }));
    assert.equal((await load('absent.json')).config.port, 8000);
    assert.equal((await load(path)).config.port, 1001);
    assert.equal((await load(path, { CENTRIFUGO_PORT: '1002' })).config.port, 1002);
    const top = await load(path, { CENTRIFUGO_PORT: '1002' }, { port: '1003' });
    assert.equal(top.config.port, 1003);
    assert.equal(top.config.api_key, 'file');
  });

  void test('an empty env value counts as unset', async () => {
    const path = await file('empty-env.json', JSON.stringify({ api_key: 'file' }));
    assert.equal((await load(path, { CENTRIFUGO_API_KEY: '' })).config.api_key, 'file');
  });

  void test('undefined flags are ignored', async () => {
    const path = await file('undef-flag.json', JSON.stringify({ port: 1001 }));
    assert.equal((await load(path, {}, { port: undefined })).config.port, 1001);
  });

  void test('object keys merge per field across layers', async () => {
    const path = await file('nested.json', JSON.stringify({ nats_raw_mode: { enabled: true, prefix: 'file' } }));
    const c = (await load(path, { CENTRIFUGO_NATS_RAW_MODE_PREFIX: 'env' })).config;
    assert.deepEqual(c.nats_raw_mode, { enabled: true, prefix: 'env', channel_replacements: {} });
  });

  void test('an unknown flag key is a problem', async () => {
    const err = await loadError(load('absent.json', {}, { no_such_key: 1 }));
    assert.match(err.message, /no_such_key: unknown flag/);
  });
});

void describe('config file handling', () => {
  void test('missing file is a warning, not an error', async () => {
    const r = await load('does-not-exist.json');
    assert.ok(r.warnings.includes('config file not found'));
    assert.equal(r.configFile, undefined);
    assert.equal(r.config.port, 8000);
  });

  void test('default path is config.json in cwd', async () => {
    const sub = await mkdtemp(join(dir, 'cwd-'));
    await writeFile(join(sub, 'config.json'), '{"api_key":"from-cwd"}');
    const r = await loadConfig({ cwd: sub, env: {} });
    assert.equal(r.config.api_key, 'from-cwd');
    assert.equal(r.configFile, join(sub, 'config.json'));
  });

  void test('JSON syntax error is fatal and reports line and column', async () => {
    const path = await file('broken.json', '{\n  "port": 8000,\n  "api_key": \n}\n');
    const err = await loadError(load(path));
    assert.match(err.message, /JSON syntax error around line 4, column 1: invalid character '}' looking for beginning of value/);
    assert.equal(err.problems[0]?.path, path);
  });

  void test('truncated JSON reports the end position', async () => {
    const path = await file('truncated.json', '{\n "port": 1');
    assert.match((await loadError(load(path))).message, /JSON syntax error around line 2, column 11: unexpected end of JSON input/);
  });

  void test('YAML and TOML syntax errors are fatal', async () => {
    assert.match((await loadError(load(await file('broken.yaml', 'a: [1, 2\nb: c: d\n')))).message, /YAML syntax error/);
    assert.match((await loadError(load(await file('broken.toml', 'port = = 1\n')))).message, /TOML syntax error/);
  });

  void test('an unsupported extension is fatal', async () => {
    assert.match((await loadError(load(await file('config.ini', 'port=1')))).message, /unsupported config file extension/);
  });

  void test('a non-object top level is fatal; an empty YAML document is {}', async () => {
    assert.match((await loadError(load(await file('array.json', '[1]')))).message, /must contain an object/);
    assert.equal((await load(await file('empty.yaml', ''))).config.port, 8000);
  });

  void test('keys are case-insensitive in files (top level and namespaces)', async () => {
    const path = await file('case.json', JSON.stringify({ API_KEY: 'k', Namespaces: [{ Name: 'chat', Presence: true }] }));
    const r = await load(path);
    assert.equal(r.config.api_key, 'k');
    assert.deepEqual([r.config.namespaces[0]?.name, r.config.namespaces[0]?.presence], ['chat', true]);
    assert.deepEqual(r.warnings, []);
  });

  void test('YAML "yes" is a string, so a bool key rejects it with its path', async () => {
    const err = await loadError(load(await file('yes.yaml', 'namespaces:\n  - name: chat\n    presence: yes\n')));
    assert.match(err.message, /namespaces\[0\]\.presence: expected a boolean, got string "yes"/);
  });
});

void describe('unknown-key warnings', () => {
  void test('unknown top-level file key', async () => {
    const r = await load(await file('unknown.json', JSON.stringify({ api_key: 'x', no_such_option: 1 })));
    assert.deepEqual(r.warnings, ['unknown key found in the configuration file key=no_such_option']);
  });

  void test('unknown key inside a namespace names the namespace', async () => {
    const r = await load(await file('unknown-ns.json', JSON.stringify({ namespaces: [{ name: 'chat', publish: true }] })));
    assert.deepEqual(r.warnings, ['unknown key found in the namespace object key=publish namespace_name=chat']);
  });

  void test('unknown key inside a nested object', async () => {
    const r = await load(await file('unknown-obj.json', JSON.stringify({ nats_raw_mode: { enabled: false, foo: 1 } })));
    assert.deepEqual(r.warnings, ['unknown key found in the configuration file key=nats_raw_mode.foo']);
  });

  void test('unknown CENTRIFUGO_* env var warns; Kubernetes and consumer variables do not', async () => {
    const r = await load('absent.json', {
      CENTRIFUGO_NO_SUCH_OPTION: '1',
      CENTRIFUGO_PORT_8000_TCP: 'tcp://10.0.0.1:8000',
      CENTRIFUGO_SERVICE_HOST: '10.0.0.1',
      CENTRIFUGO_CONSUMERS_KAFKA_X_BROKERS: 'a',
      OTHER_VARIABLE: 'x',
    });
    assert.deepEqual(r.warnings, ['config file not found', 'unknown key found in the environment key=CENTRIFUGO_NO_SUCH_OPTION']);
  });
});

void describe('environment parsing', () => {
  void test('bools use the Go ParseBool set', async () => {
    for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True']) {
      assert.equal((await load('absent.json', { CENTRIFUGO_PRESENCE: v })).config.presence, true, v);
    }
    for (const v of ['0', 'f', 'F', 'FALSE', 'false', 'False']) {
      assert.equal((await load('absent.json', { CENTRIFUGO_ADMIN: v })).config.admin, false, v);
    }
  });

  void test('a bad bool names the key and the variable', async () => {
    const err = await loadError(load('absent.json', { CENTRIFUGO_PRESENCE: 'yes' }));
    assert.equal(err.problems[0]?.path, 'presence');
    assert.match(err.message, /presence: expected a boolean, got string "yes" \(from environment variable CENTRIFUGO_PRESENCE\)/);
  });

  void test('ints are parsed strictly', async () => {
    assert.match((await loadError(load('absent.json', { CENTRIFUGO_PORT: '80a' }))).message, /port: expected an integer/);
    assert.match((await loadError(load('absent.json', { CENTRIFUGO_CLIENT_CHANNEL_LIMIT: '1.5' }))).message, /client_channel_limit/);
  });

  void test('string arrays are space-separated', async () => {
    const r = await load('absent.json', { CENTRIFUGO_ALLOWED_ORIGINS: ' http://a  http://b ', CENTRIFUGO_PROXY_HTTP_HEADERS: 'Cookie Authorization' });
    assert.deepEqual(r.config.allowed_origins, ['http://a', 'http://b']);
    assert.deepEqual(r.config.proxy_http_headers, ['Cookie', 'Authorization']);
  });

  void test('namespaces, rpc_namespaces, maps and loose lists come as JSON', async () => {
    const r = await load('absent.json', {
      CENTRIFUGO_NAMESPACES: '[{"name":"chat","presence":true,"history_size":3,"history_ttl":"10s"}]',
      CENTRIFUGO_RPC_NAMESPACES: '[{"name":"rpc","rpc_proxy_name":"p1"}]',
      CENTRIFUGO_PROXY_STATIC_HTTP_HEADERS: '{"X-Static":"1"}',
      CENTRIFUGO_PROXIES: '[{"name":"p1","endpoint":"http://localhost:3000"}]',
    });
    assert.equal(r.config.namespaces[0]?.presence, true);
    assert.equal(r.config.namespaces[0]?.history_ttl, 10_000);
    assert.deepEqual(r.config.rpc_namespaces, [{ name: 'rpc', rpc_proxy_name: 'p1' }]);
    assert.deepEqual(r.config.proxy_static_http_headers, { 'X-Static': '1' });
    assert.deepEqual(r.config.proxies, [{ name: 'p1', endpoint: 'http://localhost:3000' }]);
  });

  void test('invalid JSON in env is a problem naming the key', async () => {
    const err = await loadError(load('absent.json', { CENTRIFUGO_NAMESPACES: '[{"name":' }));
    assert.match(err.message, /namespaces: invalid JSON in environment variable CENTRIFUGO_NAMESPACES/);
  });

  void test('durations in env', async () => {
    const r = await load('absent.json', { CENTRIFUGO_CLIENT_EXPIRED_CLOSE_DELAY: '1m', CENTRIFUGO_SHUTDOWN_TERMINATION_DELAY: '0' });
    assert.equal(r.config.client_expired_close_delay, 60_000);
    assert.equal(r.config.shutdown_termination_delay, 0);
    assert.match((await loadError(load('absent.json', { CENTRIFUGO_SHUTDOWN_TIMEOUT: '30' }))).message, /malformed duration for key 'shutdown_timeout'/);
  });

  void test('problems from file and env are reported together', async () => {
    const path = await file('both-bad.json', JSON.stringify({ engine: 'x' }));
    const err = await loadError(load(path, { CENTRIFUGO_PRESENCE: 'maybe' }));
    assert.deepEqual(err.problems.map((p) => p.path).sort(), ['engine', 'presence']);
  });
});

void describe('prototype pollution guard', () => {
  void test('__proto__ and constructor keys are unknown keys and pollute nothing', async () => {
    const text = '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "api_key": "k",' +
      ' "namespaces": [{"name": "chat", "__proto__": {"presence": true}}],' +
      ' "proxies": [{"name": "p1", "__proto__": {"polluted": true}}],' +
      ' "proxy_static_http_headers": {"__proto__": "x"}}';
    const r = await load(await file('proto.json', text));
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(Object.getPrototypeOf(r.config), Object.prototype);
    assert.equal(r.config.api_key, 'k');
    assert.equal(r.config.namespaces[0]?.presence, false);
    assert.equal(Object.getPrototypeOf(r.config.namespaces[0]), Object.prototype);
    assert.equal(Object.getPrototypeOf(r.config.proxies[0]), Object.prototype);
    assert.equal(Object.hasOwn(r.config.proxies[0] ?? {}, '__proto__'), false);
    assert.equal(Object.hasOwn(r.config.proxy_static_http_headers, '__proto__'), false);
    assert.ok(r.warnings.includes('unknown key found in the configuration file key=__proto__'));
    assert.ok(r.warnings.includes('unknown key found in the configuration file key=constructor'));
    assert.ok(r.warnings.includes('unknown key found in the namespace object key=__proto__ namespace_name=chat'));
  });

  void test('__proto__ in env JSON does not pollute', async () => {
    const r = await load('absent.json', { CENTRIFUGO_NAMESPACES: '[{"name":"chat","__proto__":{"polluted":true}}]' });
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(r.config.namespaces[0]?.name, 'chat');
  });
});
