/**
 * The built CLI end to end: `genconfig` output starts a server that answers the API with the
 * generated key, and `gentoken` output verifies with `checktoken` against the same config.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const MAIN = new URL('../../dist/main.js', import.meta.url).pathname;
let dir = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rotor-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Spawns the built server with `args`; resolves with its port and a stop function. */
async function serve(args: string[]): Promise<{ port: number; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [MAIN, 'serve', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('server did not start')), 15_000);
    createInterface({ input: child.stderr }).on('line', (line) => {
      const m = /serving .* endpoints on .*:(\d+)/.exec(line);
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}`)));
  });
  const stop = async (): Promise<number | null> => {
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGTERM');
    return exited;
  };
  return { port, stop };
}

describe('rotor CLI flow (built binary)', () => {
  it('the development config of `npm start` answers the README curl example with {"result":{}}', async () => {
    const s = await serve(['--dev', '-p', '0', '-a', '127.0.0.1']);
    try {
      const res = await fetch(`http://127.0.0.1:${s.port}/api/publish`, {
        method: 'POST',
        headers: { 'X-API-Key': 'dev-api-key' },
        body: JSON.stringify({ channel: 'news', data: { text: 'hello' } }),
      });
      assert.deepEqual(await res.json(), { result: {} });
      const chat = await fetch(`http://127.0.0.1:${s.port}/api/publish`, {
        method: 'POST',
        headers: { 'X-API-Key': 'dev-api-key' },
        body: JSON.stringify({ channel: 'chat:index', data: { text: 'hello' } }),
      });
      const body = (await chat.json()) as { result: { offset: number; epoch: string } };
      assert.equal(body.result.offset, 1);
      // The admin web UI is what a newcomer sees at the root, and its login works with the dev password.
      const page = await fetch(`http://127.0.0.1:${s.port}/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      const login = await fetch(`http://127.0.0.1:${s.port}/admin/auth`, { method: 'POST', body: new URLSearchParams({ password: 'dev-admin-password' }) });
      assert.equal(login.status, 200);
      assert.ok(((await login.json()) as { token?: string }).token);
    } finally {
      assert.equal(await s.stop(), 0);
    }
  });

  it('genconfig → serve → publish with the generated api_key; gentoken → checktoken', async () => {
    const file = join(dir, 'config.json');
    await run(process.execPath, [MAIN, 'genconfig', '-c', file]);
    const cfg = JSON.parse(await readFile(file, 'utf8')) as { api_key: string };
    assert.match(cfg.api_key, /^[0-9a-f-]{36}$/);

    const child = spawn(process.execPath, [MAIN, 'serve', '-c', file, '-p', '0', '-a', '127.0.0.1'], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('server did not start')), 15_000);
        createInterface({ input: child.stderr }).on('line', (line) => {
          const m = /serving .* endpoints on .*:(\d+)/.exec(line);
          if (m) {
            clearTimeout(t);
            resolve(Number(m[1]));
          }
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const res = await fetch(`http://127.0.0.1:${port}/api/publish`, {
        method: 'POST',
        headers: { 'X-API-Key': cfg.api_key },
        body: JSON.stringify({ channel: 'news', data: { hello: 'world' } }),
      });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { result: {} });
      const wrong = await fetch(`http://127.0.0.1:${port}/api/publish`, { method: 'POST', headers: { 'X-API-Key': 'nope' }, body: '{}' });
      assert.equal(wrong.status, 401);
    } finally {
      const exited = new Promise<number | null>((r) => child.once('exit', r));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    }

    const { stdout: token } = await run(process.execPath, [MAIN, 'gentoken', '-c', file, '-u', '42', '-q']);
    const { stdout } = await run(process.execPath, [MAIN, 'checktoken', token.trim(), '-c', file]);
    assert.match(stdout, /valid token for user 42/);
  });
});
