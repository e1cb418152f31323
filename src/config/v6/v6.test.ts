/** @module config/v6/v6.test — v6 layout ↔ v5 keys: the converter's map and special rules, mixed files, names, env, round trip. */
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { ConfigError } from '../errors.js';
import { loadConfig } from '../load.js';
import { SCHEMA } from '../schema/index.js';
import { defaultConfig } from '../validate.js';
import { keyDocs } from './doc.js';
import { V6_ENV } from './env.js';
import { isV5EnvName } from '../env.js';
import { envName } from '../env.js';
import { detectLayout } from './layout.js';
import { LEAVES, V6_PATH_OF } from './paths.js';
import { defaultRaw, v5ToV6 } from './to-v6.js';
import { getPath } from './tree.js';

type Data = Record<string, unknown>;

async function load(data: Data, env: NodeJS.ProcessEnv = {}) {
  return loadConfig({ data, env });
}

function v6Of(v5: Data): Data {
  return v5ToV6(new Map(Object.entries(v5)));
}

async function rejects(data: Data, check: (e: ConfigError) => void, env: NodeJS.ProcessEnv = {}): Promise<void> {
  await assert.rejects(load(data, env), (err: unknown) => {
    assert.ok(err instanceof ConfigError, String(err));
    check(err);
    return true;
  });
}

void describe('v5 → v6 key map (official converter)', () => {
  const rows: [string, string][] = [
    ['token_hmac_secret_key', 'client.token.hmac_secret_key'],
    ['separate_subscription_token_config', 'client.subscription_token.enabled'],
    ['subscription_token_issuer_regex', 'client.subscription_token.issuer_regex'],
    ['api_key', 'http_api.key'],
    ['api_disable', 'http_api.disabled'],
    ['port', 'http_server.port'],
    ['tls', 'http_server.tls.enabled'],
    ['tls_cert_pem', 'http_server.tls.cert_pem'],
    ['tls_server_name', 'tls.server_name'],
    ['tls_insecure_skip_verify', 'tls.insecure_skip_verify'],
    ['redis_use_lists', 'engine.redis.history_use_lists'],
    ['redis_tls_root_ca', 'engine.redis.tls.server_ca_pem'],
    ['redis_sentinel_tls_client_ca_pem', 'engine.redis.sentinel_tls.client_ca_pem'],
    ['global_presence_ttl', 'redis.presence_ttl'],
    ['global_redis_presence_user_mapping', 'redis.presence_user_mapping'],
    ['global_history_meta_ttl', 'channel.history_meta_ttl'],
    ['presence', 'channel.without_namespace.presence'],
    ['proxy_subscribe', 'channel.without_namespace.subscribe_proxy_enabled'],
    ['client_channel_limit', 'client.channel_limit'],
    ['client_insecure', 'client.insecure'],
    ['user_personal_channel_namespace', 'client.subscribe_to_user_personal_channel.personal_channel_namespace'],
    ['rpc_ping_method', 'rpc.ping.method'],
    ['usage_stats_disable', 'usage_stats.disabled'],
    ['websocket_disable', 'websocket.disabled'],
    ['uni_websocket_message_size_limit', 'uni_websocket.message_size_limit'],
    ['uni_grpc_tls_key_pem', 'uni_grpc.tls.key_pem'],
    ['nats_raw_mode', 'broker.nats.raw_mode'],
    ['http3', 'http_server.http3.enabled'],
    ['name', 'node.name'],
    ['engine', 'engine.type'],
    ['log_level', 'log.level'],
    ['shutdown_timeout', 'shutdown.timeout'],
    ['admin_handler_prefix', 'admin.handler_prefix'],
    ['tls_autocert_http_addr', 'tls_autocert.http_addr'],
  ];
  for (const [v5, v6] of rows) {
    void test(`${v5} → ${v6}`, () => assert.equal(V6_PATH_OF.get(v5), v6));
  }

  void test('every schema key has a v6 place, a special translation, or stays at the top level', () => {
    const docs = new Set(keyDocs().map((d) => d.v5.split('.')[0]));
    // derived from `proxies` and the connect/refresh proxy objects (see the granular-mode tests)
    const derived = ['granular_proxy_mode', 'connect_proxy_name', 'refresh_proxy_name'];
    for (const k of Object.keys(SCHEMA)) if (!derived.includes(k)) assert.ok(docs.has(k), `no documented v6 key for ${k}`);
  });

  void test('a v6 variable name equal to a v5 one (CENTRIFUGO_LOG_LEVEL) means the same key', () => {
    for (const v of V6_ENV.values()) {
      if (v.v5 === undefined || !isV5EnvName(v.name)) continue;
      assert.equal(v.name, envName(v.v5), `${v.name}: v6 ${v.path} vs v5 ${v.v5}`);
    }
  });
});

