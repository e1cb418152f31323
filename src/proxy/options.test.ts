/** @module proxy/options.test — config → proxy setup: routes, fail-closed markers, rpc routing, errors. */
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { ConfigError, validateConfig } from '../config/index.js';
import { forwardedNames, proxySetupFromConfig, rpcRoute } from './options.js';

const setup = (raw: Record<string, unknown>) => proxySetupFromConfig(validateConfig(raw));

function problems(raw: Record<string, unknown>): string[] {
  try {
    setup(raw);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems.map((p) => p.path);
  }
  assert.fail('expected a ConfigError');
}

void describe('proxySetupFromConfig', () => {
  void test('non-granular: enabled namespace flags route to the hook proxy, or are marked missing (fail closed)', () => {
    const s = setup({
      proxy_subscribe_endpoint: 'http://127.0.0.1:9/sub',
      proxy_subscribe_timeout: '3s',
      proxy_http_headers: ['Authorization'],
      namespaces: [{ name: 'aa', proxy_subscribe: true, proxy_publish: true }, { name: 'bb' }],
    });
    const a = s.channels.get('aa')!;
    assert.equal(typeof a.subscribe === 'object' && a.subscribe.endpoint, 'http://127.0.0.1:9/sub');
    assert.equal(typeof a.subscribe === 'object' && a.subscribe.timeoutMs, 3000);
    assert.equal(a.publish, 'missing');
    assert.deepEqual(s.channels.get('bb'), {});
    assert.deepEqual(s.channels.get(''), {});
    assert.deepEqual(forwardedNames(s).headers, ['authorization']);
    assert.equal(s.all.length, 1);
  });

  void test('granular: routes by name; rpc namespaces; unknown names are config errors naming the key', () => {
    const s = setup({
      granular_proxy_mode: true,
      proxies: [
        { name: 'p1', endpoint: 'grpc://127.0.0.1:1', timeout: '250ms' },
        { name: 'p2', endpoint: 'http://127.0.0.1:2/x', emulated_headers: ['X-E'] },
      ],
      rpc_proxy_name: 'p2',
      rpc_namespaces: [{ name: 'aa', rpc_proxy_name: 'p1' }, { name: 'bb' }],
      namespaces: [{ name: 'cc', publish_proxy_name: 'p1' }],
    });
    const p1 = rpcRoute(s, 'aa:x');
    assert.equal(typeof p1 === 'object' && p1.name, 'p1');
    assert.equal(typeof p1 === 'object' && p1.timeoutMs, 250);
    assert.equal(typeof p1 === 'object' && p1.protocol, 'grpc');
    const top = rpcRoute(s, 'plain');
    assert.equal(typeof top === 'object' && top.name, 'p2');
    assert.equal(rpcRoute(s, 'bb:x'), 'missing');
    assert.equal(rpcRoute(s, 'zz:x'), 'not_found');
    const cc = s.channels.get('cc')!;
    assert.equal(typeof cc.publish === 'object' && cc.publish.name, 'p1');
    assert.deepEqual(forwardedNames(s).emulated, ['x-e']);
    assert.deepEqual(
      problems({ granular_proxy_mode: true, proxies: [{ name: 'ok', endpoint: 'http://h/x' }, { name: 'o2', endpoint: 'ftp//x' }], refresh_proxy_name: 'nope' }),
      ['proxies[1].endpoint', 'refresh_proxy_name'],
    );
    assert.deepEqual(problems({ granular_proxy_mode: true, proxies: [{ name: 'px', endpoint: 'http://h/x', timeout: 5 }] }), ['proxies[0].timeout']);
  });

  void test('status transforms: exactly one target, ASCII, reason ≤ 123 characters', () => {
    const s = setup({
      proxy_rpc_endpoint: 'http://127.0.0.1:9/rpc',
      proxy_http_status_code_transforms: [
        { status_code: 404, to_error: { code: 1404, message: 'nf' } },
        { status_code: 403, to_disconnect: { code: 4403, reason: 'f' } },
      ],
    });
    const t = s.rpc.top!.statusTransforms;
    assert.deepEqual(t.get(404), { error: { code: 1404, message: 'nf', temporary: false } });
    assert.deepEqual(t.get(403), { disconnect: { code: 4403, reason: 'f' } });
    assert.deepEqual(
      problems({
        proxy_rpc_endpoint: 'http://127.0.0.1:9/rpc',
        proxy_http_status_code_transforms: [
          { status_code: 404, to_error: { code: 1 }, to_disconnect: { code: 4000 } },
          { status_code: 99, to_error: { code: 1 } },
          { status_code: 500, to_disconnect: { code: 4000, reason: 'x'.repeat(124) } },
        ],
      }),
      ['proxy_http_status_code_transforms[0]', 'proxy_http_status_code_transforms[1].status_code', 'proxy_http_status_code_transforms[2].to_disconnect.reason'],
    );
  });

  void test('subscribe stream proxies must be GRPC', () => {
    assert.deepEqual(problems({ proxy_subscribe_stream_endpoint: 'http://127.0.0.1:1/s' }), ['proxy_subscribe_stream_endpoint']);
  });
});

void describe('hooks enabled by flag or by name (Centrifugo)', () => {
  void test('granular: a flag without a proxy name is missing (108); non-granular: a name enables the hook proxy', () => {
    const g = setup({ granular_proxy_mode: true, proxies: [], namespaces: [{ name: 'aa', proxy_publish: true }] });
    assert.equal(g.channels.get('aa')!.publish, 'missing');
    const n = setup({ proxy_publish_endpoint: 'http://127.0.0.1:9/p', namespaces: [{ name: 'aa', publish_proxy_name: 'whatever' }] });
    const r = n.channels.get('aa')!.publish;
    assert.equal(typeof r === 'object' && r.name, 'publish');
  });
});
