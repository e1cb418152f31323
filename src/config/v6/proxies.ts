/**
 * @module config/v6/proxies — proxies between the v5 keys (shared `proxy_*` options, per-kind endpoints,
 * granular mode with `proxies[]` and `*_proxy_name`) and the v6 layout (one object per default proxy,
 * `proxies[]` with nested `http`/`grpc` options, `*_proxy_enabled` channel options).
 *
 * v5 → v6 follows the official converter: the shared options are copied into every configured proxy,
 * connect/refresh proxies get `enabled: true`, `proxies[]` items move `static_http_headers` to
 * `http.static_headers` and `grpc_*` into `grpc.{…}`. In granular mode `connect_proxy_name` /
 * `refresh_proxy_name` (not migrated by the converter) become the connect/refresh proxy objects, so
 * nothing is lost. v6 → v5 is the inverse; granular mode is chosen when the v6 file has named proxies or
 * when its default proxies differ in options v5 can only share.
 */
import { isPlainObject } from '../../util/object.js';
import { v6ChannelOption, v5ChannelOption } from './paths.js';
import { canonical, getPath, setPath, text, truthy, type Tree } from './tree.js';

/** The default (unnamed) proxy of each kind. */
export interface DefaultProxy {
  readonly kind: string;
  readonly v6: string;
  readonly endpoint: string;
  readonly timeout: string;
  /** v6 connect/refresh proxies are switched on by their own `enabled` field. */
  readonly hasEnabled: boolean;
}

export const DEFAULT_PROXIES: readonly DefaultProxy[] = [
  { kind: 'connect', v6: 'client.proxy.connect', endpoint: 'proxy_connect_endpoint', timeout: 'proxy_connect_timeout', hasEnabled: true },
  { kind: 'refresh', v6: 'client.proxy.refresh', endpoint: 'proxy_refresh_endpoint', timeout: 'proxy_refresh_timeout', hasEnabled: true },
  { kind: 'subscribe', v6: 'channel.proxy.subscribe', endpoint: 'proxy_subscribe_endpoint', timeout: 'proxy_subscribe_timeout', hasEnabled: false },
  { kind: 'publish', v6: 'channel.proxy.publish', endpoint: 'proxy_publish_endpoint', timeout: 'proxy_publish_timeout', hasEnabled: false },
  { kind: 'sub_refresh', v6: 'channel.proxy.sub_refresh', endpoint: 'proxy_sub_refresh_endpoint', timeout: 'proxy_sub_refresh_timeout', hasEnabled: false },
  { kind: 'subscribe_stream', v6: 'channel.proxy.subscribe_stream', endpoint: 'proxy_subscribe_stream_endpoint', timeout: 'proxy_subscribe_stream_timeout', hasEnabled: false },
  { kind: 'rpc', v6: 'rpc.proxy', endpoint: 'proxy_rpc_endpoint', timeout: 'proxy_rpc_timeout', hasEnabled: false },
];

/** Channel-level proxy kinds (options `proxy_<kind>` / `<kind>_proxy_name`). */
const CHANNEL_PROXY_KINDS: readonly string[] = ['subscribe', 'publish', 'sub_refresh', 'subscribe_stream'];

/** Proxy options: v5 `proxies[]` item field, v6 proxy object path, v5 shared key. */
export const PROXY_FIELDS: readonly { readonly item: string; readonly v6: string; readonly shared: string; readonly type: string }[] = [
  { item: 'http_headers', v6: 'http_headers', shared: 'proxy_http_headers', type: 'string[]' },
  { item: 'grpc_metadata', v6: 'grpc_metadata', shared: 'proxy_grpc_metadata', type: 'string[]' },
  { item: 'emulated_headers', v6: 'emulated_headers', shared: 'proxy_emulated_headers', type: 'string[]' },
  { item: 'binary_encoding', v6: 'binary_encoding', shared: 'proxy_binary_encoding', type: 'bool' },
  { item: 'include_connection_meta', v6: 'include_connection_meta', shared: 'proxy_include_connection_meta', type: 'bool' },
  { item: 'static_http_headers', v6: 'http.static_headers', shared: 'proxy_static_http_headers', type: 'map' },
  { item: 'http_status_to_code_transforms', v6: 'http.status_to_code_transforms', shared: 'proxy_http_status_code_transforms', type: 'object[]' },
  { item: 'grpc_cert_file', v6: 'grpc.cert_file', shared: 'proxy_grpc_cert_file', type: 'string' },
  { item: 'grpc_tls', v6: 'grpc.tls', shared: 'proxy_grpc_tls', type: 'object' },
  { item: 'grpc_credentials_key', v6: 'grpc.credentials_key', shared: 'proxy_grpc_credentials_key', type: 'string' },
  { item: 'grpc_credentials_value', v6: 'grpc.credentials_value', shared: 'proxy_grpc_credentials_value', type: 'string' },
  { item: 'grpc_compression', v6: 'grpc.compression', shared: 'proxy_grpc_compression', type: 'bool' },
];

