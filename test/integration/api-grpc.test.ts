/**
 * @module test/integration/api-grpc.test — the GRPC server API end to end, with a client built by
 * `@grpc/grpc-js` + `@grpc/proto-loader` from our `api.proto`.
 *
 * The shared case table (api-cases.ts) runs through both fronts of the same server: every case is
 * called over GRPC and over HTTP, each outcome is checked against the table, and the two outcomes
 * (GRPC response converted to the HTTP JSON form) must be equal. Then: auth, PRO rpcs, bad input,
 * limits, gzip, a live centrifuge-js Protobuf subscriber receiving binary data byte-exact, TLS,
 * reflection and shutdown.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { startGrpcApi } from '../../src/api/grpc.js';
import { defaultConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Client } from '../harness/sdk.js';
import { sdkClient } from '../harness/sdk.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { connectToken } from '../harness/tokens.js';
import { waitFor } from '../harness/wait.js';
import { ANY, ANY_NUMBER, ANY_STRING, API_CASES, API_CASES_CONFIG, type ApiCase, mismatch, withRun } from './api-cases.js';

// ---- client side of the schema -------------------------------------------------------------------

const PROTO = fileURLToPath(new URL('../../src/api/api.proto', import.meta.url));
const PKG = 'centrifugal.centrifugo.api';
const SERVICE_PATH = `/${PKG}.CentrifugoApi`;
const GRPC_KEY = 'grpc-secret';

/** What a typical client would use: no defaults, so absent fields stay absent. */
const packageDefinition = protoLoader.loadSync(PROTO, { keepCase: true, longs: Number, enums: String, defaults: false, oneofs: false });
// loadPackageDefinition returns a nested namespace object; walk it to the service constructor.
const ApiClient = (grpc.loadPackageDefinition(packageDefinition) as unknown as { centrifugal: { centrifugo: { api: { CentrifugoApi: grpc.ServiceClientConstructor } } } })
  .centrifugal.centrifugo.api.CentrifugoApi;

/** A generated client stub: a grpc-js Client with one method per rpc. */
type ApiStub = InstanceType<grpc.ServiceClientConstructor>;

const root = new protobuf.Root().loadSync(PROTO, { keepCase: true });
root.resolveAll();
const apiService = root.lookupService(`${PKG}.CentrifugoApi`);
const messageType = (name: string): protobuf.Type => root.lookupType(`${PKG}.${name}`);

const { root: statusRoot } = protobuf.parse(
  `syntax = "proto3"; package google.rpc;
   message Any { string type_url = 1; bytes value = 2; }
   message Status { int32 code = 1; string message = 2; repeated Any details = 3; }`,
  { keepCase: true },
);
const StatusType = statusRoot.lookupType('google.rpc.Status');

/** Wire name (HTTP path) → rpc name. */
const RPC_OF: Record<string, string> = {
  batch: 'Batch',
  publish: 'Publish',
  broadcast: 'Broadcast',
  subscribe: 'Subscribe',
  unsubscribe: 'Unsubscribe',
  disconnect: 'Disconnect',
  presence: 'Presence',
  presence_stats: 'PresenceStats',
  history: 'History',
  history_remove: 'HistoryRemove',
  info: 'Info',
  rpc: 'RPC',
  refresh: 'Refresh',
  channels: 'Channels',
};

const PRO_RPCS = [
  'Connections', 'UpdateUserStatus', 'GetUserStatus', 'DeleteUserStatus', 'BlockUser', 'UnblockUser', 'RevokeToken', 'InvalidateUserTokens',
  'DeviceRegister', 'DeviceUpdate', 'DeviceRemove', 'DeviceList', 'DeviceTopicList', 'DeviceTopicUpdate', 'UserTopicList', 'UserTopicUpdate',
  'SendPushNotification', 'UpdatePushStatus', 'CancelPush',
];

/** Centrifugo's MapErrorToGRPCCode: API error code → GRPC status code. */
const GRPC_CODE_OF: Record<number, number> = { 100: 13, 102: 5, 104: 5, 107: 3, 108: 3, 112: 11, 113: 6 };

/** Fields Go's JSON encoding always emits (Centrifugo's always-present JSON fields), by `Message.field`. */
const ALWAYS_PRESENT = new Set([
  'ClientInfo.user',
  'ClientInfo.client',
  'PresenceResult.presence',
  'PresenceStatsResult.num_clients',
  'PresenceStatsResult.num_users',
  'HistoryResult.publications',
  'HistoryResult.epoch',
  'HistoryResult.offset',
  'NodeResult.uid',
  'NodeResult.name',
  'NodeResult.version',
  'NodeResult.num_clients',
  'NodeResult.num_users',
  'NodeResult.num_channels',
  'NodeResult.num_subs',
  'ChannelsResult.channels',
]);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const subType = (f: protobuf.Field): protobuf.Type | undefined => (f.resolvedType instanceof protobuf.Type ? f.resolvedType : undefined);

