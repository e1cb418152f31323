/**
 * @module proxy/options — proxy keys of the config (v5 flat keys, Centrifugo's proxy section) → the
 * proxies Rotor calls and which hook / namespace / rpc namespace uses which one. Every problem
 * (malformed `proxies[]` item, unknown proxy name, bad transform, bad endpoint) is collected into one
 * ConfigError naming the key.
 */
import { type Config, ConfigError, type ConfigProblem, parseDuration } from '../config/index.js';

/** Hook types (metric label `type`). */
type ProxyKind = 'connect' | 'refresh' | 'subscribe' | 'publish' | 'sub_refresh' | 'rpc' | 'subscribe_stream';

/** An HTTP status turned into a client error or disconnect (`proxy_http_status_code_transforms`). */
interface StatusTransform {
  readonly error?: { readonly code: number; readonly message: string; readonly temporary: boolean } | undefined;
  readonly disconnect?: { readonly code: number; readonly reason: string } | undefined;
}

/** TLS of a GRPC proxy connection (unified TLS object, PEM sources already picked). */
export interface ProxyGrpcTls {
  readonly enabled: boolean;
  readonly certFile: string;
  readonly cert: string;
  readonly key: string;
  readonly serverCa: string;
  readonly serverName: string;
  readonly insecureSkipVerify: boolean;
}

/** One configured proxy. */
export interface ProxyDefinition {
  /** Granular name, or the hook type in non-granular mode. */
  readonly name: string;
  readonly endpoint: string;
  readonly protocol: 'http' | 'grpc';
  readonly timeoutMs: number;
  /** Lower-case request header names (or uni-GRPC metadata keys) forwarded to the backend. */
  readonly httpHeaders: readonly string[];
  readonly grpcMetadata: readonly string[];
  /** Lower-case names of client-sent (emulated) connect headers forwarded; never mixed with real ones. */
  readonly emulatedHeaders: readonly string[];
  readonly staticHeaders: Readonly<Record<string, string>>;
  readonly binaryEncoding: boolean;
  readonly includeConnectionMeta: boolean;
  readonly grpcTls: ProxyGrpcTls;
  readonly grpcCredentialsKey: string;
  readonly grpcCredentialsValue: string;
  readonly grpcCompression: boolean;
  readonly statusTransforms: ReadonlyMap<number, StatusTransform>;
}

/** Channel hooks a namespace can route to a proxy. */
export type ChannelHook = 'subscribe' | 'publish' | 'sub_refresh' | 'subscribe_stream';

/**
 * What a namespace says about one hook: the proxy, `'missing'` (enabled but no proxy configured —
 * answered with 108, never the `allow_*` rules) or undefined (the hook is off).
 */
export type ChannelRoute = ProxyDefinition | 'missing' | undefined;

/** The resolved proxy setup. */
export interface ProxySetup {
  readonly granular: boolean;
  readonly connect?: ProxyDefinition | undefined;
  readonly refresh?: ProxyDefinition | undefined;
  /** Namespace name ('' = top level) → hook → route. */
  readonly channels: ReadonlyMap<string, Readonly<Partial<Record<ChannelHook, ChannelRoute>>>>;
  /** Namespaces whose subscribe streams are bidirectional (`proxy_subscribe_stream_bidirectional`). */
  readonly streamBidirectional: ReadonlySet<string>;
  /** RPC routing; see {@link rpcRoute}. */
  readonly rpc: {
    /** Non-granular rpc proxy, or the granular top-level `rpc_proxy_name` (methods without namespace). */
    readonly top?: ProxyDefinition | undefined;
    /** Granular: rpc namespace → its proxy (undefined = namespace without `rpc_proxy_name`). */
    readonly namespaces: ReadonlyMap<string, ProxyDefinition | undefined>;
    readonly boundary: string;
  };
  /** Every distinct proxy (start-up log, header capture). */
  readonly all: readonly ProxyDefinition[];
}

/** RPC route of a method: a proxy, 'not_found' (unknown rpc namespace, 104) or 'missing' (108). */
export function rpcRoute(setup: ProxySetup, method: string): ProxyDefinition | 'not_found' | 'missing' {
  if (!setup.granular) return setup.rpc.top ?? 'missing';
  const b = setup.rpc.boundary;
  const i = b === '' ? -1 : method.indexOf(b);
  if (i < 0) return setup.rpc.top ?? 'missing';
  const ns = method.slice(0, i);
  if (!setup.rpc.namespaces.has(ns)) return 'not_found';
  return setup.rpc.namespaces.get(ns) ?? 'missing';
}

type Obj = Record<string, unknown>;

const NAME_RE = /^[-a-zA-Z0-9_.]{2,}$/;

