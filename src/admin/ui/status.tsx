/** @module admin/ui/status — every node of the cluster, from `info` polled every 3 s. */
import { useState } from 'preact/hooks';
import { rate, uptime } from './format.js';
import { usePoll } from './poll.js';

export interface NodeResult {
  uid: string;
  name: string;
  version: string;
  num_clients?: number;
  num_users?: number;
  num_subs?: number;
  num_channels?: number;
  uptime?: number;
  metrics?: { interval: number; items: Record<string, number> };
}

/** Per-second rate of the items whose key starts with `prefix` (summed), or undefined without metrics. */
function perSecond(n: NodeResult, prefix: string): number | undefined {
  const m = n.metrics;
  if (m === undefined || m.interval <= 0) return undefined;
  let sum = 0;
  for (const [k, v] of Object.entries(m.items)) if (k === prefix || k.startsWith(`${prefix}.`)) sum += v;
  return sum / m.interval;
}

export function Status({ onError }: { onError: (err: unknown) => void }) {
  const [nodes, setNodes] = useState<NodeResult[] | undefined>(undefined);
  const [updated, setUpdated] = useState<Date | undefined>(undefined);
  usePoll<{ nodes: NodeResult[] }>(
    'info',
    {},
    (result) => {
      setNodes([...(result?.nodes ?? [])].sort((a, b) => a.name.localeCompare(b.name)));
      setUpdated(new Date());
    },
    onError,
    [],
  );

  if (nodes === undefined) return <p class="muted">Loading…</p>;
  const total = (f: (n: NodeResult) => number | undefined): number => nodes.reduce((s, n) => s + (f(n) ?? 0), 0);
  const cards: Array<[string, number]> = [
    ['Nodes', nodes.length],
    ['Clients', total((n) => n.num_clients)],
    ['Users', total((n) => n.num_users)],
    ['Subscriptions', total((n) => n.num_subs)],
  ];
  return (
    <section>
      <div class="cards">
        {cards.map(([label, value]) => (
          <div class="card stat" key={label}>
            <div class="stat-value" data-testid={`total-${label.toLowerCase()}`}>
              {value}
            </div>
            <div class="stat-label">{label}</div>
          </div>
        ))}
      </div>
      <table class="grid" data-testid="nodes">
        <thead>
          <tr>
            <th>Node</th>
            <th>Version</th>
            <th>Uptime</th>
            <th class="num">Clients</th>
            <th class="num">Users</th>
            <th class="num">Subs</th>
            <th class="num">Channels</th>
            <th class="num" title="publications sent to the broker per second">Pub/s out</th>
            <th class="num" title="publications received from the broker per second">Pub/s in</th>
            <th class="num" title="server API calls per second">API/s</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((n) => (
            <tr key={n.uid} data-node={n.name}>
              <td>
                <strong>{n.name}</strong>
                <div class="muted small">{n.uid}</div>
              </td>
              <td>{n.version}</td>
              <td>{uptime(n.uptime)}</td>
              <td class="num" data-field="clients">{n.num_clients ?? 0}</td>
              <td class="num" data-field="users">{n.num_users ?? 0}</td>
              <td class="num" data-field="subs">{n.num_subs ?? 0}</td>
              <td class="num" data-field="channels">{n.num_channels ?? 0}</td>
              <td class="num" data-field="pub-out">{rate(perSecond(n, 'centrifugo.node.messages_sent_count.type.publication'))}</td>
              <td class="num" data-field="pub-in">{rate(perSecond(n, 'centrifugo.node.messages_received_count.type.publication'))}</td>
              <td class="num" data-field="api-rate">{rate(perSecond(n, 'centrifugo.api.command_duration_seconds.count'))}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted small">
        Updated {updated?.toLocaleTimeString()} · rates from each node's metrics snapshot (<code>node_info_metrics_aggregate_interval</code>)
      </p>
    </section>
  );
}
