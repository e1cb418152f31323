/**
 * @module transports/uni-grpc — unidirectional gRPC stream (Centrifugo's unidirectional transports) on its own server
 * (`uni_grpc_address:uni_grpc_port`, default :11000): `CentrifugoUniStream.Consume(ConnectRequest)`
 * answers with a stream of raw Push messages.
 *
 * The service definition comes from `unistream.proto`, but its (de)serializers are replaced: the
 * request shares the client protocol's field numbers, so the client codec reads it, and the core
 * hands the transport Push bytes that are already encoded, which go out untouched.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { Disconnects } from '../core/disconnect.js';
import type { Node } from '../core/node.js';
import type { Transport, TransportName } from '../core/transport.js';
import { protobufCodec } from '../protocol/index.js';
import type { TlsSources } from '../config/tls-sources.js';
import type { ConnectRequest } from '../protocol/types.js';
import { type ConnectionLimits, whenAdmitted } from './limits.js';
import type { OpenStreams } from './open-streams.js';
import { connectUni } from './uni-connect.js';

const UNI_GRPC_SERVICE = 'centrifugal.centrifugo.unistream.CentrifugoUniStream';
const SHUTDOWN_GRACE_MS = 2000;

/** PEM sources of a TLS setup (a file path wins over inline PEM); see config/tls-sources. */
type UniGrpcTls = TlsSources;

export interface UniGrpcServerOptions {
  readonly address: string;
  readonly port: number;
  readonly maxReceiveMessageSize: number;
  readonly tls?: UniGrpcTls | undefined;
  /** `client_connection_limit` / `client_connection_rate_limit`: a refused stream ends with `UNAVAILABLE`. */
  readonly limiter?: ConnectionLimits | undefined;
}

type ConsumeCall = grpc.ServerWritableStream<Buffer, Uint8Array>;

class UniGrpcTransport implements Transport {
  readonly name: TransportName = 'uni_grpc';
  readonly protocol = 'protobuf' as const;
  readonly unidirectional = true;
  readonly emulation = false;
  readonly appLevelPing = true;
  readonly disconnectInCloseFrame = false;
  readonly #call: ConsumeCall;
  #closed = false;
  /** Bytes handed to the call and not yet flushed (the call counts objects, not bytes). */
  #pendingBytes = 0;

  constructor(call: ConsumeCall) {
    this.#call = call;
  }

  get bufferedAmount(): number {
    return this.#pendingBytes;
  }

  writeMessages(messages: readonly Uint8Array[]): void {
    if (this.#closed || this.#call.cancelled || this.#call.writableEnded) return;
    for (const m of messages) {
      const n = m.byteLength;
      this.#pendingBytes += n;
      this.#call.write(m, () => {
        this.#pendingBytes -= n;
      });
    }
  }

  close(_code: number, _reasonText: string): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#call.cancelled && !this.#call.writableEnded) this.#call.end();
  }
}

function loadService(): grpc.ServiceDefinition {
  const file = fileURLToPath(new URL('./unistream.proto', import.meta.url));
  // unistream.proto imports `protocol/client.proto` from the source (or dist) root.
  const pkg = protoLoader.loadSync(file, { keepCase: true, includeDirs: [fileURLToPath(new URL('..', import.meta.url))] });
  const service = pkg[UNI_GRPC_SERVICE] as grpc.ServiceDefinition | undefined;
  const consume = service?.['Consume'];
  if (consume === undefined) throw new Error(`unistream.proto does not define ${UNI_GRPC_SERVICE}/Consume`);
  return {
    Consume: {
      ...consume,
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: (m: Uint8Array) => Buffer.from(m.buffer, m.byteOffset, m.byteLength),
    },
  };
}

function pem(file: string, inline: string): Buffer | null {
  if (file !== '') return readFileSync(file);
  if (inline !== '') return Buffer.from(inline);
  return null;
}

