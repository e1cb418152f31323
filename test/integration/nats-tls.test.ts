/**
 * @module test/integration/nats-tls — `nats_tls` (Centrifugo's NATS broker keys and unified TLS object): Rotor's NATS
 * broker connects to a real nats-server that requires TLS (and, in the second case, client
 * certificates), publications flow through it to a centrifuge-js client; an untrusted server
 * certificate or an unreadable file stops start-up with a clear error. Certificates come from openssl.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../src/config/index.js';
import { createTestPki, type CertFiles, type TestPki } from '../harness/certs.js';
import { spawnNats, type NatsServerHandle } from '../harness/nats.js';
import { collect, sdkClient, type Client } from '../harness/sdk.js';
import { startTestServer, type TestServer } from '../harness/server.js';
import { waitFor } from '../harness/wait.js';

let pki: TestPki;
let other: TestPki;
let server: CertFiles;
let client: CertFiles;
let tlsNats: NatsServerHandle;
let mtlsNats: NatsServerHandle;
const servers: TestServer[] = [];
const clients: Client[] = [];

before(async () => {
  pki = createTestPki();
  other = pki.otherCa();
  server = pki.issue('server', 'server');
  client = pki.issue('client', 'client');
  const cert = ['--tlscert', server.cert, '--tlskey', server.key];
  [tlsNats, mtlsNats] = await Promise.all([
    spawnNats({ args: ['--tls', ...cert] }),
    spawnNats({ args: ['--tlsverify', '--tlscacert', pki.caFile, ...cert] }),
  ]);
});

after(async () => {
  for (const c of clients) c.disconnect();
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all([tlsNats?.stop(), mtlsNats?.stop()]);
  pki?.remove();
});

const base = {
  broker: 'nats',
  allow_anonymous_connect_without_token: true,
  allow_subscribe_for_client: true,
  allow_subscribe_for_anonymous: true,
  ping_interval: '-1s',
  nats_dial_timeout: '3s',
};

/** A publication through the API reaches a subscriber: the path goes through nats-server. */
async function roundTrip(s: TestServer, channel: string): Promise<void> {
  const c = sdkClient('json', s.wsUrl);
  clients.push(c);
  const sub = c.newSubscription(channel);
  const got = collect('json', sub);
  sub.subscribe();
  c.connect();
  await sub.ready(5000);
  const r = await s.api('publish', { channel, data: { over: 'tls' } });
  assert.deepEqual(r.body, { result: {} });
  await waitFor(() => got.values.length === 1, 5000, 'publication through NATS over TLS');
  assert.deepEqual(got.values, [{ over: 'tls' }]);
}

describe('nats_tls', () => {
  it('server CA from a file: the broker talks TLS to nats-server', async () => {
    const s = await startTestServer({
      ...base,
      nats_url: tlsNats.url,
      nats_prefix: 'tls1',
      nats_tls: { enabled: true, server_ca_pem_file: pki.caFile },
    });
    servers.push(s);
    await roundTrip(s, 'tls-news');
  });

  it('mutual TLS with inline / base64 PEMs (client certificate required by nats-server)', async () => {
    const s = await startTestServer({
      ...base,
      nats_url: mtlsNats.url,
      nats_prefix: 'tls2',
      nats_tls: {
        enabled: true,
        server_ca_pem: pki.caPem,
        cert_pem_b64: Buffer.from(client.certPem).toString('base64'),
        key_pem: client.keyPem,
        server_name: 'localhost',
      },
    });
    servers.push(s);
    await roundTrip(s, 'mtls-news');
  });

  it('a server certificate from an untrusted CA fails start-up', async () => {
    await assert.rejects(
      startTestServer({ ...base, nats_url: tlsNats.url, nats_prefix: 'tls3', nats_tls: { enabled: true, server_ca_pem_file: other.caFile } }),
      (err: Error) => /nats|certificate|self.signed|verify/i.test(err.message),
    );
  });

  it('insecure_skip_verify accepts the untrusted certificate', async () => {
    const s = await startTestServer({ ...base, nats_url: tlsNats.url, nats_prefix: 'tls4', nats_tls: { enabled: true, insecure_skip_verify: true } });
    servers.push(s);
    await roundTrip(s, 'insecure-news');
  });

  it('without a client certificate the mTLS nats-server refuses the connection: start-up fails', async () => {
    await assert.rejects(
      startTestServer({ ...base, nats_url: mtlsNats.url, nats_prefix: 'tls5', nats_tls: { enabled: true, server_ca_pem_file: pki.caFile } }),
      Error,
    );
  });

  it('an unreadable PEM file is a config error naming the key', async () => {
    await assert.rejects(
      startTestServer({ ...base, nats_url: tlsNats.url, nats_tls: { enabled: true, server_ca_pem_file: `${pki.dir}/missing.pem` } }),
      (err: unknown) => err instanceof ConfigError && err.problems.some((p) => p.path === 'nats_tls.server_ca_pem_file'),
    );
  });
});
