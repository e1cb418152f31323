/**
 * @module engines/redis/pubsub — one dedicated PUB/SUB connection with its own reconnect loop
 * (Centrifugo's Redis PUB/SUB handling).
 *
 * On every (re)connection it first subscribes the fixed channels (the `P.shard.0` anchor for data
 * connections; `P.control` + `P.node.<uid>` for control connections) and only then reports itself up and
 * re-subscribes every channel that currently has interest, in SUBSCRIBE batches of at most 512 channels.
 * While it is down, `subscribe()` rejects with an EngineError. Messages are handed to the callback
 * synchronously in arrival order, which keeps per-channel order.
 */
import { errorText } from '../../util/error-text.js';
import type { Cluster, Redis } from 'ioredis';
import { EngineError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';

/** Max channels per SUBSCRIBE command. */
const SUBSCRIBE_BATCH_SIZE = 512;

/** Options of `PubSubConnection`. */
export interface PubSubConnectionOptions {
  /** For log lines, e.g. `data shard 0`. */
  readonly name: string;
  /** Creates a new lazy connection for each attempt. */
  readonly connect: () => Redis;
  /** Subscribed first on every connection, before the connection counts as up. */
  readonly fixedChannels: readonly string[];
  /** Fixed channels whose messages are dropped (the anchor). */
  readonly ignoredChannels?: readonly string[] | undefined;
  /** Receives messages of fixed (not ignored) channels and of channels with interest. */
  readonly onMessage: (channel: string, payload: Uint8Array) => void;
  readonly logger: Logger;
  /** Delay before reconnect attempt `n` (1-based). @default 250 ms growing to 1 s */
  readonly reconnectDelayMs?: ((attempt: number) => number) | undefined;
  /** Bound on the graceful QUIT at close. @default 1000 */
  readonly quitTimeoutMs?: number | undefined;
}

function defaultReconnectDelay(attempt: number): number {
  return Math.min(250 * attempt, 1000);
}


/** A self-healing subscriber connection. */
export class PubSubConnection {
  readonly #o: PubSubConnectionOptions;
  readonly #fixed: ReadonlySet<string>;
  readonly #ignored: ReadonlySet<string>;
  readonly #interest = new Set<string>();
  #conn: Redis | undefined;
  #up = false;
  #closed = false;
  #started = false;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #firstResult: { resolve: () => void; reject: (err: Error) => void } | undefined;
  /** Resolvers waiting for the next "up" (tests, start). */
  #upWaiters: Array<() => void> = [];

  constructor(options: PubSubConnectionOptions) {
    this.#o = options;
    this.#fixed = new Set(options.fixedChannels);
    this.#ignored = new Set(options.ignoredChannels ?? []);
  }

  /** True while connected with the fixed channels subscribed. */
  get up(): boolean {
    return this.#up;
  }

  /** Channels with interest (subscribed or to be re-subscribed). */
  get channels(): ReadonlySet<string> {
    return this.#interest;
  }

  /**
   * Starts the connection loop. Resolves when the connection is up for the first time; rejects with an
   * EngineError when the first attempt fails (the loop keeps retrying in the background until close).
   */
  start(): Promise<void> {
    if (this.#closed) return Promise.reject(new EngineError(`redis ${this.#o.name}: closed`));
    if (this.#started) return this.#up ? Promise.resolve() : this.whenUp();
    this.#started = true;
    const first = new Promise<void>((resolve, reject) => {
      this.#firstResult = { resolve, reject };
    });
    this.#attempt();
    return first;
  }

  /** Resolves the next time the connection is up (immediately when it is). */
  whenUp(): Promise<void> {
    if (this.#up) return Promise.resolve();
    return new Promise((resolve) => this.#upWaiters.push(resolve));
  }

  /** Adds interest and subscribes; rejects with EngineError while the connection is down. */
  async subscribe(channels: readonly string[]): Promise<void> {
    if (this.#closed) throw new EngineError(`redis ${this.#o.name}: closed`);
    const conn = this.#conn;
    if (!this.#up || conn === undefined) {
      throw new EngineError('redis: pub/sub connection temporary unavailable');
    }
    for (const ch of channels) this.#interest.add(ch);
    try {
      await Promise.all(this.#batches(channels).map((batch) => conn.subscribe(...batch)));
    } catch (err) {
      for (const ch of channels) this.#interest.delete(ch);
      throw new EngineError(`redis ${this.#o.name}: subscribe failed: ${errorText(err)}`, { cause: err });
    }
  }

  /**
   * Drops interest and unsubscribes. Never rejects for connection problems: a lost connection forgot
   * its subscriptions, and the next one will not re-subscribe these channels.
   */
  async unsubscribe(channels: readonly string[]): Promise<void> {
    for (const ch of channels) this.#interest.delete(ch);
    const conn = this.#conn;
    if (!this.#up || conn === undefined) return;
    try {
      await Promise.all(this.#batches(channels).map((batch) => conn.unsubscribe(...batch)));
    } catch (err) {
      this.#o.logger.debug('redis unsubscribe failed', { connection: this.#o.name, error: errorText(err) });
    }
  }

  /** Idempotent: stops reconnecting and quits the connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#up = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#firstResult?.reject(new EngineError(`redis ${this.#o.name}: closed`));
    this.#firstResult = undefined;
    const conn = this.#conn;
    this.#conn = undefined;
    if (conn !== undefined) await quitConnection(conn, this.#o.quitTimeoutMs ?? 1000);
  }

  #batches(channels: readonly string[]): string[][] {
    const out: string[][] = [];
    for (let i = 0; i < channels.length; i += SUBSCRIBE_BATCH_SIZE) {
      out.push(channels.slice(i, i + SUBSCRIBE_BATCH_SIZE));
    }
    return out;
  }

  #attempt(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    let conn: Redis;
    try {
      conn = this.#o.connect();
    } catch (err) {
      this.#failed(undefined, err);
      return;
    }
    this.#conn = conn;
    conn.on('error', (err: Error) => {
      this.#o.logger.debug('redis pub/sub connection error', { connection: this.#o.name, error: err.message });
    });
    conn.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      if (this.#conn === conn) this.#dispatch(channel, message);
    });
    conn.once('end', () => this.#lost(conn));
    void this.#establish(conn);
  }

  async #establish(conn: Redis): Promise<void> {
    try {
      await conn.connect();
      if (this.#o.fixedChannels.length > 0) await conn.subscribe(...this.#o.fixedChannels);
    } catch (err) {
      if (this.#conn === conn) this.#failed(conn, err);
      return;
    }
    if (this.#conn !== conn || this.#closed) return;
    this.#up = true;
    if (this.#failures > 0) this.#o.logger.info('redis pub/sub connection restored', { connection: this.#o.name });
    this.#failures = 0;
    this.#resubscribe(conn);
    this.#firstResult?.resolve();
    this.#firstResult = undefined;
    const waiters = this.#upWaiters;
    this.#upWaiters = [];
    for (const w of waiters) w();
  }

  #resubscribe(conn: Redis): void {
    const channels = [...this.#interest];
    for (const batch of this.#batches(channels)) {
      conn.subscribe(...batch).catch((err: unknown) => {
        // A connection that cannot re-subscribe is useless: drop it so the loop starts over.
        this.#o.logger.warn('redis resubscribe failed', { connection: this.#o.name, error: errorText(err) });
        if (this.#conn === conn) conn.disconnect();
      });
    }
  }

  #dispatch(channel: Buffer, message: Buffer): void {
    const name = channel.toString('utf8');
    if (this.#fixed.has(name) ? this.#ignored.has(name) : !this.#interest.has(name)) return;
    try {
      this.#o.onMessage(name, new Uint8Array(message.buffer, message.byteOffset, message.length));
    } catch (err) {
      this.#o.logger.error('redis pub/sub handler failed', { connection: this.#o.name, channel: name, error: errorText(err) });
    }
  }

  /** The connection ended after having been (maybe) up. */
  #lost(conn: Redis): void {
    if (this.#conn !== conn) return;
    this.#failed(conn, new Error('connection closed'));
  }

  #failed(conn: Redis | undefined, err: unknown): void {
    const wasUp = this.#up;
    this.#up = false;
    this.#conn = undefined;
    if (conn !== undefined) conn.disconnect();
    if (this.#closed) return;
    this.#failures += 1;
    const fields = { connection: this.#o.name, error: errorText(err) };
    if (wasUp) this.#o.logger.warn('redis pub/sub connection lost', fields);
    else this.#o.logger.debug('redis pub/sub connect failed', fields);
    if (this.#firstResult !== undefined) {
      this.#firstResult.reject(new EngineError(`redis ${this.#o.name}: cannot connect: ${fields.error}`, { cause: err }));
      this.#firstResult = undefined;
    }
    const delay = (this.#o.reconnectDelayMs ?? defaultReconnectDelay)(this.#failures);
    this.#timer = setTimeout(() => this.#attempt(), delay);
    this.#timer.unref();
  }
}

/** QUIT with a bound, then drop the socket. */
export async function quitConnection(conn: Redis | Cluster, timeoutMs: number): Promise<void> {
  if (conn.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        conn.quit(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
    } catch {
      // Closing anyway.
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }
  conn.disconnect();
}
