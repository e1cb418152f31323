/** @module api/grpc.test — GRPC API handlers without a network: auth, PRO rpcs, error modes. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Metadata, type ServerErrorResponse, status } from '@grpc/grpc-js';
import { silentLogger } from '../core/logger.js';
import type { Executor } from './executor.js';
import { loadApiSchema } from './grpc-codec.js';
import { STATUS_DETAILS_KEY } from './grpc-status.js';
import { createGrpcApiHandlers, GRPC_UNARY_METHODS, grpcKeyAuthorized } from './grpc.js';

const md = (entries: [string, string][] = []): Metadata => {
  const m = new Metadata();
  for (const [k, v] of entries) m.add(k, v);
  return m;
};

interface Outcome {
  error: ServerErrorResponse | null;
  value: unknown;
}

/** A stub executor: every unary method fails with 102, batch answers one reply; calls are recorded. */
function stubExecutor(calls: string[]): Executor {
  const stub = {
    execute: (method: string, _req: unknown, protocol: string) => {
      calls.push(`${method}/${protocol}`);
      return Promise.resolve({ error: { code: 102, message: 'unknown channel' } });
    },
    batch: (_req: unknown, protocol: string) => {
      calls.push(`batch/${protocol}`);
      return Promise.resolve({ replies: [{ error: { code: 102, message: 'unknown channel' } }] });
    },
  };
  return stub as unknown as Executor;
}

function invoke(handlers: ReturnType<typeof createGrpcApiHandlers>, name: string, metadata: Metadata, request: unknown = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const handler = handlers[name] as (call: unknown, cb: (e: ServerErrorResponse | null, v?: unknown) => void) => void;
    handler({ metadata, request }, (error, value) => resolve({ error, value }));
  });
}

const schema = loadApiSchema();

void describe('grpc api handlers', () => {
  void it('grpcKeyAuthorized: first authorization value, exact "apikey <KEY>"', () => {
    assert.equal(grpcKeyAuthorized(md(), ''), true);
    assert.equal(grpcKeyAuthorized(md([['authorization', 'whatever']]), ''), true);
    assert.equal(grpcKeyAuthorized(md([['authorization', 'apikey k1']]), 'k1'), true);
    for (const v of ['apikey k2', 'Apikey k1', 'APIKEY k1', 'apikey  k1', 'apikey k1 ', 'k1', 'bearer k1', '']) {
      assert.equal(grpcKeyAuthorized(md([['authorization', v]]), 'k1'), false, JSON.stringify(v));
    }
    assert.equal(grpcKeyAuthorized(md(), 'k1'), false);
    assert.equal(grpcKeyAuthorized(md([['authorization', 'apikey k1'], ['authorization', 'x']]), 'k1'), true);
    assert.equal(grpcKeyAuthorized(md([['authorization', 'x'], ['authorization', 'apikey k1']]), 'k1'), false);
  });

  void it('every rpc has a handler; OSS ones reach the executor with protocol grpc', async () => {
    const calls: string[] = [];
    const handlers = createGrpcApiHandlers(stubExecutor(calls), schema.service, { key: '', transportErrors: false, logger: silentLogger });
    assert.deepEqual(Object.keys(handlers).sort(), Object.keys(schema.service).sort());
    for (const [rpc, method] of Object.entries(GRPC_UNARY_METHODS)) {
      const r = await invoke(handlers, rpc, md());
      assert.equal(r.error, null);
      assert.deepEqual(r.value, { error: { code: 102, message: 'unknown channel' } });
      assert.equal(calls.at(-1), `${method}/grpc`);
    }
    await invoke(handlers, 'Batch', md());
    assert.equal(calls.at(-1), 'batch/grpc');
    assert.equal(calls.length, 14);
  });

  void it('PRO rpcs: UNIMPLEMENTED "method X not implemented", after the key check', async () => {
    const handlers = createGrpcApiHandlers(stubExecutor([]), schema.service, { key: 'k', transportErrors: false, logger: silentLogger });
    const pro = Object.keys(schema.service).filter((n) => n !== 'Batch' && !Object.hasOwn(GRPC_UNARY_METHODS, n));
    assert.equal(pro.length, 19);
    for (const name of pro) {
      const ok = await invoke(handlers, name, md([['authorization', 'apikey k']]));
      assert.equal(ok.error?.code, status.UNIMPLEMENTED, name);
      assert.equal(ok.error?.details, `method ${name} not implemented`);
      const denied = await invoke(handlers, name, md());
      assert.equal(denied.error?.code, status.UNAUTHENTICATED, name);
    }
  });

  void it('wrong key: UNAUTHENTICATED "unauthenticated", executor not called', async () => {
    const calls: string[] = [];
    const handlers = createGrpcApiHandlers(stubExecutor(calls), schema.service, { key: 'k', transportErrors: false, logger: silentLogger });
    const r = await invoke(handlers, 'Publish', md([['authorization', 'apikey nope']]));
    assert.equal(r.error?.code, status.UNAUTHENTICATED);
    assert.equal(r.error?.details, 'unauthenticated');
    assert.deepEqual(calls, []);
  });

  void it('transport mode: by metadata (exact value) or config; never for batch', async () => {
    const plain = createGrpcApiHandlers(stubExecutor([]), schema.service, { key: '', transportErrors: false, logger: silentLogger });
    const viaMd = await invoke(plain, 'Publish', md([['x-centrifugo-error-mode', 'transport']]));
    assert.equal(viaMd.error?.code, status.NOT_FOUND);
    assert.equal(viaMd.error?.details, 'unknown channel');
    assert.equal(viaMd.error?.metadata?.get(STATUS_DETAILS_KEY).length, 1);
    for (const v of ['Transport', 'TRANSPORT', 'result', '']) {
      const r = await invoke(plain, 'Publish', md([['x-centrifugo-error-mode', v]]));
      assert.equal(r.error, null, v);
    }
    const configured = createGrpcApiHandlers(stubExecutor([]), schema.service, { key: '', transportErrors: true, logger: silentLogger });
    assert.equal((await invoke(configured, 'History', md())).error?.code, status.NOT_FOUND);
    const batch = await invoke(configured, 'Batch', md([['x-centrifugo-error-mode', 'transport']]));
    assert.equal(batch.error, null);
    assert.deepEqual(batch.value, { replies: [{ error: { code: 102, message: 'unknown channel' } }] });
  });
});
