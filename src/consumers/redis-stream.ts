/**
 * @module consumers/redis-stream — the Redis Streams consumer (Centrifugo v6 `redis_stream`).
 *
 * Per stream: the consumer group `consumer_group` is created at the stream's end (`XGROUP CREATE … $
 * MKSTREAM`, an existing group is kept), then `num_workers` loops, each with its own connection, read
 * with `XREADGROUP GROUP <group> <node name> … STREAMS <stream> >`. An entry carries the method in field
 * `method_value` and the request in field `payload_value` (or, in publication data mode, the data plus
 * channels / idempotency key / delta / tags fields). Each entry is `XACK`ed after the API handled it or
 * after it was logged and skipped as malformed; an error 100 retries the same entry with backoff. Entries
 * delivered but never acknowledged (a stop or crash mid-batch, an outage) stay in the group's pending
 * list: on start and after every error a worker first re-reads its own pending entries (`STREAMS
 * <stream> 0`; worker names are the node name, then `<node name>_<n>`, stable across restarts), and
 * entries any consumer left idle for longer than `visibility_timeout` are taken over with `XAUTOCLAIM`. Re-runs publish with an idempotency
 * key derived from the stream and entry id, so they are not published twice. A Redis outage is retried
 * with backoff; a group lost with the server's data is created again.
 */
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { RedisStreamConsumerOptions } from '../config/consumers.js';
import type { Logger } from '../core/logger.js';
import { parseRedisAddress } from '../engines/redis/options.js';
import { Backoff, sleep } from './backoff.js';
import type { Consumer } from './consumer.js';
import { type ConsumerDispatcher, RetryableConsumeError } from './dispatcher.js';

const READ_COUNT = 16;
const BLOCK_MS = 2000;
const UTF8 = new TextEncoder();

/** ioredis 6 declares `replyMapping` without `| undefined` (clashes with exactOptionalPropertyTypes); unused here. */
type ConnectOptions = Omit<RedisOptions, 'replyMapping'>;

/** `[id, [field, value, …]]` as RESP2 returns stream entries (`fields` is null for a deleted entry). */
type Entry = [id: string, fields: string[] | null];

function fieldsOf(raw: string[] | null): Map<string, string> {
  const out = new Map<string, string>();
  if (raw === null) return out;
  for (let i = 0; i + 1 < raw.length; i += 2) out.set(raw[i] as string, raw[i + 1] as string);
  return out;
}

export class RedisStreamConsumer implements Consumer {
  readonly name: string;
  readonly #o: RedisStreamConsumerOptions;
  readonly #dispatcher: ConsumerDispatcher;
  readonly #logger: Logger;
  readonly #consumerName: string;
  readonly #abort = new AbortController();
  readonly #clients: Redis[] = [];
  /** Connections currently blocked in XREADGROUP (closing them ends the wait at once). */
  readonly #reading = new Set<Redis>();
  #loops: Promise<void>[] = [];
  #closing: Promise<void> | undefined;

  constructor(name: string, options: RedisStreamConsumerOptions, dispatcher: ConsumerDispatcher, logger: Logger, nodeName: string) {
    this.name = name;
    this.#o = options;
    this.#dispatcher = dispatcher;
    this.#logger = logger;
    this.#consumerName = nodeName;
  }

  #connect(): Redis {
    const ep = parseRedisAddress(this.#o.address);
    const options: ConnectOptions = {
      connectTimeout: this.#o.connectTimeoutMs,
      protocol: 2,
      disableClientInfo: true,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      // Every command here is safe to re-send after a reconnect (reads, acks, claims); without re-sending,
      // ioredis drops a read in flight without settling it.
      autoResendUnfulfilledCommands: true,
      // And a blocked read never outlives its BLOCK time by much, whatever happens to the socket.
      blockingTimeout: BLOCK_MS + 2000,
      retryStrategy: (times: number) => Math.min(times * 100, 2000),
      db: ep.db ?? this.#o.db,
    };
    if (ep.host !== undefined) options.host = ep.host;
    if (ep.port !== undefined) options.port = ep.port;
    if (ep.path !== undefined) options.path = ep.path;
    const user = ep.user ?? this.#o.user;
    const password = ep.password ?? this.#o.password;
    if (user !== '') options.username = user;
    if (password !== '') options.password = password;
    if (ep.tls === true) options.tls = {};
    const client = new Redis(options);
    // Connection errors surface as rejected commands in the loops; keep ioredis from printing them.
    client.on('error', () => undefined);
    this.#clients.push(client);
    return client;
  }

