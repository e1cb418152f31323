/**
 * @module test/integration/test-runtime-scripts — the scripts `npm test` relies on to run the suite on
 * two Node runtimes: the coverage check reads the coverage table of the runtime running it (Node 20
 * prints one row per file path, Node 22+ a tree of directories), the tier summary names its runtime,
 * and scripts/node24.sh refuses a binary that is not Node 24.
 */

import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd: ROOT, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      done({ code, stdout, stderr });
    });
  });
}

/** A coverage table of the given shape, with the lines of the given src/ files covered at `pct` %. */
function coverageTap(shape: 'flat' | 'tree', files: Record<string, number>): string {
  const row = (name: string, pct: string): string => `# ${name.padEnd(40)} | ${pct.padStart(6)} | 100.00 | 100.00 | `;
  const rows: string[] = [];
  if (shape === 'flat') {
    for (const [f, pct] of Object.entries(files)) rows.push(row(f, pct.toFixed(2)));
  } else {
    // src/core/hub.ts → `src` at depth 0, ` core` at depth 1, `  hub.ts` at depth 2.
    let open: string[] = [];
    for (const [f, pct] of Object.entries(files)) {
      const parts = f.split('/');
      const dirs = parts.slice(0, -1);
      let same = 0;
      while (same < open.length && open[same] === dirs[same]) same++;
      for (let d = same; d < dirs.length; d++) rows.push(row(`${' '.repeat(d)}${dirs[d]}`, ''));
      open = dirs;
      rows.push(row(`${' '.repeat(dirs.length)}${parts.at(-1)}`, pct.toFixed(2)));
    }
  }
  const rule = `# ${'-'.repeat(80)}`;
  return ['TAP version 13', '# start of coverage report', rule, row('file', 'line %'), rule, ...rows, rule, row('all files', '50.00'), rule, '# end of coverage report', ''].join('\n');
}

void describe('the scripts behind `npm test` on two runtimes', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rotor-runtime-scripts-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void it(`coverage-check reads the coverage table this runtime (Node ${process.versions.node}) prints`, async () => {
    const tap = join(dir, 'own.tap');
    // Without NODE_TEST_CONTEXT (set for the files this runner starts): a nested run would otherwise
    // report to this runner instead of writing its own TAP file (Node 20).
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT'));
    const t = await run(process.execPath, [
      '--import',
      'tsx',
      '--test',
      '--experimental-test-coverage',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      'src/core/recovery.test.ts',
    ], env);
    assert.equal(t.code, 0, t.stderr);
    const r = await run(process.execPath, ['scripts/coverage-check.mjs', 'no-floor', tap]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const m = /coverage \(no-floor\): ([\d.]+) % of the lines of the (\d+) src\/ files they load/.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.ok(Number(m[2]) >= 1, 'src/core/recovery.ts at least');
    assert.ok(Number(m[1]) > 0 && Number(m[1]) <= 100, r.stdout);
  });

  void it('coverage-check gives the same figure for the flat (Node 20) and the tree (Node 22+) table', async () => {
    const files = { 'src/core/hub.ts': 90, 'src/core/node.ts': 40, 'src/core/hub.test.ts': 100, 'src/protocol/json.ts': 70 };
    const results: string[] = [];
    for (const shape of ['flat', 'tree'] as const) {
      const tap = join(dir, `${shape}.tap`);
      await writeFile(tap, coverageTap(shape, files));
      const r = await run(process.execPath, ['scripts/coverage-check.mjs', 'no-floor', tap]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      results.push(r.stdout.trim());
    }
    assert.equal(results[0], results[1]);
    // Weighted by line count; the test file is left out.
    const lines = async (f: string): Promise<number> => (await readFile(join(ROOT, f), 'utf8')).split('\n').length;
    const [hub, node, json] = [await lines('src/core/hub.ts'), await lines('src/core/node.ts'), await lines('src/protocol/json.ts')];
    const want = (90 * hub + 40 * node + 70 * json) / (hub + node + json);
    assert.match(results[0] ?? '', new RegExp(`^coverage \\(no-floor\\): ${want.toFixed(2).replace('.', '\\.')} % of the lines of the 3 src/ files`));
  });

  void it('coverage-check fails below the floor and when the table is missing, in either shape', async () => {
    for (const shape of ['flat', 'tree'] as const) {
      const tap = join(dir, `low-${shape}.tap`);
      await writeFile(tap, coverageTap(shape, { 'src/core/hub.ts': 10, 'src/core/node.ts': 20 }));
      const r = await run(process.execPath, ['scripts/coverage-check.mjs', 'in-process', tap]);
      assert.equal(r.code, 1, `${shape}: ${r.stdout}`);
      assert.match(r.stdout, /FELL below the floor/);
    }
    const empty = join(dir, 'empty.tap');
    await writeFile(empty, 'TAP version 13\n# pass 1\n');
    const r = await run(process.execPath, ['scripts/coverage-check.mjs', 'in-process', empty]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /no coverage report/);
  });

  void it('the tier summary line names the runtime it is given', async () => {
    const tap = join(dir, 'summary.tap');
    await writeFile(tap, 'TAP version 13\nok 1 - a\nnot ok 2 - b\n  ---\n  location: \'x.test.ts:1:1\'\n  ...\n1..2\n# tests 2\n# pass 1\n# fail 1\n# duration_ms 5\n');
    const r = await run(process.execPath, ['scripts/test-summary.mjs', `unit [node ${process.versions.node}]`, tap]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(`unit [node ${process.versions.node}]: 1 passed, 1 failed, 0 skipped`), r.stdout);
    assert.match(r.stdout, /✗ b/);
  });

  void it('scripts/node24.sh refuses a ROTOR_NODE24 that is not Node 24, and takes one that is', async () => {
    const major = process.versions.node.split('.')[0];
    const r = await run('bash', ['scripts/node24.sh'], { ...process.env, ROTOR_NODE24: process.execPath });
    if (major === '24') {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), process.execPath);
    } else {
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, /is not a Node 24 binary/);
      assert.equal(r.stdout, '');
    }
    const missing = await run('bash', ['scripts/node24.sh'], { ...process.env, ROTOR_NODE24: join(dir, 'no-such-node') });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /is not a Node 24 binary/);
  });
});
