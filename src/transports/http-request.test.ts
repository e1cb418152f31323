import { strict as assert } from 'node:assert';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { headerValue, readBody, TOO_LARGE } from './http-request.js';

function fakeReq(headers: Record<string, string> = {}): PassThrough & { headers: Record<string, string>; complete: boolean } {
  const s = new PassThrough() as PassThrough & { headers: Record<string, string>; complete: boolean };
  s.headers = headers;
  s.complete = false;
  s.on('end', () => {
    s.complete = true;
  });
  return s;
}

describe('readBody', () => {
  it('collects the body up to the limit', async () => {
    const r = fakeReq();
    const p = readBody(r as unknown as IncomingMessage, 10);
    r.write('hello ');
    r.end('world');
    assert.equal(await p, TOO_LARGE);
    const ok = fakeReq();
    const q = readBody(ok as unknown as IncomingMessage, 11);
    ok.write('hello ');
    ok.end('world');
    assert.equal(String(await q), 'hello world');
  });

  it('refuses a declared length over the limit without reading', async () => {
    const r = fakeReq({ 'content-length': '11' });
    assert.equal(await readBody(r as unknown as IncomingMessage, 10), TOO_LARGE);
  });

  it('resolves undefined when the peer goes away mid-body', async () => {
    const r = fakeReq();
    const p = readBody(r as unknown as IncomingMessage, 100);
    r.write('par');
    r.destroy();
    assert.equal(await p, undefined);
  });

  it('an empty body is an empty buffer', async () => {
    const r = fakeReq();
    const p = readBody(r as unknown as IncomingMessage, 100);
    r.end();
    assert.equal((await p as Buffer).length, 0);
  });
});

describe('headerValue', () => {
  it('reads a configured header case-insensitively; no name = undefined', () => {
    const req = { headers: { 'x-user-id': '42' } } as unknown as IncomingMessage;
    assert.equal(headerValue(req, 'X-User-Id'), '42');
    assert.equal(headerValue(req, ''), undefined);
    assert.equal(headerValue(req, undefined), undefined);
  });
});
