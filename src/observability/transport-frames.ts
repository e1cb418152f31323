/**
 * @module observability/transport-frames — `centrifugo_transport_messages_sent` / `_sent_size` /
 * `_received` / `_received_size` (labels transport, frame_type, channel_namespace).
 *
 * Connections record into one Float64Array per transport kind (layout in core/frame-types.ts);
 * the series are built from those arrays at scrape time, only for frame types seen at least once
 * (Centrifugo creates these series on first use too). `channel_namespace` is always empty: per
 * namespace resolution is a Centrifugo PRO feature.
 */
import type { Registry } from 'prom-client';
import { FRAME_COUNTER_SLOTS, FRAME_TYPE_NAMES, RECEIVED, RECEIVED_BYTES, SENT, SENT_BYTES, SLOTS_PER_FRAME_TYPE } from '../core/frame-types.js';
import { CollectedMetric, type ExpositionValue } from './fast-metrics.js';

export class TransportFrameMetrics {
  readonly #byTransport = new Map<string, Float64Array>();

  constructor(registry: Registry) {
    const family = (name: string, help: string, countSlot: number, valueSlot: number): void => {
      new CollectedMetric(name, help, 'counter', () => this.#values(countSlot, valueSlot), registry);
    };
    family('centrifugo_transport_messages_sent', 'Number of messages sent to client connections over specific transport.', SENT, SENT);
    family('centrifugo_transport_messages_sent_size', 'Size in bytes of messages sent to client connections over specific transport.', SENT, SENT_BYTES);
    family('centrifugo_transport_messages_received', 'Number of messages received from client connections over specific transport.', RECEIVED, RECEIVED);
    family('centrifugo_transport_messages_received_size', 'Size in bytes of messages received from client connections over specific transport.', RECEIVED, RECEIVED_BYTES);
  }

  /** The counters every connection of `transport` records into. */
  counters(transport: string): Float64Array {
    let a = this.#byTransport.get(transport);
    if (a === undefined) {
      a = new Float64Array(FRAME_COUNTER_SLOTS);
      this.#byTransport.set(transport, a);
    }
    return a;
  }

  #values(countSlot: number, valueSlot: number): ExpositionValue[] {
    const out: ExpositionValue[] = [];
    for (const [transport, a] of this.#byTransport) {
      FRAME_TYPE_NAMES.forEach((frameType, i) => {
        const base = i * SLOTS_PER_FRAME_TYPE;
        if (a[base + countSlot]! > 0) out.push({ labels: { transport, frame_type: frameType, channel_namespace: '' }, value: a[base + valueSlot]! });
      });
    }
    return out;
  }
}
