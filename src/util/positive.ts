/** @module util/positive — "a positive number, else the default" for optional numeric settings. */

/** `value` when it is a finite number above 0, else `fallback` (absent, 0, negative, NaN, ±Infinity). */
export function positiveOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}
