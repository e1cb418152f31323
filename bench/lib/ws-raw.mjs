/**
 * @module bench/lib/ws-raw — a minimal WebSocket client on a raw TCP socket, for load generation.
 *
 * Why not the `ws` client: the load generator shares one core with everything else on the client
 * side, and must read several hundred thousand deliveries per second. This client reads into one
 * shared buffer (`onread`: no Buffer and no stream event per read), does no per-frame allocation
 * when a read holds whole frames (the callback gets the buffer and the payload bounds),
 * does not validate UTF-8, and masks outgoing frames with a zero key (allowed by RFC 6455: the key
 * must be present, its value is not checked by servers), so payloads are written as they are.
 * Server frames are never masked and the servers under test never fragment, which is asserted.
 */
import net from 'node:net';

const HANDSHAKE_END = Buffer.from('\r\n\r\n');
/**
 * One read buffer for every socket of this thread (`net.connect({ onread })`): reads land in it
 * without a Buffer allocation or a stream 'data' event per read, which is most of a reader's cost
 * when deliveries arrive one frame per read. Its content is only valid inside the callback; partial
 * frames are copied out.
 */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

export const OP_TEXT = 1;
export const OP_BINARY = 2;
const OP_CLOSE = 8;
const OP_PING = 9;
const OP_PONG = 10;

/**
 * Encodes one client frame (FIN set, zero masking key).
 * @param {number} opcode
 * @param {Buffer} payload
 * @returns {Buffer}
 */
export function encodeFrame(opcode, payload) {
  const len = payload.length;
  let header;
  if (len < 126) {
    header = Buffer.allocUnsafe(6);
    header[1] = 0x80 | len;
    header.writeUInt32BE(0, 2);
  } else if (len < 65536) {
    header = Buffer.allocUnsafe(8);
    header[1] = 0x80 | 126;
    header.writeUInt16BE(len, 2);
    header.writeUInt32BE(0, 4);
  } else {
    header = Buffer.allocUnsafe(14);
    header[1] = 0x80 | 127;
    header.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    header.writeUInt32BE(len >>> 0, 6);
    header.writeUInt32BE(0, 10);
  }
  header[0] = 0x80 | opcode;
  return Buffer.concat([header, payload]);
}

/**
 * One client connection.
 * `onFrame(conn, opcode, buf, start, end)` is called for every data frame; `buf` is only valid
 * during the call.
 */
export class RawWebSocket {
  /**
   * `localAddress` picks the source address (127.0.0.x): each one has its own ephemeral port range,
   * which the `scale` scenario needs beyond ~28 000 connections to one server port.
   * @param {{port: number, path: string, protocol?: string, localAddress?: string, onFrame: Function, onOpen?: Function, onClose?: Function}} opts
   */
  constructor(opts) {
    this.onFrame = opts.onFrame;
    this.onOpen = opts.onOpen ?? (() => {});
    this.onClose = opts.onClose ?? (() => {});
    this.open = false;
    this.closed = false;
    /** @type {Buffer|null} */
    this.pending = null;
    /** Close code and reason of a close frame from the server (0 / '' until one arrives). */
    this.closeCode = 0;
    this.closeReason = '';
    /** Free slot for the protocol layer. */
    this.state = null;
    const socket = net.connect({
      host: '127.0.0.1',
      port: opts.port,
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
      onread: {
        buffer: READ_BUFFER,
        callback: (n, buf) => {
          this.#onData(buf.subarray(0, n));
          return true;
        },
      },
    });
    this.socket = socket;
    socket.setNoDelay(true);
    const proto = opts.protocol ? `Sec-WebSocket-Protocol: ${opts.protocol}\r\n` : '';
    socket.write(
      `GET ${opts.path} HTTP/1.1\r\nHost: 127.0.0.1:${opts.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: cm90b3ItYmVuY2gta2V5MQ==\r\nSec-WebSocket-Version: 13\r\n${proto}\r\n`,
    );
    socket.on('error', (err) => this.#finish(err));
    socket.on('close', () => this.#finish(null));
  }

  /** @param {Buffer} chunk only valid during the call */
  #onData(chunk) {
    let buf = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = null;
    if (!this.open) {
      const end = buf.indexOf(HANDSHAKE_END);
      if (end < 0) {
        this.pending = Buffer.from(buf);
        return;
      }
      const status = buf.toString('latin1', 0, 12);
      if (status !== 'HTTP/1.1 101') {
        this.#finish(new Error(`upgrade refused: ${buf.toString('latin1', 0, Math.min(end, 200))}`));
        return;
      }
      this.open = true;
      this.onOpen(this);
      buf = buf.subarray(end + 4);
    }
    let pos = 0;
    const n = buf.length;
    while (n - pos >= 2) {
      const b0 = buf[pos];
      let len = buf[pos + 1] & 0x7f;
      let hdr = 2;
      if (len === 126) {
        if (n - pos < 4) break;
        len = buf.readUInt16BE(pos + 2);
        hdr = 4;
      } else if (len === 127) {
        if (n - pos < 10) break;
        len = buf.readUInt32BE(pos + 2) * 2 ** 32 + buf.readUInt32BE(pos + 6);
        hdr = 10;
      }
      if (n - pos < hdr + len) break;
      const start = pos + hdr;
      const end = start + len;
      pos = end;
      if ((b0 & 0x80) === 0) {
        this.#finish(new Error('fragmented frame from server (not supported by the bench client)'));
        return;
      }
      const opcode = b0 & 0x0f;
      if (opcode === OP_TEXT || opcode === OP_BINARY) this.onFrame(this, opcode, buf, start, end);
      else if (opcode === OP_PING) this.send(OP_PONG, Buffer.from(buf.subarray(start, end)));
      else if (opcode === OP_CLOSE) {
        // The server's close code and reason, for the caller's diagnostics (onClose reads them).
        this.closeCode = end - start >= 2 ? buf.readUInt16BE(start) : 1005;
        this.closeReason = end - start > 2 ? buf.toString('utf8', start + 2, end) : '';
        this.socket.end();
        return;
      }
      if (this.closed) return;
    }
    if (pos < n) this.pending = Buffer.from(buf.subarray(pos));
  }

  /**
   * @param {number} opcode
   * @param {Buffer} payload
   */
  send(opcode, payload) {
    if (!this.closed) this.socket.write(encodeFrame(opcode, payload));
  }

  /** Writes several pre-encoded frames in one write. @param {Buffer[]} frames */
  sendFrames(frames) {
    if (!this.closed && frames.length > 0) this.socket.write(frames.length === 1 ? frames[0] : Buffer.concat(frames));
  }

  /** @param {Error|null} err */
  #finish(err) {
    if (this.closed) return;
    this.closed = true;
    this.open = false;
    this.onClose(this, err);
  }

  /** Closes with RST, so no TIME_WAIT is left on the client side. */
  destroy() {
    this.closed = true;
    if (typeof this.socket.resetAndDestroy === 'function' && this.socket.readyState !== 'opening') this.socket.resetAndDestroy();
    else this.socket.destroy();
  }
}
