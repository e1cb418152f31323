/** @module admin/ui/format — small display helpers. */

export function uptime(sec: number | undefined): string {
  let s = sec ?? 0;
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

export function rate(v: number | undefined): string {
  if (v === undefined) return '–';
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

export function json(v: unknown): string {
  return JSON.stringify(v, null, 2);
}
