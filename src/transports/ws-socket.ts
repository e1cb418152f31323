/**
 * @module transports/ws-socket — guarded access to the `net.Socket` that `ws` keeps private.
 *
 * Writing prebuilt WebSocket frames straight to the socket (bypassing ws's Sender, which allocates and
 * writes a header per send) is Rotor's fastest fan-out path. It relies on two private facts of `ws`: a
 * server-side WebSocket keeps its socket in `_socket`, and with no extension negotiated the bytes on
 * that socket after the handshake are plain RFC 6455 frames that nothing else in ws buffers. Both were
 * verified with the ws versions in `VERIFIED_WS`; with any other version (or when `_socket` does not
 * look like a socket) the transports use ws's public `send` instead, and a warning says so once.
 * `ROTOR_WS_DIRECT_WRITES=0` forces that fallback (tests run the suite's WebSocket cases through it).
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/** ws versions the direct socket writes were verified with: major 8, minors in this range. */
export const VERIFIED_WS = Object.freeze({ major: 8, minMinor: 23, maxMinor: 23 });

/** True when `version` (x.y.z) is inside VERIFIED_WS. */
export function isVerifiedWsVersion(version: string): boolean {
  const m = /^(\d+)\.(\d+)\.\d+/.exec(version);
  if (m === null) return false;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major === VERIFIED_WS.major && minor >= VERIFIED_WS.minMinor && minor <= VERIFIED_WS.maxMinor;
}

function installedWsVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    return (require('ws/package.json') as { version?: string }).version ?? '';
  } catch {
    return '';
  }
}

/** Why direct writes are off ('' = they are on); decided once per process. */
export const directWritesOffReason: string = ((): string => {
  if (process.env['ROTOR_WS_DIRECT_WRITES'] === '0') return 'ROTOR_WS_DIRECT_WRITES=0';
  const version = installedWsVersion();
  if (!isVerifiedWsVersion(version)) {
    return `ws ${version || '(unknown version)'} is outside the versions direct frame writes were verified with (${VERIFIED_WS.major}.${VERIFIED_WS.minMinor}–${VERIFIED_WS.major}.${VERIFIED_WS.maxMinor})`;
  }
  return '';
})();

function looksLikeSocket(s: unknown): s is Socket {
  return typeof s === 'object' && s !== null && typeof (s as Socket).write === 'function' && typeof (s as Socket).cork === 'function';
}

/**
 * The socket under `ws` when Rotor may write frames to it directly: direct writes on, no extension
 * negotiated (permessage-deflate keeps state in ws), and a socket really there. Otherwise undefined.
 */
export function directSocket(ws: WebSocket): Socket | undefined {
  if (directWritesOffReason !== '' || ws.extensions !== '') return undefined;
  return underlyingSocket(ws);
}

/** The socket under `ws` when it looks like one (read-only uses: corking, pending output), else undefined. */
export function underlyingSocket(ws: WebSocket): Socket | undefined {
  const socket = (ws as unknown as { _socket?: unknown })._socket;
  return looksLikeSocket(socket) ? socket : undefined;
}