/** HTTP JSON request → GRPC request object: raw (`bytes`) fields become the JSON text's bytes. */
function toGrpcRequest(type: protobuf.Type, json: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(json)) {
    const f = type.fields[k];
    if (f === undefined) throw new Error(`test case uses unknown field ${type.name}.${k}`);
    const sub = subType(f);
    if (f.map) out[k] = sub === undefined ? v : Object.fromEntries(Object.entries(v as Json).map(([mk, mv]) => [mk, toGrpcRequest(sub, mv as Json)]));
    else if (f.repeated) out[k] = sub === undefined ? v : (v as Json[]).map((x) => toGrpcRequest(sub, x));
    else if (sub !== undefined) out[k] = v === null ? null : toGrpcRequest(sub, v as Json);
    else if (f.type === 'bytes') out[k] = Buffer.from(JSON.stringify(v));
    else out[k] = v;
  }
  return out;
}

function zeroOf(f: protobuf.Field): unknown {
  if (f.type === 'string') return '';
  if (f.type === 'bool') return false;
  return 0;
}

/** Decoded GRPC response → the JSON Go's HTTP API emits for it (omitempty + always-present fields, raw bytes as JSON). */
function toHttpJson(type: protobuf.Type, msg: Json): Json {
  const out: Json = {};
  for (const f of type.fieldsArray) {
    const v = msg[f.name];
    const always = ALWAYS_PRESENT.has(`${type.name}.${f.name}`);
    const sub = subType(f);
    if (f.map) {
      const entries = Object.entries((v ?? {}) as Json);
      if (entries.length === 0 && !always) continue;
      out[f.name] = Object.fromEntries(entries.map(([k, x]) => [k, sub === undefined ? x : toHttpJson(sub, x as Json)]));
    } else if (f.repeated) {
      const list = (v ?? []) as unknown[];
      if (list.length === 0 && !always) continue;
      out[f.name] = sub === undefined ? list : list.map((x) => toHttpJson(sub, x as Json));
    } else if (sub !== undefined) {
      if (v !== undefined && v !== null) out[f.name] = toHttpJson(sub, v as Json);
    } else if (v === undefined || v === null || v === 0 || v === '' || v === false || (v instanceof Uint8Array && v.length === 0)) {
      if (always) out[f.name] = zeroOf(f);
    } else {
      out[f.name] = f.type === 'bytes' ? JSON.parse(Buffer.from(v as Uint8Array).toString('utf8')) : v;
    }
  }
  return out;
}

/** `actual` with placeholder positions of `expected` replaced by the placeholder (and, for subsets, extra keys dropped). */
function mask(actual: unknown, expected: unknown, subset: boolean): unknown {
  if (expected === ANY || expected === ANY_STRING || expected === ANY_NUMBER) return expected;
  if (Array.isArray(expected) && Array.isArray(actual)) return (actual as unknown[]).map((a, i) => (i < expected.length ? mask(a, (expected as unknown[])[i], subset) : a));
  if (isObject(expected) && isObject(actual)) {
    const out: Json = {};
    for (const k of Object.keys(actual)) {
      if (k in expected) out[k] = mask(actual[k], expected[k], subset);
      else if (!subset) out[k] = actual[k];
    }
    return out;
  }
  return actual;
}

// ---- calling ----------------------------------------------------------------------------------------

interface RpcResult {
  err: grpc.ServiceError | null;
  res: Json | undefined;
}

type UnaryFn = (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: Json) => void) => grpc.ClientUnaryCall;

function newClient(port: number, options: grpc.ClientOptions = {}, creds = grpc.credentials.createInsecure(), host = '127.0.0.1'): ApiStub {
  return new ApiClient(`${host}:${port}`, creds, options);
}

function metadata(entries: Record<string, string> = {}): grpc.Metadata {
  const m = new grpc.Metadata();
  for (const [k, v] of Object.entries(entries)) m.add(k, v);
  return m;
}

function rpc(client: ApiStub, name: string, request: unknown, md = metadata()): Promise<RpcResult> {
  return new Promise((resolve) => {
    const fn = client[name] as UnaryFn | undefined;
    if (fn === undefined) throw new Error(`client has no rpc ${name}`);
    fn.call(client, request, md, { deadline: Date.now() + 10_000 }, (err, res) => resolve({ err, res }));
  });
}

