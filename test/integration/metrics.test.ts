/**
 * `/metrics` after real traffic: every Prometheus family Centrifugo v5 serves (names, types, label
 * names, the label values its dashboards select on), checked against a scrape taken after real
 * centrifuge-js clients (JSON and Protobuf over WebSocket, JSON over SSE) connected, subscribed,
 * published, read history and presence, called RPC, answered pings and got disconnected and
 * unsubscribed by the server API (HTTP and GRPC).
 *
 * Families implemented by other parts of Rotor (proxies, consumers) are listed with an `owner`:
 * their checks are registered as skipped with the reason, so removing `owner` enables them.
 */
import { strict as assert } from 'node:assert';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { State, SubscriptionState, type Subscription } from 'centrifuge';
import { DEFAULT_BUCKETS } from '../../src/observability/fast-metrics.js';
import { VERSION } from '../../src/version.js';
import { type Family, parseExposition, type Sample } from '../harness/prometheus.js';
import { collect, encodeData, sdkClient, type Client } from '../harness/sdk.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { connectToken } from '../harness/tokens.js';
import { waitFor, withTimeout } from '../harness/wait.js';
import { EMULATION_CONFIG, emulatedClient } from '../e2e/sdk-emulation.cases.js';

type Labels = Record<string, string>;

interface Expected {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'summary' | 'histogram';
  /** Label names of every series (besides `le` / `quantile`). */
  readonly labels: readonly string[];
  /** Series that must exist (any value). */
  readonly present?: readonly Labels[];
  /** Series that must have counted something (value, or `_count` for summaries/histograms, > 0). */
  readonly active?: readonly Labels[];
  /** Histogram bucket bounds. */
  readonly buckets?: readonly number[];
  /** Implemented elsewhere: the check is skipped with this owner until the lead enables it. */
  readonly owner?: string;
}

const each = (label: string, values: readonly string[]): Labels[] => values.map((v) => ({ [label]: v }));
const SUMMARY_QUANTILES = ['0.5', '0.99', '0.999'];
const MESSAGE_TYPES = ['publication', 'join', 'leave', 'control'];
const ALL_ACTIONS = [
  'add_client',
  'remove_client',
  'add_subscription',
  'remove_subscription',
  'add_presence',
  'remove_presence',
  'presence',
  'presence_stats',
  'history',
  'history_recover',
  'history_stream_top',
  'history_stream_top_latest_pub',
  'history_remove',
  'survey',
  'notify',
];
const COMMAND_METHODS = ['connect', 'subscribe', 'unsubscribe', 'publish', 'presence', 'presence_stats', 'history', 'send', 'rpc', 'refresh', 'sub_refresh', 'unknown'];
const API_METHODS = ['publish', 'broadcast', 'subscribe', 'unsubscribe', 'disconnect', 'refresh', 'presence', 'presence_stats', 'history', 'history_remove', 'info', 'rpc', 'channels'];
const TRANSPORT_LABELS = ['transport', 'frame_type', 'channel_namespace'];
const frame = (transport: string, frameType: string): Labels => ({ transport, frame_type: frameType, channel_namespace: '' });
const SENT_FRAMES = [
  ...['connect', 'subscribe', 'unsubscribe', 'publish', 'presence', 'presence_stats', 'history', 'rpc', 'server_ping'].map((f) => frame('websocket', f)),
  ...['push_publication', 'push_join', 'push_leave', 'push_subscribe', 'push_unsubscribe'].map((f) => frame('websocket', f)),
  frame('sse', 'connect'),
  frame('sse', 'push_publication'),
];
const RECEIVED_FRAMES = [
  ...['connect', 'subscribe', 'unsubscribe', 'publish', 'presence', 'presence_stats', 'history', 'rpc', 'client_pong'].map((f) => frame('websocket', f)),
  frame('sse', 'subscribe'),
];
const api = (protocol: string, methods: readonly string[]): Labels[] => methods.map((method) => ({ protocol, method }));
const proxyTypes = ['connect', 'refresh', 'subscribe', 'publish', 'rpc', 'sub_refresh', 'subscribe_stream'];

