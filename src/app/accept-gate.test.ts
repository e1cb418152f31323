/** @module app/accept-gate.test — pause at the high mark, resume at the low mark, on a real loopback listener. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { waitFor } from '../../test/harness/wait.js';
import type { Logger } from '../core/logger.js';
import { AcceptGate } from './accept-gate.js';
import { listen } from './http.js';

function logger(lines: string[]): Logger {
  const rec = (level: string) => (m: string) => void lines.push(`${level} ${m}`);
  return { enabled: () => false, trace: () => undefined, debug: () => undefined, info: rec('info'), warn: rec('warn'), error: rec('error') };
}

/** Connects; resolves with the socket once the server has it, rejects when refused. */
function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

describe('AcceptGate', () => {
  const sockets: Socket[] = [];
  let server: Server | undefined;
  after(async () => {
    for (const s of sockets) s.destroy();
    if (server?.listening) await new Promise((r) => server!.close(r));
  });

  it('stops accepting at the high mark (new connections refused, held ones kept) and listens again at the low mark', async () => {
    server = createServer();
    const port = await listen(server, '127.0.0.1', 0);
    const lines: string[] = [];
    const gate = new AcceptGate([server], [{ server, relisten: async (s) => void (await listen(s, '127.0.0.1', port)) }], { highMark: 3, lowMark: 1, logger: logger(lines) });
    for (let i = 0; i < 3; i++) sockets.push(await dial(port));
    await waitFor(() => gate.held === 3, 5000, 'three connections held');
    assert.equal(gate.paused, true);
    assert.equal(server.listening, false, 'the listener is closed at the high mark');
    assert.deepEqual(lines, ['warn descriptors near the limit: this worker stops accepting connections, the other workers take them']);
    await assert.rejects(dial(port), /ECONNREFUSED/, 'a new connection is refused while paused');
    for (const s of sockets) assert.equal(s.destroyed, false, 'held connections stay open');
    // One close: 2 held, above the low mark, still paused.
    sockets.shift()!.destroy();
    await waitFor(() => gate.held === 2, 5000, 'two held');
    assert.equal(gate.paused, true);
    sockets.shift()!.destroy();
    await waitFor(() => !gate.paused, 5000, 'resumed at the low mark');
    assert.equal(server.listening, true);
    assert.equal(lines.at(-1), 'info descriptors back below the mark: this worker accepts connections again');
    sockets.push(await dial(port));
    await waitFor(() => gate.held === 2, 5000, 'the new connection counted');
  });
});
