/**
 * @module app/server — the composition root: Config → engines, node, policy, API, transports,
 * HTTP listeners; and graceful shutdown (Disconnect 3001 to every client).
 */
import { hostname } from 'node:os';
import type { Server } from 'node:http';
import { Executor } from '../api/executor.js';
import type { startGrpcApi } from '../api/grpc.js';
import { createHttpApiHandler } from '../api/http.js';
import { connectionVerifierOptions, subscriptionVerifierOptions, TokenVerifier } from '../auth/index.js';
import type { Config } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { customDisconnect, type Disconnect } from '../core/disconnect.js';
import { Node } from '../core/node.js';
import { notifyWorkerReady, workerIndex } from '../engines/cluster/worker.js';
import { createEngine } from '../engines/index.js';
import { createLogger } from '../observability/logger.js';
import { Metrics } from '../observability/metrics.js';
import { ConfigChannelOptionsResolver } from '../policy/channel-options.js';
import { ClientPolicy } from '../policy/client-policy.js';
import { ConnectionLimiter } from '../transports/limits.js';
import { createOriginCheck } from '../transports/origin.js';
import { WebSocketEndpoint } from '../transports/websocket.js';
import { VERSION } from '../version.js';
import { createHttpServer, listen, Router } from './http.js';
import { registerTransports } from './transports.js';

export interface StartOptions {
  /** Path of the config file used (for logs). */
  readonly configFile?: string | undefined;
  /** Use this logger instead of one built from `log_level`/`log_file`. */
  readonly logger?: Logger | undefined;
  readonly clock?: Clock | undefined;
  /** Register process-wide default metrics (GC, memory…); off for embedded test servers. @default true */
  readonly defaultMetrics?: boolean | undefined;
}

export interface RunningServer {
  readonly node: Node;
  readonly executor: Executor;
  readonly metrics: Metrics;
  /** Bound port of the external listener. */
  readonly httpPort: number;
  /** Bound port of the internal listener (same as httpPort when shared). */
  readonly internalPort: number;
  /** Bound port of the uni_grpc server (0 when disabled). */
  readonly uniGrpcPort: number;
  /** Bound port of the GRPC API listener (when `grpc_api` is on). */
  readonly grpcPort?: number;
  /**
   * Applies a re-read config (SIGHUP): token verification settings and channel namespaces only, as
   * Centrifugo does. Throws (and changes nothing) if the new token settings are unusable.
   */
  reload(config: Config): void;
  /** Graceful shutdown; idempotent. */
  close(): Promise<void>;
}

