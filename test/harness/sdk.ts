/** @module test/harness/sdk — the real centrifuge-js SDK (JSON and Protobuf builds) in Node. */
import { Centrifuge as CentrifugeJson, type Options, type PublicationContext, type Subscription } from 'centrifuge';
import { Centrifuge as CentrifugeProtobuf } from 'centrifuge/build/protobuf';
import WebSocket from 'ws';

export type SdkProtocol = 'json' | 'protobuf';
export const PROTOCOLS: readonly SdkProtocol[] = ['json', 'protobuf'];

export type Client = InstanceType<typeof CentrifugeJson>;

/** A centrifuge-js client over WebSocket using the given build (ws as the WebSocket implementation). */
export function sdkClient(protocol: SdkProtocol, url: string, options: Partial<Options> = {}): Client {
  const C = protocol === 'json' ? CentrifugeJson : (CentrifugeProtobuf as unknown as typeof CentrifugeJson);
  return new C(url, { websocket: WebSocket, minReconnectDelay: 50, maxReconnectDelay: 300, timeout: 5000, ...options });
}

/** Payloads are JSON for the JSON build and bytes for the Protobuf build; normalise to a JS value. */
export function decodeData(protocol: SdkProtocol, data: unknown): unknown {
  if (protocol === 'json') return data;
  if (data instanceof Uint8Array) return JSON.parse(new TextDecoder().decode(data));
  return data;
}

/** Payload to publish from a client in either build. */
export function encodeData(protocol: SdkProtocol, value: unknown): unknown {
  return protocol === 'json' ? value : new TextEncoder().encode(JSON.stringify(value));
}

/** Collects publications of a subscription (decoded values with offsets). */
export function collect(protocol: SdkProtocol, sub: Subscription): { values: unknown[]; offsets: number[] } {
  const out = { values: [] as unknown[], offsets: [] as number[] };
  sub.on('publication', (ctx: PublicationContext) => {
    out.values.push(decodeData(protocol, ctx.data));
    if (ctx.offset !== undefined) out.offsets.push(ctx.offset);
  });
  return out;
}
