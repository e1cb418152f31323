/** @module engines/redis/host-port — `host:port` parsing of Redis addresses and the engine's option error. */

/** Invalid Redis engine configuration (fatal at startup). */
export class RedisOptionsError extends Error {
  override readonly name = 'RedisOptionsError';
}

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):(\d{1,5})$/;

/** Parses `host:port` (IPv6 in brackets); throws RedisOptionsError otherwise. */
export function parseHostPort(s: string): { host: string; port: number } {
  const m = HOST_PORT.exec(s.trim());
  const port = m === null ? NaN : Number(m[2]);
  if (m === null || !(port > 0 && port < 65536)) {
    throw new RedisOptionsError(`malformed Redis address ${JSON.stringify(s)}: want host:port`);
  }
  const host = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!;
  return { host, port };
}
