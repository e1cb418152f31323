/**
 * @module consumers/nats-jetstream — the NATS JetStream consumer (Centrifugo v6 `nats_jetstream`).
 *
 * Start: connect to `url` (user/password, token or a credentials file), create or update the durable
 * pull consumer `durable_consumer_name` on the existing stream `stream_name` (explicit acks, new
 * messages only, filtered by `subjects` when given). Then messages are taken one at a time, in stream
 * order (pulled in batches of 16): the method comes from header `method_header` (the body is its request) or, without that
 * header name, from the body `{"method": …, "payload": …}`; in publication data mode the body is the
 * data and the channels / idempotency key / delta / tags come from headers. A message is acknowledged
 * (with the server's confirmation) once the API handled it or once it was logged and skipped as
 * malformed; an error 100 retries it in place with backoff while telling the server it is still being
 * worked on. A message not acknowledged before a crash is redelivered by the server after its ack wait
 * (30 s); the re-run publishes with an idempotency key derived from the stream sequence, so it is not
 * published twice. On close the message in hand is finished and the rest of its batch is handed back
 * (`nak`) for immediate redelivery. A NATS outage is ridden out by the client's reconnects; a failed pull
 * is retried with backoff.
 */
import { readFileSync } from 'node:fs';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { ConsumerConfig, JsMsg } from '@nats-io/jetstream';
import { connect, credsAuthenticator, nanos } from '@nats-io/transport-node';
import type { NatsConnection, NodeConnectionOptions } from '@nats-io/transport-node';
import type { NatsJetStreamConsumerOptions } from '../config/consumers.js';
import type { Logger } from '../core/logger.js';
import { Backoff, sleep } from './backoff.js';
import type { Consumer } from './consumer.js';
import { type ConsumerDispatcher, RetryableConsumeError } from './dispatcher.js';

const ACK_WAIT_MS = 30_000;
const MAX_MESSAGES = 16;
const CONNECT_TIMEOUT_MS = 10_000;
/** How long one pull waits for messages (also the longest a stop waits for a batch to end). */
const FETCH_EXPIRES_MS = 2000;

export class NatsJetStreamConsumer implements Consumer {
  readonly name: string;
  readonly #o: NatsJetStreamConsumerOptions;
  readonly #dispatcher: ConsumerDispatcher;
  readonly #logger: Logger;
  readonly #abort = new AbortController();
  #nc: NatsConnection | undefined;
  #loop: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(name: string, options: NatsJetStreamConsumerOptions, dispatcher: ConsumerDispatcher, logger: Logger) {
    this.name = name;
    this.#o = options;
    this.#dispatcher = dispatcher;
    this.#logger = logger;
  }

  async start(): Promise<void> {
    const o = this.#o;
    const options: NodeConnectionOptions = {
      servers: o.url.split(',').map((s) => s.trim()),
      timeout: CONNECT_TIMEOUT_MS,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      name: `rotor-consumer-${this.name}`,
    };
    if (o.credentialsFile !== '') options.authenticator = credsAuthenticator(readFileSync(o.credentialsFile));
    else if (o.username !== '') Object.assign(options, { user: o.username, pass: o.password });
    else if (o.token !== '') options.token = o.token;
    const nc = await connect(options);
    this.#nc = nc;
    const jsm = await jetstreamManager(nc);
    const config: Partial<ConsumerConfig> = {
      durable_name: o.durableConsumerName,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
      ack_wait: nanos(ACK_WAIT_MS),
    };
    // One subject goes in `filter_subject`, which servers before 2.10 (no `filter_subjects`) also accept.
    const filter: Partial<ConsumerConfig> =
      o.subjects.length === 1 ? { filter_subject: o.subjects[0] as string } : o.subjects.length > 1 ? { filter_subjects: [...o.subjects] } : {};
    Object.assign(config, filter);
    try {
      await jsm.consumers.info(o.streamName, o.durableConsumerName);
      await jsm.consumers.update(o.streamName, o.durableConsumerName, filter);
    } catch (err) {
      if (!/consumer not found/i.test(String(err))) throw err;
      await jsm.consumers.add(o.streamName, config);
    }
    this.#loop = this.#run(nc);
  }

  async #run(nc: NatsConnection): Promise<void> {
    const signal = this.#abort.signal;
    const backoff = new Backoff(100, 5000);
    const js = jetstream(nc);
    while (!signal.aborted) {
      try {
        const consumer = await js.consumers.get(this.#o.streamName, this.#o.durableConsumerName);
        while (!signal.aborted) {
          // Bounded batches, each read to its end: a stop never leaves pulled messages behind unseen.
          const batch = await consumer.fetch({ max_messages: MAX_MESSAGES, expires: FETCH_EXPIRES_MS });
          for await (const m of batch) {
            // After close() the rest of the batch is handed back for immediate redelivery.
            if (signal.aborted) {
              m.nak();
              continue;
            }
            await this.#handle(m);
          }
          backoff.reset();
        }
      } catch (err) {
        if (signal.aborted) return;
        this.#logger.error('error consuming nats jetstream', { consumer: this.name, error: String(err) });
        await sleep(backoff.next(), signal);
      }
    }
  }

  async #handle(m: JsMsg): Promise<void> {
    const backoff = new Backoff();
    for (;;) {
      try {
        await this.#dispatch(m);
        break;
      } catch (err) {
        if (!(err instanceof RetryableConsumeError)) throw err;
        if (this.#abort.signal.aborted) {
          m.nak();
          return;
        }
        const delay = backoff.next();
        this.#logger.error('error processing consumed event, will retry', { consumer: this.name, seq: m.seq, error: err.message, retryInMs: delay });
        m.working();
        await sleep(delay, this.#abort.signal);
      }
    }
    try {
      await m.ackAck();
    } catch (err) {
      // Not confirmed: the server redelivers it after the ack wait; the idempotency key prevents a double.
      this.#logger.error('failed to ack nats jetstream message', { consumer: this.name, seq: m.seq, error: String(err) });
    }
  }

  async #dispatch(m: JsMsg): Promise<void> {
    const header = (key: string): string => (key === '' ? '' : (m.headers?.get(key) ?? ''));
    const redeliveryKey = `nats_jetstream_${this.name}_${this.#o.streamName}_${m.seq}`;
    const mode = this.#o.publicationDataMode;
    if (!mode.enabled) {
      await this.#dispatcher.dispatchCommand(header(this.#o.methodHeader), m.data, redeliveryKey);
      return;
    }
    const delta = header(mode.delta);
    if (delta !== '' && delta !== 'true' && delta !== 'false') {
      this.#logger.error('error parsing delta header, skip message', { consumer: this.name, seq: m.seq, delta });
      return;
    }
    const tags: Record<string, string> = {};
    if (mode.tagsPrefix !== '' && m.headers !== undefined) {
      for (const k of m.headers.keys()) if (k.startsWith(mode.tagsPrefix)) tags[k.slice(mode.tagsPrefix.length)] = m.headers.get(k);
    }
    const key = header(mode.idempotencyKey);
    await this.#dispatcher.dispatchPublication({
      channels: header(mode.channels).split(','),
      data: m.data,
      idempotencyKey: key !== '' ? key : redeliveryKey,
      delta: delta === 'true',
      tags,
    });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#abort.abort();
      // The message in hand is finished and acknowledged, the rest of its batch is nak'ed.
      await this.#loop;
      const nc = this.#nc;
      if (nc !== undefined && !nc.isClosed()) await nc.drain().catch(() => nc.close());
    })();
    return this.#closing;
  }
}
