/**
 * @module observability/metrics — Prometheus metrics under Centrifugo's names, types and labels
 * (the families of Centrifugo v5's `/metrics`, so its published Grafana dashboard works).
 *
 * Each server gets its own registry (so several embedded servers in one process do not clash).
 * Gauges about the hub are computed on scrape. Everything recorded on a hot path (per command,
 * per API call, per connect) uses the label-indexed types of `fast-metrics.ts`; per-message
 * transport counters are typed arrays the connections bump directly (`transport-frames.ts`).
 * Series Centrifugo creates at start-up (fixed label values) are created at zero here too.
 * Instead of Go's `go_*` runtime families, prom-client's Node.js defaults (`process_*`,
 * `nodejs_*`) are served when default metrics are on.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Node, NodeMetrics } from '../core/node.js';
import { CollectedMetric, FastCounter, FastHistogram, FastSummary } from './fast-metrics.js';
import { TransportFrameMetrics } from './transport-frames.js';

/**
 * Sampling interval of `nodejs_eventloop_lag_*` (prom-client's `monitorEventLoopDelay` timer). prom-client's
 * 10 ms default wakes an idle node 100 times a second (1.4 % of a core measured on an idle Redis-engine
 * node, `bench/results/2026-12-04-session5-redis-publish.md`); 100 ms still sees every stall longer than
 * that interval.
 */
const EVENT_LOOP_SAMPLING_MS = 100;

const OBJECTIVES = { 0.5: 0.05, 0.99: 0.001, 0.999: 0.0001 };
const QUANTILES = Object.keys(OBJECTIVES).map(Number);

