import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Gauge, Registry } from 'prom-client';
import { FastCounter, FastHistogram, FastSummary } from './fast-metrics.js';
import { InfoMetrics, metricKeyBase, quantileKey } from './info-metrics.js';

describe('info metrics', () => {
  it('flattens names on the first two underscores and trims quantile zeros', () => {
    assert.equal(metricKeyBase('centrifugo_node_num_clients'), 'centrifugo.node.num_clients');
    assert.equal(metricKeyBase('go_gc_duration_seconds'), 'go.gc.duration_seconds');
    assert.equal(metricKeyBase('process_cpu'), 'process.cpu');
    assert.equal(metricKeyBase('up'), 'up');
    assert.equal(quantileKey(0.5), '5');
    assert.equal(quantileKey(0.99), '99');
    assert.equal(quantileKey(0.999), '999');
  });

  it('gauges as is, counter and summary sum/count deltas, quantiles, no histograms, first snapshot after one interval', async () => {
    const r = new Registry();
    const sent = new FastCounter({ name: 'centrifugo_node_messages_sent_count', help: 'h', labelNames: ['type'], registry: r });
    const api = new FastSummary({ name: 'centrifugo_api_command_duration_seconds', help: 'h', labelNames: ['protocol', 'method'], quantiles: [0.5, 0.99], registry: r });
    new FastHistogram({ name: 'centrifugo_node_pub_sub_lag_seconds', help: 'h', labelNames: [], registry: r }).observe0(0.1);
    const g = new Gauge({ name: 'centrifugo_node_num_clients', help: 'h', registers: [r] });
    new Gauge({ name: 'x_broken_value', help: 'h', registers: [r] }).set(Number.NaN);
    const m = new InfoMetrics(r, 2000);

    sent.inc1('publication', 5);
    api.observe2('http', 'publish', 0.25);
    await m.aggregate();
    assert.equal(m.snapshot, undefined, 'the first reading only primes the deltas');

    sent.inc1('publication', 3);
    sent.inc1('join', 1);
    api.observe2('http', 'publish', 0.25);
    api.observe2('http', 'publish', 0.25);
    g.set(7);
    await m.aggregate();
    const s = m.snapshot!;
    assert.equal(s.interval, 2);
    assert.equal(s.items['centrifugo.node.messages_sent_count.type.publication'], 3);
    assert.equal(s.items['centrifugo.node.messages_sent_count.type.join'], 1);
    assert.equal(s.items['centrifugo.node.num_clients'], 7);
    assert.equal(s.items['centrifugo.api.command_duration_seconds.count.method.publish.protocol.http'], 2);
    assert.ok(Math.abs(s.items['centrifugo.api.command_duration_seconds.sum.method.publish.protocol.http']! - 0.5) < 1e-9);
    const q = s.items['centrifugo.api.command_duration_seconds.quantile.5.method.publish.protocol.http'];
    assert.ok(q !== undefined && Math.abs(q - 0.25) < 0.25 * 0.05, `quantile ${q}`);
    assert.ok(!Object.keys(s.items).some((k) => k.startsWith('centrifugo.node.pub_sub_lag_seconds')), 'histograms skipped');
    assert.equal(s.items['x.broken.value'], undefined, 'non-finite values are left out');

    await m.aggregate();
    assert.equal(m.snapshot!.items['centrifugo.node.messages_sent_count.type.publication'], 0);
  });
});
