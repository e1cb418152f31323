/** @module test/harness/server — an in-process Rotor server on a random loopback port. */
import { startServer, type RunningServer } from '../../src/app/server.js';
import { validateConfig, type Config } from '../../src/config/index.js';
import type { Clock } from '../../src/core/clock.js';
import { silentLogger, type Logger } from '../../src/core/logger.js';

export const TEST_API_KEY = 'test-api-key';
export const TEST_HMAC_SECRET = 'test-hmac-secret';

export interface TestServer {
  readonly server: RunningServer;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `ws://127.0.0.1:<port>/connection/websocket` */
  readonly wsUrl: string;
  readonly apiKey: string;
  readonly port: number;
  close(): Promise<void>;
  /** POST /api/<method> with the API key; returns status and parsed JSON (or text). */
  api(method: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: unknown }>;
}

/**
 * Starts a server with a test configuration (raw config keys as in a config file) merged over
 * defaults suited to tests: loopback, random port, known API key and HMAC secret, no default metrics.
 */
export async function startTestServer(
  overrides: Record<string, unknown> = {},
  options: { logger?: Logger; clock?: Clock } = {},
): Promise<TestServer> {
  const config = validateConfig({
    address: '127.0.0.1',
    port: 0,
    api_key: TEST_API_KEY,
    token_hmac_secret_key: TEST_HMAC_SECRET,
    log_level: 'none',
    ...overrides,
  });
  return startConfiguredServer(config, options);
}

/** Starts a server with an already loaded configuration (its `api_key` is used by `api()`). */
export async function startConfiguredServer(config: Config, options: { logger?: Logger; clock?: Clock } = {}): Promise<TestServer> {
  const apiKey = config.api_key;
  const server = await startServer(config, {
    logger: options.logger ?? silentLogger,
    clock: options.clock,
    defaultMetrics: false,
  });
  const url = `http://127.0.0.1:${server.httpPort}`;
  const apiUrl = `http://127.0.0.1:${server.internalPort}`;
  return {
    server,
    url,
    wsUrl: `ws://127.0.0.1:${server.httpPort}${config.websocket_handler_prefix}`,
    apiKey,
    port: server.httpPort,
    close: () => server.close(),
    async api(method, body, headers = {}) {
      const res = await fetch(`${apiUrl}/api/${method}`, {
        method: 'POST',
        headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed };
    },
  };
}
