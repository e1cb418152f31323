/**
 * @module api/grpc-tls — server credentials of the GRPC API (Centrifugo's GRPC API schema, server API, admin and observability keys).
 *
 * `grpc_api_tls: true` uses the dedicated `grpc_api_tls_*` keys; otherwise the HTTP server's `tls`
 * settings are inherited unless `grpc_api_tls_disable`; otherwise plaintext. A certificate or key
 * file path wins over the inline PEM of the same kind. A client CA (file or PEM) turns on mutual TLS
 * (client certificates required). The client-side keys (`*_root_ca*`, `*_server_name`,
 * `*_insecure_skip_verify`) have no meaning for a server and are ignored.
 */
import { readFileSync } from 'node:fs';
import { ServerCredentials } from '@grpc/grpc-js';
import { tlsSources, type TlsSourceKeys, type TlsSources } from '../config/index.js';

/** PEM sources of a server TLS setup. */
export type GrpcTlsSources = TlsSources;

/** The GRPC API could not set up TLS (missing certificate/key, unreadable file). */
export class GrpcTlsError extends Error {
  override readonly name = 'GrpcTlsError';
}

type TlsKeys = TlsSourceKeys<'grpc_api'>;

/** Which TLS sources apply to the GRPC API, or undefined for plaintext. */
export function grpcApiTlsSources(config: TlsKeys): GrpcTlsSources | undefined {
  return tlsSources(config, 'grpc_api');
}

function pem(what: string, file: string, inline: string): Buffer | null {
  if (file !== '') {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new GrpcTlsError(`GRPC API TLS: cannot read ${what} file ${file}: ${String(err)}`, { cause: err });
    }
  }
  return inline !== '' ? Buffer.from(inline, 'utf8') : null;
}

/** Server credentials for the GRPC API. */
export function grpcApiCredentials(config: TlsKeys): ServerCredentials {
  const sources = grpcApiTlsSources(config);
  if (sources === undefined) return ServerCredentials.createInsecure();
  const cert = pem('certificate', sources.certFile, sources.certPem);
  const key = pem('key', sources.keyFile, sources.keyPem);
  if (cert === null || key === null) throw new GrpcTlsError('GRPC API TLS needs a certificate and a private key');
  const clientCa = pem('client CA', sources.clientCaFile, sources.clientCaPem);
  try {
    return ServerCredentials.createSsl(clientCa, [{ cert_chain: cert, private_key: key }], clientCa !== null);
  } catch (err) {
    throw new GrpcTlsError(`GRPC API TLS: ${String(err)}`, { cause: err });
  }
}
