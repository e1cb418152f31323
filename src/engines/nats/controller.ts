/**
 * @module engines/nats/controller — NatsController: the node-to-node control bus over NATS.
 *
 * Broadcasts go to `<prefix>.control` (every node, this one included), node-directed messages to
 * `<prefix>.node.<uid>`. Payloads are opaque bytes (`core/control.ts` defines them).
 */
import { errorText } from '../../util/error-text.js';
import type { Msg } from '@nats-io/transport-node';
import type { Controller } from '../../core/controller.js';
import { EngineError } from '../../core/errors.js';
import { NatsConnectionHolder, toEngineError } from './connection.js';
import { DEFAULT_NATS_PREFIX } from './options.js';
import type { NatsControllerOptions } from './options.js';
import { controlSubject, hasWildcard, isValidSubject, nodeSubject } from './subjects.js';

/** Controller over NATS core PUB/SUB (at-most-once). */
export class NatsController implements Controller {
  private readonly prefix: string;
  private readonly conn: NatsConnectionHolder;
  private started = false;

  constructor(options: NatsControllerOptions) {
    this.prefix = options.prefix !== undefined && options.prefix !== '' ? options.prefix : DEFAULT_NATS_PREFIX;
    this.conn = new NatsConnectionHolder(options, 'controller');
  }

  async start(nodeId: string, onMessage: (data: Uint8Array) => void): Promise<void> {
    if (this.started) throw new EngineError('nats controller already started');
    const ownSubject = this.subjectForNode(nodeId);
    const nc = await this.conn.get();
    this.started = true;
    const callback = (err: Error | null, msg: Msg): void => {
      if (this.conn.isClosed) return; // draining on close: the node no longer listens
      if (err !== null) {
        this.conn.logger.error('nats control subscription error', { error: err.message });
        return;
      }
      try {
        onMessage(new Uint8Array(msg.data));
      } catch (e) {
        this.conn.logger.error('control message handler failed', { error: errorText(e) });
      }
    };
    try {
      nc.subscribe(controlSubject(this.prefix), { callback });
      nc.subscribe(ownSubject, { callback });
    } catch (err) {
      throw toEngineError('subscribe', err);
    }
    await this.conn.flush(nc);
  }

  async publishControl(data: Uint8Array, toNodeId?: string): Promise<void> {
    const subject = toNodeId === undefined || toNodeId === '' ? controlSubject(this.prefix) : this.subjectForNode(toNodeId);
    const nc = await this.conn.get();
    try {
      nc.publish(subject, data);
    } catch (err) {
      throw toEngineError('publish control', err);
    }
  }

  async close(): Promise<void> {
    await this.conn.close();
  }

  private subjectForNode(nodeId: string): string {
    const subject = nodeSubject(this.prefix, nodeId);
    if (nodeId === '' || hasWildcard(nodeId) || !isValidSubject(subject)) {
      throw new EngineError(`invalid node id for nats subject: ${JSON.stringify(nodeId)}`);
    }
    return subject;
  }
}
