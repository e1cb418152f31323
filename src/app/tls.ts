/**
 * @module app/tls — certificate material of the HTTP listeners (Centrifugo's HTTP listeners, HTTP server, TLS and endpoint keys).
 *
 * `tls: true` serves HTTPS with `tls_cert`/`tls_key` (file paths) or `tls_cert_pem`/`tls_key_pem`
 * (inline PEM); a file path wins over the inline PEM of the same kind. `tls_client_ca` /
 * `tls_client_ca_pem` require every client to present a certificate signed by that CA (mutual TLS).
 * TLS that was asked for but cannot be set up (no certificate, unreadable file, a PEM that does not
 * parse, a key that does not match the certificate) is a ConfigError naming the key: the server never
 * falls back to plain HTTP. `tls_root_ca*`, `tls_server_name` and `tls_insecure_skip_verify` are
 * client-side settings and have no meaning for a listener.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { ConfigError, type Config } from '../config/index.js';

/** The keys read here. */
export type HttpTlsKeys = Pick<Config, 'tls' | 'tls_cert' | 'tls_cert_pem' | 'tls_key' | 'tls_key_pem' | 'tls_client_ca' | 'tls_client_ca_pem'>;

/** Checked PEM material of a listener. */
export interface HttpTlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** Client CA: when set, client certificates are required. */
  readonly clientCa?: Buffer | undefined;
}

type FileKey = 'tls_cert' | 'tls_key' | 'tls_client_ca';

function fail(path: string, message: string, cause?: unknown): never {
  throw new ConfigError([{ path, message }], cause === undefined ? undefined : { cause });
}

/** The PEM of `<key>` (a file) or `<key>_pem` (inline), or undefined when neither is set. */
function source(config: HttpTlsKeys, key: FileKey, what: string): { pem: Buffer; key: string } | undefined {
  const file = config[key];
  if (file !== '') {
    try {
      return { pem: readFileSync(file), key };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return fail(key, `cannot read the ${what} file ${JSON.stringify(file)}: ${reason}`, err);
    }
  }
  const inline = config[`${key}_pem`];
  return inline === '' ? undefined : { pem: Buffer.from(inline, 'utf8'), key: `${key}_pem` };
}

function checkCertificate(s: { pem: Buffer; key: string }, what: string): void {
  try {
    new X509Certificate(s.pem);
  } catch (err) {
    fail(s.key, `the ${what} is not a PEM certificate (${err instanceof Error ? err.message : String(err)})`, err);
  }
}

/**
 * Reads and checks the certificate, key and client CA named by `tls_*`; undefined when `tls` is off.
 * Throws ConfigError naming the offending key.
 */
export function loadHttpTls(config: HttpTlsKeys): HttpTlsMaterial | undefined {
  if (!config.tls) return undefined;
  const cert = source(config, 'tls_cert', 'certificate');
  if (cert === undefined) fail('tls_cert', 'tls is enabled but neither tls_cert nor tls_cert_pem is set');
  const key = source(config, 'tls_key', 'private key');
  if (key === undefined) fail('tls_key', 'tls is enabled but neither tls_key nor tls_key_pem is set');
  checkCertificate(cert, 'certificate');
  try {
    createPrivateKey(key.pem);
  } catch (err) {
    fail(key.key, `the private key is not a PEM private key (${err instanceof Error ? err.message : String(err)})`, err);
  }
  try {
    createSecureContext({ cert: cert.pem, key: key.pem });
  } catch (err) {
    fail(key.key, `the private key does not match the certificate (${err instanceof Error ? err.message : String(err)})`, err);
  }
  const ca = source(config, 'tls_client_ca', 'client CA');
  if (ca !== undefined) checkCertificate(ca, 'client CA');
  return { cert: cert.pem, key: key.pem, clientCa: ca?.pem };
}

/** node:tls server options for `material`. */
export function secureContextOptions(material: HttpTlsMaterial): SecureContextOptions {
  return material.clientCa === undefined ? { cert: material.cert, key: material.key } : { cert: material.cert, key: material.key, ca: material.clientCa };
}
