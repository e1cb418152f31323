/**
 * @module test/integration/api-cases — a table of server-API calls and their expected outcomes,
 * shared by the HTTP front test (api-http.test.ts) and the future GRPC front test.
 *
 * Conventions:
 * - `request` is the JSON form of the request; raw (`bytes`) fields hold JSON values (a GRPC runner
 *   sends `JSON.stringify(value)` bytes).
 * - `$RUN` anywhere in a request string is replaced by a per-run token, so a run never sees the
 *   state of another (the table is run once per error mode against one server).
 * - `before` calls run first (their outcome is not checked).
 * - `expect.result` is the HTTP JSON form of the result (omitempty applied); for `batch` it is the
 *   whole `BatchResponse`. `ANY_STRING` / `ANY_NUMBER` / `ANY` match any value of that kind; with
 *   `subset` objects may carry extra keys.
 * - `expect.transportStatus` is the HTTP status in transport error mode for an error result.
 */

export const ANY = '<any>';
export const ANY_STRING = '<any string>';
export const ANY_NUMBER = '<any number>';

/** Config keys (as in a config file) the cases assume. */
export const API_CASES_CONFIG: Record<string, unknown> = {
  namespaces: [
    { name: 'hist', history_size: 10, history_ttl: '300s' },
    { name: 'pres', presence: true },
    { name: 'delta', history_size: 10, history_ttl: '300s', delta_publish: true, allowed_delta_types: ['fossil'] },
  ],
};

interface ApiCallSpec {
  readonly method: string;
  readonly request: Record<string, unknown>;
}

export interface ApiCase extends ApiCallSpec {
  readonly name: string;
  readonly before?: readonly ApiCallSpec[];
  readonly subset?: boolean;
  readonly expect: {
    readonly result?: unknown;
    readonly error?: { readonly code: number; readonly message: string };
    readonly transportStatus?: number;
  };
}

const E = {
  internal: { code: 100, message: 'internal server error' },
  unknownChannel: { code: 102, message: 'unknown channel' },
  notFound: { code: 104, message: 'not found' },
  badRequest: { code: 107, message: 'bad request' },
  notAvailable: { code: 108, message: 'not available' },
  unrecoverable: { code: 112, message: 'unrecoverable position' },
} as const;

const err = (error: { code: number; message: string }, transportStatus: number): ApiCase['expect'] => ({ error, transportStatus });

const pub = (channel: string, data: unknown, extra: Record<string, unknown> = {}): ApiCallSpec => ({
  method: 'publish',
  request: { channel, data, ...extra },
});

