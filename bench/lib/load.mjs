/**
 * @module bench/lib/load — the orchestrator's side of the load generator: a pool of subscriber
 * worker threads (shared counters, no per-message messaging) and a publisher connection.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { BENCH_DIR } from './procs.mjs';
import { TARGETS } from './protocols.mjs';
import { makePayload } from './payload.mjs';
import { RawWebSocket } from './ws-raw.mjs';

const WORKER = path.join(BENCH_DIR, 'load', 'sub-worker.mjs');
const C = { deliveries: 0, frames: 1, opened: 2, connected: 3, subscribed: 4, errors: 5, closed: 6, size: 8 };

/** Waits for a message of `type` from a worker, failing after `timeoutMs`. */
function request(worker, msg, type, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      worker.off('message', onMsg);
      reject(new Error(`worker did not answer ${msg.type} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMsg = (m) => {
      if (m.type !== type) return;
      clearTimeout(timer);
      worker.off('message', onMsg);
      resolve(m);
    };
    worker.on('message', onMsg);
    worker.postMessage(msg);
  });
}

export class SubscriberPool {
  /**
   * @param {string} targetName
   * @param {number} port
   * @param {number} workers
   */
  constructor(targetName, port, workers) {
    this.targetName = targetName;
    this.counterSab = new SharedArrayBuffer(workers * C.size * 8);
    this.counters = new Float64Array(this.counterSab);
    this.windowSab = new SharedArrayBuffer(16);
    this.window = new Float64Array(this.windowSab);
    /** @type {string[]} */
    this.errors = [];
    this.workers = Array.from({ length: workers }, (_, row) => {
      const w = new Worker(WORKER, {
        workerData: { target: targetName, port, counters: this.counterSab, row, window: this.windowSab },
      });
      w.on('message', (m) => {
        if (m.type === 'error' && this.errors.length < 5) this.errors.push(m.message);
      });
      w.on('error', (err) => this.errors.push(`worker crashed: ${err.stack ?? err}`));
      return w;
    });
  }

  #sum(field) {
    let s = 0;
    for (let r = 0; r < this.workers.length; r++) s += this.counters[r * C.size + field];
    return s;
  }

  deliveries() {
    return this.#sum(C.deliveries);
  }
  frames() {
    return this.#sum(C.frames);
  }
  errorCount() {
    return this.#sum(C.errors);
  }
  closedCount() {
    return this.#sum(C.closed);
  }
  subscribedCount() {
    return this.#sum(C.subscribed);
  }
  connectedCount() {
    return this.#sum(C.connected);
  }

  /**
   * Opens `total` connections split across the workers; resolves with the wall time in ms, taken
   * by the workers (the slowest one) so token generation before the ramp is not counted.
   * @param {{total: number, concurrency: number, secret?: string, subscribe: boolean, channels: object, timeoutMs: number}} o
   */
  async open(o) {
    const k = this.workers.length;
    const replies = await Promise.all(
      this.workers.map((w, r) => {
        const from = Math.floor((o.total * r) / k);
        const to = Math.floor((o.total * (r + 1)) / k);
        return request(
          w,
          {
            type: 'open',
            from,
            to,
            concurrency: Math.max(1, Math.ceil(o.concurrency / k)),
            secret: o.secret ?? '',
            subscribe: o.subscribe,
            channels: o.channels,
          },
          'opened',
          o.timeoutMs,
        );
      }),
    );
    return Math.max(...replies.map((m) => m.ms));
  }

  /** Subscribes all open connections (after a connect-only open). */
  async subscribe(channels, timeoutMs) {
    const t0 = performance.now();
    await Promise.all(this.workers.map((w) => request(w, { type: 'subscribe', channels }, 'subscribed', timeoutMs)));
    return performance.now() - t0;
  }

  /** Arms latency recording for messages sent in [startUs, endUs). */
  async armLatency(capacityTotal) {
    this.window[0] = Infinity;
    this.window[1] = Infinity;
    const cap = Math.ceil(capacityTotal / this.workers.length);
    await Promise.all(this.workers.map((w) => request(w, { type: 'latency', capacity: cap }, 'latency-ready', 5000)));
  }

  setLatencyWindow(startUs, endUs) {
    this.window[1] = endUs;
    this.window[0] = startUs;
  }

  /** @returns {Promise<{samples: Float64Array, dropped: number}>} */
  async collectLatency() {
    const parts = await Promise.all(this.workers.map((w) => request(w, { type: 'collect' }, 'samples', 10_000)));
    const n = parts.reduce((a, p) => a + p.samples.length, 0);
    const samples = new Float64Array(n);
    let at = 0;
    for (const p of parts) {
      samples.set(p.samples, at);
      at += p.samples.length;
    }
    return { samples, dropped: parts.reduce((a, p) => a + p.dropped, 0) };
  }

  async close() {
    await Promise.all(this.workers.map((w) => request(w, { type: 'close' }, 'closed', 10_000).catch(() => {})));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** The publisher: one connection of the target's wire, publishing 96-byte payloads. */
export class Publisher {
  /** @param {string} targetName @param {number} port */
  constructor(targetName, port) {
    this.target = TARGETS[targetName];
    this.wire = this.target.wire;
    this.port = port;
    this.nextId = 1000;
    this.seq = 0;
    this.replies = 0;
    /** @type {string[]} */
    this.errors = [];
    this.conn = null;
  }

  /** Connects (connect command where the wire has one) and resolves when usable. */
  connect(timeoutMs = 10_000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('publisher did not connect in time')), timeoutMs);
      const sink = {
        deliveries: 0,
        latency: null,
        onConnected: () => {
          clearTimeout(timer);
          resolve(undefined);
        },
        onSubscribed: () => {},
        onError: (_c, message) => {
          if (this.errors.length < 5) this.errors.push(message);
          if (!this.conn?.open) {
            clearTimeout(timer);
            reject(new Error(`publisher: ${message}`));
          }
        },
      };
      this.conn = new RawWebSocket({
        port: this.port,
        path: this.target.path,
        protocol: this.target.wsProtocol,
        onFrame: (c, op, buf, s, e) => this.wire.onFrame(c, op, buf, s, e, sink),
        onOpen: (c) => this.wire.connect(c, '', sink),
        onClose: (_c, err) => sink.onError(_c, `publisher connection closed${err ? `: ${err.message}` : ''}`),
      });
    });
  }

  /**
   * Publishes `count` messages in one write; `channelOf(seq)` picks each message's channel.
   * @param {number} count
   * @param {(seq: number) => string} channelOf
   */
  publish(count, channelOf) {
    const frames = new Array(count);
    for (let k = 0; k < count; k++) {
      const seq = this.seq++;
      frames[k] = this.wire.publishFrame(this.nextId++, channelOf(seq), makePayload(seq));
    }
    this.conn?.sendFrames(frames);
  }

  /**
   * Publishes at a fixed `perSec` to `channel`: every millisecond, as many as are due since the start
   * (one write per tick). Returns the function that stops it.
   * @param {number} perSec
   * @param {string} [channel]
   * @returns {() => void}
   */
  pace(perSec, channel = 'fan') {
    const start = performance.now();
    const channelOf = () => channel;
    let sent = 0;
    const timer = setInterval(() => {
      const due = Math.floor(((performance.now() - start) / 1000) * perSec) - sent;
      if (due > 0) {
        this.publish(due, channelOf);
        sent += due;
      }
    }, 1);
    return () => clearInterval(timer);
  }

  close() {
    this.conn?.destroy();
  }
}
