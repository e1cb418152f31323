/**
 * @module test/harness/proxy-backend — a real application backend for proxy tests, on a random
 * loopback port: HTTP (POST /<hook>, JSON) or GRPC (`CentrifugoProxy` served from Rotor's own
 * `proxy.proto` through @grpc/proto-loader, as a generated backend would be). Tests script each
 * hook's answer and read the recorded requests.
 *
 * Both kinds are driven with the HTTP JSON shape: payload fields (`data`, `info`, `meta`) are JS
 * values; the GRPC backend converts them to and from JSON bytes.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROXY_PROTO_PATH } from '../../src/proxy/codec.js';

type Hook = 'connect' | 'refresh' | 'subscribe' | 'publish' | 'sub_refresh' | 'rpc';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- recorded requests are dynamic JSON; tests index into them freely
export type Wire = Record<string, any>;

/** What a hook answers: a response object, or a scripted failure. */
type Answer =
  | Wire
  | { readonly $status: number; readonly $body?: string }
  | { readonly $raw: string }
  | { readonly $hang: true }
  | { readonly $reset: true }
  | { readonly $oversize: true }
  | { readonly $grpcError: number };

interface RecordedCall {
  readonly hook: Hook;
  readonly body: Wire;
  /** Lower-case header names (HTTP) or metadata keys (GRPC). */
  readonly headers: Record<string, string>;
}

type Handler = (body: Wire, headers: Record<string, string>) => Answer | Promise<Answer>;

/** An open subscribe stream on the GRPC backend (SubscribeUnidirectional / SubscribeBidirectional). */
interface BackendStream {
  readonly bidirectional: boolean;
  /** The SubscribeRequest (JSON shape). */
  readonly request: Wire;
  /** Publications the client sent (bidirectional), JSON shape. */
  readonly received: Wire[];
  cancelled: boolean;
  /** Sends a publication to the subscriber. */
  publish(data: unknown, tags?: Record<string, string>): void;
  /** Ends the stream from the backend side. */
  end(): void;
}

export interface ProxyBackend {
  readonly kind: 'http' | 'grpc';
  /** Subscribe streams opened so far (GRPC backend). */
  readonly streams: BackendStream[];
  /** The first answer of the next streams (default `{result: {}}`). */
  streamAnswer: Wire;
  readonly calls: RecordedCall[];
  /** Endpoint of a hook (HTTP: one path per hook; GRPC: one address). */
  endpoint(hook: Hook): string;
  /** Sets a hook's answer (default: `{result: {}}`). */
  on(hook: Hook, handler: Handler | Answer): void;
  /** Calls recorded for a hook. */
  callsOf(hook: Hook): RecordedCall[];
  close(): Promise<void>;
}

const RPC_HOOK: Record<string, Hook> = { Connect: 'connect', Refresh: 'refresh', Subscribe: 'subscribe', Publish: 'publish', RPC: 'rpc', SubRefresh: 'sub_refresh' };