void describe('converter special rules', () => {
  void test('consumers: enabled from disabled, and back', async () => {
    const pg = { dsn: 'postgres://u@127.0.0.1/db', outbox_table_name: 'outbox' };
    const v6 = v6Of({ consumers: [{ name: 'a1', type: 'kafka', disabled: true }, { name: 'b2', type: 'postgresql', postgresql: pg }] });
    assert.deepEqual(v6['consumers'], [
      { name: 'a1', type: 'kafka', enabled: false },
      { name: 'b2', type: 'postgresql', postgresql: pg, enabled: true },
    ]);
    const { config } = await load(v6);
    assert.deepEqual(config.consumers, [{ name: 'a1', type: 'kafka', disabled: true }, { name: 'b2', type: 'postgresql', postgresql: pg }]);
    const off = await load({ consumers: [{ name: 'c3', type: 'kafka', enabled: false }] });
    assert.deepEqual(off.config.consumers, [{ name: 'c3', type: 'kafka', disabled: true }]);
    const implicit = await load({ consumers: [{ name: 'c4', type: 'kafka' }], http_api: { key: 'k' } });
    assert.deepEqual(implicit.config.consumers, [{ name: 'c4', type: 'kafka', disabled: true }], 'v6 consumers are off unless enabled');
  });

  void test('shared proxy options are copied into every configured proxy; connect/refresh get enabled: true', () => {
    const v6 = v6Of({
      proxy_connect_endpoint: 'http://b/connect',
      proxy_rpc_endpoint: 'grpc://b:1',
      proxy_subscribe_endpoint: 'http://b/sub',
      proxy_connect_timeout: '3s',
      proxy_http_headers: ['Cookie'],
      proxy_static_http_headers: { 'X-A': 'b' },
      proxy_http_status_code_transforms: [{ status_code: 404, to_error: { code: 1, message: 'x' } }],
      proxy_grpc_metadata: ['m'],
      proxy_binary_encoding: true,
      proxy_include_connection_meta: true,
      proxy_grpc_compression: true,
      proxy_grpc_credentials_key: 'ck',
      proxy_grpc_credentials_value: 'cv',
      proxy_grpc_tls: { enabled: true },
    });
    const common = {
      http_headers: ['Cookie'],
      grpc_metadata: ['m'],
      binary_encoding: true,
      include_connection_meta: true,
      http: { static_headers: { 'X-A': 'b' }, status_to_code_transforms: [{ status_code: 404, to_error: { code: 1, message: 'x' } }] },
      grpc: { compression: true, credentials_key: 'ck', credentials_value: 'cv', tls: { enabled: true } },
    };
    assert.deepEqual(getPath(v6, 'client.proxy.connect'), { enabled: true, endpoint: 'http://b/connect', timeout: '3s', ...common });
    assert.deepEqual(getPath(v6, 'rpc.proxy'), { endpoint: 'grpc://b:1', ...common });
    assert.deepEqual(getPath(v6, 'channel.proxy.subscribe'), { endpoint: 'http://b/sub', ...common });
    assert.equal(getPath(v6, 'client.proxy.refresh'), undefined, 'proxies without endpoint are not written');
    assert.equal(getPath(v6, 'channel.proxy.publish'), undefined);
  });

  void test('namespaces: proxy_* → *_proxy_enabled (and back)', async () => {
    const v6 = v6Of({
      proxy_subscribe_endpoint: 'http://b/sub',
      proxy_publish_endpoint: 'http://b/pub',
      namespaces: [{ name: 'ns1', proxy_subscribe: true, proxy_publish: true, proxy_sub_refresh: false, proxy_subscribe_stream: false }],
    });
    assert.deepEqual(getPath(v6, 'channel.namespaces'), [
      { name: 'ns1', subscribe_proxy_enabled: true, publish_proxy_enabled: true, sub_refresh_proxy_enabled: false, subscribe_stream_proxy_enabled: false },
    ]);
    const { config } = await load(v6);
    assert.equal(config.namespaces[0]?.proxy_subscribe, true);
    assert.equal(config.namespaces[0]?.proxy_publish, true);
    assert.equal(config.proxy_subscribe_endpoint, 'http://b/sub');
  });

  void test('proxies[] items: static_http_headers → http.static_headers, grpc_* → grpc.{…} (and back)', async () => {
    const item = {
      name: 'p1',
      endpoint: 'grpc://x:1',
      timeout: '2s',
      http_headers: ['A'],
      static_http_headers: { B: 'c' },
      grpc_tls: { enabled: true },
      grpc_cert_file: '/c',
      grpc_credentials_key: 'k',
      grpc_credentials_value: 'v',
      grpc_compression: true,
    };
    const v6 = v6Of({ granular_proxy_mode: true, proxies: [item] });
    assert.deepEqual(v6['proxies'], [
      {
        name: 'p1',
        endpoint: 'grpc://x:1',
        timeout: '2s',
        http_headers: ['A'],
        http: { static_headers: { B: 'c' } },
        grpc: { tls: { enabled: true }, cert_file: '/c', credentials_key: 'k', credentials_value: 'v', compression: true },
      },
    ]);
    const { config } = await load(v6);
    assert.equal(config.granular_proxy_mode, true);
    assert.deepEqual(config.proxies, [item]);
  });

  void test('granular mode: connect_proxy_name becomes client.proxy.connect and reads back as the same name', async () => {
    const v5 = {
      granular_proxy_mode: true,
      proxies: [{ name: 'auth', endpoint: 'http://b/auth' }, { name: 'other', endpoint: 'http://b/o', timeout: '5s' }],
      connect_proxy_name: 'auth',
      rpc_proxy_name: 'other',
      subscribe_proxy_name: 'other',
      namespaces: [{ name: 'ns1', publish_proxy_name: 'auth' }],
      rpc_namespaces: [{ name: 'r1', rpc_proxy_name: 'auth' }],
    };
    const v6 = v6Of(v5);
    assert.deepEqual(getPath(v6, 'client.proxy.connect'), { enabled: true, endpoint: 'http://b/auth' });
    assert.equal(getPath(v6, 'channel.without_namespace.subscribe_proxy_enabled'), true);
    assert.deepEqual(getPath(v6, 'channel.namespaces'), [{ name: 'ns1', publish_proxy_name: 'auth', publish_proxy_enabled: true }]);
    assert.deepEqual(getPath(v6, 'rpc.namespaces'), [{ name: 'r1', proxy_name: 'auth', proxy_enabled: true }]);
    const [a, b] = await Promise.all([load(v5), load(v6)]);
    assert.deepEqual(b.config, a.config);
  });

  void test('v6 default proxies with different options become named proxies (v5 granular mode)', async () => {
    const { config } = await load({
      client: { proxy: { connect: { enabled: true, endpoint: 'http://b/c', http_headers: ['Cookie'] } } },
      channel: {
        proxy: { subscribe: { endpoint: 'http://b/s', http_headers: ['Authorization'] } },
        namespaces: [{ name: 'ns1', subscribe_proxy_enabled: true }, { name: 'ns2', subscribe_proxy_name: 'default_subscribe' }],
      },
    });
    assert.equal(config.granular_proxy_mode, true);
    assert.deepEqual(config.proxies, [
      { name: 'default_connect', endpoint: 'http://b/c', http_headers: ['Cookie'] },
      { name: 'default_subscribe', endpoint: 'http://b/s', http_headers: ['Authorization'] },
    ]);
    assert.equal(config.connect_proxy_name, 'default_connect');
    assert.equal(config.namespaces[0]?.subscribe_proxy_name, 'default_subscribe');
    assert.equal(config.namespaces[1]?.subscribe_proxy_name, '', 'a name without subscribe_proxy_enabled is no proxy in v6');
  });

  void test('a connect endpoint without enabled: true is off, with a warning', async () => {
    const r = await load({ client: { proxy: { connect: { endpoint: 'http://b/c' } } } });
    assert.equal(r.config.proxy_connect_endpoint, '');
    assert.ok(r.warnings.some((w) => w.includes('client.proxy.connect.enabled is not true')), r.warnings.join('\n'));
  });

  void test('TLS: the converter puts file paths into *_pem; a non-PEM value reads back as the path key', async () => {
    const v6 = v6Of({ tls: true, tls_cert: '/etc/c.pem', tls_key: '/etc/k.pem', redis_tls_root_ca_pem: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n' });
    assert.deepEqual(getPath(v6, 'http_server.tls'), { enabled: true, cert_pem: '/etc/c.pem', key_pem: '/etc/k.pem' });
    const { config } = await load({ ...v6, http_server: { ...(v6['http_server'] as Data), port: 1 } });
    assert.equal(config.tls_cert, '/etc/c.pem');
    assert.equal(config.tls_cert_pem, '');
    assert.match(config.redis_tls_root_ca_pem, /^-----BEGIN CERTIFICATE/);
    // both the path and the PEM key set: the path goes to *_file so neither is lost
    const both = v6Of({ grpc_api_tls_cert: '/p', grpc_api_tls_cert_pem: '-----BEGIN X-----' });
    assert.deepEqual(getPath(both, 'grpc_api.tls'), { cert_pem_file: '/p', cert_pem: '-----BEGIN X-----' });
    const b64 = await load({ grpc_api: { tls: { cert_pem_b64: Buffer.from('-----BEGIN Y-----').toString('base64') } } });
    assert.equal(b64.config.grpc_api_tls_cert_pem, '-----BEGIN Y-----');
  });

  void test('keys the converter writes outside their section are read, and the documented places too', async () => {
    const a = await load({ redis: { presence_ttl: '30s' }, tls: { server_name: 'x' }, http_api: { key: 'k' } });
    assert.equal(a.config.global_presence_ttl, 30_000);
    assert.equal(a.config.tls_server_name, 'x');
    const b = await load({ engine: { redis: { presence_ttl: '20s' } }, http_server: { tls: { server_name: 'y' } } });
    assert.equal(b.config.global_presence_ttl, 20_000);
    assert.equal(b.config.tls_server_name, 'y');
  });

  void test('broker: {enabled, type: nats} ⇔ broker: nats', async () => {
    assert.deepEqual(getPath(v6Of({ broker: 'nats', nats_url: 'nats://h:1' }), 'broker'), { enabled: true, type: 'nats', nats: { url: 'nats://h:1' } });
    assert.equal((await load({ broker: { enabled: true, type: 'nats' } })).config.broker, 'nats');
    assert.equal((await load({ broker: { enabled: false, type: 'nats' } })).config.broker, '');
  });
});

void describe('layouts', () => {
  void test('a file mixing both layouts is rejected with a message naming the keys of each', async () => {
    await rejects({ api_key: 'k', port: 8000, client: { token: { hmac_secret_key: 's' } } }, (e) => {
      assert.match(e.message, /mixes the v5 flat layout \("api_key", "port"\) and the v6 nested layout \("client"\)/);
    });
    // a v5 key that is a v6 section name with a scalar value is v5 (`admin: true`)
    assert.equal(detectLayout({ admin: true, api_key: 'k' }), 'v5');
    assert.equal(detectLayout({ admin: { enabled: true } }), 'v6');
    assert.equal(detectLayout({ consumers: [], pid_file: 'x' }), 'v5', 'keys of both layouts mark neither');
  });

  void test('unknown v6 keys warn like unknown v5 keys, never fatal', async () => {
    const r = await load({
      client: { token: { hmac_secret_key: 's', nope: 1 }, proxy: { connect: { endpoint: 'http://b', enabled: true, extra: 1, http: { nope: 2 } }, other: {} } },
      channel: { proxy: { subscribe: { enabled: true } } },
      rpc: { without_namespace: { what: 1 } },
      whatever: true,
      admin: { foo: 1 },
    });
    for (const k of ['client.proxy.connect.extra', 'client.proxy.connect.http.nope', 'client.proxy.other', 'channel.proxy.subscribe.enabled', 'rpc.without_namespace.what']) {
      assert.ok(r.warnings.includes(`unknown key found in the configuration file key=${k}`), `${k}: ${r.warnings.join('\n')}`);
    }
    assert.ok(r.warnings.includes('unknown key found in the configuration file key=client.token.nope'), r.warnings.join('\n'));
    assert.ok(r.warnings.includes('unknown key found in the configuration file key=whatever'));
    assert.ok(r.warnings.includes('unknown key found in the configuration file key=admin.foo'));
    assert.equal(r.config.token_hmac_secret_key, 's');
  });

  void test('errors of a v6 file name v6 keys', async () => {
    await rejects(
      {
        client: { ping_interval: '5s', pong_timeout: '6s', channel_limit: 'many' },
        channel: { namespaces: [{ name: 'ns1', history_size: 10 }, { name: 'ns2', proxy_subscribe: 'x', subscribe_proxy_enabled: 'yes' }] },
        engine: { redis: { db: -1 } },
        http_server: 5,
      },
      (e) => {
        const paths = e.problems.map((p) => p.path);
        assert.ok(paths.includes('client.pong_timeout'), paths.join(', '));
        assert.ok(paths.includes('client.channel_limit'));
        assert.ok(paths.includes('engine.redis.db'));
        assert.ok(paths.includes('http_server'));
        assert.ok(paths.includes('channel.namespaces[0].history_ttl'));
        assert.ok(paths.includes('channel.namespaces[1].subscribe_proxy_enabled'));
        const pong = e.problems.find((p) => p.path === 'client.pong_timeout');
        assert.match(pong?.message ?? '', /client\.pong_timeout \(6000ms\) must be less than client\.ping_interval/);
      },
    );
  });

  void test('errors of a v5 file keep v5 names', async () => {
    await rejects({ ping_interval: '5s', pong_timeout: '6s' }, (e) => assert.equal(e.problems[0]?.path, 'pong_timeout'));
  });
});

void describe('v6 environment variables', () => {
  void test('are read into the v5 keys, with no unknown-key warnings', async () => {
    const r = await load({}, {
      CENTRIFUGO_CLIENT_TOKEN_HMAC_SECRET_KEY: 'secret',
      CENTRIFUGO_HTTP_API_KEY: 'key',
      CENTRIFUGO_HTTP_SERVER_PORT: '9001',
      CENTRIFUGO_CLIENT_ALLOWED_ORIGINS: 'http://a http://b',
      CENTRIFUGO_CHANNEL_WITHOUT_NAMESPACE_PRESENCE: 'true',
      CENTRIFUGO_CHANNEL_NAMESPACES: JSON.stringify([{ name: 'ns1', subscribe_proxy_enabled: true }]),
      CENTRIFUGO_CLIENT_PROXY_CONNECT_ENABLED: 'true',
      CENTRIFUGO_CLIENT_PROXY_CONNECT_ENDPOINT: 'http://b/c',
      CENTRIFUGO_CLIENT_PROXY_CONNECT_HTTP_HEADERS: 'Cookie Authorization',
      CENTRIFUGO_BROKER_NATS_RAW_MODE_ENABLED: 'true',
      CENTRIFUGO_LOG_LEVEL: 'debug',
      CENTRIFUGO_UNKNOWN_THING: 'x',
    });
    const c = r.config;
    assert.equal(c.token_hmac_secret_key, 'secret');
    assert.equal(c.api_key, 'key');
    assert.equal(c.port, 9001);
    assert.deepEqual(c.allowed_origins, ['http://a', 'http://b']);
    assert.equal(c.presence, true);
    assert.equal(c.namespaces[0]?.proxy_subscribe, true);
    assert.equal(c.proxy_connect_endpoint, 'http://b/c');
    assert.deepEqual(c.proxy_http_headers, ['Cookie', 'Authorization']);
    assert.equal(c.nats_raw_mode.enabled, true);
    assert.equal(c.log_level, 'debug');
    assert.deepEqual(r.warnings, ['config file not found', 'unknown key found in the environment key=CENTRIFUGO_UNKNOWN_THING'].slice(1));
  });

  void test('bad values name the v6 variable', async () => {
    await rejects({}, (e) => assert.match(e.message, /environment variable CENTRIFUGO_CLIENT_CHANNEL_LIMIT/), { CENTRIFUGO_CLIENT_CHANNEL_LIMIT: 'x' });
    await rejects({}, (e) => assert.match(e.message, /invalid JSON in environment variable CENTRIFUGO_CHANNEL_NAMESPACES/), { CENTRIFUGO_CHANNEL_NAMESPACES: '[' });
  });

  void test('override a v6 file; the v6 name wins over the v5 name of the same key', async () => {
    const r = await load({ http_api: { key: 'file' } }, { CENTRIFUGO_API_KEY: 'v5', CENTRIFUGO_HTTP_API_KEY: 'v6' });
    assert.equal(r.config.api_key, 'v6');
    assert.ok(r.warnings.some((w) => w.includes('CENTRIFUGO_API_KEY') && w.includes('CENTRIFUGO_HTTP_API_KEY')));
  });
});

void describe('round trip and defaults', () => {
  void test('v5 → v6 → loaded config equals the v5-loaded config', async () => {
    const v5: Data = {
      name: 'node1',
      port: 9100,
      api_key: 'k',
      admin: true,
      admin_password: 'p',
      admin_secret: 's',
      token_hmac_secret_key: 'secret',
      token_audience: 'aud',
      token_hmac_previous_secret_key: 'old',
      token_hmac_previous_secret_key_valid_until: 1_900_000_000,
      separate_subscription_token_config: true,
      subscription_token_hmac_secret_key: 'sub',
      allowed_origins: ['http://x'],
      client_channel_limit: 10,
      ping_interval: '20s',
      presence: true,
      proxy_subscribe: true,
      history_size: 5,
      history_ttl: '30s',
      global_history_meta_ttl: '48h',
      namespaces: [
        { name: 'chat', presence: true, join_leave: true, history_size: 100, history_ttl: '300s', force_recovery: true, allow_subscribe_for_client: true, proxy_subscribe: true },
      ],
      rpc_namespaces: [{ name: 'rpc1' }],
      engine: 'redis',
      redis_address: ['redis://127.0.0.1:6379/1'],
      redis_prefix: 'app',
      redis_use_lists: false,
      global_presence_ttl: '30s',
      tls_external: true,
      tls_cert: '/c',
      tls_key: '/k',
      nats_raw_mode: { enabled: true, prefix: 'p', channel_replacements: { ':': '.' } },
      websocket_compression: true,
      uni_sse: true,
      uni_sse_connect_code_to_http_response: { enabled: true, transforms: [{ code: 4500, to: { status_code: 403, body: 'no' } }] },
      client_connect_code_to_unidirectional_disconnect: { enabled: true, transforms: [{ code: 4500, to: { code: 4501, reason: 'r' } }] },
      proxy_connect_endpoint: 'http://b/connect',
      proxy_subscribe_endpoint: 'http://b/subscribe',
      proxy_http_headers: ['Cookie'],
      proxy_static_http_headers: { 'X-A': 'b' },
      proxy_connect_timeout: '2s',
      consumers: [{ name: 'c1', type: 'kafka', disabled: true, kafka: { brokers: ['b:9092'], topics: ['t'], consumer_group: 'g' } }],
      disconnect_codes: 'ranged',
      user_subscribe_to_personal: true,
      user_personal_channel_namespace: 'chat',
      log_level: 'debug',
    };
    const v6 = v6Of(v5);
    const [a, b] = await Promise.all([load(v5), load(v6)]);
    assert.equal(a.layout, 'v5');
    assert.equal(b.layout, 'v6');
    assert.deepEqual(b.warnings, a.warnings);
    assert.deepEqual(b.config, a.config);
  });

  void test('defaultconfig (every key at its default, v6 layout) loads to the default configuration without warnings', async () => {
    const tree = v5ToV6(defaultRaw(), { all: true });
    assert.equal(detectLayout(tree), 'v6');
    const r = await load(tree);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.config, defaultConfig());
    for (const l of LEAVES.filter((x) => x.b64 !== true && !x.v6.endsWith('_file'))) {
      if (['engine.redis.presence_ttl', 'engine.redis.presence_user_mapping', 'engine.redis.presence_hash_field_ttl', 'http_server.tls.server_name', 'http_server.tls.insecure_skip_verify'].includes(l.v6)) continue;
      assert.notEqual(getPath(tree, l.v6), undefined, `defaultconfig misses ${l.v6}`);
    }
  });
});
