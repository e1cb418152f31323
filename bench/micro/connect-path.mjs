/**
 * @module bench/micro/connect-path — Rotor's own JavaScript cost of a connection, without sockets:
 * a Client on an in-memory transport receives a connect command with an HS256 JWT (and then a
 * subscribe), from the built `dist/` (run `npm run build` in the repository root first). Reports µs
 * per connect and the JS heap per connected / connected+subscribed client after a forced GC. What
 * the network ramp (`run.mjs --scenarios connect`) adds on top is the HTTP upgrade, `ws` and the
 * kernel.
 *
 *   node --expose-gc micro/connect-path.mjs      (from bench/; `npm --prefix bench run micro:connect`)
 */
import crypto from 'node:crypto';
import { startServer, validateConfig } from '../../dist/index.js';

const N = 20_000;
const SECRET = 'bench-secret';
const server = await startServer(
  validateConfig({ address: '127.0.0.1', port: 0, token_hmac_secret_key: SECRET, allow_subscribe_for_client: true, log_level: 'error' }),
);
const b64url = (s) => Buffer.from(s).toString('base64url');
const header = b64url('{"alg":"HS256","typ":"JWT"}');
const commands = Array.from({ length: N }, (_, i) => {
  const payload = b64url(JSON.stringify({ sub: `u${i}`, exp: Math.floor(Date.now() / 1000) + 3600 }));
  const sig = crypto.createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url');
  return {
    connect: Buffer.from(JSON.stringify({ id: 1, connect: { token: `${header}.${payload}.${sig}` } })),
    subscribe: Buffer.from(JSON.stringify({ id: 2, subscribe: { channel: `idle.${i}` } })),
  };
});

/** An in-memory bidirectional JSON transport that drops what it is given. */
class NullTransport {
  name = 'websocket';
  protocol = 'json';
  unidirectional = false;
  emulation = false;
  appLevelPing = true;
  bufferedAmount = 0;
  written = 0;
  writeMessages(messages) {
    this.written += messages.length;
  }
  close() {}
}

const turn = () => new Promise((r) => setImmediate(r));
const gc = async () => {
  if (!globalThis.gc) return;
  globalThis.gc();
  await turn();
  globalThis.gc();
};

async function round(label, subscribe) {
  const clients = [];
  await gc();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const c = server.node.newClient(new NullTransport());
    c.handleData(commands[i].connect);
    clients.push(c);
    if ((i & 255) === 255) await turn(); // let replies flush, as the event loop would
  }
  await turn();
  const usConnect = ((performance.now() - t0) * 1000) / N;
  if (subscribe) {
    for (let i = 0; i < N; i++) {
      clients[i].handleData(commands[i].subscribe);
      if ((i & 255) === 255) await turn();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await gc();
  const perClient = (process.memoryUsage().heapUsed - heap0) / N;
  const ok = server.node.hub.numClients === N && (!subscribe || server.node.hub.numSubs === N);
  if (!ok) throw new Error(`expected ${N} clients, got ${server.node.hub.numClients} (subs ${server.node.hub.numSubs})`);
  process.stdout.write(`${label.padEnd(28)} ${usConnect.toFixed(1).padStart(6)} µs/connect   ${globalThis.gc ? `${perClient.toFixed(0).padStart(5)} B JS heap/client` : '(run with --expose-gc for heap)'}\n`);
  for (const c of clients) c.onTransportClose();
  await new Promise((r) => setTimeout(r, 50));
}

await round('warm-up', false);
await round('connected', false);
await round('connected + subscribed', true);
await server.close();
process.exit(0);
