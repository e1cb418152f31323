/**
 * @module app/autocert — ACME certificates for the HTTP listeners (`tls_autocert`, Centrifugo's HTTP server, TLS and endpoint keys),
 * through the `acme-client` library (RFC 8555). Loaded only when `tls_autocert` is on.
 *
 * Like Centrifugo's autocert manager, certificates are obtained on demand: the first TLS handshake
 * for a host name (its SNI) that passes
 * `tls_autocert_host_whitelist` (comma-separated; empty = any host) orders a certificate, answers
 * the http-01 challenge on the plain HTTP server at `tls_autocert_http_addr`
 * (`/.well-known/acme-challenge/<token>`; any other GET/HEAD there is redirected to https), and
 * completes the handshake with the new certificate. Clients that send no SNI get the certificate of
 * `tls_autocert_server_name`, which is ordered as soon as the listeners are up. Certificates and the account key are kept in
 * `tls_autocert_cache_dir` when set (else in memory only) and renewed in the background once they
 * are within 30 days of expiry; after a failed order the host's handshakes fail for a minute before
 * the next attempt. `tls_autocert_email` is the account's contact.
 *
 * Rotor additions: `tls_autocert_directory_url` (default Let's Encrypt production) and
 * `tls_autocert_directory_ca` (a PEM file of CA certificates trusted for the ACME server's own
 * HTTPS, e.g. a private CA). Only the http-01 challenge is supported, so `tls_autocert_http` is
 * required.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { axios as acmeAxios, Client, crypto as acmeCrypto } from 'acme-client';
import { ConfigError, type Config } from '../config/index.js';
import type { Logger } from '../core/logger.js';

/** Renew certificates this long before they expire. */
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;
/** After a failed order, handshakes for that host fail at once for this long (no order storm at the CA). */
const RETRY_AFTER_MS = 60_000;
const CHALLENGE_PATH = '/.well-known/acme-challenge/';

interface ChallengeListener {
  readonly server: Server;
  readonly address: string;
  readonly port: number;
}

export interface AutocertManager {
  /** node:tls `SNICallback`: the context for a host name, obtaining its certificate when needed. */
  readonly sniCallback: (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void;
  /** The http-01 challenge server to bind (`tls_autocert_http_addr`). */
  challengeServer(): ChallengeListener;
  /**
   * Handshakes without SNI never reach `sniCallback`: `apply` receives the PEM (key + chain) of
   * `tls_autocert_server_name` to install as the listeners' default certificate, now if it is
   * cached and whenever it is (re)issued. Its first certificate is ordered right away.
   */
  onDefaultCertificate(apply: (pem: Buffer) => void): void;
  stop(): void;
}

interface Issued {
  readonly pem: Buffer;
  readonly context: SecureContext;
  readonly notAfter: number;
}

/** `host:port`, `:port` or `port` → bind address and port. */
export function parseHostPort(value: string, key: string): { address: string; port: number } {
  const i = value.lastIndexOf(':');
  const host = i < 0 ? '' : value.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  const portText = i < 0 ? value : value.slice(i + 1);
  const port = Number(portText);
  if (portText === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError([{ path: key, message: `expected [host]:port, got ${JSON.stringify(value)}` }]);
  }
  return { address: host, port };
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: 'tls_autocert_directory_ca', message: `cannot read ${JSON.stringify(file)}: ${err instanceof Error ? err.message : String(err)}` }], { cause: err });
  }
}

function safeName(host: string): string {
  return host.replace(/[^a-zA-Z0-9.-]/g, '_');
}

