/** @module config/schema/channel — channel options (top level and per namespace) and global channel keys (Centrifugo's channel and namespace keys). */
import { bool, duration, int, list, oneOf, requiredStr, str, strings } from './types.js';

/**
 * Channel options. They exist at the top level of the config (channels without namespace) and inside
 * every `namespaces[]` item. No inheritance between the two.
 */
export const CHANNEL_OPTIONS = {
  presence: bool(false, 'maintain presence'),
  join_leave: bool(false, 'emit join/leave events'),
  force_push_join_leave: bool(false, 'push join/leave to all subscribers'),
  history_size: int(0, 'max publications kept per channel; history is on when size and ttl are both > 0', { min: 0 }),
  history_ttl: duration('0', 'history retention (whole seconds)', { wholeSeconds: true }),
  history_meta_ttl: duration('0', 'stream meta TTL (whole seconds); 0 = `global_history_meta_ttl`', { wholeSeconds: true }),
  force_positioning: bool(false, 'positioning for every subscriber'),
  allow_positioning: bool(false, 'honour client positioning requests'),
  force_recovery: bool(false, 'recovery for every subscriber (requires history)'),
  allow_recovery: bool(false, 'honour client recovery requests'),
  force_recovery_mode: oneOf(['', 'stream', 'cache'], '', 'recovery mode: empty/`stream` or `cache`'),
  auto_cache_recover: bool(false, 'cache mode: deliver the latest publication on every subscribe, even without `recover` (Centrifugo v6; needs force_recovery)'),
  allowed_delta_types: strings([], 'delta types clients may negotiate; only `fossil`'),
  delta_publish: bool(false, 'treat every publication as `delta: true`'),
  allow_tags_filter: bool(false, 'subscribers may filter publications by tags (`tf`, Centrifugo v6)'),
  allow_subscribe_for_client: bool(false, 'authenticated clients may subscribe'),
  allow_subscribe_for_anonymous: bool(false, 'anonymous clients may subscribe too'),
  allow_publish_for_client: bool(false, 'authenticated clients may publish'),
  allow_publish_for_subscriber: bool(false, 'subscribers may publish'),
  allow_publish_for_anonymous: bool(false, 'anonymous clients may publish too'),
  allow_presence_for_client: bool(false, 'authenticated clients may call presence'),
  allow_presence_for_subscriber: bool(false, 'subscribers may call presence'),
  allow_presence_for_anonymous: bool(false, 'anonymous clients may call presence too'),
  allow_history_for_client: bool(false, 'authenticated clients may call history'),
  allow_history_for_subscriber: bool(false, 'subscribers may call history'),
  allow_history_for_anonymous: bool(false, 'anonymous clients may call history too'),
  allow_user_limited_channels: bool(false, 'enable `#` user-limited channels'),
  channel_regex: str('', 'regex the channel name after `ns:` must match (client-side subscribe); kept as source text'),
  proxy_subscribe: bool(false, 'subscribe proxy (non-granular mode)'),
  proxy_publish: bool(false, 'publish proxy (non-granular mode)'),
  proxy_sub_refresh: bool(false, 'sub refresh proxy (non-granular mode)'),
  proxy_subscribe_stream: bool(false, 'subscription stream proxy (experimental)'),
  proxy_subscribe_stream_bidirectional: bool(false, 'bidirectional subscription stream proxy (experimental)'),
  subscribe_proxy_name: str('', 'granular mode: subscribe proxy name'),
  publish_proxy_name: str('', 'granular mode: publish proxy name'),
  sub_refresh_proxy_name: str('', 'granular mode: sub refresh proxy name'),
  subscribe_stream_proxy_name: str('', 'granular mode: subscribe stream proxy name'),
} as const;

/** One `namespaces[]` item: `name` plus the channel options. */
const NAMESPACE_ITEM = {
  name: requiredStr('namespace name, ^[-a-zA-Z0-9_.]{2,}$, unique'),
  ...CHANNEL_OPTIONS,
} as const;

/** One `rpc_namespaces[]` item. */
const RPC_NAMESPACE_ITEM = {
  name: requiredStr('rpc namespace name, ^[-a-zA-Z0-9_.]{2,}$, unique'),
  rpc_proxy_name: str('', 'granular mode: rpc proxy name'),
} as const;

export const CHANNEL = {
  ...CHANNEL_OPTIONS,
  channel_max_length: int(255, 'max channel name length in bytes (client-side subscriptions)', { min: 0 }),
  channel_private_prefix: str('$', 'private channel prefix; empty disables'),
  channel_namespace_boundary: str(':', 'namespace boundary `ns:rest`'),
  channel_user_boundary: str('#', 'user-limited channel boundary'),
  channel_user_separator: str(',', 'separator of users in user-limited channels'),
  rpc_namespace_boundary: str(':', 'rpc namespace boundary `ns:method`'),
  global_history_meta_ttl: duration('720h', 'default stream meta TTL (whole seconds)', { wholeSeconds: true }),
  namespaces: list(NAMESPACE_ITEM, 'channel namespaces: [{name, <channel options>}]', 'namespace'),
  rpc_namespaces: list(RPC_NAMESPACE_ITEM, 'rpc namespaces: [{name, rpc_proxy_name}]', 'rpc_namespace'),
} as const;
