/**
 * @module test/fuzz/arbitraries — fast-check input generators shared by the unit-tier property tests
 * (`src/**\/*.property.test.ts`, fixed seed, small budget) and the `npm run fuzz` campaign.
 *
 * Inputs are a mix of (1) well-formed messages the SDKs send, (2) the same with bytes flipped, cut,
 * duplicated or spliced, and (3) raw noise — so decoders see both deep and shallow paths.
 */
import fc from 'fast-check';
import { writeMessage } from '../../src/protocol/proto-writer.js';
import { ProtoWriter } from '../../src/wire/writer.js';
import { schema } from '../../src/protocol/schema.js';

/** Seed and budget for the unit tier: `FUZZ_SEED` / `FUZZ_RUNS` override (CI keeps the defaults). */
const UNIT_SEED = Number(process.env['FUZZ_SEED'] ?? 20261204);
const UNIT_RUNS = Number(process.env['FUZZ_RUNS'] ?? 150);

/** fast-check parameters of the unit tier. */
export function unitParams<T>(): fc.Parameters<T> {
  return { seed: UNIT_SEED, numRuns: UNIT_RUNS, endOnFailure: true };
}

const enc = new TextEncoder();

/** Runs `fn`; an error of `errorClass` is the expected answer to bad input, anything else is re-thrown. */
export function expectOnly(errorClass: abstract new (...args: never[]) => Error, fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof errorClass)) throw err;
  }
}

const channel = fc.oneof(
  fc.constantFrom('news', 'chat:index', '$private', 'user#42', 'a:b:c', ''),
  fc.string({ maxLength: 40 }),
);
const jsonPayload = fc.jsonValue({ maxDepth: 3 });
const smallInt = fc.integer({ min: 0, max: 2 ** 31 - 1 });

/** A plain client-protocol Command object as an SDK would build it (snake_case JSON shape). */
export const wireCommand = fc
  .record(
    {
      id: fc.integer({ min: 1, max: 1_000_000 }),
      kind: fc.constantFrom('connect', 'subscribe', 'unsubscribe', 'publish', 'presence', 'presence_stats', 'history', 'rpc', 'send', 'refresh', 'sub_refresh'),
      channel,
      data: jsonPayload,
      token: fc.string({ maxLength: 60 }),
      offset: smallInt,
      epoch: fc.string({ maxLength: 12 }),
      limit: fc.integer({ min: -5, max: 500 }),
      recover: fc.boolean(),
    },
    { requiredKeys: ['id', 'kind'] },
  )
  .map((r): Record<string, unknown> => {
    const ch = r.channel ?? 'news';
    switch (r.kind) {
      case 'connect':
        return { id: r.id, connect: { token: r.token ?? '', data: r.data ?? null, name: 'fuzz', version: '0', subs: { [ch]: { recover: r.recover ?? false, offset: r.offset ?? 0, epoch: r.epoch ?? '' } } } };
      case 'subscribe':
        return { id: r.id, subscribe: { channel: ch, token: r.token ?? '', recover: r.recover ?? false, offset: r.offset ?? 0, epoch: r.epoch ?? '', positioned: true, recoverable: true, join_leave: true } };
      case 'publish':
        return { id: r.id, publish: { channel: ch, data: r.data ?? {} } };
      case 'history':
        return { id: r.id, history: { channel: ch, limit: r.limit ?? 0, since: { offset: r.offset ?? 0, epoch: r.epoch ?? '' }, reverse: r.recover ?? false } };
      case 'rpc':
        return { id: r.id, rpc: { method: r.token ?? '', data: r.data ?? {} } };
      case 'send':
        return { send: { data: r.data ?? {} } };
      case 'refresh':
        return { id: r.id, refresh: { token: r.token ?? '' } };
      case 'sub_refresh':
        return { id: r.id, sub_refresh: { channel: ch, token: r.token ?? '' } };
      case 'unsubscribe':
      case 'presence':
      case 'presence_stats':
        return { id: r.id, [r.kind]: { channel: ch } };
    }
  });

/** snake_case JSON wire names → the camelCase field names of the protobuf schema tables. */
function camel(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camel);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())] = camel(x);
  return out;
}

