/** @module observability/metrics.test — the registry's families without a server. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { FrameType, SLOTS_PER_FRAME_TYPE } from '../core/frame-types.js';
import { Metrics } from './metrics.js';

describe('Metrics', () => {
  it('serves Node.js process / runtime default metrics (the counterpart of Go runtime families) when enabled', async () => {
    const text = await new Metrics('1.2.3').scrape();
    assert.match(text, /^# TYPE process_cpu_user_seconds_total counter$/m);
    assert.match(text, /^# TYPE process_resident_memory_bytes gauge$/m);
    assert.match(text, /^# TYPE nodejs_eventloop_lag_seconds gauge$/m);
    assert.match(text, /^centrifugo_node_build\{version="1\.2\.3"\} 1$/m);
  });

  it('the event-loop lag sampling wakes an idle process about 10 times a second, not 100 (prom-client default)', () => {
    // Counted in a process of its own: the test runner's own machinery (e.g. Node 24's) wakes the
    // main thread of a test file hundreds of times a second. Voluntary context switches of the main
    // thread (Linux): each wake-up of an idle event loop is one.
    const script = `
      import { readFileSync } from 'node:fs';
      import { Metrics } from ${JSON.stringify(new URL('./metrics.ts', import.meta.url).href)};
      const switches = () => Number(/^voluntary_ctxt_switches:\\s+(\\d+)$/m.exec(readFileSync('/proc/self/task/' + process.pid + '/status', 'latin1'))?.[1]);
      const m = new Metrics('1');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const before = switches();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const wakeups = switches() - before;
      const lag = /^nodejs_eventloop_lag_p99_seconds [0-9.e-]+$/m.test(await m.scrape());
      console.log(JSON.stringify({ wakeups, lag }));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    const { wakeups, lag } = JSON.parse(out.trim().split('\n').pop()!) as { wakeups: number; lag: boolean };
    assert.ok(Number.isSafeInteger(wakeups) && wakeups > 0, `wake-ups read: ${wakeups}`);
    assert.ok(lag, 'nodejs_eventloop_lag_p99_seconds is served');
    assert.ok(wakeups < 50, `${wakeups} wake-ups in 1 s`);
  });

  it('without default metrics only Centrifugo and promhttp families are served', async () => {
    const text = await new Metrics('1', { defaultMetrics: false }).scrape();
    const families = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
    assert.ok(families.length > 20);
    for (const f of families) assert.match(f, /^(centrifugo_|promhttp_metric_handler_)/);
  });

  it('transport message counters are read from the arrays connections bump', async () => {
    const m = new Metrics('1', { defaultMetrics: false });
    const a = m.frameCounters('websocket');
    assert.equal(m.frameCounters('websocket'), a, 'one array per transport');
    a[FrameType.PushJoin * SLOTS_PER_FRAME_TYPE] = 3;
    a[FrameType.PushJoin * SLOTS_PER_FRAME_TYPE + 1] = 120;
    const text = await m.scrape();
    assert.match(text, /^centrifugo_transport_messages_sent\{transport="websocket",frame_type="push_join",channel_namespace=""\} 3$/m);
    assert.match(text, /^centrifugo_transport_messages_sent_size\{transport="websocket",frame_type="push_join",channel_namespace=""\} 120$/m);
    assert.doesNotMatch(text, /frame_type="push_leave"/, 'frame types never seen have no series');
  });

  it('uni_* connects are not counted in centrifugo_transport_connect_count', async () => {
    const m = new Metrics('1', { defaultMetrics: false });
    m.transportConnect('uni_websocket');
    m.transportConnect('websocket');
    const text = await m.scrape();
    assert.match(text, /^centrifugo_transport_connect_count\{transport="websocket"\} 1$/m);
    assert.doesNotMatch(text, /transport="uni_websocket"/);
  });

  it('counts scrapes by status code', async () => {
    const m = new Metrics('1', { defaultMetrics: false });
    await m.scrape();
    assert.match(await m.scrape(), /^promhttp_metric_handler_requests_total\{code="200"\} 1$/m);
  });
});
