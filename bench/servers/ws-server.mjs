/**
 * @module bench/servers/ws-server — the `ws` baselines: `plain` (a send() loop over the channel's
 * sockets) and `corked` (each socket corked on its first write of an event-loop turn and uncorked
 * once in a setImmediate, so all frames of one turn go out in one write).
 *
 * Speaks the JSON subset of the Centrifugo protocol the load generator uses (`\n`-joined commands:
 * connect, subscribe, publish), replies to each command, and broadcasts the same push line Rotor
 * sends — `{"push":{"channel":…,"pub":{"data":…}}}` — encoded once per publication, one message
 * per frame. Channels are a Map of Sets. Prints `LISTENING <port>` when ready.
 */
import http from 'node:http';
import { WebSocketServer } from 'ws';

const mode = process.argv[2] === 'corked' ? 'corked' : 'plain';
/** @type {Map<string, Set<import('ws').WebSocket>>} */
const channels = new Map();

/** @type {Set<import('node:net').Socket>} */
const corked = new Set();
let flushScheduled = false;
function flush() {
  flushScheduled = false;
  for (const s of corked) s.uncork();
  corked.clear();
}

/** @param {import('ws').WebSocket} ws @param {Buffer} frame */
function sendCorked(ws, frame) {
  // ws keeps the net.Socket private; corking it is the point of this baseline.
  const s = /** @type {any} */ (ws)._socket;
  if (s && !corked.has(s)) {
    s.cork();
    corked.add(s);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  }
  ws.send(frame, { binary: false });
}

const send = mode === 'corked' ? sendCorked : (ws, frame) => ws.send(frame, { binary: false });

const server = http.createServer((req, res) => {
  res.writeHead(404).end();
});
const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: false });

wss.on('connection', (ws) => {
  /** @type {string[]} */
  const mine = [];
  ws.on('message', (data) => {
    const text = data.toString();
    const replies = [];
    for (const line of text.split('\n')) {
      if (line === '' || line === '{}') continue;
      let cmd;
      try {
        cmd = JSON.parse(line);
      } catch {
        ws.close(3501, 'bad request');
        return;
      }
      if (cmd.subscribe) {
        const ch = String(cmd.subscribe.channel);
        let set = channels.get(ch);
        if (!set) channels.set(ch, (set = new Set()));
        set.add(ws);
        mine.push(ch);
        replies.push(`{"id":${cmd.id},"subscribe":{}}`);
      } else if (cmd.publish) {
        const ch = String(cmd.publish.channel);
        const set = channels.get(ch);
        if (set && set.size > 0) {
          const frame = Buffer.from(JSON.stringify({ push: { channel: ch, pub: { data: cmd.publish.data } } }));
          for (const sub of set) send(sub, frame);
        }
        replies.push(`{"id":${cmd.id},"publish":{}}`);
      } else if (cmd.connect) {
        replies.push(`{"id":${cmd.id},"connect":{"client":"x","version":"0"}}`);
      }
    }
    if (replies.length > 0) send(ws, Buffer.from(replies.join('\n')));
  });
  ws.on('close', () => {
    for (const ch of mine) {
      const set = channels.get(ch);
      if (!set) continue;
      set.delete(ws);
      if (set.size === 0) channels.delete(ch);
    }
  });
  ws.on('error', () => {});
});

server.listen(0, '127.0.0.1', () => {
  const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`LISTENING ${addr.port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
