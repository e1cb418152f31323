/**
 * @module observability/metrics — Prometheus metrics under Centrifugo's names (server.md §6.2).
 *
 * Each server gets its own registry (so several embedded servers in one process do not clash).
 * Gauges about the hub are computed on scrape. Everything recorded on a hot path (per command,
 * per API call, per connect) uses the label-indexed types of `fast-metrics.ts`.
 */
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Node, NodeMetrics } from '../core/node.js';
import { FastCounter, FastHistogram, FastSummary } from './fast-metrics.js';

const OBJECTIVES = { 0.5: 0.05, 0.99: 0.001, 0.999: 0.0001 };

export class Metrics implements NodeMetrics {
  readonly registry = new Registry();
  readonly #sent: FastCounter;
  readonly #received: FastCounter;
  readonly #action: FastCounter;
  readonly #commandDuration: FastSummary;
  readonly #replyErrors: FastCounter;
  readonly #serverDisconnects: FastCounter;
  readonly #serverUnsubscribes: FastCounter;
  readonly #recover: FastCounter;
  readonly #transportConnect: FastCounter;
  readonly #apiDuration: FastSummary;
  readonly #apiHistogram: FastHistogram;
  readonly #lag: FastHistogram;

  constructor(version: string, options: { defaultMetrics?: boolean } = {}) {
    const r = this.registry;
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: r });
    this.#sent = new FastCounter({ name: 'centrifugo_node_messages_sent_count', help: 'Number of messages sent by node to broker.', labelNames: ['type'], registry: r });
    this.#received = new FastCounter({ name: 'centrifugo_node_messages_received_count', help: 'Number of messages received from broker.', labelNames: ['type'], registry: r });
    this.#action = new FastCounter({ name: 'centrifugo_node_action_count', help: 'Number of various actions called.', labelNames: ['action'], registry: r });
    this.#commandDuration = new FastSummary({
      name: 'centrifugo_client_command_duration_seconds',
      help: 'Client command duration summary.',
      labelNames: ['method'],
      quantiles: Object.keys(OBJECTIVES).map(Number),
      registry: r,
    });
    this.#replyErrors = new FastCounter({ name: 'centrifugo_client_num_reply_errors', help: 'Number of errors in replies sent to clients.', labelNames: ['method', 'code'], registry: r });
    this.#serverDisconnects = new FastCounter({ name: 'centrifugo_client_num_server_disconnects', help: 'Number of server initiated disconnects.', labelNames: ['code'], registry: r });
    this.#serverUnsubscribes = new FastCounter({ name: 'centrifugo_client_num_server_unsubscribes', help: 'Number of server initiated unsubscribes.', labelNames: ['code'], registry: r });
    this.#recover = new FastCounter({ name: 'centrifugo_client_recover', help: 'Count of recover operations.', labelNames: ['recovered'], registry: r });
    this.#transportConnect = new FastCounter({ name: 'centrifugo_transport_connect_count', help: 'Number of connections to specific transport.', labelNames: ['transport'], registry: r });
    this.#apiDuration = new FastSummary({
      name: 'centrifugo_api_command_duration_seconds',
      help: 'Duration of API per command.',
      labelNames: ['protocol', 'method'],
      quantiles: Object.keys(OBJECTIVES).map(Number),
      registry: r,
    });
    this.#apiHistogram = new FastHistogram({
      name: 'centrifugo_api_command_duration_seconds_histogram',
      help: 'Duration of API per command (histogram).',
      labelNames: ['protocol', 'method'],
      registry: r,
    });
    this.#lag = new FastHistogram({
      name: 'centrifugo_node_pub_sub_lag_seconds',
      help: 'Pub sub lag in seconds',
      labelNames: [],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registry: r,
    });
    new Gauge({ name: 'centrifugo_node_build', help: 'Node build info.', labelNames: ['version'], registers: [r] }).set({ version }, 1);
  }

  /** Hub gauges, computed at scrape time. */
  attachNode(node: Node): void {
    const r = this.registry;
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers: [r],
        collect() {
          this.set(read());
        },
      });
    };
    gauge('centrifugo_node_num_clients', 'Number of clients connected.', () => node.hub.numClients);
    gauge('centrifugo_node_num_users', 'Number of unique users connected.', () => node.hub.numUsers);
    gauge('centrifugo_node_num_subscriptions', 'Number of subscriptions.', () => node.hub.numSubs);
    gauge('centrifugo_node_num_channels', 'Number of channels with one or more subscribers.', () => node.hub.numChannels);
    gauge('centrifugo_node_num_nodes', 'Number of nodes in the cluster.', () => node.numNodes);
  }

  messagesSent(type: string): void {
    this.#sent.inc1(type);
  }
  messagesReceived(type: string): void {
    this.#received.inc1(type);
  }
  action(action: string): void {
    this.#action.inc1(action);
  }
  clientCommand(method: string, durationSec: number): void {
    this.#commandDuration.observe1(method, durationSec);
  }
  replyError(method: string, code: number): void {
    this.#replyErrors.inc2(method, String(code));
  }
  serverDisconnect(code: number): void {
    this.#serverDisconnects.inc1(String(code));
  }
  serverUnsubscribe(code: number): void {
    this.#serverUnsubscribes.inc1(String(code));
  }
  recover(recovered: boolean): void {
    this.#recover.inc1(recovered ? 'yes' : 'no');
  }
  transportConnect(transport: string): void {
    this.#transportConnect.inc1(transport);
  }
  pubSubLag(seconds: number): void {
    this.#lag.observe0(seconds);
  }
  /** Server API command timing (HTTP and GRPC fronts). */
  apiCommand(method: string, protocol: string, durationSec: number): void {
    this.#apiDuration.observe2(protocol, method, durationSec);
    this.#apiHistogram.observe2(protocol, method, durationSec);
  }
}
