/**
 * @module app/listeners — creates and binds the external and internal HTTP listeners
 * (Centrifugo's HTTP listeners), plain or with TLS.
 *
 * TLS (`tls: true` with static certificates, or `tls_autocert: true` with ACME certificates) applies
 * to every HTTP listener, unless `tls_external: true`: then only the external listener gets it and
 * the internal one (API, metrics, health…) stays plain HTTP. With a client CA every TLS listener
 * requires client certificates signed by it. On SIGHUP the certificate files are read again and
 * new handshakes use the new certificate (established connections keep theirs).
 *
 * TLS listeners offer HTTP/2 by ALPN (as Go's net/http does) unless `tls_http2_disable`; HTTP/1.1
 * clients, and with them every WebSocket upgrade, are served on the same port.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type * as Http2Module from 'node:http2';
import type { Http2Session, SecureServerOptions } from 'node:http2';
import type * as HttpsModule from 'node:https';
import type { Duplex } from 'node:stream';
import type { SecureContextOptions, Server as TlsServer, TLSSocket } from 'node:tls';
import type { Config } from '../config/index.js';
import type { Logger } from '../core/logger.js';
import type { GatedListener } from './accept-gate.js';
import type { AutocertManager } from './autocert.js';
import { attachRouter, createHttpServer, listen, type Router } from './http.js';
import { workerReusesPort } from './reuse-port.js';
import { loadHttpTls, secureContextOptions } from './tls.js';

export interface ListenersInput {
  readonly config: Config;
  readonly external: Router;
  /** The internal router: the external one itself when both share a listener. */
  readonly internal: Router;
  readonly logger: Logger;
}

export interface Listeners {
  /** Every bound server (for shutdown). */
  readonly servers: Server[];
  readonly httpPort: number;
  readonly internalPort: number;
  /** The client-facing listener and how to bind it again (for the accept gate of a worker). */
  readonly external: GatedListener;
  /**
   * Reads the TLS material of `next` (throws ConfigError naming the key when unusable, changing
   * nothing) and returns a function that makes the TLS listeners use it.
   */
  prepareReload(next: Config): () => void;
  /** Stops background work (ACME renewals). */
  dispose(): void;
}

/** node:https and node:http2, loaded only when TLS is configured. */
interface TlsModules {
  readonly https: typeof HttpsModule;
  readonly http2: typeof Http2Module;
}

/** TLS of one server: a fixed context, or ACME certificates chosen per handshake. */
type TlsSetup = { readonly modules: TlsModules } & (
  | { readonly kind: 'static'; readonly options: SecureContextOptions; readonly mutual: boolean }
  | { readonly kind: 'acme'; readonly manager: AutocertManager }
);

function tlsServerFor(router: Router, tls: TlsSetup, http2: boolean): Server {
  const options: SecureServerOptions =
    tls.kind === 'acme' ? { SNICallback: tls.manager.sniCallback } : { ...tls.options, requestCert: tls.mutual, rejectUnauthorized: tls.mutual };
  if (http2) return http2Server(tls.modules.http2, router, options);
  return attachRouter(tls.modules.https.createServer({ keepAliveTimeout: 65_000, ...options }), router);
}

/**
 * An HTTP/2 server that also speaks HTTP/1.1 (`allowHTTP1`), dispatching both to `router`. Node's
 * HTTP/2 compatibility request/response objects provide what the handlers use of
 * IncomingMessage/ServerResponse. It gets the two connection-closing methods shutdown calls on a
 * node:http server: idle = HTTP/2 sessions told to go away after their open streams, all = every
 * socket destroyed.
 */
