/**
 * @module core/delta — fossil delta compression of publication payloads (Centrifugo's delta compression).
 *
 * For delta-negotiated subscriptions on JSON connections every payload travels as a JSON *string*
 * holding the payload (or the patch) text; on Protobuf connections the bytes go as they are.
 */
import { createDelta } from 'fossil-delta';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A fossil patch from `prev` to `cur`, or undefined when it would not be smaller than `cur`. */
export function fossilPatch(prev: Uint8Array, cur: Uint8Array): Uint8Array | undefined {
  const patch = createDelta(prev, cur);
  return patch.length < cur.length ? patch : undefined;
}

/** Bytes as a JSON string literal (the JSON wire form of delta-negotiated payloads). */
export function asJsonString(bytes: Uint8Array): Uint8Array {
  return encoder.encode(JSON.stringify(decoder.decode(bytes)));
}
