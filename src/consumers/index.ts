/**
 * @module consumers — async consumers (Centrifugo `consumers[]`): each feeds the shared API executor.
 * Client libraries (`postgres`, `ioredis`, `@nats-io/jetstream`) are imported only for the consumer
 * types configured, so a node without consumers loads none of them.
 */
import type { Executor } from '../api/executor.js';
import type { ConsumerConfig } from '../config/consumers.js';
import type { Logger } from '../core/logger.js';
import type { Consumer } from './consumer.js';
import { ConsumerDispatcher } from './dispatcher.js';

export type { Consumer } from './consumer.js';

export interface ConsumerDeps {
  readonly executor: Executor;
  readonly logger: Logger;
  /** Node name: the Redis Streams consumer name inside its group. */
  readonly nodeName: string;
}

/** Thrown when a consumer cannot start; names the consumer. */
export class ConsumerStartError extends Error {
  override name = 'ConsumerStartError';
}

async function create(config: ConsumerConfig, deps: ConsumerDeps): Promise<Consumer> {
  const dispatcher = new ConsumerDispatcher(deps.executor, deps.logger, config.name);
  switch (config.type) {
    case 'postgresql': {
      const { PostgresConsumer } = await import('./postgresql.js');
      return new PostgresConsumer(config.name, config.postgresql, dispatcher, deps.logger);
    }
    case 'redis_stream': {
      const { RedisStreamConsumer } = await import('./redis-stream.js');
      return new RedisStreamConsumer(config.name, config.redisStream, dispatcher, deps.logger, deps.nodeName);
    }
    case 'nats_jetstream': {
      const { NatsJetStreamConsumer } = await import('./nats-jetstream.js');
      return new NatsJetStreamConsumer(config.name, config.natsJetStream, dispatcher, deps.logger);
    }
  }
}

/** The running consumers of a node. */
export interface RunningConsumers {
  readonly consumers: readonly Consumer[];
  close(): Promise<void>;
}

/** Starts every configured consumer; if one fails to start, the started ones are closed and the error names it. */
export async function startConsumers(configs: readonly ConsumerConfig[], deps: ConsumerDeps): Promise<RunningConsumers> {
  const started: Consumer[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(started.map((c) => c.close()));
  };
  for (const config of configs) {
    const consumer = await create(config, deps);
    try {
      await consumer.start();
    } catch (err) {
      await consumer.close();
      await close();
      throw new ConsumerStartError(`consumer ${JSON.stringify(config.name)} (${config.type}) failed to start: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    started.push(consumer);
    deps.logger.info('consumer started', { consumer: config.name, type: config.type });
  }
  return { consumers: started, close };
}
