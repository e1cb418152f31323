/**
 * @module engines/nats/broker — NatsBroker: the PUB/SUB half of Broker over NATS core (Centrifugo's NATS broker).
 *
 * At-most-once delivery, no history (`supportsHistory = false`; `history()`/`removeHistory()` reject
 * with ClientErrors.NotAvailable). Publications, joins and leaves travel on `<prefix>.client.<channel>`
 * as protobuf `Push` (see `proto.ts`). One NATS subscription per node-level channel subscription; the
 * NATS client re-subscribes by itself after a reconnect and buffers publishes while disconnected.
 *
 * Deviations:
 * - idempotency keys are remembered per node only (`idempotency.ts`): a repeat reaching the same node
 *   within the TTL is suppressed, a repeat reaching another node is published again (Centrifugo's NATS
 *   broker ignores the keys altogether);
 * - `options.history`: the publication is still delivered, with offset 0 and position `{0, ''}`;
 * - join/leave for wildcard channels are no-ops (a NATS subject with wildcards cannot be published to),
 *   and joins/leaves of concrete channels are not handed to wildcard subscriptions.
 *
 * Wildcards (`allowWildcards`), as in Centrifugo: a subscription to `news.*` receives publications of
 * `news.sport`; they are handed to `onPublication` under the subscription's channel (`news.*`, so the
 * hub delivers them to its subscribers) with `publication.channel` = the concrete channel
 * (`news.sport`, sent to clients as Publication.channel). Every local subscription matching a message
 * (`news.sport`, `news.*`, `news.>`) gets it once, under its own channel.
 *
 * Raw mode: subject = `rawMode.prefix + replace(channel)`; incoming bytes become the publication data
 * (offset 0, no info/tags); publish sends the raw data (replacements are applied on publish too, so a
 * node receives what it publishes — Centrifugo v5.4.9 does not apply them there); join/leave are no-ops.
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  DEFAULT_IDEMPOTENT_RESULT_TTL_MS,
  type Broker,
  type BrokerEventHandler,
  type HistoryOptions,
  type HistoryResult,
  type PublishOptions,
  type PublishResult,
} from '../../core/broker.js';
import { errorText } from '../../util/error-text.js';
import { systemClock } from '../../core/clock.js';
import type { Clock } from '../../core/clock.js';
import { ClientError, ClientErrors } from '../../core/errors.js';
import type { ClientInfo, Publication, StreamPosition } from '../../core/types.js';
import { NatsConnectionHolder, toEngineError } from './connection.js';
import { LocalIdempotencyKeys } from './idempotency.js';
import { DEFAULT_NATS_PREFIX } from './options.js';
import type { NatsBrokerOptions, NatsRawModeOptions } from './options.js';
import { decodePush, encodeJoinPush, encodeLeavePush, encodePublicationPush } from './proto.js';
import type { NatsPush } from './proto.js';
import {
  channelFromClientSubject,
  channelFromRawSubject,
  clientSubject,
  hasWildcard,
  isValidSubject,
  rawSubject,
} from './subjects.js';

const NO_HISTORY_POSITION: StreamPosition = Object.freeze({ offset: 0, epoch: '' });

/** One node-level channel subscription. */
interface ChannelSubscription {
  readonly channel: string;
  readonly subject: string;
  readonly wildcard: boolean;
  readonly sub: Subscription;
}

/** Broker over NATS core PUB/SUB; see the module comment for semantics. */
export class NatsBroker implements Broker {
  readonly supportsHistory = false;
  private readonly prefix: string;
  private readonly allowWildcards: boolean;
  private readonly raw: NatsRawModeOptions | undefined;
  private readonly conn: NatsConnectionHolder;
  private readonly clock: Clock;
  private readonly idempotencyKeys = new LocalIdempotencyKeys();
  private handler: BrokerEventHandler | undefined;
  /** channel → subscription. */
  private readonly subs = new Map<string, ChannelSubscription>();

