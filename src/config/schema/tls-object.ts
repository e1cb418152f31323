/** @module config/schema/tls-object — the unified TLS object (`nats_tls`, `proxy_grpc_tls`, …; Centrifugo's transport, proxy and consumer keys). */
import { bool, object, str } from './types.js';

const TLS_FIELDS = {
  enabled: bool(false, 'enable TLS'),
  cert_pem: str('', 'certificate PEM'),
  cert_pem_b64: str('', 'certificate PEM, base64'),
  cert_pem_file: str('', 'certificate PEM file'),
  key_pem: str('', 'private key PEM'),
  key_pem_b64: str('', 'private key PEM, base64'),
  key_pem_file: str('', 'private key PEM file'),
  server_ca_pem: str('', 'server CA PEM'),
  server_ca_pem_b64: str('', 'server CA PEM, base64'),
  server_ca_pem_file: str('', 'server CA PEM file'),
  client_ca_pem: str('', 'client CA PEM'),
  client_ca_pem_b64: str('', 'client CA PEM, base64'),
  client_ca_pem_file: str('', 'client CA PEM file'),
  insecure_skip_verify: bool(false, 'skip verification'),
  server_name: str('', 'server name'),
} as const;

/** A TLS object field; source priority for each PEM: file > base64 > raw PEM. */
export function tlsObject(doc: string) {
  return object(TLS_FIELDS, doc);
}
