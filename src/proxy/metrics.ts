/**
 * @module proxy/metrics — proxy call metrics under Centrifugo's names: `centrifugo_proxy_duration_seconds`
 * (summary), `…_duration_seconds_histogram`, `centrifugo_proxy_errors` with labels `protocol`
 * (`http`|`grpc`) and `type`; in granular mode `centrifugo_granular_proxy_*` with labels `type` and `name`.
 */
import type { Registry } from 'prom-client';
import { FastCounter, FastHistogram, FastSummary } from '../observability/fast-metrics.js';

const QUANTILES = [0.5, 0.99, 0.999];

export class ProxyMetrics {
  readonly #duration: FastSummary;
  readonly #histogram: FastHistogram;
  readonly #errors: FastCounter;

  constructor(registry: Registry, granular: boolean) {
    const prefix = granular ? 'centrifugo_granular_proxy' : 'centrifugo_proxy';
    const labelNames = granular ? ['type', 'name'] : ['protocol', 'type'];
    this.#duration = new FastSummary({ name: `${prefix}_duration_seconds`, help: 'Duration of proxy request.', labelNames, quantiles: QUANTILES, registry });
    this.#histogram = new FastHistogram({ name: `${prefix}_duration_seconds_histogram`, help: 'Duration of proxy request (histogram).', labelNames, registry });
    this.#errors = new FastCounter({ name: `${prefix}_errors`, help: 'Proxy request errors.', labelNames, registry });
  }

  /** `a`, `b`: (protocol, type) or, granular, (type, name). */
  observe(a: string, b: string, seconds: number, failed: boolean): void {
    this.#duration.observe2(a, b, seconds);
    this.#histogram.observe2(a, b, seconds);
    if (failed) this.#errors.inc2(a, b);
  }
}