  constructor(options: NatsBrokerOptions) {
    this.prefix = options.prefix !== undefined && options.prefix !== '' ? options.prefix : DEFAULT_NATS_PREFIX;
    this.allowWildcards = options.allowWildcards ?? false;
    this.raw = options.rawMode?.enabled === true ? options.rawMode : undefined;
    this.conn = new NatsConnectionHolder(options, 'broker');
    this.clock = options.clock ?? systemClock;
  }

  async start(handler: BrokerEventHandler): Promise<void> {
    this.handler = handler;
    await this.conn.get();
  }

  async subscribe(channel: string): Promise<void> {
    const wildcard = hasWildcard(channel);
    if (wildcard && !this.allowWildcards) throw badRequest('wildcard channels are not allowed');
    const subject = this.subjectFor(channel);
    const nc = await this.conn.get();
    let entry = this.subs.get(channel);
    const created = entry === undefined;
    if (entry === undefined) {
      // The callback needs the entry, which needs the subscription: a box breaks the cycle.
      const box: { current?: ChannelSubscription } = {};
      let sub: Subscription;
      try {
        sub = nc.subscribe(subject, {
          callback: (err, msg) => {
            // Messages of a subscription that was already removed (or replaced) are dropped.
            const current = box.current;
            if (current !== undefined && this.subs.get(channel) === current) this.onMessage(current, err, msg);
          },
        });
      } catch (err) {
        throw toEngineError('subscribe', err);
      }
      entry = { channel, subject, wildcard, sub };
      box.current = entry;
      this.addSubscription(entry);
    }
    try {
      await this.conn.flush(nc);
    } catch (err) {
      if (created) this.removeSubscription(entry);
      throw err;
    }
  }

  async unsubscribe(channel: string): Promise<void> {
    const entry = this.subs.get(channel);
    if (entry === undefined) return;
    this.removeSubscription(entry);
  }

  async publish(channel: string, data: Uint8Array, options: PublishOptions): Promise<PublishResult> {
    if (hasWildcard(channel)) throw badRequest('publishing to wildcard channels is not allowed');
    const subject = this.subjectFor(channel);
    const now = this.clock.now();
    const key = options.idempotencyKey;
    if (key !== undefined && key !== '') {
      if (this.idempotencyKeys.has(channel, key, now)) return { position: NO_HISTORY_POSITION, suppressed: true };
      // Recorded before the first await so that a concurrent repeat is suppressed too.
      const ttlMs = options.idempotentResultTtlMs ?? DEFAULT_IDEMPOTENT_RESULT_TTL_MS;
      this.idempotencyKeys.add(channel, key, now + ttlMs, now);
    }
    const payload =
      this.raw !== undefined
        ? data
        : encodePublicationPush(channel, {
            offset: 0,
            data,
            info: options.clientInfo,
            tags: options.tags,
            timeMs: now,
            delta: options.delta === true ? true : undefined,
          });
    try {
      this.send(await this.conn.get(), subject, payload, 'publish');
    } catch (err) {
      if (key !== undefined && key !== '') this.idempotencyKeys.delete(channel, key);
      throw err;
    }
    return { position: NO_HISTORY_POSITION, suppressed: false };
  }

  async publishJoin(channel: string, info: ClientInfo): Promise<void> {
    if (this.raw !== undefined || hasWildcard(channel)) return;
    const subject = this.subjectFor(channel);
    this.send(await this.conn.get(), subject, encodeJoinPush(channel, info), 'publish join');
  }

  async publishLeave(channel: string, info: ClientInfo): Promise<void> {
    if (this.raw !== undefined || hasWildcard(channel)) return;
    const subject = this.subjectFor(channel);
    this.send(await this.conn.get(), subject, encodeLeavePush(channel, info), 'publish leave');
  }

  async history(_channel: string, _options: HistoryOptions): Promise<HistoryResult> {
    throw new ClientError(ClientErrors.NotAvailable);
  }

  async removeHistory(_channel: string): Promise<void> {
    throw new ClientError(ClientErrors.NotAvailable);
  }

