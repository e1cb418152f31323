/**
 * @module admin/admin — Centrifugo's admin endpoints and Rotor's admin UI.
 *
 * Mounted at `admin_handler_prefix` (default `/`) on the internal listener, or the external one with
 * `admin_external`:
 * - `<prefix>/admin/settings` (any method): `{"insecure":<admin_insecure>,"edition":"oss"}`;
 * - `POST <prefix>/admin/auth`, form field `password`: `{"token":"…"}`, 400 on a wrong password or
 *   when `admin_password` / `admin_secret` is empty;
 * - `POST <prefix>/admin/api`: the legacy command stream of `POST /api`, authorised by
 *   `Authorization: token <t>` or `?token=<t>` (skipped with `admin_insecure`), 401 otherwise;
 * - `POST <prefix>/admin/connection_token` (Rotor): a 15-minute connection token for the UI's own
 *   observer connection, made on `<prefix>/admin/connection/websocket` (same-origin only), see
 *   `admin/client-handler.ts`;
 * - `<prefix>/…`: the UI's static files (`admin_web_path` replaces the built-in UI).
 * Non-POST on the POST routes → 405 before any auth check.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createHttpApiHandler } from '../api/http.js';
import type { Executor } from '../api/executor.js';
import type { Router } from '../app/http.js';
import type { ClientHandler } from '../core/handler.js';
import type { Logger } from '../core/logger.js';
import type { Node } from '../core/node.js';
import { WebSocketEndpoint, type WebSocketEndpointOptions } from '../transports/websocket.js';
import { AdminClientHandler } from './client-handler.js';
import { FormError, formValue } from './form.js';
import { staticFiles } from './static-files.js';
import { AdminTokens } from './token.js';
import { findAssetDir } from './ui-dir.js';

/** The config keys the admin endpoints read. */
export interface AdminConfig {
  readonly admin_password: string;
  readonly admin_secret: string;
  readonly admin_insecure: boolean;
  readonly admin_handler_prefix: string;
  readonly admin_web_path: string;
  readonly admin_web_proxy_address: string;
}

export interface AdminMountOptions {
  readonly executor: Executor;
  readonly node: Node;
  /** Options of the client WebSocket endpoint; the admin observer endpoint reuses them. Absent = no live tail. */
  readonly websocket?: WebSocketEndpointOptions | undefined;
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
  res.end(body);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(`${text}\n`);
}

function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'Content-Length': '0' });
  res.end();
}

const FORBIDDEN_UPGRADE = 'HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 10\r\nConnection: close\r\n\r\nForbidden\n';

/** Same-origin check for the admin observer WebSocket: `Origin` absent or naming the requested host. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || origin === '') return true;
  try {
    return new URL(origin).host.toLowerCase() === (req.headers.host ?? '').toLowerCase();
  } catch {
    return false;
  }
}

/** Admin endpoints and UI of one server. */
export class Admin {
  readonly #config: AdminConfig;
  readonly #logger: Logger;
  readonly #loginTokens: AdminTokens;
  /** Connection tokens are checked only by the node that issued them: a per-process key. */
  readonly #connectionTokens = new AdminTokens(randomBytes(32).toString('hex'));
  readonly #nowSec: () => number;
  #observerEndpoint: WebSocketEndpoint | undefined;

  constructor(config: AdminConfig, logger: Logger, nowSec: () => number) {
    this.#config = config;
    this.#logger = logger;
    this.#loginTokens = new AdminTokens(config.admin_secret);
    this.#nowSec = nowSec;
    if (config.admin_insecure) logger.warn('INSECURE admin mode enabled, make sure you understand risks');
    else if (config.admin_password === '' || config.admin_secret === '') logger.warn('admin_password and admin_secret must be set: admin login is refused');
  }