export const API_CASES: readonly ApiCase[] = [
  // ---- publish ----
  { name: 'publish without history', method: 'publish', request: { channel: 'plain$RUN', data: { text: 'hi' } }, expect: { result: {} } },
  {
    name: 'publish with history returns the position',
    method: 'publish',
    request: { channel: 'hist:p$RUN', data: { n: 1 } },
    before: [pub('hist:p$RUN', 0)],
    expect: { result: { offset: 2, epoch: ANY_STRING } },
  },
  { name: 'publish skip_history', method: 'publish', request: { channel: 'hist:s$RUN', data: 1, skip_history: true }, expect: { result: {} } },
  { name: 'publish b64data', method: 'publish', request: { channel: 'plain', b64data: 'AAEC' }, expect: { result: {} } },
  { name: 'publish null data is a payload', method: 'publish', request: { channel: 'plain', data: null }, expect: { result: {} } },
  {
    name: 'publish with tags, idempotency key and delta',
    method: 'publish',
    request: { channel: 'delta:i$RUN', data: { a: 1 }, tags: { k: 'v' }, idempotency_key: 'key$RUN', delta: true },
    before: [pub('delta:i$RUN', { a: 1 }, { idempotency_key: 'key$RUN' })],
    expect: { result: { offset: 1, epoch: ANY_STRING } },
  },
  { name: 'publish without channel', method: 'publish', request: { data: {} }, expect: err(E.badRequest, 400) },
  { name: 'publish without data', method: 'publish', request: { channel: 'plain' }, expect: err(E.badRequest, 400) },
  { name: 'publish with invalid b64data', method: 'publish', request: { channel: 'plain', b64data: 'not base64!' }, expect: err(E.badRequest, 400) },
  { name: 'publish unpadded b64data', method: 'publish', request: { channel: 'plain', b64data: 'YQ' }, expect: err(E.badRequest, 400) },
  { name: 'publish to unknown namespace', method: 'publish', request: { channel: 'nope:x', data: {} }, expect: err(E.unknownChannel, 404) },

  // ---- broadcast ----
  {
    name: 'broadcast to several channels, results in order',
    method: 'broadcast',
    request: { channels: ['plain', 'hist:b$RUN'], data: { x: 1 } },
    expect: { result: { responses: [{ result: {} }, { result: { offset: 1, epoch: ANY_STRING } }] } },
  },
  {
    name: 'broadcast per-channel errors stay in the body (also in transport mode)',
    method: 'broadcast',
    request: { channels: ['', 'nope:x', 'plain'], b64data: 'e30=' },
    expect: { result: { responses: [{ error: E.badRequest }, { error: E.unknownChannel }, { result: {} }] } },
  },
  { name: 'broadcast without channels', method: 'broadcast', request: { channels: [], data: {} }, expect: err(E.badRequest, 400) },
  { name: 'broadcast without data', method: 'broadcast', request: { channels: ['plain'] }, expect: err(E.badRequest, 400) },

  // ---- subscribe / unsubscribe / disconnect / refresh ----
  {
    name: 'subscribe a user without connections',
    method: 'subscribe',
    request: { user: 'u', channel: 'pres:x', client: 'c', session: 's', info: { i: 1 }, data: { d: 1 }, expire_at: 0, override: { presence: { value: false } }, recover_since: { offset: 1, epoch: 'e' } },
    expect: { result: {} },
  },
  { name: 'subscribe without channel', method: 'subscribe', request: { user: 'u' }, expect: err(E.badRequest, 400) },
  { name: 'subscribe to unknown namespace', method: 'subscribe', request: { user: 'u', channel: 'nope:x' }, expect: err(E.unknownChannel, 404) },
  { name: 'unsubscribe', method: 'unsubscribe', request: { user: 'u', channel: 'plain', client: 'c', session: 's' }, expect: { result: {} } },
  { name: 'unsubscribe with empty channel', method: 'unsubscribe', request: { user: 'u' }, expect: { result: {} } },
  { name: 'unsubscribe from unknown namespace', method: 'unsubscribe', request: { user: 'u', channel: 'nope:x' }, expect: err(E.unknownChannel, 404) },
  { name: 'disconnect with defaults', method: 'disconnect', request: { user: 'u' }, expect: { result: {} } },
  {
    name: 'disconnect with custom code, whitelist, client, session',
    method: 'disconnect',
    request: { user: 'u', disconnect: { code: 4000, reason: 'bye' }, whitelist: ['a'], client: 'c', session: 's' },
    expect: { result: {} },
  },
  { name: 'refresh', method: 'refresh', request: { user: 'u', client: 'c', expired: false, expire_at: 2_000_000_000, info: { n: 1 } }, expect: { result: {} } },
  { name: 'refresh expired', method: 'refresh', request: { user: 'u', expired: true }, expect: { result: {} } },

  // ---- presence ----
  { name: 'presence of an empty channel', method: 'presence', request: { channel: 'pres:empty' }, expect: { result: { presence: {} } } },
  { name: 'presence_stats of an empty channel', method: 'presence_stats', request: { channel: 'pres:empty' }, expect: { result: { num_clients: 0, num_users: 0 } } },
  { name: 'presence when disabled', method: 'presence', request: { channel: 'plain' }, expect: err(E.notAvailable, 400) },
  { name: 'presence_stats when disabled', method: 'presence_stats', request: { channel: 'hist:x' }, expect: err(E.notAvailable, 400) },
  { name: 'presence without channel', method: 'presence', request: {}, expect: err(E.badRequest, 400) },
  { name: 'presence_stats of unknown namespace', method: 'presence_stats', request: { channel: 'nope:x' }, expect: err(E.unknownChannel, 404) },

  // ---- history ----
  {
    name: 'history without limit returns only the position',
    method: 'history',
    request: { channel: 'hist:h$RUN' },
    before: [pub('hist:h$RUN', { n: 1 }), pub('hist:h$RUN', { n: 2 })],
    expect: { result: { publications: [], epoch: ANY_STRING, offset: 2 } },
  },
  {
    name: 'history of a fresh channel',
    method: 'history',
    request: { channel: 'hist:fresh$RUN', limit: -1 },
    expect: { result: { publications: [], epoch: ANY_STRING, offset: 0 } },
  },
  {
    name: 'history with no limit (-1), tags included',
    method: 'history',
    request: { channel: 'hist:h$RUN', limit: -1 },
    before: [pub('hist:h$RUN', { n: 1 }), pub('hist:h$RUN', 'two', { tags: { t: 'v' } })],
    expect: { result: { publications: [{ data: { n: 1 }, offset: 1 }, { data: 'two', offset: 2, tags: { t: 'v' } }], epoch: ANY_STRING, offset: 2 } },
  },
  {
    name: 'history limit 1',
    method: 'history',
    request: { channel: 'hist:h$RUN', limit: 1 },
    before: [pub('hist:h$RUN', 1), pub('hist:h$RUN', 2)],
    expect: { result: { publications: [{ data: 1, offset: 1 }], epoch: ANY_STRING, offset: 2 } },
  },
  {
    name: 'history reverse limit 1',
    method: 'history',
    request: { channel: 'hist:h$RUN', limit: 1, reverse: true },
    before: [pub('hist:h$RUN', 1), pub('hist:h$RUN', 2)],
    expect: { result: { publications: [{ data: 2, offset: 2 }], epoch: ANY_STRING, offset: 2 } },
  },
  {
    name: 'history since an offset (no epoch check)',
    method: 'history',
    request: { channel: 'hist:h$RUN', limit: -1, since: { offset: 2, epoch: '' } },
    before: [pub('hist:h$RUN', 1), pub('hist:h$RUN', 2), pub('hist:h$RUN', 3)],
    expect: { result: { publications: [{ data: 3, offset: 3 }], epoch: ANY_STRING, offset: 3 } },
  },
  {
    name: 'history since a different epoch',
    method: 'history',
    request: { channel: 'hist:h$RUN', limit: -1, since: { offset: 1, epoch: 'not-the-epoch' } },
    before: [pub('hist:h$RUN', 1)],
    expect: err(E.unrecoverable, 416),
  },
  {
    name: 'history reverse since offset 0 is an internal error (Centrifugo quirk)',
    method: 'history',
    request: { channel: 'hist:h$RUN', limit: 1, reverse: true, since: { offset: 0, epoch: '' } },
    expect: err(E.internal, 500),
  },
  { name: 'history when disabled', method: 'history', request: { channel: 'pres:x' }, expect: err(E.notAvailable, 400) },
  { name: 'history without channel', method: 'history', request: { limit: 1 }, expect: err(E.badRequest, 400) },
  { name: 'history of unknown namespace', method: 'history', request: { channel: 'nope:x' }, expect: err(E.unknownChannel, 404) },

  // ---- history_remove ----
  {
    name: 'history_remove keeps the position',
    method: 'history',
    request: { channel: 'hist:r$RUN', limit: -1 },
    before: [pub('hist:r$RUN', 1), pub('hist:r$RUN', 2), { method: 'history_remove', request: { channel: 'hist:r$RUN' } }],
    expect: { result: { publications: [], epoch: ANY_STRING, offset: 2 } },
  },
  { name: 'history_remove', method: 'history_remove', request: { channel: 'hist:x' }, expect: { result: {} } },
  { name: 'history_remove when disabled', method: 'history_remove', request: { channel: 'plain' }, expect: err(E.notAvailable, 400) },
  { name: 'history_remove without channel', method: 'history_remove', request: {}, expect: err(E.badRequest, 400) },

  // ---- channels / info / rpc ----
  { name: 'channels', method: 'channels', request: {}, expect: { result: { channels: {} } } },
  { name: 'channels with a pattern', method: 'channels', request: { pattern: '{chat,news}:*' }, expect: { result: { channels: {} } } },
  { name: 'channels with an invalid pattern', method: 'channels', request: { pattern: '[' }, expect: err(E.internal, 500) },
  {
    name: 'info lists this node',
    method: 'info',
    request: {},
    subset: true,
    expect: { result: { nodes: [{ uid: ANY_STRING, name: ANY_STRING, version: ANY_STRING, num_clients: ANY_NUMBER, num_users: ANY_NUMBER, num_channels: ANY_NUMBER, num_subs: ANY_NUMBER }] } },
  },
  { name: 'rpc without method', method: 'rpc', request: { params: {} }, expect: err(E.badRequest, 400) },
  { name: 'rpc unknown method', method: 'rpc', request: { method: 'getUser', params: { id: 1 } }, expect: err(E.notFound, 404) },

  // ---- batch (never transport errors) ----
  {
    name: 'batch, sequential',
    method: 'batch',
    request: {
      commands: [
        { publish: { channel: 'plain', data: {} } },
        { publish: { channel: 'nope:x', data: {} } },
        { presence_stats: { channel: 'pres:x' } },
        { history: { channel: 'hist:bt$RUN', limit: -1 } },
        { rpc: { method: 'x' } },
        {},
      ],
    },
    expect: {
      result: {
        replies: [
          { publish: {} },
          { error: E.unknownChannel },
          { presence_stats: { num_clients: 0, num_users: 0 } },
          { history: { publications: [], epoch: ANY_STRING, offset: 0 } },
          { error: E.notFound },
          { error: E.notFound },
        ],
      },
    },
  },
  {
    name: 'batch, parallel',
    method: 'batch',
    request: { parallel: true, commands: [{ publish: { channel: 'hist:bp$RUN', data: 1 } }, { broadcast: { channels: ['plain'], data: 2 } }, { info: {} }] },
    subset: true,
    expect: { result: { replies: [{ publish: { offset: 1, epoch: ANY_STRING } }, { broadcast: { responses: [{ result: {} }] } }, { info: { nodes: ANY } }] } },
  },
  { name: 'batch, empty', method: 'batch', request: { commands: [] }, expect: { result: {} } },
  { name: 'batch of errors only is still a success', method: 'batch', request: { commands: [{ publish: {} }] }, expect: { result: { replies: [{ error: E.badRequest }] } } },
];

