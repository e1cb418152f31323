/**
 * @module bench/lib/cpuprofile — summarises a V8 `.cpuprofile` (from `node --cpu-prof`) into the top
 * self-time functions and files.
 */
import fs from 'node:fs';

/** Shortens a script URL to a repo-relative path. @param {string} url @param {string} root */
function shortUrl(url, root) {
  if (!url) return '';
  let u = url.replace(/^file:\/\//, '');
  if (u.startsWith(root)) u = u.slice(root.length + 1);
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) u = u.slice(nm);
  return u;
}

/**
 * @param {string} file
 * @param {string} root
 * @param {number} top
 */
export function summariseProfile(file, root, top = 25) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map();
  for (const n of prof.nodes) byId.set(n.id, n);
  const hits = new Map();
  for (const id of prof.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const total = prof.samples.length;
  const msPerSample = (prof.endTime - prof.startTime) / 1000 / Math.max(1, total);
  const fnAgg = new Map();
  const fileAgg = new Map();
  let idle = 0;
  for (const [id, count] of hits) {
    const cf = byId.get(id).callFrame;
    const name = cf.functionName || '(anonymous)';
    if (name === '(idle)') {
      idle += count;
      continue;
    }
    const url = shortUrl(cf.url, root);
    const key = url ? `${name} ${url}:${cf.lineNumber + 1}` : name;
    fnAgg.set(key, (fnAgg.get(key) ?? 0) + count);
    const fkey = url || (name.startsWith('(') ? name : '(native/builtin)');
    fileAgg.set(fkey, (fileAgg.get(fkey) ?? 0) + count);
  }
  const busy = total - idle;
  const rows = (m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, count]) => ({ key, ms: count * msPerSample, pctBusy: (100 * count) / Math.max(1, busy) }));
  return {
    totalMs: total * msPerSample,
    busyMs: busy * msPerSample,
    idleMs: idle * msPerSample,
    functions: rows(fnAgg),
    files: rows(fileAgg).slice(0, 15),
  };
}
