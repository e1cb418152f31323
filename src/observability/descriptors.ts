/**
 * @module observability/descriptors — file-descriptor exhaustion made visible.
 *
 * When a process has no descriptor left, libuv's accept loop closes new connections itself (it
 * keeps one spare descriptor for that) and Node never hears about them: refused clients leave no
 * trace. And prom-client's process collectors read `/proc/self/status` with a fresh descriptor on
 * every scrape — that read fails with EMFILE and the memory gauges silently keep their last values;
 * `process.memoryUsage()` is no way out, its RSS (libuv `uv_resident_set_memory`) opens
 * `/proc/self/stat` too and throws EMFILE.
 *
 * So: (1) each HTTP listener gets `maxConnections` = descriptor limit − descriptors open at start −
 * a reserve (10 %, at most 1024, + 16) — Node then refuses the connections beyond it itself and
 * says so (`drop`), and accept errors (EMFILE/ENFILE) are caught instead of crashing the process;
 * refused connections are counted (`rotor_refused_connections_total{reason}`) and logged at most
 * once per 10 s; (2) the memory gauges read `/proc/self/status` through a descriptor opened once at
 * start (a positioned read re-generates the file), and the heap gauges come from V8 (no descriptor).
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import type { Server } from 'node:net';
import { getHeapStatistics } from 'node:v8';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../core/logger.js';

/** The soft "Max open files" limit of this process, or undefined when unknown / unlimited. */
function descriptorLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    const v = m?.[1];
    return v === undefined || v === 'unlimited' ? undefined : Number(v);
  } catch {
    return undefined;
  }
}

/** Descriptors open now (undefined when /proc is not available). */
function openDescriptors(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

/** The per-listener connection cap leaving a reserve for everything else; undefined = no cap. */
function connectionCap(limit: number | undefined, openAtStart: number | undefined): number | undefined {
  if (limit === undefined || openAtStart === undefined) return undefined;
  const reserve = Math.min(Math.ceil(limit / 10), 1024) + 16;
  return Math.max(1, limit - openAtStart - reserve);
}

const LOG_INTERVAL_MS = 10_000;

/** Counts and logs (rate-limited) the connections listeners refuse for want of descriptors. */
export class RefusedConnections {
  readonly #counter: Counter<'reason'>;
  readonly #logger: Logger;
  readonly #cap: number | undefined;
  #lastLog = Number.NEGATIVE_INFINITY;
  #sinceLog = 0;

  constructor(registry: Registry, logger: Logger) {
    this.#logger = logger;
    this.#counter = new Counter({
      name: 'rotor_refused_connections_total',
      help: 'Connections refused because the process is out of (or close to the end of) file descriptors.',
      labelNames: ['reason'],
      registers: [registry],
    });
    const limit = descriptorLimit();
    this.#cap = connectionCap(limit, openDescriptors());
    if (this.#cap !== undefined) logger.info('connection cap per listener from the descriptor limit', { max_open_files: limit, max_connections: this.#cap });
  }

  /** Connections one listener may hold (limit − descriptors open at start − reserve); undefined = no cap. */
  get cap(): number | undefined {
    return this.#cap;
  }

  /** Caps the listener's connections and watches for refusals and accept errors. */
  attach(server: Server): void {
    if (this.#cap !== undefined) server.maxConnections = this.#cap;
    server.on('drop', () => this.#refused('fd_limit', 'connection limit from the file descriptor limit reached'));
    server.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EMFILE' || err.code === 'ENFILE') this.#refused(err.code === 'EMFILE' ? 'emfile' : 'enfile', err.message);
      else this.#logger.error('listener error', { error: err.message });
    });
  }

  #refused(reason: string, detail: string): void {
    this.#counter.inc({ reason });
    this.#sinceLog++;
    const now = Date.now();
    if (now - this.#lastLog < LOG_INTERVAL_MS) return;
    this.#logger.warn('connections refused: out of file descriptors', { reason, detail, refused: this.#sinceLog, max_connections: this.#cap });
    this.#lastLog = now;
    this.#sinceLog = 0;
  }
}

const STATUS_FIELDS = ['VmRSS', 'VmSize', 'VmData'] as const;

/** Reads /proc/self/status through one descriptor kept open for the life of the process. */
class StatusReader {
  #fd: number | undefined;
  readonly #buf = Buffer.alloc(16 * 1024);

  constructor() {
    try {
      this.#fd = openSync('/proc/self/status', 'r');
    } catch {
      this.#fd = undefined;
    }
  }

  /** Bytes of VmRSS / VmSize / VmData, or undefined when unreadable. */
  read(): Record<(typeof STATUS_FIELDS)[number], number> | undefined {
    if (this.#fd === undefined) return undefined;
    let n: number;
    try {
      n = readSync(this.#fd, this.#buf, 0, this.#buf.length, 0);
    } catch {
      return undefined;
    }
    const text = this.#buf.toString('latin1', 0, n);
    const out = { VmRSS: NaN, VmSize: NaN, VmData: NaN };
    for (const f of STATUS_FIELDS) {
      const m = new RegExp(`^${f}:\\s+(\\d+) kB`, 'm').exec(text);
      if (m?.[1] !== undefined) out[f] = Number(m[1]) * 1024;
    }
    return out;
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

const REPLACED = ['process_resident_memory_bytes', 'process_virtual_memory_bytes', 'process_heap_bytes', 'nodejs_heap_size_total_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_external_memory_bytes'];

/**
 * Replaces prom-client's memory gauges (same names and meaning) with ones that need no new
 * descriptor at scrape time. Call after `collectDefaultMetrics`; does nothing for gauges the
 * registry does not have. Returns a function releasing the kept descriptor.
 */
export function installDescriptorFreeMemoryGauges(registry: Registry): () => void {
  const present = new Set(REPLACED.filter((name) => registry.getSingleMetric(name) !== undefined));
  if (present.size === 0) return () => undefined;
  for (const name of present) registry.removeSingleMetric(name);
  const status = new StatusReader();
  const gauge = (name: string, help: string, read: () => number | undefined): void => {
    if (!present.has(name)) return;
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const v = read();
        if (v !== undefined && Number.isFinite(v)) this.set(v);
      },
    });
  };
  gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', () => status.read()?.VmRSS ?? rssFallback());
  gauge('process_virtual_memory_bytes', 'Virtual memory size in bytes.', () => status.read()?.VmSize);
  gauge('process_heap_bytes', 'Process heap size in bytes.', () => status.read()?.VmData);
  gauge('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', () => getHeapStatistics().total_heap_size);
  gauge('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', () => getHeapStatistics().used_heap_size);
  gauge('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', () => getHeapStatistics().external_memory);
  return () => status.close();
}

function rssFallback(): number | undefined {
  try {
    return process.memoryUsage.rss();
  } catch {
    return undefined;
  }
}
