/** @module config/duration — Go `time.ParseDuration` syntax → milliseconds. */

/** Thrown by `parseDuration` for text Go's `time.ParseDuration` would reject (message worded like Go's). */
export class DurationError extends Error {
  override name = 'DurationError';
}

const NS_PER_UNIT: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n], // U+00B5 micro sign
  ['μs', 1_000n], // U+03BC Greek mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const MAX_NS = (1n << 63n) - 1n;
const COMPONENT = /^(\d*)(?:\.(\d*))?([^\d.]*)/;

/**
 * Parses a duration such as `"300ms"`, `"1m30s"`, `"1.5h"`, `"-1s"` or `"0"` and returns milliseconds
 * (fractional when the text has sub-millisecond precision). Units: ns, us, µs, ms, s, m, h. A unit is
 * required on every number except the bare `"0"`. Throws `DurationError` otherwise.
 */
export function parseDuration(text: string): number {
  return Number(parseDurationNs(text)) / 1e6;
}

/** Like `parseDuration` but returns exact nanoseconds. */
export function parseDurationNs(text: string): bigint {
  const quoted = JSON.stringify(text);
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw new DurationError(`time: invalid duration ${quoted}`);
  let total = 0n;
  while (s !== '') {
    const m = COMPONENT.exec(s);
    const whole = m?.[1] ?? '';
    const frac = m?.[2];
    const unit = m?.[3] ?? '';
    if (m === null || (whole === '' && (frac === undefined || frac === ''))) {
      throw new DurationError(`time: invalid duration ${quoted}`);
    }
    if (unit === '') throw new DurationError(`time: missing unit in duration ${quoted}`);
    const perUnit = NS_PER_UNIT.get(unit);
    if (perUnit === undefined) throw new DurationError(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    let value = BigInt(whole === '' ? '0' : whole) * perUnit;
    if (frac !== undefined && frac !== '') {
      value += (BigInt(frac) * perUnit) / 10n ** BigInt(frac.length);
    }
    total += value;
    if (total > MAX_NS) throw new DurationError(`time: invalid duration ${quoted}`);
    s = s.slice(m[0].length);
  }
  return negative ? -total : total;
}

/** Formats milliseconds in Go style (`"1h30m0s"`, `"300ms"`, `"0s"`), for docs and generated configs. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${rest}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  if (h > 0) return `${sign}${h}h${m}m${s}s`;
  if (m > 0) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}
