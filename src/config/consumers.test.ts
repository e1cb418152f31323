import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConsumers } from './consumers.js';
import { ConfigError } from './errors.js';
import { validateConfig } from './validate.js';

const pg = { dsn: 'postgres://u@127.0.0.1:5432/db', outbox_table_name: 'centrifugo_outbox' };

describe('consumers config', () => {
  it('fills Centrifugo defaults for each supported type', () => {
    const r = parseConsumers([
      { name: 'pg', type: 'postgresql', postgresql: pg },
      { name: 'rs', type: 'redis_stream', redis_stream: { address: '127.0.0.1:6379', streams: ['s'], consumer_group: 'g' } },
      { name: 'js', type: 'nats_jetstream', nats_jetstream: { stream_name: 'S', durable_consumer_name: 'd' } },
    ]);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.consumers, [
      {
        name: 'pg',
        type: 'postgresql',
        postgresql: { ...{ dsn: pg.dsn, outboxTableName: 'centrifugo_outbox' }, numPartitions: 1, partitionSelectLimit: 100, partitionPollIntervalMs: 300, partitionNotificationChannel: '' },
      },
      {
        name: 'rs',
        type: 'redis_stream',
        redisStream: {
          address: '127.0.0.1:6379', user: '', password: '', db: 0, connectTimeoutMs: 1000, streams: ['s'], consumerGroup: 'g',
          visibilityTimeoutMs: 30_000, numWorkers: 1, payloadValue: 'payload', methodValue: 'method',
          publicationDataMode: { enabled: false, channels: 'centrifugo-channels', idempotencyKey: 'centrifugo-idempotency-key', delta: 'centrifugo-delta', tagsPrefix: 'centrifugo-tag-' },
        },
      },
      {
        name: 'js',
        type: 'nats_jetstream',
        natsJetStream: {
          url: 'nats://127.0.0.1:4222', credentialsFile: '', username: '', password: '', token: '', streamName: 'S', subjects: [],
          durableConsumerName: 'd', methodHeader: '',
          publicationDataMode: { enabled: false, channels: 'centrifugo-channels', idempotencyKey: 'centrifugo-idempotency-key', delta: 'centrifugo-delta', tagsPrefix: 'centrifugo-tag-' },
        },
      },
    ]);
  });

  it('reads durations as Go strings or integer nanoseconds', () => {
    const r = parseConsumers([
      { name: 'a1', type: 'postgresql', postgresql: { ...pg, partition_poll_interval: '1m30s' } },
      { name: 'a2', type: 'postgresql', postgresql: { ...pg, partition_poll_interval: 250_000_000 } },
    ]);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.consumers.map((c) => (c.type === 'postgresql' ? c.postgresql.partitionPollIntervalMs : 0)), [90_000, 250]);
  });

  it('skips disabled consumers (v5 disabled: true, v6 enabled: false) without checking them', () => {
    const r = parseConsumers([
      { name: 'off1', type: 'kafka', disabled: true },
      { name: 'off2', type: 'postgresql', enabled: false },
    ]);
    assert.deepEqual(r, { consumers: [], problems: [], warnings: [] });
  });

  for (const type of ['kafka', 'google_pub_sub', 'aws_sqs', 'azure_service_bus']) {
    it(`refuses an enabled ${type} consumer with a problem naming the type key`, () => {
      const r = parseConsumers([{ name: 'x1', type: 'postgresql', postgresql: pg }, { name: 'mine', type, [type]: {} }]);
      assert.equal(r.problems.length, 1);
      assert.equal(r.problems[0]?.path, 'consumers[1].type');
      assert.match(r.problems[0]?.message ?? '', new RegExp(`consumer "mine": type "${type}" is not supported by Rotor`));
    });
  }

  it('names every bad option by its key path', () => {
    const r = parseConsumers([
      { name: 'p1', type: 'postgresql', postgresql: { outbox_table_name: 'x; DROP TABLE y', num_partitions: 0.5, partition_poll_interval: '3 seconds' } },
      { name: 'r1', type: 'redis_stream', redis_stream: { cluster_address: ['a:1'], streams: 'one', num_workers: -1 } },
      { name: 'j1', type: 'nats_jetstream', nats_jetstream: { subjects: [''] } },
      { name: 'u1', type: 'rabbitmq' },
      { name: 'n1' },
      'not an object',
    ]);
    assert.deepEqual(
      r.problems.map((p) => p.path),
      [
        'consumers[0].postgresql.dsn',
        'consumers[0].postgresql.outbox_table_name',
        'consumers[0].postgresql.num_partitions',
        'consumers[0].postgresql.partition_poll_interval',
        'consumers[1].redis_stream.cluster_address',
        'consumers[1].redis_stream.address',
        'consumers[1].redis_stream.consumer_group',
        'consumers[1].redis_stream.num_workers',
        'consumers[2].nats_jetstream.stream_name',
        'consumers[2].nats_jetstream.subjects',
        'consumers[2].nats_jetstream.durable_consumer_name',
        'consumers[3].type',
        'consumers[4].type',
        'consumers[5]',
      ],
    );
    assert.deepEqual(r.consumers.map((c) => c.name), ['p1', 'r1', 'j1']);
  });

  it('lets the documented environment variable supply the PostgreSQL dsn', () => {
    const r = parseConsumers([{ name: 'outbox', type: 'postgresql', postgresql: { outbox_table_name: 't' } }], {
      CENTRIFUGO_CONSUMERS_POSTGRESQL_OUTBOX_DSN: 'postgres://env@h/db',
    });
    assert.deepEqual(r.problems, []);
    assert.equal(r.consumers[0]?.type === 'postgresql' ? r.consumers[0].postgresql.dsn : '', 'postgres://env@h/db');
  });

  it('warns about accepted options it does not act on and about unknown keys', () => {
    const r = parseConsumers([
      {
        name: 'r2', type: 'redis_stream', kafka: {}, typo: 1,
        redis_stream: { address: 'a:1', streams: ['s'], consumer_group: 'g', tls: { enabled: true, cert_pem: 'x' }, io_timeout: '1s', publication_data_mode: { enabled: false, chanels_value: 'x' } },
      },
      { name: 'p2', type: 'postgresql', postgresql: { ...pg, tls: { enabled: false } } },
    ]);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.warnings, [
      'consumers[0].redis_stream.io_timeout is not supported by Rotor and is ignored',
      'consumers[0].redis_stream.tls is not supported by Rotor and is ignored',
      'consumers[0].typo is not a known consumer option and is ignored',
      'consumers[0].redis_stream.publication_data_mode.chanels_value is not a known consumer option and is ignored',
    ]);
  });

  it('configuration validation refuses an unsupported consumer at start', () => {
    assert.throws(
      () => validateConfig({ consumers: [{ name: 'events', type: 'kafka', kafka: { brokers: ['k:9092'], topics: ['t'], consumer_group: 'g' } }] }),
      (err: unknown) => err instanceof ConfigError && err.message.includes('consumers[0].type: consumer "events": type "kafka" is not supported by Rotor'),
    );
  });
});