class Problems {
  readonly list: ConfigProblem[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function protocolOf(endpoint: string): 'http' | 'grpc' {
  return endpoint.startsWith('http://') || endpoint.startsWith('https://') ? 'http' : 'grpc';
}

function checkEndpoint(p: Problems, path: string, endpoint: string): void {
  if (protocolOf(endpoint) === 'http') {
    try {
      new URL(endpoint);
    } catch {
      p.add(path, `invalid HTTP proxy endpoint ${JSON.stringify(endpoint)}`);
    }
    return;
  }
  const target = endpoint.startsWith('grpc://') ? endpoint.slice('grpc://'.length) : endpoint;
  if (!/^[^\s/]+:\d+$/.test(target)) p.add(path, `invalid proxy endpoint ${JSON.stringify(endpoint)} (want http(s)://… or grpc://host:port)`);
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

/** `[{status_code, to_error:{code,message,temporary}} | {status_code, to_disconnect:{code,reason}}]`. */
function parseTransforms(p: Problems, path: string, raw: unknown): Map<number, StatusTransform> {
  const out = new Map<number, StatusTransform>();
  if (raw === undefined || raw === null) return out;
  if (!Array.isArray(raw)) {
    p.add(path, 'must be a list');
    return out;
  }
  raw.forEach((t: unknown, i) => {
    const at = `${path}[${i}]`;
    if (!isObj(t)) return p.add(at, 'must be an object');
    const status = t.status_code;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
      return p.add(`${at}.status_code`, 'must be an HTTP status code');
    }
    const toError = t.to_error;
    const toDisconnect = t.to_disconnect;
    const hasError = isObj(toError) && Object.keys(toError).length > 0;
    const hasDisconnect = isObj(toDisconnect) && Object.keys(toDisconnect).length > 0;
    if (hasError === hasDisconnect) return p.add(at, 'exactly one of to_error or to_disconnect is required');
    if (hasError) {
      const code = toError.code;
      const message = toError.message ?? '';
      if (typeof code !== 'number' || !Number.isInteger(code) || code < 0) return p.add(`${at}.to_error.code`, 'must be a non-negative integer');
      if (typeof message !== 'string' || !isAscii(message)) return p.add(`${at}.to_error.message`, 'must be an ASCII string');
      out.set(status, { error: { code, message, temporary: toError.temporary === true } });
      return;
    }
    const d = toDisconnect as Obj;
    const code = d.code;
    const reason = d.reason ?? '';
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 0) return p.add(`${at}.to_disconnect.code`, 'must be a non-negative integer');
    if (typeof reason !== 'string' || !isAscii(reason) || reason.length > 123) {
      return p.add(`${at}.to_disconnect.reason`, 'must be an ASCII string of at most 123 characters');
    }
    out.set(status, { disconnect: { code, reason } });
  });
  return out;
}

function tlsFrom(v: unknown, certFile: string): ProxyGrpcTls {
  const t = isObj(v) ? v : {};
  const s = (k: string): string => (typeof t[k] === 'string' ? (t[k]) : '');
  const pick = (base: string): string => {
    if (s(`${base}_file`) !== '') return `file:${s(`${base}_file`)}`;
    if (s(`${base}_b64`) !== '') return Buffer.from(s(`${base}_b64`), 'base64').toString('utf8');
    return s(base);
  };
  return {
    enabled: t.enabled === true,
    certFile,
    cert: pick('cert_pem'),
    key: pick('key_pem'),
    serverCa: pick('server_ca_pem'),
    serverName: s('server_name'),
    insecureSkipVerify: t.insecure_skip_verify === true,
  };
}

const lower = (names: readonly string[]): string[] => names.map((n) => n.toLowerCase());

function stringList(p: Problems, path: string, v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    p.add(path, 'must be a list of strings');
    return [];
  }
  return v as string[];
}

function stringMap(p: Problems, path: string, v: unknown): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  if (v === undefined || v === null) return out;
  if (!isObj(v)) {
    p.add(path, 'must be an object of strings');
    return out;
  }
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') p.add(`${path}.${k}`, 'must be a string');
    else out[k] = x;
  }
  return out;
}