/** Sink for warnings and the v5 key → v6 path origins used to name keys in messages. */
export interface Out {
  readonly raw: Map<string, unknown>;
  readonly origin: Map<string, string>;
  readonly warnings: string[];
}

// ---------------------------------------------------------------- v5 → v6

/** A v5 `proxies[]` item in the v6 item layout. */
function itemToV6(item: Readonly<Record<string, unknown>>): Tree {
  const out: Tree = {};
  for (const [k, v] of Object.entries(item)) {
    const f = PROXY_FIELDS.find((x) => x.item === k.toLowerCase());
    setPath(out, f === undefined ? k : f.v6, v);
  }
  return out;
}

/** A v6 `proxies[]` item (or default proxy object) in the v5 item layout. */
function itemToV5(item: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    const key = k.toLowerCase();
    if (key === 'http' || key === 'grpc') continue;
    out[key] = v;
  }
  for (const f of PROXY_FIELDS) {
    if (!f.v6.includes('.')) continue;
    const v = getPath(item, f.v6);
    if (v !== undefined) out[f.item] = v;
  }
  return out;
}

function objects(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isPlainObject) : [];
}

/**
 * Writes the proxy part of a v5 config (`raw`, lower-case keys) into the v6 `tree`. With `all`, every default
 * proxy is written with every option (for `defaultconfig`).
 */
export function proxiesToV6(raw: ReadonlyMap<string, unknown>, tree: Tree, all: boolean, warnings: string[]): void {
  const granular = truthy(raw.get('granular_proxy_mode'));
  const items = objects(raw.get('proxies'));
  if (raw.has('proxies') || all) tree['proxies'] = items.map(itemToV6);
  if (!granular) {
    for (const d of DEFAULT_PROXIES) {
      const configured = text(raw.get(d.endpoint)) !== undefined;
      if (!configured && !all) continue;
      if (d.hasEnabled) setPath(tree, `${d.v6}.enabled`, configured);
      setPath(tree, `${d.v6}.endpoint`, raw.get(d.endpoint) ?? '');
      if (raw.has(d.timeout) || all) setPath(tree, `${d.v6}.timeout`, raw.get(d.timeout) ?? '1s');
      for (const f of PROXY_FIELDS) {
        if (raw.has(f.shared)) setPath(tree, `${d.v6}.${f.v6}`, raw.get(f.shared));
        else if (all) setPath(tree, `${d.v6}.${f.v6}`, emptyOf(f.type));
      }
    }
  } else {
    for (const [kind, key] of [['connect', 'connect_proxy_name'], ['refresh', 'refresh_proxy_name']] as const) {
      const name = text(raw.get(key));
      if (name === undefined) continue;
      const item = items.find((i) => i['name'] === name);
      if (item === undefined) {
        warnings.push(`${key} refers to unknown proxy ${JSON.stringify(name)}: not migrated`);
        continue;
      }
      const { name: _name, ...rest } = itemToV6(item);
      setPath(tree, `client.proxy.${kind}`, { enabled: true, ...rest });
    }
  }
  const rpcName = text(raw.get('rpc_proxy_name'));
  if (rpcName !== undefined || all) {
    setPath(tree, 'rpc.without_namespace.proxy_enabled', granular && rpcName !== undefined);
    setPath(tree, 'rpc.without_namespace.proxy_name', rpcName ?? '');
  }
  if (granular) {
    for (const kind of CHANNEL_PROXY_KINDS) {
      if (text(raw.get(`${kind}_proxy_name`)) !== undefined) setPath(tree, `channel.without_namespace.${kind}_proxy_enabled`, true);
    }
  }
  if (raw.has('rpc_namespaces') || all) {
    tree['rpc'] ??= {};
    setPath(
      tree,
      'rpc.namespaces',
      objects(raw.get('rpc_namespaces')).map((ns) => {
        const out: Tree = {};
        for (const [k, v] of Object.entries(ns)) out[k.toLowerCase() === 'rpc_proxy_name' ? 'proxy_name' : k] = v;
        if (granular && text(ns['rpc_proxy_name']) !== undefined) out['proxy_enabled'] = true;
        return out;
      }),
    );
  }
}

