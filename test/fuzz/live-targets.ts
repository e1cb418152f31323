/**
 * @module test/fuzz/live-targets — fuzzers against a running server: WebSocket (JSON and Protobuf),
 * emulation (http_stream / sse connect + /emulation), unidirectional transports, the HTTP API and the
 * GRPC API / uni_grpc. Each call sends one generated input and records what came back.
 */
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import WebSocket from 'ws';
import { apiBodies, jsonFrames, noise, protoFrames } from './arbitraries.js';

/** Where the server listens. */
export interface LiveEndpoints {
  readonly http: string;
  readonly ws: string;
  readonly grpcApi: string;
  readonly uniGrpc: string;
  readonly apiKey: string;
}

/** Outcome counters of one target (`outcomes` by a short label, `findings` = unexpected answers). */
export interface LiveStats {
  inputs: number;
  readonly outcomes: Map<string, number>;
  readonly findings: string[];
}

/** Deterministic choices and generated values (seeded; one fast-check sample per value). */
export class Picker {
  #seed: number;
  constructor(seed: number) {
    this.#seed = seed >>> 0;
  }
  /** An integer in [min, max]. */
  nextInt(min: number, max: number): number {
    this.#seed = (Math.imul(this.#seed, 1664525) + 1013904223) >>> 0;
    return min + (this.#seed % (max - min + 1));
  }
  /** One value of `arb`. */
  one<T>(arb: fc.Arbitrary<T>): T {
    return fc.sample(arb, { seed: this.nextInt(0, 0x7fffffff), numRuns: 1 })[0]!;
  }
}

export interface LiveTarget {
  readonly name: string;
  /** Sends a batch of inputs; resolves when the answers are in. */
  run(ep: LiveEndpoints, stats: LiveStats, rng: Picker): Promise<void>;
}

function count(stats: LiveStats, label: string): void {
  stats.outcomes.set(label, (stats.outcomes.get(label) ?? 0) + 1);
}

/** One generated value from an arbitrary. */
function gen<T>(arb: fc.Arbitrary<T>, rng: Picker): T {
  return rng.one(arb);
}

const API_METHODS = ['publish', 'broadcast', 'subscribe', 'unsubscribe', 'disconnect', 'presence', 'presence_stats', 'history', 'history_remove', 'info', 'rpc', 'refresh', 'channels', 'batch'];
const GRPC_METHODS = ['Publish', 'Broadcast', 'Subscribe', 'Unsubscribe', 'Disconnect', 'Presence', 'PresenceStats', 'History', 'HistoryRemove', 'Info', 'RPC', 'Refresh', 'Channels', 'Batch'];

async function httpStatus(stats: LiveStats, what: string, url: string, init: RequestInit): Promise<void> {
  try {
    const res = await fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(5000) });
    await res.arrayBuffer().catch(() => undefined);
    count(stats, `HTTP ${res.status}`);
    if (res.status >= 500 && res.status !== 503) stats.findings.push(`${what}: HTTP ${res.status}`);
  } catch (err) {
    // A streaming endpoint that stays open until the timeout is fine; a refused connection is not.
    const name = err instanceof Error ? err.name : 'Error';
    count(stats, name === 'TimeoutError' ? 'stream kept open (timeout)' : `fetch ${name}`);
    if (name !== 'TimeoutError' && name !== 'AbortError') stats.findings.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A WebSocket connection that sends frames until the server closes it (or `maxFrames`). */
function wsSession(url: string, protocols: string[], frames: Uint8Array[], binary: boolean, stats: LiveStats): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, protocols);
    let sent = 0;
    const done = (label: string): void => {
      count(stats, label);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      ws.terminate();
      done('kept open');
    }, 3000);
    ws.on('open', () => {
      for (const f of frames) {
        if (ws.readyState !== WebSocket.OPEN) break;
        ws.send(f, { binary });
        sent++;
        stats.inputs++;
      }
      if (sent === frames.length) ws.close(1000);
    });
    ws.on('close', (code) => done(`close ${code}`));
    ws.on('error', (err) => {
      stats.findings.push(`websocket error: ${err.message}`);
      done('error');
    });
  });
}

