/**
 * @module test/contract/codec.contract — behaviour every client-protocol Codec must show.
 *
 * Encoding-agnostic: commands are produced and replies read back by an independent reference per
 * encoding (`referenceFor`): JSON through JSON.parse/stringify with snake_case names and raw payloads,
 * Protobuf through protobufjs reflection over our `client.proto` (local root, no global config).
 * Values are compared after `normalize`, which erases what the encodings legitimately differ in
 * (absent vs default scalars, Buffer vs Uint8Array). Payloads are compact JSON so both can carry them.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { ProtocolError } from '../../src/protocol/codec.js';
import type { Codec, ProtocolType } from '../../src/protocol/codec.js';
import type { Command, ConnectRequest, ProtoPublication, Push, Reply } from '../../src/protocol/types.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Bytes of a UTF-8 string. */
const b = (s: string): Uint8Array => enc.encode(s);

// ---------------------------------------------------------------- normalisation

/** Map fields holding scalars: an empty one is the same as an absent one. */
const SCALAR_MAPS = new Set(['tags', 'headers']);

/**
 * Drops default scalars, empty lists and empty scalar maps; turns byte arrays into `bytes:<utf8>`
 * strings. Empty objects are kept: an empty sub-message is meaningful.
 */
function normalize(v: unknown): unknown {
  if (v instanceof Uint8Array) return `bytes:${dec.decode(v)}`;
  if (Array.isArray(v)) return v.map(normalize);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const n = normalize(x);
      if (n === undefined || n === null || n === false || n === 0 || n === '' || (Array.isArray(n) && n.length === 0)) continue;
      if (SCALAR_MAPS.has(k) && Object.keys(n).length === 0) continue;
      Object.defineProperty(out, k, { value: n, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return v;
}

// ---------------------------------------------------------------- references

/** An independent implementation of the other side of the wire. */
interface CodecReference {
  /** Frames commands the way SDKs do (JSON: `\n`-joined; Protobuf: varint-delimited). */
  encodeCommands(commands: readonly Command[]): Uint8Array;
  /** One unframed encoded Reply → plain object. */
  decodeReply(bytes: Uint8Array): unknown;
  /** One unframed encoded Push → plain object. */
  decodePush(bytes: Uint8Array): unknown;
  /** A frame from `joinFrames` → plain Replies. */
  decodeReplyFrame(bytes: Uint8Array): unknown[];
  encodeConnectRequest(req: ConnectRequest): Uint8Array;
  encodeEmulationRequest(session: string, node: string, frame: Uint8Array): Uint8Array;
}

const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (k: string): string => k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
/** JSON keys whose values are raw payloads. */
const RAW_KEYS = new Set(['data', 'conn_info', 'chan_info', 'prev_data']);
/** JSON keys whose values are maps (their keys are data, not field names). */
const MAP_KEYS = new Set(['subs', 'headers', 'tags']);

/** Typed object → JSON text: snake_case keys, Uint8Array written raw. Map keys kept as they are. */
function toJsonText(v: unknown, isMap = false): string {
  if (v instanceof Uint8Array) return dec.decode(v);
  if (Array.isArray(v)) return `[${v.map((x) => toJsonText(x)).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const parts: string[] = [];
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) continue;
      const key = isMap ? k : snake(k);
      parts.push(`${JSON.stringify(key)}:${toJsonText(x, !isMap && MAP_KEYS.has(key))}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Parsed JSON → typed shape: camelCase keys, raw payloads back to bytes (compact form). */
function fromJsonValue(v: unknown, isMap = false, presenceMap = false): unknown {
  if (Array.isArray(v)) return v.map((x) => fromJsonValue(x));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const key = isMap ? k : camel(k);
      let value: unknown;
      if (!isMap && RAW_KEYS.has(k)) value = b(JSON.stringify(x));
      else value = fromJsonValue(x, !isMap && (MAP_KEYS.has(k) || (k === 'presence' && presenceMap)), !isMap && k === 'presence');
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return v;
}

const jsonReference: CodecReference = {
  encodeCommands: (commands) => b(commands.map((c) => toJsonText(c)).join('\n')),
  decodeReply: (bytes) => fromJsonValue(JSON.parse(dec.decode(bytes))),
  decodePush: (bytes) => fromJsonValue(JSON.parse(dec.decode(bytes))),
  decodeReplyFrame: (bytes) =>
    dec
      .decode(bytes)
      .split('\n')
      .map((line) => fromJsonValue(JSON.parse(line))),
  encodeConnectRequest: (req) => b(toJsonText(req)),
  encodeEmulationRequest: (session, node, frame) => b(JSON.stringify({ session, node, data: dec.decode(frame) })),
};

/** protobufjs root parsed from our schema (a private Root: no global protobufjs state is touched). */
function loadProtoRoot(): protobuf.Root {
  const text = readFileSync(new URL('../../src/protocol/client.proto', import.meta.url), 'utf8');
  return protobuf.parse(text, { keepCase: false }).root;
}

function protobufReference(): CodecReference {
  const root = loadProtoRoot();
  const T = (name: string): protobuf.Type => root.lookupType(`centrifugal.centrifuge.protocol.${name}`);
  const Command = T('Command');
  const Reply = T('Reply');
  const Push = T('Push');
  const opts: protobuf.IConversionOptions = { longs: Number };
  return {
    encodeCommands: (commands) => {
      const w = protobuf.Writer.create();
      for (const c of commands) Command.encodeDelimited(c, w);
      return w.finish();
    },
    decodeReply: (bytes) => Reply.toObject(Reply.decode(bytes), opts),
    decodePush: (bytes) => Push.toObject(Push.decode(bytes), opts),
    decodeReplyFrame: (bytes) => {
      const r = protobuf.Reader.create(bytes);
      const out: unknown[] = [];
      while (r.pos < r.len) out.push(Reply.toObject(Reply.decodeDelimited(r), opts));
      return out;
    },
    encodeConnectRequest: (req) => T('ConnectRequest').encode(req).finish(),
    encodeEmulationRequest: (session, node, data) => T('EmulationRequest').encode({ session, node, data }).finish(),
  };
}

function referenceFor(type: ProtocolType): CodecReference {
  return type === 'json' ? jsonReference : protobufReference();
}

// ---------------------------------------------------------------- fixtures

const info = { user: '42', client: 'c-1', connInfo: b('{"name":"Alex"}'), chanInfo: b('"vip"') };

/** One of every command kind, with every field the types declare. */
const COMMANDS: readonly Command[] = [
  {
    id: 1,
    connect: {
      token: 'eyJ.x.y',
      data: b('{"a":[1,2]}'),
      subs: { news: { recover: true, offset: 5, epoch: 'ep' }, 'chat:1': {} },
      name: 'js',
      version: '5.8.0',
      headers: { 'x-a': 'b' },
      flag: 1,
      dict: 'd',
      profile: 'p',
    },
  },
  {
    id: 2,
    subscribe: {
      channel: 'news',
      token: 't',
      recover: true,
      epoch: 'ep',
      offset: 2 ** 40,
      data: b('"s"'),
      positioned: true,
      recoverable: true,
      joinLeave: true,
      delta: 'fossil',
      tf: { op: 'and', nodes: [{ key: 'k', cmp: 'eq', val: 'v' }, { key: 'n', cmp: 'in', vals: ['1', '2'] }] },
      flag: 3,
      type: 1,
      phase: 2,
      cursor: 'cur',
      limit: 10,
      asc: true,
    },
  },
  { id: 3, unsubscribe: { channel: 'news' } },
  { id: 4, publish: { channel: 'chat:1', data: b('{"text":"hello"}'), type: 1, key: 'k', removed: true } },
  { id: 5, presence: { channel: 'chat:1' } },
  { id: 6, presenceStats: { channel: 'chat:1' } },
  { id: 7, history: { channel: 'news', limit: 2, since: { offset: 11, epoch: 'ep' }, reverse: true } },
  { id: 8, ping: {} },
  { send: { data: b('[1,2,3]') } },
  { id: 9, rpc: { method: 'getUser', data: b('{"id":1}') } },
  { id: 10, refresh: { token: 'new' } },
  { id: 11, subRefresh: { channel: '$private', token: 'st', type: 0 } },
  { id: 4294967295, publish: { channel: 'ü-ñ-中', data: b('{"t":"ünïcødé ✓"}') } },
];

const pub1: ProtoPublication = { data: b('{"n":11}'), offset: 11 };
const pubFull: ProtoPublication = {
  data: b('{"n":12}'),
  info,
  offset: 12,
  tags: { a: '1', b: '2' },
  delta: true,
  time: 1700000000000,
  channel: 'news:other',
  key: 'k1',
  removed: true,
  score: -5,
  epoch: 'ep',
  prevData: b('{"n":10}'),
  version: 3,
};

/** One of every reply kind (results and errors). */
const REPLIES: readonly Reply[] = [
  { id: 1, error: { code: 103, message: 'permission denied', temporary: true } },
  {
    id: 1,
    connect: {
      client: 'c-1',
      version: '6.9.1 OSS',
      expires: true,
      ttl: 3599,
      data: b('{"welcome":true}'),
      subs: { news: { recoverable: true, epoch: 'ep', offset: 5, publications: [pub1] }, empty: {} },
      ping: 25,
      pong: true,
      session: 's',
      node: 'n',
      time: 1700000000000,
    },
  },
  {
    id: 2,
    subscribe: {
      expires: true,
      ttl: 60,
      recoverable: true,
      epoch: 'ep',
      publications: [pub1, pubFull],
      recovered: true,
      offset: 10,
      positioned: true,
      data: b('{"x":1}'),
      wasRecovering: true,
      delta: true,
    },
  },
  { id: 2, subscribe: {} },
  { id: 3, unsubscribe: {} },
  { id: 4, publish: {} },
  { id: 5, presence: { presence: { 'c-1': info, 'c-2': { user: '', client: 'c-2' } } } },
  { id: 6, presenceStats: { numClients: 3, numUsers: 2 } },
  { id: 7, history: { publications: [pub1, pubFull], epoch: 'ep', offset: 2 ** 50 } },
  { id: 8, rpc: { data: b('{"result":"ok"}') } },
  { id: 8, rpc: {} },
  { id: 9, refresh: { client: 'c', version: 'v', expires: true, ttl: 3600 } },
  { id: 10, subRefresh: { expires: true, ttl: 30 } },
];

/** One of every push kind. */
const PUSHES: readonly Push[] = [
  { channel: 'news', pub: pubFull },
  { channel: 'news', pub: pub1 },
  { channel: 'chat:1', join: { info } },
  { channel: 'chat:1', leave: { info: { user: '7', client: 'c-7' } } },
  { channel: 'news', unsubscribe: { code: 2500, reason: 'insufficient state' } },
  { message: { data: b('{"hello":"world"}') } },
  { channel: 'news', subscribe: { recoverable: true, epoch: 'ep', offset: 3, positioned: true, data: b('1') } },
  {
    connect: {
      client: 'c',
      version: '6.9.1 OSS',
      data: b('{"d":1}'),
      subs: { news: { recoverable: true, offset: 5 } },
      expires: true,
      ttl: 10,
      ping: 25,
      pong: true,
      session: 's',
      node: 'n',
      time: 5,
    },
  },
  { disconnect: { code: 3005, reason: 'connection expired', reconnect: true } },
  { refresh: { expires: true, ttl: 100 } },
  { channel: 'news', pub: {} },
];

/** Publications for the hot-path encoders (each also compared with the generic encoder). */
const PUBLICATIONS: readonly ProtoPublication[] = [
  pub1,
  pubFull,
  {},
  { data: b('{"a":1}') },
  { data: b('{"a":1}'), info: { user: '', client: '' } },
  { data: b('{"a":1}'), info },
  { data: b('{"a":1}'), offset: 1, epoch: 'ep' },
  { data: b('{"a":1}'), delta: true, offset: 2 ** 52 },
  { data: b(`{"big":"${'x'.repeat(300)}"}`), offset: 300 },
  { data: b(`{"big":"${'é'.repeat(70000)}"}`), offset: 1 },
  { data: b('{"a":"ünïcødé"}'), info: { user: 'ü', client: 'ñ' }, epoch: 'é' },
  { data: b('{"a":1}'), tags: {} },
  { data: b('{"a":1}'), tags: { k: 'v' } },
];

// ---------------------------------------------------------------- the contract

function isProtocolError(e: unknown): boolean {
  return e instanceof ProtocolError;
}

/** Deterministic PRNG (mulberry32) for the fuzz cases. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function runCodecContract(codec: Codec): void {
  const ref = referenceFor(codec.type);

  void describe(`codec contract: ${codec.type}`, () => {
    void describe('decodeCommands', () => {
      for (const cmd of COMMANDS) {
        const kind = Object.keys(cmd).find((k) => k !== 'id') ?? 'empty';
        void it(`round-trips a ${kind} command`, () => {
          const got = codec.decodeCommands(ref.encodeCommands([cmd]));
          assert.equal(got.length, 1);
          assert.deepStrictEqual(normalize(got[0]), normalize(cmd));
        });
      }

      void it('decodes several commands of one frame in order', () => {
        const got = codec.decodeCommands(ref.encodeCommands(COMMANDS));
        assert.equal(got.length, COMMANDS.length);
        assert.deepStrictEqual(normalize(got), normalize(COMMANDS));
      });

      void it('decodes an empty command (pong) as an empty object', () => {
        assert.deepStrictEqual(codec.decodeCommands(ref.encodeCommands([{}])), [{}]);
        const got = codec.decodeCommands(ref.encodeCommands([{ id: 1, connect: {} }, {}, { id: 2, subscribe: { channel: 'a' } }]));
        assert.deepStrictEqual(got, [{ id: 1, connect: {} }, {}, { id: 2, subscribe: { channel: 'a' } }]);
      });

      void it('keeps an empty request present', () => {
        const got = codec.decodeCommands(ref.encodeCommands([{ id: 3, ping: {} }, { id: 4, connect: {} }]));
        assert.deepStrictEqual(got, [{ id: 3, ping: {} }, { id: 4, connect: {} }]);
      });

      void it('keeps payload bytes exactly', () => {
        const data = b('{"text":"ünïcødé ✓ \\" \\\\","n":[1,2.5e3,-0.1],"o":{},"l":[],"z":null}');
        const [cmd] = codec.decodeCommands(ref.encodeCommands([{ id: 1, publish: { channel: 'c', data } }]));
        assert.deepStrictEqual(Buffer.from(cmd!.publish!.data!), Buffer.from(data));
      });

      void it('returns 64-bit and 32-bit integers as exact numbers', () => {
        const [cmd] = codec.decodeCommands(
          ref.encodeCommands([{ id: 4294967295, subscribe: { channel: 'c', offset: 2 ** 53 - 1, flag: 2 ** 40, limit: -1 } }]),
        );
        assert.equal(cmd!.id, 4294967295);
        assert.equal(cmd!.subscribe!.offset, 2 ** 53 - 1);
        assert.equal(cmd!.subscribe!.flag, 2 ** 40);
        assert.equal(cmd!.subscribe!.limit, -1);
      });

      void it('rejects an empty frame', () => {
        assert.throws(() => codec.decodeCommands(new Uint8Array(0)), isProtocolError);
      });

      void it('applies maxMessageSize to each command', () => {
        const cmd: Command = { id: 1, publish: { channel: 'c', data: b(`"${'x'.repeat(1000)}"`) } };
        const frame = ref.encodeCommands([cmd]);
        assert.throws(() => codec.decodeCommands(frame, 500), isProtocolError);
        assert.equal(codec.decodeCommands(frame, 2000).length, 1);
        // The default limit is 65536 bytes.
        const big = ref.encodeCommands([{ id: 1, publish: { channel: 'c', data: b(`"${'x'.repeat(70000)}"`) } }]);
        assert.throws(() => codec.decodeCommands(big), isProtocolError);
        assert.equal(codec.decodeCommands(big, 100000).length, 1);
      });

      void it('accepts a command of exactly maxMessageSize bytes', () => {
        const frame = ref.encodeCommands([{ id: 1, publish: { channel: 'c', data: b('"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"') } }]);
        const size = codec.type === 'json' ? frame.length : frame.length - 1; // minus the 1-byte prefix
        assert.equal(codec.decodeCommands(frame, size).length, 1);
        assert.throws(() => codec.decodeCommands(frame, size - 1), isProtocolError);
      });

      void it('throws only ProtocolError on damaged frames (fuzz)', () => {
        const rnd = prng(1);
        const good = ref.encodeCommands(COMMANDS);
        for (let i = 0; i < 3000; i++) {
          const frame = new Uint8Array(good.subarray(0, 1 + Math.floor(rnd() * good.length)));
          const flips = Math.floor(rnd() * 4);
          for (let j = 0; j < flips; j++) frame[Math.floor(rnd() * frame.length)] = Math.floor(rnd() * 256);
          try {
            const cmds = codec.decodeCommands(frame);
            assert.ok(Array.isArray(cmds) && cmds.length > 0);
          } catch (e) {
            if (!isProtocolError(e)) throw e;
          }
        }
        for (let i = 0; i < 2000; i++) {
          const frame = new Uint8Array(1 + Math.floor(rnd() * 64)).map(() => Math.floor(rnd() * 256));
          try {
            codec.decodeCommands(frame);
          } catch (e) {
            if (!isProtocolError(e)) throw e;
          }
        }
      });
    });

    void describe('encodeReply / encodePush', () => {
      for (const reply of REPLIES) {
        const kind = Object.keys(reply).find((k) => k !== 'id') ?? 'ping';
        void it(`round-trips a ${kind} reply`, () => {
          assert.deepStrictEqual(normalize(ref.decodeReply(codec.encodeReply(reply))), normalize(reply));
        });
      }
      for (const push of PUSHES) {
        const kind = Object.keys(push).find((k) => k !== 'channel') ?? 'none';
        void it(`round-trips a ${kind} push, in a Reply and bare`, () => {
          assert.deepStrictEqual(normalize(ref.decodeReply(codec.encodeReply({ push }))), normalize({ push }));
          assert.deepStrictEqual(normalize(ref.decodePush(codec.encodePush(push))), normalize(push));
        });
      }

      void it('writes empty results as present', () => {
        for (const kind of ['subscribe', 'unsubscribe', 'publish', 'rpc', 'refresh', 'subRefresh', 'connect'] as const) {
          const got = ref.decodeReply(codec.encodeReply({ id: 7, [kind]: {} })) as Record<string, unknown>;
          assert.equal(got.id, 7);
          assert.deepStrictEqual(normalize(got[kind]), {}, kind);
        }
      });

      void it('encodes a ping as an empty reply and an empty push', () => {
        assert.deepStrictEqual(normalize(ref.decodeReply(codec.encodeReply({}))), {});
        assert.deepStrictEqual(normalize(ref.decodePush(codec.encodePush({}))), {});
      });

      void it('keeps 64-bit values', () => {
        const got = ref.decodeReply(codec.encodeReply({ id: 1, history: { publications: [], epoch: 'e', offset: 2 ** 53 - 1 } }));
        assert.equal((got as { history: { offset: number } }).history.offset, 2 ** 53 - 1);
      });
    });

    void describe('encodePublicationReply / encodePublicationPush', () => {
      PUBLICATIONS.forEach((pub, i) => {
        void it(`equals the generic encoding (publication #${i})`, () => {
          for (const channel of ['news', '', 'ü:中', 'x'.repeat(200)]) {
            assert.deepStrictEqual(
              Buffer.from(codec.encodePublicationReply(channel, pub)),
              Buffer.from(codec.encodeReply({ push: { channel, pub } })),
            );
            assert.deepStrictEqual(
              Buffer.from(codec.encodePublicationPush(channel, pub)),
              Buffer.from(codec.encodePush({ channel, pub })),
            );
          }
          const channel = 'news';
          assert.deepStrictEqual(
            normalize(ref.decodeReply(codec.encodePublicationReply(channel, pub))),
            normalize({ push: { channel, pub } }),
          );
        });
      });
    });

    void describe('joinFrames', () => {
      void it('frames several messages so the peer reads them in order', () => {
        const msgs = [...REPLIES, {}, ...PUSHES.map((push) => ({ push }))];
        const frame = codec.joinFrames(msgs.map((r) => codec.encodeReply(r)));
        assert.deepStrictEqual(normalize(ref.decodeReplyFrame(frame)), normalize(msgs));
      });

      void it('frames a single message and a single ping', () => {
        assert.deepStrictEqual(normalize(ref.decodeReplyFrame(codec.joinFrames([codec.encodeReply({ id: 1, publish: {} })]))), [
          { id: 1, publish: {} },
        ]);
        assert.deepStrictEqual(normalize(ref.decodeReplyFrame(codec.joinFrames([codec.encodeReply({})]))), [{}]);
      });

      void it('lets the codec read its own framed output structure (commands framed alike)', () => {
        // Commands and replies share the framing: a frame of empty messages is a frame of pongs.
        const pings = codec.joinFrames([codec.encodeReply({}), codec.encodeReply({})]);
        assert.deepStrictEqual(codec.decodeCommands(pings), [{}, {}]);
      });
    });

    void describe('decodeConnectRequest / decodeEmulationRequest', () => {
      void it('decodes a connect request', () => {
        const req = COMMANDS[0]!.connect!;
        assert.deepStrictEqual(normalize(codec.decodeConnectRequest(ref.encodeConnectRequest(req))), normalize(req));
      });

      void it('decodes an empty connect request as {}', () => {
        assert.deepStrictEqual(codec.decodeConnectRequest(new Uint8Array(0)), {});
      });

      void it('decodes an emulation request carrying a command frame', () => {
        const frame = ref.encodeCommands([COMMANDS[1]!, {}, COMMANDS[3]!]);
        const req = codec.decodeEmulationRequest(ref.encodeEmulationRequest('sess-1', 'node-1', frame));
        assert.equal(req.session, 'sess-1');
        assert.equal(req.node, 'node-1');
        assert.deepStrictEqual(Buffer.from(req.data!), Buffer.from(frame));
        assert.deepStrictEqual(normalize(codec.decodeCommands(req.data!)), normalize([COMMANDS[1], {}, COMMANDS[3]]));
      });

      void it('throws only ProtocolError on garbage', () => {
        const rnd = prng(2);
        for (let i = 0; i < 500; i++) {
          const data = new Uint8Array(1 + Math.floor(rnd() * 40)).map(() => Math.floor(rnd() * 256));
          for (const f of [() => codec.decodeConnectRequest(data), () => codec.decodeEmulationRequest(data)]) {
            try {
              f();
            } catch (e) {
              if (!isProtocolError(e)) throw e;
            }
          }
        }
      });
    });
  });
}