/** `client_connect_code_to_unidirectional_disconnect` → error code → disconnect. */
function uniTransforms(config: Config): Map<number, Disconnect> {
  const out = new Map<number, Disconnect>();
  const c = config.client_connect_code_to_unidirectional_disconnect;
  if (!c.enabled) return out;
  for (const t of c.transforms) out.set(t.code, customDisconnect(t.to.code, t.to.reason));
  return out;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger({ level: config.log_level, file: config.log_file || undefined });
  logger.info('starting Rotor', { version: VERSION, runtime: process.version, pid: process.pid, engine: config.engine, broker: config.broker || undefined });
  if (options.configFile) logger.info('using config file', { path: options.configFile });
  if (config.client_insecure) logger.warn('INSECURE client mode enabled, make sure you understand risks');
  if (config.api_insecure) logger.warn('INSECURE API mode enabled, make sure you understand risks');
  if (config.allowed_origins.includes('*')) logger.warn('usage of allowed_origins * is discouraged for security reasons');

  const metrics = new Metrics(VERSION, { defaultMetrics: options.defaultMetrics ?? true });
  const channels = new ConfigChannelOptionsResolver(config);
  const policyOptions = (c: Config): ConstructorParameters<typeof ClientPolicy>[0] => ({
    config: c,
    channels,
    connectionTokens: new TokenVerifier({ ...connectionVerifierOptions(c), clock: options.clock }),
    subscriptionTokens: new TokenVerifier({ ...subscriptionVerifierOptions(c), clock: options.clock }),
  });
  const policy = new ClientPolicy(policyOptions(config));

  // A worker of `rotor serve --workers N` is a node of its own, named after the process group and its index.
  const worker = workerIndex();
  const name = (config.name || `${hostname()}_${config.port}`) + (worker === undefined ? '' : `#${worker}`);
  const engine = await createEngine(config, { logger, nodeId: name, clock: options.clock });
  const node = new Node({
    name,
    version: `${VERSION} Rotor`,
    broker: engine.broker,
    presenceManager: engine.presenceManager,
    controller: engine.controller,
    handler: policy,
    channels,
    logger,
    clock: options.clock,
    disconnectCodes: config.disconnect_codes,
    metrics,
    uniConnectErrorTransforms: uniTransforms(config),
    client: {
      pingIntervalMs: config.ping_interval,
      pongTimeoutMs: config.pong_timeout,
      staleCloseDelayMs: config.client_stale_close_delay,
      expiredCloseDelayMs: config.client_expired_close_delay,
      expiredSubCloseDelayMs: config.client_expired_sub_close_delay,
      presenceUpdateIntervalMs: config.client_presence_update_interval,
      channelPositionCheckDelayMs: config.client_channel_position_check_delay,
      channelLimit: config.client_channel_limit,
      channelMaxLength: config.channel_max_length,
      queueMaxSizeBytes: config.client_queue_max_size,
      userConnectionLimit: config.client_user_connection_limit,
      historyMaxPublicationLimit: config.client_history_max_publication_limit,
      recoveryMaxPublicationLimit: config.client_recovery_max_publication_limit,
      connectIncludeServerTime: config.client_connect_include_server_time,
      maxMessageSize: config.websocket_message_size_limit,
    },
  });
  metrics.attachNode(node);
  await node.run();

  const executor = new Executor({
    node,
    channels,
    logger,
    version: VERSION,
    onCommand: (method, protocol, sec) => metrics.apiCommand(method, protocol, sec),
  });

  // ---- routes ----
  const external = new Router();
  const internalSeparate =
    (config.internal_port !== 0 && config.internal_port !== config.port) ||
    (config.internal_address !== '' && config.internal_address !== config.address);
  const internal = internalSeparate ? new Router() : external;
  const checkOrigin = createOriginCheck(config.allowed_origins);
  const limiter = new ConnectionLimiter(config.client_connection_limit, config.client_connection_rate_limit, () => node.hub.numClients, logger);

  const ws = config.websocket_disable
    ? undefined
    : new WebSocketEndpoint(node, {
        messageSizeLimit: config.websocket_message_size_limit,
        compression: config.websocket_compression,
        compressionLevel: config.websocket_compression_level,
        compressionMinSize: config.websocket_compression_min_size,
        writeTimeoutMs: config.websocket_write_timeout,
        pingIntervalMs: config.ping_interval,
        pongTimeoutMs: config.pong_timeout,
        checkOrigin,
        userIdHeader: config.client_user_id_http_header || undefined,
        limiter,
      });
  if (ws !== undefined) external.upgrade(config.websocket_handler_prefix, 'websocket', (req, socket, head) => ws.handleUpgrade(req, socket, head));
  const streaming = registerTransports({ node, config, external, checkOrigin });
  await streaming.ready; // a failed uni_grpc bind stops start-up

  if (!config.api_disable) {
    const api = createHttpApiHandler(executor, {
      apiKey: config.api_key,
      insecure: config.api_insecure,
      errorMode: config.api_error_mode,
      isShuttingDown: () => node.shuttingDown,
      logger,
    });
    const router = config.api_external ? external : internal;
    const prefix = config.api_handler_prefix;
    router.exact(prefix, 'api', (req, res) => api(req, res, ''));
    router.under(prefix, 'api', (req, res, rest) => api(req, res, rest));
  }
  if (config.health) {
    internal.exact(config.health_handler_prefix, 'health', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
  }
  if (config.prometheus) {
    internal.exact(config.prometheus_handler_prefix, 'prometheus', (_req, res) => {
      metrics.registry
        .metrics()
        .then((text) => {
          res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
          res.end(text);
        })
        .catch((err: unknown) => {
          logger.error('error collecting metrics', { error: String(err) });
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end('Internal Server Error\n');
        });
    });
  }

  // ---- listeners ----
  const servers: Server[] = [];
  const externalServer = createHttpServer(external);
  servers.push(externalServer);
  const httpPort = await listen(externalServer, config.address, config.port);
  logger.info(`serving ${external.names.join(', ')} endpoints on ${config.address}:${httpPort}`);
  let internalPort = httpPort;
  if (internalSeparate && !internal.empty) {
    const internalServer = createHttpServer(internal);
    servers.push(internalServer);
    const addr = config.internal_address || config.address;
    internalPort = await listen(internalServer, addr, config.internal_port || config.port);
    logger.info(`serving ${internal.names.join(', ')} endpoints on ${addr}:${internalPort}`);
  }

  let grpcApi: Awaited<ReturnType<typeof startGrpcApi>> | undefined;
  try {
    // @grpc/grpc-js is loaded only when a GRPC listener is configured.
    grpcApi = config.grpc_api ? await (await import('../api/grpc.js')).startGrpcApi(executor, config, logger) : undefined;
  } catch (err) {
    // Do not leave the HTTP listeners and engines of a failed start behind.
    await node.shutdown();
    await engine.close();
    await streaming.close();
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    throw err;
  }

  notifyWorkerReady();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      logger.info('shutting down');
      ws?.close();
      const httpClosed = servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
          }),
      );
      const grpcClosed = grpcApi?.close();
      await node.shutdown();
      await engine.close();
      await streaming.close();
      for (const s of servers) s.closeIdleConnections();
      // Streaming responses and upgraded sockets are ended by the node shutdown above.
      setTimeout(() => servers.forEach((s) => s.closeAllConnections()), 1000).unref();
      await Promise.all(httpClosed);
      await grpcClosed;
    })();
    return closing;
  };
  const reload = (next: Config): void => {
    const o = policyOptions(next); // builds the verifiers first: throws before changing anything
    channels.reconfigure(next);
    policy.reconfigure(o);
    logger.info('configuration reloaded');
  };
  return { node, executor, metrics, httpPort, internalPort, uniGrpcPort: streaming.uniGrpcPort(), ...(grpcApi !== undefined ? { grpcPort: grpcApi.port } : {}), reload, close };
}
