/**
 * @module api/http — the HTTP front of the server API: `POST /api/<method>` (JSON request/response)
 * and the legacy `POST /api` command stream (Centrifugo's server API middleware order, server API authentication, legacy `POST /api` format, server API error model).
 *
 * Order of checks for every request: unknown method path → 404, not POST → 405 (empty body),
 * API key → 401 (empty body), then (legacy only) shutting down → 503, then the body is read and
 * decoded (undecodable → 400 `Bad Request`). Plain-text error bodies match Go's `http.Error`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../core/logger.js';
import { ApiErrors, toHttpStatus } from './errors.js';
import type { Executor } from './executor.js';
import {
  decodeCommandStream,
  decodeRequest,
  encodeBatchResponse,
  encodeError,
  encodeReply,
  encodeResponse,
  encodeResult,
  JsonDecodeError,
  JsonEncodeError,
} from './json.js';
import { type ApiResponse, type ApiUnaryMethod, type Command, isApiMethod, LEGACY_METHODS, type Reply } from './types.js';

/** Bodies larger than this are refused with 413 (protects the process; Go has no limit). */
const MAX_API_BODY_BYTES = 64 * 1024 * 1024;

/** Options of {@link createHttpApiHandler}. */
export interface HttpApiOptions {
  /** `api_key`; empty (and not insecure) = every request is refused with 401. */
  readonly apiKey: string;
  /** `api_insecure`: no key check. */
  readonly insecure: boolean;
  /** `api_error_mode`: `'transport'` maps API errors to HTTP statuses for every request. */
  readonly errorMode: '' | 'transport';
  /** True while the node shuts down: the legacy endpoint answers 503. */
  readonly isShuttingDown?: () => boolean;
  readonly logger: Logger;
  /** @default MAX_API_BODY_BYTES */
  readonly maxBodyBytes?: number;
}

/** Handles one API request; `method` is `''` for the legacy endpoint, else the path segment after `/api/`. */
export type HttpApiHandler = (req: IncomingMessage, res: ServerResponse, method: string) => void;

const ERROR_MODE_HEADER = 'x-centrifugo-error-mode';

class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

function sendText(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(`${text}\n`);
}

function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'Content-Length': '0' });
  res.end();
}

function sendJson(res: ServerResponse, status: number, body: Uint8Array): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
  res.end(body);
}

/**
 * The first value of a header (`name` in lower case), as Go's `Header.Get` reads it. Read from
 * `rawHeaders`: touching `req.headers` makes Node build the whole header object, on every request.
 */
function firstHeader(req: IncomingMessage, name: string): string | undefined {
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!;
    if (k.length === name.length && (k === name || sameAsciiLower(k, name))) return raw[i + 1];
  }
  return undefined;
}

/** `k` lower-cased (ASCII letters) equals `lower`, without allocating; lengths are equal. */
function sameAsciiLower(k: string, lower: string): boolean {
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a ? c | 0x20 : c) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Constant-time equality for equal lengths (like Go's subtle.ConstantTimeCompare, a length
 * mismatch answers at once), over UTF-16 code units: no allocation per request.
 */
function keyMatcher(expected: string): (given: string) => boolean {
  return (given) => {
    if (given.length !== expected.length) return false;
    let diff = 0;
    for (let i = 0; i < given.length; i++) diff |= given.charCodeAt(i) ^ expected.charCodeAt(i);
    return diff === 0;
  };
}

/**
 * Reads the whole body, then calls `done` once: with the body, or with BodyTooLargeError / the
 * stream's error. A callback rather than a Promise: this runs for every API request.
 */
