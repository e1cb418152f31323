/**
 * @module engines/nats/connection — one lazily established NATS connection that reconnects forever.
 *
 * Shared plumbing of NatsBroker and NatsController: URL parsing (credentials in the URL become
 * user/pass or token options), connect with the dial timeout, status logging, bounded flush and an
 * idempotent close that drains first.
 */
import { errorText } from '../../util/error-text.js';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection, NodeConnectionOptions, TlsOptions } from '@nats-io/transport-node';
import { EngineError } from '../../core/errors.js';
import { nodeTlsOptions } from '../../util/client-tls.js';
import { silentLogger } from '../../core/logger.js';
import type { Logger } from '../../core/logger.js';
import {
  DEFAULT_NATS_DIAL_TIMEOUT_MS,
  DEFAULT_NATS_RECONNECT_TIME_WAIT_MS,
  DEFAULT_NATS_WRITE_TIMEOUT_MS,
} from './options.js';
import type { NatsConnectionOptions, NatsTlsOptions } from './options.js';

/** Server list and credentials extracted from a `nats_url` value. */
export interface ParsedNatsUrl {
  readonly servers: string[];
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
}

/**
 * Parses `nats://user:pass@host:4222[,nats://host2:4222]`. A user without a password is a token.
 * Throws EngineError for an unparsable URL.
 */
export function parseNatsUrl(url: string): ParsedNatsUrl {
  const servers: string[] = [];
  let user: string | undefined;
  let pass: string | undefined;
  for (const part of url.split(',')) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const withScheme = trimmed.includes('://') ? trimmed : `nats://${trimmed}`;
    let parsed: URL;
    try {
      parsed = new URL(withScheme);
    } catch (err) {
      throw new EngineError(`invalid nats url: ${trimmed}`, { cause: err });
    }
    if (parsed.hostname === '') throw new EngineError(`invalid nats url: ${trimmed}`);
    if (parsed.username !== '' && user === undefined) {
      user = decodeURIComponent(parsed.username);
      pass = parsed.password !== '' ? decodeURIComponent(parsed.password) : undefined;
    }
    servers.push(`${parsed.hostname}:${parsed.port !== '' ? parsed.port : '4222'}`);
  }
  if (servers.length === 0) throw new EngineError('empty nats url');
  if (user === undefined) return { servers };
  if (pass === undefined) return { servers, token: user };
  return { servers, user, pass };
}

/** Rejects with EngineError when `promise` does not settle within `ms`. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new EngineError(`nats ${what} timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** Wraps anything thrown by the NATS client into EngineError. */
export function toEngineError(what: string, err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const detail = errorText(err);
  return new EngineError(`nats ${what}: ${detail}`, { cause: err });
}

/**
 * The client's TLS options. The NATS client passes its `tls` object on to Node's `tls.connect`, so
 * `servername` and `rejectUnauthorized` (not in its declared type) take effect there.
 */
function natsTls(o: NatsTlsOptions): TlsOptions {
  // nodeTlsOptions sets PEM strings only, which is what the declared TlsOptions fields take.
  return nodeTlsOptions(o) as TlsOptions;
}

/** A NATS connection established on first use; `close()` is idempotent and final. */
export class NatsConnectionHolder {
  readonly logger: Logger;
  readonly writeTimeoutMs: number;
  private readonly options: NatsConnectionOptions;
  private readonly role: string;
  private connecting: Promise<NatsConnection> | undefined;
  private nc: NatsConnection | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: NatsConnectionOptions, role: string) {
    this.options = options;
    this.role = role;
    this.logger = options.logger ?? silentLogger;
    this.writeTimeoutMs = options.writeTimeoutMs ?? DEFAULT_NATS_WRITE_TIMEOUT_MS;
  }

  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  /** The live connection (connecting on first call). Rejects with EngineError after close or on dial failure. */
  async get(): Promise<NatsConnection> {
    if (this.closing !== undefined) throw new EngineError(`nats ${this.role} is closed`);
    if (this.nc !== undefined) return this.nc;
    this.connecting ??= this.dial().then(
      (nc) => {
        this.nc = nc;
        return nc;
      },
      (err: unknown) => {
        this.connecting = undefined;
        throw toEngineError('connect', err);
      },
    );
    const nc = await this.connecting;
    if (this.closing !== undefined) throw new EngineError(`nats ${this.role} is closed`);
    return nc;
  }

  /** Waits for the server to acknowledge everything sent so far, at most `writeTimeoutMs`. */
  async flush(nc: NatsConnection): Promise<void> {
    try {
      await withDeadline(nc.flush(), this.writeTimeoutMs, 'flush');
    } catch (err) {
      throw toEngineError('flush', err);
    }
  }

  /** Drains (bounded by `writeTimeoutMs`) and closes. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    let nc = this.nc;
    if (nc === undefined && this.connecting !== undefined) {
      nc = await this.connecting.catch(() => undefined);
    }
    if (nc === undefined || nc.isClosed()) return;
    try {
      await withDeadline(nc.drain(), this.writeTimeoutMs, 'drain');
    } catch (err) {
      this.logger.debug('nats drain failed, closing', { role: this.role, error: String(err) });
    }
    if (!nc.isClosed()) await nc.close().catch(() => undefined);
  }

  private async dial(): Promise<NatsConnection> {
    const parsed = parseNatsUrl(this.options.url);
    const nodeId = this.options.nodeId;
    const connectOptions: NodeConnectionOptions = {
      servers: parsed.servers,
      timeout: this.options.dialTimeoutMs ?? DEFAULT_NATS_DIAL_TIMEOUT_MS,
      reconnect: true,
      maxReconnectAttempts: -1,
      // Reconnect forever, even after repeated auth failures (credentials may be fixed server-side).
      ignoreAuthErrorAbort: true,
      reconnectTimeWait: this.options.reconnectTimeWaitMs ?? DEFAULT_NATS_RECONNECT_TIME_WAIT_MS,
      name: nodeId !== undefined && nodeId !== '' ? `rotor-${nodeId}-${this.role}` : `rotor-${this.role}`,
      ...(parsed.user !== undefined ? { user: parsed.user } : {}),
      ...(parsed.pass !== undefined ? { pass: parsed.pass } : {}),
      ...(parsed.token !== undefined ? { token: parsed.token } : {}),
    };
    const tls = this.options.tls;
    if (tls !== undefined) connectOptions.tls = natsTls(tls);
    const nc = await connect(connectOptions);
    this.logger.info('nats connected', { role: this.role, server: nc.getServer() });
    void this.watchStatus(nc);
    return nc;
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    try {
      for await (const status of nc.status()) {
        switch (status.type) {
          case 'disconnect':
            this.logger.warn('nats disconnected', { role: this.role, server: status.server });
            break;
          case 'reconnect':
            this.logger.info('nats reconnected', { role: this.role, server: status.server });
            break;
          case 'error':
            this.logger.error('nats error', { role: this.role, error: status.error.message });
            break;
          case 'slowConsumer':
            this.logger.warn('nats slow consumer', { role: this.role, pending: status.pending });
            break;
          case 'staleConnection':
            this.logger.warn('nats stale connection', { role: this.role });
            break;
          case 'reconnecting':
          case 'update':
          case 'ldm':
          case 'ping':
          case 'forceReconnect':
          case 'close':
            break;
        }
      }
    } catch (err) {
      this.logger.debug('nats status iterator ended', { role: this.role, error: String(err) });
    }
  }
}
