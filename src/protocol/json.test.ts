/** @module protocol/json.test — JSON codec: wire examples of Centrifugo's protocol, its JSON encoding rules, error handling, SDK interop. */
import { strict as assert } from 'node:assert';
import { isUtf8 } from 'node:buffer';
import { describe, it } from 'node:test';
import { Centrifuge } from 'centrifuge';
import { EncodeError, ProtocolError, jsonCodec } from './index.js';
import type { Command, Reply } from './index.js';

const enc = new TextEncoder();
const b = (s: string): Uint8Array => enc.encode(s);
const text = (u: Uint8Array): string => Buffer.from(u).toString('utf8');
const decode = (s: string | Uint8Array, max?: number): Command[] => jsonCodec.decodeCommands(typeof s === 'string' ? b(s) : s, max);
const reply = (r: Reply): string => text(jsonCodec.encodeReply(r));
const isProtocolError = (e: unknown): boolean => e instanceof ProtocolError;
const isEncodeError = (e: unknown): boolean => e instanceof EncodeError;
/** Comparable form of decoded commands: bytes → their text. */
const plain = (v: unknown): unknown =>
  JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? `raw:${text(x)}` : x)));

void describe('json codec: wire examples', () => {
  void it('decodes the connect + subscribe frame', () => {
    const frame =
      '{"id":1,"connect":{"token":"eyJ...","name":"js"}}\n' +
      '{"id":2,"subscribe":{"channel":"news","recover":true,"offset":10,"epoch":"pQrStUvW","flag":1}}';
    assert.deepStrictEqual(decode(frame), [
      { id: 1, connect: { token: 'eyJ...', name: 'js' } },
      { id: 2, subscribe: { channel: 'news', recover: true, offset: 10, epoch: 'pQrStUvW', flag: 1 } },
    ]);
  });

  void it('encodes connect and subscribe replies byte for byte', () => {
    assert.equal(
      reply({ id: 1, connect: { client: '0c95...', version: '6.9.1 OSS', expires: true, ttl: 3599, ping: 25, pong: true } }),
      '{"id":1,"connect":{"client":"0c95...","version":"6.9.1 OSS","expires":true,"ttl":3599,"ping":25,"pong":true}}',
    );
    assert.equal(
      reply({
        id: 2,
        subscribe: {
          recoverable: true,
          epoch: 'pQrStUvW',
          publications: [
            { data: b('{"n":11}'), offset: 11 },
            { data: b('{"n":12}'), offset: 12 },
          ],
          recovered: true,
          offset: 10,
          positioned: true,
          wasRecovering: true,
        },
      }),
      '{"id":2,"subscribe":{"recoverable":true,"epoch":"pQrStUvW","publications":[{"data":{"n":11},"offset":11},{"data":{"n":12},"offset":12}],"recovered":true,"offset":10,"positioned":true,"was_recovering":true}}',
    );
  });

  void it('encodes a publication push, a ping and an error', () => {
    const expected = '{"push":{"channel":"news","pub":{"data":{"n":13},"offset":13}}}';
    assert.equal(text(jsonCodec.encodePublicationReply('news', { data: b('{"n":13}'), offset: 13 })), expected);
    assert.equal(reply({ push: { channel: 'news', pub: { data: b('{"n":13}'), offset: 13 } } }), expected);
    assert.equal(reply({}), '{}');
    assert.deepStrictEqual(decode('{}'), [{}]);
    assert.equal(
      reply({ id: 3, error: { code: 103, message: 'permission denied' } }),
      '{"id":3,"error":{"code":103,"message":"permission denied"}}',
    );
  });

  void it('decodes publish / history / presence_stats / refresh / presence / rpc commands', () => {
    assert.deepStrictEqual(plain(decode('{"id":3,"publish":{"channel":"chat:1","data":{"text":"hello"}}}')), [
      { id: 3, publish: { channel: 'chat:1', data: 'raw:{"text":"hello"}' } },
    ]);
    assert.deepStrictEqual(decode('{"id":4,"history":{"channel":"news","limit":2,"reverse":true}}'), [
      { id: 4, history: { channel: 'news', limit: 2, reverse: true } },
    ]);
    assert.deepStrictEqual(decode('{"id":5,"presence_stats":{"channel":"news"}}'), [{ id: 5, presenceStats: { channel: 'news' } }]);
    assert.deepStrictEqual(decode('{"id":6,"refresh":{"token":"eyJ..."}}'), [{ id: 6, refresh: { token: 'eyJ...' } }]);
    assert.deepStrictEqual(decode('{"id":7,"presence":{"channel":"chat:1"}}'), [{ id: 7, presence: { channel: 'chat:1' } }]);
    assert.deepStrictEqual(decode('{"id":8,"rpc":{"method":"ping"}}'), [{ id: 8, rpc: { method: 'ping' } }]);
  });

  void it('encodes history / presence_stats / refresh / unsubscribe / join / presence / rpc', () => {
    const p13 = { data: b('{"n":13}'), offset: 13 };
    const p12 = { data: b('{"n":12}'), offset: 12 };
    assert.equal(
      reply({ id: 4, history: { publications: [p13, p12], epoch: 'pQrStUvW', offset: 13 } }),
      '{"id":4,"history":{"publications":[{"data":{"n":13},"offset":13},{"data":{"n":12},"offset":12}],"epoch":"pQrStUvW","offset":13}}',
    );
    assert.equal(reply({ id: 5, presenceStats: { numClients: 0, numUsers: 0 } }), '{"id":5,"presence_stats":{"num_clients":0,"num_users":0}}');
    assert.equal(reply({ id: 6, refresh: { expires: true, ttl: 3600 } }), '{"id":6,"refresh":{"expires":true,"ttl":3600}}');
    assert.equal(
      reply({ push: { channel: 'news', unsubscribe: { code: 2500, reason: 'insufficient state' } } }),
      '{"push":{"channel":"news","unsubscribe":{"code":2500,"reason":"insufficient state"}}}',
    );
    const info = { user: '42', client: '0c95...', connInfo: b('{"name":"Alex"}') };
    assert.equal(
      reply({ push: { channel: 'chat:1', join: { info } } }),
      '{"push":{"channel":"chat:1","join":{"info":{"user":"42","client":"0c95...","conn_info":{"name":"Alex"}}}}}',
    );
    assert.equal(
      reply({ id: 7, presence: { presence: { '0c95...': info } } }),
      '{"id":7,"presence":{"presence":{"0c95...":{"user":"42","client":"0c95...","conn_info":{"name":"Alex"}}}}}',
    );
    assert.equal(reply({ id: 8, rpc: {} }), '{"id":8,"rpc":{}}');
  });

  void it('delta subscription: subscribe result and string payloads', () => {
    assert.deepStrictEqual(plain(decode('{"id":9,"subscribe":{"channel":"prices","delta":"fossil","recoverable":true}}')), [
      { id: 9, subscribe: { channel: 'prices', delta: 'fossil', recoverable: true } },
    ]);
    assert.equal(
      reply({ id: 9, subscribe: { recoverable: true, epoch: 'AbCdEfGh', offset: 40, positioned: true, delta: true } }),
      '{"id":9,"subscribe":{"recoverable":true,"epoch":"AbCdEfGh","offset":40,"positioned":true,"delta":true}}',
    );
    const data = b(JSON.stringify('{"btc":100000,"eth":3000}'));
    assert.equal(
      text(jsonCodec.encodePublicationReply('prices', { data, offset: 41 })),
      '{"push":{"channel":"prices","pub":{"data":"{\\"btc\\":100000,\\"eth\\":3000}","offset":41}}}',
    );
    assert.equal(
      text(jsonCodec.encodePublicationReply('prices', { data: b('"<fossil patch text>"'), offset: 42, delta: true })),
      '{"push":{"channel":"prices","pub":{"data":"<fossil patch text>","offset":42,"delta":true}}}',
    );
  });

  void it('http-stream connect reply and emulation request', () => {
    assert.equal(
      reply({ id: 1, connect: { client: 'c9..', version: '6.9.1 OSS', ping: 25, pong: true, session: '5f0e..', node: 'a1b2..' } }),
      '{"id":1,"connect":{"client":"c9..","version":"6.9.1 OSS","ping":25,"pong":true,"session":"5f0e..","node":"a1b2.."}}',
    );
    const req = jsonCodec.decodeEmulationRequest(
      b('{"session":"5f0e..","node":"a1b2..","data":"{\\"id\\":2,\\"subscribe\\":{\\"channel\\":\\"news\\"}}"}'),
    );
    assert.equal(req.session, '5f0e..');
    assert.equal(req.node, 'a1b2..');
    assert.equal(text(req.data!), '{"id":2,"subscribe":{"channel":"news"}}');
    assert.deepStrictEqual(decode(req.data!), [{ id: 2, subscribe: { channel: 'news' } }]);
    const pong = jsonCodec.decodeEmulationRequest(b('{"session":"5f0e..","node":"a1b2..","data":"{}"}'));
    assert.deepStrictEqual(decode(pong.data!), [{}]);
  });

  void it('unidirectional connect request and pushes', () => {
    assert.deepStrictEqual(
      jsonCodec.decodeConnectRequest(b('{"token":"eyJ...","subs":{"news":{"recover":true,"offset":5,"epoch":"pQrStUvW"}}}')),
      { token: 'eyJ...', subs: { news: { recover: true, offset: 5, epoch: 'pQrStUvW' } } },
    );
    const connect = text(
      jsonCodec.encodePush({
        connect: {
          client: '..',
          version: '6.9.1 OSS',
          subs: {
            news: {
              recoverable: true,
              epoch: 'pQrStUvW',
              offset: 5,
              positioned: true,
              recovered: true,
              wasRecovering: true,
              publications: [{ data: b('{"n":6}'), offset: 6 }],
            },
          },
          ping: 25,
          session: '..',
        },
      }),
    );
    // Proto field order (the reference example lists the same fields in another order).
    assert.equal(
      connect,
      '{"connect":{"client":"..","version":"6.9.1 OSS","subs":{"news":{"recoverable":true,"epoch":"pQrStUvW","publications":[{"data":{"n":6},"offset":6}],"recovered":true,"offset":5,"positioned":true,"was_recovering":true}},"ping":25,"session":".."}}',
    );
    assert.equal(
      text(jsonCodec.encodePublicationPush('news', { data: b('{"n":6}'), offset: 6 })),
      '{"channel":"news","pub":{"data":{"n":6},"offset":6}}',
    );
    assert.equal(text(jsonCodec.encodePush({})), '{}');
    assert.equal(
      text(jsonCodec.encodePush({ disconnect: { code: 3005, reason: 'connection expired' } })),
      '{"disconnect":{"code":3005,"reason":"connection expired"}}',
    );
  });
});

