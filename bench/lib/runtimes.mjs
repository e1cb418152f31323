/**
 * @module bench/lib/runtimes — the Node runtimes the bench runs its servers under (`--runtimes 20,24`,
 * `--runtime PATH`), and the merging of each runtime's report sections into one report.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Resolves a comma-separated list of runtimes to Node binaries: `current` (the Node running the
 * bench), a major version (`20`, `24`: the current Node when it is that major; Node 24 is installed
 * on demand by scripts/node24.sh) or the path of a node binary.
 * @param {string} spec
 * @param {string} rootDir the repository root
 * @returns {{ bin: string, version: string }[]}
 */
export function resolveRuntimes(spec, rootDir) {
  const out = [];
  for (const item of spec.split(',').map((x) => x.trim()).filter(Boolean)) {
    const bin = binaryOf(item, rootDir);
    const version = versionOf(bin);
    if (/^\d+$/.test(item) && version.split('.')[0] !== item) throw new Error(`--runtimes ${item}: ${bin} is Node ${version}`);
    if (!out.some((r) => r.version === version)) out.push({ bin, version });
  }
  if (out.length === 0) throw new Error(`--runtimes: no runtime in '${spec}'`);
  return out;
}

function binaryOf(item, rootDir) {
  if (item === 'current') return process.execPath;
  if (/^\d+$/.test(item)) {
    if (process.versions.node.split('.')[0] === item) return process.execPath;
    if (item === '24') {
      // Prints the binary's path on stdout; installs it first when missing (progress on stderr).
      return execFileSync('bash', [path.join(rootDir, 'scripts', 'node24.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    }
    throw new Error(`--runtimes ${item}: this bench runs on Node ${process.versions.node}; give Node ${item} as the path of its binary`);
  }
  const bin = path.resolve(item);
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    throw new Error(`--runtimes ${item}: not an executable file`);
  }
  return bin;
}

function versionOf(bin) {
  try {
    return execFileSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    throw new Error(`--runtimes: ${bin} does not run as node`);
  }
}

/**
 * Interleaves the runtimes' report bodies by section: each `## ` heading once (in the order they
 * first appear), under it each runtime's content headed `### <label>`.
 * @param {{ label: string, body: string }[]} bodies
 */
export function mergeRuntimeSections(bodies) {
  /** @type {Map<string, string[]>} heading → content per runtime (by index) */
  const sections = new Map();
  bodies.forEach(({ body }, i) => {
    for (const part of body.split(/^(?=## )/m)) {
      if (!part.startsWith('## ')) continue;
      const nl = part.indexOf('\n');
      const heading = part.slice(0, nl);
      if (!sections.has(heading)) sections.set(heading, []);
      /** @type {string[]} */ (sections.get(heading))[i] = part.slice(nl + 1).replace(/^\n+/, '');
    }
  });
  let s = '';
  for (const [heading, parts] of sections) {
    s += `${heading}\n\n`;
    bodies.forEach(({ label }, i) => {
      if (parts[i] !== undefined) s += `### ${label}\n\n${parts[i].replace(/\n*$/, '\n\n')}`;
    });
  }
  return s;
}
