/**
 * @module bench/load/scale-child — a child PROCESS of the `scale` scenario holding one share of the
 * subscriber connections (threads would share one descriptor table; processes each have their own
 * `ulimit -n`), all from one source address (`localAddress`, its own ephemeral port range).
 *
 * Started with `child_process.fork` (IPC). Messages from the orchestrator:
 * - `{type:'open', port, target, localAddress, from, to, concurrency, secret, channel}`: opens
 *   connections [from, to), at most `concurrency` in progress, each connects (HS256 JWT when
 *   `secret`) and subscribes to `channel`; a connect that fails with EADDRNOTAVAIL / EMFILE / ENFILE
 *   is retried after a back-off (20 ms doubling, ≤ 2 s, ≤ 10 attempts). Replies `opened` {ms, retries}.
 * - `{type:'expect', id, deliveries}`: replies `reached` {id, lastUs} as soon as this child has
 *   counted `deliveries` deliveries in total (at once when it already has); `lastUs` is the
 *   CLOCK_MONOTONIC µs (same clock as the payload's `t`, in every process) of the read that brought
 *   the last one, so the orchestrator gets "publish → last delivery" without polling.
 * - `{type:'stats'}`: replies `stats` with the counters.
 * - `{type:'close'}`: closes every connection with RST, replies `closed`.
 * A connection closed by the server outside `close` counts in `dropped`.
 */
import { nowUs } from '../lib/payload.mjs';
import { TARGETS } from '../lib/protocols.mjs';
import { hs256 } from '../lib/token.mjs';
import { RawWebSocket } from '../lib/ws-raw.mjs';

const RETRYABLE = new Set(['EADDRNOTAVAIL', 'EMFILE', 'ENFILE']);
const MAX_ATTEMPTS = 10;

const send = (m) => process.send?.(m);

/** @type {RawWebSocket[]} */
let conns = [];
let closing = false;
let lastUs = 0;
let retries = 0;
/** @type {{id: number, deliveries: number}[]} */
let waiting = [];
/** `dropReasons`: dropped connections by the server's close code and reason (or the socket error). */
const stats = { deliveries: 0, connected: 0, subscribed: 0, errors: 0, dropped: 0, dropReasons: /** @type {Record<string, number>} */ ({}), firstError: '' };
/** Ends the setup of a connection that failed. @type {(conn: RawWebSocket) => void} */
let onFailed = () => {};

const sink = {
  deliveries: 0,
  latency: null,
  /** @type {(conn: RawWebSocket) => void} */
  onConnected: () => {},
  /** @type {(conn: RawWebSocket) => void} */
  onSubscribed: () => {},
  onError(conn, message) {
    stats.errors++;
    if (stats.firstError === '') stats.firstError = message;
    onFailed(conn);
  },
};

let wire = TARGETS['rotor-json'].wire;

function onFrame(conn, opcode, buf, start, end) {
  const before = sink.deliveries;
  wire.onFrame(conn, opcode, buf, start, end, sink);
  if (sink.deliveries === before) return;
  lastUs = nowUs();
  stats.deliveries = sink.deliveries;
  if (waiting.length > 0) settle();
}

/** Answers every `expect` whose count is reached. */
function settle() {
  const still = [];
  for (const w of waiting) {
    if (stats.deliveries >= w.deliveries) send({ type: 'reached', id: w.id, lastUs, deliveries: stats.deliveries });
    else still.push(w);
  }
  waiting = still;
}

function openAll({ port, target: targetName, localAddress, from, to, concurrency, secret, channel }) {
  const target = TARGETS[targetName];
  wire = target.wire;
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
      if (done === total) resolve({ ms: performance.now() - t0, retries });
      else if (next < to) connect(next++, 0);
    };
    sink.onConnected = (conn) => {
      stats.connected++;
      wire.subscribe(conn, [channel], sink);
    };
    sink.onSubscribed = (conn) => {
      stats.subscribed++;
      finishOne(conn);
    };
    onFailed = finishOne;
    /** One connection attempt for global index `i`; retried on a local resource shortage. */
    const connect = (i, attempt) => {
      const conn = new RawWebSocket({
        port,
        path: target.path,
        protocol: target.wsProtocol,
        localAddress,
        onFrame,
        onOpen: (c) => {
          c.everOpened = true;
          wire.connect(c, tokens ? tokens[i - from] : '', sink);
        },
        onClose: (c, err) => {
          if (closing) return;
          const code = /** @type {any} */ (err)?.code;
          if (!c.everOpened && RETRYABLE.has(code) && attempt + 1 < MAX_ATTEMPTS) {
            c.retired = true;
            retries++;
            setTimeout(() => connect(i, attempt + 1), Math.min(2000, 20 * 2 ** attempt));
            return;
          }
          const why = c.closeCode ? `close ${c.closeCode} ${c.closeReason}` : (err?.message ?? 'closed without a close frame');
          if (c.finished) {
            stats.dropped++;
            stats.dropReasons[why] = (stats.dropReasons[why] ?? 0) + 1;
          }
          sink.onError(c, `connection ${i} closed: ${why}`);
        },
      });
      conn.index = i;
      conn.finished = false;
      conn.everOpened = false;
      conns.push(conn);
    };
    if (total === 0) resolve({ ms: 0, retries });
    for (let k = 0; k < concurrency && next < to; k++) connect(next++, 0);
  });
}

process.on('message', async (msg) => {
  try {
    if (msg.type === 'open') {
      const r = await openAll(msg);
      conns = conns.filter((c) => !c.retired);
      send({ type: 'opened', ...r });
    } else if (msg.type === 'expect') {
      waiting.push({ id: msg.id, deliveries: msg.deliveries });
      settle();
    } else if (msg.type === 'stats') {
      send({ type: 'stats', ...stats, retries, live: conns.filter((c) => !c.closed).length });
    } else if (msg.type === 'close') {
      closing = true;
      for (const c of conns) c.destroy();
      conns = [];
      send({ type: 'closed' });
    }
  } catch (err) {
    send({ type: 'error', message: String(err?.stack ?? err) });
  }
});

// Exit with the orchestrator (the IPC channel closes when it goes, even after a kill -9).
process.on('disconnect', () => process.exit(0));
