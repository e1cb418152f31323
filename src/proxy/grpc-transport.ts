/**
 * @module proxy/grpc-transport — GRPC proxies: unary calls to `centrifugal.centrifugo.proxy.CentrifugoProxy`
 * at `grpc://host:port` (or `host:port`), forwarded client headers as outgoing metadata, the proxy
 * timeout as the call deadline. Options: TLS (`grpc_tls` object or `grpc_cert_file`, else
 * insecure), a per-RPC credential (`grpc_credentials_key: grpc_credentials_value` metadata on every
 * call), gzip compression.
 */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { decodeProto, encodeProto, PROXY_METHODS, PROXY_SERVICE, type ProxyMessage, type UnaryHook } from './codec.js';
import type { ProxyDefinition, ProxyGrpcTls } from './options.js';
import { MAX_RESPONSE_BYTES, ProxyCallError, type ProxyStream, type ProxyTransport, type StreamHandlers } from './transport.js';

function pem(value: string): Buffer | null {
  if (value === '') return null;
  if (value.startsWith('file:')) return readFileSync(value.slice('file:'.length));
  return Buffer.from(value, 'utf8');
}

/** Channel credentials of a proxy (throws ProxyCallError on unreadable files). */
export function proxyChannelCredentials(tls: ProxyGrpcTls): grpc.ChannelCredentials {
  try {
    if (tls.enabled) {
      const verify = tls.insecureSkipVerify ? { checkServerIdentity: () => undefined } : {};
      return grpc.credentials.createSsl(pem(tls.serverCa), pem(tls.key), pem(tls.cert), verify);
    }
    if (tls.certFile !== '') return grpc.credentials.createSsl(readFileSync(tls.certFile));
  } catch (err) {
    throw new ProxyCallError(`GRPC proxy TLS: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return grpc.credentials.createInsecure();
}

export class GrpcProxyTransport implements ProxyTransport {
  readonly #proxy: ProxyDefinition;
  readonly #client: grpc.Client;

  constructor(proxy: ProxyDefinition) {
    this.#proxy = proxy;
    const target = proxy.endpoint.startsWith('grpc://') ? proxy.endpoint.slice('grpc://'.length) : proxy.endpoint;
    const options: grpc.ChannelOptions = { 'grpc.max_receive_message_length': MAX_RESPONSE_BYTES };
    if (proxy.grpcCompression) options['grpc.default_compression_algorithm'] = 2; // gzip
    if (proxy.grpcTls.serverName !== '') options['grpc.ssl_target_name_override'] = proxy.grpcTls.serverName;
    this.#client = new grpc.Client(target, proxyChannelCredentials(proxy.grpcTls), options);
  }

  call(hook: UnaryHook, request: ProxyMessage, forwarded: Readonly<Record<string, string>>): Promise<ProxyMessage> {
    const names = PROXY_METHODS[hook];
    const md = this.#metadata(forwarded);
    return new Promise((resolve, reject) => {
      this.#client.makeUnaryRequest<ProxyMessage, ProxyMessage>(
        `/${PROXY_SERVICE}/${names.rpc}`,
        (m) => encodeProto(names.request, m),
        (b) => decodeProto(names.response, b),
        request,
        md,
        { deadline: Date.now() + this.#proxy.timeoutMs },
        (err, value) => {
          if (err !== null) reject(new ProxyCallError(`GRPC status ${grpc.status[err.code] ?? err.code}: ${err.details}`, { cause: err }));
          else resolve(value ?? {});
        },
      );
    });
  }

  openStream(bidirectional: boolean, request: ProxyMessage, forwarded: Readonly<Record<string, string>>, h: StreamHandlers): ProxyStream {
    const md = this.#metadata(forwarded);
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      h.end(err);
    };
    const decode = (b: Buffer): ProxyMessage => decodeProto('StreamSubscribeResponse', b);
    let call: grpc.ClientReadableStream<ProxyMessage> | grpc.ClientDuplexStream<ProxyMessage, ProxyMessage>;
    if (bidirectional) {
      const duplex = this.#client.makeBidiStreamRequest<ProxyMessage, ProxyMessage>(
        `/${PROXY_SERVICE}/SubscribeBidirectional`,
        (m) => encodeProto('StreamSubscribeRequest', m),
        decode,
        md,
      );
      duplex.write({ subscribe_request: request });
      call = duplex;
    } else {
      call = this.#client.makeServerStreamRequest<ProxyMessage, ProxyMessage>(
        `/${PROXY_SERVICE}/SubscribeUnidirectional`,
        (m) => encodeProto('SubscribeRequest', m),
        decode,
        request,
        md,
      );
    }
    call.on('data', (m: ProxyMessage) => {
      if (!done) h.message(m);
    });
    call.on('error', (err: grpc.ServiceError) => finish(new ProxyCallError(`GRPC status ${grpc.status[err.code] ?? err.code}: ${err.details}`, { cause: err })));
    call.on('end', () => finish());
    return {
      send: (m) => {
        if (!done && 'write' in call) call.write(m);
      },
      cancel: () => {
        done = true;
        call.cancel();
      },
    };
  }

  #metadata(forwarded: Readonly<Record<string, string>>): grpc.Metadata {
    const md = new grpc.Metadata();
    for (const [k, v] of Object.entries(forwarded)) md.set(k, v);
    if (this.#proxy.grpcCredentialsKey !== '') md.set(this.#proxy.grpcCredentialsKey.toLowerCase(), this.#proxy.grpcCredentialsValue);
    return md;
  }

  close(): void {
    this.#client.close();
  }
}