/** Checks the autocert keys and prepares the manager (nothing is ordered before the first handshake). */
export async function startAutocert(config: Config, logger: Logger): Promise<AutocertManager> {
  if (!config.tls_autocert_http) {
    throw new ConfigError([{ path: 'tls_autocert_http', message: 'tls_autocert needs tls_autocert_http: true (only the http-01 challenge is supported)' }]);
  }
  const challengeAddr = parseHostPort(config.tls_autocert_http_addr, 'tls_autocert_http_addr');
  if (config.tls_autocert_directory_ca !== '') {
    // acme-client talks to the directory through its own axios instance; trust the extra CA there only.
    acmeAxios.defaults.httpsAgent = new Agent({ ca: [...rootCertificates, readCa(config.tls_autocert_directory_ca)] });
  }
  const cacheDir = config.tls_autocert_cache_dir;
  if (cacheDir !== '') {
    try {
      mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new ConfigError([{ path: 'tls_autocert_cache_dir', message: `cannot create ${JSON.stringify(cacheDir)}: ${err instanceof Error ? err.message : String(err)}` }], { cause: err });
    }
  }
  const cacheRead = (name: string): Buffer | undefined => {
    if (cacheDir === '') return undefined;
    try {
      return readFileSync(join(cacheDir, name));
    } catch {
      return undefined;
    }
  };
  const cacheWrite = (name: string, data: Buffer | string): void => {
    if (cacheDir === '') return;
    try {
      writeFileSync(join(cacheDir, name), data, { mode: 0o600 });
    } catch (err) {
      logger.error('autocert: cannot write to the cache', { path: join(cacheDir, name), error: String(err) });
    }
  };

  const whitelist = new Set(
    config.tls_autocert_host_whitelist
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h !== ''),
  );
  let accountKey = cacheRead('acme_account.key');
  if (accountKey === undefined) {
    accountKey = await acmeCrypto.createPrivateEcdsaKey();
    cacheWrite('acme_account.key', accountKey);
  }
  const client = new Client({ directoryUrl: config.tls_autocert_directory_url, accountKey });

  const defaultHost = config.tls_autocert_server_name.toLowerCase();
  let applyDefault: ((pem: Buffer) => void) | undefined;
  const tokens = new Map<string, string>();
  const issued = new Map<string, Issued>();
  const pending = new Map<string, Promise<Issued>>();
  const failed = new Map<string, { readonly at: number; readonly error: Error }>();
  let stopped = false;

  const toIssued = (pem: Buffer): Issued => {
    const cert = new X509Certificate(pem);
    return { pem, context: createSecureContext({ key: pem, cert: pem }), notAfter: Date.parse(cert.validTo) };
  };

  const order = async (host: string): Promise<Issued> => {
    logger.info('autocert: requesting a certificate', { host });
    const [key, csr] = await acmeCrypto.createCsr({ commonName: host, altNames: [host] }, await acmeCrypto.createPrivateEcdsaKey());
    const chain = await client.auto({
      csr,
      ...(config.tls_autocert_email !== '' ? { email: config.tls_autocert_email } : {}),
      termsOfServiceAgreed: true,
      challengePriority: ['http-01'],
      // The CA validates the challenge; a self-check from here would need our own public address.
      skipChallengeVerification: true,
      challengeCreateFn: (_authz, challenge, keyAuthorization) => {
        tokens.set(challenge.token, keyAuthorization);
        return Promise.resolve();
      },
      challengeRemoveFn: (_authz, challenge) => {
        tokens.delete(challenge.token);
        return Promise.resolve();
      },
    });
    const pem = Buffer.concat([key, Buffer.from('\n'), Buffer.from(chain)]);
    const result = toIssued(pem);
    cacheWrite(`${safeName(host)}.pem`, pem);
    logger.info('autocert: certificate obtained', { host, not_after: new Date(result.notAfter).toISOString() });
    return result;
  };

  const obtain = (host: string): Promise<Issued> => {
    const failure = failed.get(host);
    if (failure !== undefined && Date.now() - failure.at < RETRY_AFTER_MS) return Promise.reject(failure.error);
    let p = pending.get(host);
    if (p === undefined) {
      p = order(host).then(
        (r) => {
          pending.delete(host);
          failed.delete(host);
          if (!stopped) issued.set(host, r);
          if (!stopped && host === defaultHost) applyDefault?.(r.pem);
          return r;
        },
        (err: unknown) => {
          pending.delete(host);
          failed.set(host, { at: Date.now(), error: err instanceof Error ? err : new Error(String(err)) });
          logger.error('autocert: cannot obtain a certificate', { host, error: String(err) });
          throw err;
        },
      );
      pending.set(host, p);
    }
    return p;
  };

  const fromCache = (host: string): Issued | undefined => {
    const pem = cacheRead(`${safeName(host)}.pem`);
    if (pem === undefined) return undefined;
    try {
      return toIssued(pem);
    } catch (err) {
      logger.warn('autocert: ignoring an unusable cached certificate', { host, error: String(err) });
      return undefined;
    }
  };

  /** A usable certificate for `host` from memory or the cache dir. */
  const current = (host: string): Issued | undefined => {
    let have = issued.get(host);
    if (have === undefined) {
      have = fromCache(host);
      if (have !== undefined && have.notAfter > Date.now()) issued.set(host, have);
      else have = undefined;
    }
    return have;
  };

  const sniCallback: AutocertManager['sniCallback'] = (servername, cb) => {
    const host = (servername || defaultHost).toLowerCase();
    if (host === '') return cb(new Error('autocert: missing server name'));
    if (whitelist.size > 0 && !whitelist.has(host)) return cb(new Error(`autocert: host ${JSON.stringify(host)} not configured in tls_autocert_host_whitelist`));
    const have = current(host);
    if (have !== undefined) {
      if (have.notAfter - Date.now() < RENEW_BEFORE_MS && !pending.has(host)) {
        obtain(host).catch(() => undefined); // logged by obtain; the current certificate stays in use
      }
      return cb(null, have.context);
    }
    obtain(host).then(
      (r) => cb(null, r.context),
      (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
    );
  };

  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith(CHALLENGE_PATH)) {
      const keyAuthorization = tokens.get(path.slice(CHALLENGE_PATH.length));
      if (keyAuthorization === undefined) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('404 page not found\n');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(keyAuthorization);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Use HTTPS\n');
      return;
    }
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    res.writeHead(302, { Location: `https://${host}${req.url ?? '/'}` });
    res.end();
  };

  return {
    sniCallback,
    challengeServer: () => ({ server: createServer(answer), address: challengeAddr.address, port: challengeAddr.port }),
    onDefaultCertificate(apply) {
      if (defaultHost === '') return;
      applyDefault = apply;
      const have = current(defaultHost);
      if (have !== undefined) apply(have.pem);
      else obtain(defaultHost).catch(() => undefined); // logged by obtain
    },
    stop: () => {
      stopped = true;
    },
  };
}
