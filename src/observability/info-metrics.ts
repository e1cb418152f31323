/**
 * @module observability/info-metrics — the `metrics` field of `info` (Centrifugo's node metrics in `info`).
 *
 * Every `node_info_metrics_aggregate_interval` the whole Prometheus registry is read into a flat map,
 * as Centrifugo does for its admin UI:
 * - key: the metric name split into `namespace.subsystem.rest` on its first two `_`
 *   (`centrifugo_node_num_clients` → `centrifugo.node.num_clients`), then the value suffix
 *   (`sum`, `count`, `quantile.<q×1000 without trailing zeros>`), then `label.value` pairs for the
 *   non-empty labels in alphabetical order, all joined by `.`;
 * - gauges: current value; counters and summary `sum`/`count`: delta since the previous
 *   aggregation; summary quantiles: current value; histograms are skipped.
 * The first snapshot exists after one interval (the first deltas need a previous reading).
 */
import type { Registry } from 'prom-client';

/** `info`'s `Metrics`: `interval` in seconds, `items` by flattened name. */
export interface InfoMetricsSnapshot {
  readonly interval: number;
  readonly items: Record<string, number>;
}

interface Value {
  value: number;
  labels: Record<string, string | number | undefined>;
  metricName?: string;
}

/** `a_b_c_d` → `a.b.c_d` (split on the first two underscores only). */
export function metricKeyBase(name: string): string {
  const first = name.indexOf('_');
  if (first < 0) return name;
  const second = name.indexOf('_', first + 1);
  if (second < 0) return `${name.slice(0, first)}.${name.slice(first + 1)}`;
  return `${name.slice(0, first)}.${name.slice(first + 1, second)}.${name.slice(second + 1)}`;
}

/** 0.5 → `5`, 0.99 → `99`, 0.999 → `999`. */
export function quantileKey(q: number): string {
  return String(Math.round(q * 1000)).replace(/0+$/, '') || '0';
}

function labelPart(labels: Value['labels'], skip: string | undefined): string {
  let out = '';
  for (const name of Object.keys(labels).sort()) {
    if (name === skip) continue;
    const v = labels[name];
    if (v === undefined || v === '') continue;
    out += `.${name}.${v}`;
  }
  return out;
}

/** Reads the registry on a timer and keeps the latest snapshot. */
export class InfoMetrics {
  readonly #registry: Registry;
  readonly #intervalMs: number;
  readonly #previous = new Map<string, number>();
  #snapshot: InfoMetricsSnapshot | undefined;
  #timer: NodeJS.Timeout | undefined;
  #primed = false;

  constructor(registry: Registry, intervalMs: number) {
    this.#registry = registry;
    this.#intervalMs = intervalMs;
  }

  /** The latest snapshot; undefined until the first interval has passed. */
  get snapshot(): InfoMetricsSnapshot | undefined {
    return this.#snapshot;
  }

  start(onError: (err: unknown) => void): void {
    if (this.#timer !== undefined || this.#intervalMs <= 0) return;
    this.aggregate().catch(onError); // primes the counters' baselines
    this.#timer = setInterval(() => void this.aggregate().catch(onError), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One aggregation (exposed for tests); the first call only records baselines. */
  async aggregate(): Promise<void> {
    const metrics = await this.#registry.getMetricsAsJSON();
    const items: Record<string, number> = Object.create(null) as Record<string, number>;
    const delta = (key: string, value: number): void => {
      const before = this.#previous.get(key);
      this.#previous.set(key, value);
      // A counter that went down was reset: count from zero.
      items[key] = before === undefined || value < before ? value : value - before;
    };
    for (const m of metrics) {
      const base = metricKeyBase(m.name);
      const values = m.values as Value[];
      switch (String(m.type)) {
        case 'gauge':
          for (const v of values) items[base + labelPart(v.labels, undefined)] = v.value;
          break;
        case 'counter':
          for (const v of values) delta(base + labelPart(v.labels, undefined), v.value);
          break;
        case 'summary':
          for (const v of values) {
            if (v.metricName === `${m.name}_sum`) delta(`${base}.sum${labelPart(v.labels, undefined)}`, v.value);
            else if (v.metricName === `${m.name}_count`) delta(`${base}.count${labelPart(v.labels, undefined)}`, v.value);
            else if (v.labels['quantile'] !== undefined) {
              items[`${base}.quantile.${quantileKey(Number(v.labels['quantile']))}${labelPart(v.labels, 'quantile')}`] = v.value;
            }
          }
          break;
        default:
          break; // histograms are skipped
      }
    }
    // JSON has no NaN / Infinity (e.g. a quantile without observations): leave such items out.
    for (const k of Object.keys(items)) if (!Number.isFinite(items[k])) delete items[k];
    if (this.#primed) this.#snapshot = Object.freeze({ interval: this.#intervalMs / 1000, items });
    this.#primed = true;
  }
}
