/**
 * @module api/grpc — the GRPC front of the server API: service `centrifugal.centrifugo.api.CentrifugoApi`
 * on its own listener (`grpc_api_address:grpc_api_port`, default :10000), Centrifugo's server API, GRPC API schema.
 *
 * Every OSS rpc runs the same executor as the HTTP API (`protocol` label `grpc`); PRO rpcs answer
 * `UNIMPLEMENTED` "method X not implemented". With `grpc_api_key` set, each call must carry metadata
 * `authorization: apikey <KEY>` (first value, exact, constant-time compare) or gets `UNAUTHENTICATED`
 * "unauthenticated" — checked before anything else, PRO rpcs included. API errors travel in
 * `XResponse.error`, or — with `grpc_api_error_mode: transport` or metadata
 * `x-centrifugo-error-mode: transport` — as a GRPC status with the `Error` attached as a detail
 * (batch excepted; broadcast only for its top-level error). Malformed protobuf is answered by
 * grpc-js with INTERNAL, oversized messages with RESOURCE_EXHAUSTED; gzip/deflate request
 * compression is accepted.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type Metadata,
  Server,
  type ServerUnaryCall,
  type sendUnaryData,
  type ServiceDefinition,
  status as GrpcCode,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Config } from '../config/index.js';
import type { Logger } from '../core/logger.js';
import { ApiErrors } from './errors.js';
import type { Executor } from './executor.js';
import { loadApiSchema } from './grpc-codec.js';
import { statusError, transportError } from './grpc-status.js';
import { grpcApiCredentials } from './grpc-tls.js';
import type { ApiResponse, ApiUnaryMethod } from './types.js';

/** Default `grpc_api_max_receive_message_size` (0 in the config means this). */
export const DEFAULT_MAX_RECEIVE_MESSAGE_SIZE = 4 * 1024 * 1024;
const SHUTDOWN_GRACE_MS = 2000;
const ERROR_MODE_KEY = 'x-centrifugo-error-mode';

/** GRPC rpc name → executor method of the 13 unary OSS methods (Batch is handled on its own). */
export const GRPC_UNARY_METHODS: Readonly<Record<string, ApiUnaryMethod>> = Object.freeze({
  Publish: 'publish',
  Broadcast: 'broadcast',
  Subscribe: 'subscribe',
  Unsubscribe: 'unsubscribe',
  Disconnect: 'disconnect',
  Presence: 'presence',
  PresenceStats: 'presence_stats',
  History: 'history',
  HistoryRemove: 'history_remove',
  Info: 'info',
  RPC: 'rpc',
  Refresh: 'refresh',
  Channels: 'channels',
});

/** Config keys read by {@link startGrpcApi}. */
export type GrpcApiConfig = Pick<
  Config,
  | 'grpc_api_address'
  | 'grpc_api_port'
  | 'grpc_api_key'
  | 'grpc_api_error_mode'
  | 'grpc_api_reflection'
  | 'grpc_api_max_receive_message_size'
> &
  Parameters<typeof grpcApiCredentials>[0];

/** A started GRPC API listener. */
export interface GrpcApi {
  /** Bound port (the real one when `grpc_api_port` is 0). */
  readonly port: number;
  /** Stops accepting calls; in-flight calls get a short grace period. Idempotent. */
  close(): Promise<void>;
}

// Proto-shaped request objects decoded by proto-loader; the executor validates their contents.
type Request = Record<string, unknown>;
type UnaryCall = ServerUnaryCall<Request, unknown>;
type Callback = sendUnaryData<unknown>;

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** True when `metadata` carries `authorization: apikey <key>` as its first value (exact, constant time). */
export function grpcKeyAuthorized(metadata: Metadata, key: string): boolean {
  if (key === '') return true;
  const first = metadata.get('authorization')[0];
  if (typeof first !== 'string') return false;
  const expected = `apikey ${key}`;
  return timingSafeEqual(digest(first), digest(expected)) && first === expected;
}

/** True when this call wants transport errors (config, or metadata value exactly `transport`). */
function transportMode(configured: boolean, metadata: Metadata): boolean {
  return configured || metadata.get(ERROR_MODE_KEY)[0] === 'transport';
}

/** Builds the handlers of every rpc declared by the service. */
export function createGrpcApiHandlers(
  executor: Executor,
  service: ServiceDefinition,
  options: { readonly key: string; readonly transportErrors: boolean; readonly logger: Logger },
): UntypedServiceImplementation {
  const { key, transportErrors, logger } = options;
  const handlers: UntypedServiceImplementation = {};

  const guard = (name: string, run: (call: UnaryCall, callback: Callback) => Promise<void>) => (call: UnaryCall, callback: Callback) => {
    if (!grpcKeyAuthorized(call.metadata, key)) {
      callback(statusError(GrpcCode.UNAUTHENTICATED, 'unauthenticated'));
      return;
    }
    run(call, callback).catch((err: unknown) => {
      // The executor never rejects; this only guards against a bug reaching grpc-js.
      logger.error('error handling grpc api call', { method: name, error: String(err) });
      callback(statusError(GrpcCode.INTERNAL, ApiErrors.Internal.message));
    });
  };

  for (const name of Object.keys(service)) {
    const method = Object.hasOwn(GRPC_UNARY_METHODS, name) ? GRPC_UNARY_METHODS[name] : undefined;
    if (name === 'Batch') {
      handlers[name] = guard(name, async (call, callback) => {
        const response = await executor.batch(call.request, 'grpc');
        callback(null, response);
      });
    } else if (method !== undefined) {
      handlers[name] = guard(name, async (call, callback) => {
        const response: ApiResponse<unknown> = await executor.execute(method, call.request, 'grpc');
        if (response.error !== undefined && transportMode(transportErrors, call.metadata)) {
          callback(transportError(response.error));
          return;
        }
        callback(null, response);
      });
    } else {
      handlers[name] = guard(name, async (_call, callback) => {
        callback(statusError(GrpcCode.UNIMPLEMENTED, `method ${name} not implemented`));
      });
    }
  }
  return handlers;
}

/** Starts the GRPC API server (when `grpc_api` is on); resolves once it listens. */
export async function startGrpcApi(executor: Executor, config: GrpcApiConfig, logger: Logger): Promise<GrpcApi> {
  const schema = loadApiSchema();
  const maxReceive = config.grpc_api_max_receive_message_size > 0 ? config.grpc_api_max_receive_message_size : DEFAULT_MAX_RECEIVE_MESSAGE_SIZE;
  const credentials = grpcApiCredentials(config);
  const server = new Server({ 'grpc.max_receive_message_length': maxReceive });
  server.addService(
    schema.service,
    createGrpcApiHandlers(executor, schema.service, {
      key: config.grpc_api_key,
      transportErrors: config.grpc_api_error_mode === 'transport',
      logger,
    }),
  );
  if (config.grpc_api_reflection) {
    const { ReflectionService } = await import('@grpc/reflection');
    new ReflectionService(schema.packageDefinition).addToServer(server);
  }

  const host = config.grpc_api_address === '' ? '0.0.0.0' : config.grpc_api_address;
  const target = host.includes(':') ? `[${host}]:${config.grpc_api_port}` : `${host}:${config.grpc_api_port}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(target, credentials, (err, bound) => (err ? reject(err) : resolve(bound)));
  }).catch((err: unknown) => {
    server.forceShutdown();
    throw err instanceof Error ? err : new Error(String(err));
  });
  logger.info(`serving GRPC API service on ${host}:${port}`);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, SHUTDOWN_GRACE_MS);
      timer.unref();
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return closing;
  };
  return { port, close };
}
