/** @module api/json.test — Go-compatible request decoding and response encoding. */
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import {
  compareCodePoints,
  decodeCommandStream,
  decodeRequest,
  encodeBatchResponse,
  encodeError,
  encodeReply,
  encodeResponse,
  encodeResult,
  JsonDecodeError,
  JsonEncodeError,
  quoteString,
} from './json.js';
import { compactJson } from './json-scanner.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const b = (s: string): Uint8Array => enc.encode(s);
const text = (u: Uint8Array | undefined): string => (u === undefined ? '<undefined>' : dec.decode(u));

function rejects(body: string | Uint8Array, method: Parameters<typeof decodeRequest>[0] = 'publish'): void {
  assert.throws(() => decodeRequest(method, typeof body === 'string' ? b(body) : body), JsonDecodeError, `body ${String(body)}`);
}

void describe('decodeRequest: raw fields', () => {
  void test('capture the exact bytes of nested objects, whitespace included', () => {
    const value = '{"a" : [1, 2.5e3,{"b":null, "c":"x\\"y\\u00e9"}] ,\n "s":"é"}';
    const req = decodeRequest('publish', b(`{"channel":"c","data": ${value} }`));
    assert.equal(text(req.data), value);
  });

  void test('strings keep their quotes and escapes, numbers their spelling', () => {
    assert.equal(text(decodeRequest('publish', b('{"data":"abc"}')).data), '"abc"');
    assert.equal(text(decodeRequest('publish', b('{"data":"a\\nb\\u0041"}')).data), '"a\\nb\\u0041"');
    assert.equal(text(decodeRequest('publish', b('{"data":-1.50E+3}')).data), '-1.50E+3');
    assert.equal(text(decodeRequest('publish', b('{"data":true}')).data), 'true');
    assert.equal(text(decodeRequest('publish', b('{"data":[]}')).data), '[]');
  });

  void test('null is captured as the 4 bytes null', () => {
    const req = decodeRequest('publish', b('{"channel":"c","data":null}'));
    assert.equal(text(req.data), 'null');
    assert.equal(req.data?.length, 4);
  });

  void test('info, params and rpc params are raw too', () => {
    assert.equal(text(decodeRequest('subscribe', b('{"info":{"x":1}}')).info), '{"x":1}');
    assert.equal(text(decodeRequest('refresh', b('{"info":"i"}')).info), '"i"');
    assert.equal(text(decodeRequest('rpc', b('{"method":"m","params":[1]}')).params), '[1]');
  });

  void test('captured bytes are a copy, not a view of the body', () => {
    const body = b('{"data":{"k":1}}');
    const req = decodeRequest('publish', body);
    body.fill(0x20);
    assert.equal(text(req.data), '{"k":1}');
  });

  void test('invalid JSON inside a raw value is rejected', () => {
    rejects('{"data":{"a":}}');
    rejects('{"data":[1,]}');
    rejects('{"data":01}');
    rejects('{"data":"\t"}');
    rejects('{"data":tru}');
  });

  void test('nesting deeper than 10000 is rejected, 9000 is fine', () => {
    rejects(`{"data":${'['.repeat(10_001)}${']'.repeat(10_001)}}`);
    const ok = decodeRequest('publish', b(`{"data":${'['.repeat(9000)}${']'.repeat(9000)}}`));
    assert.equal(ok.data?.length, 18_000);
  });
});

