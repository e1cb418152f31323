/**
 * @module bench/lib/http-load — a closed-loop HTTP/1.1 keep-alive load loop on raw sockets.
 *
 * Each of `connections` sockets sends one pre-encoded request, waits for the complete response
 * (status line + Content-Length body), and sends the next. Cheaper than a general HTTP client, so
 * the one client core is not what limits a bare `node:http` server.
 */
import net from 'node:net';

const CRLFCRLF = Buffer.from('\r\n\r\n');
const CL_RE = /\r\ncontent-length:\s*(\d+)/i;

/**
 * @param {{port: number, path: string, headers: Record<string,string>, body: string, connections: number}} o
 */
export function createHttpLoad(o) {
  const body = Buffer.from(o.body);
  const head =
    `POST ${o.path} HTTP/1.1\r\nHost: 127.0.0.1:${o.port}\r\nConnection: keep-alive\r\n` +
    Object.entries(o.headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('') +
    `Content-Length: ${body.length}\r\n\r\n`;
  const request = Buffer.concat([Buffer.from(head), body]);
  const stats = { ok: 0, bad: 0, errors: 0, firstBad: '' };
  let running = false;
  /** @type {net.Socket[]} */
  const sockets = [];

  const startSocket = () => {
    const s = net.connect({ host: '127.0.0.1', port: o.port });
    s.setNoDelay(true);
    let pending = null;
    s.on('connect', () => {
      if (running) s.write(request);
    });
    s.on('data', (chunk) => {
      let buf = pending === null ? chunk : Buffer.concat([pending, chunk]);
      pending = null;
      let pos = 0;
      for (;;) {
        const he = buf.indexOf(CRLFCRLF, pos);
        if (he < 0) break;
        const headText = buf.toString('latin1', pos, he + 2);
        const m = CL_RE.exec(headText);
        if (!m) {
          stats.errors++;
          s.destroy();
          return;
        }
        const end = he + 4 + Number(m[1]);
        if (end > buf.length) break;
        if (headText.startsWith('HTTP/1.1 200')) stats.ok++;
        else {
          stats.bad++;
          if (!stats.firstBad) stats.firstBad = buf.toString('latin1', pos, Math.min(end, pos + 300));
        }
        pos = end;
        if (running) s.write(request);
      }
      if (pos < buf.length) pending = buf.subarray(pos);
    });
    s.on('error', () => {
      stats.errors++;
    });
    sockets.push(s);
  };

  return {
    stats,
    start() {
      running = true;
      for (let i = 0; i < o.connections; i++) startSocket();
    },
    stop() {
      running = false;
      for (const s of sockets) {
        if (typeof s.resetAndDestroy === 'function' && s.readyState === 'open') s.resetAndDestroy();
        else s.destroy();
      }
    },
  };
}