/** The shared (non-granular) options applied to one hook's endpoint. */
function sharedProxy(p: Problems, config: Config, kind: ProxyKind, endpoint: string, timeoutMs: number): ProxyDefinition {
  checkEndpoint(p, `proxy_${kind}_endpoint`, endpoint);
  return {
    name: kind,
    endpoint,
    protocol: protocolOf(endpoint),
    timeoutMs,
    httpHeaders: lower(config.proxy_http_headers),
    grpcMetadata: lower(config.proxy_grpc_metadata),
    emulatedHeaders: lower(config.proxy_emulated_headers),
    staticHeaders: config.proxy_static_http_headers,
    binaryEncoding: config.proxy_binary_encoding,
    includeConnectionMeta: config.proxy_include_connection_meta,
    grpcTls: tlsFrom(config.proxy_grpc_tls, config.proxy_grpc_cert_file),
    grpcCredentialsKey: config.proxy_grpc_credentials_key,
    grpcCredentialsValue: config.proxy_grpc_credentials_value,
    grpcCompression: config.proxy_grpc_compression,
    statusTransforms: parseTransforms(p, 'proxy_http_status_code_transforms', config.proxy_http_status_code_transforms),
  };
}

/** One `proxies[]` item. */
function granularProxy(p: Problems, at: string, item: unknown): ProxyDefinition | undefined {
  if (!isObj(item)) {
    p.add(at, 'must be an object');
    return undefined;
  }
  const name = item.name;
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    p.add(`${at}.name`, 'proxy name must match ^[-a-zA-Z0-9_.]{2,}$');
    return undefined;
  }
  const endpoint = item.endpoint;
  if (typeof endpoint !== 'string' || endpoint === '') {
    p.add(`${at}.endpoint`, 'endpoint is required');
    return undefined;
  }
  checkEndpoint(p, `${at}.endpoint`, endpoint);
  let timeoutMs = 1000;
  if (item.timeout !== undefined) {
    try {
      if (typeof item.timeout !== 'string') throw new TypeError('not a string');
      timeoutMs = parseDuration(item.timeout);
    } catch {
      p.add(`${at}.timeout`, 'must be a duration such as "1s"');
    }
  }
  const str = (k: string): string => (typeof item[k] === 'string' ? (item[k]) : '');
  return {
    name,
    endpoint,
    protocol: protocolOf(endpoint),
    timeoutMs,
    httpHeaders: lower(stringList(p, `${at}.http_headers`, item.http_headers)),
    grpcMetadata: lower(stringList(p, `${at}.grpc_metadata`, item.grpc_metadata)),
    emulatedHeaders: lower(stringList(p, `${at}.emulated_headers`, item.emulated_headers)),
    staticHeaders: stringMap(p, `${at}.static_http_headers`, item.static_http_headers),
    binaryEncoding: item.binary_encoding === true,
    includeConnectionMeta: item.include_connection_meta === true,
    grpcTls: tlsFrom(item.grpc_tls, str('grpc_cert_file')),
    grpcCredentialsKey: str('grpc_credentials_key'),
    grpcCredentialsValue: str('grpc_credentials_value'),
    grpcCompression: item.grpc_compression === true,
    statusTransforms: parseTransforms(p, `${at}.http_status_to_code_transforms`, item.http_status_to_code_transforms),
  };
}

/** Namespace-level options the proxy routing reads (top level and `namespaces[]` items). */
interface NamespaceProxyKeys {
  readonly proxy_subscribe: boolean;
  readonly proxy_publish: boolean;
  readonly proxy_sub_refresh: boolean;
  readonly proxy_subscribe_stream: boolean;
  readonly proxy_subscribe_stream_bidirectional: boolean;
  readonly subscribe_proxy_name: string;
  readonly publish_proxy_name: string;
  readonly sub_refresh_proxy_name: string;
  readonly subscribe_stream_proxy_name: string;
}

const HOOK_FLAGS: readonly [ChannelHook, keyof NamespaceProxyKeys, keyof NamespaceProxyKeys][] = [
  ['subscribe', 'proxy_subscribe', 'subscribe_proxy_name'],
  ['publish', 'proxy_publish', 'publish_proxy_name'],
  ['sub_refresh', 'proxy_sub_refresh', 'sub_refresh_proxy_name'],
  ['subscribe_stream', 'proxy_subscribe_stream', 'subscribe_stream_proxy_name'],
];

