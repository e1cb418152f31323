/**
 * @module bench/servers/socketio-server — the Socket.IO baseline, websocket transport only.
 *
 * Events: `subscribe(channels[], ack)` joins rooms; `publish(channel, data, ack)` emits
 * `pub(channel, data)` to the room (Socket.IO encodes once per broadcast). Prints `LISTENING <port>`.
 */
import http from 'node:http';
import { Server } from 'socket.io';

const server = http.createServer();
const io = new Server(server, {
  transports: ['websocket'],
  serveClient: false,
  perMessageDeflate: false,
  httpCompression: false,
});

io.on('connection', (socket) => {
  socket.on('subscribe', (chans, ack) => {
    socket.join(chans);
    if (typeof ack === 'function') ack();
  });
  socket.on('publish', (channel, data, ack) => {
    io.to(channel).emit('pub', channel, data);
    if (typeof ack === 'function') ack();
  });
});

server.listen(0, '127.0.0.1', () => {
  const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`LISTENING ${addr.port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
