/** @module config/tls-sources.test — which TLS settings the GRPC API and uni_grpc servers use. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { tlsSources } from './tls-sources.js';
import { defaultConfig } from './validate.js';

const base = defaultConfig();
const none = { certFile: '', certPem: '', keyFile: '', keyPem: '', clientCaFile: '', clientCaPem: '' };

void describe('tls-sources', () => {
  void it('plaintext by default', () => {
    assert.equal(tlsSources(base, 'grpc_api'), undefined);
    assert.equal(tlsSources(base, 'uni_grpc'), undefined);
  });

  void it('a server’s own keys win over the HTTP ones, each server reading only its own', () => {
    const c = {
      ...base,
      tls: true,
      tls_cert: 'http',
      uni_grpc_tls: true,
      uni_grpc_tls_cert: 'uc',
      uni_grpc_tls_cert_pem: 'ucp',
      uni_grpc_tls_key: 'uk',
      uni_grpc_tls_key_pem: 'ukp',
      uni_grpc_tls_client_ca: 'uca',
      uni_grpc_tls_client_ca_pem: 'ucap',
    };
    assert.deepEqual(tlsSources(c, 'uni_grpc'), { certFile: 'uc', certPem: 'ucp', keyFile: 'uk', keyPem: 'ukp', clientCaFile: 'uca', clientCaPem: 'ucap' });
    assert.deepEqual(tlsSources(c, 'grpc_api'), { ...none, certFile: 'http' });
  });

  void it('inherits every HTTP tls source unless <server>_tls_disable', () => {
    const http = { ...base, tls: true, tls_cert: 'c', tls_cert_pem: 'cp', tls_key: 'k', tls_key_pem: 'kp', tls_client_ca: 'ca', tls_client_ca_pem: 'cap' };
    const inherited = { certFile: 'c', certPem: 'cp', keyFile: 'k', keyPem: 'kp', clientCaFile: 'ca', clientCaPem: 'cap' };
    assert.deepEqual(tlsSources(http, 'uni_grpc'), inherited);
    assert.deepEqual(tlsSources(http, 'grpc_api'), inherited);
    assert.equal(tlsSources({ ...http, uni_grpc_tls_disable: true }, 'uni_grpc'), undefined);
    assert.equal(tlsSources({ ...http, grpc_api_tls_disable: true }, 'grpc_api'), undefined);
    const grpcApiOff = { ...http, grpc_api_tls_disable: true };
    assert.deepEqual(tlsSources(grpcApiOff, 'uni_grpc'), inherited);
  });
});