class Script {
  readonly calls: RecordedCall[] = [];
  readonly #handlers = new Map<Hook, Handler>();
  on(hook: Hook, h: Handler | Answer): void {
    this.#handlers.set(hook, typeof h === 'function' ? (h as Handler) : () => h);
  }
  async answer(hook: Hook, body: Wire, headers: Record<string, string>): Promise<Answer> {
    this.calls.push({ hook, body, headers });
    const h = this.#handlers.get(hook);
    return h === undefined ? { result: {} } : h(body, headers);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startHttpBackend(): Promise<ProxyBackend> {
  const script = new Script();
  const hanging = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const hook = (req.url ?? '/').slice(1) as Hook;
      const text = (await readBody(req)).toString('utf8');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const a = await script.answer(hook, JSON.parse(text) as Wire, headers);
      if ('$hang' in a) {
        hanging.add(() => res.destroy());
        return;
      }
      if ('$reset' in a) {
        req.socket.destroy();
        return;
      }
      if ('$status' in a) {
        res.writeHead(a.$status as number, { 'Content-Type': 'text/plain' });
        res.end(a.$body ?? '');
        return;
      }
      if ('$oversize' in a) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(`{"result":{"data":"${'x'.repeat(5 * 1024 * 1024)}"}}`);
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('$raw' in a ? (a.$raw as string) : JSON.stringify(a));
    })();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    kind: 'http',
    streams: [],
    streamAnswer: {},
    calls: script.calls,
    endpoint: (hook) => `http://127.0.0.1:${port}/${hook}`,
    on: (hook, h) => script.on(hook, h),
    callsOf: (hook) => script.calls.filter((c) => c.hook === hook),
    async close() {
      for (const h of hanging) h();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const PAYLOAD_KEYS = new Set(['data', 'info', 'meta']);

/** GRPC request → JSON shape: JSON bytes fields parsed. */
function fromGrpc(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return v.length === 0 ? undefined : JSON.parse(v.toString('utf8'));
  if (Array.isArray(v)) return v.map(fromGrpc);
  if (typeof v === 'object' && v !== null) {
    const out: Wire = {};
    for (const [k, x] of Object.entries(v)) out[k] = fromGrpc(x);
    return out;
  }
  return v;
}

/** JSON shape → GRPC response: payload values to JSON bytes. */
function toGrpc(v: unknown, key = ''): unknown {
  if (PAYLOAD_KEYS.has(key) && v !== undefined && !Buffer.isBuffer(v)) return Buffer.from(JSON.stringify(v));
  if (Array.isArray(v)) return v.map((x) => toGrpc(x));
  if (typeof v === 'object' && v !== null && !Buffer.isBuffer(v)) {
    const out: Wire = {};
    for (const [k, x] of Object.entries(v)) out[k] = toGrpc(x, key === 'subs' ? '' : k);
    return out;
  }
  return v;
}

export async function startGrpcBackend(options: { credentialsKey?: string; tls?: { cert: string; key: string } } = {}): Promise<ProxyBackend> {
  const script = new Script();
  const def = protoLoader.loadSync(PROXY_PROTO_PATH, { keepCase: true, longs: Number, defaults: false });
  const pkg: Wire = grpc.loadPackageDefinition(def);
  const service = pkg.centrifugal.centrifugo.proxy.CentrifugoProxy.service as grpc.ServiceDefinition;
  const impl: grpc.UntypedServiceImplementation = {};
  const hanging = new Set<() => void>();
  for (const [rpc, hook] of Object.entries(RPC_HOOK)) {
    impl[rpc] = (call: grpc.ServerUnaryCall<Wire, Wire>, cb: grpc.sendUnaryData<Wire>) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(call.metadata.getMap())) headers[k] = String(v);
      if (options.credentialsKey !== undefined && headers[options.credentialsKey] === undefined) {
        cb({ code: grpc.status.UNAUTHENTICATED, details: 'no credentials' });
        return;
      }
      void script.answer(hook, fromGrpc(call.request) as Wire, headers).then((a) => {
        if ('$hang' in a) {
          hanging.add(() => cb({ code: grpc.status.CANCELLED }));
          return;
        }
        if ('$grpcError' in a) {
          cb({ code: a.$grpcError as number, details: 'backend failure' });
          return;
        }
        cb(null, toGrpc(a) as Wire);
      });
    };
  }
  const streams: BackendStream[] = [];
  const backend = { streamAnswer: { result: {} } as Wire };
  const openStream = (
    call: grpc.ServerWritableStream<Wire, Wire> | grpc.ServerDuplexStream<Wire, Wire>,
    request: Wire,
    bidirectional: boolean,
  ): BackendStream => {
    const st: BackendStream = {
      bidirectional,
      request: fromGrpc(request) as Wire,
      received: [],
      cancelled: false,
      publish: (data, tags) => void call.write({ publication: { data: Buffer.from(JSON.stringify(data)), tags: tags ?? {} } }),
      end: () => call.end(),
    };
    call.on('cancelled', () => (st.cancelled = true));
    streams.push(st);
    call.write(toGrpc({ subscribe_response: backend.streamAnswer }) as Wire);
    return st;
  };
  impl.SubscribeUnidirectional = (call: grpc.ServerWritableStream<Wire, Wire>) => {
    openStream(call, call.request, false);
  };
  impl.SubscribeBidirectional = (call: grpc.ServerDuplexStream<Wire, Wire>) => {
    let st: BackendStream | undefined;
    call.on('data', (m: Wire) => {
      if (st === undefined && m.subscribe_request) st = openStream(call, m.subscribe_request as Wire, true);
      else if (st !== undefined && m.publication) st.received.push(fromGrpc(m.publication) as Wire);
    });
    call.on('end', () => call.end());
  };
  const server = new grpc.Server();
  server.addService(service, impl);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      '127.0.0.1:0',
      options.tls !== undefined
        ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(options.tls.cert), private_key: Buffer.from(options.tls.key) }])
        : grpc.ServerCredentials.createInsecure(),
      (err, p) => (err ? reject(err) : resolve(p)),
    ),
  );
  return {
    kind: 'grpc',
    streams,
    get streamAnswer() {
      return backend.streamAnswer;
    },
    set streamAnswer(a: Wire) {
      backend.streamAnswer = a;
    },
    calls: script.calls,
    endpoint: () => `grpc://127.0.0.1:${port}`,
    on: (hook, h) => script.on(hook, h),
    callsOf: (hook) => script.calls.filter((c) => c.hook === hook),
    async close() {
      for (const h of hanging) h();
      server.forceShutdown();
    },
  };
}
