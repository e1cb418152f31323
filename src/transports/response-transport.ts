/**
 * @module transports/response-transport — a core Transport writing to a streaming HTTP response
 * (http_stream, sse, uni_http_stream, uni_sse); the framing is the only difference between them.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
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

/** An HTTP answer sent instead of the stream when a connect fails with a given error code. */
export interface ConnectHttpResponse {
  readonly statusCode: number;
  readonly body: string;
}

/**
 * The 200 head of a stream whose sending waits for the connect outcome, so that a failed connect
 * can still get another status (`*_connect_code_to_http_response`).
 */
export interface DeferredHead {
  readonly headers: OutgoingHttpHeaders;
  readonly preamble?: Uint8Array | undefined;
  /** Connect error code → HTTP answer. */
  readonly responses: ReadonlyMap<number, ConnectHttpResponse>;
}

export class ResponseTransport implements Transport {
  readonly name: TransportName;
  readonly protocol: ProtocolType;
  readonly unidirectional: boolean;
  readonly emulation: boolean;
  readonly appLevelPing = true;
  readonly disconnectInCloseFrame = false;
  readonly #res: ServerResponse;
  readonly #frame: Framer;
  #closed = false;
  #head: DeferredHead | undefined;

  constructor(res: ServerResponse, options: ResponseTransportOptions, deferredHead?: DeferredHead) {
    this.#res = res;
    this.#head = deferredHead;
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
    if (this.#head !== undefined) this.#sendHead();
    this.#res.write(this.#frame(messages));
  }

  /** Ends the response; the core has already written the `disconnect` push. */
  close(_code: number, _reasonText: string): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#head !== undefined && !this.#res.destroyed) this.#sendHead();
    if (!this.#res.writableEnded) this.#res.end();
  }

  /** While the stream head is still unsent, a configured error code gets its HTTP answer instead. */
  rejectConnect(errorCode: number): boolean {
    const answer = this.#head?.responses.get(errorCode);
    if (answer === undefined || this.closed) return false;
    this.#head = undefined;
    this.#closed = true;
    this.#res.writeHead(answer.statusCode, { 'Content-Length': Buffer.byteLength(answer.body) });
    this.#res.end(answer.body);
    return true;
  }

  #sendHead(): void {
    const head = this.#head!;
    this.#head = undefined;
    this.#res.writeHead(200, head.headers);
    if (head.preamble !== undefined) this.#res.write(head.preamble);
    else this.#res.flushHeaders();
  }
}
