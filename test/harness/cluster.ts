/**
 * @module test/harness/cluster — helpers for multi-process cluster tests: several built Rotor nodes
 * (`spawnServer`) sharing an engine, clients that can be moved between nodes, API calls that must succeed.
 *
 * Moving a client: centrifuge-js builds its WebSocket with `new options.websocket(endpoint, subprotocol)`.
 * `routedWebSocket(route)` is a `ws` subclass that ignores `endpoint` and dials `route.url`, so a test
 * points `route.url` at node B and then breaks the connection to node A (API disconnect, SIGTERM,
 * SIGKILL): the SDK's own reconnect lands on B. `route.dialled` records every URL actually dialled.
 */
import { execFile } from 'node:child_process';
import WebSocket from 'ws';
import type { ServerProcess } from './process.js';
import { spawnServer } from './process.js';
import { waitFor } from './wait.js';

/** Where the next WebSocket of a routed client goes. */
export interface Route {
  url: string;
  /** Every URL dialled so far, in order. */
  readonly dialled: string[];
}

export function route(url: string): Route {
  return { url, dialled: [] };
}

/** A `ws` class for centrifuge-js' `websocket` option that dials `r.url` (see the module comment). */
export function routedWebSocket(r: Route): typeof WebSocket {
  class RoutedWebSocket extends WebSocket {
    constructor(_endpoint: string, protocols?: string | string[]) {
      r.dialled.push(r.url);
      super(r.url, protocols);
    }
  }
  // Same instance API as ws' class; only the constructor's extra overloads (options) are dropped.
  return RoutedWebSocket as unknown as typeof WebSocket;
}

/** Starts nodes concurrently; every node that started is pushed to `into` (so `after()` can stop it). */
export async function spawnNodes(
  configs: ReadonlyArray<Record<string, unknown>>,
  into: ServerProcess[],
): Promise<ServerProcess[]> {
  const settled = await Promise.allSettled(
    configs.map(async (config) => {
      const node = await spawnServer(config, 15_000);
      into.push(node);
      return node;
    }),
  );
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  return settled.map((s) => (s as PromiseFulfilledResult<ServerProcess>).value);
}

/** Stops every node (never throws); SIGKILL is sent by the harness 10 s after the signal at the latest. */
export async function stopAll(nodes: readonly ServerProcess[], signal: NodeJS.Signals = 'SIGTERM'): Promise<Array<number | null>> {
  const codes = await Promise.allSettled(nodes.map((n) => n.stop(signal)));
  return codes.map((c) => (c.status === 'fulfilled' ? c.value : null));
}

/** Calls a server API method and asserts HTTP 200 without an `error`; returns `result`. */
export async function apiOk<T = Record<string, unknown>>(node: ServerProcess, method: string, body: unknown): Promise<T> {
  const r = await node.api(method, body);
  const reply = r.body as { result?: T; error?: unknown } | string;
  if (r.status !== 200 || typeof reply !== 'object' || reply.error !== undefined) {
    throw new Error(`${method} ${JSON.stringify(body)} failed: HTTP ${r.status} ${JSON.stringify(reply)}`);
  }
  return (reply.result ?? {}) as T;
}

interface InfoNode {
  name: string;
  uid: string;
  num_clients?: number;
  num_users?: number;
  num_channels?: number;
}

/** `info` nodes as seen by `node`. */
export async function infoNodes(node: ServerProcess): Promise<InfoNode[]> {
  return (await apiOk<{ nodes: InfoNode[] }>(node, 'info', {})).nodes;
}

/** Waits until `node`'s `info` lists exactly the nodes named `names` (heartbeats every 3 s). */
export async function waitForNodeNames(node: ServerProcess, names: readonly string[], timeoutMs = 10_000): Promise<void> {
  const want = [...names].sort().join(',');
  let last = '';
  try {
    await waitFor(
      async () => {
        last = (await infoNodes(node)).map((n) => n.name).sort().join(',');
        return last === want;
      },
      timeoutMs,
      `info to list ${want}`,
      100,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen: ${last}`, { cause: err });
  }
}

/**
 * Publishes `data` with an idempotency key, retrying until the API accepts it (a Redis restart makes
 * some attempts fail; the key keeps a retried publication that did reach Redis from being published
 * twice). Returns the stream position and the number of failed attempts.
 */
export async function publishWithRetry(
  pick: () => ServerProcess,
  channel: string,
  data: unknown,
  idempotencyKey: string,
  timeoutMs = 20_000,
): Promise<{ offset: number; epoch: string; failures: number }> {
  const deadline = Date.now() + timeoutMs;
  let failures = 0;
  let lastError: string;
  for (;;) {
    try {
      const r = await pick().api('publish', { channel, data, idempotency_key: idempotencyKey });
      const body = r.body as { result?: { offset?: number; epoch?: string }; error?: unknown };
      if (r.status === 200 && typeof body === 'object' && body.error === undefined) {
        return { offset: body.result?.offset ?? 0, epoch: body.result?.epoch ?? '', failures };
      }
      lastError = `HTTP ${r.status} ${JSON.stringify(r.body)}`;
    } catch (err) {
      lastError = (err as Error).message;
    }
    failures++;
    if (Date.now() > deadline) throw new Error(`publish ${idempotencyKey} kept failing for ${timeoutMs} ms: ${lastError}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `redis-cli -p <port> <args…>` stdout (bounded; rejects on failure). */
export async function redisCli(port: number, args: readonly string[], timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.env['REDIS_CLI'] ?? 'redis-cli', ['-p', String(port), ...args], { timeout: timeoutMs }, (err, stdout) => {
      if (err) reject(new Error(`redis-cli ${args.join(' ')}: ${err.message}`, { cause: err }));
      else resolve(stdout);
    });
  });
}

/** Log lines of a node that mention any of `words` (for failure messages). */
export function logsMatching(node: ServerProcess, ...words: string[]): string {
  return node.logs.filter((l) => words.some((w) => l.includes(w))).slice(-20).join('\n');
}

/** 1..n */
export function range(n: number, from = 1): number[] {
  return Array.from({ length: n }, (_, i) => i + from);
}

/**
 * The `room` namespace of the multi-process tests (several nodes, `--workers`): presence, join/leave, history with recovery, and
 * subscribers allowed to publish, read history and presence.
 */
export const ROOM_NAMESPACE = {
  name: 'room',
  presence: true,
  join_leave: true,
  force_push_join_leave: true,
  history_size: 100,
  history_ttl: '300s',
  force_recovery: true,
  allow_subscribe_for_client: true,
  allow_publish_for_subscriber: true,
  allow_history_for_subscriber: true,
  allow_presence_for_subscriber: true,
} as const;
