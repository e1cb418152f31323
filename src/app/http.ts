/**
 * @module app/http — the HTTP listeners and their routing table (Centrifugo's HTTP surface).
 *
 * Handlers are accumulated per `address:port`: when the internal listener resolves to the same
 * address as the external one, one server serves both sets.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ReusableListenOptions } from './reuse-port.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, rest: string) => void;
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

interface Route {
  readonly prefix: string;
  /** `prefix + '/'`, built once (matching runs for every request). */
  readonly under: string;
  /** Exact path only, or also `prefix/<rest>`. */
  readonly exact: boolean;
  readonly handler: RouteHandler;
  readonly name: string;
}

/**
 * One listener's routes. As with Go's ServeMux, the longest matching pattern wins whatever the
 * registration order (so a catch-all such as the admin UI at `/` never shadows other routes).
 */
export class Router {
  readonly #routes: Route[] = [];
  readonly #upgrades = new Map<string, UpgradeHandler>();
  readonly names: string[] = [];

  /** Exact path. */
  exact(path: string, name: string, handler: RouteHandler): void {
    this.#add({ prefix: path, under: `${path}/`, exact: true, handler, name });
  }

  /** `prefix/<anything>` (the part after the slash is passed as `rest`). */
  under(prefix: string, name: string, handler: RouteHandler): void {
    const p = prefix === '/' ? '' : prefix;
    this.#add({ prefix: p, under: `${p}/`, exact: false, handler, name });
  }

  #add(route: Route): void {
    this.#routes.push(route);
    // Stable sort: longest pattern first (an exact path and a prefix of equal length never overlap).
    this.#routes.sort((a, b) => b.prefix.length - a.prefix.length);
    this.#named(route.name);
  }

  upgrade(path: string, name: string, handler: UpgradeHandler): void {
    this.#upgrades.set(path, handler);
    this.#named(name);
  }

  get empty(): boolean {
    return this.#routes.length === 0 && this.#upgrades.size === 0;
  }

  #named(name: string): void {
    if (!this.names.includes(name)) this.names.push(name);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const path = pathOf(req.url);
    for (const r of this.#routes) {
      if (r.exact) {
        if (path === r.prefix) return r.handler(req, res, '');
      } else if (path.length > r.under.length && path.startsWith(r.under)) {
        return r.handler(req, res, path.slice(r.under.length));
      }
    }
    notFound(res);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const handler = this.#upgrades.get(pathOf(req.url));
    if (handler === undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 19\r\nConnection: close\r\n\r\n404 page not found\n');
      return;
    }
    handler(req, socket, head);
  }
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end('404 page not found\n');
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** Creates a node:http server dispatching to `router`. */
export function createHttpServer(router: Router): Server {
  return attachRouter(createServer({ keepAliveTimeout: 65_000 }), router);
}

/** Makes `server` (node:http or node:https) dispatch requests and upgrades to `router`. */
export function attachRouter<S extends Server>(server: S, router: Router): S {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => router.handle(req, res));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => router.handleUpgrade(req, socket, head));
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

/** Listens and resolves with the bound port; `own` binds this process's own SO_REUSEPORT socket (app/reuse-port). */
export async function listen(server: Server, address: string, port: number, own = false): Promise<number> {
  const options: ReusableListenOptions = { port, host: address === '' ? undefined : address, ...(own ? { reusePort: true, exclusive: true } : {}) };
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(options, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const a = server.address();
  return typeof a === 'object' && a !== null ? a.port : port;
}