void describe('decodeRequest: Go encoding/json tolerance', () => {
  void test('keys match case-insensitively; unknown keys are ignored', () => {
    const req = decodeRequest('publish', b('{"Channel":"a","DATA":1,"Skip_History":true,"unknown":{"deep":[1,2]},"IdEmPoTeNcY_kEy":"k"}'));
    assert.deepEqual({ ...req, data: text(req.data) }, { channel: 'a', data: '1', skip_history: true, idempotency_key: 'k' });
  });

  void test('Kelvin sign and long s fold like Go', () => {
    const req = decodeRequest('publish', b('{"\u017f\u212aip_history":true}'));
    assert.equal(req.skip_history, true);
  });

  void test('escaped key names are decoded before matching', () => {
    assert.equal(decodeRequest('publish', b('{"\\u0063hannel":"x"}')).channel, 'x');
  });

  void test('the last duplicate key wins; nested objects merge like Go', () => {
    assert.equal(decodeRequest('publish', b('{"channel":"a","CHANNEL":"b"}')).channel, 'b');
    const h = decodeRequest('history', b('{"since":{"offset":5},"since":{"epoch":"e"}}'));
    assert.deepEqual(h.since, { offset: 5, epoch: 'e' });
  });

  void test('all fields of every kind decode', () => {
    const s = decodeRequest(
      'subscribe',
      b(
        '{"channel":"c","user":"u","expire_at":-5,"info":{},"b64info":"aQ==","client":"cl","data":"d","b64data":"ZA==",' +
          '"recover_since":{"offset":18446744073709551615,"epoch":"ep"},"override":{"presence":{"value":true},"join_leave":{"value":false},' +
          '"force_recovery":{},"force_positioning":{"value":true},"force_push_join_leave":null},"session":"s"}',
      ),
    );
    assert.equal(s.expire_at, -5);
    assert.equal(s.recover_since?.offset, Number(18446744073709551615n));
    assert.deepEqual(s.override, { presence: { value: true }, join_leave: { value: false }, force_recovery: {}, force_positioning: { value: true } });
    const d = decodeRequest('disconnect', b('{"user":"u","disconnect":{"code":4000,"reason":"r"},"whitelist":["a","b"],"client":"c","session":"s"}'));
    assert.deepEqual(d, { user: 'u', disconnect: { code: 4000, reason: 'r' }, whitelist: ['a', 'b'], client: 'c', session: 's' });
    const br = decodeRequest('broadcast', b('{"channels":["a","b"],"tags":{"k":"v"},"delta":true}'));
    assert.deepEqual(br.channels, ['a', 'b']);
    assert.deepEqual({ ...br.tags }, { k: 'v' });
    assert.equal(br.delta, true);
  });

  void test('type mismatches are errors', () => {
    rejects('{"channel":5}');
    rejects('{"channel":["a"]}');
    rejects('{"skip_history":"true"}');
    rejects('{"skip_history":1}');
    rejects('{"tags":{"a":1}}');
    rejects('{"tags":[]}');
    rejects('{"limit":"1"}', 'history');
    rejects('{"limit":1.5}', 'history');
    rejects('{"limit":1e2}', 'history');
    rejects('{"limit":2147483648}', 'history');
    rejects('{"limit":-2147483649}', 'history');
    rejects('{"since":{"offset":-1}}', 'history');
    rejects('{"since":{"offset":18446744073709551616}}', 'history');
    rejects('{"since":[]}', 'history');
    rejects('{"channels":"a"}', 'broadcast');
    rejects('{"channels":[1]}', 'broadcast');
    rejects('{"disconnect":{"code":-1}}', 'disconnect');
    rejects('{"disconnect":{"code":4294967296}}', 'disconnect');
    rejects('{"commands":{}}', 'batch');
  });

  void test('limits at the edges of int32 are accepted', () => {
    assert.equal(decodeRequest('history', b('{"limit":2147483647}')).limit, 2147483647);
    assert.equal(decodeRequest('history', b('{"limit":-2147483648}')).limit, -2147483648);
    assert.equal(decodeRequest('history', b('{"limit":-0}')).limit, 0);
  });

  void test('null leaves scalars unset and clears messages, lists and maps', () => {
    assert.deepEqual(decodeRequest('history', b('{"channel":null,"limit":null,"reverse":null,"since":null}')), {});
    assert.deepEqual(decodeRequest('history', b('{"since":{"offset":1},"since":null}')), {});
    assert.deepEqual({ ...decodeRequest('publish', b('{"tags":{"a":null}}')).tags }, { a: '' });
    assert.deepEqual(decodeRequest('broadcast', b('{"channels":["a",null]}')).channels, ['a', '']);
  });

  void test('malformed bodies are errors', () => {
    for (const body of ['', '   ', '{', '{"channel":"a",}', '{"channel":"a"} x', '{"channel":"a"}{}', '[]', '"x"', '1', 'nul', "{'a':1}", '{"a" 1}', '{"a":1 "b":2}']) {
      rejects(body);
    }
  });

  void test('a top-level null is an empty request; surrounding whitespace is fine', () => {
    assert.deepEqual(decodeRequest('publish', b('null')), {});
    assert.deepEqual(decodeRequest('info', b(' \n{} \r\n\t')), {});
  });

  void test('__proto__ keys are harmless', () => {
    const req = decodeRequest('publish', b('{"__proto__":{"channel":"evil"},"constructor":{"x":1},"tags":{"__proto__":"x","a":"b"}}'));
    assert.equal(req.channel, undefined);
    assert.equal(Object.getPrototypeOf(req), Object.prototype);
    assert.ok(req.tags !== undefined);
    assert.equal(Object.hasOwn(req.tags, '__proto__'), true);
    assert.equal(req.tags['__proto__'], 'x');
    assert.equal(req.tags['a'], 'b');
    assert.equal(({} as Record<string, unknown>)['channel'], undefined);
  });

  void test('non-UTF-8 bodies are rejected', () => {
    rejects(Uint8Array.from([0x7b, 0x22, 0x63, 0x68, 0x61, 0x6e, 0x6e, 0x65, 0x6c, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]));
    rejects(Uint8Array.from([0x7b, 0x22, 0x64, 0x61, 0x74, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x22, 0x7d]));
  });

  void test('lone surrogate escapes decode to U+FFFD, pairs to the code point', () => {
    assert.equal(decodeRequest('publish', b('{"channel":"a\\ud800b"}')).channel, 'a\ufffdb');
    assert.equal(decodeRequest('publish', b('{"channel":"\\udc00"}')).channel, '\ufffd');
    assert.equal(decodeRequest('publish', b('{"channel":"\\ud83d\\ude00"}')).channel, '😀');
  });
});

