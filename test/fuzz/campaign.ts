/**
 * @module test/fuzz/campaign — `npm run fuzz`: the long fuzz campaign.
 *
 * 1. Live: a spawned server (every transport, HTTP + GRPC API, uni_grpc on) is fed generated input by a
 *    few concurrent workers for `--live-seconds`, while two canary subscribers (centrifuge-js, JSON
 *    and Protobuf) receive a numbered publication stream that must arrive complete, in order, once.
 * 2. Decoders: the rest of the `--inputs` budget goes to the in-process decoder targets.
 * The result (numbers, outcomes, findings) is written as Markdown to `--out`.
 *
 * Options: --inputs=N (default 1 000 000), --live-seconds=S (default 600), --workers=N (default 6),
 * --seed=N, --out=path (default fuzz/results/latest.md). Run it with `nice -n 10` on a shared machine.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { State, type PublicationContext } from 'centrifuge';
import { sdkClient, type Client, type SdkProtocol } from '../harness/sdk.js';
import { freePort } from '../harness/spawned.js';
import { connectToken } from '../harness/tokens.js';
import { DECODER_TARGETS } from './decoder-targets.js';
import { LIVE_TARGETS, Picker, closeLiveClients, type LiveEndpoints, type LiveStats } from './live-targets.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const API_KEY = 'fuzz-api-key';
const HMAC_SECRET = 'fuzz-hmac-secret';

function arg(name: string, def: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? def : hit.slice(name.length + 3);
}

const TOTAL = Number(arg('inputs', '1000000'));
const LIVE_SECONDS = Number(arg('live-seconds', '600'));
const WORKERS = Number(arg('workers', '6'));
const SEED = Number(arg('seed', '20261204'));
const OUT = arg('out', join(ROOT, 'fuzz/results/latest.md'));


const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitUntil(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await sleep(100);
  }
  return cond();
}

async function rssKb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
}

interface Canary {
  readonly protocol: SdkProtocol;
  readonly client: Client;
  readonly seqs: number[];
  recovered: number;
  disconnects: number;
}

/**
 * A canary subscriber. It connects with a token of its own user (fuzzed API calls name random users,
 * so server-API disconnects / unsubscribes of anonymous users can not reach it).
 */
async function canary(protocol: SdkProtocol, wsUrl: string, channel: string): Promise<Canary> {
  const token = await connectToken(`canary-${protocol}-${randomUUID()}`, {}, { secret: HMAC_SECRET });
  const client = sdkClient(protocol, wsUrl, { token });
  const c: Canary = { protocol, client, seqs: [], recovered: 0, disconnects: 0 };
  client.on('disconnected', () => c.disconnects++);
  const sub = client.newSubscription(channel, { recoverable: true, positioned: true });
  sub.on('publication', (ctx: PublicationContext) => {
    const data = protocol === 'json' ? (ctx.data as { seq: number }) : (JSON.parse(new TextDecoder().decode(ctx.data as Uint8Array)) as { seq: number });
    c.seqs.push(data.seq);
  });
  sub.on('subscribed', (ctx) => {
    if (ctx.wasRecovering) c.recovered++;
  });
  sub.subscribe();
  client.connect();
  return c;
}

function canaryVerdict(c: Canary, published: number): { missing: number; duplicates: number; outOfOrder: number } {
  const seen = new Set<number>();
  let duplicates = 0;
  let outOfOrder = 0;
  let last = 0;
  for (const s of c.seqs) {
    if (seen.has(s)) duplicates++;
    seen.add(s);
    if (s < last) outOfOrder++;
    last = s;
  }
  let missing = 0;
  for (let i = 1; i <= published; i++) if (!seen.has(i)) missing++;
  return { missing, duplicates, outOfOrder };
}

interface LiveResult {
  readonly seconds: number;
  readonly stats: Map<string, LiveStats>;
  readonly published: number;
  readonly publishErrors: number;
  readonly canaries: { protocol: string; received: number; missing: number; duplicates: number; outOfOrder: number; recovered: number; disconnects: number }[];
  readonly serverAlive: boolean;
  readonly healthOk: boolean;
  readonly rssStartKb: number;
  readonly rssEndKb: number;
  readonly serverErrors: string[];
}

