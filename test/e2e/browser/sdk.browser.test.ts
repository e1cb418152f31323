/**
 * Browser: the SDK's own browser bundle (centrifuge/dist/centrifuge.js and the protobuf bundle) in
 * Debian Chromium, driven by playwright-core, against the built server.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { spawnServer, type ServerProcess } from '../../harness/process.js';

const CHROMIUM = '/usr/bin/chromium';
const BUNDLES = {
  json: new URL('../../../node_modules/centrifuge/dist/centrifuge.js', import.meta.url),
  protobuf: new URL('../../../node_modules/centrifuge/dist/centrifuge.protobuf.js', import.meta.url),
};

let rotor: ServerProcess;
let page: Server;
let pageOrigin = '';
let browser: Browser;

before(async () => {
  // The page is served from its own origin; Rotor must allow it (allowed_origins).
  const bundles = { json: await readFile(BUNDLES.json), protobuf: await readFile(BUNDLES.protobuf) };
  page = createServer((req, res) => {
    if (req.url === '/centrifuge.js' || req.url === '/centrifuge.protobuf.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      res.end(req.url === '/centrifuge.js' ? bundles.json : bundles.protobuf);
      return;
    }
    // Both bundles define the global `Centrifuge`: one page per build.
    const script = req.url === '/protobuf.html' ? '/centrifuge.protobuf.js' : '/centrifuge.js';
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(`<!doctype html><html><head><script src="${script}"></script></head><body>rotor</body></html>`);
  });
  await new Promise<void>((r) => page.listen(0, '127.0.0.1', r));
  const addr = page.address();
  pageOrigin = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  rotor = await spawnServer({
    allowed_origins: [pageOrigin],
    allow_anonymous_connect_without_token: true,
    allow_subscribe_for_client: true,
    allow_subscribe_for_anonymous: true,
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await rotor?.stop();
  await new Promise<void>((r) => page?.close(() => r()));
});

describe('centrifuge-js browser bundle in Chromium', () => {
  for (const protocol of ['json', 'protobuf'] as const) {
    it(`connects, subscribes and receives an API publication (${protocol})`, async () => {
      const ctx = await browser.newContext();
      const tab = await ctx.newPage();
      await tab.goto(`${pageOrigin}/${protocol}.html`);
      const channel = `browser-${protocol}`;
      await tab.evaluate(
        ({ url, channel, protocol }) => {
          const w = globalThis as unknown as Record<string, unknown>;
          const C = w['Centrifuge'] as new (u: string, o?: object) => {
            newSubscription(ch: string): { on(ev: string, f: (c: { data: unknown }) => void): void; subscribe(): void; ready(t: number): Promise<void> };
            connect(): void;
          };
          void protocol;
          const c = new C(url, {});
          const sub = c.newSubscription(channel);
          w['received'] = [];
          sub.on('publication', (p) => {
            const d = p.data instanceof Uint8Array ? JSON.parse(new TextDecoder().decode(p.data)) : p.data;
            (w['received'] as unknown[]).push(d);
          });
          sub.subscribe();
          c.connect();
          w['ready'] = sub.ready(5000).then(() => true);
        },
        { url: rotor.wsUrl, channel, protocol },
      );
      await tab.waitForFunction(() => (globalThis as unknown as { ready: Promise<boolean> }).ready);
      const r = await rotor.api('publish', { channel, data: { hello: 'browser' } });
      assert.deepEqual(r.body, { result: {} });
      await tab.waitForFunction(() => ((globalThis as unknown as { received: unknown[] }).received ?? []).length > 0, undefined, { timeout: 5000 });
      const received = await tab.evaluate(() => (globalThis as unknown as { received: unknown[] }).received);
      assert.deepEqual(received, [{ hello: 'browser' }]);
      await ctx.close();
    });
  }

  it('refuses a page origin that is not allowed (403 on upgrade)', async () => {
    const ctx = await browser.newContext();
    const tab = await ctx.newPage();
    await tab.goto(`${pageOrigin}/json.html`);
    // A WebSocket opened from this page to a server that does not list the origin fails.
    const other = await spawnServer({ allowed_origins: ['https://example.com'], allow_anonymous_connect_without_token: true });
    try {
      const outcome = await tab.evaluate(
        (url) =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(url);
            ws.onopen = () => resolve('open');
            ws.onerror = () => resolve('error');
          }),
        other.wsUrl,
      );
      assert.equal(outcome, 'error');
    } finally {
      await other.stop();
      await ctx.close();
    }
  });
});
