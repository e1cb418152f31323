/**
 * @module test/harness/redis — real `redis-server` / `redis-sentinel` processes on free loopback ports.
 *
 * - `spawnRedis()`: one standalone server (`--save '' --appendonly no`), ready when it answers PING;
 *   `kill()` / `start()` stop and restart it on the same port (reconnect tests).
 * - `spawnRedisSentinel()`: 1 master + 1 replica + 3 sentinels (`sentinel monitor mymaster … 2`), ready when
 *   the replica is linked and every sentinel reports the master.
 * - `spawnRedisCluster()`: 3 masters (`--cluster-enabled yes`, explicit `--cluster-port`), joined with
 *   `redis-cli --cluster create … --cluster-replicas 0 --cluster-yes`, ready on `cluster_state:ok`.
 *
 * Every wait is bounded; `stop()` kills every process and removes the temp directory, and is idempotent.
 * Binaries come from PATH (`REDIS_SERVER`, `REDIS_CLI`, `REDIS_SENTINEL` override).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, launch, type Running, terminate } from './spawned.js';

export { freePort };

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 10_000;
const PORT_ATTEMPTS = 5;
const POLL_MS = 50;

const REDIS_SERVER = process.env['REDIS_SERVER'] ?? 'redis-server';
const REDIS_CLI = process.env['REDIS_CLI'] ?? 'redis-cli';
const REDIS_SENTINEL = process.env['REDIS_SENTINEL'] ?? 'redis-sentinel';

/** A standalone redis-server. */
export interface RedisServerHandle {
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>` */
  readonly address: string;
  /** Stops the process (SIGKILL: a crash), keeping the port for `start()`. */
  kill(): Promise<void>;
  /** Starts a fresh (empty) server on the same port; resolves when it answers PING. */
  start(): Promise<void>;
  /** Kills the process and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

/** Sentinel topology. */
export interface RedisSentinelHandle {
  readonly masterName: string;
  readonly master: RedisServerHandle;
  readonly replica: RedisServerHandle;
  /** `127.0.0.1:<port>` of each sentinel. */
  readonly sentinels: readonly string[];
  stop(): Promise<void>;
}

/** Redis Cluster of three masters. */
export interface RedisClusterHandle {
  /** `127.0.0.1:<port>` of each master. */
  readonly nodes: readonly string[];
  readonly servers: readonly RedisServerHandle[];
  stop(): Promise<void>;
}

/** A port that was free a moment ago (bind to :0, read, release). */

/** Sends one inline command and resolves with the first reply line (undefined on any failure). */
async function inline(port: number, command: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    let buffered = '';
    const finish = (value: string | undefined): void => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(500, () => finish(undefined));
    socket.once('error', () => finish(undefined));
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      const end = buffered.indexOf('\r\n');
      if (end >= 0) finish(buffered.slice(0, end));
    });
  });
}

/** Runs redis-cli with a bound; resolves with stdout ('' on failure). */
async function cli(args: readonly string[], timeoutMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    execFile(REDIS_CLI, [...args], { timeout: timeoutMs }, (err, stdout) => resolve(err ? '' : stdout));
  });
}

async function pollUntil(what: string, check: () => Promise<boolean>, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}



/** Waits for PONG; rejects if the process exits first or the deadline passes. */
async function waitPong(running: Running, port: number, what: string): Promise<void> {
  let exited = false;
  void running.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${what} exited during startup: ${running.log.join(' | ')}`);
    if ((await inline(port, 'PING')) === '+PONG') return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what} not ready on port ${port} after ${READY_TIMEOUT_MS} ms: ${running.log.join(' | ')}`);
}

function serverArgs(port: number, dir: string, extra: readonly string[]): string[] {
  return ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir, ...extra];
}

/**
 * Starts one redis-server on a free port. `extra(port)` adds arguments (cluster, replication); `dir` is
 * the working directory (a fresh temp dir owned by the handle when absent).
 */
async function startServer(extra: (port: number) => readonly string[] = () => [], sharedDir?: string): Promise<RedisServerHandle> {
  const dir = sharedDir ?? mkdtempSync(join(tmpdir(), 'rotor-redis-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = await freePort();
    const args = serverArgs(port, dir, extra(port));
    const running = launch(REDIS_SERVER, args);
    try {
      await waitPong(running, port, 'redis-server');
      return serverHandle(port, args, running, sharedDir === undefined ? dir : undefined);
    } catch (err) {
      lastError = err;
      await terminate(running, 'SIGKILL');
    }
  }
  if (sharedDir === undefined) rmSync(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error('could not start redis-server');
}

function serverHandle(port: number, args: readonly string[], first: Running, ownedDir: string | undefined): RedisServerHandle {
  let current: Running | undefined = first;
  let stopped = false;
  return {
    host: HOST,
    port,
    url: `redis://${HOST}:${port}`,
    address: `${HOST}:${port}`,
    async kill() {
      const running = current;
      current = undefined;
      if (running !== undefined) await terminate(running, 'SIGKILL');
    },
    async start() {
      if (stopped) throw new Error('redis-server handle is stopped');
      if (current !== undefined) await terminate(current, 'SIGKILL');
      const running = launch(REDIS_SERVER, args);
      current = running;
      await waitPong(running, port, 'redis-server');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const running = current;
      current = undefined;
      if (running !== undefined) await terminate(running, 'SIGKILL');
      if (ownedDir !== undefined) rmSync(ownedDir, { recursive: true, force: true });
    },
  };
}

