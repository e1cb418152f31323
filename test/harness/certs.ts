/**
 * @module test/harness/certs — a throw-away PKI made with the real `openssl` CLI: a CA, a server
 * certificate for 127.0.0.1 / localhost and a client certificate, as files in a temporary directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  readonly dir: string;
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** PEM text of a file of this PKI. */
  pem(file: string): string;
  remove(): void;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** Creates a CA (`name`), then server and client certificates signed by it; 1-day validity, EC keys. */
export function createTestPki(name = 'rotor-test'): TestPki {
  const dir = mkdtempSync(join(tmpdir(), `${name}-pki-`));
  const f = (n: string): string => join(dir, n);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '1', '-subj', `/CN=${name} CA`]);
  const leaf = (kind: string, cn: string, ext: string): void => {
    openssl(['req', ...ec, '-keyout', f(`${kind}.key`), '-out', f(`${kind}.csr`), '-subj', `/CN=${cn}`]);
    const extFile = f(`${kind}.ext`);
    execFileSync('sh', ['-c', `printf '%s\\n' "$1" > "$2"`, 'sh', ext, extFile]);
    openssl(['x509', '-req', '-in', f(`${kind}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f(`${kind}.pem`), '-days', '1', '-extfile', extFile]);
  };
  leaf('server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth');
  leaf('client', 'rotor-client', 'extendedKeyUsage=clientAuth');
  return {
    dir,
    caFile: f('ca.pem'),
    serverCertFile: f('server.pem'),
    serverKeyFile: f('server.key'),
    clientCertFile: f('client.pem'),
    clientKeyFile: f('client.key'),
    pem: (file) => readFileSync(file, 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