function http2Server(http2: TlsModules['http2'], router: Router, options: SecureServerOptions): Server {
  const server = http2.createSecureServer({ ...options, allowHTTP1: true });
  const sockets = new Set<TLSSocket>();
  const sessions = new Set<Http2Session>();
  server.on('secureConnection', (socket: TLSSocket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  // The compatibility objects stand in for IncomingMessage/ServerResponse (see above).
  server.on('request', (req, res) => router.handle(req as unknown as IncomingMessage, res as unknown as ServerResponse));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => router.handleUpgrade(req, socket, head));
  return Object.assign(server, {
    closeIdleConnections(): void {
      for (const session of sessions) session.close();
    },
    closeAllConnections(): void {
      for (const socket of sockets) socket.destroy();
    },
  }) as unknown as Server;
}

async function tlsSetup(config: Config, logger: Logger): Promise<TlsSetup | undefined> {
  if (!config.tls && !config.tls_autocert) return undefined;
  const loadModules = async (): Promise<TlsModules> => {
    const [https, http2] = await Promise.all([import('node:https'), import('node:http2')]);
    return { https, http2 };
  };
  if (config.tls_autocert) {
    // acme-client (and its dependencies) is loaded only when ACME is configured.
    const { startAutocert } = await import('./autocert.js');
    return { kind: 'acme', manager: await startAutocert(config, logger), modules: await loadModules() };
  }
  const material = loadHttpTls(config);
  if (material === undefined) return undefined;
  return { kind: 'static', options: secureContextOptions(material), mutual: material.clientCa !== undefined, modules: await loadModules() };
}

/** Creates and binds the listeners; a listener whose router is empty is not started (Centrifugo's HTTP listeners). */
export async function startListeners(input: ListenersInput): Promise<Listeners> {
  const { config, external, internal, logger } = input;
  // A worker told to (app/reuse-port) binds its own SO_REUSEPORT sockets for the HTTP listeners.
  const own = workerReusesPort();
  const clientSide: string[] = (['tls_root_ca', 'tls_root_ca_pem', 'tls_server_name'] as const).filter((k) => config[k] !== '');
  if (config.tls_insecure_skip_verify) clientSide.push('tls_insecure_skip_verify');
  if (clientSide.length > 0) logger.warn('client-side TLS settings have no effect on the HTTP listeners', { keys: clientSide.join(',') });
  const tls = await tlsSetup(config, logger);
  const servers: Server[] = [];
  const tlsServers: TlsServer[] = [];
  const make = (router: Router, secure: boolean): Server => {
    const server = secure && tls !== undefined ? tlsServerFor(router, tls, !config.tls_http2_disable) : createHttpServer(router);
    if (secure && tls !== undefined) tlsServers.push(server as unknown as TlsServer); // node:https servers are tls.Servers
    servers.push(server);
    return server;
  };
  const scheme = (secure: boolean): string => (secure && tls !== undefined ? 'https' : 'http');
  try {
    if (tls?.kind === 'acme') {
      const challenge = tls.manager.challengeServer();
      servers.push(challenge.server);
      const port = await listen(challenge.server, challenge.address, challenge.port);
      logger.info(`serving ACME http-01 challenges on ${challenge.address}:${port}`);
    }
    const externalServer = make(external, true);
    const httpPort = await listen(externalServer, config.address, config.port, own);
    logger.info(`serving ${external.names.join(', ')} endpoints on ${config.address}:${httpPort}`, { scheme: scheme(true) });
    let internalPort = httpPort;
    if (internal !== external && !internal.empty) {
      const secure = !config.tls_external;
      const internalServer = make(internal, secure);
      const addr = config.internal_address || config.address;
      internalPort = await listen(internalServer, addr, config.internal_port || config.port, own);
      logger.info(`serving ${internal.names.join(', ')} endpoints on ${addr}:${internalPort}`, { scheme: scheme(secure) });
    }
    if (tls?.kind === 'acme') {
      tls.manager.onDefaultCertificate((pem) => {
        for (const s of tlsServers) s.setSecureContext({ key: pem, cert: pem });
      });
    }
    return {
      servers,
      httpPort,
      internalPort,
      external: {
        server: externalServer,
        // The configured port: with the shared socket and `port: 0` that finds the primary's handle again.
        relisten: async (server) => {
          await listen(server, config.address, config.port, own);
        },
      },
      prepareReload(next) {
        const wasOn = tls !== undefined;
        const isOn = next.tls || next.tls_autocert;
        if (wasOn !== isOn || (tls?.kind === 'acme') !== next.tls_autocert || next.tls_external !== config.tls_external) {
          logger.warn('switching tls, tls_autocert or tls_external needs a restart; the listeners keep their current setup');
        }
        if (tls?.kind !== 'static' || tlsServers.length === 0 || next.tls_autocert) return () => undefined;
        const material = loadHttpTls(next);
        if (material === undefined) return () => undefined;
        const options = secureContextOptions(material);
        const mutual = material.clientCa !== undefined;
        return () => {
          for (const s of tlsServers) {
            // Read per connection by node:tls (not part of the secure context).
            Object.assign(s, { requestCert: mutual, rejectUnauthorized: mutual });
            s.setSecureContext(options);
          }
          logger.info('tls certificates reloaded');
        };
      },
      dispose() {
        if (tls?.kind === 'acme') tls.manager.stop();
      },
    };
  } catch (err) {
    if (tls?.kind === 'acme') tls.manager.stop();
    for (const s of servers) if (s.listening) s.close();
    throw err;
  }
}
