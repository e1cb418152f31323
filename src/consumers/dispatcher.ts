/**
 * @module consumers/dispatcher — turns one consumed message into a server-API call on the shared
 * executor (metrics protocol label `consuming`), with Centrifugo's consuming rules:
 *
 * - a method given apart from the body (outbox `method` column, stream field, NATS header): the body
 *   is that method's request JSON; without one the body is `{"method": …, "payload": …}` where
 *   `payload` is the request object or a JSON string holding it;
 * - methods that change state are run: publish, broadcast, subscribe, unsubscribe, disconnect,
 *   history_remove, refresh; any other method, a malformed body or a request error other than 100 is
 *   logged and skipped (the message counts as handled, its queue moves on);
 * - error 100 (internal — a broker outage), and for broadcast a 100 in any channel's response, throws
 *   {@link RetryableConsumeError}: the caller retries the same message with backoff.
 *
 * Redelivery safety: when the caller passes an idempotency key derived from the message's identity
 * (outbox row id, stream entry id, JetStream sequence), publish and broadcast requests without their
 * own `idempotency_key` get it, so a message re-run after a crash is not published twice while the
 * broker keeps idempotent results (`idempotent_result_ttl`, 5 minutes by default).
 */
import type { Executor } from '../api/executor.js';
import { decodeMessage, decodeRequest, JsonDecodeError } from '../api/json.js';
import { ConsumedCommandSchema } from '../api/schema.js';
import type { ApiErrorObject, BroadcastRequest, PublishRequest } from '../api/types.js';
import type { Logger } from '../core/logger.js';

/** The API answered with error 100: run the same message again later. */
export class RetryableConsumeError extends Error {
  override name = 'RetryableConsumeError';
  readonly code: number;

  constructor(method: string, error: ApiErrorObject) {
    super(`${method}: ${error.message} (code ${error.code})`);
    this.code = error.code;
  }
}

/** Methods a consumer runs (Centrifugo's consuming handler set). */
const CONSUMABLE_METHODS = ['publish', 'broadcast', 'subscribe', 'unsubscribe', 'disconnect', 'history_remove', 'refresh'] as const;
type ConsumableMethod = (typeof CONSUMABLE_METHODS)[number];

const isConsumable = (m: string): m is ConsumableMethod => (CONSUMABLE_METHODS as readonly string[]).includes(m);

/** `processed`: the API call succeeded; `skipped`: dropped for good (logged). */
export type DispatchOutcome = 'processed' | 'skipped';

/** Publication-data mode input: the message body is the data, the rest comes from headers. */
export interface ConsumedPublication {
  readonly channels: readonly string[];
  readonly data: Uint8Array;
  readonly idempotencyKey?: string | undefined;
  readonly delta?: boolean | undefined;
  readonly tags?: Record<string, string> | undefined;
}

const INTERNAL = 100;
const UTF8 = new TextEncoder();

export class ConsumerDispatcher {
  readonly #executor: Executor;
  readonly #logger: Logger;
  readonly #consumer: string;

  constructor(executor: Executor, logger: Logger, consumer: string) {
    this.#executor = executor;
    this.#logger = logger;
    this.#consumer = consumer;
  }

  /**
   * Runs one command message. `method` may be `''` (then `body` carries it). `redeliveryKey` is the
   * default idempotency key for publish/broadcast. Throws {@link RetryableConsumeError} on error 100.
   */
  async dispatchCommand(method: string, body: Uint8Array, redeliveryKey?: string): Promise<DispatchOutcome> {
    let payload = body;
    if (method === '') {
      let envelope: { method?: string; payload?: Uint8Array };
      try {
        envelope = decodeMessage(ConsumedCommandSchema, body);
      } catch (err) {
        if (!(err instanceof JsonDecodeError)) throw err;
        return this.#skip('skip malformed consumed message', { error: err.message });
      }
      method = envelope.method ?? '';
      payload = unwrapStringPayload(envelope.payload ?? new Uint8Array(0));
    }
    if (!isConsumable(method)) return this.#skip('skip consumed message with unsupported method', { method });
    let request: Record<string, unknown>;
    try {
      request = decodeRequest(method, payload) as Record<string, unknown>;
    } catch (err) {
      if (!(err instanceof JsonDecodeError)) throw err;
      return this.#skip('skip consumed message with invalid payload', { method, error: err.message });
    }
    if (redeliveryKey !== undefined && (method === 'publish' || method === 'broadcast')) {
      const r = request as PublishRequest | BroadcastRequest;
      if (r.idempotency_key === undefined || r.idempotency_key === '') r.idempotency_key = redeliveryKey;
    }
    return this.#run(method, request);
  }

  /** Publication-data mode: one channel → publish, several → broadcast. */
  async dispatchPublication(p: ConsumedPublication): Promise<DispatchOutcome> {
    const channels = p.channels.filter((c) => c !== '');
    if (channels.length === 0) return this.#skip('skip consumed publication without channels', {});
    const common: PublishRequest & BroadcastRequest = { data: p.data };
    if (p.idempotencyKey !== undefined && p.idempotencyKey !== '') common.idempotency_key = p.idempotencyKey;
    if (p.delta === true) common.delta = true;
    if (p.tags !== undefined && Object.keys(p.tags).length > 0) common.tags = p.tags;
    if (channels.length === 1) return this.#run('publish', { ...common, channel: channels[0] });
    return this.#run('broadcast', { ...common, channels });
  }

  async #run(method: ConsumableMethod, request: Record<string, unknown>): Promise<DispatchOutcome> {
    // The request was decoded with this method's schema, so it has this method's request type.
    const response = await this.#executor.execute(method, request, 'consuming');
    if (response.error !== undefined) {
      if (response.error.code === INTERNAL) throw new RetryableConsumeError(method, response.error);
      return this.#skip('non retryable error during consuming, skip message', { method, code: response.error.code, error: response.error.message });
    }
    if (method === 'broadcast') {
      const result = response.result as { responses?: { error?: ApiErrorObject }[] } | undefined;
      for (const r of result?.responses ?? []) {
        // Any channel failing with 100 retries the whole broadcast (idempotency keys prevent doubles).
        if (r.error !== undefined && r.error.code === INTERNAL) throw new RetryableConsumeError(method, r.error);
      }
    }
    return 'processed';
  }

  #skip(message: string, fields: Record<string, unknown>): DispatchOutcome {
    this.#logger.error(message, { consumer: this.#consumer, ...fields });
    return 'skipped';
  }
}

/** `payload` given as a JSON string (e.g. JSONB serialised by a CDC connector) → the string's bytes. */
function unwrapStringPayload(raw: Uint8Array): Uint8Array {
  let i = 0;
  while (i < raw.length && (raw[i] === 0x20 || raw[i] === 0x0a || raw[i] === 0x0d || raw[i] === 0x09)) i++;
  if (raw[i] !== 0x22) return raw;
  const text: unknown = JSON.parse(Buffer.from(raw).toString('utf8'));
  return typeof text === 'string' ? UTF8.encode(text) : raw;
}
