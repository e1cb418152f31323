/**
 * Browser over TLS: Debian Chromium (playwright-core) loads a page from the built server over HTTPS,
 * which it gets over HTTP/2, and runs the centrifuge-js browser bundle from there: `wss://`
 * WebSocket (an HTTP/1.1 upgrade next to the h2 connection) and the http_stream transport with its
 * `/emulation` requests over h2.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { createTestPki, type TestPki } from '../../harness/certs.js';
import { spawnServer, type ServerProcess } from '../../harness/process.js';
import { TEST_API_KEY } from '../../harness/server.js';

const CHROMIUM = '/usr/bin/chromium';
const BUNDLE = new URL('../../../node_modules/centrifuge/dist/centrifuge.js', import.meta.url);

let pki: TestPki;
let rotor: ServerProcess;
let browser: Browser;
let origin = '';

async function publish(channel: string, data: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${origin}/api/publish`, { method: 'POST', headers: { 'X-API-Key': TEST_API_KEY }, ca: pki.caPem, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ channel, data }));
  });
}

before(async () => {
  pki = createTestPki();
  const cert = pki.issue('browser-server', 'server');
  rotor = await spawnServer({
    tls: true,
    tls_cert: cert.cert,
    tls_key: cert.key,
    health: true,
    http_stream: true,
    allowed_origins: ['https://127.0.0.1:*'],
    allow_anonymous_connect_without_token: true,
    allow_subscribe_for_client: true,
    allow_subscribe_for_anonymous: true,
  });
  origin = `https://127.0.0.1:${rotor.port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await rotor?.stop();
  pki?.remove();
});

type Transports = 'websocket' | 'http_stream';
/** The page's Resource Timing entries (no DOM types in this project). */
type Entries = { getEntriesByType(type: string): Array<{ name: string; nextHopProtocol: string }> };

describe('centrifuge-js in Chromium over TLS and HTTP/2', () => {
  for (const transport of ['websocket', 'http_stream'] as const satisfies readonly Transports[]) {
    it(`${transport}: page over h2, subscription receives an API publication`, async () => {
      // The test CA is not in Chromium's store: the context skips certificate checks (not the TLS itself).
      const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
      try {
        const tab = await ctx.newPage();
        const nav = await tab.goto(`${origin}/health`);
        assert.equal(nav?.status(), 200);
        assert.equal(await tab.evaluate(() => (performance as unknown as Entries).getEntriesByType('navigation')[0]?.nextHopProtocol), 'h2');
        await tab.addScriptTag({ content: await readFile(BUNDLE, 'utf8') });
        const channel = `tls-browser-${transport}`;
        await tab.evaluate(
          ({ origin, channel, transport }) => {
            const w = globalThis as unknown as Record<string, unknown>;
            const C = w['Centrifuge'] as new (u: unknown, o?: object) => {
              newSubscription(ch: string): { on(ev: string, f: (c: { data: unknown }) => void): void; subscribe(): void; ready(t: number): Promise<void> };
              connect(): void;
            };
            const host = origin.replace('https://', '');
            const c =
              transport === 'websocket'
                ? new C(`wss://${host}/connection/websocket`, {})
                : new C([{ transport: 'http_stream', endpoint: `${origin}/connection/http_stream` }], { emulationEndpoint: `${origin}/emulation` });
            const sub = c.newSubscription(channel);
            w['received'] = [];
            sub.on('publication', (p) => (w['received'] as unknown[]).push(p.data));
            sub.subscribe();
            c.connect();
            w['ready'] = sub.ready(10_000).then(() => true);
          },
          { origin, channel, transport },
        );
        await tab.waitForFunction(() => (globalThis as unknown as { ready: Promise<boolean> }).ready);
        assert.equal(await publish(channel, { via: transport }), '{"result":{}}');
        await tab.waitForFunction(() => ((globalThis as unknown as { received: unknown[] }).received ?? []).length > 0, undefined, { timeout: 10_000 });
        assert.deepEqual(await tab.evaluate(() => (globalThis as unknown as { received: unknown[] }).received), [{ via: transport }]);
        if (transport === 'http_stream') {
          // the subscribe went out as an /emulation POST on the page's h2 connection
          const protocols = await tab.evaluate(() =>
            (performance as unknown as Entries)
              .getEntriesByType('resource')
              .filter((e) => e.name.includes('/emulation'))
              .map((e) => e.nextHopProtocol),
          );
          assert.ok(protocols.length > 0, 'emulation requests were made');
          assert.ok(protocols.every((p) => p === 'h2'), JSON.stringify(protocols));
        }
      } finally {
        await ctx.close();
      }
    });
  }
});