async function live(): Promise<LiveResult> {
  const [port, grpcPort, uniGrpcPort] = [await freePort(), await freePort(), await freePort()];
  const dir = await mkdtemp(join(tmpdir(), 'rotor-fuzz-'));
  const configFile = join(dir, 'config.json');
  await writeFile(
    configFile,
    JSON.stringify({
      address: '127.0.0.1',
      port,
      api_key: API_KEY,
      token_hmac_secret_key: HMAC_SECRET,
      log_level: 'error',
      client_insecure: true,
      allow_anonymous_connect_without_token: true,
      presence: true,
      join_leave: true,
      history_size: 10,
      history_ttl: '60s',
      namespaces: [{ name: 'canary', history_size: 100000, history_ttl: '3600s', force_recovery: true }],
      http_stream: true,
      sse: true,
      uni_websocket: true,
      uni_sse: true,
      uni_http_stream: true,
      uni_grpc: true,
      uni_grpc_address: '127.0.0.1',
      uni_grpc_port: uniGrpcPort,
      grpc_api: true,
      grpc_api_address: '127.0.0.1',
      grpc_api_port: grpcPort,
      health: true,
    }),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main.ts'), 'serve', '-c', configFile], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const serverErrors: string[] = [];
  const onOut = (d: Buffer): void => {
    for (const line of d.toString().split('\n')) if (line.trim() !== '' && serverErrors.length < 50) serverErrors.push(line.slice(0, 300));
  };
  child.stdout.on('data', onOut);
  child.stderr.on('data', onOut);
  const http = `http://127.0.0.1:${port}`;
  const healthy = async (): Promise<boolean> => {
    try {
      return (await fetch(`${http}/health`, { signal: AbortSignal.timeout(2000) })).status === 200;
    } catch {
      return false;
    }
  };
  if (!(await waitUntil(healthy, 30_000))) throw new Error(`server did not start:\n${serverErrors.join('\n')}`);
  const ep: LiveEndpoints = { http, ws: `ws://127.0.0.1:${port}/connection/websocket`, grpcApi: `127.0.0.1:${grpcPort}`, uniGrpc: `127.0.0.1:${uniGrpcPort}`, apiKey: API_KEY };
  const rssStartKb = await rssKb(child.pid!);

  const channel = 'canary:stream';
  const canaries = [await canary('json', ep.ws, channel), await canary('protobuf', ep.ws, channel)];
  await waitUntil(() => canaries.every((c) => c.client.state === State.Connected), 15_000);
  await sleep(500);

  let published = 0;
  let publishErrors = 0;
  let running = true;
  const publisher = (async () => {
    while (running) {
      const seq = published + 1;
      try {
        const res = await fetch(`${http}/api/publish`, {
          method: 'POST',
          headers: { 'X-API-Key': API_KEY, 'Content-Type': 'application/json' },
          body: JSON.stringify({ channel, data: { seq } }),
          signal: AbortSignal.timeout(10_000),
        });
        const body = (await res.json()) as { error?: unknown };
        if (res.status === 200 && body.error === undefined) published = seq;
        else publishErrors++;
      } catch {
        publishErrors++;
      }
      await sleep(20);
    }
  })();

  const stats = new Map<string, LiveStats>(LIVE_TARGETS.map((t) => [t.name, { inputs: 0, outcomes: new Map(), findings: [] }]));
  const deadline = Date.now() + LIVE_SECONDS * 1000;
  const started = Date.now();
  const worker = async (w: number): Promise<void> => {
    const rng = new Picker(SEED + w);
    let i = w;
    while (Date.now() < deadline && child.exitCode === null) {
      const t = LIVE_TARGETS[i++ % LIVE_TARGETS.length]!;
      await t.run(ep, stats.get(t.name)!, rng);
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
  const seconds = (Date.now() - started) / 1000;
  running = false;
  await publisher;
  await waitUntil(() => canaries.every((c) => canaryVerdict(c, published).missing === 0), 20_000);
  const serverAlive = child.exitCode === null;
  const healthOk = serverAlive && (await healthy());
  const rssEndKb = await rssKb(child.pid!);
  const canaryResults = canaries.map((c) => ({ protocol: c.protocol, received: c.seqs.length, recovered: c.recovered, disconnects: c.disconnects, ...canaryVerdict(c, published) }));
  for (const c of canaries) c.client.disconnect();
  closeLiveClients();
  child.kill('SIGTERM');
  await waitUntil(() => child.exitCode !== null, 10_000);
  if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
  return { seconds, stats, published, publishErrors, canaries: canaryResults, serverAlive, healthOk, rssStartKb, rssEndKb, serverErrors };
}

interface DecoderResult {
  readonly name: string;
  readonly inputs: number;
  readonly seconds: number;
  readonly failure: string | undefined;
}

function decoders(budget: number): DecoderResult[] {
  const totalWeight = DECODER_TARGETS.reduce((s, t) => s + t.weight, 0);
  const shares = DECODER_TARGETS.map((t) => Math.max(1, Math.floor((budget * t.weight) / totalWeight)));
  // The rounding remainder goes to the first target, so the whole budget is used.
  shares[0] = (shares[0] ?? 0) + Math.max(0, budget - shares.reduce((s, n) => s + n, 0));
  return DECODER_TARGETS.map((t, i) => {
    const numRuns = shares[i] ?? 1;
    const started = Date.now();
    const details = fc.check(t.property, { seed: SEED + 1000 + i, numRuns, endOnFailure: true });
    const failure = details.failed ? `${String(details.errorInstance)} — counterexample ${fc.stringify(details.counterexample)}`.slice(0, 500) : undefined;
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(`fuzz: ${t.name}: ${details.numRuns} inputs in ${seconds.toFixed(1)} s${failure ? ` FAILED ${failure}` : ''}\n`);
    return { name: t.name, inputs: details.numRuns, seconds, failure };
  });
}

function report(l: LiveResult, d: DecoderResult[], startedAt: Date): string {
  const liveInputs = [...l.stats.values()].reduce((s, x) => s + x.inputs, 0);
  const decoderInputs = d.reduce((s, x) => s + x.inputs, 0);
  const liveFindings = [...l.stats.entries()].flatMap(([n, s]) => s.findings.map((f) => `${n}: ${f}`));
  const canaryOk = l.canaries.every((c) => c.missing === 0 && c.duplicates === 0 && c.outOfOrder === 0);
  const lines = [
    '# Fuzz campaign result',
    '',
    `Run ${startedAt.toISOString()} (\`npm run fuzz -- --inputs=${TOTAL} --live-seconds=${LIVE_SECONDS} --workers=${WORKERS} --seed=${SEED}\`), Node ${process.version}, under \`nice -n 10\` on a shared 2-core machine.`,
    '',
    `**Total inputs: ${(liveInputs + decoderInputs).toLocaleString('en-US')}** (live ${liveInputs.toLocaleString('en-US')}, decoders ${decoderInputs.toLocaleString('en-US')}).`,
    `Decoder failures: ${d.filter((x) => x.failure !== undefined).length}. Live findings: ${liveFindings.length}. Server alive at the end: ${l.serverAlive ? 'yes' : '**NO**'}, /health: ${l.healthOk ? '200' : '**failed**'}.`,
    `Canaries: ${canaryOk ? 'lost nothing' : '**LOST OR REORDERED PUBLICATIONS**'} (${l.published} publications, ${l.publishErrors} publish errors).`,
    '',
    '## Live endpoints',
    '',
    `${l.seconds.toFixed(0)} s, ${WORKERS} concurrent workers; server RSS ${(l.rssStartKb / 1024).toFixed(0)} MB at start, ${(l.rssEndKb / 1024).toFixed(0)} MB at the end.`,
    '',
    '| Target | Inputs | Outcomes |',
    '|---|---:|---|',
    ...[...l.stats.entries()].map(([n, s]) => `| ${n} | ${s.inputs.toLocaleString('en-US')} | ${[...s.outcomes.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}: ${v}`).join(', ')} |`),
    '',
    '| Canary | Received | Missing | Duplicates | Out of order | Disconnects | Recoveries |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...l.canaries.map((c) => `| centrifuge-js ${c.protocol} | ${c.received} | ${c.missing} | ${c.duplicates} | ${c.outOfOrder} | ${c.disconnects} | ${c.recovered} |`),
    '',
    liveFindings.length === 0 ? 'No live findings.' : `Live findings (first 20):\n\n${liveFindings.slice(0, 20).map((f) => `- ${f}`).join('\n')}`,
    '',
    '## Decoders (in process)',
    '',
    '| Target | Inputs | Seconds | Result |',
    '|---|---:|---:|---|',
    ...d.map((x) => `| ${x.name} | ${x.inputs.toLocaleString('en-US')} | ${x.seconds.toFixed(1)} | ${x.failure === undefined ? 'ok' : `**FAILED**: ${x.failure.replaceAll('|', '\\|')}`} |`),
    '',
    l.serverErrors.length === 0 ? 'Server log (level error): empty.' : `Server log lines at level error (first ${l.serverErrors.length}):\n\n\`\`\`\n${l.serverErrors.join('\n')}\n\`\`\``,
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const startedAt = new Date();
  process.stderr.write(`fuzz: live phase ${LIVE_SECONDS} s with ${WORKERS} workers\n`);
  const l = await live();
  const liveInputs = [...l.stats.values()].reduce((s, x) => s + x.inputs, 0);
  process.stderr.write(`fuzz: live phase done: ${liveInputs} inputs; decoders get ${Math.max(0, TOTAL - liveInputs)}\n`);
  const d = decoders(Math.max(0, TOTAL - liveInputs));
  const text = report(l, d, startedAt);
  await mkdir(dirname(OUT), { recursive: true });
  await writeFile(OUT, text);
  process.stdout.write(text);
  const failed = d.some((x) => x.failure !== undefined) || !l.serverAlive || l.canaries.some((c) => c.missing + c.duplicates + c.outOfOrder > 0);
  process.exitCode = failed ? 1 : 0;
}

await main();