  async close(): Promise<void> {
    this.subs.clear();
    this.idempotencyKeys.clear();
    await this.conn.close();
  }

  /** The NATS subject of a channel; BadRequest when NATS would not accept it. */
  private subjectFor(channel: string): string {
    const subject =
      this.raw !== undefined
        ? rawSubject(this.raw.prefix, channel, this.raw.channelReplacements)
        : clientSubject(this.prefix, channel);
    if (channel === '' || !isValidSubject(subject)) throw badRequest('channel is not a valid nats subject');
    return subject;
  }

  private send(nc: NatsConnection, subject: string, payload: Uint8Array, what: string): void {
    try {
      nc.publish(subject, payload);
    } catch (err) {
      throw toEngineError(what, err);
    }
  }

  private addSubscription(entry: ChannelSubscription): void {
    this.subs.set(entry.channel, entry);
  }

  private removeSubscription(entry: ChannelSubscription): void {
    if (this.subs.get(entry.channel) === entry) this.subs.delete(entry.channel);
    try {
      entry.sub.unsubscribe();
    } catch (err) {
      this.conn.logger.debug('nats unsubscribe failed', { channel: entry.channel, error: String(err) });
    }
  }

  private concreteChannel(entry: ChannelSubscription, subject: string): string | undefined {
    if (!entry.wildcard) return entry.channel;
    return this.raw !== undefined
      ? channelFromRawSubject(this.raw.prefix, subject, this.raw.channelReplacements)
      : channelFromClientSubject(this.prefix, subject);
  }

  private onMessage(entry: ChannelSubscription, err: Error | null, msg: Msg): void {
    const logger = this.conn.logger;
    if (err !== null) {
      logger.error('nats subscription error', { channel: entry.channel, error: err.message });
      return;
    }
    const handler = this.handler;
    if (handler === undefined) return;
    const concrete = this.concreteChannel(entry, msg.subject);
    if (concrete === undefined) return;
    // Delivered in the subscription's channel; a wildcard delivery names the concrete channel.
    const channel = entry.channel;
    const named = entry.wildcard && concrete !== channel ? concrete : undefined;
    if (this.raw !== undefined) {
      // A copy: the client hands out views into its read buffers (Node Buffers).
      const data = new Uint8Array(msg.data);
      const publication: Publication = named === undefined ? { offset: 0, data } : { offset: 0, data, channel: named };
      this.deliver(channel, () => handler.onPublication(channel, publication, NO_HISTORY_POSITION));
      return;
    }
    let push: NatsPush;
    try {
      push = decodePush(msg.data);
    } catch (e) {
      logger.error('malformed PUB/SUB data', { channel: concrete, error: errorText(e) });
      return;
    }
    switch (push.kind) {
      case 'pub': {
        const p = push.pub;
        const publication: Publication = {
          offset: p.offset,
          data: p.data,
          ...(p.info !== undefined ? { info: p.info } : {}),
          ...(p.tags !== undefined ? { tags: p.tags } : {}),
          ...(p.timeMs !== undefined ? { timeMs: p.timeMs } : {}),
          ...(p.delta === true ? { delta: true } : {}),
          ...(named !== undefined ? { channel: named } : {}),
        };
        this.deliver(channel, () => handler.onPublication(channel, publication, { offset: p.offset, epoch: '' }));
        return;
      }
      case 'join':
        if (!entry.wildcard) this.deliver(channel, () => handler.onJoin(channel, push.info));
        return;
      case 'leave':
        if (!entry.wildcard) this.deliver(channel, () => handler.onLeave(channel, push.info));
        return;
    }
  }

  /** Runs a handler callback; a throwing handler must not break the NATS dispatch loop. */
  private deliver(channel: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.conn.logger.error('broker event handler failed', {
        channel,
        error: errorText(err),
      });
    }
  }
}

function badRequest(message: string): ClientError {
  return new ClientError(ClientErrors.BadRequest, { cause: new Error(message) });
}
