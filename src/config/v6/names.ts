/** @module config/v6/names — names problems and warnings by their v6 keys when the configuration was written in the v6 layout. */
import type { ConfigProblem } from '../errors.js';
import { CHANNEL_OPTIONS } from '../schema/index.js';
import { V6_PATH_OF, v6ChannelOption } from './paths.js';
import { DEFAULT_PROXIES, PROXY_FIELDS } from './proxies.js';

const EXTRA: ReadonlyMap<string, string> = new Map([
  ...DEFAULT_PROXIES.flatMap((d) => [
    [d.endpoint, `${d.v6}.endpoint`],
    [d.timeout, `${d.v6}.timeout`],
  ] as const),
  ['broker', 'broker.type'],
  ['granular_proxy_mode', 'proxies'],
  ['connect_proxy_name', 'client.proxy.connect'],
  ['refresh_proxy_name', 'client.proxy.refresh'],
  ['rpc_proxy_name', 'rpc.without_namespace.proxy_name'],
  ['namespaces', 'channel.namespaces'],
  ['rpc_namespaces', 'rpc.namespaces'],
]);

function itemKey(list: string, key: string): string {
  if (list === 'namespaces') return v6ChannelOption(key);
  if (list === 'rpc_namespaces') return key === 'rpc_proxy_name' ? 'proxy_name' : key;
  if (list === 'consumers') return key === 'disabled' ? 'enabled' : key;
  if (list === 'proxies') return PROXY_FIELDS.find((f) => f.item === key)?.v6 ?? key;
  return key;
}

/** The v6 name of a v5 key path (`namespaces[1].proxy_publish` → `channel.namespaces[1].publish_proxy_enabled`). */
function v6NameOf(v5Path: string, origin: ReadonlyMap<string, string> = new Map()): string {
  const m = /^([a-z0-9_]+)(.*)$/.exec(v5Path);
  if (m === null) return v5Path;
  const head = m[1] ?? '';
  let rest = m[2] ?? '';
  const item = /^(\[\d+\])\.([a-z0-9_]+)(.*)$/.exec(rest);
  if (item !== null) rest = `${item[1] ?? ''}.${itemKey(head, item[2] ?? '')}${item[3] ?? ''}`;
  const base = origin.get(head) ?? V6_PATH_OF.get(head) ?? EXTRA.get(head) ?? head;
  return base + rest;
}

/** Top-level-only v5 keys (with `_`) renamed inside message texts; channel options keep their names. */
const TEXT_KEYS: readonly string[] = [...V6_PATH_OF.keys(), ...EXTRA.keys()]
  .filter((k) => k.includes('_') && !Object.hasOwn(CHANNEL_OPTIONS, k))
  .sort((a, b) => b.length - a.length);
const TEXT_RE = new RegExp(`(?<![\\w.\\[])(${TEXT_KEYS.join('|')})(?![\\w])`, 'g');

function renameText(message: string, origin: ReadonlyMap<string, string>): string {
  return message.replace(TEXT_RE, (k) => v6NameOf(k, origin));
}

/** Problems with v6 paths and key names. */
export function v6Problems(problems: readonly ConfigProblem[], origin: ReadonlyMap<string, string>): ConfigProblem[] {
  return problems.map((p) => ({ path: /^[a-z0-9_]+/.test(p.path) ? v6NameOf(p.path, origin) : p.path, message: renameText(p.message, origin) }));
}

/** Warnings with `key=<v5 path>` of the configuration file renamed to the v6 path. */
export function v6Warnings(warnings: readonly string[], origin: ReadonlyMap<string, string>): string[] {
  return warnings.map((w) => w.replace(/(in the configuration file key=)(\S+)/, (_all, pre: string, key: string) => pre + v6NameOf(key, origin)));
}
