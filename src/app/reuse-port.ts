/**
 * @module app/reuse-port — whether the workers of `rotor serve --workers N` bind their own
 * SO_REUSEPORT listening sockets instead of sharing the primary's one.
 *
 * Node ≥ 22.12 accepts `listen({ reusePort: true })`; with `exclusive: true` a cluster worker then
 * binds its own socket and the kernel spreads new connections over the workers' sockets (no shared
 * accept queue, no wake-up of every worker for one connection). Older runtimes ignore the option, so
 * the primary probes it once before forking: two sockets on one loopback port, both with
 * `reusePort`; the second bind only succeeds where the option works. Not used with
 * `NODE_CLUSTER_SCHED_POLICY=rr` (the primary accepts then) nor with `port: 0` (each worker would
 * get a port of its own).
 */
import { createServer, type ListenOptions, type Server } from 'node:net';

/** Set in a worker's environment when it binds its own SO_REUSEPORT sockets. */
export const REUSE_PORT_ENV = 'ROTOR_WORKER_REUSEPORT';

/** `reusePort` is not in Node 20's typings; the runtimes that know it read it from the same object. */
export type ReusableListenOptions = ListenOptions & { reusePort?: boolean };

function bind(server: Server, options: ReusableListenOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options, () => {
      server.off('error', reject);
      const a = server.address();
      resolve(typeof a === 'object' && a !== null ? a.port : 0);
    });
  });
}

/** True when this runtime gives two listeners on one port their own SO_REUSEPORT sockets. */
export async function probeReusePort(): Promise<boolean> {
  const first = createServer();
  const second = createServer();
  try {
    const port = await bind(first, { host: '127.0.0.1', port: 0, reusePort: true });
    await bind(second, { host: '127.0.0.1', port, reusePort: true });
    return true;
  } catch {
    return false;
  } finally {
    for (const s of [first, second]) if (s.listening) s.close();
  }
}

/** True in a worker told to bind its own SO_REUSEPORT sockets. */
export function workerReusesPort(): boolean {
  return process.env[REUSE_PORT_ENV] === '1';
}
