/** @module engines/redis/protobuf.test — the hand-written codec against protobufjs as an independent reference. */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import type { Publication } from '../../core/types.js';
import {
  ProtobufDecodeError,
  decodeClientInfo,
  decodePublication,
  encodeClientInfo,
  encodePublication,
} from './protobuf.js';

// The reference schema is the client protocol's own (the engines carry its Publication and ClientInfo).
const root = protobuf.parse(readFileSync(new URL('../../protocol/client.proto', import.meta.url), 'utf8'), { keepCase: true }).root;
const PubType = root.lookupType('centrifugal.centrifuge.protocol.Publication');
const InfoType = root.lookupType('centrifugal.centrifuge.protocol.ClientInfo');
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

void describe('redis protobuf codec', () => {
  void it('encodes ClientInfo as protobufjs decodes it', () => {
    const encoded = encodeClientInfo({
      clientId: 'c1',
      userId: 'юзер',
      connInfo: bytes('{"a":1}'),
      chanInfo: bytes('x'),
    });
    const obj = InfoType.toObject(InfoType.decode(encoded), { bytes: String }) as Record<string, unknown>;
    assert.deepEqual(obj, {
      user: 'юзер',
      client: 'c1',
      conn_info: Buffer.from('{"a":1}').toString('base64'),
      chan_info: Buffer.from('x').toString('base64'),
    });
  });

  void it('decodes ClientInfo written by protobufjs, skipping unknown fields', () => {
    const w = InfoType.encode({ user: 'u', client: 'c', conn_info: bytes('ci') });
    w.uint32((9 << 3) | 0).uint64(12345); // unknown varint field
    w.uint32((10 << 3) | 2).string('ignored');
    w.uint32((11 << 3) | 5).fixed32(7);
    w.uint32((12 << 3) | 1).fixed64(7);
    const info = decodeClientInfo(w.finish());
    assert.deepEqual(info, { clientId: 'c', userId: 'u', connInfo: bytes('ci') });
  });

  void it('round-trips a full Publication and matches protobufjs', () => {
    const pub: Publication = {
      offset: 2 ** 40 + 3,
      data: bytes('{"input":"hi"}'),
      info: { clientId: 'c', userId: 'u', chanInfo: bytes('ch') },
      tags: { a: '1', b: 'два' },
      timeMs: 1_700_000_000_123,
      delta: true,
    };
    const encoded = encodePublication(pub, { channel: 'news' });
    const ref = PubType.toObject(PubType.decode(encoded), { longs: String, bytes: String }) as Record<string, unknown>;
    assert.equal(ref.offset, String(2 ** 40 + 3));
    assert.equal(ref.time, '1700000000123');
    assert.equal(ref.delta, true);
    assert.equal(ref.channel, 'news');
    assert.deepEqual(ref.tags, { a: '1', b: 'два' });
    assert.deepEqual(decodePublication(encoded), pub);
    // protobufjs bytes decode identically
    const refEncoded = PubType.encode(PubType.fromObject(PubType.toObject(PubType.decode(encoded)))).finish();
    assert.deepEqual(decodePublication(refEncoded), pub);
  });

  void it('omits zero values and decodes an empty message', () => {
    const encoded = encodePublication({ offset: 0, data: new Uint8Array(0) });
    assert.equal(encoded.length, 0);
    assert.deepEqual(decodePublication(encoded), { offset: 0, data: new Uint8Array(0) });
    assert.deepEqual(decodeClientInfo(new Uint8Array(0)), { clientId: '', userId: '' });
  });

  void it('decodes a negative int64 time like protobufjs writes it', () => {
    const encoded = PubType.encode(PubType.fromObject({ data: bytes('x'), time: -5 })).finish();
    assert.equal(decodePublication(encoded).timeMs, -5);
  });

  void it('writes both fields of every tags entry, empty key and value included (as Go does)', () => {
    const encoded = encodePublication({ offset: 0, data: new Uint8Array(0), tags: { '': '', k: '' } });
    assert.equal(hex(encoded), '3a04' + '0a00' + '1200' + '3a05' + '0a016b' + '1200');
  });

  void it('writes a negative time as a ten-byte two\'s complement varint', () => {
    assert.equal(hex(encodePublication({ offset: 0, data: new Uint8Array(0), timeMs: -5 })), '48fbffffffffffffffff01');
  });

  void it('skips a known field with another wire type like an unknown field', () => {
    // data=4 as a varint (skipped), then data=4 "x"; ClientInfo user=1 as fixed32 (skipped)
    assert.deepEqual(decodePublication(Uint8Array.of(0x20, 0x01, 0x22, 0x01, 0x78)), { offset: 0, data: bytes('x') });
    assert.deepEqual(decodeClientInfo(Uint8Array.of(0x0d, 1, 2, 3, 4, 0x12, 0x01, 0x63)), { clientId: 'c', userId: '' });
  });

  void it('decodes invalid UTF-8 with replacement characters instead of failing', () => {
    assert.deepEqual(decodeClientInfo(Uint8Array.of(0x0a, 0x01, 0xff)), { clientId: '', userId: '\ufffd' });
  });

  void it('rejects malformed input with ProtobufDecodeError', () => {
    assert.throws(() => decodePublication(Uint8Array.of(0x22, 0x05, 0x01)), ProtobufDecodeError);
    assert.throws(() => decodePublication(Uint8Array.of(0x5f, 0x5f)), ProtobufDecodeError);
    assert.throws(() => decodePublication(Uint8Array.of(0x48, 0xff, 0xff)), ProtobufDecodeError);
    assert.throws(() => decodeClientInfo(Uint8Array.of(0x0a)), ProtobufDecodeError);
  });
});
