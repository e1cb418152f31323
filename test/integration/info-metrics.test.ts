/** `info` carries the node's aggregated metrics (Centrifugo's node metrics in `info`) once one interval has passed. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { sdkClient, type Client } from '../harness/sdk.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { connectToken } from '../harness/tokens.js';
import { waitFor } from '../harness/wait.js';

interface InfoNode {
  num_clients: number;
  metrics?: { interval: number; items: Record<string, number> };
}

describe('info metrics', () => {
  let s: TestServer;
  const clients: Client[] = [];
  before(async () => {
    s = await startTestServer({ node_info_metrics_aggregate_interval: '1s', grpc_api: true, grpc_api_address: '127.0.0.1', grpc_api_port: 0 });
  });
  after(async () => {
    for (const c of clients) c.disconnect();
    await s.close();
  });

  async function node(): Promise<InfoNode> {
    const r = await s.api('info', {});
    return (r.body as { result: { nodes: InfoNode[] } }).result.nodes[0]!;
  }

  it('info.metrics has the interval, gauges and counter deltas', async () => {
    for (const user of ['a', 'b']) {
      const c = sdkClient('json', s.wsUrl, { token: await connectToken(user) });
      clients.push(c);
      c.connect();
      await c.ready(10_000);
    }
    const n = (await waitFor(async () => {
      const x = await node();
      return x.metrics?.items['centrifugo.node.num_clients'] === 2 ? x : undefined;
    }, 15_000, 'metrics with two clients', 200))!;
    assert.equal(n.metrics!.interval, 1);
    assert.equal(n.num_clients, 2);
    // A counter delta: connect commands of the two clients happened before this snapshot.
    const keys = Object.keys(n.metrics!.items);
    assert.ok(keys.includes('centrifugo.client.command_duration_seconds.count.method.connect'), keys.join(','));
    assert.ok(keys.some((k) => k.startsWith('centrifugo.client.command_duration_seconds.quantile.5.method.connect')));
    assert.ok(!keys.some((k) => k.includes('pub_sub_lag')), 'histograms are skipped');
  });

  it('GRPC Info carries the same metrics (map<string, double>)', async () => {
    const def = protoLoader.loadSync(fileURLToPath(new URL('../../src/api/api.proto', import.meta.url)), { keepCase: true, longs: Number, defaults: false });
    // loadPackageDefinition returns a nested namespace object; walk it to the service constructor.
    const Api = (grpc.loadPackageDefinition(def) as unknown as { centrifugal: { centrifugo: { api: { CentrifugoApi: grpc.ServiceClientConstructor } } } }).centrifugal.centrifugo.api.CentrifugoApi;
    const client = new Api(`127.0.0.1:${s.server.grpcPort}`, grpc.credentials.createInsecure());
    try {
      const reply = await new Promise<{ result: { nodes: InfoNode[] } }>((resolve, reject) => {
        const fn = client['Info'] as (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res?: unknown) => void) => void;
        fn.call(client, {}, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (err, res) => (err ? reject(err) : resolve(res as { result: { nodes: InfoNode[] } })));
      });
      const m = reply.result.nodes[0]!.metrics!;
      assert.equal(m.interval, 1);
      assert.equal(m.items['centrifugo.node.num_clients'], 2);
    } finally {
      client.close();
    }
  });
});