/** Builds the proxy setup; throws ConfigError listing every problem. */
export function proxySetupFromConfig(config: Config): ProxySetup {
  const p = new Problems();
  const granular = config.granular_proxy_mode;
  const channels = new Map<string, Partial<Record<ChannelHook, ChannelRoute>>>();
  const namespaces: [string, string, NamespaceProxyKeys][] = [['', '', config], ...config.namespaces.map((ns, i): [string, string, NamespaceProxyKeys] => [ns.name, `namespaces[${i}].`, ns])];
  let connect: ProxyDefinition | undefined;
  let refresh: ProxyDefinition | undefined;
  let rpcTop: ProxyDefinition | undefined;
  const rpcNamespaces = new Map<string, ProxyDefinition | undefined>();
  const all: ProxyDefinition[] = [];

  if (!granular) {
    const endpoint = (kind: ProxyKind, e: string, t: number): ProxyDefinition | undefined => {
      if (e === '') return undefined;
      const d = sharedProxy(p, config, kind, e, t);
      all.push(d);
      return d;
    };
    connect = endpoint('connect', config.proxy_connect_endpoint, config.proxy_connect_timeout);
    refresh = endpoint('refresh', config.proxy_refresh_endpoint, config.proxy_refresh_timeout);
    rpcTop = endpoint('rpc', config.proxy_rpc_endpoint, config.proxy_rpc_timeout);
    const byHook: Record<ChannelHook, ProxyDefinition | undefined> = {
      subscribe: endpoint('subscribe', config.proxy_subscribe_endpoint, config.proxy_subscribe_timeout),
      publish: endpoint('publish', config.proxy_publish_endpoint, config.proxy_publish_timeout),
      sub_refresh: endpoint('sub_refresh', config.proxy_sub_refresh_endpoint, config.proxy_sub_refresh_timeout),
      subscribe_stream: endpoint('subscribe_stream', config.proxy_subscribe_stream_endpoint, config.proxy_subscribe_stream_timeout),
    };
    if (byHook.subscribe_stream !== undefined && byHook.subscribe_stream.protocol !== 'grpc') {
      p.add('proxy_subscribe_stream_endpoint', 'subscribe stream proxy supports only GRPC endpoints');
    }
    for (const [name, , o] of namespaces) {
      const routes: Partial<Record<ChannelHook, ChannelRoute>> = {};
      // Centrifugo enables a hook by its flag or by a proxy name; here the hook's one proxy serves it.
      for (const [hook, flag, key] of HOOK_FLAGS) if (o[flag] === true || o[key] !== '') routes[hook] = byHook[hook] ?? 'missing';
      channels.set(name, routes);
    }
  } else {
    const byName = new Map<string, ProxyDefinition>();
    const items: readonly unknown[] = config.proxies;
    items.forEach((item, i) => {
      const d = granularProxy(p, `proxies[${i}]`, item);
      if (d === undefined) return;
      if (byName.has(d.name)) return p.add(`proxies[${i}].name`, `duplicate proxy name ${JSON.stringify(d.name)}`);
      byName.set(d.name, d);
      all.push(d);
    });
    const ref = (path: string, name: string): ProxyDefinition | undefined => {
      if (name === '') return undefined;
      const d = byName.get(name);
      if (d === undefined) p.add(path, `proxy ${JSON.stringify(name)} is not defined in proxies`);
      return d;
    };
    connect = ref('connect_proxy_name', config.connect_proxy_name);
    refresh = ref('refresh_proxy_name', config.refresh_proxy_name);
    rpcTop = ref('rpc_proxy_name', config.rpc_proxy_name);
    for (const [name, at, o] of namespaces) {
      const routes: Partial<Record<ChannelHook, ChannelRoute>> = {};
      for (const [hook, flag, key] of HOOK_FLAGS) {
        const d = ref(`${at}${key}`, o[key] as string);
        if (d !== undefined) routes[hook] = d;
        // A flag without a proxy name has no proxy in granular mode: fail closed (108).
        else if (o[flag] === true) routes[hook] = 'missing';
        if (d !== undefined && hook === 'subscribe_stream' && d.protocol !== 'grpc') p.add(`${at}${key}`, 'subscribe stream proxy supports only GRPC endpoints');
      }
      channels.set(name, routes);
    }
    config.rpc_namespaces.forEach((ns, i) => rpcNamespaces.set(ns.name, ref(`rpc_namespaces[${i}].rpc_proxy_name`, ns.rpc_proxy_name)));
  }
  const streamBidirectional = new Set(namespaces.filter(([, , o]) => o.proxy_subscribe_stream_bidirectional).map(([name]) => name));
  if (p.list.length > 0) throw new ConfigError(p.list);
  return {
    granular,
    connect,
    refresh,
    channels,
    streamBidirectional,
    rpc: { top: rpcTop, namespaces: rpcNamespaces, boundary: config.rpc_namespace_boundary },
    all,
  };
}

/** Lower-case header names / metadata keys any proxy forwards (what transports must record). */
export function forwardedNames(setup: ProxySetup): { headers: string[]; metadata: string[]; emulated: string[] } {
  const headers = new Set<string>();
  const metadata = new Set<string>();
  const emulated = new Set<string>();
  for (const d of setup.all) {
    for (const h of d.httpHeaders) headers.add(h);
    for (const m of d.grpcMetadata) metadata.add(m);
    for (const e of d.emulatedHeaders) emulated.add(e);
  }
  return { headers: [...headers], metadata: [...metadata], emulated: [...emulated] };
}
