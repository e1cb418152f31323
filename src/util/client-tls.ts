/** @module util/client-tls — TLS of an outgoing client connection (Redis, NATS): PEM contents and their `tls.connect` form. */
import type { ConnectionOptions } from 'node:tls';

/** Client TLS settings (PEM contents, not paths). */
export interface ClientTlsOptions {
  /** Root CA PEM; absent = system roots. */
  readonly caPem?: string | undefined;
  /** Client certificate PEM (mutual TLS). */
  readonly certPem?: string | undefined;
  /** Client key PEM (mutual TLS). */
  readonly keyPem?: string | undefined;
  /** SNI / expected server name. */
  readonly serverName?: string | undefined;
  /** Do not verify the server certificate. */
  readonly insecureSkipVerify?: boolean | undefined;
}

/** The options for Node's `tls.connect` (only the fields that are set). */
export function nodeTlsOptions(tls: ClientTlsOptions): ConnectionOptions {
  const out: ConnectionOptions = {};
  if (tls.caPem !== undefined) out.ca = tls.caPem;
  if (tls.certPem !== undefined) out.cert = tls.certPem;
  if (tls.keyPem !== undefined) out.key = tls.keyPem;
  if (tls.serverName !== undefined) out.servername = tls.serverName;
  if (tls.insecureSkipVerify === true) out.rejectUnauthorized = false;
  return out;
}
