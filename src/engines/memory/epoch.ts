/** @module engines/memory/epoch — random stream epochs: 8 letters from [a-zA-Z], CSPRNG byte mod 52. */
import { randomFillSync } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** Length of a memory-engine epoch. */
export const EPOCH_LENGTH = 8;

/** A fresh epoch identifying a new incarnation of a stream. */
export function generateEpoch(): string {
  const bytes = randomFillSync(new Uint8Array(EPOCH_LENGTH));
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}
