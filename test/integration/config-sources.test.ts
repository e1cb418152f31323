/** @module test/integration/config-sources.test — CLI flags (commander) + CENTRIFUGO_* env + files on disk → one Config. */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Command } from 'commander';
import { createProgram } from '../../src/cli/index.js';
import { addServeOptions, DEV_CONFIG_PATH, explicitFlags } from '../../src/cli/serve.js';
import { loadConfig } from '../../src/config/index.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rotor-sources-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function parseServe(args: string[]): Command {
  const cmd = addServeOptions(new Command('serve')).exitOverride();
  cmd.parse(args, { from: 'user' });
  return cmd;
}

/** Runs the real program with the serve action replaced by a probe; returns what serve would receive. */
async function dispatch(argv: string[]): Promise<{ config: string; flags: Record<string, unknown> }> {
  const program = createProgram().exitOverride();
  const serve = program.commands.find((c) => c.name() === 'serve');
  assert.ok(serve, 'serve command registered');
  let seen: { config: string; flags: Record<string, unknown> } | undefined;
  serve.action((opts: { config: string }, cmd: Command) => {
    seen = { config: opts.config, flags: explicitFlags(cmd) };
  });
  await program.parseAsync(['node', 'rotor', ...argv]);
  assert.ok(seen, 'serve action ran');
  return seen;
}

void describe('CLI flags', () => {
  void test('only explicitly passed flags are collected, by config key, with Go-style bool values', () => {
    const cmd = parseServe(['-c', 'x.json', '-p', '9001', '--admin', '--health=false', '--prometheus', '0', '-e', 'redis', '-n', 'node1', '--log_level', 'debug']);
    assert.deepEqual(explicitFlags(cmd), {
      port: '9001',
      admin: true,
      health: false,
      prometheus: false,
      engine: 'redis',
      name: 'node1',
      log_level: 'debug',
    });
  });

  void test('no flags → nothing overrides (the -c default is not a config key)', () => {
    assert.deepEqual(explicitFlags(parseServe([])), {});
  });

  void test('`rotor -c x.json -p 9002` dispatches to serve exactly like `rotor serve -c x.json -p 9002`', async () => {
    const implicit = await dispatch(['-c', 'x.json', '-p', '9002', '--sse']);
    const explicit = await dispatch(['serve', '-c', 'x.json', '-p', '9002', '--sse']);
    assert.deepEqual(implicit, { config: 'x.json', flags: { port: '9002', sse: true } });
    assert.deepEqual(explicit, implicit);
  });

  void test('flags from the command line win over env and file; others fall through', async () => {
    await writeFile(join(dir, 'layers.yaml'), 'port: 1001\nengine: memory\napi_key: from-file\nadmin: true\nname: file-node\n');
    const { flags } = await dispatch(['-c', 'layers.yaml', '-p', '1003', '--admin=false']);
    const env = { CENTRIFUGO_PORT: '1002', CENTRIFUGO_NAME: 'env-node', CENTRIFUGO_API_KEY: '' };
    const { config, configFile, warnings } = await loadConfig({ configPath: 'layers.yaml', cwd: dir, env, flags });
    assert.equal(config.port, 1003); // flag
    assert.equal(config.admin, false); // flag
    assert.equal(config.name, 'env-node'); // env over file
    assert.equal(config.api_key, 'from-file'); // empty env = unset
    assert.equal(config.engine, 'memory'); // file
    assert.equal(config.log_level, 'info'); // default
    assert.equal(configFile, join(dir, 'layers.yaml'));
    assert.deepEqual(warnings, []);
  });

  void test('every flag of `rotor serve` that the server honours maps to a config key and loads', async () => {
    const { flags } = await dispatch([
      '-e', 'redis', '--broker', 'nats', '--log_level', 'warn', '--log_file', 'x.log', '--pid_file', 'x.pid', '-n', 'n1',
      '--admin', '--prometheus', '--health', '--swagger', '--debug', '--uni_websocket', '--uni_sse', '--uni_http_stream',
      '--sse', '--http_stream', '--client_insecure', '--api_insecure', '--api_external', '-a', '127.0.0.1', '-p', '8001',
      '--internal_address', '127.0.0.2', '--internal_port', '9001', '--tls', '--tls_cert', 'c.pem', '--tls_key', 'k.pem',
      '--tls_external', '--grpc_api', '--grpc_api_port', '10001', '--uni_grpc', '--uni_grpc_port', '11001',
      '--redis_address', 'redis://a:6379 redis://b:6379', '--nats_url', 'nats://n:4222',
    ]);
    const { config } = await loadConfig({ configPath: 'absent.json', cwd: dir, env: {}, flags });
    assert.equal(config.engine, 'redis');
    assert.equal(config.broker, 'nats');
    assert.equal(config.log_level, 'warn');
    assert.equal(config.name, 'n1');
    assert.equal(config.address, '127.0.0.1');
    assert.equal(config.port, 8001);
    assert.equal(config.internal_port, 9001);
    assert.equal(config.grpc_api_port, 10001);
    assert.equal(config.uni_grpc_port, 11001);
    assert.deepEqual(config.redis_address, ['redis://a:6379', 'redis://b:6379']);
    assert.equal(config.nats_url, 'nats://n:4222');
    for (const key of ['admin', 'prometheus', 'health', 'swagger', 'debug', 'uni_websocket', 'uni_sse', 'uni_http_stream', 'sse',
      'http_stream', 'client_insecure', 'api_insecure', 'api_external', 'tls', 'tls_external', 'grpc_api', 'uni_grpc'] as const) {
      assert.equal(config[key], true, key);
    }
  });
});

void describe('development config', () => {
  void test('--dev points at config.dev.json at the package root, which loads cleanly', async () => {
    assert.ok(existsSync(DEV_CONFIG_PATH), DEV_CONFIG_PATH);
    const { config, warnings } = await loadConfig({ configPath: DEV_CONFIG_PATH, env: {} });
    assert.deepEqual(warnings, []);
    assert.equal(config.api_key, 'dev-api-key');
    assert.equal(config.namespaces.map((n) => n.name).join(), 'chat');
  });
});