function emptyOf(type: string): unknown {
  switch (type) {
    case 'string[]':
    case 'object[]':
      return [];
    case 'bool':
      return false;
    case 'map':
      return {};
    case 'object':
      return { enabled: false };
    default:
      return '';
  }
}

/** A v5 namespace item (or the top-level channel options) with v6 option names; granular names also enable. */
export function namespaceToV6(ns: Readonly<Record<string, unknown>>, granular: boolean): Tree {
  const out: Tree = {};
  for (const [k, v] of Object.entries(ns)) out[v6ChannelOption(k.toLowerCase())] = v;
  if (granular) {
    for (const kind of CHANNEL_PROXY_KINDS) if (text(ns[`${kind}_proxy_name`]) !== undefined) out[`${kind}_proxy_enabled`] = true;
  }
  return out;
}

/** A v5 consumer in the v6 layout: `enabled` from `disabled`. */
export function consumerToV6(c: Readonly<Record<string, unknown>>): Tree {
  const out: Tree = {};
  for (const [k, v] of Object.entries(c)) if (k.toLowerCase() !== 'disabled') out[k] = v;
  out['enabled'] = !truthy(c['disabled']);
  return out;
}

/** A v6 consumer in the v5 layout: `disabled` from `enabled` (absent `disabled` when enabled). */
export function consumerToV5(c: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) if (k.toLowerCase() !== 'enabled') out[k] = v;
  if (!truthy(c['enabled'])) out['disabled'] = true;
  return out;
}

// ---------------------------------------------------------------- v6 → v5

const PROXY_OBJECT_KEYS = new Set(['endpoint', 'timeout', ...PROXY_FIELDS.map((f) => f.v6)]);

/** Warns about keys of the default proxy objects (and of `client.proxy` / `channel.proxy`) that v6 does not have. */
function warnUnknownProxyKeys(input: V6ProxyInput, warnings: string[]): void {
  const warn = (path: string): void => {
    warnings.push(`unknown key found in the configuration file key=${path}`);
  };
  for (const root of ['client.proxy', 'channel.proxy']) {
    const node = input.roots.get(root);
    if (!isPlainObject(node)) continue;
    for (const k of Object.keys(node)) if (!DEFAULT_PROXIES.some((d) => d.v6 === `${root}.${k.toLowerCase()}`)) warn(`${root}.${k}`);
  }
  for (const d of DEFAULT_PROXIES) {
    const parts = d.v6.split('.');
    const root = input.roots.get(parts.slice(0, 2).join('.'));
    const node = parts.length === 2 ? root : getPath(root, parts.slice(2).join('.'));
    if (!isPlainObject(node)) continue;
    for (const [k, v] of Object.entries(node)) {
      const key = k.toLowerCase();
      if (key === 'http' || key === 'grpc') {
        if (!isPlainObject(v)) continue;
        for (const sub of Object.keys(v)) if (!PROXY_OBJECT_KEYS.has(`${key}.${sub.toLowerCase()}`)) warn(`${d.v6}.${key}.${sub}`);
      } else if (!PROXY_OBJECT_KEYS.has(key) && !(d.hasEnabled && key === 'enabled')) warn(`${d.v6}.${k}`);
    }
  }
  if (isPlainObject(input.rpcWithoutNamespace)) {
    for (const k of Object.keys(input.rpcWithoutNamespace)) {
      if (!['proxy_enabled', 'proxy_name'].includes(k.toLowerCase())) warn(`rpc.without_namespace.${k}`);
    }
  }
}

