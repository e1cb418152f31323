/**
 * @module config/tls-object-pems — resolves Centrifugo's unified TLS object (`nats_tls`, …)
 * to PEM text: for each PEM the source priority is file > base64 > raw PEM.
 */
import { readFileSync } from 'node:fs';
import type { ClientTlsOptions } from '../util/client-tls.js';
import { ConfigError } from './errors.js';

/** The unified TLS object as it appears in the config. */
export interface TlsObjectConfig {
  readonly enabled: boolean;
  readonly cert_pem: string;
  readonly cert_pem_b64: string;
  readonly cert_pem_file: string;
  readonly key_pem: string;
  readonly key_pem_b64: string;
  readonly key_pem_file: string;
  readonly server_ca_pem: string;
  readonly server_ca_pem_b64: string;
  readonly server_ca_pem_file: string;
  readonly client_ca_pem: string;
  readonly client_ca_pem_b64: string;
  readonly client_ca_pem_file: string;
  readonly insecure_skip_verify: boolean;
  readonly server_name: string;
}

/**
 * PEM text of an enabled TLS object (absent = not configured), in the client form: `caPem` is the
 * object's `server_ca_pem` (verifies the server); `client_ca_pem` only matters to a TLS server.
 */
export interface TlsObjectPems extends ClientTlsOptions {
  readonly clientCaPem?: string | undefined;
}

type PemKind = 'cert_pem' | 'key_pem' | 'server_ca_pem' | 'client_ca_pem';

/**
 * PEMs of the TLS object at config key `key`; undefined when it is not enabled. Throws ConfigError
 * naming the key when a file cannot be read or a base64 value is not valid base64.
 */
export function tlsObjectPems(o: TlsObjectConfig, key: string): TlsObjectPems | undefined {
  if (!o.enabled) return undefined;
  const problems: { path: string; message: string }[] = [];
  const pem = (kind: PemKind): string | undefined => {
    const file = o[`${kind}_file`];
    if (file !== '') {
      try {
        return readFileSync(file, 'utf8');
      } catch (err) {
        problems.push({ path: `${key}.${kind}_file`, message: `cannot read ${JSON.stringify(file)}: ${(err as Error).message}` });
        return undefined;
      }
    }
    const b64 = o[`${kind}_b64`];
    if (b64 !== '') {
      if (!/^[A-Za-z0-9+/\s]+={0,2}\s*$/.test(b64)) {
        problems.push({ path: `${key}.${kind}_b64`, message: 'not valid base64' });
        return undefined;
      }
      return Buffer.from(b64, 'base64').toString('utf8');
    }
    return o[kind] !== '' ? o[kind] : undefined;
  };
  const out: TlsObjectPems = {
    certPem: pem('cert_pem'),
    keyPem: pem('key_pem'),
    caPem: pem('server_ca_pem'),
    clientCaPem: pem('client_ca_pem'),
    serverName: o.server_name !== '' ? o.server_name : undefined,
    insecureSkipVerify: o.insecure_skip_verify,
  };
  if ((out.certPem === undefined) !== (out.keyPem === undefined) && problems.length === 0) {
    problems.push({ path: `${key}.${out.certPem === undefined ? 'cert_pem' : 'key_pem'}`, message: 'a client certificate needs both cert and key' });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}