function credentialsOf(tls: UniGrpcTls | undefined): grpc.ServerCredentials {
  if (tls === undefined) return grpc.ServerCredentials.createInsecure();
  const cert = pem(tls.certFile, tls.certPem);
  const key = pem(tls.keyFile, tls.keyPem);
  if (cert === null || key === null) throw new Error('uni_grpc TLS needs a certificate and a key');
  const clientCa = pem(tls.clientCaFile, tls.clientCaPem);
  return grpc.ServerCredentials.createSsl(clientCa, [{ cert_chain: cert, private_key: key }], clientCa !== null);
}

export class UniGrpcServer {
  readonly #node: Node;
  readonly #streams: OpenStreams;
  readonly #options: UniGrpcServerOptions;
  readonly #server: grpc.Server;
  #port = 0;

  constructor(node: Node, streams: OpenStreams, options: UniGrpcServerOptions) {
    this.#node = node;
    this.#streams = streams;
    this.#options = options;
    this.#server = new grpc.Server({ 'grpc.max_receive_message_length': options.maxReceiveMessageSize });
    this.#server.addService(loadService(), { Consume: (call: ConsumeCall) => this.#consume(call) });
  }

  /** Bound port (after `start`). */
  get port(): number {
    return this.#port;
  }

  async start(): Promise<number> {
    const host = this.#options.address === '' ? '0.0.0.0' : this.#options.address;
    const target = host.includes(':') ? `[${host}]:${this.#options.port}` : `${host}:${this.#options.port}`;
    const creds = credentialsOf(this.#options.tls);
    this.#port = await new Promise<number>((resolve, reject) => {
      this.#server.bindAsync(target, creds, (err, port) => (err ? reject(err) : resolve(port)));
    });
    this.#node.logger.info(`serving uni_grpc endpoints on ${host}:${this.#port}`);
    return this.#port;
  }

  #consume(call: ConsumeCall): void {
    const limits = this.#options.limiter;
    if (limits !== undefined) {
      const verdict = limits.allow();
      if (verdict === false) return refuseCall(call);
      // A limiter shared by `--workers N` answers later; the slot is held while the call lasts.
      if (verdict !== true) {
        const onGone = (gone: () => void): void => {
          call.once('close', gone);
          call.once('cancelled', gone);
        };
        return whenAdmitted(verdict, limits, onGone, () => this.#admitted(call), () => refuseCall(call));
      }
    }
    this.#admitted(call);
  }

  #admitted(call: ConsumeCall): void {
    const node = this.#node;
    let request: ConnectRequest;
    try {
      request = protobufCodec.decodeConnectRequest(call.request);
    } catch {
      call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'bad request' });
      return;
    }
    const client = node.newClient(new UniGrpcTransport(call), { headers: capturedMetadata(call.metadata, node.captureMetadata) });
    const forget = this.#streams.add(() => {
      if (client.closed) call.end();
      else client.disconnect(Disconnects.Shutdown);
    });
    const gone = (): void => {
      forget();
      client.onTransportClose();
    };
    call.on('cancelled', gone);
    call.on('close', gone);
    call.on('error', gone);
    if (node.shuttingDown) {
      client.disconnect(Disconnects.Shutdown);
      return;
    }
    connectUni(client, request, node.logger);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.#server.forceShutdown();
        resolve();
      }, SHUTDOWN_GRACE_MS);
      t.unref();
      this.#server.tryShutdown(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

/** Over the connection limits: GRPC `UNAVAILABLE`. */
function refuseCall(call: ConsumeCall): void {
  call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'connection limit reached' });
}

/** The metadata keys named in `names` (lower-case), recorded when the stream opens (see capturedHeaders). */
function capturedMetadata(md: grpc.Metadata, names: readonly string[]): Record<string, string> | undefined {
  if (names.length === 0) return undefined;
  let out: Record<string, string> | undefined;
  for (const name of names) {
    const v = md.get(name)[0];
    if (v === undefined) continue;
    (out ??= Object.create(null) as Record<string, string>)[name] = typeof v === 'string' ? v : v.toString('utf8');
  }
  return out;
}
