/** @module api/grpc-codec.test — request decoding shape and Go-identical proto3 response encoding. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type protobuf from 'protobufjs';
import { API_SERVICE, encodeForWire, loadApiSchema, pruneForWire } from './grpc-codec.js';

const schema = loadApiSchema();
const type = (name: string): protobuf.Type => schema.root.lookupType(`centrifugal.centrifugo.api.${name}`);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const str = (s: string): string => Buffer.from(s).toString('hex');

void describe('grpc-codec', () => {
  void it('the service definition has every rpc with full method paths', () => {
    assert.equal(Object.keys(schema.service).length, 33);
    assert.equal(schema.service['Publish']?.path, `/${API_SERVICE}/Publish`);
    assert.equal(schema.service['RPC']?.path, `/${API_SERVICE}/RPC`);
    assert.equal(schema.service['CancelPush']?.path, `/${API_SERVICE}/CancelPush`);
  });

  void it('responses: zero scalars, empty lists/maps/bytes and null messages are not written; set empty messages are', () => {
    const publish = type('PublishResponse');
    assert.equal(hex(encodeForWire(publish, { result: {} })), '1200');
    assert.equal(hex(encodeForWire(publish, { result: { offset: 0, epoch: '' }, error: null })), '1200');
    assert.equal(hex(encodeForWire(publish, { error: { code: 107, message: 'bad request' } })), `0a0f086b120b${str('bad request')}`);
    assert.equal(hex(encodeForWire(publish, { result: { offset: 2 ** 40, epoch: 'e' } })), `120a08808080808020120165`);
    assert.equal(hex(encodeForWire(type('PresenceStatsResponse'), { result: { num_clients: 0, num_users: 2 } })), '12021002');
    assert.equal(hex(encodeForWire(type('PresenceResponse'), { result: { presence: {} } })), '1200');
    assert.equal(hex(encodeForWire(type('BatchResponse'), { replies: [] })), '');
  });

  void it('history: bytes, nested messages, maps and repeated values', () => {
    const bytes = encodeForWire(type('HistoryResponse'), {
      result: {
        publications: [{ data: Uint8Array.from([0, 255]), offset: 1, tags: {}, info: null }, { data: new Uint8Array(0), tags: { k: 'v' } }],
        epoch: 'e',
        offset: 1,
      },
    });
    // pub1: 12 02 00ff 20 01; pub2: 2a 06 (0a 01 6b 12 01 76); result: 0a 06 <pub1> 0a 08 <pub2> 12 01 65 18 01
    assert.equal(hex(bytes), '12170a06120200ff20010a082a060a016b120176120165' + '1801');
    const decoded = type('HistoryResponse').toObject(type('HistoryResponse').decode(bytes), { longs: Number }) as {
      result: { publications: { data?: Uint8Array; offset?: number; tags?: Record<string, string> }[]; offset: number };
    };
    assert.deepEqual([...(decoded.result.publications[0]?.data ?? [])], [0, 255]);
    assert.deepEqual(decoded.result.publications[1]?.tags, { k: 'v' });
  });

  void it('map keys such as __proto__ stay ordinary keys', () => {
    const channels = Object.create(null) as Record<string, { num_clients: number }>;
    channels['__proto__'] = { num_clients: 1 };
    const pruned = pruneForWire(type('ChannelsResult'), { channels });
    assert.deepEqual(Object.keys(pruned['channels'] as object), ['__proto__']);
    const bytes = encodeForWire(type('ChannelsResponse'), { result: { channels } });
    assert.ok(hex(bytes).includes(str('__proto__')));
  });

  void it('requests decode to executor-shaped objects: snake_case, defaults, Buffers, numbers, null messages', () => {
    const sub = type('SubscribeRequest');
    const wire = sub.encode(sub.fromObject({ channel: 'c', expire_at: 2 ** 40, info: Buffer.from([1, 2]) })).finish();
    const req = schema.service['Subscribe']!.requestDeserialize(Buffer.from(wire)) as Record<string, unknown>;
    assert.equal(req['channel'], 'c');
    assert.equal(req['expire_at'], 2 ** 40);
    assert.ok(Buffer.isBuffer(req['info']));
    assert.deepEqual([...(req['info'])], [1, 2]);
    assert.equal(req['user'], '');
    assert.equal((req['data'] as Buffer).length, 0);
    assert.equal(req['override'], null);
    assert.equal(req['recover_since'], null);

    const pub = schema.service['Publish']!.requestDeserialize(Buffer.alloc(0)) as Record<string, unknown>;
    assert.deepEqual(pub['tags'], {});
    assert.equal(pub['skip_history'], false);

    const batch = type('BatchRequest');
    const b = schema.service['Batch']!.requestDeserialize(
      Buffer.from(batch.encode(batch.fromObject({ commands: [{ info: {} }, { method: 5 }] })).finish()),
    ) as { commands: Record<string, unknown>[] };
    assert.deepEqual(b.commands[0]?.['info'], {});
    assert.equal(b.commands[0]?.['publish'], null);
    assert.equal(b.commands[1]?.['method'], 5);
    assert.equal(b.commands[1]?.['info'], null);
  });

  void it('malformed request bytes throw (grpc-js turns that into INTERNAL)', () => {
    const deserialize = schema.service['Publish']!.requestDeserialize;
    assert.throws(() => deserialize(Buffer.from([0x0a, 0xff])));
    assert.throws(() => deserialize(Buffer.from([0x0f])));
  });
});