  async start(): Promise<void> {
    const admin = this.#connect();
    await admin.connect();
    await admin.ping();
    for (const stream of this.#o.streams) await this.#ensureGroup(admin, stream);
    admin.disconnect();
    for (const stream of this.#o.streams) {
      for (let w = 0; w < this.#o.numWorkers; w++) this.#loops.push(this.#runWorker(stream, w));
    }
  }

  async #ensureGroup(client: Redis, stream: string): Promise<void> {
    try {
      await client.xgroup('CREATE', stream, this.#o.consumerGroup, '$', 'MKSTREAM');
    } catch (err) {
      if (!String(err).includes('BUSYGROUP')) throw err;
    }
  }

  async #runWorker(stream: string, worker: number): Promise<void> {
    const signal = this.#abort.signal;
    const client = this.#connect();
    const backoff = new Backoff();
    // Each worker has its own name in the group, so its pending entries are its own to re-read.
    const consumerName = worker === 0 ? this.#consumerName : `${this.#consumerName}_${worker}`;
    // First (and after any error) re-read this worker's delivered but unacknowledged entries.
    let readPending = true;
    let nextClaim = 0;
    while (!signal.aborted) {
      try {
        if (Date.now() >= nextClaim) {
          nextClaim = Date.now() + Math.max(1000, Math.min(this.#o.visibilityTimeoutMs, 5000));
          await this.#claimIdle(client, stream, consumerName);
        }
        const entries = await this.#read(client, stream, consumerName, readPending ? '0' : '>');
        if (readPending && entries.length === 0) readPending = false;
        for (const entry of entries) {
          if (signal.aborted) return;
          await this.#handle(client, stream, entry);
        }
        backoff.reset();
      } catch (err) {
        if (signal.aborted) return;
        readPending = true;
        if (String(err).includes('NOGROUP')) {
          // The server lost the group (restarted without data): recreate it and go on.
          await this.#ensureGroup(client, stream).catch(() => undefined);
        }
        const delay = backoff.next();
        this.#logger.error('error consuming redis stream', { consumer: this.name, stream, error: String(err), retryInMs: delay });
        await sleep(delay, signal);
      }
    }
  }

  async #read(client: Redis, stream: string, consumerName: string, from: '0' | '>'): Promise<Entry[]> {
    this.#reading.add(client);
    try {
      const reply = (await client.xreadgroup(
        'GROUP', this.#o.consumerGroup, consumerName,
        'COUNT', READ_COUNT, 'BLOCK', BLOCK_MS,
        'STREAMS', stream, from,
      ));
      return reply?.[0]?.[1] ?? [];
    } finally {
      this.#reading.delete(client);
    }
  }

  /** Takes over entries any consumer of the group left unacknowledged for longer than the visibility timeout. */
  async #claimIdle(client: Redis, stream: string, consumerName: string): Promise<void> {
    let cursor = '0-0';
    do {
      const reply = (await client.xautoclaim(stream, this.#o.consumerGroup, consumerName, this.#o.visibilityTimeoutMs, cursor, 'COUNT', READ_COUNT)) as [
        string,
        Entry[],
        ...unknown[],
      ];
      cursor = reply[0];
      for (const entry of reply[1]) {
        if (this.#abort.signal.aborted) return;
        await this.#handle(client, stream, entry);
      }
    } while (cursor !== '0-0' && !this.#abort.signal.aborted);
  }

  /** Dispatches one entry (retrying error 100 with backoff) and acknowledges it. */
  async #handle(client: Redis, stream: string, [id, raw]: Entry): Promise<void> {
    const backoff = new Backoff();
    const fields = fieldsOf(raw);
    for (;;) {
      try {
        await this.#dispatch(stream, id, fields);
        break;
      } catch (err) {
        if (!(err instanceof RetryableConsumeError)) throw err;
        if (this.#abort.signal.aborted) return; // left pending: re-read on the next start
        const delay = backoff.next();
        this.#logger.error('error processing consumed event, will retry', { consumer: this.name, stream, id, error: err.message, retryInMs: delay });
        await sleep(delay, this.#abort.signal);
      }
    }
    await client.xack(stream, this.#o.consumerGroup, id);
  }

  async #dispatch(stream: string, id: string, fields: Map<string, string>): Promise<void> {
    const payload = fields.get(this.#o.payloadValue);
    if (payload === undefined) {
      this.#logger.error('payload value not found in redis stream message, skip message', { consumer: this.name, stream, id, expected: this.#o.payloadValue });
      return;
    }
    const mode = this.#o.publicationDataMode;
    if (!mode.enabled) {
      await this.#dispatcher.dispatchCommand(fields.get(this.#o.methodValue) ?? '', UTF8.encode(payload), `redis_stream_${this.name}_${stream}_${id}`);
      return;
    }
    const delta = fields.get(mode.delta) ?? '';
    if (delta !== '' && delta !== 'true' && delta !== 'false') {
      this.#logger.error('error parsing delta value, skip message', { consumer: this.name, stream, id, delta });
      return;
    }
    const tags: Record<string, string> = {};
    if (mode.tagsPrefix !== '') {
      for (const [k, v] of fields) if (k.startsWith(mode.tagsPrefix)) tags[k.slice(mode.tagsPrefix.length)] = v;
    }
    await this.#dispatcher.dispatchPublication({
      channels: (fields.get(mode.channels) ?? '').split(','),
      data: UTF8.encode(payload),
      idempotencyKey: fields.get(mode.idempotencyKey) ?? `redis_stream_${this.name}_${stream}_${id}`,
      delta: delta === 'true',
      tags,
    });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#abort.abort();
      // Workers blocked in a read are cut off; the others finish and acknowledge the entry in hand.
      for (const c of this.#reading) c.disconnect();
      await Promise.all(this.#loops);
      for (const c of this.#clients) c.disconnect();
    })();
    return this.#closing;
  }
}
