/** @module core/logger — the logging contract the core writes to (the pino adapter lives in observability/). */

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, unknown>;

/**
 * Structured logger. Hot paths guard with `enabled(level)`. Messages are lowercase without a
 * trailing period; fields use Centrifugo's names (`client`, `user`, `channel`, `transport`, `error`).
 */
export interface Logger {
  enabled(level: LogLevel): boolean;
  trace(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  enabled: () => false,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
