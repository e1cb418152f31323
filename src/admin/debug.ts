/**
 * @module admin/debug — `debug: true`: on-demand profiles on the internal listener, through
 * node:inspector (Node's counterparts of Go's `/debug/pprof/*`):
 * - `GET /debug/pprof/` — a plain-text index of the endpoints below;
 * - `GET /debug/pprof/profile?seconds=N` — a V8 CPU profile of the next N seconds (default 30,
 *   1…300) as a `.cpuprofile` JSON download (open it in Chrome DevTools → Performance, or speedscope);
 * - `GET /debug/pprof/heap` — a V8 heap snapshot as a `.heapsnapshot` download (Chrome DevTools →
 *   Memory). Taking it pauses the process for a moment proportional to the heap size.
 * One profile or snapshot at a time: a second concurrent request gets 409.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { Router } from '../app/http.js';
import type { Logger } from '../core/logger.js';

const MAX_SECONDS = 300;
const DEFAULT_SECONDS = 30;

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(`${body}\n`);
}

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

export function mountDebug(router: Router, logger: Logger): { close(): void } {
  logger.warn('debug: only /debug/pprof/profile (CPU) and /debug/pprof/heap are served; Go-only pprof endpoints (cmdline, symbol, trace, goroutine…) are not');
  let busy = false;
  const sessions = new Set<Session>();
  const run = (res: ServerResponse, job: (session: Session) => Promise<void>): void => {
    if (busy) return text(res, 409, 'a profile or heap snapshot is already being taken');
    busy = true;
    const session = new Session();
    session.connect();
    sessions.add(session);
    job(session)
      .catch((err: unknown) => {
        logger.error('debug profile failed', { error: String(err) });
        if (!res.headersSent) text(res, 500, `profile failed: ${String(err)}`);
        else res.destroy();
      })
      .finally(() => {
        busy = false;
        sessions.delete(session);
        session.disconnect();
      });
  };

  const profile = (req: IncomingMessage, res: ServerResponse): void => {
    const raw = new URL(req.url ?? '/', 'http://localhost').searchParams.get('seconds');
    const seconds = raw === null || raw === '' ? DEFAULT_SECONDS : Number(raw);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_SECONDS) {
      return text(res, 400, `seconds must be a number in (0, ${MAX_SECONDS}]`);
    }
    run(res, async (session) => {
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
      const aborted = new Promise<void>((resolve) => res.once('close', resolve));
      await Promise.race([new Promise((r) => setTimeout(r, seconds * 1000).unref()), aborted]);
      const { profile: result } = await session.post('Profiler.stop');
      await session.post('Profiler.disable');
      if (res.destroyed) return;
      const body = Buffer.from(JSON.stringify(result));
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': String(body.length),
        'Content-Disposition': `attachment; filename="rotor-${stamp()}.cpuprofile"`,
      });
      res.end(body);
    });
  };

  const heap = (_req: IncomingMessage, res: ServerResponse): void => {
    run(res, async (session) => {
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Disposition': `attachment; filename="rotor-${stamp()}.heapsnapshot"`,
      });
      const onChunk = (m: { params: { chunk: string } }): void => {
        res.write(m.params.chunk);
      };
      session.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
      try {
        await session.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      } finally {
        session.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
      }
      res.end();
    });
  };

  const index = (_req: IncomingMessage, res: ServerResponse): void =>
    text(
      res,
      200,
      [
        'Rotor debug endpoints (node:inspector):',
        `  /debug/pprof/profile?seconds=N   CPU profile of the next N seconds (default ${DEFAULT_SECONDS}, max ${MAX_SECONDS}) → .cpuprofile`,
        '  /debug/pprof/heap                heap snapshot → .heapsnapshot',
      ].join('\n'),
    );

  router.exact('/debug/pprof', 'debug', index);
  router.exact('/debug/pprof/', 'debug', index);
  router.exact('/debug/pprof/profile', 'debug', profile);
  router.exact('/debug/pprof/heap', 'debug', heap);
  return {
    close() {
      for (const s of sessions) s.disconnect();
    },
  };
}
