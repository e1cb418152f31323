/**
 * @module test/harness/postgres — a real PostgreSQL server (Debian `postgresql`) on a free loopback port.
 *
 * `initdb` (trust auth) into a fresh temp dir, then `postgres -D … -p <port>` with the socket dir inside
 * the temp dir. When the test runs as root, both run as the `postgres` system user (`runuser`), which
 * owns the temp dir. `kill()` stops the server with `pg_ctl stop -m immediate` (every connection drops
 * at once, an outage from the clients' point of view) and `start()` brings it back on the same port with
 * the same data (commits are synchronous: an immediate stop loses no committed row; `fsync=off` only
 * matters for an OS crash). Binaries: `PG_BIN` or the newest /usr/lib/postgresql/<v>/bin.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, launch, type Running, terminate } from './spawned.js';

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 30_000;

function pgBin(): string {
  const env = process.env['PG_BIN'];
  if (env !== undefined && env !== '') return env;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions[0] === undefined) throw new Error('PostgreSQL binaries not found: install the Debian postgresql package (scripts/install-system-deps.sh)');
  return join(root, versions[0], 'bin');
}

const isRoot = process.getuid?.() === 0;

/** Command line running `bin args` as the postgres user when we are root. */
function asPostgres(bin: string, args: readonly string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, [...args]];
}

function run(bin: string, args: readonly string[], timeoutMs = 60_000): Promise<string> {
  const [cmd, argv] = asPostgres(bin, args);
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${bin} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

export interface PostgresHandle {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly dsn: string;
  /** Immediate shutdown (connections dropped, no checkpoint), keeping data and port. */
  kill(): Promise<void>;
  /** Starts the server again on the same port; resolves when it accepts connections. */
  start(): Promise<void>;
  /** Stops the server and removes the data. Idempotent. */
  stop(): Promise<void>;
}

export async function spawnPostgres(): Promise<PostgresHandle> {
  const bin = pgBin();
  const dir = mkdtempSync(join(tmpdir(), 'rotor-pg-'));
  if (isRoot) chownSync(dir, uidOf('postgres'), gidOf('postgres'));
  const data = join(dir, 'data');
  await run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  let current: Running | undefined;
  let stopped = false;

  const startOnce = async (): Promise<void> => {
    const [cmd, argv] = asPostgres(join(bin, 'postgres'), [
      '-D', data, '-p', String(port), '-h', HOST, '-k', dir,
      '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=50',
    ]);
    const running = launch(cmd, argv);
    current = running;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (running.child.exitCode !== null) throw new Error(`postgres exited during startup: ${running.log.join(' | ')}`);
      const ok = await run(join(bin, 'pg_isready'), ['-h', HOST, '-p', String(port), '-t', '1'], 5000).then(
        () => true,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`postgres not ready on ${port}: ${running.log.join(' | ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const kill = async (): Promise<void> => {
    if (current === undefined) return;
    await run(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w']).catch(() => undefined);
    await terminate(current, 'SIGKILL');
    current = undefined;
  };

  await startOnce();
  return {
    port,
    dsn: `postgres://postgres@${HOST}:${port}/postgres`,
    kill,
    start: startOnce,
    async stop() {
      if (stopped) return;
      stopped = true;
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function idField(file: string, name: string, field: number): number {
  // Read /etc/passwd or /etc/group without a dependency; the postgres package creates both entries.
  const text = readFileSync(file, 'utf8');
  const line = text.split('\n').find((l) => l.startsWith(`${name}:`));
  const value = line?.split(':')[field];
  if (value === undefined) throw new Error(`${name} not found in ${file}`);
  return Number(value);
}

function uidOf(user: string): number {
  return idField('/etc/passwd', user, 2);
}

function gidOf(group: string): number {
  return idField('/etc/group', group, 2);
}
