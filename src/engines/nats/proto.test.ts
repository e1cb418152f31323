/** @module engines/nats/proto.test — the hand-written Push/Publication/ClientInfo codec. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import {
  NatsPayloadError,
  decodePublication,
  decodePush,
  encodeJoinPush,
  encodeLeavePush,
  encodePublication,
  encodePublicationPush,
} from './proto.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** An independent reference codec for the same schema (client protocol numbering). */
const schema = {
  nested: {
    ClientInfo: { fields: { user: { type: 'string', id: 1 }, client: { type: 'string', id: 2 }, conn_info: { type: 'bytes', id: 3 }, chan_info: { type: 'bytes', id: 4 } } },
    Publication: {
      fields: {
        data: { type: 'bytes', id: 4 },
        info: { type: 'ClientInfo', id: 5 },
        offset: { type: 'uint64', id: 6 },
        tags: { keyType: 'string', type: 'string', id: 7 },
        delta: { type: 'bool', id: 8 },
        time: { type: 'int64', id: 9 },
        channel: { type: 'string', id: 10 },
      },
    },
    Join: { fields: { info: { type: 'ClientInfo', id: 1 } } },
    Leave: { fields: { info: { type: 'ClientInfo', id: 1 } } },
    Push: { fields: { channel: { type: 'string', id: 2 }, pub: { type: 'Publication', id: 4 }, join: { type: 'Join', id: 5 }, leave: { type: 'Leave', id: 6 } } },
  },
};
// A variable rather than a literal: the JSON form of a map field (`keyType`) is not in protobufjs's IField typing.
const reference = protobuf.Root.fromJSON(schema);
const RefPush = reference.lookupType('Push');