void describe('decodeCommandStream', () => {
  void test('concatenated and newline-delimited objects; enum by name in any case or number', () => {
    const cmds = [...decodeCommandStream(b('{"id":1,"method":"presence_stats","params":{"channel":"x"}}{"method":5}\n\n{"method":"PUBLISH"} {"id":2}'))];
    assert.deepEqual(
      cmds.map((c) => [c.id, c.method, text(c.params)]),
      [
        [1, 5, '{"channel":"x"}'],
        [undefined, 5, '<undefined>'],
        [undefined, 0, '<undefined>'],
        [2, undefined, '<undefined>'],
      ],
    );
  });

  void test('yields earlier commands before failing on a later one', () => {
    const it = decodeCommandStream(b('{"method":"info"} {"method":"nope"} {"method":"info"}'));
    assert.equal(it.next().value?.method, 9);
    assert.throws(() => it.next(), JsonDecodeError);
  });

  void test('whitespace-only yields nothing; null yields an empty command', () => {
    assert.deepEqual([...decodeCommandStream(b(' \n '))], []);
    assert.deepEqual([...decodeCommandStream(b('null'))], [{}]);
  });

  void test('typed command fields are decoded for batch; PRO kinds accepted and dropped', () => {
    const batch = decodeRequest('batch', b('{"commands":[{"publish":{"channel":"a","data":{}}},{"connections":{"user":"u"}},null],"parallel":true}'));
    assert.equal(batch.parallel, true);
    assert.equal(batch.commands?.[0]?.publish?.channel, 'a');
    assert.deepEqual(batch.commands?.[1], {});
    assert.deepEqual(batch.commands?.[2], {});
    assert.throws(() => decodeRequest('batch', b('{"commands":[{"method":"bogus"}]}')), JsonDecodeError);
    assert.throws(() => decodeRequest('batch', b('{"commands":[{"connections":1}]}')), JsonDecodeError);
  });
});

