/**
 * Browser: Rotor's admin UI (built bundle, served by the built server) in Debian Chromium against a
 * two-node Redis cluster: log in, live node counts, publish from the actions page to a real
 * centrifuge-js client, and a channel's live tail. Screenshots go to test-results/admin-ui/.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { apiOk, spawnNodes, stopAll, waitForNodeNames } from '../../harness/cluster.js';
import type { ServerProcess } from '../../harness/process.js';
import { spawnRedis, type RedisServerHandle } from '../../harness/redis.js';
import { sdkClient, type Client } from '../../harness/sdk.js';
import { waitFor } from '../../harness/wait.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = new URL('../../../test-results/admin-ui/', import.meta.url).pathname;
const PASSWORD = 'ui-password';
const RUN = `${process.pid}-${Date.now()}`;
const TIMEOUT = 30_000;

function nodeConfig(name: string, redisAddress: string): Record<string, unknown> {
  return {
    name,
    engine: 'redis',
    redis_address: redisAddress,
    redis_prefix: `admin-ui-${RUN}`,
    admin: true,
    admin_password: PASSWORD,
    admin_secret: 'ui-secret',
    node_info_metrics_aggregate_interval: '1s',
    allow_anonymous_connect_without_token: true,
    namespaces: [
      { name: 'chat', presence: true, history_size: 20, history_ttl: '300s', allow_subscribe_for_client: true, allow_subscribe_for_anonymous: true },
    ],
  };
}

let redis: RedisServerHandle | undefined;
const nodes: ServerProcess[] = [];
let a: ServerProcess;
let b: ServerProcess;
let browser: Browser;
let page: Page;
const clients: Client[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

/** Waits until the text of `selector` satisfies `test` (evaluated in the page). */
async function waitText(selector: string, pattern: RegExp): Promise<void> {
  await page.waitForFunction(
    ({ selector, source, flags }) => {
      // Runs in the page (this file is type-checked without the DOM library).
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document;
      return new RegExp(source, flags).test(doc.querySelector(selector)?.textContent ?? '');
    },
    { selector, source: pattern.source, flags: pattern.flags },
    { timeout: TIMEOUT },
  );
}

before(async () => {
  await mkdir(SHOTS, { recursive: true });
  redis = await spawnRedis();
  [a, b] = (await spawnNodes([nodeConfig('node-a', redis.address), nodeConfig('node-b', redis.address)], nodes)) as [ServerProcess, ServerProcess];
  await waitForNodeNames(a, ['node-a', 'node-b'], 15_000);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await ctx.newPage();
});

after(async () => {
  for (const c of clients) c.disconnect();
  await browser?.close();
  await stopAll(nodes);
  await redis?.stop();
});

describe('admin UI in Chromium (two nodes on Redis)', () => {
  it('refuses a wrong password, then logs in', async () => {
    await page.goto(`${a.url}/`);
    await page.locator('input[name=password]').fill('wrong');
    await page.locator('button[type=submit]').click();
    await waitText('[data-testid=login-error]', /Wrong password/);
    await shot('1-login-error');
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('button[type=submit]').click();
    await page.locator('table[data-testid=nodes]').waitFor({ timeout: TIMEOUT });
    assert.ok(await page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('rotor-admin-token') !== null));
  });

  it('shows both nodes with live client counts', async () => {
    await page.locator('tr[data-node="node-a"]').waitFor({ timeout: TIMEOUT });
    await page.locator('tr[data-node="node-b"]').waitFor({ timeout: TIMEOUT });
    // A real client on node B appears in node B's row within a heartbeat and a poll.
    const client = sdkClient('json', b.wsUrl);
    clients.push(client);
    const sub = client.newSubscription('chat:room');
    const received: unknown[] = [];
    sub.on('publication', (ctx) => received.push(ctx.data));
    sub.subscribe();
    client.connect();
    await sub.ready(TIMEOUT);
    (globalThis as { received?: unknown[] }).received = received;
    await waitText('tr[data-node="node-b"] td[data-field=clients]', /^1$/);
    await waitText('tr[data-node="node-b"] td[data-field=subs]', /^1$/);
    await waitText('tr[data-node="node-a"] td[data-field=clients]', /^0$/);
    await waitText('[data-testid=total-clients]', /^1$/);
    // Rates come from each node's metrics snapshot, which reaches node A with node B's heartbeat.
    for (const n of ['node-a', 'node-b']) {
      for (const f of ['pub-out', 'pub-in', 'api-rate']) await waitText(`tr[data-node="${n}"] td[data-field=${f}]`, /^\d+(\.\d+)?$/);
    }
    await shot('2-status');
  });

  it('publishes from the actions page to a centrifuge client on the other node', async () => {
    const received = (globalThis as { received?: unknown[] }).received!;
    await page.locator('a[data-nav=actions]').click();
    await page.locator('select[name=method]').selectOption('publish');
    await page.locator('textarea[name=params]').fill(JSON.stringify({ channel: 'chat:room', data: { from: 'admin-ui' } }));
    await page.locator('button[type=submit]').click();
    await waitText('[data-testid=reply]', /"offset": 1/);
    await shot('3-actions');
    await waitFor(() => received.length === 1, TIMEOUT, 'publication at the SDK client');
    assert.deepEqual(received, [{ from: 'admin-ui' }]);
    // An API error is shown as the reply too.
    await page.locator('select[name=method]').selectOption('presence');
    await page.locator('textarea[name=params]').fill(JSON.stringify({ channel: 'nosuchns:x' }));
    await page.locator('button[type=submit]').click();
    await waitText('[data-testid=reply]', /"code": 102/);
  });

  it('lists channels, opens one and tails publications live', async () => {
    await page.locator('a[data-nav=channels]').click();
    await page.locator('tr[data-channel="chat:room"]').waitFor({ timeout: TIMEOUT });
    await page.locator('tr[data-channel="chat:room"]').click();
    await waitText('[data-testid=channel-name]', /^chat:room$/);
    await waitText('[data-testid=tail-state]', /^subscribed$/);
    // The observer is invisible: presence still lists only the SDK client.
    await waitText('[data-testid=presence-stats]', /"num_clients": 1/);
    await waitText('[data-testid=history]', /admin-ui/);
    await apiOk(b, 'publish', { channel: 'chat:room', data: { live: 'from node b' } });
    await waitText('[data-testid=tail]', /from node b/);
    await apiOk(a, 'publish', { channel: 'chat:room', data: { live: 'from node a', n: 2 } });
    await waitText('[data-testid=tail] li:first-child', /from node a/);
    await shot('4-channel-tail');
  });

  it('with admin_insecure the UI opens without a login and can still tail', async () => {
    const [open] = await spawnNodes([{ name: 'open-node', admin: true, admin_insecure: true, namespaces: [{ name: 'chat' }] }], nodes);
    const ctx = await browser.newContext();
    const tab = await ctx.newPage();
    try {
      await tab.goto(`${open!.url}/#/channels/${encodeURIComponent('chat:open')}`);
      await tab.waitForFunction(() => /^subscribed$/.test((globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector('[data-testid=tail-state]')?.textContent ?? ''), undefined, { timeout: TIMEOUT });
      assert.equal(await tab.locator('input[name=password]').count(), 0);
      await apiOk(open!, 'publish', { channel: 'chat:open', data: { insecure: true } });
      await tab.locator('[data-testid=tail] li').first().waitFor({ timeout: TIMEOUT });
      assert.match((await tab.locator('[data-testid=tail]').textContent()) ?? '', /"insecure": true/);
    } finally {
      await ctx.close();
    }
  });
});
