/**
 * @module bench/servers/proxy-backend — a keep-alive HTTP application backend for the `proxy`
 * scenario: `POST /connect` answers a user per request, `POST /rpc` echoes the rpc data. Runs on
 * the client core (core 1), so the Rotor server's core measures Rotor's own proxy work.
 */
import { createServer } from 'node:http';

let users = 0;
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body;
    if (req.url === '/connect') body = `{"result":{"user":"u${users++}"}}`;
    else {
      const r = JSON.parse(Buffer.concat(chunks).toString());
      body = JSON.stringify({ result: { data: r.data ?? {} } });
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING ${server.address().port}\n`));
