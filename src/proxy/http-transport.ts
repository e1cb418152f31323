/**
 * @module proxy/http-transport — HTTP proxies: `POST <endpoint>` with the JSON request
 * (`Content-Type: application/json`, static headers, forwarded client headers), keep-alive pool of
 * 255 sockets, the proxy timeout covering the whole exchange. A non-200 status is a failure unless
 * `proxy_http_status_code_transforms` turns it into a client error or disconnect.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { JsonDecodeError } from '../api/json-scanner.js';
import { JsonEncodeError } from '../api/json.js';
import { decodeJson, encodeJson, PROXY_METHODS, type ProxyMessage, type UnaryHook } from './codec.js';
import type { ProxyDefinition } from './options.js';
import { MAX_RESPONSE_BYTES, ProxyCallError, type ProxyTransport } from './transport.js';

export class HttpProxyTransport implements ProxyTransport {
  readonly #proxy: ProxyDefinition;
  readonly #url: URL;
  readonly #agent: HttpAgent;
  readonly #https: boolean;

  constructor(proxy: ProxyDefinition) {
    this.#proxy = proxy;
    this.#url = new URL(proxy.endpoint);
    this.#https = this.#url.protocol === 'https:';
    const opts = { keepAlive: true, maxSockets: 255, maxFreeSockets: 255 };
    this.#agent = this.#https ? new HttpsAgent(opts) : new HttpAgent(opts);
  }

  async call(hook: UnaryHook, request: ProxyMessage, forwarded: Readonly<Record<string, string>>): Promise<ProxyMessage> {
    const names = PROXY_METHODS[hook];
    let body: Buffer;
    try {
      body = encodeJson(names.request, request);
    } catch (err) {
      if (err instanceof JsonEncodeError) throw new ProxyCallError(`error encoding request: ${err.message}`, { cause: err });
      throw err;
    }
    const headers: Record<string, string | number> = Object.create(null) as Record<string, string | number>;
    for (const [k, v] of Object.entries(this.#proxy.staticHeaders)) headers[k] = v;
    for (const [k, v] of Object.entries(forwarded)) headers[k] = v;
    headers['content-type'] = 'application/json';
    headers['content-length'] = body.byteLength;
    const { status, payload } = await this.#post(body, headers);
    if (status !== 200) {
      const t = this.#proxy.statusTransforms.get(status);
      if (t?.error !== undefined) return { error: { ...t.error } };
      if (t?.disconnect !== undefined) return { disconnect: { ...t.disconnect } };
      throw new ProxyCallError(`unexpected HTTP status code ${status}`);
    }
    try {
      return decodeJson(names.response, payload);
    } catch (err) {
      if (err instanceof JsonDecodeError) throw new ProxyCallError(`error decoding response: ${err.message}`, { cause: err });
      throw err;
    }
  }

  #post(body: Buffer, headers: Record<string, string | number>): Promise<{ status: number; payload: Buffer }> {
    return new Promise((resolve, reject) => {
      const send = this.#https ? httpsRequest : httpRequest;
      let settled = false;
      const fail = (err: ProxyCallError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(err);
      };
      const req = send(this.#url, { method: 'POST', headers, agent: this.#agent }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.byteLength;
          if (size > MAX_RESPONSE_BYTES) {
            fail(new ProxyCallError(`response body larger than ${MAX_RESPONSE_BYTES} bytes`));
            res.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, payload: Buffer.concat(chunks, size) });
        });
        res.on('error', (err) => fail(new ProxyCallError(`error reading response: ${err.message}`, { cause: err })));
        res.on('aborted', () => fail(new ProxyCallError('response aborted')));
      });
      const timer = setTimeout(() => fail(new ProxyCallError(`timeout after ${this.#proxy.timeoutMs} ms`)), this.#proxy.timeoutMs);
      req.on('error', (err) => fail(new ProxyCallError(err.message, { cause: err })));
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
