/**
 * @module engines/cluster/connection-ledger — the primary's authoritative connection counts for
 * `rotor serve --workers N`, so that `client_connection_limit`, `client_connection_rate_limit` and
 * `client_user_connection_limit` hold for the whole process group as they do for one node.
 *
 * A worker reserves a slot before it accepts a connection (`admit`: the node limit, then one token
 * of the rate limit's bucket) and gives it back when the connection closes (`release`); a connect
 * reserves one of its user's slots (`reserveUser`) and the client's close gives it back
 * (`releaseUser`). Every reservation is recorded under the worker that holds it, so the slots of a
 * worker that dies are dropped at once (`dropWorker`) and a release the ledger has no record of
 * (a late message, a restarted worker) changes nothing.
 */
import type { Clock } from '../../core/clock.js';
import { TokenBucket } from '../../util/token-bucket.js';

/** The primary's answer to `admit`. */
export type Admission = 'ok' | 'limit' | 'rate';

export interface LedgerLimits {
  /** `client_connection_limit`; 0 = none. */
  readonly connectionLimit: number;
  /** `client_connection_rate_limit` (new connections per second); 0 = none. */
  readonly ratePerSec: number;
  /** `client_user_connection_limit`; 0 = none. */
  readonly userConnectionLimit: number;
  readonly clock: Clock;
}

/** What one worker holds: its connections and its users' connections. */
export class WorkerSlots {
  connections = 0;
  readonly users = new Map<string, number>();
  dropped = false;
}

export class ConnectionLedger {
  readonly #limits: LedgerLimits;
  readonly #bucket: TokenBucket | undefined;
  readonly #users = new Map<string, number>();
  #connections = 0;

  constructor(limits: LedgerLimits) {
    this.#limits = limits;
    this.#bucket = limits.ratePerSec > 0 ? new TokenBucket(limits.ratePerSec, () => limits.clock.now()) : undefined;
  }

  /** Connections held across all workers. */
  get connections(): number {
    return this.#connections;
  }

  /** Connections of `userId` across all workers. */
  userConnections(userId: string): number {
    return this.#users.get(userId) ?? 0;
  }

  /** A new (or restarted) worker, holding nothing. */
  addWorker(): WorkerSlots {
    return new WorkerSlots();
  }

  /**
   * Reserves a connection slot for `w`: 'limit' when the group holds `connectionLimit` connections,
   * 'rate' when the bucket is empty (a refused connection takes no token), else 'ok'.
   */
  admit(w: WorkerSlots): Admission {
    if (w.dropped) return 'limit';
    const limit = this.#limits.connectionLimit;
    if (limit > 0 && this.#connections >= limit) return 'limit';
    if (this.#bucket !== undefined && !this.#bucket.take()) return 'rate';
    w.connections++;
    this.#connections++;
    return 'ok';
  }

  /** Gives back one of `w`'s connection slots; false (nothing changes) when it holds none. */
  release(w: WorkerSlots): boolean {
    if (w.connections === 0) return false;
    w.connections--;
    this.#connections--;
    return true;
  }

  /** Reserves one of `userId`'s slots for `w`; false when the user holds `userConnectionLimit` across workers. */
  reserveUser(w: WorkerSlots, userId: string): boolean {
    if (w.dropped) return false;
    const limit = this.#limits.userConnectionLimit;
    const held = this.#users.get(userId) ?? 0;
    if (limit > 0 && held >= limit) return false;
    this.#users.set(userId, held + 1);
    w.users.set(userId, (w.users.get(userId) ?? 0) + 1);
    return true;
  }

  /** Gives back one of `userId`'s slots held by `w`; false (nothing changes) when `w` holds none. */
  releaseUser(w: WorkerSlots, userId: string): boolean {
    const mine = w.users.get(userId);
    if (mine === undefined) return false;
    if (mine === 1) w.users.delete(userId);
    else w.users.set(userId, mine - 1);
    this.#dropUser(userId, 1);
    return true;
  }

  /** Drops everything `w` holds (the worker exited or crashed); later calls for `w` change nothing. */
  dropWorker(w: WorkerSlots): void {
    if (w.dropped) return;
    w.dropped = true;
    this.#connections -= w.connections;
    w.connections = 0;
    for (const [userId, n] of w.users) this.#dropUser(userId, n);
    w.users.clear();
  }

  #dropUser(userId: string, n: number): void {
    const left = (this.#users.get(userId) ?? 0) - n;
    if (left > 0) this.#users.set(userId, left);
    else this.#users.delete(userId);
  }
}
