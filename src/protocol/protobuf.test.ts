/** @module protocol/protobuf.test — Protobuf codec: Protobuf wire vectors of Centrifugo's protocol, framing, malformed input, SDK interop. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Centrifuge } from 'centrifuge/build/protobuf';
import { ProtocolError, protobufCodec } from './index.js';
import type { Command, Reply } from './index.js';

const enc = new TextEncoder();
const b = (s: string): Uint8Array => enc.encode(s);
const hex = (u: Uint8Array): string => Buffer.from(u).toString('hex').replace(/(..)(?!$)/g, '$1 ');
const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const decode = (s: string | Uint8Array, max?: number): Command[] =>
  protobufCodec.decodeCommands(typeof s === 'string' ? fromHex(s) : s, max);
const framed = (r: Reply): string => hex(protobufCodec.joinFrames([protobufCodec.encodeReply(r)]));
const isProtocolError = (e: unknown): boolean => e instanceof ProtocolError;

void describe('protobuf codec: wire examples (byte-exact)', () => {
  void it('decodes Command{id:2, subscribe{channel:"chat:42"}}', () => {
    assert.deepStrictEqual(decode('0d 08 02 2a 09 0a 07 63 68 61 74 3a 34 32'), [{ id: 2, subscribe: { channel: 'chat:42' } }]);
  });

  void it('encodes Reply{id:2, subscribe{}} as 04 08 02 32 00', () => {
    assert.equal(framed({ id: 2, subscribe: {} }), '04 08 02 32 00');
  });

  void it('encodes the connect reply', () => {
    assert.equal(
      framed({ id: 1, connect: { client: 'c1', version: '6.9.1', ping: 25, pong: true } }),
      '13 08 01 2a 0f 0a 02 63 31 12 05 36 2e 39 2e 31 38 19 40 01',
    );
  });

  void it('encodes the publication push (generic and fan-out path)', () => {
    const expected = '15 22 13 12 04 6e 65 77 73 22 0b 22 07 7b 22 61 22 3a 31 7d 30 07';
    const pub = { data: b('{"a":1}'), offset: 7 };
    assert.equal(hex(protobufCodec.joinFrames([protobufCodec.encodePublicationReply('news', pub)])), expected);
    assert.equal(framed({ push: { channel: 'news', pub } }), expected);
    // The bare push is the inner Push message.
    assert.equal(hex(protobufCodec.encodePublicationPush('news', pub)), '12 04 6e 65 77 73 22 0b 22 07 7b 22 61 22 3a 31 7d 30 07');
  });

  void it('ping is a zero-length Reply, pong a zero-length Command', () => {
    assert.equal(protobufCodec.encodeReply({}).length, 0);
    assert.equal(framed({}), '00');
    assert.equal(hex(protobufCodec.encodePush({})), '');
    assert.deepStrictEqual(decode('00'), [{}]);
    assert.deepStrictEqual(decode('00 00 00'), [{}, {}, {}]);
  });
});

void describe('protobuf codec: encoding', () => {
  void it('writes every empty result as tag + zero length', () => {
    const tags: [keyof Reply, string][] = [
      ['connect', '2a'],
      ['subscribe', '32'],
      ['unsubscribe', '3a'],
      ['publish', '42'],
      ['rpc', '6a'],
      ['refresh', '72'],
      ['subRefresh', '7a'],
    ];
    for (const [kind, tag] of tags) assert.equal(hex(protobufCodec.encodeReply({ id: 2, [kind]: {} })), `08 02 ${tag} 00`, kind);
    assert.equal(hex(protobufCodec.encodeReply({ id: 3, presence: { presence: {} } })), '08 03 4a 00');
    assert.equal(hex(protobufCodec.encodeReply({ id: 3, presenceStats: { numClients: 0, numUsers: 0 } })), '08 03 52 00');
    assert.equal(hex(protobufCodec.encodeReply({ id: 3, history: { publications: [], epoch: '', offset: 0 } })), '08 03 5a 00');
    assert.equal(hex(protobufCodec.encodeReply({ push: { channel: 'c', pub: {} } })), '22 05 12 01 63 22 00');
    assert.equal(hex(protobufCodec.encodePublicationReply('c', {})), '22 05 12 01 63 22 00');
  });

  void it('omits default scalars (proto3) but keeps present sub-messages', () => {
    assert.equal(
      hex(protobufCodec.encodeReply({ id: 0, subscribe: { expires: false, ttl: 0, epoch: '', data: new Uint8Array(0), publications: [] } })),
      '32 00',
    );
    assert.equal(hex(protobufCodec.encodeReply({ push: { channel: 'c', join: { info: { user: '', client: '' } } } })), '22 07 12 01 63 2a 02 0a 00');
  });

  void it('writes 64-bit, negative and zigzag values', () => {
    // offset 2^53-1 (uint64), time 2^41 (int64), score -5 (sint64 → 9)
    const out = protobufCodec.encodePush({ pub: { offset: 2 ** 53 - 1, time: 2 ** 41, score: -5 } });
    assert.equal(hex(out), '22 12 30 ff ff ff ff ff ff ff 0f 48 80 80 80 80 80 40 68 09');
    assert.equal(hex(protobufCodec.encodePush({ pub: { score: -5 } })), '22 02 68 09');
    assert.equal(hex(protobufCodec.encodePush({ pub: { offset: 2 ** 53 - 1 } })), '22 09 30 ff ff ff ff ff ff ff 0f');
    assert.equal(hex(protobufCodec.encodePush({ pub: { time: 2 ** 41 } })), '22 07 48 80 80 80 80 80 40');
    assert.equal(hex(protobufCodec.encodePush({ pub: { score: 3 } })), '22 02 68 06');
  });

  void it('carries binary payloads untouched', () => {
    const data = new Uint8Array([0, 1, 2, 0xff, 0x0a, 0xfe]);
    assert.equal(hex(protobufCodec.encodePublicationPush('', { data })), '22 08 22 06 00 01 02 ff 0a fe');
    assert.equal(hex(protobufCodec.encodeReply({ id: 1, rpc: { data } })), '08 01 6a 08 0a 06 00 01 02 ff 0a fe');
  });

  void it('length-prefixes long bodies with multi-byte varints', () => {
    for (const size of [127, 128, 16383, 16384, 70000]) {
      const data = new Uint8Array(size).fill(0x61);
      const out = protobufCodec.encodeReply({ id: 1, history: { publications: [{ data }, { data, offset: 1 }], epoch: 'e', offset: 1 } });
      const viaPub = protobufCodec.encodePublicationReply('c', { data, offset: size });
      const viaGeneric = protobufCodec.encodeReply({ push: { channel: 'c', pub: { data, offset: size } } });
      assert.deepStrictEqual(Buffer.from(viaPub), Buffer.from(viaGeneric));
      // Rebuild the expected bytes by hand: history{publications[pub{data}], publications[pub{data, offset:1}], epoch, offset}.
      const field = (tag: number, body: Uint8Array): Buffer => Buffer.concat([Buffer.from([tag]), varint(body.length), body]);
      const pubA = field(0x22, data);
      const pubB = Buffer.concat([field(0x22, data), Buffer.from([0x30, 0x01])]);
      const hist = Buffer.concat([field(0x0a, pubA), field(0x0a, pubB), field(0x12, b('e')), Buffer.from([0x18, 0x01])]);
      assert.deepStrictEqual(Buffer.from(out), Buffer.concat([Buffer.from([0x08, 0x01]), field(0x5a, hist)]));
    }
  });

  void it('joinFrames prefixes every message, including a single one', () => {
    assert.equal(hex(protobufCodec.joinFrames([fromHex('08 01'), new Uint8Array(0), fromHex('08 02 32 00')])), '02 08 01 00 04 08 02 32 00');
    assert.equal(hex(protobufCodec.joinFrames([fromHex('08 01')])), '02 08 01');
    assert.equal(protobufCodec.joinFrames([]).length, 0);
    const big = new Uint8Array(300);
    assert.equal(hex(protobufCodec.joinFrames([big]).subarray(0, 2)), 'ac 02');
  });

  void it('writes map entries with key and value', () => {
    assert.equal(hex(protobufCodec.encodePush({ pub: { tags: { a: 'b' } } })), '22 08 3a 06 0a 01 61 12 01 62');
    assert.equal(hex(protobufCodec.encodePush({ pub: { tags: { a: '' } } })), '22 07 3a 05 0a 01 61 12 00');
  });
});

void describe('protobuf codec: decoding commands', () => {
  void it('decodes several varint-delimited commands', () => {
    assert.deepStrictEqual(decode('02 08 01 00 04 08 02 5a 00'), [{ id: 1 }, {}, { id: 2, ping: {} }]);
  });

  void it('keeps empty requests present', () => {
    assert.deepStrictEqual(decode('04 08 05 22 00'), [{ id: 5, connect: {} }]);
  });

  void it('rejects empty frames, truncated varints and lengths beyond the frame', () => {
    const bad = [
      '', // empty frame
      '80', // truncated length varint
      '05 08 01', // declared 5, has 2
      '02 08', // declared 2, has 1
      '02 08 80', // truncated id varint
      '04 2a 05 0a 03', // nested length beyond the command
      '06 2a 04 0a 05 61 61', // string length beyond its message
      'ff ff ff ff ff ff ff ff ff ff 01', // length varint over 10 bytes
      'ff ff ff ff 1f', // length over 32 bits... or beyond the frame
    ];
    for (const f of bad) assert.throws(() => decode(fromHex(f)), isProtocolError, f);
  });

  void it('a failure carries the commands decoded before the bad one (they still run, like Centrifugo)', () => {
    const decodedBefore = (frame: string): unknown => {
      try {
        decode(frame);
      } catch (err) {
        assert.ok(err instanceof ProtocolError);
        return err.decoded;
      }
      assert.fail('no ProtocolError');
    };
    // Command{id:2, subscribe{channel:"chat:42"}}, then a truncated command / a bad wire type / a varint.
    const good = '0d 08 02 2a 09 0a 07 63 68 61 74 3a 34 32';
    const sub = { id: 2, subscribe: { channel: 'chat:42' } };
    assert.deepStrictEqual(decodedBefore(`${good} 05 08`), [sub]);
    assert.deepStrictEqual(decodedBefore(`${good} ${good} 03 0f 01 02`), [sub, sub]);
    assert.deepStrictEqual(decodedBefore(`${good} ff ff`), [sub]);
    assert.deepStrictEqual(decodedBefore('05 08'), []);
  });

  void it('rejects declared lengths over maxMessageSize', () => {
    assert.throws(() => decode('81 80 04'), isProtocolError); // 65537 declared, no body
    const body = new Uint8Array(65537);
    assert.throws(() => decode(Buffer.concat([fromHex('81 80 04'), body])), isProtocolError);
    assert.throws(() => decode('05 0a 03 61 62 63', 4), isProtocolError);
    // Within the limit: a 65536-byte command is accepted (an unknown field fills it).
    const cmd = Buffer.concat([fromHex('08 01 fa 01 f9 ff 03'), new Uint8Array(65536 - 7)]);
    assert.equal(cmd.length, 65536);
    assert.deepStrictEqual(decode(Buffer.concat([fromHex('80 80 04'), cmd])), [{ id: 1 }]);
  });

  void it('rejects malformed messages', () => {
    const bad = [
      '03 0a 01 00', // id (field 1) as length-delimited
      '02 20 00', // connect (field 4) as varint
      '02 00 00', // field number 0
      '02 0e 00', // wire type 6
      '02 0f 00', // wire type 7
      '01 1c', // end-group without start
      '03 1b 08 01', // unterminated group (field 3)
      '05 2a 03 0a 01 ff', // invalid UTF-8 in a string
      '06 2a 04 0a 02 c0 af', // overlong UTF-8
      '09 81 01 01 02 03 04 05 06 07', // fixed64 unknown field (16) truncated
      '05 85 01 01 02 03', // fixed32 unknown field truncated
      '02 7d 00', // sub_refresh (field 15) as fixed32
    ];
    for (const f of bad) assert.throws(() => decode(f), isProtocolError, f);
  });

  void it('ignores unknown fields of every wire type, including reserved v1 fields', () => {
    // id 7; field 2 (v1 method) varint; field 3 (v1 params) bytes; field 99 string; fixed64 field 50; fixed32 field 51;
    // group field 52 containing a varint; then subscribe{channel:"c", field 60 varint}.
    const body = fromHex(
      '08 07 10 05 1a 02 01 02 9a 06 01 78 91 03 01 02 03 04 05 06 07 08 9d 03 01 02 03 04 a3 03 08 01 a4 03 2a 06 0a 01 63 e0 03 01',
    );
    assert.deepStrictEqual(decode(Buffer.concat([Buffer.from([body.length]), body])), [{ id: 7, subscribe: { channel: 'c' } }]);
  });

  void it('decodes fields of newer SDKs (flag, tf, type)', () => {
    // subscribe{channel:"c", tf{op:"and", nodes[{key:"k", vals:["1","2"]}]}, flag:3, type:1}
    const tf = fromHex('0a 03 61 6e 64 32 09 12 01 6b 2a 01 31 2a 01 32');
    const sub = Buffer.concat([fromHex('0a 01 63 6a'), Buffer.from([tf.length]), tf, fromHex('70 03 78 01')]);
    const cmd = Buffer.concat([fromHex('08 01 2a'), Buffer.from([sub.length]), sub]);
    assert.deepStrictEqual(decode(Buffer.concat([Buffer.from([cmd.length]), cmd])), [
      { id: 1, subscribe: { channel: 'c', tf: { op: 'and', nodes: [{ key: 'k', vals: ['1', '2'] }] }, flag: 3, type: 1 } },
    ]);
  });

  void it('decodes 64-bit and negative values', () => {
    // subscribe{offset: 2^53-1, flag: -1 (int64, 10 bytes), limit: -2 (int32, 10 bytes)}
    const sub = fromHex('38 ff ff ff ff ff ff ff 0f 70 ff ff ff ff ff ff ff ff ff 01 90 01 fe ff ff ff ff ff ff ff ff 01');
    const cmd = Buffer.concat([fromHex('08 ff ff ff ff 0f 2a'), Buffer.from([sub.length]), sub]);
    assert.deepStrictEqual(decode(Buffer.concat([Buffer.from([cmd.length]), cmd])), [
      { id: 4294967295, subscribe: { offset: 2 ** 53 - 1, flag: -1, limit: -2 } },
    ]);
  });

  void it('last scalar wins, repeated sub-messages merge', () => {
    // id 1 then id 2; subscribe{channel:"a"} then subscribe{token:"t"}
    assert.deepStrictEqual(decode('0e 08 01 08 02 2a 03 0a 01 61 2a 03 12 01 74'), [{ id: 2, subscribe: { channel: 'a', token: 't' } }]);
  });

  void it('decodes maps, with missing keys/values as defaults, without prototype pollution', () => {
    // connect{headers{"__proto__":"x"}, headers{(no key) "v"}, subs{"a": {}}, subs{"b": (no value)}}
    const k = b('__proto__');
    const e1 = Buffer.concat([Buffer.from([0x0a, k.length]), k, fromHex('12 01 78')]);
    const connect = Buffer.concat([
      Buffer.from([0x32, e1.length]),
      e1,
      fromHex('32 03 12 01 76'),
      fromHex('1a 05 0a 01 61 12 00'),
      fromHex('1a 03 0a 01 62'),
    ]);
    const cmd = Buffer.concat([fromHex('08 01 22'), Buffer.from([connect.length]), connect]);
    const [got] = decode(Buffer.concat([Buffer.from([cmd.length]), cmd]));
    const headers = got!.connect!.headers!;
    assert.equal(Object.getPrototypeOf(headers), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(headers, '__proto__')!.value, 'x');
    assert.equal(headers[''], 'v');
    assert.deepStrictEqual(got!.connect!.subs, { a: {}, b: {} });
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  void it('limits nesting of recursive messages without crashing', () => {
    // tf{nodes[{nodes[...]}]} 100 levels deep
    let node: Uint8Array = new Uint8Array(0);
    for (let i = 0; i < 100; i++) node = Buffer.concat([Buffer.from([0x32]), varint(node.length), node]);
    const sub = Buffer.concat([Buffer.from([0x6a]), varint(node.length), node]);
    const cmd = Buffer.concat([fromHex('08 01 2a'), varint(sub.length), sub]);
    assert.throws(() => decode(Buffer.concat([varint(cmd.length), cmd])), isProtocolError);
  });

  void it('copies payloads out of the frame', () => {
    const frame = fromHex('09 08 01 62 05 0a 03 01 02 03');
    const [cmd] = decode(frame);
    assert.deepStrictEqual([...cmd!.send!.data!], [1, 2, 3]);
    frame[7] = 9;
    assert.deepStrictEqual([...cmd!.send!.data!], [1, 2, 3]);
  });
});

void describe('protobuf codec: connect and emulation requests', () => {
  void it('decodes a ConnectRequest; empty gives {}', () => {
    assert.deepStrictEqual(protobufCodec.decodeConnectRequest(new Uint8Array(0)), {});
    const got = protobufCodec.decodeConnectRequest(fromHex('0a 01 74 1a 09 0a 01 61 12 04 18 01 38 05 22 02 6a 73'));
    assert.deepStrictEqual(got, { token: 't', subs: { a: { recover: true, offset: 5 } }, name: 'js' });
    assert.throws(() => protobufCodec.decodeConnectRequest(fromHex('0a 05 74')), isProtocolError);
  });

  void it('decodes an EmulationRequest whose data is varint-framed commands', () => {
    const frame = fromHex('0d 08 02 2a 09 0a 07 63 68 61 74 3a 34 32 00');
    const body = Buffer.concat([fromHex('0a 01 6e 12 01 73 1a'), Buffer.from([frame.length]), frame]);
    const req = protobufCodec.decodeEmulationRequest(body);
    assert.equal(req.node, 'n');
    assert.equal(req.session, 's');
    assert.deepStrictEqual(decode(req.data!), [{ id: 2, subscribe: { channel: 'chat:42' } }, {}]);
    assert.throws(() => protobufCodec.decodeEmulationRequest(fromHex('1a 05 00')), isProtocolError);
  });
});

void describe('protobuf codec: interop with the centrifuge SDK (its bundled schema and protobufjs)', () => {
  // The SDK's ProtobufCodec is an internal member of the client; constructing a client opens nothing.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- reaching the SDK's internal codec
  const sdk = (new Centrifuge('ws://127.0.0.1:1/connection/websocket') as any)._codec as {
    name(): string;
    encodeCommands(c: unknown[]): Uint8Array;
    encodeEmulationRequest(r: unknown): Uint8Array;
    decodeReplies(d: Uint8Array): Record<string, unknown>[];
  };
  const num = (v: unknown): number => (typeof v === 'number' ? v : Number(String(v)));

  void it('is the protobuf codec', () => {
    assert.equal(sdk.name(), 'protobuf');
  });

  void it('decodes commands as the SDK writes them', () => {
    const frame = sdk.encodeCommands([
      {
        id: 1,
        connect: { token: 't', data: b('{"a":1}'), name: 'js', version: '5.8.0', subs: { news: { recover: true, offset: 3, epoch: 'e' } }, headers: { h: 'v' } },
      },
      {
        id: 2,
        subscribe: {
          channel: 'news',
          flag: 3,
          recoverable: true,
          positioned: true,
          join_leave: true,
          delta: 'fossil',
          recover: true,
          offset: 2 ** 40,
          epoch: 'ep',
          data: b('x'),
          tf: { op: 'or', nodes: [{ key: 'a', cmp: 'in', vals: ['1', '2'] }] },
        },
      },
      { id: 3, publish: { channel: 'news', data: new Uint8Array([0, 255]) } },
      { id: 4, presence: { channel: 'news' } },
      { id: 5, presence_stats: { channel: 'news' } },
      { id: 6, history: { channel: 'news', limit: -1, since: { offset: 7, epoch: 'e' }, reverse: true } },
      { id: 7, rpc: { method: 'm', data: b('{}') } },
      { send: { data: b('s') } },
      { id: 8, refresh: { token: 'r' } },
      { id: 9, sub_refresh: { channel: 'news', token: 'st' } },
      { id: 10, unsubscribe: { channel: 'news' } },
      {},
    ]);
    const got = decode(frame);
    assert.deepStrictEqual(got, [
      {
        id: 1,
        connect: { token: 't', data: b('{"a":1}'), name: 'js', version: '5.8.0', subs: { news: { recover: true, offset: 3, epoch: 'e' } }, headers: { h: 'v' } },
      },
      {
        id: 2,
        subscribe: {
          channel: 'news',
          recover: true,
          epoch: 'ep',
          offset: 2 ** 40,
          data: b('x'),
          positioned: true,
          recoverable: true,
          joinLeave: true,
          delta: 'fossil',
          tf: { op: 'or', nodes: [{ key: 'a', cmp: 'in', vals: ['1', '2'] }] },
          flag: 3,
        },
      },
      { id: 3, publish: { channel: 'news', data: new Uint8Array([0, 255]) } },
      { id: 4, presence: { channel: 'news' } },
      { id: 5, presenceStats: { channel: 'news' } },
      { id: 6, history: { channel: 'news', limit: -1, since: { offset: 7, epoch: 'e' }, reverse: true } },
      { id: 7, rpc: { data: b('{}'), method: 'm' } },
      { send: { data: b('s') } },
      { id: 8, refresh: { token: 'r' } },
      { id: 9, subRefresh: { channel: 'news', token: 'st' } },
      { id: 10, unsubscribe: { channel: 'news' } },
      {},
    ]);
  });

  void it('decodes the SDK emulation request', () => {
    const frame = sdk.encodeCommands([{ id: 2, subscribe: { channel: 'news' } }]);
    const req = protobufCodec.decodeEmulationRequest(sdk.encodeEmulationRequest({ node: 'n', session: 's', data: frame }));
    assert.deepStrictEqual(decode(req.data!), [{ id: 2, subscribe: { channel: 'news' } }]);
    assert.equal(req.session, 's');
  });

  void it('writes replies the SDK reads', () => {
    const info = { user: 'u', client: 'c', connInfo: b('{"n":1}') };
    const frame = protobufCodec.joinFrames([
      protobufCodec.encodeReply({ id: 1, connect: { client: 'c', version: 'v', ping: 25, pong: true, time: 2 ** 41, subs: { n: { recoverable: true, offset: 9 } } } }),
      protobufCodec.encodeReply({ id: 2, subscribe: {} }),
      protobufCodec.encodePublicationReply('news', { data: new Uint8Array([1, 2, 3]), offset: 2 ** 52, info, epoch: 'ep' }),
      protobufCodec.encodeReply({}),
      protobufCodec.encodeReply({ id: 3, error: { code: 103, message: 'permission denied', temporary: true } }),
      protobufCodec.encodeReply({ id: 4, presence: { presence: { c: info } } }),
      protobufCodec.encodeReply({ id: 5, history: { publications: [{ data: b('1'), offset: 1, tags: { k: 'v' } }], epoch: 'e', offset: 1 } }),
      protobufCodec.encodeReply({ push: { channel: 'news', leave: { info } } }),
      protobufCodec.encodeReply({ push: { channel: 'news', unsubscribe: { code: 2500, reason: 'x' } } }),
    ]);
    const r = sdk.decodeReplies(frame) as Record<string, Record<string, unknown>>[];
    assert.equal(r.length, 9);
    assert.equal(r[0]!.id, 1);
    assert.equal(r[0]!.connect!.client, 'c');
    assert.equal(r[0]!.connect!.ping, 25);
    assert.equal(r[0]!.connect!.pong, true);
    assert.equal(num(r[0]!.connect!.time), 2 ** 41);
    const subs = r[0]!.connect!.subs as Record<string, { recoverable: boolean; offset: unknown }>;
    assert.equal(subs.n!.recoverable, true);
    assert.equal(num(subs.n!.offset), 9);
    assert.equal(r[1]!.id, 2);
    assert.ok(r[1]!.subscribe, 'empty subscribe result present');
    const push = r[2]!.push as { channel: string; pub: { data: Uint8Array; offset: unknown; epoch: string; info: { user: string; client: string; connInfo?: Uint8Array; conn_info?: Uint8Array } } };
    assert.equal(push.channel, 'news');
    assert.deepStrictEqual([...push.pub.data], [1, 2, 3]);
    assert.equal(num(push.pub.offset), 2 ** 52);
    assert.equal(push.pub.epoch, 'ep');
    assert.equal(push.pub.info.user, 'u');
    assert.equal(Buffer.from(push.pub.info.conn_info ?? push.pub.info.connInfo!).toString(), '{"n":1}');
    assert.equal(r[3]!.push, null);
    assert.deepStrictEqual(Object.keys(r[3]!).filter((k) => Object.prototype.hasOwnProperty.call(r[3], k)), []);
    assert.equal(r[4]!.id, 3);
    assert.equal(r[4]!.error!.code, 103);
    assert.equal(r[4]!.error!.message, 'permission denied');
    assert.equal(r[4]!.error!.temporary, true);
    assert.equal((r[5]!.presence!.presence as Record<string, { client: string }>).c!.client, 'c');
    const hist = r[6]!.history as { publications: { tags: Record<string, string>; offset: unknown }[]; epoch: string; offset: unknown };
    assert.deepStrictEqual({ ...hist.publications[0]!.tags }, { k: 'v' });
    assert.equal(hist.epoch, 'e');
    assert.equal(num(hist.offset), 1);
    assert.equal((r[7]!.push as { leave: { info: { client: string } } }).leave.info.client, 'c');
    assert.equal((r[8]!.push as { unsubscribe: { code: number } }).unsubscribe.code, 2500);
  });
});

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}