/** Replaces `$RUN` in every string of `value`. */
export function withRun<T>(value: T, run: string): T {
  return JSON.parse(JSON.stringify(value).replaceAll('$RUN', run)) as T;
}

/** Asserts `actual` matches `expected` (placeholders, optional subset for objects); returns a mismatch path or undefined. */
export function mismatch(actual: unknown, expected: unknown, subset = false, path = '$'): string | undefined {
  if (expected === ANY) return actual === undefined ? `${path}: missing` : undefined;
  if (expected === ANY_STRING) return typeof actual === 'string' ? undefined : `${path}: expected a string, got ${JSON.stringify(actual)}`;
  if (expected === ANY_NUMBER) return typeof actual === 'number' ? undefined : `${path}: expected a number, got ${JSON.stringify(actual)}`;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${JSON.stringify(actual)}`;
    if (actual.length !== expected.length) return `${path}: expected ${expected.length} items, got ${actual.length}: ${JSON.stringify(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      const m = mismatch(actual[i], expected[i], subset, `${path}[${i}]`);
      if (m !== undefined) return m;
    }
    return undefined;
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return `${path}: expected an object, got ${JSON.stringify(actual)}`;
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    if (!subset) {
      const extra = Object.keys(a).filter((k) => !(k in e));
      if (extra.length > 0) return `${path}: unexpected keys ${extra.join(', ')} in ${JSON.stringify(actual)}`;
    }
    for (const k of Object.keys(e)) {
      if (!(k in a)) return `${path}.${k}: missing in ${JSON.stringify(actual)}`;
      const m = mismatch(a[k], e[k], subset, `${path}.${k}`);
      if (m !== undefined) return m;
    }
    return undefined;
  }
  return Object.is(actual, expected) ? undefined : `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}
