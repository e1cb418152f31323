/** @module engines/redis/payload.test — PUB/SUB frames and key names. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { RedisKeys } from './keys.js';
import {
  decodePubSubPayload,
  encodeJoinPayload,
  encodeLeavePayload,
  frameDeltaPublication,
  framePublication,
  MalformedPayloadError,
} from './payload.js';
import { encodeClientInfo, encodePublication, ProtobufDecodeError } from './protobuf.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const pub = (data: string, extra: object = {}): Uint8Array => encodePublication({ offset: 0, data: bytes(data), ...extra });

void describe('decodePubSubPayload', () => {
  void it('reads a raw protobuf publication as offset 0 without epoch', () => {
    const m = decodePubSubPayload(pub('hi', { timeMs: 5, delta: true }));
    assert.deepEqual(m, {
      kind: 'publication',
      publication: { offset: 0, data: bytes('hi'), timeMs: 5, delta: true },
      position: { offset: 0, epoch: '' },
    });
  });

  void it('reads __p1 frames and takes the offset from the header', () => {
    const frame = framePublication(42, '1700000000', pub('x'));
    assert.equal(frame.subarray(0, 20).toString(), '__p1:42:1700000000__');
    assert.deepEqual(decodePubSubPayload(frame), {
      kind: 'publication',
      publication: { offset: 42, data: bytes('x') },
      position: { offset: 42, epoch: '1700000000' },
    });
    // An epoch-less header and an empty publication body are fine.
    assert.deepEqual(decodePubSubPayload(Buffer.from('__p1:1:__')), {
      kind: 'publication',
      publication: { offset: 1, data: new Uint8Array(0) },
      position: { offset: 1, epoch: '' },
    });
  });

  void it('reads __d1 frames with and without a previous publication', () => {
    const prev = pub('a:b:c');
    const cur = pub('__p1:not-a-header', { delta: true });
    const frame = frameDeltaPublication(7, 'e', prev, cur);
    assert.equal(frame.toString('latin1').startsWith(`__d1:7:e:${prev.length}:`), true);
    assert.deepEqual(decodePubSubPayload(frame), {
      kind: 'publication',
      publication: { offset: 7, data: bytes('__p1:not-a-header'), delta: true },
      position: { offset: 7, epoch: 'e' },
      prev: { offset: 6, data: bytes('a:b:c') },
    });
    assert.deepEqual(decodePubSubPayload(frameDeltaPublication(1, 'e', new Uint8Array(0), cur)), {
      kind: 'publication',
      publication: { offset: 1, data: bytes('__p1:not-a-header'), delta: true },
      position: { offset: 1, epoch: 'e' },
    });
  });

  void it('reads join and leave', () => {
    const info = { clientId: 'c', userId: 'u', chanInfo: bytes('{}') };
    assert.deepEqual(decodePubSubPayload(encodeJoinPayload(encodeClientInfo(info))), { kind: 'join', info });
    assert.deepEqual(decodePubSubPayload(encodeLeavePayload(encodeClientInfo(info))), { kind: 'leave', info });
  });

  void it('rejects malformed frames', () => {
    const bad = [
      '__x__',
      '__',
      '__p1:',
      '__p1:12',
      '__p1:x:e__',
      '__p1:1:e',
      '__d1:1:e:5:ab:0:',
      '__d1:1:e:0::5:ab',
      '__d1:1:e:0::x:',
      '__d1:1:e:0::0:extra',
    ];
    for (const b of bad) {
      assert.throws(() => decodePubSubPayload(Buffer.from(b)), MalformedPayloadError, b);
    }
    assert.throws(() => decodePubSubPayload(Uint8Array.of(0x22, 0x09)), ProtobufDecodeError);
  });
});

void describe('RedisKeys', () => {
  void it('names keys and channels as Centrifugo does', () => {
    const k = new RedisKeys('P', false);
    assert.deepEqual(
      [
        k.clientChannel('ch'),
        k.controlChannel,
        k.nodeChannel('uid'),
        k.anchorChannel,
        k.stream('ch'),
        k.streamMeta('ch'),
        k.result('ch', 'key'),
        k.presenceData('ch'),
        k.presenceExpire('ch'),
        k.presenceUserClients('ch'),
        k.presenceUserExpire('ch'),
      ],
      [
        'P.client.ch',
        'P.control',
        'P.node.uid',
        'P.shard.0',
        'P.stream.ch',
        'P.stream.meta.ch',
        'P.result.ch.key',
        'P.presence.data.ch',
        'P.presence.expire.ch',
        'P.presence.user.clients.ch',
        'P.presence.user.expire.ch',
      ],
    );
  });

  void it('adds {channel} hash tags to keys (not PUB/SUB channels) in cluster mode', () => {
    const k = new RedisKeys('P', true);
    assert.deepEqual(
      [k.clientChannel('ch'), k.stream('ch'), k.streamMeta('ch'), k.result('ch', 'key'), k.presenceData('ch'), k.presenceUserExpire('ch')],
      ['P.client.ch', 'P.stream.{ch}', 'P.stream.meta.{ch}', 'P.result.{ch}.key', 'P.presence.data.{ch}', 'P.presence.user.expire.{ch}'],
    );
  });
});
