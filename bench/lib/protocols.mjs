/**
 * @module bench/lib/protocols — what each target speaks on the wire, from the load generator's side.
 *
 * Wires:
 * - `json`: Centrifugo client protocol v2, JSON (Rotor). Commands and replies `\n`-joined in text
 *   frames; a publication push is a line starting with `{"push"`; `{}` is a server ping, answered `{}`.
 * - `protobuf`: the same protocol in protobuf (Rotor, subprotocol `centrifuge-protobuf`). Messages are
 *   varint-length-prefixed in binary frames; a Reply whose first field is `push` (tag 0x22) is a
 *   delivery; a zero-length message is a ping, answered with a zero-length message (byte 0x00).
 * - `lite`: the ws baselines speak the JSON subset above (connect, subscribe, publish; push lines
 *   identical to Rotor's), one message per frame from the server side, so bytes on the wire match.
 * - `socketio`: Engine.IO 4 / Socket.IO 5 packets over a websocket-only transport, one packet per
 *   frame: `0{…}` open, `40` namespace connect, `42[…]` events, `43<id>[…]` acks, `2`/`3` ping/pong.
 *
 * Every handler counts deliveries into a sink: `{ deliveries, latency: LatencyRecorder|null,
 * onConnected(conn), onSubscribed(conn), onError(conn, message) }`.
 */
import { OP_BINARY, OP_TEXT, encodeFrame } from './ws-raw.mjs';
import { nowUs, readTimestamp } from './payload.mjs';

const NL = 0x0a;
const LBRACE = 0x7b;
const QUOTE = 0x22;
const CH_P = 0x70;
const CH_I = 0x69;
const CH_E = 0x65;

const JSON_PONG = encodeFrame(OP_TEXT, Buffer.from('{}'));
const PROTO_PONG = encodeFrame(OP_BINARY, Buffer.from([0]));
const SIO_PONG = encodeFrame(OP_TEXT, Buffer.from('3'));

/**
 * Records latency samples (µs) into a bounded Float64Array, only for messages whose send timestamp
 * lies in the shared window `[window[0], window[1])` (set by the orchestrator).
 */
export class LatencyRecorder {
  /** @param {number} capacity @param {Float64Array} window */
  constructor(capacity, window) {
    this.samples = new Float64Array(capacity);
    this.window = window;
    this.count = 0;
    this.dropped = 0;
    /** Receive time of the current frame, read once per frame (-1: not read yet). */
    this.now = -1;
  }

  /** @param {Buffer} buf @param {number} start @param {number} end */
  record(buf, start, end) {
    const t = readTimestamp(buf, start, end);
    if (t < this.window[0] || t >= this.window[1]) return;
    if (this.now < 0) this.now = nowUs();
    if (this.count < this.samples.length) this.samples[this.count++] = this.now - t;
    else this.dropped++;
  }
}

// ------------------------------------------------------------------ protobuf helpers

