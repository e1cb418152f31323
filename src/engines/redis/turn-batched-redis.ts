/**
 * @module engines/redis/turn-batched-redis — the command connection of a standalone or Sentinel shard: an
 * ioredis client that sends every command issued in one event-loop turn in one socket write.
 *
 * ioredis' auto-pipelining does the same by building a `Pipeline` object per turn (with a copy of every
 * registered script's runner on it) and a promise and a callback per command; measured on a publishing
 * node that doubled the CPU per PUBLISH (`bench/results/2026-12-04-session5-redis-publish.md`). Here the
 * commands take ioredis' plain path (`sendCommand` writes each to the socket and queues it for its reply),
 * and the socket is corked from the first command of a turn until that turn's check phase (`setImmediate`,
 * where ioredis' auto-pipeline would have been sent too), so the turn's commands leave in one `writev`.
 * Order, reply matching, timeouts and reconnects are ioredis' own: corking only delays the write.
 */
import { Redis } from 'ioredis';

type SendCommand = Redis['sendCommand'];
type Socket = Redis['stream'];

/** A standalone or Sentinel ioredis client whose commands of one turn share one write. */
export class TurnBatchedRedis extends Redis {
  /** The socket corked in this turn, or null. */
  #corked: Socket | null = null;

  readonly #uncork = (): void => {
    const socket = this.#corked;
    this.#corked = null;
    socket?.uncork();
  };

  override sendCommand(...args: Parameters<SendCommand>): ReturnType<SendCommand> {
    // A command with its own stream belongs to ioredis' pipelines, which write once by themselves; before
    // `ready` commands wait in ioredis' offline queue, which is replayed through here once ready.
    if (this.#corked === null && args[1] === undefined && this.status === 'ready') {
      const socket = this.stream;
      if (!socket.writableCorked) {
        socket.cork();
        this.#corked = socket;
        setImmediate(this.#uncork);
      }
    }
    return super.sendCommand(...args);
  }
}