/** Centrifugo v5's families (every one its `/metrics` serves besides the Go runtime's). */
const EXPECTED: readonly Expected[] = [
  { name: 'centrifugo_node_messages_sent_count', type: 'counter', labels: ['type'], present: each('type', MESSAGE_TYPES), active: each('type', ['publication', 'join', 'leave']) },
  { name: 'centrifugo_node_messages_received_count', type: 'counter', labels: ['type'], present: each('type', MESSAGE_TYPES), active: each('type', ['publication', 'join', 'leave']) },
  {
    name: 'centrifugo_node_action_count',
    type: 'counter',
    labels: ['action'],
    present: each('action', ALL_ACTIONS),
    active: each('action', ['add_client', 'remove_client', 'add_subscription', 'remove_subscription', 'add_presence', 'remove_presence', 'presence', 'presence_stats', 'history', 'history_recover', 'history_stream_top', 'history_remove', 'survey']),
  },
  { name: 'centrifugo_node_num_clients', type: 'gauge', labels: [], active: [{}] },
  { name: 'centrifugo_node_num_users', type: 'gauge', labels: [], active: [{}] },
  { name: 'centrifugo_node_num_subscriptions', type: 'gauge', labels: [], active: [{}] },
  { name: 'centrifugo_node_num_channels', type: 'gauge', labels: [], active: [{}] },
  { name: 'centrifugo_node_num_nodes', type: 'gauge', labels: [], active: [{}] },
  { name: 'centrifugo_node_build', type: 'gauge', labels: ['version'], active: [{ version: VERSION }] },
  { name: 'centrifugo_node_survey_duration_seconds', type: 'summary', labels: ['op'], active: [{ op: 'channels' }] },
  { name: 'centrifugo_node_pub_sub_lag_seconds', type: 'histogram', labels: [], active: [{}], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10] },
  {
    name: 'centrifugo_node_broadcast_duration_seconds',
    type: 'histogram',
    labels: [],
    active: [{}],
    buckets: [0.000001, 0.000005, 0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  },
  // Counted in the second test (a refused connection); here it must exist, at zero.
  { name: 'centrifugo_node_client_connection_limit', type: 'counter', labels: [], present: [{}] },
  { name: 'centrifugo_client_num_reply_errors', type: 'counter', labels: ['method', 'code'], active: [{ method: 'rpc', code: '108' }] },
  { name: 'centrifugo_client_num_server_unsubscribes', type: 'counter', labels: ['code'], active: [{ code: '2000' }] },
  { name: 'centrifugo_client_num_server_disconnects', type: 'counter', labels: ['code'], active: [{ code: '4000' }] },
  {
    name: 'centrifugo_client_command_duration_seconds',
    type: 'summary',
    labels: ['method'],
    present: each('method', COMMAND_METHODS),
    active: each('method', ['connect', 'subscribe', 'unsubscribe', 'publish', 'presence', 'presence_stats', 'history', 'rpc']),
  },
  { name: 'centrifugo_client_recover', type: 'counter', labels: ['recovered'], present: each('recovered', ['yes', 'no']), active: [{ recovered: 'yes' }] },
  {
    name: 'centrifugo_client_ping_pong_duration_seconds',
    type: 'histogram',
    labels: ['transport'],
    active: [{ transport: 'websocket' }],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  },
  {
    name: 'centrifugo_transport_connect_count',
    type: 'counter',
    labels: ['transport'],
    present: each('transport', ['websocket', 'http_stream', 'sse']),
    active: each('transport', ['websocket', 'sse']),
  },
  { name: 'centrifugo_transport_messages_sent', type: 'counter', labels: TRANSPORT_LABELS, active: SENT_FRAMES },
  // A Protobuf ping is an empty Reply (0 bytes): the ping series may count pings of 0 bytes only.
  { name: 'centrifugo_transport_messages_sent_size', type: 'counter', labels: TRANSPORT_LABELS, active: SENT_FRAMES.filter((f) => f.frame_type !== 'server_ping') },
  { name: 'centrifugo_transport_messages_received', type: 'counter', labels: TRANSPORT_LABELS, active: RECEIVED_FRAMES },
  { name: 'centrifugo_transport_messages_received_size', type: 'counter', labels: TRANSPORT_LABELS, active: RECEIVED_FRAMES },
  { name: 'centrifugo_api_command_duration_seconds', type: 'summary', labels: ['protocol', 'method'], active: [...api('http', API_METHODS), ...api('grpc', ['info'])] },
  {
    name: 'centrifugo_api_command_duration_seconds_histogram',
    type: 'histogram',
    labels: ['protocol', 'method'],
    active: [...api('http', API_METHODS), ...api('grpc', ['info'])],
    buckets: DEFAULT_BUCKETS,
  },
  // No server-API RPC method exists without extensions: declared, never observed (as in Centrifugo OSS).
  { name: 'centrifugo_api_rpc_duration_seconds', type: 'summary', labels: ['protocol', 'method'] },
  { name: 'promhttp_metric_handler_requests_total', type: 'counter', labels: ['code'], present: each('code', ['200', '500', '503']), active: [{ code: '200' }] },
  { name: 'promhttp_metric_handler_requests_in_flight', type: 'gauge', labels: [], active: [{}] },
  // ---- owned by other parts; enable by removing `owner` when they are merged ----
  { name: 'centrifugo_api_command_duration_seconds', type: 'summary', labels: ['protocol', 'method'], active: api('consuming', ['publish']), owner: 'consumers: protocol="consuming" checked in consumers.postgresql.test.ts' },
  { name: 'centrifugo_proxy_duration_seconds', type: 'summary', labels: ['protocol', 'type'], active: proxyTypes.map((type) => ({ protocol: 'http', type })), owner: 'proxy: checked after proxy traffic in proxy-granular.test.ts' },
  { name: 'centrifugo_proxy_duration_seconds_histogram', type: 'histogram', labels: ['protocol', 'type'], active: proxyTypes.map((type) => ({ protocol: 'http', type })), buckets: DEFAULT_BUCKETS, owner: 'proxy: checked after proxy traffic in proxy-granular.test.ts' },
  { name: 'centrifugo_proxy_errors', type: 'counter', labels: ['protocol', 'type'], owner: 'proxy: checked after proxy traffic in proxy-granular.test.ts' },
  { name: 'centrifugo_granular_proxy_duration_seconds', type: 'summary', labels: ['type', 'name'], owner: 'proxy (granular mode): checked in proxy-granular.test.ts' },
  { name: 'centrifugo_granular_proxy_duration_seconds_histogram', type: 'histogram', labels: ['type', 'name'], buckets: DEFAULT_BUCKETS, owner: 'proxy (granular mode): checked in proxy-granular.test.ts' },
  { name: 'centrifugo_granular_proxy_errors', type: 'counter', labels: ['type', 'name'], owner: 'proxy (granular mode): checked in proxy-granular.test.ts' },
];