/** The v6 values of the proxy part, as collected from a v6 file or environment. */
export interface V6ProxyInput {
  /** `client.proxy`, `channel.proxy`, `rpc.proxy` objects (by v6 root path). */
  readonly roots: ReadonlyMap<string, unknown>;
  readonly proxies: unknown;
  readonly rpcWithoutNamespace: unknown;
  readonly rpcNamespaces: unknown;
  readonly namespaces: unknown;
}

interface ConfiguredDefault {
  readonly d: DefaultProxy;
  readonly obj: Record<string, unknown>;
}

function defaultsOf(input: V6ProxyInput, out: Out): ConfiguredDefault[] {
  const found: ConfiguredDefault[] = [];
  for (const d of DEFAULT_PROXIES) {
    const parts = d.v6.split('.');
    const root = input.roots.get(parts.slice(0, 2).join('.'));
    const rest = parts.slice(2).join('.');
    const node = rest === '' ? root : getPath(root, rest);
    if (!isPlainObject(node)) continue;
    if (text(node['endpoint']) === undefined) continue;
    if (d.hasEnabled && !truthy(node['enabled'])) {
      out.warnings.push(`${d.v6}.endpoint is set but ${d.v6}.enabled is not true: the ${d.kind} proxy is off`);
      continue;
    }
    found.push({ d, obj: node });
  }
  return found;
}

function sharedOf(obj: Record<string, unknown>): string {
  const v5 = itemToV5(obj);
  return canonical(Object.fromEntries(PROXY_FIELDS.map((f) => [f.item, v5[f.item]])));
}

/**
 * Translates the v6 proxy part into v5 keys in `out.raw`, including namespaces (`channel.namespaces`) and
 * rpc namespaces, whose proxy options depend on the mode.
 */
export function proxiesToV5(input: V6ProxyInput, topOptions: Map<string, unknown>, out: Out): void {
  warnUnknownProxyKeys(input, out.warnings);
  const named = objects(input.proxies).map(itemToV5);
  const defaults = defaultsOf(input, out);
  const shared = new Set(defaults.map((x) => sharedOf(x.obj)));
  const granular = named.length > 0 || shared.size > 1;
  const set = (key: string, value: unknown, origin: string): void => {
    out.raw.set(key, value);
    out.origin.set(key, origin);
  };

  const defaultName = new Map<string, string>();
  if (!granular) {
    for (const { d, obj } of defaults) {
      set(d.endpoint, obj['endpoint'], `${d.v6}.endpoint`);
      if (obj['timeout'] !== undefined) set(d.timeout, obj['timeout'], `${d.v6}.timeout`);
    }
    const first = defaults[0];
    if (first !== undefined) {
      const v5 = itemToV5(first.obj);
      for (const f of PROXY_FIELDS) if (v5[f.item] !== undefined) set(f.shared, v5[f.item], `${first.d.v6}.${f.v6}`);
    }
  } else {
    set('granular_proxy_mode', true, 'proxies');
    const all = [...named];
    for (const { d, obj } of defaults) {
      const { enabled: _e, ...settings } = itemToV5(obj);
      const same = all.find((p) => canonical({ ...p, name: '' }) === canonical({ ...settings, name: '' }));
      let name = typeof same?.['name'] === 'string' ? same['name'] : undefined;
      if (name === undefined) {
        name = `default_${d.kind}`;
        for (let i = 2; all.some((p) => p['name'] === name); i++) name = `default_${d.kind}_${i}`;
        all.push({ name, ...settings });
      }
      defaultName.set(d.kind, name);
    }
    set('proxies', all, 'proxies');
    if (defaultName.has('connect')) set('connect_proxy_name', defaultName.get('connect'), 'client.proxy.connect');
    if (defaultName.has('refresh')) set('refresh_proxy_name', defaultName.get('refresh'), 'client.proxy.refresh');
  }

  // rpc without namespace
  const rpcTop = isPlainObject(input.rpcWithoutNamespace) ? input.rpcWithoutNamespace : {};
  const rpcName = text(rpcTop['proxy_name']);
  if (granular) {
    const enabled = rpcTop['proxy_enabled'] === undefined ? rpcName !== undefined : truthy(rpcTop['proxy_enabled']);
    const name = enabled ? (rpcName ?? defaultName.get('rpc')) : undefined;
    if (name !== undefined) set('rpc_proxy_name', name, 'rpc.without_namespace.proxy_name');
  } else if (rpcName !== undefined) set('rpc_proxy_name', rpcName, 'rpc.without_namespace.proxy_name');

  if (input.rpcNamespaces !== undefined) {
    const list = Array.isArray(input.rpcNamespaces)
      ? input.rpcNamespaces.map((ns: unknown) => (isPlainObject(ns) ? rpcNamespaceToV5(ns, granular, defaultName.get('rpc')) : ns))
      : input.rpcNamespaces;
    set('rpc_namespaces', list, 'rpc.namespaces');
  }
  if (input.namespaces !== undefined) {
    const list = Array.isArray(input.namespaces)
      ? input.namespaces.map((ns: unknown) => (isPlainObject(ns) ? namespaceToV5(ns, granular, defaultName, out.warnings) : ns))
      : input.namespaces;
    set('namespaces', list, 'channel.namespaces');
  }
  // top-level channel options were read as leaves (`proxy_<kind>` etc.); resolve their proxy names too
  resolveChannelProxies(topOptions, granular, defaultName, 'channel.without_namespace', out.warnings);
}