  /** Wraps the client policy so admin observer connections may tail any channel. */
  wrapHandler(inner: ClientHandler): ClientHandler {
    return new AdminClientHandler(inner, this.#connectionTokens, this.#nowSec);
  }

  /** Issues a login token (tests and tools; the UI logs in through `/admin/auth`). */
  loginToken(): string {
    return this.#loginTokens.issue('admin', this.#nowSec());
  }

  #authorized(req: IncomingMessage): boolean {
    if (this.#config.admin_insecure) return true;
    if (this.#config.admin_secret === '') {
      this.#logger.error('no admin_secret set, can not authorize admin request');
      return false;
    }
    let token: string;
    const authorization = req.headers.authorization;
    if (authorization !== undefined && authorization !== '') {
      const parts = authorization.split(/\s+/).filter((p) => p !== '');
      if (parts.length !== 2 || parts[0]!.toLowerCase() !== 'token') return false;
      token = parts[1]!;
    } else {
      token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token') ?? '';
    }
    return token !== '' && this.#loginTokens.verify('admin', token, this.#nowSec()) !== undefined;
  }

  async #auth(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { admin_password: password, admin_secret: secret } = this.#config;
    if (password === '' || secret === '') {
      this.#logger.error('admin_password and admin_secret must be set in configuration');
      req.resume();
      return sendText(res, 400, 'Bad Request');
    }
    let given: string | undefined;
    try {
      given = await formValue(req, 'password');
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      res.setHeader('Connection', 'close');
      return sendText(res, 400, 'Bad Request');
    }
    if (given === undefined || !constantTimeEquals(given, password)) return sendText(res, 400, 'Bad Request');
    sendJson(res, 200, { token: this.#loginTokens.issue('admin', this.#nowSec()) });
  }

  /** Registers every admin route on `router` (the internal one, or external with `admin_external`). */
  mount(router: Router, o: AdminMountOptions): void {
    const prefix = this.#config.admin_handler_prefix;
    const base = prefix === '/' ? '' : prefix;
    const api = createHttpApiHandler(o.executor, {
      apiKey: '',
      insecure: true,
      errorMode: '',
      isShuttingDown: () => o.node.shuttingDown,
      logger: this.#logger,
    });
    const postOnly = (handler: (req: IncomingMessage, res: ServerResponse) => void) => (req: IncomingMessage, res: ServerResponse): void => {
      if (req.method !== 'POST') return sendEmpty(res, 405);
      handler(req, res);
    };
    const fail = (res: ServerResponse) => (err: unknown) => {
      this.#logger.error('error handling admin request', { error: String(err) });
      if (!res.headersSent) sendText(res, 500, 'Internal Server Error');
      else res.destroy();
    };

    router.exact(`${base}/admin/settings`, 'admin', (_req, res) => {
      sendJson(res, 200, { insecure: this.#config.admin_insecure, edition: 'oss' });
    });
    router.exact(
      `${base}/admin/auth`,
      'admin',
      postOnly((req, res) => void this.#auth(req, res).catch(fail(res))),
    );
    router.exact(
      `${base}/admin/api`,
      'admin',
      postOnly((req, res) => {
        if (!this.#authorized(req)) return sendEmpty(res, 401);
        api(req, res, '');
      }),
    );
    router.exact(
      `${base}/admin/connection_token`,
      'admin',
      postOnly((req, res) => {
        if (!this.#authorized(req)) return sendEmpty(res, 401);
        req.resume();
        sendJson(res, 200, { token: this.#connectionTokens.issue('connection', this.#nowSec()) });
      }),
    );
    if (o.websocket !== undefined) {
      // Origins are checked here (same origin as the UI), so the endpoint itself accepts any.
      const endpoint = new WebSocketEndpoint(o.node, { ...o.websocket, checkOrigin: () => true });
      this.#observerEndpoint = endpoint;
      router.upgrade(`${base}/admin/connection/websocket`, 'admin', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (!sameOrigin(req)) {
          socket.end(FORBIDDEN_UPGRADE);
          return;
        }
        endpoint.handleUpgrade(req, socket, head);
      });
    }

    const dir = this.#config.admin_web_path !== '' ? this.#config.admin_web_path : findAssetDir('ui', 'app.js');
    if (dir === undefined) {
      this.#logger.warn('admin UI files not found (run `npm run build`): only the /admin/* endpoints are served');
      return;
    }
    const files = staticFiles(dir);
    if (base !== '') {
      router.exact(base, 'admin', (_req, res) => {
        res.writeHead(301, { Location: `${base}/` });
        res.end();
      });
    }
    router.exact(`${base}/`, 'admin', (req, res) => files(req, res, ''));
    router.under(prefix, 'admin', files);
  }

  /** Stops accepting observer WebSockets (their connections close with the node). */
  close(): void {
    this.#observerEndpoint?.close();
  }
}

/** Equality without an early exit: both sides hashed to equal lengths first. */
function constantTimeEquals(a: string, b: string): boolean {
  const digest = (v: string): Buffer => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(a), digest(b));
}
