/**
 * @module app/server — the composition root: Config → engines, node, policy, API, transports,
 * HTTP listeners; and graceful shutdown (Disconnect 3001 to every client).
 */
import { hostname } from 'node:os';
import { Admin } from '../admin/admin.js';
import { mountDebug } from '../admin/debug.js';
import { mountSwagger } from '../admin/swagger.js';
import { Executor } from '../api/executor.js';
import type { startGrpcApi } from '../api/grpc.js';
import { createHttpApiHandler } from '../api/http.js';
import { connectionVerifierOptions, subscriptionVerifierOptions, TokenVerifier } from '../auth/index.js';
import type { TokenVerifierOptions } from '../auth/index.js';
import { ConfigError, jwksTemplateProblemsOf, parseConsumers, type Config } from '../config/index.js';
import { checkUnimplementedKeys } from '../config/unimplemented.js';
import type { RunningConsumers } from '../consumers/index.js';
import { type Clock, systemClock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { customDisconnect, type Disconnect } from '../core/disconnect.js';
import { Node } from '../core/node.js';
import { notifyWorkerReady, workerIndex, workerLimits } from '../engines/cluster/worker.js';
import { createEngine } from '../engines/index.js';
import { createLogger } from '../observability/logger.js';
import { installDescriptorFreeMemoryGauges, RefusedConnections } from '../observability/descriptors.js';
import { InfoMetrics } from '../observability/info-metrics.js';
import { Metrics } from '../observability/metrics.js';
import { ConfigChannelOptionsResolver } from '../policy/channel-options.js';
import { ClientPolicy } from '../policy/client-policy.js';
import { forwardedNames, proxySetupFromConfig } from '../proxy/options.js';
import type { ProxyHooks } from '../proxy/hooks.js';
import { ConnectionLimiter, type ConnectionLimits, SharedConnectionLimiter } from '../transports/limits.js';
import { createOriginCheck } from '../transports/origin.js';
import { WebSocketEndpoint, type WebSocketEndpointOptions } from '../transports/websocket.js';
import { VERSION } from '../version.js';
import { startAcceptGate } from './accept-gate.js';
import { Router } from './http.js';
import { startListeners, type Listeners } from './listeners.js';
import { anyConnectionLimit } from './workers.js';
import { loadHttpTls } from './tls.js';
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
   * Applies a re-read config (SIGHUP): token verification settings and channel namespaces, as
   * Centrifugo does, and the HTTP listeners' TLS certificates (re-read from their files). Throws (and
   * changes nothing) if the new token settings or certificates are unusable.
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