/** Label values Centrifugo resolves at start-up (their series exist from the first scrape). */
const MESSAGE_TYPES = ['publication', 'join', 'leave', 'control'];
const ACTIONS = [
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
/** Only these transports count in `centrifugo_transport_connect_count` (Centrifugo's uni_* handlers do not). */
const CONNECT_COUNTED_TRANSPORTS = ['websocket', 'http_stream', 'sse'];

/** What the metrics read from the connection limiter (refusals by `client_connection_limit`). */
export interface ConnectionLimitSource {
  readonly refusedByLimit: number;
}

const one = (values: readonly string[]): string[][] => values.map((v) => [v]);

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
  readonly #broadcast: FastHistogram;
  readonly #pingPong: FastHistogram;
  readonly #survey: FastSummary;
  readonly #frames: TransportFrameMetrics;
  readonly #scrapes: Counter;
  readonly #scrapesInFlight: Gauge;
  #connectionLimit: ConnectionLimitSource | undefined;

  constructor(version: string, options: { defaultMetrics?: boolean } = {}) {
    const r = this.registry;
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: r, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLING_MS });
    this.#sent = new FastCounter({ name: 'centrifugo_node_messages_sent_count', help: 'Number of messages sent by node to broker.', labelNames: ['type'], registry: r }).preset(one(MESSAGE_TYPES));
    this.#received = new FastCounter({ name: 'centrifugo_node_messages_received_count', help: 'Number of messages received from broker.', labelNames: ['type'], registry: r }).preset(one(MESSAGE_TYPES));
    this.#action = new FastCounter({ name: 'centrifugo_node_action_count', help: 'Number of various actions called.', labelNames: ['action'], registry: r }).preset(one(ACTIONS));
    this.#commandDuration = new FastSummary({
      name: 'centrifugo_client_command_duration_seconds',
      help: 'Client command duration summary.',
      labelNames: ['method'],
      quantiles: QUANTILES,
      registry: r,
    }).preset(one(COMMAND_METHODS));
    this.#replyErrors = new FastCounter({ name: 'centrifugo_client_num_reply_errors', help: 'Number of errors in replies sent to clients.', labelNames: ['method', 'code'], registry: r });
    this.#serverDisconnects = new FastCounter({ name: 'centrifugo_client_num_server_disconnects', help: 'Number of server initiated disconnects.', labelNames: ['code'], registry: r });
    this.#serverUnsubscribes = new FastCounter({ name: 'centrifugo_client_num_server_unsubscribes', help: 'Number of server initiated unsubscribes.', labelNames: ['code'], registry: r });
    this.#recover = new FastCounter({ name: 'centrifugo_client_recover', help: 'Count of recover operations.', labelNames: ['recovered'], registry: r }).preset(one(['yes', 'no']));
    this.#transportConnect = new FastCounter({
      name: 'centrifugo_transport_connect_count',
      help: 'Number of connections to specific transport.',
      labelNames: ['transport'],
      registry: r,
    }).preset(one(CONNECT_COUNTED_TRANSPORTS));
    this.#apiDuration = new FastSummary({
      name: 'centrifugo_api_command_duration_seconds',
      help: 'Duration of API per command.',
      labelNames: ['protocol', 'method'],
      quantiles: QUANTILES,
      registry: r,
    });
    // Server-API RPC methods: none exist without extensions, so this family has no series (as in Centrifugo OSS).
    new FastSummary({ name: 'centrifugo_api_rpc_duration_seconds', help: 'Duration of API per command.', labelNames: ['protocol', 'method'], quantiles: QUANTILES, registry: r });
    this.#apiHistogram = new FastHistogram({
      name: 'centrifugo_api_command_duration_seconds_histogram',
      help: 'Histogram of duration of API per command.',
      labelNames: ['protocol', 'method'],
      registry: r,
    });
    this.#lag = new FastHistogram({
      name: 'centrifugo_node_pub_sub_lag_seconds',
      help: 'Pub sub lag in seconds',
      labelNames: [],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10],
      registry: r,
    });
    this.#broadcast = new FastHistogram({
      name: 'centrifugo_node_broadcast_duration_seconds',
      help: 'Broadcast duration in seconds',
      labelNames: [],
      buckets: [0.000001, 0.000005, 0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registry: r,
    });
    this.#pingPong = new FastHistogram({
      name: 'centrifugo_client_ping_pong_duration_seconds',
      help: 'Ping/Pong duration in seconds',
      labelNames: ['transport'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registry: r,
    });
    this.#survey = new FastSummary({ name: 'centrifugo_node_survey_duration_seconds', help: 'Survey duration summary.', labelNames: ['op'], quantiles: QUANTILES, registry: r });
    this.#frames = new TransportFrameMetrics(r);
    new CollectedMetric(
      'centrifugo_node_client_connection_limit',
      'Number of refused requests due to node client connection limit.',
      'counter',
      () => [{ labels: {}, value: this.#connectionLimit?.refusedByLimit ?? 0 }],
      r,
    );
    new Gauge({ name: 'centrifugo_node_build', help: 'Node build info.', labelNames: ['version'], registers: [r] }).set({ version }, 1);
    // The scrape handler's own families, as Go's promhttp handler serves them.
    this.#scrapes = new Counter({ name: 'promhttp_metric_handler_requests_total', help: 'Total number of scrapes by HTTP status code.', labelNames: ['code'], registers: [r] });
    for (const code of ['200', '500', '503']) this.#scrapes.inc({ code }, 0);
    this.#scrapesInFlight = new Gauge({ name: 'promhttp_metric_handler_requests_in_flight', help: 'Current number of scrapes being served.', registers: [r] });
  }

  /** Reads `client_connection_limit` refusals from the limiter at scrape time. */
  attachConnectionLimiter(source: ConnectionLimitSource): void {
    this.#connectionLimit = source;
  }

  /** The exposition text of a `/metrics` scrape (counted in `promhttp_metric_handler_*`). */
  async scrape(): Promise<string> {
    this.#scrapesInFlight.inc();
    try {
      const text = await this.registry.metrics();
      this.#scrapes.inc({ code: '200' });
      return text;
    } catch (err) {
      this.#scrapes.inc({ code: '500' });
      throw err;
    } finally {
      this.#scrapesInFlight.dec();
    }
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
    gauge('centrifugo_node_num_clients', 'Number of clients connected.', () => node.numClients);
    gauge('centrifugo_node_num_users', 'Number of unique users connected.', () => node.numUsers);
    gauge('centrifugo_node_num_subscriptions', 'Number of subscriptions.', () => node.numSubscriptions);
    gauge('centrifugo_node_num_channels', 'Number of channels with one or more subscribers.', () => node.numChannels);
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
    if (CONNECT_COUNTED_TRANSPORTS.includes(transport)) this.#transportConnect.inc1(transport);
  }
  pubSubLag(seconds: number): void {
    this.#lag.observe0(seconds);
  }
  broadcastDuration(seconds: number): void {
    this.#broadcast.observe0(seconds);
  }
  pingPong(transport: string, seconds: number): void {
    this.#pingPong.observe1(transport, seconds);
  }
  surveyDuration(op: string, seconds: number): void {
    this.#survey.observe1(op, seconds);
  }
  frameCounters(transport: string): Float64Array {
    return this.#frames.counters(transport);
  }
  /** Server API command timing (HTTP and GRPC fronts). */
  apiCommand(method: string, protocol: string, durationSec: number): void {
    this.#apiDuration.observe2(protocol, method, durationSec);
    this.#apiHistogram.observe2(protocol, method, durationSec);
  }
}
