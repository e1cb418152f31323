/**
 * @module transports/write-timeout — `websocket_write_timeout` / `uni_websocket_write_timeout`:
 * a connection whose socket does not drain a write within the timeout is closed (Centrifugo sets a
 * write deadline on every WebSocket write; a write that does not complete in time fails the
 * connection with a write error).
 *
 * Writes never block in Node, so "the write did not complete" means: the socket still holds data
 * above its high-water mark (the write returned false) and no `drain` followed within the timeout.
 * Created on a connection's first backpressured write; one timer per connection, re-armed with
 * `refresh()` (no allocation per write).
 */
import type { Socket } from 'node:net';

/** Centrifugo's default; a configured value ≤ 0 means this too. */
export const DEFAULT_WRITE_TIMEOUT_MS = 1000;

export class WriteTimeout {
  readonly #socket: Socket;
  readonly #ms: number;
  readonly #onTimeout: () => void;
  #armed = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(socket: Socket, ms: number, onTimeout: () => void) {
    this.#socket = socket;
    this.#ms = ms > 0 ? ms : DEFAULT_WRITE_TIMEOUT_MS;
    this.#onTimeout = onTimeout;
    socket.on('drain', () => {
      this.#armed = false;
    });
    socket.once('close', () => {
      this.#armed = false;
      clearTimeout(this.#timer);
    });
  }

  /** Call after a write the socket did not take in whole (`write` returned false / `writableNeedDrain`). */
  stalled(): void {
    if (this.#armed || this.#socket.destroyed) return;
    this.#armed = true;
    if (this.#timer === undefined) {
      this.#timer = setTimeout(this.#fire, this.#ms);
      this.#timer.unref();
    } else this.#timer.refresh();
  }

  readonly #fire = (): void => {
    if (this.#armed && !this.#socket.destroyed) this.#onTimeout();
  };
}