/** A unary call with hand-made request bytes (identity serializers). */
function rawRpc(client: grpc.Client, name: string, bytes: Buffer, md = metadata()): Promise<{ err: grpc.ServiceError | null; res: Buffer | undefined }> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      `${SERVICE_PATH}/${name}`,
      (b: Buffer) => b,
      (b: Buffer) => b,
      bytes,
      md,
      { deadline: Date.now() + 10_000 },
      (err, res) => resolve({ err, res }),
    );
  });
}

/** Decodes the `grpc-status-details-bin` trailer to `{ code, message, details: [{type_url, error}] }`. */
function statusDetails(err: grpc.ServiceError): { code: number; message: string; details: { type_url: string; error: Json }[] } {
  const raw = err.metadata.get('grpc-status-details-bin');
  assert.equal(raw.length, 1, 'one grpc-status-details-bin trailer');
  const status = StatusType.toObject(StatusType.decode(raw[0] as Buffer), { defaults: true }) as { code: number; message: string; details: { type_url: string; value: Uint8Array }[] };
  const ErrorType = messageType('Error');
  return {
    code: status.code,
    message: status.message,
    details: status.details.map((d) => ({ type_url: d.type_url, error: ErrorType.toObject(ErrorType.decode(d.value), { defaults: true }) })),
  };
}

/** One front's answer in a comparable form: status (HTTP status or GRPC code) and body (HTTP JSON form). */
interface Outcome {
  readonly front: 'http' | 'grpc';
  readonly status: number;
  readonly body: unknown;
}

async function grpcOutcome(client: ApiStub, method: string, request: Json, md: grpc.Metadata): Promise<Outcome> {
  const name = RPC_OF[method];
  assert.ok(name, `no rpc for ${method}`);
  const m = apiService.methods[name]!;
  const { err, res } = await rpc(client, name, toGrpcRequest(m.resolvedRequestType!, request), md);
  if (err !== null) {
    // Transport error mode: the status carries the message and the API Error as its only detail.
    const details = statusDetails(err);
    assert.equal(details.code, err.code);
    assert.equal(details.message, err.details);
    assert.equal(details.details.length, 1);
    assert.equal(details.details[0]?.type_url, `type.googleapis.com/${PKG}.Error`);
    const error = details.details[0].error;
    assert.equal(error['message'], err.details);
    return { front: 'grpc', status: err.code, body: error };
  }
  return { front: 'grpc', status: grpc.status.OK, body: toHttpJson(m.resolvedResponseType!, res ?? {}) };
}

/** Checks one front's outcome against the case table. */
function checkOutcome(c: ApiCase, o: Outcome, transport: boolean): void {
  const ok = o.front === 'http' ? 200 : grpc.status.OK;
  const what = `${o.front}: ${JSON.stringify(o.body)}`;
  if (c.expect.error !== undefined) {
    if (transport && c.method !== 'batch') {
      assert.equal(o.status, o.front === 'http' ? c.expect.transportStatus : GRPC_CODE_OF[c.expect.error.code], what);
      assert.deepEqual(o.body, c.expect.error, what);
    } else {
      assert.equal(o.status, ok, what);
      assert.deepEqual(o.body, { error: c.expect.error }, what);
    }
    return;
  }
  assert.equal(o.status, ok, what);
  const m = mismatch(o.body, c.method === 'batch' ? c.expect.result : { result: c.expect.result }, c.subset === true);
  assert.equal(m, undefined, `${o.front}: ${m}`);
}

let runCounter = 0;
const nextRun = (): string => `g${++runCounter}x${process.pid}`;

/**
 * Runs a case through both fronts of `ts` (fresh `$RUN` each), checks each against the table and
 * asserts both give the same answer (placeholders masked).
 */
