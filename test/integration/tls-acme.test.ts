/**
 * ACME certificates end to end against Debian's `pebble` test CA: pebble resolves names through
 * `pebble-challtestsrv` (every A query → 127.0.0.1) and validates the http-01 challenge on Rotor's
 * `tls_autocert_http_addr`; the certificate it issues is then served to a `wss://` centrifuge SDK
 * client and an HTTPS API call. All on random loopback ports.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { Logger } from '../../src/core/logger.js';
import { createTestPki, servedCertificate, type TestPki } from '../harness/certs.js';
import { sdkClient } from '../harness/sdk.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../harness/server.js';
import { freePort, launch, terminate, type Running } from '../harness/spawned.js';
import { connectToken } from '../harness/tokens.js';
import { deferred, waitFor } from '../harness/wait.js';

const HOST = 'rotor.test';

/** Log lines of the servers under test, shown when an assertion fails. */
const logs: string[] = [];
const record =
  (level: string) =>
  (message: string, fields?: Record<string, unknown>): void => {
    logs.push(`${level} ${message} ${fields === undefined ? '' : JSON.stringify(fields)}`);
  };
const logger: Logger = { enabled: () => true, trace: () => undefined, debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };

async function httpsText(url: string, ca: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = httpsGet(url, { ca, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(res.statusCode === 200 ? body : undefined));
    });
    req.on('error', () => resolve(undefined));
  });
}

