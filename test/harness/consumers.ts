/**
 * @module test/harness/consumers — shared pieces of the async-consumer tests: an SDK subscriber that
 * collects publications, a log recorder, the `consuming` publish count from metrics, and a "stallable"
 * Redis engine: Rotor servers on one fixed port (so SDK clients reconnect to a restarted server)
 * whose engine writes can be paused (`CLIENT PAUSE … WRITE`) to hold a consumer in the middle of a batch.
 */
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { Logger } from '../../src/core/logger.js';
import { spawnRedis, type RedisServerHandle } from './redis.js';
import { type Client, collect, sdkClient } from './sdk.js';
import { startTestServer, type TestServer } from './server.js';
import { freePort } from './spawned.js';
import { connectToken } from './tokens.js';
import { waitFor } from './wait.js';

export const CONSUMER_TEST_TIMEOUT_MS = 20_000;

const clients: Client[] = [];

/** A JSON SDK client subscribed to `channel`; its publications' data land in `values`. */
export async function subscribeChannel(url: string, channel: string): Promise<{ values: unknown[] }> {
  const client = sdkClient('json', url, { token: await connectToken('consumer-test') });
  clients.push(client);
  const sub = client.newSubscription(channel);
  const got = collect('json', sub);
  sub.subscribe();
  client.connect();
  await sub.ready(CONSUMER_TEST_TIMEOUT_MS);
  return got;
}

/** Disconnects every client made by {@link subscribeChannel}. */
export function disconnectSubscribers(): void {
  for (const c of clients.splice(0)) c.disconnect();
}

/** A logger keeping warn/error lines as `message {fields}`. */
export function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const rec = (m: string, f?: Record<string, unknown>): void => {
    lines.push(`${m} ${JSON.stringify(f ?? {})}`);
  };
  return { lines, logger: { enabled: () => false, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: rec, error: rec } };
}

/** How many `publish` calls the consumers of `s` made (deduplicated re-runs included). */
export async function consumingPublishCount(s: TestServer): Promise<number> {
  const text = await s.server.metrics.registry.metrics();
  const m = /centrifugo_api_command_duration_seconds_count\{protocol="consuming",method="publish"\} (\d+)/.exec(text);
  return m === null ? 0 : Number(m[1]);
}

export interface StallableEngine {
  /** Starts a Rotor server on the shared port (`anyPort`: a random one) with the Redis engine and these consumers. */
  start(consumers: readonly Record<string, unknown>[], options?: { ioTimeout?: string; logger?: Logger; anyPort?: boolean }): Promise<TestServer>;
  /** Stalls every engine write for up to a minute. */
  pause(): Promise<void>;
  unpause(): Promise<void>;
  /**
   * Waits until `got` has at least 20 values, stalls the engine and checks that the batch of `n` is
   * in progress; resolves with how many arrived before the stall.
   */
  stallMidBatch(got: { values: unknown[] }, n: number): Promise<number>;
  /** Closes every server started, stops Redis. */
  stop(): Promise<void>;
}

/**
 * Redis engine for consumer fault tests. Channels of namespace `fx` keep history and force recovery,
 * so a subscriber reconnecting to a restarted server recovers what it missed.
 */
export async function stallableEngine(): Promise<StallableEngine> {
  const engine: RedisServerHandle = await spawnRedis();
  const control = new Redis({ host: engine.host, port: engine.port });
  const port = await freePort();
  const servers: TestServer[] = [];
  const pause = async (): Promise<void> => {
    await control.client('PAUSE', 60_000, 'WRITE');
  };
  const unpause = async (): Promise<void> => {
    await control.client('UNPAUSE');
  };
  return {
    async start(consumers, options = {}) {
      const s = await startTestServer(
        {
          port: options.anyPort === true ? 0 : port,
          engine: 'redis',
          redis_address: engine.address,
          // How long a publish waits on a stalled engine before it fails with 100.
          redis_io_timeout: options.ioTimeout ?? '60s',
          // A subscriber reconnecting to a restarted server may have missed many publications.
          client_recovery_max_publication_limit: 10_000,
          namespaces: [{ name: 'fx', history_size: 5000, history_ttl: '600s', allow_subscribe_for_client: true, force_recovery: true }],
          consumers,
        },
        options.logger !== undefined ? { logger: options.logger } : {},
      );
      servers.push(s);
      return s;
    },
    pause,
    unpause,
    async stallMidBatch(got, n) {
      await waitFor(() => got.values.length >= 20, CONSUMER_TEST_TIMEOUT_MS, 'first publications of the batch');
      await pause();
      const atPause = got.values.length;
      assert.ok(atPause > 0 && atPause < n, `paused mid-batch (${atPause} of ${n})`);
      return atPause;
    },
    async stop() {
      await control.client('UNPAUSE').catch(() => undefined);
      for (const s of servers) await s.close();
      control.disconnect();
      await engine.stop();
    },
  };
}