/** @param {number[]} out @param {number} v */
function pushVarint(out, v) {
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

/** Length-delimited field. @param {number[]} out @param {number} field @param {Uint8Array} bytes */
function pushBytesField(out, field, bytes) {
  out.push((field << 3) | 2);
  pushVarint(out, bytes.length);
  for (const b of bytes) out.push(b);
}

/** Encodes a Command{id, <field>: body} without the length prefix. */
function protoCommand(id, field, body) {
  const out = [];
  out.push(0x08);
  pushVarint(out, id);
  pushBytesField(out, field, body);
  return out;
}

/** Varint-length-prefixes the messages and concatenates them. @param {number[][]} messages */
function protoDelimited(messages) {
  const out = [];
  for (const m of messages) {
    pushVarint(out, m.length);
    for (const b of m) out.push(b);
  }
  return Buffer.from(out);
}

const utf8 = (s) => Buffer.from(s, 'utf8');

function protoConnect(token) {
  const req = [];
  if (token) pushBytesField(req, 1, utf8(token));
  return protoCommand(1, 4, req);
}

/** FilterNode (op 1, key 2, cmp 3, val 4, vals 5, nodes 6) as protobuf bytes. */
function protoFilterNode(node) {
  const out = [];
  for (const [n, k] of [[1, 'op'], [2, 'key'], [3, 'cmp'], [4, 'val']]) if (node[k]) pushBytesField(out, n, utf8(node[k]));
  for (const v of node.vals ?? []) pushBytesField(out, 5, utf8(v));
  for (const child of node.nodes ?? []) pushBytesField(out, 6, Buffer.from(protoFilterNode(child)));
  return out;
}

function protoSubscribe(id, channel, tf) {
  const req = [];
  pushBytesField(req, 1, utf8(channel));
  if (tf) pushBytesField(req, 13, Buffer.from(protoFilterNode(tf)));
  return protoCommand(id, 5, req);
}

function protoPublish(id, channel, data) {
  const req = [];
  pushBytesField(req, 1, utf8(channel));
  pushBytesField(req, 2, utf8(data));
  return protoCommand(id, 7, req);
}

// ------------------------------------------------------------------ per-connection state

/**
 * @typedef {{ phase: 'connecting'|'connected'|'subscribing'|'ready', awaiting: number, nextId: number }} ConnState
 */
function stateOf(conn) {
  if (conn.state === null) conn.state = { phase: 'connecting', awaiting: 0, nextId: 2 };
  return conn.state;
}

/** A reply to a command arrived: when all awaited replies are in, advance the phase. */
function gotReply(conn, sink) {
  const st = stateOf(conn);
  if (st.awaiting <= 0) return;
  st.awaiting--;
  if (st.awaiting > 0) return;
  if (st.phase === 'connecting') {
    st.phase = 'connected';
    sink.onConnected(conn);
  } else if (st.phase === 'subscribing') {
    st.phase = 'ready';
    sink.onSubscribed(conn);
  }
}

// ------------------------------------------------------------------ JSON (Rotor and lite)

/** Handles one text frame of `\n`-joined JSON messages. */
function jsonFrame(conn, buf, start, end, sink) {
  let ls = start;
  while (ls < end) {
    let le = buf.indexOf(NL, ls);
    if (le < 0 || le > end) le = end;
    // `{"push"` → delivery; `{"id"` → reply; `{}` → ping.
    if (le - ls >= 7 && buf[ls + 2] === CH_P) {
      sink.deliveries++;
      if (sink.latency !== null) sink.latency.record(buf, ls, le);
    } else if (le - ls === 2 && buf[ls] === LBRACE) {
      conn.socket.write(JSON_PONG);
    } else if (le - ls >= 5 && buf[ls + 2] === CH_I) {
      const line = buf.toString('utf8', ls, le);
      if (line.includes('"error"')) sink.onError(conn, line);
      else gotReply(conn, sink);
    } else if (le > ls) {
      sink.onError(conn, `unexpected message: ${buf.toString('utf8', ls, Math.min(le, ls + 200))}`);
    }
    ls = le + 1;
  }
}

function makeJsonWire(name, { connectCommand }) {
  return {
    name,
    binary: false,
    /** Starts the connect step; `token` may be empty. */
    connect(conn, token, sink) {
      const st = stateOf(conn);
      if (!connectCommand) {
        st.phase = 'connected';
        sink.onConnected(conn);
        return;
      }
      st.awaiting = 1;
      const cmd = token ? { id: 1, connect: { token } } : { id: 1, connect: {} };
      conn.send(OP_TEXT, utf8(JSON.stringify(cmd)));
    },
    subscribe(conn, channels, sink, tf) {
      const st = stateOf(conn);
      st.phase = 'subscribing';
      st.awaiting = channels.length;
      const lines = channels.map((channel) => JSON.stringify({ id: st.nextId++, subscribe: tf ? { channel, tf } : { channel } }));
      conn.send(OP_TEXT, utf8(lines.join('\n')));
      void sink;
    },
    onFrame(conn, opcode, buf, start, end, sink) {
      jsonFrame(conn, buf, start, end, sink);
    },
    /** One encoded publish frame. `data` is the JSON payload text. */
    publishFrame(id, channel, data) {
      return encodeFrame(OP_TEXT, utf8(`{"id":${id},"publish":{"channel":${JSON.stringify(channel)},"data":${data}}}`));
    },
  };
}

// ------------------------------------------------------------------ protobuf (Rotor)

function protobufFrame(conn, buf, start, end, sink) {
  let pos = start;
  while (pos < end) {
    let len = 0;
    let shift = 0;
    let b;
    do {
      b = buf[pos++];
      len += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80 && pos < end);
    const ms = pos;
    const me = pos + len;
    pos = me;
    if (len === 0) {
      conn.socket.write(PROTO_PONG);
    } else if (buf[ms] === 0x22) {
      sink.deliveries++;
      if (sink.latency !== null) sink.latency.record(buf, ms, me);
    } else if (buf[ms] === 0x08) {
      // Reply{id, error?}: skip the id varint, an `error` field (tag 0x12) follows only on failure.
      let p = ms + 1;
      while (buf[p] & 0x80) p++;
      p++;
      if (p < me && buf[p] === 0x12) sink.onError(conn, `protobuf error reply: ${buf.toString('latin1', p + 2, me)}`);
      else gotReply(conn, sink);
    } else {
      sink.onError(conn, `unexpected protobuf message, first byte ${buf[ms]}`);
    }
  }
}

const protobufWire = {
  name: 'protobuf',
  binary: true,
  connect(conn, token, sink) {
    const st = stateOf(conn);
    st.awaiting = 1;
    conn.send(OP_BINARY, protoDelimited([protoConnect(token)]));
    void sink;
  },
  subscribe(conn, channels, sink, tf) {
    const st = stateOf(conn);
    st.phase = 'subscribing';
    st.awaiting = channels.length;
    conn.send(OP_BINARY, protoDelimited(channels.map((ch) => protoSubscribe(st.nextId++, ch, tf))));
    void sink;
  },
  onFrame(conn, opcode, buf, start, end, sink) {
    protobufFrame(conn, buf, start, end, sink);
  },
  publishFrame(id, channel, data) {
    return encodeFrame(OP_BINARY, protoDelimited([protoPublish(id, channel, data)]));
  },
};

// ------------------------------------------------------------------ Socket.IO

const SIO_CONNECT = Buffer.from('40');

function socketioFrame(conn, buf, start, end, sink) {
  const c0 = buf[start];
  if (c0 === 0x34 /* '4' message */) {
    const c1 = buf[start + 1];
    if (c1 === 0x32 /* '2' event */) {
      sink.deliveries++;
      if (sink.latency !== null) sink.latency.record(buf, start, end);
    } else if (c1 === 0x33 /* '3' ack */) {
      gotReply(conn, sink);
    } else if (c1 === 0x30 /* '0' connect */) {
      gotReply(conn, sink);
    } else {
      sink.onError(conn, `socket.io: ${buf.toString('utf8', start, Math.min(end, start + 200))}`);
    }
  } else if (c0 === 0x32 /* '2' ping */) {
    conn.socket.write(SIO_PONG);
  } else if (c0 === 0x30 /* '0' open */) {
    // Engine.IO handshake; the namespace connect was sent on open.
  } else if (c0 === 0x31 /* '1' close */) {
    sink.onError(conn, 'socket.io: engine closed');
  }
}

const socketioWire = {
  name: 'socketio',
  binary: false,
  connect(conn, token, sink) {
    const st = stateOf(conn);
    st.awaiting = 1;
    conn.send(OP_TEXT, SIO_CONNECT);
    void token;
    void sink;
  },
  subscribe(conn, channels, sink) {
    const st = stateOf(conn);
    st.phase = 'subscribing';
    st.awaiting = 1;
    conn.send(OP_TEXT, utf8(`42${st.nextId++}["subscribe",${JSON.stringify(channels)}]`));
    void sink;
  },
  onFrame(conn, opcode, buf, start, end, sink) {
    socketioFrame(conn, buf, start, end, sink);
  },
  publishFrame(id, channel, data) {
    return encodeFrame(OP_TEXT, utf8(`42${id}["publish",${JSON.stringify(channel)},${data}]`));
  },
};

// ------------------------------------------------------------------ targets

/**
 * The five targets. `server` names the server kind started by the orchestrator.
 * @type {Record<string, {server: string, wire: any, path: string, wsProtocol?: string, label: string}>}
 */
export const TARGETS = {
  'rotor-json': {
    label: 'Rotor JSON',
    server: 'rotor',
    wire: makeJsonWire('json', { connectCommand: true }),
    path: '/connection/websocket',
  },
  'rotor-protobuf': {
    label: 'Rotor Protobuf',
    server: 'rotor',
    wire: protobufWire,
    path: '/connection/websocket',
    wsProtocol: 'centrifuge-protobuf',
  },
  ws: { label: 'ws send() loop', server: 'ws-plain', wire: makeJsonWire('lite', { connectCommand: false }), path: '/' },
  'ws-corked': {
    label: 'ws corked',
    server: 'ws-corked',
    wire: makeJsonWire('lite', { connectCommand: false }),
    path: '/',
  },
  socketio: {
    label: 'Socket.IO',
    server: 'socketio',
    wire: socketioWire,
    path: '/socket.io/?EIO=4&transport=websocket',
  },
};

export const TARGET_NAMES = Object.keys(TARGETS);
