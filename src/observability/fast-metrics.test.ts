import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { FastCounter, FastHistogram, FastSummary, logBucket } from './fast-metrics.js';

/** `name{labels} value` lines of the exposition, as a map. */
async function scrape(r: Registry): Promise<Map<string, number>> {
  const text = await r.metrics();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    out.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return out;
}

describe('fast-metrics', () => {
  it('counters with one and two labels, in the exposition format', async () => {
    const r = new Registry();
    const c1 = new FastCounter({ name: 'x_actions', help: 'Actions.', labelNames: ['action'], registry: r });
    const c2 = new FastCounter({ name: 'x_errors', help: 'Errors.', labelNames: ['method', 'code'], registry: r });
    c1.inc1('add_client');
    c1.inc1('add_client');
    c1.inc1('history', 5);
    c2.inc2('publish', '103');
    c2.inc2('publish', '103');
    c2.inc2('subscribe', '103');
    const text = await r.metrics();
    assert.match(text, /# HELP x_actions Actions\.\n# TYPE x_actions counter\n/);
    const m = await scrape(r);
    assert.equal(m.get('x_actions{action="add_client"}'), 2);
    assert.equal(m.get('x_actions{action="history"}'), 5);
    assert.equal(m.get('x_errors{method="publish",code="103"}'), 2);
    assert.equal(m.get('x_errors{method="subscribe",code="103"}'), 1);
    assert.equal(m.size, 4);
    r.resetMetrics();
    assert.equal((await scrape(r)).size, 0);
  });

  it('histogram: cumulative le buckets, +Inf, sum and count per series', async () => {
    const r = new Registry();
    const h = new FastHistogram({ name: 'x_dur', help: 'Durations.', labelNames: ['protocol', 'method'], registry: r, buckets: [0.01, 0.1, 1] });
    for (const v of [0.005, 0.01, 0.05, 0.5, 3]) h.observe2('http', 'publish', v);
    h.observe2('grpc', 'info', 0.2);
    const m = await scrape(r);
    const l = 'protocol="http",method="publish"';
    assert.equal(m.get(`x_dur_bucket{${l},le="0.01"}`), 2, 'le is inclusive');
    assert.equal(m.get(`x_dur_bucket{${l},le="0.1"}`), 3);
    assert.equal(m.get(`x_dur_bucket{${l},le="1"}`), 4);
    assert.equal(m.get(`x_dur_bucket{${l},le="+Inf"}`), 5);
    assert.equal(m.get(`x_dur_count{${l}}`), 5);
    assert.ok(Math.abs(m.get(`x_dur_sum{${l}}`)! - 3.565) < 1e-12);
    assert.equal(m.get('x_dur_bucket{protocol="grpc",method="info",le="0.1"}'), 0);
    assert.equal(m.get('x_dur_bucket{protocol="grpc",method="info",le="1"}'), 1);
    assert.match(await r.metrics(), /# TYPE x_dur histogram/);
  });

  it('histogram without labels', async () => {
    const r = new Registry();
    const h = new FastHistogram({ name: 'x_lag', help: 'Lag.', labelNames: [], registry: r, buckets: [0.001, 0.01] });
    assert.equal((await scrape(r)).size, 0, 'no series before the first observation');
    h.observe0(0.0005);
    h.observe0(0.005);
    h.observe0(2);
    const m = await scrape(r);
    assert.equal(m.get('x_lag_bucket{le="0.001"}'), 1);
    assert.equal(m.get('x_lag_bucket{le="0.01"}'), 2);
    assert.equal(m.get('x_lag_bucket{le="+Inf"}'), 3);
    assert.equal(m.get('x_lag_count'), 3);
    r.resetMetrics();
    h.observe0(0.5);
    assert.equal((await scrape(r)).get('x_lag_count'), 1);
  });

  it('summary quantiles are within 2.2 % of the exact ones, sum and count exact', async () => {
    const r = new Registry();
    const s = new FastSummary({ name: 'x_cmd', help: 'Commands.', labelNames: ['method'], registry: r, quantiles: [0.5, 0.99, 0.999] });
    // A skewed distribution over five decades: 1 µs … 100 ms.
    const values: number[] = [];
    let x = 12345;
    for (let i = 0; i < 20_000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      values.push(1e-6 * 10 ** (5 * (x / 2 ** 31) ** 2));
    }
    for (const v of values) s.observe1('connect', v);
    const sorted = [...values].sort((a, b) => a - b);
    const m = await scrape(r);
    for (const q of [0.5, 0.99, 0.999]) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1]!;
      const got = m.get(`x_cmd{method="connect",quantile="${q}"}`)!;
      assert.ok(Math.abs(got - exact) / exact <= 0.022, `q${q}: ${got} vs ${exact}`);
    }
    assert.equal(m.get('x_cmd_count{method="connect"}'), 20_000);
    const sum = values.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(m.get('x_cmd_sum{method="connect"}')! - sum) < 1e-9);
    assert.match(await r.metrics(), /# TYPE x_cmd summary/);
  });

  it('summary edge values: zero, a single value, out-of-range values', async () => {
    const r = new Registry();
    const s = new FastSummary({ name: 'x_e', help: 'E.', labelNames: ['m'], registry: r, quantiles: [0.5] });
    s.observe1('one', 0.0042);
    s.observe1('zero', 0);
    s.observe1('huge', 1e9);
    const m = await scrape(r);
    assert.equal(m.get('x_e{m="one",quantile="0.5"}'), 0.0042, 'clamped to the only observed value');
    assert.equal(m.get('x_e{m="zero",quantile="0.5"}'), 0);
    assert.equal(m.get('x_e{m="huge",quantile="0.5"}'), 1e9);
    assert.equal(logBucket(-1), 0);
    assert.equal(logBucket(Number.NaN), 0);
    assert.ok(logBucket(1e-3) < logBucket(1.05e-3), 'neighbouring values 5 % apart land in different buckets');
  });

  it('a name can be registered once per registry', () => {
    const r = new Registry();
    new FastCounter({ name: 'x_dup', help: 'D.', labelNames: ['a'], registry: r });
    assert.throws(() => new FastCounter({ name: 'x_dup', help: 'D.', labelNames: ['a'], registry: r }), /already been registered/);
  });
});
