/**
 * @module test/harness/workers — helpers for `rotor serve --workers N` end-to-end tests: start the
 * group, find its worker processes, wait until clients sit on both workers, and tell which worker
 * holds which socket (from /proc, so a test proves where a connection landed instead of assuming it).
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { infoNodes } from './cluster.js';
import { spawnServer, type ServerProcess } from './process.js';
import { waitFor } from './wait.js';

/**
 * Accept policy of most workers tests: Node's round-robin, so connections are spread over both
 * workers whatever the kernel would choose. Rotor's default (workers accept themselves) has tests of
 * its own.
 */
export const SPREAD: NodeJS.ProcessEnv = { NODE_CLUSTER_SCHED_POLICY: 'rr' };

/**
 * The built server with its workers, once every one serves (the harness resolves on the first HTTP
 * listener); rejects with the exit code and the logs when the group exits before that.
 */
export async function spawnWorkers(config: Record<string, unknown>, env: NodeJS.ProcessEnv = SPREAD): Promise<ServerProcess> {
  const s = await spawnServer(config, 30_000, env);
  const serving = (): boolean => s.logs.some((l) => l.includes('all workers serving'));
  try {
    await waitFor(() => serving() || s.child.exitCode !== null, 30_000, 'all workers serving', 50);
  } catch (err) {
    await s.stop();
    throw err;
  }
  if (!serving()) throw new Error(`server exited with ${s.child.exitCode}:\n${s.logs.join('\n')}`);
  return s;
}

/** Worker process ids from the `starting Rotor` log lines (a restarted worker adds one). */
export function workerPids(server: ServerProcess): number[] {
  const pids: number[] = [];
  for (const line of server.logs) {
    try {
      const l = JSON.parse(line) as { message?: string; pid?: number };
      if (l.message === 'starting Rotor' && typeof l.pid === 'number') pids.push(l.pid);
    } catch {
      // not a JSON log line
    }
  }
  return pids;
}

/** Ports in the log lines matching `pattern` (its first group is the port), one per line, in order. */
export function loggedPorts(server: ServerProcess, pattern: RegExp): number[] {
  const out: number[] = [];
  for (const line of server.logs) {
    const m = pattern.exec(line);
    if (m) out.push(Number(m[1]));
  }
  return out;
}

/** TCP states of /proc/net/tcp. */
const TCP_STATE = { established: '01', listening: '0A' } as const;

/** Inodes of the IPv4 sockets whose local port is `port`, in `state` (/proc/net/tcp). */
export async function tcpInodes(port: number, state: keyof typeof TCP_STATE): Promise<Set<string>> {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const out = new Set<string>();
  for (const line of (await readFile('/proc/net/tcp', 'latin1')).split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 9 && f[1]!.endsWith(hexPort) && f[3] === TCP_STATE[state]) out.add(f[9]!);
  }
  return out;
}

/** Inodes of the sockets among a process's open file descriptors. */
export async function socketInodes(pid: number): Promise<string[]> {
  const out: string[] = [];
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])) {
    const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''));
    if (m) out.push(m[1]!);
  }
  return out;
}

/** The process among `pids` that holds the socket `inode`, or undefined. */
async function socketOwner(inode: string, pids: readonly number[]): Promise<number | undefined> {
  for (const pid of pids) if ((await socketInodes(pid)).includes(inode)) return pid;
  return undefined;
}

/**
 * Opens one connection with `open` (which must return once it is established) and returns the worker
 * holding its server side: the one new established socket on `port` owned by a process of `pids`.
 * Connections to `port` must not be opened concurrently.
 */
export async function workerOfNewConnection(port: number, pids: readonly number[], open: () => Promise<void>): Promise<number> {
  const before = await tcpInodes(port, 'established');
  await open();
  let owner: number | undefined;
  await waitFor(
    async () => {
      for (const inode of await tcpInodes(port, 'established')) {
        if (before.has(inode)) continue;
        owner ??= await socketOwner(inode, pids);
      }
      return owner !== undefined;
    },
    10_000,
    `a worker holding the new connection to port ${port}`,
    20,
  );
  return owner!;
}

/** Waits until `info` lists `workers` nodes, with `total` connections between them and some on each. */
export async function waitForBothWorkers(server: ServerProcess, total: number, workers = 2): Promise<void> {
  let last = '';
  await waitFor(
    async () => {
      const nodes = await infoNodes(server);
      last = JSON.stringify(nodes.map((n) => [n.name, n.num_clients]));
      const counts = nodes.map((n) => n.num_clients ?? 0);
      return nodes.length === workers && counts.every((c) => c > 0) && counts.reduce((a, b) => a + b, 0) === total;
    },
    15_000,
    `${total} connections spread over ${workers} workers`,
    100,
  ).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; last info: ${last}`, { cause: err });
  });
}
