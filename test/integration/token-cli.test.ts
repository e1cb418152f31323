/** @module test/integration/token-cli — `gentoken` / `gensubtoken` / `checktoken` / `checksubtoken` through src/main.ts. */

import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hmacKey, signToken } from '../fixtures/keys/jwt.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const SECRET = 'cli-test-only-secret';
const SUB_SECRET = 'cli-test-only-subscription-secret';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node --import tsx src/main.ts …args` from the repo root with no CENTRIFUGO_* variables. */
function rotor(...args: string[]): Promise<Run> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CENTRIFUGO_')));
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      done({ code, stdout, stderr });
    });
  });
}

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

void describe('token CLI commands', () => {
  let dir: string;
  let config: string;
  let separateConfig: string;
  let emptyConfig: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rotor-token-cli-'));
    config = join(dir, 'config.json');
    separateConfig = join(dir, 'separate.json');
    emptyConfig = join(dir, 'empty.json');
    await writeFile(config, JSON.stringify({ token_hmac_secret_key: SECRET }));
    await writeFile(
      separateConfig,
      JSON.stringify({ token_hmac_secret_key: SECRET, separate_subscription_token_config: true, subscription_token_hmac_secret_key: SUB_SECRET }),
    );
    await writeFile(emptyConfig, '{}');
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void it('gentoken -q prints only a token that checktoken accepts', async () => {
    const gen = await rotor('gentoken', '-c', config, '-u', '42', '-q');
    assert.equal(gen.code, 0, gen.stderr);
    const token = gen.stdout.trim();
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const payload = payloadOf(token);
    assert.equal(payload['sub'], '42');
    assert.equal((payload['exp'] as number) - (payload['iat'] as number), 604_800);

    const check = await rotor('checktoken', token, '-c', config);
    assert.equal(check.code, 0, check.stderr);
    const [first, second] = check.stdout.trimEnd().split('\n');
    assert.equal(first, 'valid token for user 42');
    assert.equal(second, `payload: ${Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')}`);
  });

  void it('gentoken without -q describes the token; -t -1 means no exp; "" is anonymous', async () => {
    const gen = await rotor('gentoken', '--config', config, '--user', 'alice', '--ttl', '3600');
    assert.equal(gen.code, 0, gen.stderr);
    const lines = gen.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'HMAC SHA-256 JWT for user "alice" with expiration TTL 1h0m0s:');
    assert.equal(payloadOf(lines[1]!)['sub'], 'alice');

    const forever = await rotor('gentoken', '-c', config, '-t', '-1');
    assert.equal(forever.code, 0, forever.stderr);
    const [head, token] = forever.stdout.trimEnd().split('\n');
    assert.equal(head, 'HMAC SHA-256 JWT for anonymous user without expiration:');
    const payload = payloadOf(token!);
    assert.equal(payload['sub'], '');
    assert.equal('exp' in payload, false);
    const check = await rotor('checktoken', token!, '-c', config);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /^valid token for anonymous user\n/);
  });

  void it('gentoken without an HMAC secret fails with exit 1', async () => {
    const gen = await rotor('gentoken', '-c', emptyConfig, '-u', '1');
    assert.equal(gen.code, 1);
    assert.equal(gen.stdout, '');
    assert.match(gen.stderr, /no HMAC secret key set/);
  });

  void it('checktoken rejects a token signed with another secret and an expired token (exit 1)', async () => {
    const foreign = await signToken({ sub: '42' }, hmacKey('another-secret'), { alg: 'HS256' });
    const expired = await signToken({ sub: '42', exp: Math.floor(Date.now() / 1000) - 60 }, hmacKey(SECRET), { alg: 'HS256' });
    const [bad, old, garbage] = await Promise.all([
      rotor('checktoken', foreign, '-c', config),
      rotor('checktoken', expired, '-c', config),
      rotor('checktoken', 'not-a-jwt', '-c', config),
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /invalid token/);
    assert.equal(bad.stdout, '');
    assert.equal(old.code, 1);
    assert.match(old.stderr, /token expired/);
    assert.equal(garbage.code, 1);
    assert.match(garbage.stderr, /invalid token/);
  });

  void it('gensubtoken + checksubtoken; a subscription token is not a connection token', async () => {
    const gen = await rotor('gensubtoken', '-c', config, '-u', '42', '-s', 'news:1', '-q');
    assert.equal(gen.code, 0, gen.stderr);
    const token = gen.stdout.trim();
    assert.deepEqual([payloadOf(token)['sub'], payloadOf(token)['channel']], ['42', 'news:1']);

    const check = await rotor('checksubtoken', token, '-c', config);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /^valid subscription token for user 42 and channel "news:1"\npayload: \{.*"channel":"news:1".*\}\n$/);

    const asConnection = await rotor('checktoken', token, '-c', config);
    assert.equal(asConnection.code, 1);
    assert.match(asConnection.stderr, /channel/);

    const described = await rotor('gensubtoken', '-c', config, '-u', '42', '-s', 'news:1', '-t', '60');
    assert.equal(described.stdout.split('\n')[0], 'HMAC SHA-256 JWT for user "42" and channel "news:1" with expiration TTL 1m0s:');
  });

  void it('gensubtoken requires -s; checksubtoken rejects a connection token', async () => {
    const [missing, gen] = await Promise.all([rotor('gensubtoken', '-c', config, '-u', '42'), rotor('gentoken', '-c', config, '-u', '42', '-q')]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /channel/);

    const conn = gen.stdout.trim();
    const check = await rotor('checksubtoken', conn, '-c', config);
    assert.equal(check.code, 1);
    assert.match(check.stderr, /invalid token: subscription token has no channel claim/);
  });

  void it('separate_subscription_token_config: subscription tokens use the subscription secret', async () => {
    const token = (await rotor('gensubtoken', '-c', separateConfig, '-u', '7', '-s', 'room', '-q')).stdout.trim();
    assert.deepEqual(
      await signToken(payloadOf(token), hmacKey(SUB_SECRET), { alg: 'HS256', typ: 'JWT' }),
      token,
      'signed with subscription_token_hmac_secret_key',
    );
    const [own, other] = await Promise.all([rotor('checksubtoken', token, '-c', separateConfig), rotor('checksubtoken', token, '-c', config)]);
    assert.equal(own.code, 0, own.stderr);
    assert.equal(other.code, 1, 'connection secret does not verify it');
  });
});