function rpcNamespaceToV5(ns: Record<string, unknown>, granular: boolean, rpcDefault: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ns)) {
    const key = k.toLowerCase();
    if (key === 'proxy_enabled') continue;
    out[key === 'proxy_name' ? 'rpc_proxy_name' : key] = v;
  }
  if (granular) {
    const name = text(ns['proxy_name']);
    const enabled = ns['proxy_enabled'] === undefined ? name !== undefined : truthy(ns['proxy_enabled']);
    const resolved = enabled ? (name ?? rpcDefault) : undefined;
    if (resolved === undefined) delete out['rpc_proxy_name'];
    else out['rpc_proxy_name'] = resolved;
  }
  return out;
}

/** A v6 namespace item in the v5 layout (option names, proxy names resolved for granular mode). */
function namespaceToV5(
  ns: Record<string, unknown>,
  granular: boolean,
  defaultName: ReadonlyMap<string, string>,
  warnings: string[],
): Record<string, unknown> {
  const m = new Map<string, unknown>();
  for (const [k, v] of Object.entries(ns)) m.set(v5ChannelOption(k.toLowerCase()), v);
  const label = `channel.namespaces ${JSON.stringify(typeof ns['name'] === 'string' ? ns['name'] : '')}`;
  resolveChannelProxies(m, granular, defaultName, label, warnings);
  return Object.fromEntries(m);
}

/**
 * Granular mode: `proxy_<kind>` (v6 `<kind>_proxy_enabled`) + `<kind>_proxy_name` → only the v5 name
 * (the default proxy's name when empty); not enabled → no proxy. Non-granular: left as read.
 */
function resolveChannelProxies(
  m: Map<string, unknown>,
  granular: boolean,
  defaultName: ReadonlyMap<string, string>,
  label: string,
  warnings: string[],
): void {
  if (!granular) return;
  for (const kind of CHANNEL_PROXY_KINDS) {
    const enabled = truthy(m.get(`proxy_${kind}`));
    const name = text(m.get(`${kind}_proxy_name`));
    m.delete(`proxy_${kind}`);
    if (!enabled) {
      m.delete(`${kind}_proxy_name`);
      continue;
    }
    const resolved = name ?? defaultName.get(kind);
    if (resolved === undefined) warnings.push(`${label}: ${kind}_proxy_enabled without a proxy (no ${kind}_proxy_name and no channel.proxy.${kind})`);
    else m.set(`${kind}_proxy_name`, resolved);
  }
}