/** Families whose checks are skipped because another part owns them (listed for the merge). */
export const OWNED_ELSEWHERE = EXPECTED.filter((e) => e.owner !== undefined).map((e) => `${e.name}: ${e.owner}`);

const CONFIG = {
  ...EMULATION_CONFIG,
  prometheus: true,
  grpc_api: true,
  grpc_api_port: 0,
  grpc_api_address: '127.0.0.1',
  ping_interval: '1s',
  pong_timeout: '500ms',
  namespaces: EMULATION_CONFIG.namespaces.map((n) => ({ ...n, allow_history_for_subscriber: true })),
};

function sameLabels(sample: Sample, want: Labels): boolean {
  return Object.entries(want).every(([k, v]) => sample.labels[k] === v);
}

/** The value that says "counted something": the sample itself, or `_count` for summaries/histograms. */
function countSamples(f: Family): Sample[] {
  if (f.type === 'summary' || f.type === 'histogram') return f.samples.filter((s) => s.name === `${f.name}_count`);
  return f.samples.filter((s) => s.name === f.name);
}

function checkFamily(families: Map<string, Family>, e: Expected): void {
  const f = families.get(e.name);
  assert.ok(f !== undefined, `family ${e.name} is missing`);
  assert.equal(f.type, e.type, `${e.name} type`);
  assert.ok(f.help.length > 0, `${e.name} has HELP text`);
  for (const s of f.samples) {
    const names = Object.keys(s.labels).filter((k) => !(k === 'le' && s.name.endsWith('_bucket')) && !(k === 'quantile' && e.type === 'summary'));
    assert.deepEqual(names.sort(), [...e.labels].sort(), `${e.name}: labels of ${s.name}${JSON.stringify(s.labels)}`);
  }
  for (const want of e.present ?? []) {
    assert.ok(countSamples(f).some((s) => sameLabels(s, want)), `${e.name}: a series ${JSON.stringify(want)} exists`);
  }
  for (const want of e.active ?? []) {
    const s = countSamples(f).find((x) => sameLabels(x, want));
    assert.ok(s !== undefined, `${e.name}: a series ${JSON.stringify(want)} exists`);
    assert.ok(s.value > 0, `${e.name}${JSON.stringify(want)} counted something (is ${s.value})`);
  }
  if (e.type === 'summary') {
    for (const c of countSamples(f)) {
      const base = { ...c.labels };
      const quantiles: (string | undefined)[] = f.samples.filter((s) => s.name === e.name && sameLabels(s, base)).map((s) => s.labels.quantile);
      assert.deepEqual(quantiles, SUMMARY_QUANTILES, `${e.name}${JSON.stringify(base)} quantiles`);
    }
  }
  if (e.type === 'histogram' && e.buckets !== undefined) {
    for (const c of countSamples(f)) {
      const base = { ...c.labels };
      const buckets: Sample[] = f.samples.filter((s) => s.name === `${e.name}_bucket` && sameLabels(s, base));
      assert.deepEqual(
        buckets.map((b) => b.labels.le),
        [...e.buckets.map(String), '+Inf'],
        `${e.name}${JSON.stringify(base)} buckets`,
      );
      assert.equal(buckets.at(-1)!.value, c.value, `${e.name}: +Inf bucket equals _count`);
    }
  }
}

