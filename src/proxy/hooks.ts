/**
 * @module proxy/hooks — the proxy calls as the client policy uses them: builds each request from the
 * connection (client id, transport, protocol, encoding, user, hidden meta, forwarded headers), sends
 * it through the proxy's transport with metrics, and maps the answer (Centrifugo's proxy semantics):
 *
 * - `disconnect` → DisconnectError with the backend's code and reason (passed to the client untouched);
 * - `error` → ClientError with the backend's code, message and temporary flag;
 * - transport failure, timeout, non-200 status, malformed or oversized response → ClientError 100
 *   (temporary), logged once with the proxy name and the cause. A refresh failure keeps the
 *   connection and retries in 60 s.
 */
import type { Logger } from '../core/logger.js';
import { customDisconnect, DisconnectError } from '../core/disconnect.js';
import { ClientError, ClientErrors } from '../core/errors.js';
import { compileTagsFilter, type TagsFilter } from '../core/tags-filter.js';
import type { ClientView, ConnectionContext, ServerRefreshDecision, SubscriptionStream } from '../core/handler.js';
import type { SubscribeOverride } from '../core/node.js';
import type { ConnectRequest, FilterNode, SubscribeRequest } from '../protocol/types.js';
import { decodeStdBase64 } from '../api/base64.js';
import type { ProxyMessage, UnaryHook } from './codec.js';
import type { ProxyMetrics } from './metrics.js';
import type { ProxyDefinition, ProxySetup } from './options.js';
import { ProxyCallError, type ProxyStream, type ProxyTransport } from './transport.js';
import { assignDefined } from '../util/object.js';

/** A refresh proxy that fails leaves the connection alone for this long before asking again. */
const REFRESH_RETRY_SEC = 60;

/** What connect and subscribe proxies both grant: an expiry (unix seconds, 0 = never), info and data. */
interface ProxyGrant {
  readonly expireAtSec: number;
  readonly info?: Uint8Array | undefined;
  readonly data?: Uint8Array | undefined;
}

/** A subscribe / subscribe-stream result, or a connect-proxy server-side subscription (`subs`). */
export interface SubscribeProxyResult extends ProxyGrant {
  /** Per-subscription option overrides of the proxy answer. */
  readonly override?: SubscribeOverride | undefined;
  /** Server-enforced tags filter (`server_tags_filter`, Centrifugo v6): publications must pass it as well as the client's `tf`. */
  readonly serverTagsFilter?: TagsFilter | undefined;
}

export interface ConnectProxyResult extends ProxyGrant {
  readonly userId: string;
  readonly channels: readonly string[];
  readonly subs: ReadonlyMap<string, SubscribeProxyResult>;
  readonly meta?: Uint8Array | undefined;
}

export interface PublishProxyResult {
  readonly data?: Uint8Array | undefined;
  readonly skipHistory: boolean;
}

/** Creates the transport of a proxy (HTTP or GRPC). */
export type TransportFactory = (proxy: ProxyDefinition) => ProxyTransport;

export interface ProxyHooksOptions {
  readonly setup: ProxySetup;
  readonly transports: TransportFactory;
  readonly logger: Logger;
  readonly metrics?: ProxyMetrics | undefined;
  /** Unix seconds now (injectable clock). */
  readonly nowSec: () => number;
}

/** Who is calling: a live connection, or the context of one still connecting. */
interface Caller {
  readonly id: string;
  readonly userId?: string;
  readonly transport: string;
  readonly protocol: 'json' | 'protobuf';
  readonly meta?: Uint8Array | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly emulated?: Readonly<Record<string, string>> | undefined;
}

function viewCaller(c: ClientView): Caller {
  return { id: c.id, userId: c.userId, transport: c.transportName, protocol: c.protocol, meta: c.meta, headers: c.headers, emulated: c.emulatedHeaders };
}

/**
 * The client-sent connect `headers` any proxy allows (`emulated_headers`), lower-cased names;
 * undefined when none. Kept apart from real request headers for the connection's lifetime.
 */
export function keptEmulatedHeaders(names: readonly string[], sent: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (sent === undefined || names.length === 0) return undefined;
  let out: Record<string, string> | undefined;
  for (const [k, v] of Object.entries(sent)) {
    const n = k.toLowerCase();
    if (typeof v === 'string' && names.includes(n)) (out ??= Object.create(null) as Record<string, string>)[n] = v;
  }
  return out;
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v) ? (v as Obj) : undefined;
}