async function runCaseBothFronts(ts: TestServer, client: ApiStub, c: ApiCase, opts: { transport: boolean; grpcMetadata: Record<string, string> }): Promise<void> {
  const httpHeaders: Record<string, string> = opts.transport ? { 'X-Centrifugo-Error-Mode': 'transport' } : {};
  const outcomes: Outcome[] = [];
  for (const front of ['http', 'grpc'] as const) {
    const run = nextRun();
    for (const step of withRun(c.before ?? [], run)) {
      const r = await ts.api(step.method, step.request);
      assert.equal(r.status, 200, `before step ${step.method}: ${JSON.stringify(r.body)}`);
    }
    const request = withRun(c.request, run) as Json;
    if (front === 'http') {
      const r = await ts.api(c.method, request, httpHeaders);
      outcomes.push({ front, status: r.status, body: r.body });
    } else {
      outcomes.push(await grpcOutcome(client, c.method, request, metadata(opts.grpcMetadata)));
    }
  }
  const [http, viaGrpc] = outcomes as [Outcome, Outcome];
  checkOutcome(c, http, opts.transport);
  checkOutcome(c, viaGrpc, opts.transport);
  const expected = c.expect.error !== undefined ? undefined : c.method === 'batch' ? c.expect.result : { result: c.expect.result };
  const subset = c.subset === true;
  assert.deepEqual(mask(viaGrpc.body, expected, subset), mask(http.body, expected, subset), 'GRPC and HTTP disagree');
}

const GRPC_SERVER = { grpc_api: true, grpc_api_port: 0, grpc_api_address: '127.0.0.1' };

// ---- tests -----------------------------------------------------------------------------------------