void describe('json codec: encoding rules', () => {
  void it('always writes ClientInfo.user/client, presence, presence_stats counters, history fields', () => {
    assert.equal(reply({ push: { channel: 'c', leave: { info: { user: '', client: '' } } } }), '{"push":{"channel":"c","leave":{"info":{"user":"","client":""}}}}');
    assert.equal(reply({ id: 1, presence: { presence: {} } }), '{"id":1,"presence":{"presence":{}}}');
    assert.equal(reply({ id: 2, presenceStats: { numClients: 0, numUsers: 0 } }), '{"id":2,"presence_stats":{"num_clients":0,"num_users":0}}');
    assert.equal(reply({ id: 3, history: { publications: [], epoch: '', offset: 0 } }), '{"id":3,"history":{"publications":[],"epoch":"","offset":0}}');
    // Even when the caller leaves them out.
    assert.equal(reply({ id: 3, history: {} as never }), '{"id":3,"history":{"publications":[],"epoch":"","offset":0}}');
    assert.equal(reply({ id: 1, presence: {} as never }), '{"id":1,"presence":{"presence":{}}}');
  });

  void it('writes empty results as {} and omits defaults', () => {
    assert.equal(reply({ id: 3, publish: {} }), '{"id":3,"publish":{}}');
    assert.equal(reply({ id: 4, unsubscribe: {} }), '{"id":4,"unsubscribe":{}}');
    assert.equal(reply({ id: 5, subscribe: {} }), '{"id":5,"subscribe":{}}');
    assert.equal(
      reply({ id: 6, subscribe: { expires: false, ttl: 0, epoch: '', publications: [], data: new Uint8Array(0), offset: 0 } }),
      '{"id":6,"subscribe":{}}',
    );
    assert.equal(reply({ id: 0, push: { channel: '', pub: {} } }), '{"push":{"pub":{}}}');
    assert.equal(reply({ id: 7, connect: { subs: {} } }), '{"id":7,"connect":{}}');
  });

  void it('writes every Publication field in proto order', () => {
    const out = text(
      jsonCodec.encodePublicationReply('ch', {
        data: b('1'),
        info: { user: 'u', client: 'c', connInfo: b('2'), chanInfo: b('3') },
        offset: 4,
        tags: { t: 'v' },
        delta: true,
        time: 1700000000000,
        channel: 'other',
        key: 'k',
        removed: true,
        score: -7,
        epoch: 'e',
        prevData: b('5'),
        version: 9,
      }),
    );
    assert.equal(
      out,
      '{"push":{"channel":"ch","pub":{"data":1,"info":{"user":"u","client":"c","conn_info":2,"chan_info":3},"offset":4,' +
        '"tags":{"t":"v"},"delta":true,"time":1700000000000,"channel":"other","key":"k","removed":true,"score":-7,' +
        '"epoch":"e","prev_data":5,"version":9}}}',
    );
  });

  void it('writes 64-bit integers as plain JSON numbers', () => {
    assert.equal(
      reply({ id: 1, history: { publications: [], epoch: 'e', offset: 2 ** 53 - 1 } }),
      '{"id":1,"history":{"publications":[],"epoch":"e","offset":9007199254740991}}',
    );
    assert.equal(reply({ id: 1, history: { publications: [], epoch: 'e', offset: 1e21 } }), '{"id":1,"history":{"publications":[],"epoch":"e","offset":1000000000000000000000}}');
  });

  void it('copies raw payloads verbatim, whitespace included, minus raw newlines', () => {
    assert.equal(
      text(jsonCodec.encodePublicationReply('c', { data: b('{ "a" : [1,\t2] , "s":"x y" }') })),
      '{"push":{"channel":"c","pub":{"data":{ "a" : [1,\t2] , "s":"x y" }}}}',
    );
    assert.equal(text(jsonCodec.encodePublicationReply('c', { data: b('{\n"a":\r\n1\n}\n') })), '{"push":{"channel":"c","pub":{"data":{"a":\r1}}}}');
    assert.equal(reply({ id: 1, rpc: { data: b('\n[1,\n2]') } }), '{"id":1,"rpc":{"data":[1,2]}}');
    assert.equal(
      reply({ push: { channel: 'c', join: { info: { user: 'u', client: 'c', connInfo: b('{\n}'), chanInfo: b('"a\\nb"') } } } }),
      '{"push":{"channel":"c","join":{"info":{"user":"u","client":"c","conn_info":{},"chan_info":"a\\nb"}}}}',
    );
    // Non-ASCII payloads stay byte-identical.
    assert.equal(text(jsonCodec.encodePublicationPush('c', { data: b('{"t":"ünïcødé ✓ 😀"}') })), '{"channel":"c","pub":{"data":{"t":"ünïcødé ✓ 😀"}}}');
  });

  void it('output is always one line that JSON.parse accepts', () => {
    const out = jsonCodec.joinFrames([
      jsonCodec.encodeReply({ id: 1, rpc: { data: b('{\n"multi":\n"line"\n}') } }),
      jsonCodec.encodePublicationReply('a\nb', { data: b('[\n]') }),
    ]);
    const lines = text(out).split('\n');
    assert.equal(lines.length, 2);
    assert.deepStrictEqual(JSON.parse(lines[0]!), { id: 1, rpc: { data: { multi: 'line' } } });
    assert.deepStrictEqual(JSON.parse(lines[1]!), { push: { channel: 'a\nb', pub: { data: [] } } });
  });

  void it('escapes strings correctly', () => {
    const weird = 'q"uote\\ back\nnl\ttab\u0001ctl ü 中 😀 \ud800 </script>';
    const bytes = jsonCodec.encodeReply({ id: 1, error: { code: 1, message: weird } });
    assert.ok(isUtf8(bytes));
    assert.deepStrictEqual(JSON.parse(text(bytes)), { id: 1, error: { code: 1, message: weird } });
    const push = text(jsonCodec.encodePublicationReply(weird, { data: b('1'), info: { user: weird, client: weird }, epoch: weird, tags: { [weird]: weird } }));
    const parsed = JSON.parse(push) as { push: { channel: string; pub: { info: { user: string }; tags: Record<string, string> } } };
    assert.equal(parsed.push.channel, weird);
    assert.equal(parsed.push.pub.info.user, weird);
    assert.deepStrictEqual(parsed.push.pub.tags, { [weird]: weird });
  });

  void it('throws EncodeError for payloads that are not JSON (binary via b64data, protobuf clients)', () => {
    const bad = [
      new Uint8Array([0x00, 0x01, 0xff]),
      b('not json'),
      b('{"a":1} x'),
      b('1 2'),
      b('   '),
      b('{"a":1'),
      b("{'a':1}"),
      b('"unterminated'),
      b('"tab\there"'),
      b('NaN'),
      b('01'),
      new Uint8Array([0x22, 0xc3, 0x28, 0x22]), // invalid UTF-8 inside a string
      new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]), // UTF-8-encoded surrogate
    ];
    for (const data of bad) {
      assert.throws(() => jsonCodec.encodePublicationReply('c', { data }), isEncodeError, text(data));
      assert.throws(() => jsonCodec.encodePublicationPush('c', { data }), isEncodeError);
      assert.throws(() => jsonCodec.encodeReply({ push: { channel: 'c', pub: { data } } }), isEncodeError);
      assert.throws(() => jsonCodec.encodePush({ message: { data } }), isEncodeError);
      assert.throws(() => jsonCodec.encodeReply({ id: 1, rpc: { data } }), isEncodeError);
      assert.throws(
        () => jsonCodec.encodeReply({ id: 1, presence: { presence: { c: { user: 'u', client: 'c', connInfo: data } } } }),
        isEncodeError,
      );
      assert.throws(() => jsonCodec.encodePublicationReply('c', { data: b('1'), info: { user: 'u', client: 'c', chanInfo: data } }), isEncodeError);
    }
    // The codec stays usable after a failure.
    assert.equal(reply({ id: 1, publish: {} }), '{"id":1,"publish":{}}');
  });

  void it('accepts every kind of JSON value as payload', () => {
    for (const v of ['0', '-1.5e+10', 'true', 'false', 'null', '"s"', '[]', '{}', '[{"a":[{"b":null}]}]', '"\\u00e9\\ud83d\\ude00\\/"', ' 1 ']) {
      assert.equal(text(jsonCodec.encodePublicationPush('c', { data: b(v) })), `{"channel":"c","pub":{"data":${v}}}`);
    }
    const deep = '['.repeat(10000) + ']'.repeat(10000);
    assert.equal(text(jsonCodec.encodePublicationPush('c', { data: b(deep) })), `{"channel":"c","pub":{"data":${deep}}}`);
  });

  void it('joinFrames joins with \\n and no trailing newline', () => {
    assert.equal(text(jsonCodec.joinFrames([b('{"id":1}'), b('{}'), b('{"push":{}}')])), '{"id":1}\n{}\n{"push":{}}');
    assert.equal(text(jsonCodec.joinFrames([b('{}')])), '{}');
    assert.equal(jsonCodec.joinFrames([]).length, 0);
  });
});

