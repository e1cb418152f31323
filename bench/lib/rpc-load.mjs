/**
 * @module bench/lib/rpc-load — closed-loop client rpc over Rotor JSON WebSocket: `connections`
 * connections (connect without token, so the connect proxy runs), each keeping one `rpc` command in
 * flight; every reply sends the next. Server pings (`{}`) are answered.
 */
import { encodeFrame, OP_TEXT, RawWebSocket } from './ws-raw.mjs';

const RPC_MARK = Buffer.from('"rpc":');
const CONNECT_MARK = Buffer.from('"connect":');
const ERROR_MARK = Buffer.from('"error":');

export function createRpcLoad({ port, connections, payload }) {
  const stats = { ok: 0, errors: 0, connected: 0, firstError: '' };
  let running = false;
  let nextId = 2;
  const rpcFrame = () => encodeFrame(OP_TEXT, Buffer.from(`{"id":${nextId++},"rpc":{"method":"bench","data":${payload}}}`));
  const conns = [];
  const opened = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${stats.connected} of ${connections} rpc connections connected`)), 30_000);
    for (let i = 0; i < connections; i++) {
      conns.push(
        new RawWebSocket({
          port,
          path: '/connection/websocket',
          onOpen: (c) => c.send(OP_TEXT, Buffer.from('{"id":1,"connect":{}}')),
          onFrame: (c, _op, buf, start, end) => {
            const frame = buf.subarray(start, end);
            if (frame.indexOf(ERROR_MARK) >= 0) {
              stats.errors++;
              stats.firstError ||= frame.toString();
            }
            if (frame.indexOf(CONNECT_MARK) >= 0) {
              if (++stats.connected === connections) {
                clearTimeout(timer);
                resolve(undefined);
              }
            }
            let replies = 0;
            for (let p = frame.indexOf(RPC_MARK); p >= 0; p = frame.indexOf(RPC_MARK, p + 1)) replies++;
            if (frame.length === 2 && frame[0] === 0x7b && frame[1] === 0x7d) c.send(OP_TEXT, Buffer.from('{}'));
            stats.ok += replies;
            if (running) for (let k = 0; k < replies; k++) c.sendFrames([rpcFrame()]);
          },
          onClose: (_c, err) => {
            if (running) {
              stats.errors++;
              stats.firstError ||= `connection closed${err ? `: ${err.message}` : ''}`;
            }
          },
        }),
      );
    }
  });
  return {
    stats,
    opened,
    start() {
      running = true;
      for (const c of conns) c.sendFrames([rpcFrame()]);
    },
    stop() {
      running = false;
      for (const c of conns) c.destroy();
    },
  };
}