const frameBatch = (arb: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array[]> => fc.array(arb, { minLength: 1, maxLength: 6 });
const CONNECT_JSON = Buffer.from('{"id":1,"connect":{}}');
const CONNECT_PROTO = Buffer.from([0x04, 0x08, 0x01, 0x22, 0x00]);

export const LIVE_TARGETS: readonly LiveTarget[] = [
  {
    name: 'WebSocket JSON',
    async run(ep, stats, rng) {
      const frames = gen(frameBatch(jsonFrames), rng);
      if (rng.nextInt(0, 1) === 1) frames.unshift(CONNECT_JSON);
      await wsSession(ep.ws, ['centrifuge-json'], frames, false, stats);
    },
  },
  {
    name: 'WebSocket Protobuf',
    async run(ep, stats, rng) {
      const frames = gen(frameBatch(protoFrames), rng);
      if (rng.nextInt(0, 1) === 1) frames.unshift(CONNECT_PROTO);
      await wsSession(ep.ws, ['centrifuge-protobuf'], frames, true, stats);
    },
  },
  {
    name: 'uni_websocket',
    async run(ep, stats, rng) {
      await wsSession(ep.ws.replace('/connection/websocket', '/connection/uni_websocket'), [], [gen(fc.oneof(noise, jsonFrames), rng)], false, stats);
    },
  },
  {
    name: 'emulation (http_stream / sse connect, /emulation)',
    async run(ep, stats, rng) {
      const body = gen(fc.oneof(jsonFrames, protoFrames, noise), rng);
      const which = rng.nextInt(0, 2);
      stats.inputs++;
      if (which === 0) await httpStatus(stats, 'http_stream', `${ep.http}/connection/http_stream`, { method: 'POST', body, signal: AbortSignal.timeout(500) });
      else if (which === 1) await httpStatus(stats, 'sse', `${ep.http}/connection/sse?cf_connect=${encodeURIComponent(Buffer.from(body).toString('utf8'))}`, { method: 'GET', signal: AbortSignal.timeout(500) });
      else await httpStatus(stats, 'emulation', `${ep.http}/emulation`, { method: 'POST', body });
    },
  },
  {
    name: 'uni_http_stream / uni_sse',
    async run(ep, stats, rng) {
      const body = gen(fc.oneof(jsonFrames, noise), rng);
      stats.inputs++;
      const signal = AbortSignal.timeout(500);
      if (rng.nextInt(0, 1) === 0) await httpStatus(stats, 'uni_http_stream', `${ep.http}/connection/uni_http_stream`, { method: 'POST', body, signal });
      else await httpStatus(stats, 'uni_sse', `${ep.http}/connection/uni_sse?cf_connect=${encodeURIComponent(Buffer.from(body).toString('utf8'))}`, { method: 'GET', signal });
    },
  },
  {
    name: 'HTTP API',
    async run(ep, stats, rng) {
      const body = gen(apiBodies, rng);
      const legacy = rng.nextInt(0, 9) === 0;
      const method = API_METHODS[rng.nextInt(0, API_METHODS.length - 1)]!;
      stats.inputs++;
      await httpStatus(stats, `api ${legacy ? '(legacy)' : method}`, legacy ? `${ep.http}/api` : `${ep.http}/api/${method}`, {
        method: 'POST',
        body,
        headers: { 'X-API-Key': ep.apiKey },
      });
    },
  },
  {
    name: 'GRPC API + uni_grpc',
    async run(ep, stats, rng) {
      const body = Buffer.from(gen(fc.oneof(apiBodies, noise, protoFrames), rng));
      stats.inputs++;
      if (rng.nextInt(0, 3) === 0) await uniGrpcCall(ep, body, stats);
      else await grpcApiCall(ep, GRPC_METHODS[rng.nextInt(0, GRPC_METHODS.length - 1)]!, body, stats);
    },
  },
];

const clients = new Map<string, grpc.Client>();
function clientFor(address: string): grpc.Client {
  let c = clients.get(address);
  if (c === undefined) {
    c = new grpc.Client(address, grpc.credentials.createInsecure());
    clients.set(address, c);
  }
  return c;
}

/** Closes the GRPC channels opened by the targets. */
export function closeLiveClients(): void {
  for (const c of clients.values()) c.close();
  clients.clear();
}

const raw = (b: Buffer): Buffer => b;

function grpcApiCall(ep: LiveEndpoints, method: string, body: Buffer, stats: LiveStats): Promise<void> {
  return new Promise((resolve) => {
    const md = new grpc.Metadata();
    md.set('authorization', `apikey ${ep.apiKey}`);
    clientFor(ep.grpcApi).makeUnaryRequest(`/centrifugal.centrifugo.api.CentrifugoApi/${method}`, raw, raw, body, md, { deadline: Date.now() + 5000 }, (err) => {
      const code = err === null ? 0 : (err).code;
      count(stats, `grpc ${grpc.status[code] ?? code}`);
      if (code === grpc.status.UNAVAILABLE || code === grpc.status.DEADLINE_EXCEEDED) stats.findings.push(`grpc api ${method}: ${grpc.status[code]}`);
      resolve();
    });
  });
}

function uniGrpcCall(ep: LiveEndpoints, body: Buffer, stats: LiveStats): Promise<void> {
  return new Promise((resolve) => {
    const call = clientFor(ep.uniGrpc).makeServerStreamRequest('/centrifugal.centrifugo.unistream.CentrifugoUniStream/Consume', raw, raw, body, new grpc.Metadata(), {
      deadline: Date.now() + 5000,
    });
    let pushes = 0;
    const timer = setTimeout(() => call.cancel(), 300);
    call.on('data', () => pushes++);
    call.on('error', (err: grpc.ServiceError) => {
      count(stats, `uni_grpc ${grpc.status[err.code] ?? err.code}`);
      if (err.code === grpc.status.UNAVAILABLE) stats.findings.push(`uni_grpc: UNAVAILABLE ${err.details}`);
    });
    call.on('close', () => {
      clearTimeout(timer);
      if (pushes > 0) count(stats, 'uni_grpc got pushes');
      resolve();
    });
  });
}