void describe('nats proto', () => {
  void it('encodes Push{channel, pub} with the client protocol field numbers', () => {
    const out = encodePublicationPush('ch', { offset: 0, data: bytes('hi') });
    // 0x12 = field 2 LEN "ch"; 0x22 = field 4 LEN; inside: 0x22 = field 4 LEN "hi"
    assert.equal(hex(out), '1202636822042202' + '6869');
  });

  void it('encodes Publication fields 4..10 in order', () => {
    const out = encodePublication({
      offset: 300,
      data: bytes('d'),
      info: { clientId: 'c', userId: 'u' },
      tags: { k: 'v' },
      delta: true,
      timeMs: 1,
      channel: 'x',
    });
    assert.equal(
      hex(out),
      [
        '220164', // data=4 "d"
        '2a06' + '0a0175' + '120163', // info=5 {user=1 "u", client=2 "c"}
        '30ac02', // offset=6 300
        '3a06' + '0a016b' + '120176', // tags=7 entry {1:"k", 2:"v"}
        '4001', // delta=8 true
        '4801', // time=9 1
        '520178', // channel=10 "x"
      ].join(''),
    );
  });

  void it('round-trips a full publication push', () => {
    const info = { clientId: 'client-1', userId: 'user-1', connInfo: bytes('{"a":1}'), chanInfo: bytes('{"b":2}') };
    const pub = {
      offset: 2 ** 40 + 5,
      data: bytes('{"text":"hello"}'),
      info,
      tags: { a: '1', b: '', '': 'empty key' },
      timeMs: 1_700_000_000_123,
      delta: true,
      channel: 'news.sport',
    };
    const push = decodePush(encodePublicationPush('news:chat', pub));
    assert.equal(push.kind, 'pub');
    if (push.kind !== 'pub') return;
    assert.equal(push.channel, 'news:chat');
    assert.deepEqual(push.pub, pub);
  });

  void it('agrees with a reference protobuf implementation in both directions', () => {
    const ours = encodePublicationPush('chan', {
      offset: 7,
      data: bytes('payload'),
      info: { clientId: 'c1', userId: 'u1', connInfo: bytes('ci'), chanInfo: bytes('hi') },
      tags: { t1: 'v1', t2: 'v2' },
      delta: true,
      timeMs: 1_700_000_000_000,
    });
    const decoded = RefPush.toObject(RefPush.decode(ours), { longs: Number, bytes: String });
    assert.deepEqual(decoded, {
      channel: 'chan',
      pub: {
        data: Buffer.from('payload').toString('base64'),
        info: { user: 'u1', client: 'c1', conn_info: Buffer.from('ci').toString('base64'), chan_info: Buffer.from('hi').toString('base64') },
        offset: 7,
        tags: { t1: 'v1', t2: 'v2' },
        delta: true,
        time: 1_700_000_000_000,
      },
    });
    const theirs = RefPush.encode(
      RefPush.fromObject({ channel: 'room', leave: { info: { user: 'u', client: 'c', conn_info: Buffer.from('x') } } }),
    ).finish();
    assert.deepEqual(decodePush(theirs), { kind: 'leave', channel: 'room', info: { clientId: 'c', userId: 'u', connInfo: bytes('x') } });
    const theirPub = RefPush.encode(
      RefPush.fromObject({ channel: 'a', pub: { data: Buffer.from('z'), offset: 9, tags: { k: 'v' }, time: 42 } }),
    ).finish();
    assert.deepEqual(decodePush(theirPub), {
      kind: 'pub',
      channel: 'a',
      pub: { offset: 9, data: bytes('z'), tags: { k: 'v' }, timeMs: 42 },
    });
  });

  void it('round-trips the largest exact offset', () => {
    const pub = decodePublication(encodePublication({ offset: Number.MAX_SAFE_INTEGER, data: bytes('x') }));
    assert.equal(pub.offset, Number.MAX_SAFE_INTEGER);
  });

  void it('round-trips a negative time as int64', () => {
    const pub = decodePublication(encodePublication({ offset: 0, data: bytes('x'), timeMs: -5 }));
    assert.equal(pub.timeMs, -5);
  });

  void it('leaves absent fields absent', () => {
    const pub = decodePublication(encodePublication({ offset: 0, data: new Uint8Array(0) }));
    assert.deepEqual(pub, { offset: 0, data: new Uint8Array(0) });
  });

  void it('round-trips join and leave', () => {
    const info = { clientId: 'c', userId: '', chanInfo: bytes('ci') };
    assert.deepEqual(decodePush(encodeJoinPush('room', info)), { kind: 'join', channel: 'room', info });
    assert.deepEqual(decodePush(encodeLeavePush('room', { clientId: 'c', userId: 'u' })), {
      kind: 'leave',
      channel: 'room',
      info: { clientId: 'c', userId: 'u' },
    });
    // Join{info=1 ClientInfo{client=2 "c"}} under Push field 5
    assert.equal(hex(encodeJoinPush('', { clientId: 'c', userId: '' })), '2a05' + '0a03' + '120163');
  });

  void it('skips unknown fields of every wire type', () => {
    const known = encodePublicationPush('ch', { offset: 0, data: bytes('x') });
    const unknown = Uint8Array.from([
      0x08, 0x96, 0x01, // field 1 varint
      0x19, 1, 2, 3, 4, 5, 6, 7, 8, // field 3 fixed64
      0x3a, 0x02, 0xaa, 0xbb, // field 7 LEN
      0x45, 1, 2, 3, 4, // field 8 fixed32
    ]);
    const push = decodePush(Uint8Array.from([...unknown, ...known]));
    assert.equal(push.kind, 'pub');
    if (push.kind === 'pub') assert.deepEqual(push.pub.data, bytes('x'));
  });

  void it('leaves empty keys and values out of tags entries', () => {
    const out = encodePublication({ offset: 0, data: new Uint8Array(0), tags: { '': '', k: '' } });
    assert.equal(hex(out), '3a00' + '3a03' + '0a016b');
  });

  void it('writes a negative time as a ten-byte two\'s complement varint', () => {
    assert.equal(hex(encodePublication({ offset: 0, data: new Uint8Array(0), timeMs: -5 })), '48fbffffffffffffffff01');
  });

  void it('rejects known fields with another wire type and invalid UTF-8 inside a Publication', () => {
    const cases: Uint8Array[] = [
      Uint8Array.from([0x20, 0x01]), // data=4 as a varint
      Uint8Array.from([0x2a, 0x02, 0x08, 0x01]), // info=5 { user=1 as a varint }
      Uint8Array.from([0x2a, 0x03, 0x0a, 0x01, 0xff]), // info=5 { user=1 invalid utf-8 }
      Uint8Array.from([0x3a, 0x03, 0x12, 0x01, 0xff]), // tags=7 { value invalid utf-8 }
      Uint8Array.from([0x4a, 0x00]), // time=9 as LEN
      Uint8Array.from([0x2a, 0x05, 0x0a, 0x01]), // info=5 longer than its content allows
    ];
    for (const payload of cases) {
      assert.throws(() => decodePublication(payload), NatsPayloadError, `payload ${hex(payload)}`);
    }
  });

  void it('rejects malformed payloads with NatsPayloadError', () => {
    const good = encodePublicationPush('ch', { offset: 0, data: bytes('hello'), tags: { a: 'b' } });
    const cases: Uint8Array[] = [
      new Uint8Array(0), // no pub/join/leave
      good.subarray(0, good.length - 2), // truncated
      Uint8Array.from([0x12, 0x05, 0x61]), // channel length beyond the end
      Uint8Array.from([0x80]), // truncated varint
      Uint8Array.from([0x20, 0x01]), // pub with varint wire type
      Uint8Array.from([0x0b]), // group wire type 3
      Uint8Array.from([0x12, 0x01, 0xff, 0x22, 0x00]), // invalid utf-8 channel
      Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), // varint too long
      Uint8Array.from([0x00, 0x00]), // field number 0
      bytes('not a protobuf at all'),
    ];
    for (const payload of cases) {
      assert.throws(() => decodePush(payload), NatsPayloadError, `payload ${hex(payload)}`);
    }
  });
});