void describe('tls_autocert against pebble', () => {
  let pki: TestPki;
  let dns: Running;
  let pebble: Running;
  let directory = '';
  let pebbleMgmt = 0;
  let challengePort = 0;
  let cacheDir = '';
  let s: TestServer | undefined;

  before(async () => {
    pki = createTestPki();
    const pebbleCert = pki.issue('pebble', 'server');
    const [dnsPort, dnsMgmt, acmePort, mgmtPort, challenge] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    pebbleMgmt = mgmtPort;
    challengePort = challenge;
    dns = launch('pebble-challtestsrv', ['-dns01', `127.0.0.1:${dnsPort}`, '-http01', '', '-https01', '', '-tlsalpn01', '', '-management', `127.0.0.1:${dnsMgmt}`, '-defaultIPv4', '127.0.0.1', '-defaultIPv6', '']);
    const config = join(pki.dir, 'pebble.json');
    writeFileSync(
      config,
      JSON.stringify({
        pebble: {
          listenAddress: `127.0.0.1:${acmePort}`,
          managementListenAddress: `127.0.0.1:${mgmtPort}`,
          certificate: pebbleCert.cert,
          privateKey: pebbleCert.key,
          httpPort: challengePort,
          tlsPort: await freePort(),
          ocspResponderURL: '',
          externalAccountBindingRequired: false,
        },
      }),
    );
    pebble = launch('pebble', ['-config', config, '-dnsserver', `127.0.0.1:${dnsPort}`], 200, { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' });
    directory = `https://127.0.0.1:${acmePort}/dir`;
    await waitFor(() => httpsText(directory, pki.caPem), 30_000, `pebble's directory (${pebble.log.join('\n')})`, 100);
    cacheDir = mkdtempSync(join(pki.dir, 'cache-'));
  });

  after(async () => {
    await s?.close();
    await Promise.all([pebble !== undefined ? terminate(pebble) : undefined, dns !== undefined ? terminate(dns) : undefined]);
    pki.remove();
  });

  const autocert = (): Record<string, unknown> => ({
    tls_autocert: true,
    tls_autocert_http: true,
    tls_autocert_http_addr: `127.0.0.1:${challengePort}`,
    tls_autocert_host_whitelist: `${HOST}, other.test`,
    tls_autocert_server_name: HOST,
    tls_autocert_cache_dir: cacheDir,
    tls_autocert_email: 'ops@rotor.test',
    tls_autocert_directory_url: directory,
    tls_autocert_directory_ca: pki.caFile,
  });

  void test('a failed order: the handshake fails, the server runs on, the CA is not asked again at once', async () => {
    const before = logs.length;
    const failing = await startTestServer(
      { ...autocert(), tls_autocert_server_name: '', tls_autocert_cache_dir: mkdtempSync(join(pki.dir, 'cache-')), tls_autocert_directory_url: directory.replace(/\/dir$/, '/no-such-directory') },
      { logger },
    );
    try {
      await assert.rejects(servedCertificate(failing.port, pki.caPem, HOST));
      await assert.rejects(servedCertificate(failing.port, pki.caPem, HOST));
      const attempts = logs.slice(before).filter((l) => l.includes('cannot obtain a certificate'));
      assert.equal(attempts.length, 1, logs.slice(before).join('\n'));
      const unknownToken = await fetch(`http://127.0.0.1:${challengePort}/.well-known/acme-challenge/x`);
      assert.equal(unknownToken.status, 404, 'the challenge listener still answers');
    } finally {
      await failing.close();
    }
  });

  void test('a certificate issued by pebble over http-01 serves wss:// (SDK) and the HTTPS API', async () => {
    s = await startTestServer({ ...autocert(), api_external: true, allow_subscribe_for_client: true }, { logger });
    // pebble's chain ends at a root it makes at start; trust only that one.
    const root = (await waitFor(() => httpsText(`https://127.0.0.1:${pebbleMgmt}/roots/0`, pki.caPem), 10_000, 'pebble root')) as string;
    const cert = await servedCertificate(s.port, root, HOST).catch((err: unknown) => {
      throw new Error(`no certificate: ${String(err)}\n${logs.join('\n')}\n${pebble.log.join('\n')}`);
    });
    assert.equal(cert.subjectaltname, `DNS:${HOST}`);
    assert.match(new X509Certificate(cert.raw).issuer, /Pebble Intermediate CA/);
    assert.ok(readdirSync(cacheDir).includes(`${HOST}.pem`), 'the certificate is cached');

    const client = sdkClient('json', `wss://${HOST}:${s.port}/connection/websocket`, {
      token: await connectToken('acme-user'),
      websocket: class extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url.replace(HOST, '127.0.0.1'), protocols, { ca: root, servername: HOST } as WebSocket.ClientOptions);
        }
      },
    });
    try {
      const got = deferred<unknown>();
      const sub = client.newSubscription('acme');
      sub.on('publication', (ctx) => got.resolve(ctx.data));
      const subscribed = deferred();
      sub.on('subscribed', () => subscribed.resolve());
      sub.subscribe();
      client.connect();
      await subscribed.promise;
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpsRequest(`https://127.0.0.1:${s!.port}/api/publish`, { method: 'POST', headers: { 'X-API-Key': TEST_API_KEY }, ca: root, servername: HOST, agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(JSON.stringify({ channel: 'acme', data: { via: 'acme' } }));
      });
      assert.equal(status, 200);
      assert.deepEqual(await got.promise, { via: 'acme' });
    } finally {
      client.disconnect();
    }

    // No SNI (an IP address): tls_autocert_server_name's certificate.
    assert.equal((await servedCertificate(s.port, root, undefined)).fingerprint256, cert.fingerprint256);
    // Another whitelisted host gets its own certificate, ordered by its first handshake.
    const other = await servedCertificate(s.port, root, 'other.test');
    assert.equal(other.subjectaltname, 'DNS:other.test');
    // A host outside tls_autocert_host_whitelist gets no certificate.
    await assert.rejects(servedCertificate(s.port, root, 'evil.test'));
    // Anything but a challenge on the http-01 listener is redirected to https.
    const redirect = await new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
      // fetch() cannot set Host; node:http can.
      httpGet({ host: '127.0.0.1', port: challengePort, path: '/x?y=1', headers: { Host: `${HOST}:${challengePort}` } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, location: res.headers.location });
      }).on('error', reject);
    });
    assert.deepEqual(redirect, { status: 302, location: `https://${HOST}/x?y=1` });
    assert.equal((await fetch(`http://127.0.0.1:${challengePort}/.well-known/acme-challenge/unknown`)).status, 404);

    // A restart with the same cache serves the cached certificate without a new order.
    await s.close();
    s = undefined;
    await terminate(pebble);
    s = await startTestServer(autocert(), { logger });
    const again = await servedCertificate(s.port, root, HOST).catch((err: unknown) => {
      throw new Error(`no cached certificate: ${String(err)}\n${logs.join('\n')}`);
    });
    assert.equal(again.fingerprint256, cert.fingerprint256);
  });

  void test('tls_autocert without tls_autocert_http stops the start naming the key', async () => {
    const { tls_autocert_http: _, ...rest } = autocert();
    await assert.rejects(startTestServer(rest), (e: unknown) => e instanceof Error && /tls_autocert_http: tls_autocert needs tls_autocert_http/.test(e.message));
  });
});
