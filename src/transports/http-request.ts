/**
 * @module transports/http-request — request-side helpers shared by the HTTP connection endpoints:
 * bounded body reading, status-only answers, the streaming response headers (Centrifugo's HTTP-streaming transport).
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** Headers of every streaming response (http_stream, sse and the uni_* HTTP transports). */
export const STREAM_HEADERS: Readonly<OutgoingHttpHeaders> = Object.freeze({
  'Cache-Control': 'private, no-cache, no-store, must-revalidate, max-age=0',
  Pragma: 'no-cache',
  Expire: '0',
  'X-Accel-Buffering': 'no',
  Connection: 'keep-alive',
});

/** STREAM_HEADERS for HTTP/2 requests: connection-specific headers do not exist there (RFC 9113 §8.2.2). */
export const STREAM_HEADERS_H2: Readonly<OutgoingHttpHeaders> = Object.freeze(Object.fromEntries(Object.entries(STREAM_HEADERS).filter(([k]) => k !== 'Connection')));

/** Returned by `readBody` when the body exceeds the limit. */
export const TOO_LARGE: unique symbol = Symbol('too large');

/**
 * Reads the whole request body, at most `limit` bytes. Resolves with TOO_LARGE as soon as the
 * declared or received length exceeds it, or with `undefined` when the peer went away.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | typeof TOO_LARGE | undefined> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) return TOO_LARGE;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (value: Buffer | typeof TOO_LARGE | undefined): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
      resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        finish(TOO_LARGE);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    const onGone = (): void => finish(req.complete ? Buffer.concat(chunks, size) : undefined);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onGone);
  });
}

/** Ends the response with a bare status (no body). */
export function answerStatus(res: ServerResponse, status: number, extra?: OutgoingHttpHeaders): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, extra);
  res.end();
}

/** 413: the connection is closed too (HTTP/1), since the rest of the body is not read. */
export function answerTooLarge(res: ServerResponse): void {
  answerStatus(res, 413, res.req.httpVersionMajor === 2 ? undefined : { Connection: 'close' });
}

/** The request's value of a header named in config (e.g. `client_user_id_http_header`). */
export function headerValue(req: IncomingMessage, name: string | undefined): string | undefined {
  if (name === undefined || name === '') return undefined;
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The request headers named in `names` (lower-case; `NodeOptions.captureHeaders`), recorded once when
 * a connection opens so proxies can forward them. Undefined when none is asked for or present.
 */
export function capturedHeaders(req: IncomingMessage, names: readonly string[]): Record<string, string> | undefined {
  if (names.length === 0) return undefined;
  let out: Record<string, string> | undefined;
  for (const name of names) {
    const v = req.headers[name];
    const value = Array.isArray(v) ? v.join(', ') : v;
    if (value === undefined) continue;
    (out ??= Object.create(null) as Record<string, string>)[name] = value;
  }
  return out;
}