/** Verifier options with the server clock and JWKS fetch failures logged (at most one per URL per refetch interval). */
function withJwksLog(o: TokenVerifierOptions, clock: Clock | undefined, logger: Logger): TokenVerifierOptions {
  const onFetchError = (url: string, error: Error): void => {
    logger.warn('JWKS fetch failed, cached keys (if any) stay in service', { url, error: error.message });
  };
  return { ...o, clock, jwks: { ...o.jwks, onFetchError } };
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger({ level: config.log_level, file: config.log_file || undefined });
  logger.info('starting Rotor', { version: VERSION, runtime: process.version, pid: process.pid, engine: config.engine, broker: config.broker || undefined });
  if (options.configFile) logger.info('using config file', { path: options.configFile });
  if (config.client_insecure) logger.warn('INSECURE client mode enabled, make sure you understand risks');
  if (config.api_insecure) logger.warn('INSECURE API mode enabled, make sure you understand risks');
  if (config.allowed_origins.includes('*')) logger.warn('usage of allowed_origins * is discouraged for security reasons');
  checkUnimplementedKeys(config, logger);
  for (const prefix of ['token_', 'subscription_token_'] as const) {
    if (!config[`${prefix}insecure_skip_jwks_endpoint_safety_check`]) continue;
    for (const problem of jwksTemplateProblemsOf(config, prefix)) {
      logger.warn(`INSECURE JWKS endpoint template (${prefix}insecure_skip_jwks_endpoint_safety_check): ${problem}`);
    }
  }

  if (!config.tls_autocert) loadHttpTls(config); // unusable TLS material stops the start before anything runs (ConfigError)
  const metrics = new Metrics(VERSION, { defaultMetrics: options.defaultMetrics ?? true });
  const infoMetrics = new InfoMetrics(metrics.registry, config.node_info_metrics_aggregate_interval);
  const releaseMemoryGauges = installDescriptorFreeMemoryGauges(metrics.registry);
  const refused = new RefusedConnections(metrics.registry, logger);
  const channels = new ConfigChannelOptionsResolver(config);
  // Proxies to the application backend: a bad proxy config stops start-up (ConfigError naming the key).
  let proxySetup = proxySetupFromConfig(config);
  const clock = options.clock ?? systemClock;
  const proxies: ProxyHooks | undefined =
    proxySetup.all.length > 0
      ? await (await import('../proxy/index.js')).createProxyHooks(proxySetup, { logger, registry: metrics.registry, now: () => clock.now() })
      : undefined;
  const forwarded = forwardedNames(proxySetup);
  const policyOptions = (c: Config): ConstructorParameters<typeof ClientPolicy>[0] => ({
    config: c,
    channels,
    connectionTokens: new TokenVerifier(withJwksLog(connectionVerifierOptions(c), options.clock, logger)),
    subscriptionTokens: new TokenVerifier(withJwksLog(subscriptionVerifierOptions(c), options.clock, logger)),
    proxies,
    proxySetup,
  });
  const policy = new ClientPolicy(policyOptions(config));
  const admin = config.admin ? new Admin(config, logger, () => clock.now() / 1000) : undefined;

  // A worker of `rotor serve --workers N` is a node of its own, named after the process group and its index.
  const worker = workerIndex();
  const name = (config.name || `${hostname()}_${config.port}`) + (worker === undefined ? '' : `#${worker}`);
  const engine = await createEngine(config, { logger, nodeId: name, clock: options.clock });
  // A worker of `--workers N` counts its connection limits in the primary (no link without a limit).
  const sharedLimits = anyConnectionLimit(config) ? workerLimits() : undefined;
  const node = new Node({
    name,
    version: `${VERSION} Rotor`,
    broker: engine.broker,
    presenceManager: engine.presenceManager,
    controller: engine.controller,
    handler: admin?.wrapHandler(policy) ?? policy,
    channels,
    logger,
    clock: options.clock,
    disconnectCodes: config.disconnect_codes,
    metrics,
    infoMetrics: () => infoMetrics.snapshot,
    uniConnectErrorTransforms: uniTransforms(config),
    captureHeaders: forwarded.headers,
    captureMetadata: forwarded.metadata,
    userConnectionSlots:
      sharedLimits !== undefined && config.client_user_connection_limit > 0
        ? { reserve: (userId) => sharedLimits.reserveUser(userId), release: (userId) => sharedLimits.releaseUser(userId) }
        : undefined,
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
  infoMetrics.start((err) => logger.error('error aggregating metrics for info', { error: String(err) }));

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
  const limiter: ConnectionLimits =
    sharedLimits !== undefined && (config.client_connection_limit > 0 || config.client_connection_rate_limit > 0)
      ? new SharedConnectionLimiter(sharedLimits, config.client_connection_limit, config.client_connection_rate_limit, logger, { clock: options.clock })
      : new ConnectionLimiter(config.client_connection_limit, config.client_connection_rate_limit, () => node.numClients, logger, { clock: options.clock });
  metrics.attachConnectionLimiter(limiter);

  const wsOptions: WebSocketEndpointOptions = {
    messageSizeLimit: config.websocket_message_size_limit,
    compression: config.websocket_compression,
    compressionLevel: config.websocket_compression_level,
    compressionMinSize: config.websocket_compression_min_size,
    writeTimeoutMs: config.websocket_write_timeout,
    pingIntervalMs: config.ping_interval,
    pongTimeoutMs: config.pong_timeout,
    checkOrigin,
    userIdHeader: config.client_user_id_http_header || undefined,
    limiter: limiter.enabled ? limiter : undefined,
  };
  const ws = config.websocket_disable ? undefined : new WebSocketEndpoint(node, wsOptions);
  if (ws !== undefined) external.upgrade(config.websocket_handler_prefix, 'websocket', (req, socket, head) => ws.handleUpgrade(req, socket, head));
  const streaming = registerTransports({ node, config, external, checkOrigin, limiter: limiter.enabled ? limiter : undefined });
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
  admin?.mount(config.admin_external ? external : internal, { executor, node, websocket: wsOptions });
  if (config.swagger) mountSwagger(internal, { prefix: config.swagger_handler_prefix, apiPrefix: config.api_handler_prefix, version: VERSION, logger });
  const debug = config.debug ? mountDebug(internal, logger) : undefined;
  if (config.health) {
    internal.exact(config.health_handler_prefix, 'health', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
  }
  if (config.prometheus) {
    internal.exact(config.prometheus_handler_prefix, 'prometheus', (_req, res) => {
      metrics
        .scrape()
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
  let listeners: Listeners;
  try {
    listeners = await startListeners({ config, external, internal, logger });
  } catch (err) {
    // Do not leave the engines of a failed start behind (e.g. unusable TLS certificates).
    await node.shutdown();
    await engine.close();
    await streaming.close();
    throw err;
  }
  const { servers, httpPort, internalPort } = listeners;
  for (const s of servers) refused.attach(s); // connections over the descriptor budget are counted and logged
  // A worker stops accepting near its descriptor limit so the other workers take the new connections.
  const gate = worker !== undefined && refused.cap !== undefined ? startAcceptGate(servers, listeners.external, refused.cap, logger) : undefined;

  let grpcApi: Awaited<ReturnType<typeof startGrpcApi>> | undefined;
  let consumers: RunningConsumers | undefined;
  try {
    // @grpc/grpc-js is loaded only when a GRPC listener is configured.
    grpcApi = config.grpc_api ? await (await import('../api/grpc.js')).startGrpcApi(executor, config, logger) : undefined;
    const parsed = parseConsumers(config.consumers);
    if (parsed.problems.length > 0) throw new ConfigError(parsed.problems);
    for (const w of parsed.warnings) logger.warn(w);
    // Consumer code and its client libraries are loaded only when a consumer is enabled.
    if (parsed.consumers.length > 0) {
      consumers = await (await import('../consumers/index.js')).startConsumers(parsed.consumers, { executor, logger, nodeName: name });
    }
  } catch (err) {
    // Do not leave the HTTP listeners and engines of a failed start behind.
    await grpcApi?.close();
    infoMetrics.stop();
    listeners.dispose();
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
      // Consumers first: the message in hand still reaches a live node.
      await consumers?.close();
      listeners.dispose();
      gate?.stop();
      ws?.close();
      admin?.close();
      debug?.close();
      infoMetrics.stop();
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
      proxies?.close();
      for (const s of servers) s.closeIdleConnections();
      // Streaming responses and upgraded sockets are ended by the node shutdown above.
      setTimeout(() => servers.forEach((s) => s.closeAllConnections()), 1000).unref();
      await Promise.all(httpClosed);
      await grpcClosed;
      releaseMemoryGauges();
    })();
    return closing;
  };
  const reload = (next: Config): void => {
    // Everything that can throw runs before anything changes.
    const nextSetup = proxySetupFromConfig(next);
    if (proxies === undefined && nextSetup.all.length > 0) {
      throw new ConfigError([{ path: 'proxies', message: 'proxies configured after start: restart to enable them' }]);
    }
    const o = { ...policyOptions(next), proxySetup: nextSetup }; // builds the verifiers first: throws before changing anything
    const applyTls = listeners.prepareReload(next); // reads the certificates: throws before changing anything
    applyTls();
    proxies?.reconfigure(nextSetup);
    proxySetup = nextSetup;
    const captured = forwardedNames(nextSetup);
    if (captured.headers.some((h) => !node.captureHeaders.includes(h)) || captured.metadata.some((m) => !node.captureMetadata.includes(m))) {
      logger.warn('new proxy header names apply after a restart (headers are recorded from the start-up lists)');
    }
    channels.reconfigure(next);
    policy.reconfigure(o);
    logger.info('configuration reloaded');
  };
  return { node, executor, metrics, httpPort, internalPort, uniGrpcPort: streaming.uniGrpcPort(), ...(grpcApi !== undefined ? { grpcPort: grpcApi.port } : {}), reload, close };
}
