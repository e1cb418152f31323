/**
 * TLS through the `rotor` binary (src/main.ts under tsx): SIGHUP re-reads the certificate files, and
 * TLS that cannot be set up stops the start with exit code 1 and a message naming the key.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { createTestPki, servedCertificate, type CertFiles, type TestPki } from '../harness/certs.js';
import { TEST_API_KEY } from '../harness/server.js';
import { waitFor } from '../harness/wait.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

interface Proc {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
}

function rotor(configFile: string): Proc {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CENTRIFUGO_')) env[k] = v;
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'serve', '-c', configFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const collect = (d: Buffer): void => {
    lines.push(...d.toString('utf8').split('\n').filter((l) => l !== ''));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

async function fingerprint(port: number, ca: string): Promise<string> {
  return (await servedCertificate(port, ca, 'localhost')).fingerprint256;
}

void describe('TLS through the rotor binary', () => {
  let pki: TestPki;
  let first: CertFiles;
  let second: CertFiles;
  const procs: Proc[] = [];

  before(() => {
    pki = createTestPki();
    first = pki.issue('first', 'server');
    second = pki.issue('second', 'server');
  });
  after(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    pki.remove();
  });

  void test('SIGHUP: new handshakes get the certificate now in the files', async () => {
    const cert = join(pki.dir, 'hup.pem');
    const key = join(pki.dir, 'hup.key');
    copyFileSync(first.cert, cert);
    copyFileSync(first.key, key);
    const configFile = join(pki.dir, 'hup.json');
    writeFileSync(configFile, JSON.stringify({ address: '127.0.0.1', port: 0, api_key: TEST_API_KEY, log_level: 'info', tls: true, tls_cert: cert, tls_key: key }));
    const p = rotor(configFile);
    procs.push(p);
    const port = await waitFor(
      () => {
        for (const l of p.lines) {
          const m = /serving .* endpoints on .*:(\d+)/.exec(l);
          if (m) return Number(m[1]);
        }
        return 0;
      },
      30_000,
      'the serving log line',
    );
    assert.equal(await fingerprint(port, pki.caPem), new X509Certificate(first.certPem).fingerprint256);
    copyFileSync(second.cert, cert);
    copyFileSync(second.key, key);
    p.child.kill('SIGHUP');
    await waitFor(() => p.lines.some((l) => l.includes('tls certificates reloaded')), 30_000, 'the reload log line');
    assert.equal(await fingerprint(port, pki.caPem), new X509Certificate(second.certPem).fingerprint256);
    // A broken key file on SIGHUP is logged; the server keeps the certificate it has.
    writeFileSync(key, 'broken');
    p.child.kill('SIGHUP');
    await waitFor(() => p.lines.some((l) => l.includes('tls_key')), 30_000, 'the reload error naming tls_key');
    assert.equal(await fingerprint(port, pki.caPem), new X509Certificate(second.certPem).fingerprint256);
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);
  });

  void test('tls: true without a certificate: exit code 1, the message names tls_cert', async () => {
    const configFile = join(pki.dir, 'nocert.json');
    writeFileSync(configFile, JSON.stringify({ address: '127.0.0.1', port: 0, api_key: TEST_API_KEY, tls: true }));
    const p = rotor(configFile);
    procs.push(p);
    assert.equal(await p.exited, 1);
    assert.ok(p.lines.some((l) => /tls_cert: tls is enabled but neither tls_cert nor tls_cert_pem is set/.test(l)), p.lines.join('\n'));
    assert.ok(!p.lines.some((l) => /serving .* endpoints/.test(l)), 'nothing was served');
  });
});