describe('Prometheus /metrics after real traffic', () => {
  let ts: TestServer;
  let families: Map<string, Family>;
  let scrapeText = '';
  const clients: Client[] = [];

  async function scrape(): Promise<Map<string, Family>> {
    const res = await fetch(`${ts.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    scrapeText = await res.text();
    return parseExposition(scrapeText);
  }

  async function apiOk(method: string, body: unknown): Promise<Record<string, unknown>> {
    const r = await ts.api(method, body);
    assert.equal(r.status, 200, `${method}: ${JSON.stringify(r.body)}`);
    return r.body as Record<string, unknown>;
  }

  function subscribed(sub: Subscription): Promise<void> {
    const done = new Promise<void>((resolve) => {
      if (sub.state === SubscriptionState.Subscribed) resolve();
      else sub.once('subscribed', () => resolve());
    });
    return withTimeout(done, 10_000, `subscription to ${sub.channel}`);
  }

  before(async () => {
    ts = await startTestServer(CONFIG);
    const node = ts.server.node;

    // Alice: JSON over WebSocket. Bob: Protobuf over WebSocket. Carol: anonymous JSON over SSE.
    const alice = sdkClient('json', ts.wsUrl, { token: await connectToken('alice') });
    const bob = sdkClient('protobuf', ts.wsUrl, { token: await connectToken('bob') });
    const carol = emulatedClient('json', [{ transport: 'sse', endpoint: `${ts.url}/connection/sse` }], ts.url);
    clients.push(alice, bob, carol);
    const aliceSub = alice.newSubscription('room:1');
    const bobSub = bob.newSubscription('room:1');
    const carolSub = carol.newSubscription('room:1');
    const aliceGot = collect('json', aliceSub);
    const carolGot = collect('json', carolSub);
    for (const s of [aliceSub, bobSub, carolSub]) s.subscribe();
    for (const c of clients) c.connect();
    await Promise.all([aliceSub, bobSub, carolSub].map(subscribed));
    await waitFor(() => node.hub.numSubs === 3, 10_000, 'three subscriptions');

    // Client commands: publish, presence, presence stats, history, a failing RPC (108: not available).
    await bobSub.publish(encodeData('protobuf', { from: 'bob' }));
    await aliceSub.presence();
    await aliceSub.presenceStats();
    await aliceSub.history({ limit: 10 });
    await assert.rejects(alice.rpc('nothing', {}), (err: { code?: number }) => err.code === 108);
    await waitFor(() => aliceGot.values.length === 1 && carolGot.values.length === 1, 10_000, 'publication delivered');

    // Server API over HTTP: every method.
    await apiOk('publish', { channel: 'room:1', data: { from: 'api' } });
    await apiOk('broadcast', { channels: ['room:1', 'room:2'], data: { from: 'broadcast' } });
    await apiOk('presence', { channel: 'room:1' });
    await apiOk('presence_stats', { channel: 'room:1' });
    await apiOk('history', { channel: 'room:1', limit: 10 });
    await apiOk('channels', {});
    await apiOk('info', {});
    await apiOk('rpc', { method: 'nothing' });
    await apiOk('refresh', { user: 'alice' });
    // A server-side subscription and a server unsubscribe (2000) of Alice.
    await apiOk('subscribe', { user: 'alice', channel: 'room:server' });
    await waitFor(() => node.hub.numSubs === 4, 10_000, 'server-side subscription');
    await apiOk('unsubscribe', { user: 'alice', channel: 'room:1' });
    await waitFor(() => aliceSub.state !== SubscriptionState.Subscribed, 10_000, 'alice unsubscribed by the server');
    // Alice unsubscribes from nothing more; she re-subscribes herself (client unsubscribe below).
    aliceSub.subscribe();
    await subscribed(aliceSub);
    aliceSub.unsubscribe();
    await waitFor(() => node.hub.numSubs === 3, 10_000, 'alice unsubscribed');
    await apiOk('history_remove', { channel: 'room:other' });

    // Bob is disconnected with a reconnecting custom code; his SDK reconnects and recovers room:1.
    const bobRecovered = new Promise<boolean>((resolve) => bobSub.once('subscribed', (ctx) => resolve(ctx.recovered)));
    await apiOk('disconnect', { user: 'bob', disconnect: { code: 4000, reason: 'metrics test' } });
    assert.equal(await withTimeout(bobRecovered, 15_000, 'bob reconnected and resubscribed'), true);

    // Server API over GRPC.
    const proto = fileURLToPath(new URL('../../src/api/api.proto', import.meta.url));
    const definition = protoLoader.loadSync(proto, { keepCase: true, longs: Number, enums: String, defaults: false, oneofs: false });
    const Api = (grpc.loadPackageDefinition(definition) as unknown as { centrifugal: { centrifugo: { api: { CentrifugoApi: grpc.ServiceClientConstructor } } } }).centrifugal.centrifugo.api
      .CentrifugoApi;
    const grpcClient = new Api(`127.0.0.1:${ts.server.grpcPort!}`, grpc.credentials.createInsecure());
    try {
      await new Promise<void>((resolve, reject) => {
        (grpcClient as unknown as { Info(req: object, cb: (err: Error | null) => void): void }).Info({}, (err) => (err ? reject(err) : resolve()));
      });
    } finally {
      grpcClient.close();
    }

    // At least one ping answered by a pong on a WebSocket connection.
    await waitFor(
      async () => {
        const f = (await scrape()).get('centrifugo_client_ping_pong_duration_seconds');
        return f?.samples.some((s) => s.name.endsWith('_count') && s.labels.transport === 'websocket' && s.value > 0);
      },
      15_000,
      'a ping/pong on websocket',
      100,
    );
    families = await scrape();
  });

  after(async () => {
    for (const c of clients) c.disconnect();
    await ts?.close();
  });

  for (const e of EXPECTED) {
    const title = `${e.name} (${e.type}; ${e.labels.join(', ') || 'no labels'})${e.owner !== undefined ? ` [${e.owner}]` : ''}`;
    if (e.owner !== undefined) it(title, { skip: `owned by ${e.owner}: implemented on another branch` }, () => undefined);
    else it(title, () => checkFamily(families, e));
  }

  it('every centrifugo_* family served is one of Centrifugo’s (no misspelt or extra family)', () => {
    const known = new Set(EXPECTED.map((e) => e.name));
    const extra = [...families.keys()].filter((n) => n.startsWith('centrifugo_') && !known.has(n));
    assert.deepEqual(extra, []);
  });

  it('uni_* transports do not count in centrifugo_transport_connect_count, as in Centrifugo', () => {
    const f = families.get('centrifugo_transport_connect_count')!;
    assert.deepEqual(f.samples.map((s) => s.labels.transport).sort(), ['http_stream', 'sse', 'websocket']);
  });

  it('the exposition is well-formed text format 0.0.4 (parsed strictly above) and ends with a newline', () => {
    assert.ok(scrapeText.endsWith('\n'));
  });

  it('bytes of messages sent are at least their count (sizes recorded, not just counts)', () => {
    const count = families.get('centrifugo_transport_messages_sent')!;
    const size = families.get('centrifugo_transport_messages_sent_size')!;
    for (const s of count.samples) {
      if (s.labels.frame_type === 'server_ping') continue; // Protobuf pings are 0 bytes (see above)
      const bytes = size.samples.find((x) => sameLabels(x, s.labels));
      assert.ok(bytes !== undefined && bytes.value >= s.value, `size of ${JSON.stringify(s.labels)}`);
    }
  });
});

describe('centrifugo_node_client_connection_limit', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ prometheus: true, allow_anonymous_connect_without_token: true, client_connection_limit: 1 });
  });
  after(async () => {
    await ts?.close();
  });

  it('counts connections refused by client_connection_limit', async () => {
    const first = sdkClient('json', ts.wsUrl);
    const second = sdkClient('json', ts.wsUrl);
    try {
      first.connect();
      await waitFor(() => first.state === State.Connected, 10_000, 'first connected');
      second.connect(); // refused with HTTP 503 before the upgrade; the SDK keeps retrying
      const value = async (): Promise<number> => {
        const f = parseExposition(await (await fetch(`${ts.url}/metrics`)).text()).get('centrifugo_node_client_connection_limit');
        return f?.samples[0]?.value ?? 0;
      };
      await waitFor(async () => (await value()) >= 1, 10_000, 'a refused connection counted', 50);
      assert.notEqual(second.state, State.Connected);
    } finally {
      first.disconnect();
      second.disconnect();
    }
  });
});