const NULL_JSON = 'null';

/** A payload from `b64<name>` (preferred when non-empty) or raw `<name>`; `null` counts as absent. */
function payload(r: Obj, name: string, proxy: ProxyDefinition): Uint8Array | undefined {
  const b64 = r[`b64${name}`];
  if (typeof b64 === 'string' && b64 !== '') {
    const bytes = decodeStdBase64(b64);
    if (bytes === undefined) throw new ProxyCallError(`${proxy.name}: invalid base64 in b64${name}`);
    return bytes;
  }
  const raw = r[name];
  if (!(raw instanceof Uint8Array) || raw.byteLength === 0) return undefined;
  if (raw.byteLength === 4 && Buffer.from(raw.buffer, raw.byteOffset, 4).toString('latin1') === NULL_JSON) return undefined;
  return raw;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function boolValue(v: unknown): boolean | undefined {
  const o = obj(v);
  return o === undefined ? undefined : o.value === true;
}

function override(v: unknown): SubscribeOverride | undefined {
  const o = obj(v);
  if (o === undefined) return undefined;
  const out: SubscribeOverride = {};
  const set = (k: keyof SubscribeOverride, key: string): void => {
    const b = boolValue(o[key]);
    if (b !== undefined) out[k] = b;
  };
  set('presence', 'presence');
  set('joinLeave', 'join_leave');
  set('forceRecovery', 'force_recovery');
  set('forcePositioning', 'force_positioning');
  set('forcePushJoinLeave', 'force_push_join_leave');
  return out;
}

export class ProxyHooks {
  #setup: ProxySetup;
  #transports = new Map<ProxyDefinition, ProxyTransport>();
  readonly #factory: TransportFactory;
  readonly #logger: Logger;
  readonly #metrics: ProxyMetrics | undefined;
  readonly #nowSec: () => number;
  readonly #retired = new Set<ProxyTransport>();

  constructor(o: ProxyHooksOptions) {
    this.#setup = o.setup;
    this.#factory = o.transports;
    this.#logger = o.logger;
    this.#metrics = o.metrics;
    this.#nowSec = o.nowSec;
    for (const p of o.setup.all) this.#transports.set(p, o.transports(p));
  }

  get setup(): ProxySetup {
    return this.#setup;
  }

  /**
   * Applies a re-read setup (SIGHUP): proxies whose definition did not change keep their transport
   * (and its pooled connections); new ones are created first (throws, changing nothing, when one
   * cannot be); dropped ones are closed once in-flight calls had their timeout to finish.
   */
  reconfigure(setup: ProxySetup): void {
    const bySignature = new Map<string, ProxyTransport>();
    for (const [d, t] of this.#transports) bySignature.set(signature(d), t);
    const next = new Map<ProxyDefinition, ProxyTransport>();
    const created: ProxyTransport[] = [];
    try {
      for (const d of setup.all) {
        let t = bySignature.get(signature(d));
        if (t === undefined) {
          t = this.#factory(d);
          created.push(t);
        }
        next.set(d, t);
      }
    } catch (err) {
      for (const t of created) t.close();
      throw err;
    }
    const kept = new Set(next.values());
    let maxTimeout = 0;
    for (const [d, t] of this.#transports) {
      if (kept.has(t)) continue;
      maxTimeout = Math.max(maxTimeout, d.timeoutMs);
      this.#retired.add(t);
    }
    this.#setup = setup;
    this.#transports = next;
    if (this.#retired.size > 0) {
      setTimeout(() => this.#closeRetired(), maxTimeout + 1000).unref();
    }
  }

  #closeRetired(): void {
    for (const t of this.#retired) t.close();
    this.#retired.clear();
  }

  close(): void {
    for (const t of this.#transports.values()) t.close();
    this.#closeRetired();
  }

  // ---- hooks ----

  /** Connect proxy; undefined when the backend answered without a result (no credentials). */
  async connect(ctx: ConnectionContext, req: ConnectRequest): Promise<ConnectProxyResult | undefined> {
    const proxy = this.setup.connect!;
    const caller: Caller = {
      id: ctx.clientId,
      transport: ctx.transport,
      protocol: ctx.protocol,
      headers: ctx.headers,
      emulated: keptEmulatedHeaders(proxy.emulatedHeaders, req.headers),
    };
    const request = this.#base(proxy, caller, false);
    this.#setPayload(request, proxy, 'data', req.data);
    if (req.name) request.name = req.name;
    if (req.version) request.version = req.version;
    if (req.subs !== undefined) request.channels = Object.keys(req.subs);
    return this.#call(proxy, 'connect', request, caller, (r) => (r === undefined ? undefined : connectResult(r, proxy)));
  }

  /** Server-side refresh of a connection: failures keep it and retry in 60 s; no result = expired. */
  async refresh(client: ClientView): Promise<ServerRefreshDecision> {
    const proxy = this.setup.refresh!;
    const caller = viewCaller(client);
    return this.#refreshing(() =>
      this.#call(proxy, 'refresh', this.#base(proxy, caller, true), caller, (r) =>
        r === undefined || r.expired === true
          ? EXPIRED
          : { expireAtSec: num(r.expire_at), info: payload(r, 'info', proxy), meta: payload(r, 'meta', proxy) },
      ),
    );
  }

  async subscribe(proxy: ProxyDefinition, client: ClientView, req: SubscribeRequest): Promise<SubscribeProxyResult> {
    const caller = viewCaller(client);
    const request = this.#subscribeRequest(proxy, caller, req);
    return this.#call(proxy, 'subscribe', request, caller, (r) => subscribeResult(r, proxy));
  }

  async publish(proxy: ProxyDefinition, client: ClientView, channel: string, data: Uint8Array): Promise<PublishProxyResult> {
    const caller = viewCaller(client);
    const request = this.#base(proxy, caller, true);
    request.channel = channel;
    this.#setPayload(request, proxy, 'data', data);
    return this.#call(proxy, 'publish', request, caller, (r) =>
      r === undefined ? { skipHistory: false } : { data: payload(r, 'data', proxy), skipHistory: r.skip_history === true },
    );
  }

  async rpc(proxy: ProxyDefinition, client: ClientView, method: string, data: Uint8Array | undefined): Promise<Uint8Array | undefined> {
    const caller = viewCaller(client);
    const request = this.#base(proxy, caller, true);
    request.method = method;
    this.#setPayload(request, proxy, 'data', data);
    return this.#call(proxy, 'rpc', request, caller, (r) => (r === undefined ? undefined : payload(r, 'data', proxy)));
  }

  /** Server-side refresh of a subscription (same failure rules as {@link refresh}). */
  async subRefresh(proxy: ProxyDefinition, client: ClientView, channel: string): Promise<ServerRefreshDecision> {
    const caller = viewCaller(client);
    const request = this.#base(proxy, caller, true);
    request.channel = channel;
    return this.#refreshing(() =>
      this.#call(proxy, 'sub_refresh', request, caller, (r) =>
        r === undefined || r.expired === true ? EXPIRED : { expireAtSec: num(r.expire_at), info: payload(r, 'info', proxy) },
      ),
    );
  }

  /**
   * Subscribe-stream proxy (GRPC): the first stream message must carry `subscribe_response`
   * (result / error / disconnect, within the proxy timeout); later `publication` messages go to this
   * subscriber only. Bidirectional streams also take the client's publications to the channel.
   */
  async subscribeStream(
    proxy: ProxyDefinition,
    client: ClientView,
    req: SubscribeRequest,
    bidirectional: boolean,
  ): Promise<{ result: SubscribeProxyResult; stream: SubscriptionStream }> {
    const caller = viewCaller(client);
    const request = this.#subscribeRequest(proxy, caller, req);
    const transport = this.#transports.get(proxy)!;
    const stream = new ProxySubscriptionStream();
    const first = new Promise<ProxyMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ProxyCallError(`no subscribe response within ${proxy.timeoutMs} ms`)), proxy.timeoutMs);
      const open = transport.openStream!(bidirectional, request, this.#forwarded(proxy, caller), {
        message: (m) => {
          const sr = obj(m.subscribe_response);
          if (sr !== undefined && !stream.answered) {
            stream.answered = true;
            clearTimeout(timer);
            resolve(sr);
            return;
          }
          const pub = obj(m.publication);
          if (pub !== undefined) stream.publication(pub);
        },
        end: (err) => {
          clearTimeout(timer);
          if (!stream.answered) reject(err ?? new ProxyCallError('stream ended before the subscribe response'));
          else stream.ended();
        },
      });
      stream.attach(open, bidirectional);
    });
    try {
      const result = await this.#call(proxy, 'subscribe', request, caller, (r) => subscribeResult(r, proxy), first, 'subscribe_stream');
      return { result, stream };
    } catch (err) {
      stream.close();
      throw err;
    }
  }

  // ---- plumbing ----

  /** Refresh failure rules: a proxy failure (100) retries later, a backend error counts as no result. */
  async #refreshing(run: () => Promise<ServerRefreshDecision>): Promise<ServerRefreshDecision> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof ClientError && err.code === ClientErrors.Internal.code && err.cause !== undefined) {
        return { expireAtSec: this.#nowSec() + REFRESH_RETRY_SEC };
      }
      return EXPIRED;
    }
  }

  #subscribeRequest(proxy: ProxyDefinition, caller: Caller, req: SubscribeRequest): ProxyMessage {
    const request = this.#base(proxy, caller, true);
    request.channel = req.channel ?? '';
    if (req.token) request.token = req.token;
    this.#setPayload(request, proxy, 'data', req.data);
    return request;
  }

  #base(proxy: ProxyDefinition, c: Caller, withUser: boolean): ProxyMessage {
    const m: ProxyMessage = {
      client: c.id,
      transport: c.transport,
      protocol: c.protocol,
      encoding: proxy.binaryEncoding ? 'binary' : 'json',
    };
    if (withUser) m.user = c.userId ?? '';
    if (proxy.includeConnectionMeta && c.meta !== undefined) m.meta = c.meta;
    return m;
  }

  #setPayload(m: ProxyMessage, proxy: ProxyDefinition, name: string, data: Uint8Array | undefined): void {
    if (data === undefined || data.byteLength === 0) return;
    if (proxy.binaryEncoding) m[`b64${name}`] = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
    else m[name] = data;
  }

  /**
   * Headers (or uni-GRPC metadata) this proxy forwards for the caller: real request headers named in
   * `http_headers` / `grpc_metadata`, then client-sent emulated headers named in `emulated_headers`
   * where no real header of that name was forwarded (a client value never overrides a real one).
   */
  #forwarded(proxy: ProxyDefinition, c: Caller): Readonly<Record<string, string>> {
    let out: Record<string, string> | undefined;
    const h = c.headers;
    if (h !== undefined) {
      const names = c.transport === 'uni_grpc' ? proxy.grpcMetadata : proxy.httpHeaders;
      for (const n of names) {
        const v = h[n];
        if (v !== undefined) (out ??= Object.create(null) as Record<string, string>)[n] = v;
      }
    }
    const e = c.emulated;
    if (e !== undefined) {
      for (const n of proxy.emulatedHeaders) {
        const v = e[n];
        if (v !== undefined && out?.[n] === undefined) (out ??= Object.create(null) as Record<string, string>)[n] = v;
      }
    }
    return out ?? EMPTY;
  }

  /**
   * One call: the `result` object (undefined when absent), or throws DisconnectError / ClientError.
   * Transport-level failures are logged and become error 100 (temporary).
   */
  async #call<T>(
    proxy: ProxyDefinition,
    hook: UnaryHook,
    request: ProxyMessage,
    caller: Caller,
    map: (result: Obj | undefined) => T,
    answer?: Promise<ProxyMessage>,
    label: string = hook,
  ): Promise<T> {
    const transport = this.#transports.get(proxy)!;
    const started = performance.now();
    let failed = false;
    try {
      const response = await (answer ?? transport.call(hook, request, this.#forwarded(proxy, caller)));
      const d = obj(response.disconnect);
      if (d !== undefined) throw new DisconnectError(customDisconnect(num(d.code), typeof d.reason === 'string' ? d.reason : ''));
      const e = obj(response.error);
      if (e !== undefined) {
        throw new ClientError(
          { code: num(e.code), message: typeof e.message === 'string' ? e.message : '', temporary: e.temporary === true },
        );
      }
      // Mapped here, so a bad answer (e.g. invalid base64) is a proxy failure like any other.
      return map(obj(response.result));
    } catch (err) {
      if (err instanceof DisconnectError || err instanceof ClientError) throw err;
      failed = true;
      this.#logger.error('proxy request failed', {
        proxy: proxy.name,
        type: label,
        endpoint: proxy.endpoint,
        client: caller.id,
        error: err instanceof Error ? err.message : String(err),
      });
      throw new ClientError(ClientErrors.Internal, { cause: err });
    } finally {
      const sec = (performance.now() - started) / 1000;
      if (this.setup.granular) this.#metrics?.observe(label, proxy.name, sec, failed);
      else this.#metrics?.observe(proxy.protocol, label, sec, failed);
    }
  }
}

