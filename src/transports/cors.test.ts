import { strict as assert } from 'node:assert';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { answerPreflight, applyCors } from './cors.js';

function fakeRes(): { res: ServerResponse; headers: Record<string, string>; status: () => number; ended: () => boolean } {
  const headers: Record<string, string> = {};
  let status = 0;
  let ended = false;
  const res = {
    setHeader: (k: string, v: string) => {
      headers[k.toLowerCase()] = v;
    },
    writeHead: (s: number) => {
      status = s;
    },
    end: () => {
      ended = true;
    },
  } as unknown as ServerResponse;
  return { res, headers, status: () => status, ended: () => ended };
}

const req = (headers: Record<string, string>): IncomingMessage => ({ headers }) as unknown as IncomingMessage;
const only = (allowed: string) => (o: string | undefined) => o === undefined || o === allowed;

describe('cors', () => {
  it('reflects an allowed origin, echoes requested headers, allows credentials', () => {
    const r = fakeRes();
    assert.equal(applyCors(req({ origin: 'https://a.example', 'access-control-request-headers': 'content-type, x-a' }), r.res, only('https://a.example')), true);
    assert.deepEqual(r.headers, {
      'access-control-allow-origin': 'https://a.example',
      'access-control-allow-headers': 'content-type, x-a',
      'access-control-allow-credentials': 'true',
    });
  });

  it('adds nothing for a refused origin or a request without Origin', () => {
    const refused = fakeRes();
    assert.equal(applyCors(req({ origin: 'https://evil.example' }), refused.res, only('https://a.example')), false);
    assert.deepEqual(refused.headers, {});
    const none = fakeRes();
    assert.equal(applyCors(req({}), none.res, only('https://a.example')), true);
    assert.deepEqual(none.headers, {});
  });

  it('does not echo a "null" request-headers value', () => {
    const r = fakeRes();
    applyCors(req({ origin: 'https://a.example', 'access-control-request-headers': 'null' }), r.res, only('https://a.example'));
    assert.equal(r.headers['access-control-allow-headers'], undefined);
  });

  it('answers a preflight with 204, methods and max age', () => {
    const r = fakeRes();
    answerPreflight(r.res, 'POST, OPTIONS');
    assert.equal(r.status(), 204);
    assert.ok(r.ended());
    assert.deepEqual(r.headers, { 'access-control-max-age': '300', 'access-control-allow-methods': 'POST, OPTIONS' });
  });
});
