/**
 * @module consumers/postgresql — the PostgreSQL transactional-outbox consumer (Centrifugo's
 * `postgresql` consumer; table layout in README "Consumers").
 *
 * One loop per partition. Each pass is one READ COMMITTED transaction that takes
 * `pg_advisory_xact_lock(hashtext('centrifugo_partition_lock_<name><partition>'))` (so one node at a
 * time works a partition, in id order), selects up to `partition_select_limit` rows of the partition
 * ordered by id, runs them through the API one by one, deletes the handled ids and commits. A row that
 * fails with error 100 ends the pass: the rows before it are deleted, it stays first in line and the
 * partition retries after a backoff. Malformed rows are logged and deleted. A database error rolls the
 * pass back and is retried with backoff; rows already published in that pass carry an idempotency key
 * derived from their id, so the re-run does not publish them twice (see README for the guarantee).
 * Between passes a partition sleeps `partition_poll_interval` unless a `LISTEN` notification on
 * `partition_notification_channel` (payload = partition number) wakes it, or the last pass was full;
 * after the listening connection is re-established every partition runs a pass (notifications sent
 * while it was down are lost).
 */
import postgres from 'postgres';
import type { PostgresConsumerOptions } from '../config/consumers.js';
import type { Logger } from '../core/logger.js';
import { Backoff, sleep, Waker } from './backoff.js';
import type { Consumer } from './consumer.js';
import { type ConsumerDispatcher, RetryableConsumeError } from './dispatcher.js';

const LOCK_PREFIX = 'centrifugo_partition_lock_';
const PING_TIMEOUT_S = 10;
const UTF8 = new TextEncoder();

interface OutboxRow {
  /** The bigint id as text (ordering is done on the column itself). */
  readonly row_id: string;
  readonly method: string;
  readonly payload: string;
}

interface PassResult {
  readonly fetched: number;
  readonly handled: number;
  readonly retry?: RetryableConsumeError | undefined;
}

export class PostgresConsumer implements Consumer {
  readonly name: string;
  readonly #o: PostgresConsumerOptions;
  readonly #dispatcher: ConsumerDispatcher;
  readonly #logger: Logger;
  readonly #abort = new AbortController();
  readonly #wakers: Waker[];
  readonly #selectSql: string;
  readonly #deleteSql: string;
  #sql: postgres.Sql | undefined;
  #loops: Promise<void>[] = [];
  #closing: Promise<void> | undefined;

  constructor(name: string, options: PostgresConsumerOptions, dispatcher: ConsumerDispatcher, logger: Logger) {
    this.name = name;
    this.#o = options;
    this.#dispatcher = dispatcher;
    this.#logger = logger;
    this.#wakers = Array.from({ length: options.numPartitions }, () => new Waker());
    // The table name was checked to be a plain identifier (config/consumers), as Centrifugo puts it into its SQL as is.
    this.#selectSql = `SELECT id::text AS row_id, method, payload::text AS payload FROM ${options.outboxTableName} WHERE partition = $1 ORDER BY id ASC LIMIT $2`;
    this.#deleteSql = `DELETE FROM ${options.outboxTableName} WHERE id = ANY($1::bigint[])`;
  }

  async start(): Promise<void> {
    const sql = postgres(this.#o.dsn, {
      max: this.#o.numPartitions + 1,
      onnotice: false,
      connect_timeout: PING_TIMEOUT_S,
      // Reconnects are paced by the partition loops' own backoff.
      backoff: 0.1,
    });
    this.#sql = sql;
    await sql`SELECT 1`;
    if (this.#o.partitionNotificationChannel !== '') {
      // postgres.js re-LISTENs after a lost connection; rows written while nobody listened get no
      // notification, so every (re)listen runs a pass on every partition.
      await sql.listen(
        this.#o.partitionNotificationChannel,
        (payload) => this.#notified(payload),
        () => this.#wakers.forEach((w) => w.wake()),
      );
    }
    for (let p = 0; p < this.#o.numPartitions; p++) this.#loops.push(this.#runPartition(sql, p));
  }

  #notified(payload: string): void {
    const partition = /^\d+$/.test(payload.trim()) ? Number(payload.trim()) : NaN;
    const waker = Number.isInteger(partition) ? this.#wakers[partition] : undefined;
    if (waker === undefined) {
      this.#logger.error('outbox notification for an unknown partition', { consumer: this.name, payload });
      return;
    }
    waker.wake();
  }

  async #runPartition(sql: postgres.Sql, partition: number): Promise<void> {
    const signal = this.#abort.signal;
    const backoff = new Backoff();
    const waker = this.#wakers[partition] as Waker;
    while (!signal.aborted) {
      let result: PassResult;
      try {
        result = await this.#pass(sql, partition);
      } catch (err) {
        if (signal.aborted) return;
        const delay = backoff.next();
        this.#logger.error('error processing postgresql outbox', { consumer: this.name, partition, error: String(err), retryInMs: delay });
        await sleep(delay, signal);
        continue;
      }
      if (result.retry !== undefined) {
        const delay = backoff.next();
        this.#logger.error('error processing consumed event, will retry', { consumer: this.name, partition, error: result.retry.message, retryInMs: delay });
        await sleep(delay, signal);
        continue;
      }
      backoff.reset();
      // A full page means more rows may be waiting: go on at once.
      if (result.fetched < this.#o.partitionSelectLimit) await waker.wait(this.#o.partitionPollIntervalMs, signal);
    }
  }

  /** One transaction: lock the partition, take a page, dispatch, delete what was handled, commit. */
  async #pass(sql: postgres.Sql, partition: number): Promise<PassResult> {
    return sql.begin('isolation level read committed', async (tx): Promise<PassResult> => {
      await tx`SELECT pg_advisory_xact_lock(hashtext(${LOCK_PREFIX + this.name + String(partition)}))`;
      const rows = await tx.unsafe<OutboxRow[]>(this.#selectSql, [partition, this.#o.partitionSelectLimit]);
      const handled: string[] = [];
      let retry: RetryableConsumeError | undefined;
      for (const row of rows) {
        // On close, finish the row in hand and commit the ones handled so far.
        if (this.#abort.signal.aborted) break;
        try {
          await this.#dispatcher.dispatchCommand(row.method, UTF8.encode(row.payload), `outbox_${this.name}_${row.row_id}`);
        } catch (err) {
          if (!(err instanceof RetryableConsumeError)) throw err;
          retry = err;
          break;
        }
        handled.push(row.row_id);
      }
      if (handled.length > 0) await tx.unsafe(this.#deleteSql, [handled]);
      return { fetched: rows.length, handled: handled.length, retry };
    });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#abort.abort();
      await Promise.all(this.#loops);
      await this.#sql?.end({ timeout: 5 });
    })();
    return this.#closing;
  }
}