void describe('GRPC server API', () => {
  /** No key, default error mode. */
  let a: TestServer;
  let clientA: ApiStub;
  /** grpc_api_key + grpc_api_error_mode: transport. */
  let b: TestServer;
  let clientB: ApiStub;
  const auth = { authorization: `apikey ${GRPC_KEY}` };

  before(async () => {
    a = await startTestServer({ ...API_CASES_CONFIG, ...GRPC_SERVER });
    b = await startTestServer({ ...API_CASES_CONFIG, ...GRPC_SERVER, grpc_api_key: GRPC_KEY, grpc_api_error_mode: 'transport' });
    clientA = newClient(a.server.grpcPort!);
    clientB = newClient(b.server.grpcPort!);
  });
  after(async () => {
    clientA?.close();
    clientB?.close();
    await a?.close();
    await b?.close();
  });

  void test('grpc_api_port 0 binds a random port, reported on the running server', () => {
    assert.equal(typeof a.server.grpcPort, 'number');
    assert.ok(a.server.grpcPort! > 0);
    assert.notEqual(a.server.grpcPort, a.port);
    assert.notEqual(a.server.grpcPort, b.server.grpcPort);
  });

  void describe('cases, default error mode (GRPC = HTTP)', () => {
    for (const c of API_CASES) void test(c.name, () => runCaseBothFronts(a, clientA, c, { transport: false, grpcMetadata: {} }));
  });

  void describe('cases, transport error mode by metadata x-centrifugo-error-mode (GRPC = HTTP)', () => {
    for (const c of API_CASES) {
      void test(c.name, () => runCaseBothFronts(a, clientA, c, { transport: true, grpcMetadata: { 'x-centrifugo-error-mode': 'transport' } }));
    }
  });

  void describe('cases, transport error mode by grpc_api_error_mode, with grpc_api_key (GRPC = HTTP)', () => {
    for (const c of API_CASES) void test(c.name, () => runCaseBothFronts(b, clientB, c, { transport: true, grpcMetadata: auth }));
  });

  void describe('error modes', () => {
    void test('metadata value must be exactly "transport"; batch is never a transport error', async () => {
      for (const v of ['Transport', 'TRANSPORT', 'result', '']) {
        const r = await rpc(clientA, 'Publish', {}, metadata({ 'x-centrifugo-error-mode': v }));
        assert.equal(r.err, null, v);
        assert.deepEqual(r.res, { error: { code: 107, message: 'bad request' } });
      }
      const batch = await rpc(clientB, 'Batch', { commands: [{ publish: {} }] }, metadata(auth));
      assert.equal(batch.err, null);
      assert.deepEqual(batch.res, { replies: [{ error: { code: 107, message: 'bad request' } }] });
    });

    void test('transport status: code, message and the Error detail', async () => {
      const { err } = await rpc(clientB, 'History', { channel: 'nope:x' }, metadata(auth));
      assert.ok(err);
      assert.equal(err.code, grpc.status.NOT_FOUND);
      assert.equal(err.details, 'unknown channel');
      assert.deepEqual(statusDetails(err), {
        code: grpc.status.NOT_FOUND,
        message: 'unknown channel',
        details: [{ type_url: `type.googleapis.com/${PKG}.Error`, error: { code: 102, message: 'unknown channel' } }],
      });
    });
  });

  void describe('authentication', () => {
    void test('without grpc_api_key no credentials are needed (and any are ignored)', async () => {
      assert.deepEqual((await rpc(clientA, 'Publish', { channel: 'plain', data: Buffer.from('{}') })).res, { result: {} });
      assert.deepEqual((await rpc(clientA, 'Publish', { channel: 'plain', data: Buffer.from('{}') }, metadata({ authorization: 'apikey whatever' }))).res, { result: {} });
    });

    void test('missing or wrong key → UNAUTHENTICATED "unauthenticated" on every rpc, PRO and Batch included', async () => {
      const wrong: Record<string, string>[] = [
        {},
        { authorization: 'apikey nope' },
        { authorization: `Apikey ${GRPC_KEY}` },
        { authorization: `apikey  ${GRPC_KEY}` },
        { authorization: GRPC_KEY },
        { authorization: `bearer ${GRPC_KEY}` },
        { 'x-api-key': GRPC_KEY },
        // GRPC does not use the HTTP api_key.
        { authorization: `apikey ${b.apiKey}` },
      ];
      for (const md of wrong) {
        for (const name of ['Publish', 'Info', 'Batch', 'Connections']) {
          const r = await rpc(clientB, name, {}, metadata(md));
          assert.equal(r.err?.code, grpc.status.UNAUTHENTICATED, `${name} ${JSON.stringify(md)}`);
          assert.equal(r.err?.details, 'unauthenticated');
        }
      }
    });

    void test('the right key works (multi-value authorization is covered by the unit test: clients cannot send it)', async () => {
      const ok = await rpc(clientB, 'Info', {}, metadata(auth));
      assert.equal(ok.err, null);
      assert.equal((ok.res?.['result'] as { nodes: unknown[] }).nodes.length, 1);
      const withErrorMode = await rpc(clientB, 'Publish', { channel: 'plain', data: Buffer.from('1') }, metadata({ ...auth, 'x-centrifugo-error-mode': 'transport' }));
      assert.deepEqual(withErrorMode.res, { result: {} });
    });
  });

  void describe('PRO and unknown rpcs', () => {
    void test('every PRO rpc answers UNIMPLEMENTED "method X not implemented"', async () => {
      for (const name of PRO_RPCS) {
        const r = await rpc(clientA, name, {});
        assert.equal(r.err?.code, grpc.status.UNIMPLEMENTED, name);
        assert.equal(r.err?.details, `method ${name} not implemented`);
      }
      const withKey = await rpc(clientB, 'DeviceList', { filter: { users: ['u'] }, limit: 10 }, metadata(auth));
      assert.equal(withKey.err?.code, grpc.status.UNIMPLEMENTED);
    });

    void test('an rpc not in the service → UNIMPLEMENTED', async () => {
      const r = await rawRpc(clientA, 'Nope', Buffer.alloc(0));
      assert.equal(r.err?.code, grpc.status.UNIMPLEMENTED);
    });
  });

  void describe('bad input', () => {
    const alive = async (client: ApiStub, md = metadata()): Promise<void> => {
      const r = await rpc(client, 'Publish', { channel: 'plain', data: Buffer.from('{"still":"alive"}') }, md);
      assert.equal(r.err, null);
      assert.deepEqual(r.res, { result: {} });
    };

    void test('malformed protobuf → INTERNAL; the server keeps serving on the same connection', async () => {
      for (const bytes of [[0x0a, 0xff], [0x0f], [0x12, 0x05, 0x01], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]]) {
        for (const name of ['Publish', 'Batch']) {
          const r = await rawRpc(clientA, name, Buffer.from(bytes));
          assert.equal(r.err?.code, grpc.status.INTERNAL, `${name} ${JSON.stringify(bytes)}`);
        }
        await alive(clientA);
      }
    });

    void test('empty request bytes are a valid empty message → 107 from the executor', async () => {
      const r = await rawRpc(clientA, 'Publish', Buffer.alloc(0));
      assert.equal(r.err, null);
      const PublishResponse = messageType('PublishResponse');
      assert.deepEqual(PublishResponse.toObject(PublishResponse.decode(r.res!)), { error: { code: 107, message: 'bad request' } });
    });

    void test('default max receive size is 4 MiB → RESOURCE_EXHAUSTED above it; server keeps serving', async () => {
      const big = await rpc(clientA, 'Publish', { channel: 'plain', data: Buffer.alloc(4 * 1024 * 1024 + 1, 0x31) });
      assert.equal(big.err?.code, grpc.status.RESOURCE_EXHAUSTED);
      const fits = await rpc(clientA, 'Publish', { channel: 'plain', data: Buffer.alloc(4 * 1024 * 1024 - 64, 0x31) });
      assert.equal(fits.err, null);
      assert.deepEqual(fits.res, { result: {} });
      await alive(clientA);
    });

    void test('grpc_api_max_receive_message_size is applied', async () => {
      const small = await startTestServer({ ...GRPC_SERVER, grpc_api_max_receive_message_size: 1024 });
      const client = newClient(small.server.grpcPort!);
      try {
        const r = await rpc(client, 'Publish', { channel: 'plain', data: Buffer.alloc(2048, 0x31) });
        assert.equal(r.err?.code, grpc.status.RESOURCE_EXHAUSTED);
        await alive(client);
      } finally {
        client.close();
        await small.close();
      }
    });
  });

  void describe('compression', () => {
    void test('a gzip-compressed request (raw HTTP/2 frame) is accepted', async () => {
      const channel = `hist:gz${nextRun()}`;
      const PublishRequest = messageType('PublishRequest');
      const message = gzipSync(PublishRequest.encode({ channel, data: Buffer.from('"zipped"') }).finish());
      const header = Buffer.alloc(5);
      header.writeUInt8(1, 0);
      header.writeUInt32BE(message.length, 1);
      const session = http2.connect(`http://127.0.0.1:${a.server.grpcPort}`);
      try {
        const { status, body } = await new Promise<{ status: string | undefined; body: Buffer }>((resolve, reject) => {
          const req = session.request({
            ':method': 'POST',
            ':path': `${SERVICE_PATH}/Publish`,
            'content-type': 'application/grpc',
            te: 'trailers',
            'grpc-encoding': 'gzip',
            'grpc-accept-encoding': 'identity',
          });
          const chunks: Buffer[] = [];
          let grpcStatus: string | undefined;
          req.on('response', (headers) => {
            if (headers['grpc-status'] !== undefined) grpcStatus = String(headers['grpc-status']);
          });
          req.on('trailers', (trailers) => {
            grpcStatus = String(trailers['grpc-status']);
          });
          req.on('data', (c: Buffer) => chunks.push(c));
          req.on('end', () => resolve({ status: grpcStatus, body: Buffer.concat(chunks) }));
          req.on('error', reject);
          req.end(Buffer.concat([header, message]));
        });
        assert.equal(status, '0');
        assert.equal(body.readUInt8(0), 0, 'uncompressed response');
        const PublishResponse = messageType('PublishResponse');
        const decoded = PublishResponse.toObject(PublishResponse.decode(body.subarray(5, 5 + body.readUInt32BE(1))), { longs: Number }) as { result: { offset: number } };
        assert.equal(decoded.result.offset, 1);
      } finally {
        session.close();
      }
      const h = await rpc(clientA, 'History', { channel, limit: -1 });
      assert.equal(Buffer.from((h.res?.['result'] as { publications: { data: Buffer }[] }).publications[0]!.data).toString(), '"zipped"');
    });

    void test('a grpc-js client with gzip as default compression works', async () => {
      const client = newClient(a.server.grpcPort!, { 'grpc.default_compression_algorithm': 2 });
      try {
        const r = await rpc(client, 'Publish', { channel: 'plain', data: Buffer.alloc(64 * 1024, 0x31) });
        assert.equal(r.err, null);
        assert.deepEqual(r.res, { result: {} });
      } finally {
        client.close();
      }
    });
  });

  void describe('binary data and a live connection', () => {
    let sdk: Client | undefined;
    after(() => sdk?.disconnect());

    void test('every connection-level method over GRPC; binary publish delivered byte-exact to a Protobuf subscriber', async () => {
      const run = nextRun();
      const user = `bin${run}`;
      const channel = `pres:bin${run}`;
      sdk = sdkClient('protobuf', a.wsUrl, { token: await connectToken(user) });
      const subscribed: string[] = [];
      const received: unknown[] = [];
      const disconnects: number[] = [];
      sdk.on('subscribed', (ctx) => subscribed.push(ctx.channel));
      sdk.on('publication', (ctx) => received.push(ctx.data));
      sdk.on('disconnected', (ctx) => disconnects.push(ctx.code));
      sdk.on('connecting', (ctx) => {
        if (ctx.code !== 0) disconnects.push(ctx.code);
      });
      sdk.connect();
      await waitFor(() => String(sdk?.state) === 'connected', 5000, 'connected');

      const info = Buffer.from([0x00, 0x01, 0xfe, 0xff]);
      assert.deepEqual((await rpc(clientA, 'Subscribe', { user, channel, info })).res, { result: {} });
      await waitFor(() => subscribed.includes(channel), 5000, 'server-side subscription');

      const stats = await rpc(clientA, 'PresenceStats', { channel });
      assert.deepEqual(stats.res, { result: { num_clients: 1, num_users: 1 } });
      const presence = await rpc(clientA, 'Presence', { channel });
      const entries = Object.values((presence.res?.['result'] as { presence: Record<string, { user: string; chan_info: Buffer }> }).presence);
      assert.equal(entries.length, 1);
      assert.equal(entries[0]?.user, user);
      assert.deepEqual([...entries[0].chan_info], [...info], 'binary chan_info round-trips');
      const chans = await rpc(clientA, 'Channels', { pattern: `pres:bin${run}` });
      assert.deepEqual(chans.res, { result: { channels: { [channel]: { num_clients: 1 } } } });

      const payload = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      assert.deepEqual((await rpc(clientA, 'Publish', { channel, data: payload })).res, { result: {} });
      await waitFor(() => received.length === 1, 5000, 'publication');
      assert.ok(received[0] instanceof Uint8Array);
      assert.deepEqual([...received[0]], [...payload]);

      const batch = await rpc(clientA, 'Batch', { commands: [{ publish: { channel, data: Buffer.from([0xff, 0x00]) } }, { broadcast: { channels: [channel], data: Buffer.from([0x80]) } }] });
      assert.deepEqual(batch.res, { replies: [{ publish: {} }, { broadcast: { responses: [{ result: {} }] } }] });
      await waitFor(() => received.length === 3, 5000, 'batch publications');
      assert.deepEqual(received.slice(1).map((d) => [...(d as Uint8Array)]), [[0xff, 0x00], [0x80]]);

      assert.deepEqual((await rpc(clientA, 'Refresh', { user, expire_at: Math.floor(Date.now() / 1000) + 3600 })).res, { result: {} });
      assert.deepEqual((await rpc(clientA, 'Unsubscribe', { user, channel })).res, { result: {} });
      const numClients = async (): Promise<unknown> => ((await rpc(clientA, 'PresenceStats', { channel })).res?.['result'] as Json | undefined)?.['num_clients'];
      await waitFor(async () => (await numClients()) === undefined, 5000, 'unsubscribed (num_clients 0 is not on the wire)');

      assert.deepEqual((await rpc(clientA, 'Disconnect', { user, disconnect: { code: 4501, reason: 'bye' } })).res, { result: {} });
      await waitFor(() => disconnects.length > 0, 5000, 'disconnect');
      assert.equal(disconnects[0], 4501);
    });

    void test('binary history over GRPC; JSON published over HTTP reads back as the same bytes', async () => {
      const channel = `hist:bin${nextRun()}`;
      const payload = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
      await rpc(clientA, 'Publish', { channel, data: payload, tags: { k: 'v' } });
      await a.api('publish', { channel, data: { text: 'hi' } });
      const h = await rpc(clientA, 'History', { channel, limit: -1 });
      const result = h.res?.['result'] as { publications: { data: Buffer; offset: number; tags?: Json }[]; offset: number; epoch: string };
      assert.equal(result.offset, 2);
      assert.equal(typeof result.epoch, 'string');
      assert.deepEqual([...result.publications[0]!.data], [...payload]);
      assert.deepEqual(result.publications[0]!.tags, { k: 'v' });
      assert.equal(Buffer.from(result.publications[1]!.data).toString(), '{"text":"hi"}');
      assert.equal(result.publications[1]!.offset, 2);
    });
  });

  void describe('reflection', () => {
    const reflectionProto = join(dirname(createRequire(import.meta.url).resolve('@grpc/reflection')), '../proto/grpc/reflection/v1/reflection.proto');
    const ReflectionClient = (grpc.loadPackageDefinition(protoLoader.loadSync(reflectionProto, { keepCase: true, defaults: false })) as unknown as {
      grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } };
    }).grpc.reflection.v1.ServerReflection;

    const ask = (port: number, request: Json): Promise<{ err: grpc.ServiceError | undefined; res: Json | undefined }> =>
      new Promise((resolve) => {
        const client = new ReflectionClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        const stream = (client['ServerReflectionInfo'] as (opts: grpc.CallOptions) => grpc.ClientDuplexStream<Json, Json>).call(client, { deadline: Date.now() + 10_000 });
        let res: Json | undefined;
        stream.on('data', (d: Json) => {
          res = d;
          stream.end();
        });
        stream.on('error', (err: grpc.ServiceError) => {
          client.close();
          resolve({ err, res });
        });
        stream.on('end', () => {
          client.close();
          resolve({ err: undefined, res });
        });
        stream.write(request);
      });

    void test('grpc_api_reflection lists the service and serves api.proto', async () => {
      const r = await startTestServer({ ...GRPC_SERVER, grpc_api_reflection: true });
      try {
        const list = await ask(r.server.grpcPort!, { list_services: '' });
        const services = ((list.res?.['list_services_response'] as { service: { name: string }[] }).service ?? []).map((s) => s.name);
        assert.ok(services.includes(`${PKG}.CentrifugoApi`), services.join(','));
        const file = await ask(r.server.grpcPort!, { file_containing_symbol: `${PKG}.CentrifugoApi` });
        const protos = (file.res?.['file_descriptor_response'] as { file_descriptor_proto: Buffer[] }).file_descriptor_proto;
        assert.ok(protos.some((p) => p.includes(`${PKG}`) && p.includes('PublishRequest')));
      } finally {
        await r.close();
      }
    });

    void test('without grpc_api_reflection the reflection service is absent', async () => {
      const r = await ask(a.server.grpcPort!, { list_services: '' });
      assert.equal(r.err?.code, grpc.status.UNIMPLEMENTED);
    });
  });

  void describe('TLS', () => {
    let dir: string | undefined;
    let certPem = '';
    let keyPem = '';
    const haveOpenssl = (() => {
      try {
        execFileSync('openssl', ['version'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();

    before(() => {
      if (!haveOpenssl) return;
      dir = mkdtempSync(join(tmpdir(), 'rotor-grpc-tls-'));
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
        { stdio: 'ignore' },
      );
      certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
      keyPem = readFileSync(join(dir, 'key.pem'), 'utf8');
    });
    after(() => {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    const tlsClient = (port: number, extra?: { key: string; cert: string }): ApiStub =>
      newClient(
        port,
        { 'grpc.ssl_target_name_override': 'localhost' },
        grpc.credentials.createSsl(Buffer.from(certPem), extra ? Buffer.from(extra.key) : null, extra ? Buffer.from(extra.cert) : null),
      );

    void test('grpc_api_tls with cert/key files; plaintext clients are refused', { skip: !haveOpenssl && 'openssl not available' }, async () => {
      const s = await startTestServer({ ...GRPC_SERVER, grpc_api_tls: true, grpc_api_tls_cert: join(dir!, 'cert.pem'), grpc_api_tls_key: join(dir!, 'key.pem') });
      const secure = tlsClient(s.server.grpcPort!);
      const plain = newClient(s.server.grpcPort!);
      try {
        assert.deepEqual((await rpc(secure, 'Publish', { channel: 'plain', data: Buffer.from('1') })).res, { result: {} });
        const r = await rpc(plain, 'Info', {});
        assert.equal(r.err?.code, grpc.status.UNAVAILABLE);
      } finally {
        secure.close();
        plain.close();
        await s.close();
      }
    });

    void test('grpc_api_tls with inline PEMs and a client CA (mutual TLS)', { skip: !haveOpenssl && 'openssl not available' }, async () => {
      const s = await startTestServer({ ...GRPC_SERVER, grpc_api_tls: true, grpc_api_tls_cert_pem: certPem, grpc_api_tls_key_pem: keyPem, grpc_api_tls_client_ca_pem: certPem });
      const withCert = tlsClient(s.server.grpcPort!, { key: keyPem, cert: certPem });
      const withoutCert = tlsClient(s.server.grpcPort!);
      try {
        assert.equal((await rpc(withCert, 'Info', {})).err, null);
        assert.equal((await rpc(withoutCert, 'Info', {})).err?.code, grpc.status.UNAVAILABLE);
      } finally {
        withCert.close();
        withoutCert.close();
        await s.close();
      }
    });

    void test('grpc_api_tls without a certificate fails the start', async () => {
      const config = { ...defaultConfig(), ...GRPC_SERVER, grpc_api_port: 0, grpc_api_tls: true };
      await assert.rejects(startGrpcApi(a.server.executor, config, silentLogger), /certificate and a private key/);
    });
  });

  void describe('lifecycle', () => {
    void test('no GRPC listener unless grpc_api; close() stops it', async () => {
      const off = await startTestServer({});
      assert.equal(off.server.grpcPort, undefined);
      await off.close();

      const s = await startTestServer(GRPC_SERVER);
      const client = newClient(s.server.grpcPort!);
      try {
        assert.equal((await rpc(client, 'Info', {})).err, null);
        await s.close();
        const r = await rpc(client, 'Info', {});
        assert.equal(r.err?.code, grpc.status.UNAVAILABLE);
      } finally {
        client.close();
        await s.close();
      }
    });
  });
});