/** Buffers publications until the core starts the stream; forwards client publications (bidirectional). */
class ProxySubscriptionStream implements SubscriptionStream {
  answered = false;
  #open: ProxyStream | undefined;
  #deliver: ((data: Uint8Array, tags?: Readonly<Record<string, string>>) => void) | undefined;
  #end: (() => void) | undefined;
  #held: Obj[] | undefined = [];
  #ended = false;
  #closed = false;
  publish?: (data: Uint8Array) => void;

  attach(open: ProxyStream, bidirectional: boolean): void {
    this.#open = open;
    if (bidirectional) this.publish = (data) => open.send({ publication: { data } });
  }

  start(deliver: (data: Uint8Array, tags?: Readonly<Record<string, string>>) => void, end: () => void): void {
    this.#deliver = deliver;
    this.#end = end;
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const p of held) this.publication(p);
    if (this.#ended) end();
  }

  publication(p: Obj): void {
    if (this.#closed) return;
    if (this.#held !== undefined) {
      this.#held.push(p);
      return;
    }
    const data = p.data instanceof Uint8Array ? p.data : new Uint8Array(0);
    const tags = obj(p.tags) as Record<string, string> | undefined;
    this.#deliver?.(data, tags !== undefined && Object.keys(tags).length > 0 ? tags : undefined);
  }

  ended(): void {
    this.#ended = true;
    if (!this.#closed) this.#end?.();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#open?.cancel();
  }
}

/** Identity of a proxy definition (what its transport depends on). */
function signature(d: ProxyDefinition): string {
  return JSON.stringify({ ...d, statusTransforms: [...d.statusTransforms] });
}

const EXPIRED: ServerRefreshDecision = Object.freeze({ expired: true, expireAtSec: 0 });

function subscribeResult(r: Obj | undefined, proxy: ProxyDefinition): SubscribeProxyResult {
  if (r === undefined) return { expireAtSec: 0 };
  return {
    expireAtSec: num(r.expire_at),
    info: payload(r, 'info', proxy),
    data: payload(r, 'data', proxy),
    override: override(r.override),
    serverTagsFilter: serverTagsFilter(r.server_tags_filter, proxy),
  };
}

/** The backend's filter compiled; a malformed one is a failed proxy answer (logged, error 100), not the client's 107. */
function serverTagsFilter(v: unknown, proxy: ProxyDefinition): TagsFilter | undefined {
  const node = filterNode(v);
  if (node === undefined) return undefined;
  try {
    return compileTagsFilter(node);
  } catch (err) {
    const why = err instanceof Error && err.cause instanceof Error ? err.cause.message : 'invalid tags filter';
    throw new ProxyCallError(`${proxy.name}: server_tags_filter: ${why}`);
  }
}

/** A decoded FilterNode message (JSON or protobuf shape) as the protocol type; absent → undefined. */
function filterNode(v: unknown): FilterNode | undefined {
  const o = obj(v);
  if (o === undefined) return undefined;
  const str = (x: unknown): string | undefined => (typeof x === 'string' && x !== '' ? x : undefined);
  const n = assignDefined<FilterNode>({}, { op: str(o.op), key: str(o.key), cmp: str(o.cmp), val: str(o.val) });
  if (Array.isArray(o.vals) && o.vals.length > 0) n.vals = o.vals.filter((x): x is string => typeof x === 'string');
  if (Array.isArray(o.nodes) && o.nodes.length > 0) n.nodes = o.nodes.map((c) => filterNode(c) ?? {});
  return n;
}

function connectResult(r: Obj, proxy: ProxyDefinition): ConnectProxyResult {
  const subs = new Map<string, SubscribeProxyResult>();
  const rawSubs = obj(r.subs);
  if (rawSubs !== undefined) for (const [channel, v] of Object.entries(rawSubs)) subs.set(channel, subscribeResult(obj(v) ?? {}, proxy));
  return {
    userId: typeof r.user === 'string' ? r.user : '',
    expireAtSec: num(r.expire_at),
    info: payload(r, 'info', proxy),
    data: payload(r, 'data', proxy),
    channels: Array.isArray(r.channels) ? (r.channels as string[]) : [],
    subs,
    meta: payload(r, 'meta', proxy),
  };
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze(Object.create(null) as Record<string, string>);
