/**
 * @module config/tls-sources — the PEM sources of a gRPC server's TLS (the GRPC API, uni_grpc).
 *
 * `<server>_tls: true` uses the server's own `<server>_tls_*` keys; otherwise the HTTP server's
 * `tls_*` settings are inherited unless `<server>_tls_disable`; otherwise plaintext (undefined).
 */
import type { Config } from './schema/index.js';

/** PEM sources of a server TLS setup (a file path wins over the inline PEM of the same kind). */
export interface TlsSources {
  readonly certFile: string;
  readonly certPem: string;
  readonly keyFile: string;
  readonly keyPem: string;
  readonly clientCaFile: string;
  readonly clientCaPem: string;
}

/** The servers with their own `<server>_tls*` keys. */
export type TlsServer = 'grpc_api' | 'uni_grpc';

type SourceKey = 'tls_cert' | 'tls_cert_pem' | 'tls_key' | 'tls_key_pem' | 'tls_client_ca' | 'tls_client_ca_pem';
type Prefix = '' | `${TlsServer}_`;

/** The keys `tlsSources` reads for `server`. */
export type TlsSourceKeys<S extends TlsServer> = Pick<Config, 'tls' | SourceKey | `${S}_tls` | `${S}_tls_disable` | `${S}_${SourceKey}`>;

/** Which TLS sources apply to `server`, or undefined for plaintext. */
export function tlsSources<S extends TlsServer>(config: TlsSourceKeys<S>, server: S): TlsSources | undefined {
  if (config[`${server}_tls`]) return sourcesAt(config, `${server}_`);
  if (config.tls && !config[`${server}_tls_disable`]) return sourcesAt(config, '');
  return undefined;
}

function sourcesAt<P extends Prefix>(config: Pick<Config, `${P}${SourceKey}`>, prefix: P): TlsSources {
  return {
    certFile: config[`${prefix}tls_cert`],
    certPem: config[`${prefix}tls_cert_pem`],
    keyFile: config[`${prefix}tls_key`],
    keyPem: config[`${prefix}tls_key_pem`],
    clientCaFile: config[`${prefix}tls_client_ca`],
    clientCaPem: config[`${prefix}tls_client_ca_pem`],
  };
}