/** A standalone redis-server on a free loopback port. */
export async function spawnRedis(extraArgs: readonly string[] = []): Promise<RedisServerHandle> {
  // Later directives win: e.g. ['--appendonly', 'yes'] keeps data across kill()/start().
  return startServer(() => extraArgs);
}

/** 1 master + 1 replica + 3 sentinels monitoring `mymaster` with quorum 2. */
export async function spawnRedisSentinel(): Promise<RedisSentinelHandle> {
  const masterName = 'mymaster';
  const dir = mkdtempSync(join(tmpdir(), 'rotor-sentinel-'));
  const servers: RedisServerHandle[] = [];
  const sentinels: Running[] = [];
  const sentinelPorts: number[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(sentinels.map((s) => terminate(s, 'SIGKILL')));
    sentinels.length = 0;
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const master = await startServer(() => ['--repl-diskless-sync-delay', '0'], dir);
    servers.push(master);
    const replica = await startServer(() => ['--replicaof', HOST, String(master.port)], dir);
    servers.push(replica);
    await pollUntil('replica link', async () =>
      (await cli(['-p', String(replica.port), 'info', 'replication'])).includes('master_link_status:up'),
    );
    for (let i = 0; i < 3; i++) {
      const sentinel = await startSentinel(dir, master.port, masterName);
      sentinels.push(sentinel.running);
      sentinelPorts.push(sentinel.port);
    }
    for (const port of sentinelPorts) {
      await pollUntil(`sentinel ${port} to know ${masterName}`, async () => {
        const out = await cli(['-p', String(port), 'sentinel', 'get-master-addr-by-name', masterName]);
        return out.split('\n').map((l) => l.trim()).includes(String(master.port));
      });
    }
    let stopped = false;
    return {
      masterName,
      master,
      replica,
      sentinels: sentinelPorts.map((p) => `${HOST}:${p}`),
      async stop() {
        if (stopped) return;
        stopped = true;
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startSentinel(dir: string, masterPort: number, masterName: string): Promise<{ port: number; running: Running }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = await freePort();
    const conf = join(dir, `sentinel-${port}.conf`);
    writeFileSync(
      conf,
      [
        `port ${port}`,
        `bind ${HOST}`,
        `dir ${dir}`,
        `sentinel monitor ${masterName} ${HOST} ${masterPort} 2`,
        `sentinel down-after-milliseconds ${masterName} 2000`,
        `sentinel failover-timeout ${masterName} 10000`,
        '',
      ].join('\n'),
    );
    const running = launch(REDIS_SENTINEL, [conf]);
    try {
      await waitPong(running, port, 'redis-sentinel');
      return { port, running };
    } catch (err) {
      lastError = err;
      await terminate(running, 'SIGKILL');
    }
  }
  throw lastError instanceof Error ? lastError : new Error('could not start redis-sentinel');
}

/** Three cluster-enabled masters joined into one cluster covering all slots. */
export async function spawnRedisCluster(): Promise<RedisClusterHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'rotor-cluster-'));
  const servers: RedisServerHandle[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 3; i++) {
      const busPort = await freePort();
      servers.push(
        await startServer(
          (port) => [
            '--cluster-enabled', 'yes',
            '--cluster-config-file', join(dir, `nodes-${port}.conf`),
            '--cluster-node-timeout', '2000',
            '--cluster-port', String(busPort),
          ],
          dir,
        ),
      );
    }
    const nodes = servers.map((s) => s.address);
    const created = await cli(['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], 20_000);
    if (!created.includes('All 16384 slots covered')) throw new Error(`redis-cli --cluster create failed: ${created}`);
    for (const s of servers) {
      await pollUntil(`cluster_state:ok on ${s.address}`, async () =>
        (await cli(['-p', String(s.port), 'cluster', 'info'])).includes('cluster_state:ok'),
      );
    }
    let stopped = false;
    return {
      nodes,
      servers,
      async stop() {
        if (stopped) return;
        stopped = true;
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
