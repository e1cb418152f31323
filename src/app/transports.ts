/**
 * @module app/transports — mounts the non-WebSocket connection endpoints (HTTP-stream, SSE,
 * emulation, unidirectional transports) on the external router, and starts the uni_grpc server.
 */
import { tlsSources, type Config } from '../config/index.js';
import type { Node } from '../core/node.js';
import { EmulationEndpoint } from '../transports/emulation.js';
import { HttpStreamEndpoint } from '../transports/http-stream.js';
import type { ConnectionLimits } from '../transports/limits.js';
import { OpenStreams } from '../transports/open-streams.js';
import type { ConnectHttpResponse } from '../transports/response-transport.js';
import { SseEndpoint } from '../transports/sse.js';
import type { StreamEndpointContext } from '../transports/stream-endpoint.js';
import type { UniGrpcServer } from '../transports/uni-grpc.js';
import { UniHttpStreamEndpoint } from '../transports/uni-http-stream.js';
import { UniSseEndpoint } from '../transports/uni-sse.js';
import { UniWebSocketEndpoint } from '../transports/uni-websocket.js';
import type { Router } from './http.js';

export interface TransportsContext {
  readonly node: Node;
  readonly config: Config;
  readonly external: Router;
  readonly checkOrigin: (origin: string | undefined) => boolean;
  /** `client_connection_limit` / `client_connection_rate_limit`, shared by every connection transport. */
  readonly limiter?: ConnectionLimits | undefined;
}

export interface RegisteredTransports {
  /**
   * Settles when every listener of its own (uni_grpc) is bound; rejects when binding failed.
   * The HTTP endpoints are usable at once.
   */
  readonly ready: Promise<void>;
  /** Port the uni_grpc server is bound to (0 until `ready`, or when disabled). */
  readonly uniGrpcPort: () => number;
  /** Ends every open stream, stops the uni_grpc server. Idempotent. */
  close(): Promise<void>;
}

/** Registers every enabled streaming / unidirectional endpoint; returns a closer for shutdown. */
export function registerTransports(ctx: TransportsContext): RegisteredTransports {
  const { node, config, external, checkOrigin, limiter } = ctx;
  const streams = new OpenStreams();
  const userIdHeader = config.client_user_id_http_header || undefined;
  const streamCtx: StreamEndpointContext = { node, streams, userIdHeader, limiter };

  if (config.http_stream) {
    const ep = new HttpStreamEndpoint(streamCtx, { maxRequestBodySize: config.http_stream_max_request_body_size, checkOrigin });
    external.exact(config.http_stream_handler_prefix, 'http_stream', (req, res) => ep.handle(req, res));
  }
  if (config.sse) {
    const ep = new SseEndpoint(streamCtx, { maxRequestBodySize: config.sse_max_request_body_size, checkOrigin });
    external.exact(config.sse_handler_prefix, 'sse', (req, res) => ep.handle(req, res));
  }
  if (config.http_stream || config.sse) {
    const ep = new EmulationEndpoint(node, { maxRequestBodySize: config.emulation_max_request_body_size, checkOrigin });
    external.exact(config.emulation_handler_prefix, 'emulation', (req, res) => ep.handle(req, res));
  }
  let uniWs: UniWebSocketEndpoint | undefined;
  if (config.uni_websocket) {
    const ep = new UniWebSocketEndpoint(node, streams, {
      messageSizeLimit: config.uni_websocket_message_size_limit,
      compression: config.uni_websocket_compression,
      compressionLevel: config.uni_websocket_compression_level,
      compressionMinSize: config.uni_websocket_compression_min_size,
      writeTimeoutMs: config.uni_websocket_write_timeout,
      pingIntervalMs: config.ping_interval,
      pongTimeoutMs: config.pong_timeout,
      checkOrigin,
      userIdHeader,
      limiter,
    });
    uniWs = ep;
    external.upgrade(config.uni_websocket_handler_prefix, 'uni_websocket', (req, socket, head) => ep.handleUpgrade(req, socket, head));
  }
  // The two unidirectional HTTP streams read the same keys under their own prefix.
  for (const [name, Endpoint] of [['uni_sse', UniSseEndpoint], ['uni_http_stream', UniHttpStreamEndpoint]] as const) {
    if (!config[name]) continue;
    const ep = new Endpoint(streamCtx, {
      maxRequestBodySize: config[`${name}_max_request_body_size`],
      checkOrigin,
      connectResponses: connectHttpResponses(config[`${name}_connect_code_to_http_response`]),
    });
    external.exact(config[`${name}_handler_prefix`], name, (req, res) => ep.handle(req, res));
  }

  let grpc: UniGrpcServer | undefined;
  let ready: Promise<void> = Promise.resolve();
  if (config.uni_grpc) {
    // @grpc/grpc-js is loaded only when a GRPC listener is configured.
    ready = import('../transports/uni-grpc.js').then(async ({ UniGrpcServer }) => {
      const server = new UniGrpcServer(node, streams, {
        address: config.uni_grpc_address,
        port: config.uni_grpc_port,
        maxReceiveMessageSize: config.uni_grpc_max_receive_message_size,
        // uni_grpc's own TLS, else the HTTP server's unless `uni_grpc_tls_disable`.
        tls: tlsSources(config, 'uni_grpc'),
        limiter,
      });
      grpc = server;
      await server.start();
    });
    // Observed here so a failed bind is logged even when nobody awaits `ready`.
    ready.catch((err: unknown) => node.logger.error('error starting uni_grpc server', { error: String(err) }));
  }

  let closing: Promise<void> | undefined;
  return {
    ready,
    uniGrpcPort: () => grpc?.port ?? 0,
    close: () => {
      closing ??= (async () => {
        streams.closeAll();
        uniWs?.close();
        // The uni_grpc server exists only once `ready` settled (it is created after a lazy import).
        await ready.catch(() => undefined);
        if (grpc !== undefined) await grpc.close();
      })();
      return closing;
    },
  };
}

/** `uni_*_connect_code_to_http_response` → connect error code → HTTP answer; undefined when disabled. */
function connectHttpResponses(c: Config['uni_sse_connect_code_to_http_response']): Map<number, ConnectHttpResponse> | undefined {
  if (!c.enabled || c.transforms.length === 0) return undefined;
  const out = new Map<number, ConnectHttpResponse>();
  // The first transform of a code wins, as a lookup over the list would.
  for (const t of c.transforms) if (!out.has(t.code)) out.set(t.code, { statusCode: t.to.status_code, body: t.to.body });
  return out;
}
