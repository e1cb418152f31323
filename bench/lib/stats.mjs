/**
 * @module bench/lib/stats — medians, percentiles and number formatting for the report.
 */

/** @param {number[]} xs */
export function median(xs) {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Percentile of a sorted typed array (nearest rank). @param {Float64Array} sorted @param {number} p 0..100 */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Human formatting with 3 significant digits, thousands grouped. @param {number} x */
export function fmt(x, digits = 3) {
  if (x === undefined || x === null || Number.isNaN(x)) return 'n/a';
  if (!Number.isFinite(x)) return '∞';
  const abs = Math.abs(x);
  if (abs >= 1000) return Math.round(x).toLocaleString('en-US');
  if (abs === 0) return '0';
  return Number(x.toPrecision(digits)).toString();
}

/** `1.23×` @param {number} x */
export function fmtRatio(x) {
  if (!Number.isFinite(x)) return 'n/a';
  return `${x.toFixed(2)}×`;
}