function readBody(req: IncomingMessage, limit: number, done: (err: Error | undefined, body: Buffer) => void): void {
  const declared = Number(firstHeader(req, 'content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    done(new BodyTooLargeError(), EMPTY);
    return;
  }
  let first: Buffer | undefined;
  let chunks: Buffer[] | undefined;
  let size = 0;
  // A flag rather than removing the four listeners: the request object is dropped after its
  // response anyway, and `off` per listener per request measurably costs on the API path.
  let settled = false;
  const finish = (err: Error | undefined, body: Buffer): void => {
    if (settled) return;
    settled = true;
    done(err, body);
  };
  req.on('data', (chunk: Buffer) => {
    if (settled) return;
    size += chunk.length;
    if (size > limit) {
      req.pause();
      finish(new BodyTooLargeError(), EMPTY);
      return;
    }
    if (first === undefined) first = chunk;
    else (chunks ??= [first]).push(chunk);
  });
  req.on('end', () => finish(undefined, chunks !== undefined ? Buffer.concat(chunks, size) : (first ?? EMPTY)));
  req.on('error', (err: Error) => finish(err, EMPTY));
  req.on('aborted', () => finish(new Error('request aborted'), EMPTY));
}

const EMPTY = Buffer.alloc(0);

/** A response whose result has no fields (e.g. publish without history): its bytes never change. */
function isEmptyResult(response: ApiResponse<unknown>): boolean {
  if (response.error !== undefined || typeof response.result !== 'object' || response.result === null) return false;
  for (const _ in response.result) return false;
  return true;
}

const emptyResponses = new Map<ApiUnaryMethod, Buffer>();

/** The encoding of `{result: {}}` for a method, encoded once. */
function emptyResponse(method: ApiUnaryMethod): Buffer {
  let b = emptyResponses.get(method);
  if (b === undefined) {
    b = encodeResponse(method, { result: {} });
    emptyResponses.set(method, b);
  }
  return b;
}

/** Builds the handler mounted by the app router on `/api` and `/api/<method>`. */
export function createHttpApiHandler(executor: Executor, options: HttpApiOptions): HttpApiHandler {
  const { apiKey, insecure, errorMode, logger } = options;
  const maxBody = options.maxBodyBytes ?? MAX_API_BODY_BYTES;
  const keyEquals = keyMatcher(apiKey);

  const authorized = (req: IncomingMessage): boolean => {
    if (insecure) return true;
    if (apiKey === '') {
      logger.error('API key is empty');
      return false;
    }
    let valid = false;
    const headerKey = firstHeader(req, 'x-api-key');
    if (headerKey !== undefined && headerKey !== '') {
      // A repeated header: Go compares its first value, which is what firstHeader returns.
      valid = keyEquals(headerKey);
    } else {
      const auth = firstHeader(req, 'authorization');
      if (auth !== undefined && auth !== '') {
        const parts = auth.split(/\s+/).filter((p) => p !== '');
        valid = parts.length === 2 && (parts[0] as string).toLowerCase() === 'apikey' && keyEquals(parts[1] as string);
      }
    }
    if (!valid) {
      const url = req.url ?? '';
      const q = url.indexOf('?');
      if (q >= 0 && q < url.length - 1) {
        const given = new URLSearchParams(url.slice(q + 1)).get('api_key');
        if (given !== null) valid = keyEquals(given);
      }
    }
    return valid;
  };

  const handleMethod = async (req: IncomingMessage, res: ServerResponse, method: string, body: Buffer): Promise<void> => {
    if (!isApiMethod(method)) return sendText(res, 404, '404 page not found');
    let request: unknown;
    try {
      request = decodeRequest(method, body);
    } catch (err) {
      if (!(err instanceof JsonDecodeError)) throw err;
      if (logger.enabled('info')) logger.info('error decoding api request', { method, error: err.message });
      return sendText(res, 400, 'Bad Request');
    }
    if (method === 'batch') {
      const response = await executor.batch(request as Parameters<Executor['batch']>[0], 'http');
      return sendJson(res, 200, encodeBatchResponse(response));
    }
    const unary: ApiUnaryMethod = method;
    const response: ApiResponse<unknown> = await executor.execute(unary, request as never, 'http');
    const transport = errorMode === 'transport' || firstHeader(req, ERROR_MODE_HEADER) === 'transport';
    if (response.error !== undefined && transport) {
      return sendJson(res, toHttpStatus(response.error.code), encodeError(response.error));
    }
    sendJson(res, 200, isEmptyResult(response) ? emptyResponse(unary) : encodeResponse(unary, response as never));
  };

  const legacyCommand = async (cmd: Command): Promise<Reply> => {
    const reply: Reply = {};
    if (cmd.id !== undefined && cmd.id !== 0) reply.id = cmd.id;
    const method = LEGACY_METHODS.get(cmd.method ?? 0);
    if (method === undefined) {
      reply.error = { ...ApiErrors.NotFound };
      return reply;
    }
    let request: unknown = {};
    if (method !== 'info') {
      try {
        request = decodeRequest(method, cmd.params ?? new Uint8Array(0));
      } catch (err) {
        if (!(err instanceof JsonDecodeError)) throw err;
        reply.error = { ...ApiErrors.BadRequest };
        return reply;
      }
    }
    const response: ApiResponse<unknown> = await executor.execute(method, request as never, 'http');
    if (response.error !== undefined) reply.error = response.error;
    else reply.result = encodeResult(method, (response.result ?? {}) as never);
    return reply;
  };

  const handleLegacy = async (res: ServerResponse, body: Buffer): Promise<void> => {
    if (body.length === 0) return sendText(res, 400, 'Bad Request');
    const replies: Buffer[] = [];
    try {
      for (const cmd of decodeCommandStream(body)) replies.push(encodeReply(await legacyCommand(cmd)));
    } catch (err) {
      if (!(err instanceof JsonDecodeError)) throw err;
      if (logger.enabled('info')) logger.info('error decoding legacy api command', { error: err.message });
      return sendText(res, 400, 'Bad Request');
    }
    const parts: Buffer[] = [];
    replies.forEach((r, i) => {
      if (i > 0) parts.push(Buffer.from('\n'));
      parts.push(r);
    });
    sendJson(res, 200, Buffer.concat(parts));
  };

  return (req, res, method) => {
    if (logger.enabled('debug')) {
      const started = performance.now();
      res.once('finish', () => {
        logger.debug('http request', {
          method: req.method,
          status: res.statusCode,
          path: req.url,
          addr: firstHeader(req, 'x-real-ip') ?? firstHeader(req, 'x-forwarded-for') ?? req.socket.remoteAddress,
          duration: `${((performance.now() - started) / 1000).toFixed(6)}s`,
        });
      });
    }
    if (method !== '' && !isApiMethod(method)) return sendText(res, 404, '404 page not found');
    if (req.method !== 'POST') return sendEmpty(res, 405);
    if (!authorized(req)) return sendEmpty(res, 401);
    if (method === '' && options.isShuttingDown?.() === true) return sendEmpty(res, 503);

    const fail = (err: unknown): void => {
      if (err instanceof BodyTooLargeError) {
        res.setHeader('Connection', 'close');
        res.once('finish', () => req.socket.destroy());
        return sendText(res, 413, 'Request Entity Too Large');
      }
      if (err instanceof JsonEncodeError) {
        logger.error('error encoding api response', { method, error: err.message });
        return sendText(res, 500, 'Internal Server Error');
      }
      if (req.destroyed || res.destroyed) return; // the client went away while we read the body
      logger.error('error handling api request', { method, error: String(err) });
      sendText(res, 500, 'Internal Server Error');
    };
    readBody(req, maxBody, (err, body) => {
      if (err !== undefined) return fail(err);
      (method === '' ? handleLegacy(res, body) : handleMethod(req, res, method, body)).catch(fail);
    });
  };
}
