/**
 * @module bench/load/sub-worker — a worker thread that holds a share of the subscriber connections.
 *
 * It counts every delivery (every push inside every frame) into shared counters the orchestrator
 * reads without messaging, and records latency samples for messages sent inside the shared window.
 *
 * Counters (Float64Array over a SharedArrayBuffer, one row per worker): see `C` below.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LatencyRecorder, TARGETS } from '../lib/protocols.mjs';
import { hs256 } from '../lib/token.mjs';
import { RawWebSocket } from '../lib/ws-raw.mjs';

export const C = { deliveries: 0, frames: 1, opened: 2, connected: 3, subscribed: 4, errors: 5, closed: 6, size: 8 };

const { target: targetName, port, counters: countersSab, row, window: windowSab } = workerData;
const target = TARGETS[targetName];
const wire = target.wire;
const counters = new Float64Array(countersSab, row * C.size * 8, C.size);
const latWindow = new Float64Array(windowSab);
const port_ = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

/** @type {RawWebSocket[]} */
let conns = [];
let firstError = null;
let closing = false;
/** Ends the current setup phase for a connection that failed. @type {(conn: RawWebSocket) => void} */
let onFailed = () => {};

const sink = {
  deliveries: 0,
  frames: 0,
  /** @type {LatencyRecorder|null} */
  latency: null,
  /** @type {(conn: RawWebSocket) => void} */
  onConnected: () => {},
  /** @type {(conn: RawWebSocket) => void} */
  onSubscribed: () => {},
  onError(conn, message) {
    counters[C.errors]++;
    onFailed(conn);
    if (firstError === null) {
      firstError = message;
      port_.postMessage({ type: 'error', message });
    }
    void conn;
  },
};

function onFrame(conn, opcode, buf, start, end) {
  sink.frames++;
  if (sink.latency !== null) sink.latency.now = -1;
  wire.onFrame(conn, opcode, buf, start, end, sink);
  counters[C.deliveries] = sink.deliveries;
  counters[C.frames] = sink.frames;
}

function onClose(conn, err) {
  if (closing) return;
  counters[C.closed]++;
  sink.onError(conn, `connection closed unexpectedly${err ? `: ${err.message}` : ''}`);
}

/**
 * Channels of global connection `i`.
 * - `{kind:'single', channel}`: everyone in one channel (fan-out);
 * - any spec may carry `tf` (a FilterNode): the Rotor wires send it as the subscribe tags filter;
 * - `{kind:'own', prefix}`: one channel per connection (idle memory);
 * - `{kind:'grid', conns, channels, perChannel}`: subscriber j of channel c is connection
 *   (c·perChannel + j) mod conns, so every channel has exactly `perChannel` subscribers and every
 *   connection channels·perChannel/conns channels (requires perChannel | conns | channels·…).
 */
function channelsOf(spec, i) {
  if (spec.kind === 'single') return [spec.channel];
  if (spec.kind === 'own') return [`${spec.prefix}${i}`];
  const { conns: n, channels: m, perChannel: s } = spec;
  const stride = n / s;
  const j = i % s;
  const base = (i - j) / s;
  const out = [];
  for (let c = base; c < m; c += stride) out.push(`c${c}`);
  return out;
}

/**
 * Opens connections [from, to) with at most `concurrency` in progress; each runs connect (with a
 * token when `secret` is set) and, when `subscribe`, subscribes. Resolves when all got there.
 */
function openAll({ from, to, concurrency, secret, subscribe, channels }) {
  return new Promise((resolve) => {
    const total = to - from;
    let next = from;
    let done = 0;
    const tokens = secret ? Array.from({ length: total }, (_, k) => hs256(secret, `u${from + k}`)) : null;
    const t0 = performance.now();
    const finishOne = (conn) => {
      if (conn.finished) return;
      conn.finished = true;
      done++;
      if (done === total) resolve({ ms: performance.now() - t0 });
      else if (next < to) startOne();
    };
    sink.onConnected = (conn) => {
      counters[C.connected]++;
      if (subscribe) wire.subscribe(conn, channelsOf(channels, conn.index), sink, channels.tf);
      else finishOne(conn);
    };
    sink.onSubscribed = (conn) => {
      counters[C.subscribed]++;
      finishOne(conn);
    };
    onFailed = finishOne;
    const startOne = () => {
      const i = next++;
      const conn = new RawWebSocket({
        port,
        path: target.path,
        protocol: target.wsProtocol,
        onFrame,
        onOpen: (c) => {
          counters[C.opened]++;
          wire.connect(c, tokens ? tokens[i - from] : '', sink);
        },
        // A failed connection still ends its setup (onError → onFailed), so the phase ends.
        onClose,
      });
      conn.index = i;
      conn.finished = false;
      conns.push(conn);
    };
    if (total === 0) resolve({ ms: 0 });
    for (let k = 0; k < concurrency && next < to; k++) startOne();
  });
}

/** Subscribes every open connection (after a connect-only phase). */
function subscribeAll(channels) {
  return new Promise((resolve) => {
    const live = conns.filter((c) => !c.closed);
    let done = 0;
    const t0 = performance.now();
    if (live.length === 0) resolve({ ms: 0 });
    const finish = (conn) => {
      if (conn.subFinished) return;
      conn.subFinished = true;
      if (++done === live.length) resolve({ ms: performance.now() - t0 });
    };
    sink.onSubscribed = (conn) => {
      counters[C.subscribed]++;
      finish(conn);
    };
    onFailed = finish;
    for (const c of live) wire.subscribe(c, channelsOf(channels, c.index), sink, channels.tf);
  });
}

port_.on('message', async (msg) => {
  try {
    if (msg.type === 'open') {
      const r = await openAll(msg);
      port_.postMessage({ type: 'opened', ...r });
    } else if (msg.type === 'subscribe') {
      const r = await subscribeAll(msg.channels);
      port_.postMessage({ type: 'subscribed', ...r });
    } else if (msg.type === 'latency') {
      sink.latency = new LatencyRecorder(msg.capacity, latWindow);
      port_.postMessage({ type: 'latency-ready' });
    } else if (msg.type === 'collect') {
      const rec = sink.latency;
      const samples = rec ? rec.samples.slice(0, rec.count) : new Float64Array(0);
      const dropped = rec ? rec.dropped : 0;
      sink.latency = null;
      port_.postMessage({ type: 'samples', samples, dropped }, [samples.buffer]);
    } else if (msg.type === 'close') {
      closing = true;
      for (const c of conns) c.destroy();
      conns = [];
      port_.postMessage({ type: 'closed' });
    }
  } catch (err) {
    port_.postMessage({ type: 'error', message: String(err?.stack ?? err) });
  }
});
