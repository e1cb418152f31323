/** @module test/harness/certs — a throw-away test CA and certificates made with the `openssl` CLI. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { basename, join } from 'node:path';

export interface CertFiles {
  /** PEM paths. */
  readonly cert: string;
  readonly key: string;
  /** PEM contents. */
  readonly certPem: string;
  readonly keyPem: string;
}

export interface TestPki {
  readonly dir: string;
  /** The CA certificate (PEM path and text). */
  readonly caFile: string;
  readonly caPem: string;
  /** Issues a certificate signed by the CA: a server one (SAN 127.0.0.1, 127.0.0.2, localhost) or a client one. */
  issue(name: string, kind: 'server' | 'client', subjectAltName?: string): CertFiles;
  /** A second, unrelated CA's certificate (to test that its clients are refused). */
  otherCa(): TestPki;
  remove(): void;
}

function openssl(args: readonly string[]): void {
  execFileSync('openssl', [...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Creates a CA in a fresh temporary directory. */
export function createTestPki(dir: string = mkdtempSync(join(tmpdir(), 'rotor-pki-'))): TestPki {
  const caFile = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca.key');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', caKey, '-out', caFile, '-days', '2', '-subj', `/CN=Rotor Test CA ${basename(dir)}`]);
  return {
    dir,
    caFile,
    caPem: readFileSync(caFile, 'utf8'),
    issue(name, kind, subjectAltName = 'IP:127.0.0.1,IP:127.0.0.2,DNS:localhost') {
      const key = join(dir, `${name}.key`);
      const csr = join(dir, `${name}.csr`);
      const cert = join(dir, `${name}.pem`);
      const ext = join(dir, `${name}.ext`);
      writeFileSync(ext, kind === 'server' ? `subjectAltName=${subjectAltName}\nextendedKeyUsage=serverAuth\n` : 'extendedKeyUsage=clientAuth\n');
      openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${name}`]);
      openssl(['x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext]);
      return { cert, key, certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') };
    },
    otherCa() {
      return createTestPki(mkdtempSync(join(dir, 'other-')));
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The certificate a TLS listener on 127.0.0.1 presents, verified against `ca`. `servername` is sent
 * as SNI (and checked against the certificate); without it no SNI is sent and the name is not checked.
 */
export async function servedCertificate(port: number, ca: string, servername?: string): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, ...(servername !== undefined ? { servername } : { checkServerIdentity: () => undefined }) }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      resolve(cert);
    });
    socket.once('error', reject);
  });
}
