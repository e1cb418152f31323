/** @module observability/logger — the pino adapter behind the core's Logger interface. */
import { pino, type Logger as PinoLogger } from 'pino';
import type { LogFields, Logger, LogLevel } from '../core/logger.js';

export type ConfigLogLevel = 'none' | 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** JSON lines on stderr (as Centrifugo), or appended to `file`. `none` silences everything. */
export function createLogger(options: { level: ConfigLogLevel; file?: string | undefined }): Logger {
  if (options.level === 'none') return silent();
  const destination = options.file ? pino.destination({ dest: options.file, append: true, sync: false }) : pino.destination({ fd: 2, sync: true });
  const p = pino(
    {
      level: options.level,
      base: null,
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  return adapt(p);
}

function adapt(p: PinoLogger): Logger {
  const at =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      if (fields === undefined) p[level](message);
      else p[level](fields, message);
    };
  return {
    enabled: (level) => p.isLevelEnabled(level),
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
}

function silent(): Logger {
  const noop = (): void => undefined;
  return { enabled: () => false, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
}
