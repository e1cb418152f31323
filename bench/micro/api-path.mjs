/**
 * @module bench/micro/api-path — the CPU cost of one HTTP server-API request in user space, without
 * the kernel: Rotor's own `node:http` server (from the built `dist/`, run `npm run build` in the
 * repository root first) and a bare `node:http` handler (the `http` scenario's baseline: reads the
 * body, answers `{"result":{}}`) are fed the same keep-alive `POST /api/publish` through in-memory
 * sockets, in one process, alternating. Reports µs of CPU per request (median of the rounds after the
 * first) and the ratio bare / Rotor. What the network scenario (`run.mjs --scenarios http`) adds on
 * top is the loopback TCP in the kernel (one read and one writev per request for both servers).
 *
 *   node micro/api-path.mjs [rounds] [path]     (from bench/; `npm --prefix bench run micro:api`)
 *
 * Rotor's listener is reached by wrapping `http.createServer` while `startServer` runs (the server
 * object is not part of Rotor's public API); nothing listens on the network except Rotor's own
 * port-0 bind on 127.0.0.1.
 */
import http from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import { Duplex } from 'node:stream';
import { makePayload } from '../lib/payload.mjs';

const rounds = Number(process.argv[2] ?? 11);
const path = process.argv[3] ?? '/api/publish';
const N = 30_000;
const CONNECTIONS = 64;

const created = [];
const createServer = http.createServer;
http.createServer = (...args) => {
  const s = createServer(...args);
  created.push(s);
  return s;
};
syncBuiltinESMExports();
const { startServer, validateConfig } = await import('../../dist/index.js');
const rotor = await startServer(validateConfig({ address: '127.0.0.1', port: 0, api_key: 'bench', log_level: 'error' }));
http.createServer = createServer;
syncBuiltinESMExports();
const rotorHttp = created[0];
if (!rotorHttp) throw new Error('Rotor created no node:http server');

const BODY = Buffer.from('{"result":{}}');
const bare = createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': BODY.length });
    res.end(BODY);
  });
});

const body = `{"channel":"http-bench","data":${makePayload(0)}}`;
const request = Buffer.from(
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nConnection: keep-alive\r\nUser-Agent: Go-http-client/1.1\r\n` +
    `Content-Type: application/json\r\nX-API-Key: bench\r\nAccept-Encoding: gzip\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
);

/** An in-memory socket: node:http writes each response (head + body, corked) in one writev. */
class MemorySocket extends Duplex {
  constructor(onResponse) {
    super({ decodeStrings: false });
    this.onResponse = onResponse;
    this.remoteAddress = '127.0.0.1';
    this.remotePort = 1;
  }
  _read() {}
  _write(chunk, _enc, cb) {
    this.#response(chunk);
    cb();
  }
  _writev(chunks, cb) {
    this.#response(chunks[0].chunk);
    cb();
  }
  #response(first) {
    const head = typeof first === 'string' ? first.slice(0, 12) : first.toString('latin1', 0, 12);
    if (head !== 'HTTP/1.1 200') throw new Error(`unexpected response: ${String(first).slice(0, 200)}`);
    this.onResponse();
  }
  setNoDelay() {
    return this;
  }
  setKeepAlive() {
    return this;
  }
  setTimeout() {
    return this;
  }
  ref() {}
  unref() {}
}

/** N requests over CONNECTIONS keep-alive sockets, one in flight each. */
function run(server) {
  let left = N;
  return new Promise((resolve) => {
    for (let i = 0; i < CONNECTIONS; i++) {
      const s = new MemorySocket(() => {
        left--;
        if (left > 0) process.nextTick(() => s.push(request));
        else if (left === 0) resolve();
      });
      server.emit('connection', s);
      s.push(request);
    }
  });
}

const cost = { rotor: [], bare: [] };
for (let r = 0; r < rounds; r++) {
  for (const [name, server] of r % 2 ? [['bare', bare], ['rotor', rotorHttp]] : [['rotor', rotorHttp], ['bare', bare]]) {
    const c0 = process.cpuUsage();
    await run(server);
    const c = process.cpuUsage(c0);
    if (r > 0) cost[name].push((c.user + c.system) / N);
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const rr = median(cost.rotor);
const rb = median(cost.bare);
process.stdout.write(
  `POST ${path}: Rotor ${rr.toFixed(2)} µs CPU/request, bare node:http ${rb.toFixed(2)} µs, bare/Rotor ${(rb / rr).toFixed(2)} (medians of ${rounds - 1} rounds of ${N})\n`,
);
await rotor.close();
process.exit(0);
