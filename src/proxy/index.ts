/**
 * @module proxy — proxies to the application backend (Centrifugo's proxy feature): config → setup
 * (`options.ts`), HTTP / GRPC transports, the hooks the client policy calls (`hooks.ts`), metrics.
 * Loaded only when a proxy is configured; the GRPC client only when a GRPC proxy is.
 */
import type { Registry } from 'prom-client';
import type { Logger } from '../core/logger.js';
import { ProxyHooks } from './hooks.js';
import { HttpProxyTransport } from './http-transport.js';
import { ProxyMetrics } from './metrics.js';
import type { ProxyDefinition, ProxySetup } from './options.js';
import { ProxyCallError, type ProxyTransport } from './transport.js';

export { ProxyHooks } from './hooks.js';
export { forwardedNames, proxySetupFromConfig, type ProxySetup } from './options.js';

export interface CreateProxyHooksOptions {
  readonly logger: Logger;
  /** Prometheus registry for the proxy metrics (absent = no metrics). */
  readonly registry?: Registry | undefined;
  /** Milliseconds since the epoch (the node's clock). */
  readonly now: () => number;
}

/** Builds the hooks of a setup, logging one line per configured proxy. */
export async function createProxyHooks(setup: ProxySetup, o: CreateProxyHooksOptions): Promise<ProxyHooks> {
  const grpc = setup.all.some((p) => p.protocol === 'grpc') ? await import('./grpc-transport.js') : undefined;
  const transports = (p: ProxyDefinition): ProxyTransport => {
    if (p.protocol === 'http') return new HttpProxyTransport(p);
    if (grpc === undefined) throw new ProxyCallError(`proxy ${p.name}: the first GRPC proxy needs a restart (not added on reload)`);
    return new grpc.GrpcProxyTransport(p);
  };
  for (const p of setup.all) {
    o.logger.info(`${p.name} proxy enabled`, { proxy: p.name, endpoint: p.endpoint, protocol: p.protocol, timeout_ms: p.timeoutMs, granular: setup.granular });
  }
  return new ProxyHooks({
    setup,
    transports,
    logger: o.logger,
    metrics: o.registry !== undefined ? new ProxyMetrics(o.registry, setup.granular) : undefined,
    nowSec: () => o.now() / 1000,
  });
}
