/** @module test/harness/spawned — child processes of test servers (redis, nats): launch, log tail, stop, free ports. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

const STOP_GRACE_MS = 3000;

/** Everything still running is killed when the test process exits, even after a failure. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface Running {
  readonly child: ChildProcess;
  /** Resolves when the process has exited (or failed to spawn). */
  readonly exited: Promise<void>;
  /** The last lines it printed, for error messages. */
  readonly log: string[];
}

/** Spawns `bin args` (with `env` added to the environment), keeping the last `keepLines` lines of its output. */
export function launch(bin: string, args: readonly string[], keepLines = 50, env?: Record<string, string>): Running {
  const child = spawn(bin, [...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(env !== undefined ? { env: { ...process.env, ...env } } : {}) });
  live.add(child);
  const log: string[] = [];
  const collect = (chunk: Buffer): void => {
    log.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
    if (log.length > keepLines) log.splice(0, log.length - keepLines);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      live.delete(child);
      resolve();
    });
    child.once('error', (err) => {
      log.push(`spawn error: ${err.message}`);
      live.delete(child);
      resolve();
    });
  });
  return { child, exited, log };
}

/** Sends `signal`, then SIGKILL after a grace period; resolves once the process is gone. */
export async function terminate(running: Running, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const { child } = running;
  if (child.exitCode !== null || child.signalCode !== null || !live.has(child)) {
    await running.exited;
    return;
  }
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([
    running.exited.then(() => true),
    new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), STOP_GRACE_MS);
    }),
  ]);
  if (timer !== undefined) clearTimeout(timer);
  if (!done) {
    child.kill('SIGKILL');
    await running.exited;
  }
}

/** A port that was free a moment ago (bind to :0 on loopback, read, release). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
