/**
 * @module test/harness/nats — spawns a real `nats-server` on a free loopback port for integration tests.
 *
 * `spawnNats()` resolves once the server greets with its INFO line. `restart()` stops the process and
 * starts a new one on the same port (for reconnect tests); `stop()` is idempotent. Every wait is bounded.
 * The binary is taken from `NATS_SERVER` or `PATH`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, launch, type Running, terminate } from './spawned.js';

export interface NatsServerHandle {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM, then SIGKILL after a grace period). Idempotent. */
  stop(): Promise<void>;
  /** Stops and starts a fresh server on the same port; resolves when it accepts connections. */
  restart(): Promise<void>;
}

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 5000;
const PORT_ATTEMPTS = 5;

/** Resolves when a TCP client receives the server's `INFO` greeting. */
async function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    let buffered = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.once('error', () => finish(false));
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      if (buffered.startsWith('INFO ')) finish(true);
      else if (buffered.length >= 5) finish(false);
    });
  });
}

function launchNats(port: number, extra: readonly string[]): Running {
  return launch(process.env['NATS_SERVER'] ?? 'nats-server', ['-a', HOST, '-p', String(port), ...extra]);
}

/** Waits until the server greets; rejects when it exits first or the deadline passes. */
async function waitReady(running: Running, port: number): Promise<void> {
  let exited = false;
  void running.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`nats-server exited during startup: ${running.log.join(' | ')}`);
    if (await greets(port)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`nats-server not ready on port ${port} after ${READY_TIMEOUT_MS} ms: ${running.log.join(' | ')}`);
}


/**
 * Starts a nats-server on a free loopback port. `jetstream: true` adds `-js` with a temp store dir that
 * survives `restart()` (streams and consumers persist) and is removed by `stop()`; `args` are added to
 * its command line (e.g. TLS flags).
 */
export async function spawnNats(options: { jetstream?: boolean; args?: readonly string[] } = {}): Promise<NatsServerHandle> {
  const storeDir = options.jetstream === true ? mkdtempSync(join(tmpdir(), 'rotor-js-')) : undefined;
  const extra = [...(storeDir === undefined ? [] : ['-js', '-sd', storeDir]), ...(options.args ?? [])];
  let lastError: unknown;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = await freePort();
    const running = launchNats(port, extra);
    try {
      await waitReady(running, port);
      return handle(port, running, extra, storeDir);
    } catch (err) {
      // Another process may have taken the port between allocation and bind: pick another one.
      lastError = err;
      await terminate(running);
    }
  }
  if (storeDir !== undefined) rmSync(storeDir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error('could not start nats-server');
}

function handle(port: number, first: Running, extra: readonly string[], storeDir: string | undefined): NatsServerHandle {
  let current: Running | undefined = first;
  return {
    url: `nats://${HOST}:${port}`,
    port,
    async stop() {
      const running = current;
      current = undefined;
      if (running !== undefined) await terminate(running);
      if (storeDir !== undefined) rmSync(storeDir, { recursive: true, force: true });
    },
    async restart() {
      if (current !== undefined) await terminate(current);
      const running = launchNats(port, extra);
      current = running;
      await waitReady(running, port);
    },
  };
}
