/**
 * @module bench/servers/http-bare — the ceiling for the HTTP publish API: a bare `node:http` handler
 * that reads the request body and answers `{"result":{}}`. Prints `LISTENING <port>`.
 */
import http from 'node:http';

const BODY = Buffer.from('{"result":{}}');
const server = http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': BODY.length });
    res.end(BODY);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`LISTENING ${addr.port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
