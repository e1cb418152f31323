#!/usr/bin/env node
/**
 * @module bench/micro/heap-per-client — what a connected + subscribed client costs in a server's JS
 * heap, by object kind: two heap snapshots of one server (`--heapsnapshot-signal`), before and after
 * N clients (client processes of the `scale` scenario: HS256 JWT connect + subscribe to one channel),
 * and the difference per client of every constructor's count and self size. Memory outside the JS
 * heap (socket buffers in libuv and the kernel, allocator slack) does not show here: compare with
 * the `scale` scenario's RSS columns.
 *
 *   npm run build && node bench/micro/heap-per-client.mjs [--n 5000] [--target rotor-json|ws] [--top 30]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_DIR, sleep, startServer } from '../lib/procs.mjs';
import { ScaleClients } from '../lib/scale.mjs';

const { values: args } = parseArgs({
  options: { n: { type: 'string', default: '5000' }, target: { type: 'string', default: 'rotor-json' }, top: { type: 'string', default: '30' } },
});
const N = Number(args.n);
const rotor = args.target !== 'ws';
const TMP = path.join(BENCH_DIR, '.tmp', `heap-${Date.now()}`);
fs.mkdirSync(TMP, { recursive: true });

/**
 * Aggregates a .heapsnapshot by node type + name (constructor for objects): count and self bytes.
 * @returns {Map<string, {count: number, bytes: number}>}
 */
function aggregate(file) {
  const snap = JSON.parse(fs.readFileSync(file, 'utf8'));
  const meta = snap.snapshot.meta;
  const fields = meta.node_fields;
  const types = meta.node_types[0];
  const width = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const iEdges = fields.indexOf('edge_count');
  const eFields = meta.edge_fields;
  const eWidth = eFields.length;
  const eType = eFields.indexOf('type');
  const eName = eFields.indexOf('name_or_index');
  const edgeTypes = meta.edge_types[0];
  const nodes = snap.nodes;
  const edges = snap.edges;
  const strings = snap.strings;
  const out = new Map();
  let e0 = 0;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + iType]];
    const name = strings[nodes[i + iName]];
    const edgeCount = nodes[i + iEdges];
    // Strings and code are keyed by type alone: their names are their contents. Plain objects are
    // told apart by their first property names (their shape), which says whose they are.
    let key = type === 'object' || type === 'native' || type === 'closure' ? `${type}:${name}` : type;
    if (type === 'object' && name === 'Object') {
      const props = [];
      for (let e = e0; e < e0 + edgeCount * eWidth && props.length < 5; e += eWidth) {
        if (edgeTypes[edges[e + eType]] === 'property') props.push(strings[edges[e + eName]]);
      }
      key += ` {${props.join(',')}}`;
    }
    e0 += edgeCount * eWidth;
    const e = out.get(key) ?? { count: 0, bytes: 0 };
    e.count++;
    e.bytes += nodes[i + iSize];
    out.set(key, e);
  }
  return out;
}

/** Signals the server and resolves with its new snapshot, aggregated once the file is complete. */
async function snapshot(server, known) {
  server.proc.kill('SIGUSR1');
  const end = Date.now() + 180_000;
  while (Date.now() < end) {
    await sleep(500);
    const f = fs.readdirSync(TMP).find((x) => x.endsWith('.heapsnapshot') && !known.has(x));
    if (!f) continue;
    // The file grows in chunks while V8 serialises: complete when it parses.
    try {
      const agg = aggregate(path.join(TMP, f));
      known.add(f);
      return agg;
    } catch {
      // not complete yet
    }
  }
  throw new Error('no complete heap snapshot within 180 s');
}

const server = await startServer({
  kind: rotor ? 'rotor' : 'ws-plain',
  rotorConfig: { address: '127.0.0.1', port: 0, token_hmac_secret_key: 'bench-secret', allow_subscribe_for_client: true, log_level: 'info' },
  tmpDir: TMP,
  nodeArgs: ['--heapsnapshot-signal=SIGUSR1'],
  raiseNofile: true,
  timeoutMs: 30_000,
});
const known = new Set();
try {
  const warm = new ScaleClients(Math.min(1000, N), 5000);
  await warm.open({ port: server.port, target: args.target, concurrency: 200, secret: rotor ? 'bench-secret' : '', channel: 'warm', timeoutMs: 120_000 });
  await warm.close();
  await sleep(1000);
  const before = await snapshot(server, known);
  const clients = new ScaleClients(N, 5000);
  try {
    await clients.open({ port: server.port, target: args.target, concurrency: 200, secret: rotor ? 'bench-secret' : '', channel: 'fan', timeoutMs: 300_000 });
    const t = await clients.total();
    if (t.subscribed !== N) throw new Error(`only ${t.subscribed} of ${N} subscribed (${t.firstError})`);
    const after = await snapshot(server, known);
    const rows = [];
    let total = 0;
    for (const [k, a] of after) {
      const b = before.get(k) ?? { count: 0, bytes: 0 };
      const d = { key: k, perClient: (a.count - b.count) / N, bytesPerClient: (a.bytes - b.bytes) / N };
      total += d.bytesPerClient;
      rows.push(d);
    }
    rows.sort((x, y) => y.bytesPerClient - x.bytesPerClient);
    process.stdout.write(`${args.target}: JS heap (snapshot self sizes) per client at N=${N}: ${total.toFixed(0)} bytes\n\n`);
    process.stdout.write('| bytes / client | objects / client | kind:constructor |\n| ---: | ---: | --- |\n');
    for (const r of rows.slice(0, Number(args.top))) process.stdout.write(`| ${r.bytesPerClient.toFixed(1)} | ${r.perClient.toFixed(2)} | \`${r.key}\` |\n`);
  } finally {
    await clients.close();
  }
} finally {
  await server.stop(10_000);
  fs.rmSync(TMP, { recursive: true, force: true });
}
