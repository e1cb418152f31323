/** @module test/harness/process — the BUILT server (`dist/main.js`) in a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { TEST_API_KEY, TEST_HMAC_SECRET } from './server.js';

/** The built entry point; `ROTOR_MAIN` overrides it (e.g. to try the tests against another build). */
const MAIN = process.env['ROTOR_MAIN'] ?? new URL('../../dist/main.js', import.meta.url).pathname;

export interface ServerProcess {
  readonly port: number;
  readonly url: string;
  readonly wsUrl: string;
  readonly child: ChildProcess;
  /** Log lines (JSON) seen so far. */
  readonly logs: string[];
  api(method: string, body: unknown): Promise<{ status: number; body: unknown }>;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `node dist/main.js serve -c <tmp config>` on a random port (`port: 0`) and waits for the
 * `serving … endpoints on …:<port>` log line of the HTTP listener. Requires `npm run build`.
 */
export async function spawnServer(
  config: Record<string, unknown> = {},
  timeoutMs = 10_000,
  env: NodeJS.ProcessEnv = {},
  /** A command the server runs under, e.g. `['prlimit', '--nofile=120:120', '--']`. */
  wrapper: readonly string[] = [],
): Promise<ServerProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'rotor-e2e-'));
  const file = join(dir, 'config.json');
  await writeFile(
    file,
    JSON.stringify({ address: '127.0.0.1', port: 0, api_key: TEST_API_KEY, token_hmac_secret_key: TEST_HMAC_SECRET, log_level: 'info', ...config }),
  );
  // `env` adds to this process's environment; a key given as undefined is removed from it.
  const childEnv = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== undefined));
  const argv = [...wrapper, process.execPath, MAIN, 'serve', '-c', file];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv });
  const logs: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms:\n${logs.join('\n')}`)), timeoutMs);
    const onLine = (line: string): void => {
      logs.push(line);
      // The HTTP listener's line (uni_grpc, bound before it, logs `serving uni_grpc endpoints on …` too).
      const m = /serving (?!uni_grpc ).* endpoints on .*:(\d+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    createInterface({ input: child.stderr }).on('line', onLine);
    createInterface({ input: child.stdout }).on('line', onLine);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${logs.join('\n')}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  let exited: Promise<number | null> | undefined;
  return {
    port,
    url,
    wsUrl: `ws://127.0.0.1:${port}/connection/websocket`,
    child,
    logs,
    async api(method, body) {
      const res = await fetch(`${url}/api/${method}`, {
        method: 'POST',
        headers: { 'X-API-Key': TEST_API_KEY },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      try {
        return { status: res.status, body: JSON.parse(text) as unknown };
      } catch {
        return { status: res.status, body: text };
      }
    },
    stop(signal = 'SIGTERM') {
      exited ??= new Promise<number | null>((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }).finally(() => rm(dir, { recursive: true, force: true }));
      return exited;
    },
  };
}
