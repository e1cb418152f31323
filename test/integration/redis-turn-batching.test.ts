/**
 * @module test/integration/redis-turn-batching.test — the command client of a standalone Redis shard
 * (`TurnBatchedRedis`) against a real redis-server: the commands of one event-loop turn leave in one socket
 * write and are answered in order, before `ready` they wait in ioredis' offline queue, and after Redis
 * restarts the new socket is batched the same way.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { createCommandClient } from '../../src/engines/redis/connection.js';
import { TurnBatchedRedis } from '../../src/engines/redis/turn-batched-redis.js';
import { spawnRedis, type RedisServerHandle } from '../harness/redis.js';
import { waitFor } from '../harness/wait.js';

/** Counts the socket writes (`_write` of one chunk, `_writev` of several) of a connected client. */
function countWrites(client: Redis): { writes: number; chunks: number } {
  const socket = client.stream as unknown as {
    _write: (...a: unknown[]) => void;
    _writev: (chunks: unknown[], ...a: unknown[]) => void;
  };
  const count = { writes: 0, chunks: 0 };
  const write = socket._write.bind(socket);
  const writev = socket._writev.bind(socket);
  socket._write = (...a) => {
    count.writes++;
    count.chunks++;
    write(...a);
  };
  socket._writev = (chunks, ...a) => {
    count.writes++;
    count.chunks += chunks.length;
    writev(chunks, ...a);
  };
  return count;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

void describe('redis command client: one write per event-loop turn', () => {
  let redis: RedisServerHandle;
  const clients: Redis[] = [];

  before(async () => {
    redis = await spawnRedis();
  });

  after(async () => {
    for (const c of clients) c.disconnect();
    await redis.stop();
  });

  function client(): TurnBatchedRedis {
    const c = createCommandClient({ address: redis.address });
    assert.ok(c instanceof TurnBatchedRedis, 'a standalone shard gets the turn-batched client');
    clients.push(c);
    return c;
  }

  async function ready(c: Redis): Promise<void> {
    await waitFor(() => c.status === 'ready', 10_000, 'command client ready');
    await nextTurn();
  }

  test('the commands of one turn go out in one write and are answered in order', async () => {
    const c = client();
    await ready(c);
    const count = countWrites(c);
    const replies = Array.from({ length: 20 }, () => c.incr('turn:a'));
    assert.equal(c.stream.writableCorked, 1, 'the socket is corked for the rest of the turn');
    assert.equal(count.writes, 0, 'nothing written before the turn ends');
    assert.deepEqual(await Promise.all(replies), Array.from({ length: 20 }, (_, i) => i + 1));
    assert.equal(count.writes, 1);
    assert.equal(count.chunks, 20);
    assert.equal(c.stream.writableCorked, 0);

    // Two turns: two writes, and the second turn's commands follow the first's.
    const first = [c.incr('turn:b'), c.incr('turn:b')];
    await nextTurn();
    const second = [c.incr('turn:b'), c.get('turn:b')];
    assert.deepEqual(await Promise.all([...first, ...second]), [1, 2, 3, '3']);
    assert.equal(count.writes, 3);
  });

  test('a failing command in a batch fails alone', async () => {
    const c = client();
    await ready(c);
    await c.set('turn:str', 'text');
    const count = countWrites(c);
    const results = await Promise.allSettled([c.incr('turn:c'), c.incr('turn:str'), c.incr('turn:c')]);
    assert.equal(count.writes, 1);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.equal((results[2] as PromiseFulfilledResult<number>).value, 2);
    assert.match(String((results[1] as PromiseRejectedResult).reason), /not an integer/);
  });

  test('commands issued before the connection is ready are sent once it is', async () => {
    const c = client();
    assert.notEqual(c.status, 'ready');
    const replies = [c.incr('turn:early'), c.incr('turn:early'), c.get('turn:early')];
    assert.deepEqual(await Promise.all(replies), [1, 2, '2']);
  });

  test('after Redis restarts, the new socket is batched the same way', async () => {
    const c = client();
    await ready(c);
    const oldSocket = c.stream;
    await redis.kill();
    await waitFor(() => c.status !== 'ready', 10_000, 'client notices the lost connection');
    await redis.start();
    await waitFor(() => c.status === 'ready' && c.stream !== oldSocket, 15_000, 'client reconnected');
    await nextTurn();
    const count = countWrites(c);
    const replies = Array.from({ length: 5 }, () => c.incr('turn:after-restart'));
    assert.deepEqual(await Promise.all(replies), [1, 2, 3, 4, 5]);
    assert.equal(count.writes, 1);
    assert.equal(oldSocket.writableCorked, 0, 'the old socket was left uncorked');
  });
});
