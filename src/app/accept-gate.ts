/**
 * @module app/accept-gate — a worker of `rotor serve --workers N` stops accepting client connections
 * when its descriptors come near its limit (RLIMIT_NOFILE), so the other workers take the new ones.
 *
 * Without it, a worker that is out of descriptors (or over the per-listener cap of
 * `observability/descriptors`) accepts each new connection and closes it at once, while another
 * worker may still have plenty of room. The gate counts the connections the worker's listeners hold
 * (cheap: one counter, no /proc reads) against a high mark — the descriptor limit minus the
 * descriptors open at start minus a reserve for files, Redis/NATS and proxy sockets — and, once the
 * count reaches it, closes this worker's own handle of its client-facing listener: with the shared
 * socket the other workers keep accepting from it, with SO_REUSEPORT the kernel stops sending
 * connections to this worker's socket. When the count is back at or below a lower mark (hysteresis,
 * so the worker does not flap) it listens again. Established connections are never touched.
 *
 * When every worker is paused nobody listens on the port: new connections are refused by the kernel
 * (or reset if they were queued when the last worker closed), a clean failure the client retries.
 */
import { Server as NetServer, type Socket } from 'node:net';
import type { Server } from 'node:http';
import type { Logger } from '../core/logger.js';

/** A listener the gate can pause: its server and how to listen again. */
export interface GatedListener {
  readonly server: Server;
  /** Binds the server again (same address, port and options as at start). */
  relisten(server: Server): Promise<void>;
}

export interface AcceptGateOptions {
  /** Connections this worker may hold before it pauses accepting. */
  readonly highMark: number;
  /** It resumes once it holds at most this many. */
  readonly lowMark: number;
  readonly logger: Logger;
}

/** The lower mark for a high mark: 5 % below it (at least 1 connection). */
function lowMarkFor(highMark: number): number {
  return Math.max(0, highMark - Math.max(1, Math.ceil(highMark / 20)));
}

const RELISTEN_RETRY_MS = 1000;

export class AcceptGate {
  readonly #gated: readonly GatedListener[];
  readonly #high: number;
  readonly #low: number;
  readonly #logger: Logger;
  #held = 0;
  #paused = false;
  #resuming = false;
  #stopped = false;
  /** One function for every socket's close (no closure per connection). */
  readonly #onClose = (): void => {
    this.#held--;
    if (this.#paused && !this.#resuming && this.#held <= this.#low) this.#resume();
  };
  readonly #onConnection = (socket: Socket): void => {
    this.#held++;
    socket.once('close', this.#onClose);
    if (!this.#paused && this.#held >= this.#high) this.#pause();
  };

  /** `counted`: every listener whose connections use descriptors; `gated`: those it may pause. */
  constructor(counted: readonly Server[], gated: readonly GatedListener[], options: AcceptGateOptions) {
    this.#gated = gated;
    this.#high = options.highMark;
    this.#low = Math.min(options.lowMark, options.highMark - 1);
    this.#logger = options.logger;
    for (const s of counted) s.on('connection', this.#onConnection);
  }

  /** Connections held by the counted listeners. */
  get held(): number {
    return this.#held;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Before shutdown: a paused listener stays closed. */
  stop(): void {
    this.#stopped = true;
  }

  #pause(): void {
    this.#paused = true;
    for (const g of this.#gated) {
      // net.Server's close: closes only this process's listening handle. http.Server's own close
      // would also close idle keep-alive connections, which must stay.
      if (g.server.listening) NetServer.prototype.close.call(g.server);
    }
    this.#logger.warn('descriptors near the limit: this worker stops accepting connections, the other workers take them', {
      connections: this.#held,
      resume_at: this.#low,
    });
  }

  #resume(): void {
    if (this.#stopped) return;
    this.#resuming = true;
    Promise.all(this.#gated.map((g) => (g.server.listening ? Promise.resolve() : g.relisten(g.server)))).then(
      () => {
        this.#resuming = false;
        if (this.#stopped) return;
        this.#paused = false;
        this.#logger.info('descriptors back below the mark: this worker accepts connections again', { connections: this.#held });
        if (this.#held >= this.#high) this.#pause();
      },
      (err: unknown) => {
        this.#logger.error('listening again failed, retrying', { error: String(err) });
        setTimeout(() => {
          this.#resuming = false;
          if (this.#paused && this.#held <= this.#low) this.#resume();
        }, RELISTEN_RETRY_MS).unref();
      },
    );
  }
}

/** The gate of a worker: counts every listener's connections, pauses the client-facing one at `cap`. */
export function startAcceptGate(counted: readonly Server[], external: GatedListener, cap: number, logger: Logger): AcceptGate {
  const lowMark = lowMarkFor(cap);
  logger.info('worker accept gate from the descriptor limit', { pause_at_connections: cap, resume_at_connections: lowMark });
  return new AcceptGate(counted, [external], { highMark: cap, lowMark, logger });
}