void describe('json codec: decoding commands', () => {
  void it('keeps raw data bytes exactly (whitespace, quotes, escapes)', () => {
    const cases: [string, string][] = [
      ['{"id":1,"publish":{"channel":"c","data": {"a":[1, 2]} }}', '{"a":[1, 2]}'],
      ['{"id":1,"publish":{"channel":"c","data":"a string"}}', '"a string"'],
      ['{"id":1,"publish":{"channel":"c","data":"\\u00e9\\n\\"q\\""}}', '"\\u00e9\\n\\"q\\""'],
      ['{"id":1,"publish":{"data":-12.5e-3,"channel":"c"}}', '-12.5e-3'],
      ['{"id":1,"publish":{"data":\t[ true ,false,null ]\r,"channel":"c"}}', '[ true ,false,null ]'],
      ['{"id":1,"publish":{"channel":"c","data":{"ü":"中 😀"}}}', '{"ü":"中 😀"}'],
    ];
    for (const [frame, data] of cases) {
      const [cmd] = decode(frame);
      assert.equal(text(cmd!.publish!.data!), data, frame);
      assert.equal(cmd!.publish!.channel, 'c');
    }
  });

  void it('reads raw data of every bytes field', () => {
    const [cmd] = decode(
      '{"id":1,"connect":{"data":{"c":1},"subs":{"ch":{"data":[2]}}}}\n' +
        '{"id":2,"subscribe":{"channel":"x","data":3}}\n{"id":3,"rpc":{"data":"4"}}\n{"send":{"data":{"five":5}}}',
    );
    assert.equal(text(cmd!.connect!.data!), '{"c":1}');
    assert.equal(text(cmd!.connect!.subs!.ch!.data!), '[2]');
    const all = decode('{"id":2,"subscribe":{"channel":"x","data":3}}\n{"id":3,"rpc":{"data":"4"}}\n{"send":{"data":{"five":5}}}');
    assert.equal(text(all[0]!.subscribe!.data!), '3');
    assert.equal(text(all[1]!.rpc!.data!), '"4"');
    assert.equal(text(all[2]!.send!.data!), '{"five":5}');
  });

  void it('decodes several commands per frame, with an optional single trailing newline', () => {
    assert.deepStrictEqual(decode('{"id":1,"ping":{}}\n{}\n{"id":2,"unsubscribe":{"channel":"a"}}'), [
      { id: 1, ping: {} },
      {},
      { id: 2, unsubscribe: { channel: 'a' } },
    ]);
    assert.deepStrictEqual(decode('{"id":1}\n'), [{ id: 1 }]);
    assert.deepStrictEqual(decode('{}\n{}\n'), [{}, {}]);
    assert.deepStrictEqual(decode(' {"id":1} \r\n\t{"id":2}'), [{ id: 1 }, { id: 2 }]);
  });

  void it('rejects empty frames and empty lines', () => {
    for (const frame of ['', '\n', '\n\n', '{}\n\n', '\n{}', '{}\n\n{}', '{}\n \n{}', ' ', '\r\n']) {
      assert.throws(() => decode(frame), isProtocolError, JSON.stringify(frame));
    }
  });

  void it('a failure carries the commands decoded before the bad line (they still run, like Centrifugo)', () => {
    const decodedBefore = (frame: string | Uint8Array): unknown => {
      try {
        decode(frame);
      } catch (err) {
        assert.ok(err instanceof ProtocolError);
        return err.decoded;
      }
      assert.fail('no ProtocolError');
    };
    assert.deepStrictEqual(decodedBefore('{"id":2,"publish":{"channel":"c","data":{}}}\n{"id":3,'), [
      { id: 2, publish: { channel: 'c', data: b('{}') } },
    ]);
    assert.deepStrictEqual(decodedBefore('{"id":1}\n{"id":2}\n\n{"id":4}'), [{ id: 1 }, { id: 2 }]);
    assert.deepStrictEqual(decodedBefore('nope\n{"id":2}'), []);
    // Invalid UTF-8 in the second line only: the first still counts.
    assert.deepStrictEqual(decodedBefore(new Uint8Array([...b('{"id":1}\n{"id":2,"x":"'), 0xff, ...b('"}')])), [{ id: 1 }]);
    assert.deepStrictEqual(decodedBefore(`{"id":1}\n{"id":2,"publish":{"channel":"c","data":"${'x'.repeat(65536)}"}}`), [{ id: 1 }]);
  });

  void it('limits each line, not the frame, to maxMessageSize', () => {
    const line = `{"id":1,"publish":{"channel":"c","data":"${'x'.repeat(60000)}"}}`;
    assert.equal(decode(`${line}\n${line}\n${line}`).length, 3);
    assert.throws(() => decode(`{"id":1,"publish":{"channel":"c","data":"${'x'.repeat(65536)}"}}`), isProtocolError);
    assert.throws(() => decode('{"id":1}\n{"id":22}', 8), isProtocolError);
    assert.equal(decode('{"id":1}\n{"id":2}\n', 8).length, 2);
  });

  void it('rejects wrong field types', () => {
    const bad = [
      '{"id":1,"subscribe":{"channel":"c","offset":"5"}}',
      '{"id":"1"}',
      '{"id":1.5}',
      '{"id":1.0}',
      '{"id":1e2}',
      '{"id":-1}',
      '{"id":4294967296}',
      '{"id":01}',
      '{"id":true}',
      '{"id":1,"subscribe":{"channel":"c","recover":"true"}}',
      '{"id":1,"subscribe":{"channel":"c","recover":1}}',
      '{"id":1,"subscribe":{"channel":5}}',
      '{"id":1,"subscribe":{"channel":"c","limit":2147483648}}',
      '{"id":1,"subscribe":{"channel":"c","limit":-2147483649}}',
      '{"id":1,"subscribe":{"channel":"c","offset":-1}}',
      '{"id":1,"subscribe":{"channel":"c","offset":18446744073709551616000}}',
      '{"id":1,"subscribe":{"channel":"c","tf":"x"}}',
      '{"id":1,"subscribe":{"channel":"c","tf":{"vals":"x"}}}',
      '{"id":1,"subscribe":{"channel":"c","tf":{"vals":[1]}}}',
      '{"id":1,"subscribe":{"channel":"c","tf":{"nodes":[1]}}}',
      '{"id":1,"subscribe":[]}',
      '{"id":1,"subscribe":"x"}',
      '{"id":1,"connect":{"headers":{"a":1}}}',
      '{"id":1,"connect":{"subs":[]}}',
      '{"id":1,"connect":{"subs":{"a":"b"}}}',
      '{"id":1,"history":{"channel":"c","since":{"offset":"1"}}}',
      '[]',
      '1',
      '"x"',
      'null',
    ];
    for (const frame of bad) assert.throws(() => decode(frame), isProtocolError, frame);
  });

  void it('rejects malformed JSON', () => {
    const bad = [
      '{"id":1',
      '{"id":1,}',
      '{id:1}',
      "{'id':1}",
      '{"id":1} x',
      '{}{}',
      '{"id":1,"publish":{"channel":"c","data":}}',
      '{"id":1,"publish":{"channel":"c","data":{"a":1,}}}',
      '{"id":1,"publish":{"channel":"c","data":[1 2]}}',
      '{"id":1,"publish":{"channel":"c","data":NaN}}',
      '{"id":1,"publish":{"channel":"c","data":tru}}',
      '{"id":1,"publish":{"channel":"c","data":"\\x"}}',
      '{"id":1,"publish":{"channel":"c","data":"\\u12"}}',
      '{"id":1,"publish":{"channel":"c\tx"}}',
      '{"id":1,"unknown":[1,}',
      '{"id":1,"unknown":nul}',
      '{"id" 1}',
      '{"id":1 "ping":{}}',
    ];
    for (const frame of bad) assert.throws(() => decode(frame), isProtocolError, frame);
  });

  void it('rejects invalid UTF-8', () => {
    const frames = [
      [0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d], // {"\xff":1}
      [...b('{"id":1,"publish":{"channel":"'), 0xc0, 0xaf, ...b('"}}')], // overlong
      [...b('{"id":1,"publish":{"channel":"c","data":"'), 0xed, 0xa0, 0x80, ...b('"}}')], // surrogate
      [...b('{"id":1,"publish":{"channel":"c","data":"'), 0xe4, 0xb8, ...b('"}}')], // truncated sequence
    ];
    for (const f of frames) assert.throws(() => decode(new Uint8Array(f)), isProtocolError);
  });

  void it('treats null as absent', () => {
    assert.deepStrictEqual(decode('{"id":1,"subscribe":{"channel":"x","token":null,"data":null,"tf":null,"offset":null}}'), [
      { id: 1, subscribe: { channel: 'x' } },
    ]);
    assert.deepStrictEqual(decode('{"id":1,"subscribe":null}'), [{ id: 1 }]);
    assert.deepStrictEqual(decode('{"id":null,"connect":{"subs":{"a":null},"headers":{"h":null}}}'), [{ connect: { subs: {}, headers: {} } }]);
  });

  void it('ignores unknown fields, including fields of newer SDKs', () => {
    const frame =
      '{"id":2,"subscribe":{"channel":"c","flag":3,"type":0,"tf":{"op":"and","nodes":[{"key":"k","cmp":"eq","val":"v"},{"key":"n","cmp":"in","vals":["1","2"]}]},' +
      '"future":{"x":[1,{"y":null}],"z":"\\u00e9"},"other":"s","num":-1.5e3},"extra":5,"method":"legacy","params":{}}';
    assert.deepStrictEqual(decode(frame), [
      {
        id: 2,
        subscribe: {
          channel: 'c',
          flag: 3,
          type: 0,
          tf: {
            op: 'and',
            nodes: [
              { key: 'k', cmp: 'eq', val: 'v' },
              { key: 'n', cmp: 'in', vals: ['1', '2'] },
            ],
          },
        },
      },
    ]);
    // Field names are exact snake_case: camelCase spellings are unknown fields.
    assert.deepStrictEqual(decode('{"id":1,"presenceStats":{"channel":"c"}}'), [{ id: 1 }]);
  });

  void it('unescapes strings, including keys', () => {
    assert.deepStrictEqual(decode('{"i\\u0064":1,"publish":{"channel":"a\\u0062\\n\\"c\\ud83d\\ude00\\/"}}'), [
      { id: 1, publish: { channel: 'ab\n"c😀/' } },
    ]);
  });

  void it('decodes 64-bit values and negative int fields', () => {
    assert.deepStrictEqual(decode('{"id":4294967295,"subscribe":{"channel":"c","offset":9007199254740991,"flag":-3,"limit":-2147483648,"phase":-0}}'), [
      { id: 4294967295, subscribe: { channel: 'c', offset: 9007199254740991, flag: -3, limit: -2147483648, phase: 0 } },
    ]);
  });

  void it('last duplicate key wins', () => {
    assert.deepStrictEqual(decode('{"id":1,"id":2,"ping":{}}'), [{ id: 2, ping: {} }]);
  });

  void it('does not let __proto__ keys pollute anything', () => {
    const [cmd] = decode(
      '{"id":1,"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}},' +
        '"connect":{"__proto__":{"polluted":3},"headers":{"__proto__":"x","constructor":"y","toString":"z"},' +
        '"subs":{"__proto__":{"channel":"a","__proto__":{"polluted":4}}}}}',
    );
    assert.equal(Object.getPrototypeOf(cmd), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((cmd as Record<string, unknown>).polluted, undefined);
    const headers = cmd!.connect!.headers!;
    assert.equal(Object.getPrototypeOf(headers), Object.prototype);
    assert.deepStrictEqual(Object.keys(headers), ['__proto__', 'constructor', 'toString']);
    assert.equal(Object.getOwnPropertyDescriptor(headers, '__proto__')!.value, 'x');
    const subs = cmd!.connect!.subs!;
    assert.equal(Object.getPrototypeOf(subs), Object.prototype);
    assert.deepStrictEqual(Object.getOwnPropertyDescriptor(subs, '__proto__')!.value, { channel: 'a' });
  });

  void it('limits schema nesting (recursive FilterNode) without crashing', () => {
    const deep = (n: number): string => '{"nodes":['.repeat(n) + '{}' + ']}'.repeat(n);
    assert.equal(decode(`{"id":1,"subscribe":{"channel":"c","tf":${deep(20)}}}`).length, 1);
    assert.throws(() => decode(`{"id":1,"subscribe":{"channel":"c","tf":${deep(5000)}}}`), isProtocolError);
    // Deep unknown values are only validated, with no depth limit.
    const raw = '['.repeat(20000) + ']'.repeat(20000);
    assert.equal(decode(`{"id":1,"x":${raw},"publish":{"channel":"c","data":${raw}}}`, 1e6)[0]!.publish!.data!.length, raw.length);
  });
});

void describe('json codec: connect and emulation requests', () => {
  void it('decodes a bare ConnectRequest; null and empty give {}', () => {
    assert.deepStrictEqual(jsonCodec.decodeConnectRequest(new Uint8Array(0)), {});
    assert.deepStrictEqual(jsonCodec.decodeConnectRequest(b('null')), {});
    assert.deepStrictEqual(jsonCodec.decodeConnectRequest(b(' null \n')), {});
    assert.deepStrictEqual(jsonCodec.decodeConnectRequest(b('  ')), {});
    assert.deepStrictEqual(jsonCodec.decodeConnectRequest(b('{}')), {});
    const req = jsonCodec.decodeConnectRequest(b('{"token":"t","data":{"x": 1},"name":"n","version":"v","headers":{"a":"b"},"flag":1,"unknown":[]}'));
    assert.deepStrictEqual(plain(req), { token: 't', data: 'raw:{"x": 1}', name: 'n', version: 'v', headers: { a: 'b' }, flag: 1 });
  });

  void it('rejects invalid connect requests', () => {
    for (const s of ['[]', '"x"', '1', '{"token":1}', '{', 'nul', 'null x', '{} {}']) {
      assert.throws(() => jsonCodec.decodeConnectRequest(b(s)), isProtocolError, s);
    }
    assert.throws(() => jsonCodec.decodeConnectRequest(new Uint8Array([0x7b, 0xff, 0x7d])), isProtocolError);
  });

  void it('decodes emulation requests whose data string holds several commands', () => {
    const req = jsonCodec.decodeEmulationRequest(b(JSON.stringify({ session: 's', node: 'n', data: '{"id":1,"ping":{}}\n{}' })));
    assert.deepStrictEqual(decode(req.data!), [{ id: 1, ping: {} }, {}]);
    const uni = jsonCodec.decodeEmulationRequest(b(JSON.stringify({ node: 'n', data: '{"id":1,"publish":{"channel":"ü","data":"é"}}' })));
    assert.equal(uni.session, undefined);
    assert.equal(text(decode(uni.data!)[0]!.publish!.data!), '"é"');
  });

  void it('rejects bad emulation requests', () => {
    for (const s of ['', '{}', '{"session":"s","node":"n"}', '{"session":"s","node":"n","data":{"id":1}}', '{"session":1,"data":"{}"}', '[]', '{"data":"{}"']) {
      assert.throws(() => jsonCodec.decodeEmulationRequest(b(s)), isProtocolError, s);
    }
  });
});

void describe('json codec: interop with the centrifuge SDK (JsonCodec of centrifuge-js)', () => {
  // The SDK's codec is an internal member of the client; constructing a client opens nothing.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- reaching the SDK's internal codec
  const sdk = (new Centrifuge('ws://127.0.0.1:1/connection/websocket') as any)._codec as {
    name(): string;
    encodeCommands(c: unknown[]): string;
    decodeReplies(s: string): unknown[];
  };

  void it('is the JSON codec', () => {
    assert.equal(sdk.name(), 'json');
  });

  void it('decodes commands as the SDK writes them', () => {
    const frame = sdk.encodeCommands([
      { id: 1, connect: { token: 't', data: { a: 1 }, name: 'js', version: '5.8.0', subs: { news: { recover: true, offset: 3, epoch: 'e' } } } },
      { id: 2, subscribe: { channel: 'news', flag: 3, recoverable: true, positioned: true, join_leave: true, delta: 'fossil', tf: { key: 'a', cmp: 'eq', val: '1' } } },
      { id: 3, publish: { channel: 'news', data: { text: 'hi' } } },
      { id: 4, presence_stats: { channel: 'news' } },
      { id: 5, sub_refresh: { channel: 'news', token: 'x' } },
      { send: { data: 'str' } },
      {},
    ]);
    assert.deepStrictEqual(plain(decode(frame)), [
      { id: 1, connect: { token: 't', data: 'raw:{"a":1}', name: 'js', version: '5.8.0', subs: { news: { recover: true, offset: 3, epoch: 'e' } } } },
      {
        id: 2,
        subscribe: { channel: 'news', flag: 3, recoverable: true, positioned: true, joinLeave: true, delta: 'fossil', tf: { key: 'a', cmp: 'eq', val: '1' } },
      },
      { id: 3, publish: { channel: 'news', data: 'raw:{"text":"hi"}' } },
      { id: 4, presenceStats: { channel: 'news' } },
      { id: 5, subRefresh: { channel: 'news', token: 'x' } },
      { send: { data: 'raw:"str"' } },
      {},
    ]);
  });

  void it('writes replies the SDK reads', () => {
    const frame = jsonCodec.joinFrames([
      jsonCodec.encodeReply({ id: 1, connect: { client: 'c', version: 'v', ping: 25, pong: true, subs: { n: { recoverable: true } } } }),
      jsonCodec.encodeReply({ id: 2, subscribe: {} }),
      jsonCodec.encodePublicationReply('news', { data: b('{"text":\n"hi"}'), offset: 7, info: { user: 'u', client: 'c' } }),
      jsonCodec.encodeReply({}),
      jsonCodec.encodeReply({ id: 3, error: { code: 103, message: 'permission denied', temporary: true } }),
    ]);
    assert.deepStrictEqual(sdk.decodeReplies(text(frame)), [
      { id: 1, connect: { client: 'c', version: 'v', ping: 25, pong: true, subs: { n: { recoverable: true } } } },
      { id: 2, subscribe: {} },
      { push: { channel: 'news', pub: { data: { text: 'hi' }, offset: 7, info: { user: 'u', client: 'c' } } } },
      {},
      { id: 3, error: { code: 103, message: 'permission denied', temporary: true } },
    ]);
  });
});