/** The Protobuf encoding of a wire command (JSON payloads as their UTF-8 bytes). */
export function protoCommand(cmd: Record<string, unknown>): Uint8Array {
  const obj = camel(cmd) as Record<string, unknown>;
  const toBytes = (o: unknown): void => {
    if (o === null || typeof o !== 'object') return;
    const rec = o as Record<string, unknown>;
    for (const [k, v] of Object.entries(rec)) {
      if (k === 'data') rec[k] = enc.encode(JSON.stringify(v ?? null));
      else if (k !== 'subs') toBytes(v);
    }
    if (rec['subs'] !== undefined) for (const s of Object.values(rec['subs'] as Record<string, unknown>)) toBytes(s);
  };
  toBytes(obj);
  const w = new ProtoWriter();
  writeMessage(w, schema.Command, obj);
  return w.finish().slice();
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

/** A varint-delimited Protobuf frame. */
export function protoFrame(messages: readonly Uint8Array[]): Uint8Array {
  const parts: number[] = [];
  for (const m of messages) parts.push(...varint(m.length), ...m);
  return Uint8Array.from(parts);
}

/** A JSON frame: commands joined by `\n`. */
export function jsonFrame(commands: readonly unknown[]): Uint8Array {
  return enc.encode(commands.map((c) => JSON.stringify(c)).join('\n'));
}

/** Flips, cuts, duplicates or splices bytes of `base`. */
export function mutate(base: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(base, fc.array(fc.tuple(fc.nat(), fc.nat(255), fc.constantFrom('flip', 'cut', 'dup', 'insert', 'delete')), { minLength: 1, maxLength: 4 }))
    .map(([bytes, ops]) => {
      let b = Array.from(bytes);
      for (const [pos, val, op] of ops) {
        const i = b.length === 0 ? 0 : pos % b.length;
        if (op === 'flip' && b.length > 0) b[i] = val;
        else if (op === 'cut') b = b.slice(0, i);
        else if (op === 'dup') b = b.concat(b.slice(i, i + 16));
        else if (op === 'insert') b.splice(i, 0, val);
        else if (op === 'delete') b.splice(i, 1);
      }
      return Uint8Array.from(b);
    });
}

/** Bytes: JSON text-ish noise, raw noise, and JSON documents. */
export const noise: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.string({ maxLength: 200, unit: 'binary' }).map((s) => enc.encode(s)),
  fc.json({ maxDepth: 4 }).map((s) => enc.encode(s)),
  fc.array(fc.json({ maxDepth: 2 }), { maxLength: 4 }).map((a) => enc.encode(a.join('\n'))),
);

/** JSON client frames: valid, mutated and noise. */
export const jsonFrames: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.array(wireCommand, { minLength: 1, maxLength: 5 }).map(jsonFrame),
  mutate(fc.array(wireCommand, { minLength: 1, maxLength: 3 }).map(jsonFrame)),
  noise,
);

/** Protobuf client frames: valid, mutated and noise. */
export const protoFrames: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.array(wireCommand, { minLength: 1, maxLength: 5 }).map((cs) => protoFrame(cs.map(protoCommand))),
  mutate(fc.array(wireCommand, { minLength: 1, maxLength: 3 }).map((cs) => protoFrame(cs.map(protoCommand)))),
  noise,
);

/** Server API request bodies (any method): JSON objects with plausible and implausible fields, mutated, noise. */
export const apiBodies: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc
    .record(
      {
        channel,
        channels: fc.array(channel, { maxLength: 3 }),
        data: jsonPayload,
        user: fc.string({ maxLength: 20 }),
        client: fc.string({ maxLength: 20 }),
        limit: fc.oneof(fc.integer(), fc.double(), fc.string()),
        since: fc.record({ offset: fc.oneof(fc.nat(), fc.string(), fc.constant(-1)), epoch: fc.string() }),
        tags: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string(), fc.integer())),
        idempotency_key: fc.string(),
        disconnect: fc.record({ code: fc.integer(), reason: fc.string() }),
        params: fc.jsonValue({ maxDepth: 2 }),
        method: fc.string({ maxLength: 12 }),
        commands: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
      },
      { requiredKeys: [] },
    )
    .map((o) => enc.encode(JSON.stringify(o))),
  mutate(fc.record({ channel, data: jsonPayload }).map((o) => enc.encode(JSON.stringify(o)))),
  noise,
);

/** Raw config data: known keys with values of any JSON type, plus unknown keys. */
export function configObjects(keys: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  const value = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom('1s', '-1s', '0', '720h', '1500ms', 'x', '', 'memory', 'redis', 'nats', '127.0.0.1:6379'),
    fc.array(fc.record({ name: fc.string({ maxLength: 10 }), history_size: fc.integer(), history_ttl: fc.string() }), { maxLength: 2 }),
  );
  return fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 12 })), value, { maxKeys: 8 });
}
