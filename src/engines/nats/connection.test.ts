/** @module engines/nats/connection.test — URL parsing and error wrapping (no network). */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { EngineError } from '../../core/errors.js';
import { NatsConnectionHolder, parseNatsUrl, toEngineError, withDeadline } from './connection.js';

void describe('nats connection helpers', () => {
  void it('parses servers and credentials', () => {
    assert.deepEqual(parseNatsUrl('nats://127.0.0.1:4222'), { servers: ['127.0.0.1:4222'] });
    assert.deepEqual(parseNatsUrl('nats://user:p%40ss@host:1234'), { servers: ['host:1234'], user: 'user', pass: 'p@ss' });
    assert.deepEqual(parseNatsUrl('nats://s3cret@host'), { servers: ['host:4222'], token: 's3cret' });
    assert.deepEqual(parseNatsUrl('nats://a:1, b:2'), { servers: ['a:1', 'b:2'] });
  });

  void it('rejects unusable urls with EngineError', () => {
    for (const url of ['', ' , ', 'nats://', 'nats://host:notaport']) {
      assert.throws(() => parseNatsUrl(url), EngineError, url);
    }
  });

  void it('wraps foreign errors and bounds waits', async () => {
    const wrapped = toEngineError('publish', new Error('boom'));
    assert.ok(wrapped instanceof EngineError);
    assert.equal(wrapped.message, 'nats publish: boom');
    assert.ok(wrapped.cause instanceof Error);
    const same = new EngineError('x');
    assert.equal(toEngineError('y', same), same);
    await assert.rejects(withDeadline(new Promise(() => undefined), 10, 'flush'), EngineError);
    assert.equal(await withDeadline(Promise.resolve(7), 10, 'flush'), 7);
  });

  void it('rejects use after close and closes idempotently without ever connecting', async () => {
    const holder = new NatsConnectionHolder({ url: 'nats://127.0.0.1:1' }, 'test');
    await holder.close();
    await holder.close();
    assert.equal(holder.isClosed, true);
    await assert.rejects(holder.get(), EngineError);
  });
});
