/**
 * @module transports/response-transport — a core Transport writing to a streaming HTTP response
 * (http_stream, sse, uni_http_stream, uni_sse); the framing is the only difference between them.
 */
import type { ServerResponse } from 'node:http';
import type { Transport, TransportName } from '../core/transport.js';
import type { ProtocolType } from '../protocol/codec.js';
import type { Framer } from './framing.js';

export interface ResponseTransportOptions {
  readonly name: TransportName;
  readonly protocol: ProtocolType;
  readonly unidirectional: boolean;
  readonly emulation: boolean;
  readonly frame: Framer;
}

export class ResponseTransport implements Transport {
  readonly name: TransportName;
  readonly protocol: ProtocolType;
  readonly unidirectional: boolean;
  readonly emulation: boolean;
  readonly appLevelPing = true;
  readonly #res: ServerResponse;
  readonly #frame: Framer;
  #closed = false;

  constructor(res: ServerResponse, options: ResponseTransportOptions) {
    this.#res = res;
    this.name = options.name;
    this.protocol = options.protocol;
    this.unidirectional = options.unidirectional;
    this.emulation = options.emulation;
    this.#frame = options.frame;
  }

  get bufferedAmount(): number {
    return this.#res.writableLength;
  }

  get closed(): boolean {
    return this.#closed || this.#res.destroyed || this.#res.writableEnded;
  }

  writeMessages(messages: readonly Uint8Array[]): void {
    if (this.closed || messages.length === 0) return;
    this.#res.write(this.#frame(messages));
  }

  /** Ends the response; the core has already written the `disconnect` push. */
  close(_code: number, _reasonText: string): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#res.writableEnded) this.#res.end();
  }
}