void describe('encoding', () => {
  const s = (buf: Uint8Array): string => dec.decode(buf);

  void test('empty results, errors, and omitempty publish results', () => {
    assert.equal(s(encodeResponse('publish', { result: {} })), '{"result":{}}');
    assert.equal(s(encodeResponse('publish', { result: { offset: 5, epoch: 'xzKd' } })), '{"result":{"offset":5,"epoch":"xzKd"}}');
    assert.equal(s(encodeResponse('publish', { result: { offset: 0, epoch: '' } })), '{"result":{}}');
    assert.equal(s(encodeResponse('publish', { error: { code: 102, message: 'unknown channel' } })), '{"error":{"code":102,"message":"unknown channel"}}');
    assert.equal(s(encodeError({ code: 107, message: 'bad request' })), '{"code":107,"message":"bad request"}');
  });

  void test('always-present fields', () => {
    assert.equal(s(encodeResponse('presence', { result: {} })), '{"result":{"presence":{}}}');
    assert.equal(s(encodeResponse('presence', { result: { presence: { c1: {} } } })), '{"result":{"presence":{"c1":{"user":"","client":""}}}}');
    assert.equal(s(encodeResponse('presence_stats', { result: { num_clients: 0, num_users: 0 } })), '{"result":{"num_clients":0,"num_users":0}}');
    assert.equal(s(encodeResponse('history', { result: {} })), '{"result":{"publications":[],"epoch":"","offset":0}}');
    assert.equal(s(encodeResponse('channels', { result: {} })), '{"result":{"channels":{}}}');
    assert.equal(
      s(encodeResponse('info', { result: { nodes: [{ uid: 'u', name: 'n', version: '', num_clients: 0, num_users: 0, num_channels: 0, uptime: 0, num_subs: 0 }] } })),
      '{"result":{"nodes":[{"uid":"u","name":"n","version":"","num_clients":0,"num_users":0,"num_channels":0,"num_subs":0}]}}',
    );
    assert.equal(
      s(encodeResponse('info', { result: { nodes: [{ uid: 'u', uptime: 7, num_subs: 2 }] } })),
      '{"result":{"nodes":[{"uid":"u","name":"","version":"","num_clients":0,"num_users":0,"num_channels":0,"uptime":7,"num_subs":2}]}}',
    );
  });

  void test('history publications: proto field order, raw data embedded, tags sorted', () => {
    const body = encodeResponse('history', {
      result: {
        publications: [
          { data: b('{"text":"hi"}'), offset: 2 },
          { data: b('"s"'), info: { user: '42', client: 'c', conn_info: b('{"n":1}') }, offset: 3, tags: { z: '1', a: '2' } },
        ],
        epoch: 'ep',
        offset: 3,
      },
    });
    assert.equal(
      s(body),
      '{"result":{"publications":[{"data":{"text":"hi"},"offset":2},{"data":"s","info":{"user":"42","client":"c","conn_info":{"n":1}},"offset":3,"tags":{"a":"2","z":"1"}}],"epoch":"ep","offset":3}}',
    );
  });

  void test('raw values are compacted and HTML-escaped like Go, other bytes kept', () => {
    assert.equal(text(compactJson(b(' { "a" : [ 1 , "x y" ] } '))), '{"a":[1,"x y"]}');
    assert.equal(text(compactJson(b('{"h":"<a&b>\u2028\u2029"}'))), '{"h":"\\u003ca\\u0026b\\u003e\\u2028\\u2029"}');
    assert.equal(text(compactJson(b('"\\"<"'))), '"\\"\\u003c"');
    assert.equal(compactJson(b('{"a":1} x')), undefined);
    const raw = b('{"k":"v"}');
    assert.equal(compactJson(raw), raw, 'already compact input is returned as is');
    const body = encodeResponse('presence', { result: { presence: { c: { user: 'u', client: 'c', chan_info: b('{ "x": "<" }') } } } });
    assert.equal(s(body), '{"result":{"presence":{"c":{"user":"u","client":"c","chan_info":{"x":"\\u003c"}}}}}');
  });

  void test('a raw value that is not JSON cannot be encoded', () => {
    assert.throws(() => encodeResponse('history', { result: { publications: [{ data: Uint8Array.from([0, 1, 2]) }] } }), JsonEncodeError);
  });

  void test('strings are escaped like Go', () => {
    assert.equal(quoteString('a"b\\c\n\t\b\f\u0001<>&\u2028é😀'), '"a\\"b\\\\c\\n\\t\\b\\f\\u0001\\u003c\\u003e\\u0026\\u2028é😀"');
    assert.equal(quoteString('x\ud800y'), '"x\ufffdy"');
  });

  void test('map keys sort by code point (UTF-8 byte order)', () => {
    const keys = ['b', 'a', '\uffff', '😀', 'B', ''];
    assert.deepEqual([...keys].sort(compareCodePoints), ['', 'B', 'a', 'b', '\uffff', '😀']);
    const channels: Record<string, { num_clients: number }> = Object.create(null) as Record<string, { num_clients: number }>;
    channels['😀'] = { num_clients: 1 };
    channels['\uffff'] = { num_clients: 2 };
    channels['__proto__'] = { num_clients: 3 };
    assert.equal(s(encodeResponse('channels', { result: { channels } })), '{"result":{"channels":{"__proto__":{"num_clients":3},"\uffff":{"num_clients":2},"😀":{"num_clients":1}}}}');
  });

  void test('batch and legacy replies', () => {
    assert.equal(
      s(encodeBatchResponse({ replies: [{ publish: {} }, { error: { code: 102, message: 'unknown channel' } }, { presence_stats: { num_clients: 1, num_users: 1 } }] })),
      '{"replies":[{"publish":{}},{"error":{"code":102,"message":"unknown channel"}},{"presence_stats":{"num_clients":1,"num_users":1}}]}',
    );
    assert.equal(s(encodeBatchResponse({ replies: [] })), '{}');
    assert.equal(s(encodeReply({ id: 1, result: encodeResult('publish', {}) })), '{"id":1,"result":{}}');
    assert.equal(s(encodeReply({ id: 0, error: { code: 104, message: 'not found' } })), '{"error":{"code":104,"message":"not found"}}');
    assert.equal(s(encodeReply({ result: encodeResult('presence_stats', { num_clients: 2, num_users: 1 }) })), '{"result":{"num_clients":2,"num_users":1}}');
  });
});

void describe('decodeRequest: strings (ASCII fast path and UTF-8)', () => {
  const channelOf = (json: string): unknown => decodeRequest('publish', b(`{"channel":${json},"data":{}}`)).channel;

  void test('ASCII, multi-byte UTF-8 and escapes decode the same as JSON.parse, in any order', () => {
    const cases = [
      '"news"',
      '"a\\u00e9b"',
      '"é-ascii-after"',
      '"ascii-before-é"',
      '"x\\"y\\\\z\\/\\n\\t"',
      '"esc\\u00e9then-ascii"',
      '"ascii\\nthen-é-then-ascii"',
      '"😀 and \\ud83d\\ude00"',
      `"${'a'.repeat(64)}"`,
      `"${'b'.repeat(65)}"`,
      `"${'c'.repeat(200)}é"`,
      '""',
    ];
    for (const c of cases) assert.equal(channelOf(c), JSON.parse(c), c);
  });

  void test('keys decode on either path: a non-ASCII key is an unknown field, not a match', () => {
    const r = decodeRequest('publish', b('{"chännel":"x","channel":"y","data":{}}'));
    assert.equal(r.channel, 'y');
  });
});
