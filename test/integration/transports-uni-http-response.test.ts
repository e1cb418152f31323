/**
 * @module test/integration/transports-uni-http-response — `uni_sse_connect_code_to_http_response` and
 * `uni_http_stream_connect_code_to_http_response` (Centrifugo's connect error transforms for unidirectional transports): a connect error whose code
 * has a transform is answered with that HTTP status and body instead of a 200 stream; other failures
 * and successful connects keep the stream (the 200 head waits for the connect outcome).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../harness/server.js';
import { connectToken, nowSec } from '../harness/tokens.js';

let ts: TestServer;
let plain: TestServer;
const transforms = {
  enabled: true,
  transforms: [
    { code: 109, to: { status_code: 401, body: '{"error":"token expired"}' } },
    { code: 109, to: { status_code: 418, body: 'second transform of a code is ignored' } },
  ],
};

before(async () => {
  const base = { uni_sse: true, uni_http_stream: true, ping_interval: '-1s', allow_anonymous_connect_without_token: true };
  ts = await startTestServer({
    ...base,
    uni_sse_connect_code_to_http_response: transforms,
    uni_http_stream_connect_code_to_http_response: transforms,
  });
  plain = await startTestServer(base);
});
after(async () => {
  await ts.close();
  await plain.close();
});

/** Opens a uni stream and reads until `until` matches the text so far (or the body ends); then aborts. */
async function request(
  s: TestServer,
  kind: 'uni_sse' | 'uni_http_stream',
  connect: Record<string, unknown>,
  until: (text: string) => boolean,
): Promise<{ status: number; contentType: string | null; text: string }> {
  const ac = new AbortController();
  const url =
    kind === 'uni_sse'
      ? `${s.url}/connection/uni_sse?cf_connect=${encodeURIComponent(JSON.stringify(connect))}`
      : `${s.url}/connection/uni_http_stream`;
  const res = await fetch(url, kind === 'uni_sse' ? { signal: ac.signal } : { method: 'POST', body: JSON.stringify(connect), signal: ac.signal });
  let text = '';
  const dec = new TextDecoder();
  try {
    for await (const chunk of res.body!) {
      text += dec.decode(chunk as Uint8Array, { stream: true });
      if (until(text)) break;
    }
  } finally {
    ac.abort();
  }
  return { status: res.status, contentType: res.headers.get('content-type'), text };
}

const expired = async (): Promise<string> => connectToken('u1', {}, { expSec: nowSec() - 60 });

for (const kind of ['uni_sse', 'uni_http_stream'] as const) {
  describe(`${kind}_connect_code_to_http_response`, () => {
    it('a connect error with a transform gets its HTTP status and body (the first transform of the code)', async () => {
      const r = await request(ts, kind, { token: await expired() }, () => false);
      assert.equal(r.status, 401);
      assert.equal(r.text, '{"error":"token expired"}');
      assert.doesNotMatch(r.contentType ?? '', kind === 'uni_sse' ? /event-stream/ : /application\/json/);
    });

    it('a successful connect still streams: 200 with the stream headers and the connect push', async () => {
      const r = await request(ts, kind, { token: await connectToken('u2') }, (t) => t.includes('"connect"'));
      assert.equal(r.status, 200);
      if (kind === 'uni_sse') {
        assert.match(r.contentType ?? '', /^text\/event-stream/);
        assert.ok(r.text.startsWith('\r\ndata: {"connect":'), JSON.stringify(r.text));
      } else {
        assert.equal(r.contentType, 'application/json');
        assert.ok(r.text.startsWith('{"connect":'), JSON.stringify(r.text));
      }
      assert.match(r.text, /"client":"[0-9a-f-]{36}"/);
    });

    it('a failure without a transform keeps the 200 stream with the disconnect push', async () => {
      const r = await request(ts, kind, { token: 'not-a-jwt' }, (t) => t.includes('"disconnect"'));
      assert.equal(r.status, 200);
      assert.match(r.text, /"disconnect":\{"code":30\d\d/);
    });

    it('without the key (disabled) the error is a disconnect on a 200 stream (3005 for an expired token)', async () => {
      const r = await request(plain, kind, { token: await expired() }, (t) => t.includes('"disconnect"'));
      assert.equal(r.status, 200);
      assert.match(r.text, /"disconnect":\{"code":3005/);
    });
  });
}
