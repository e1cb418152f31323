/** @module api/grpc-tls.test — which TLS settings the GRPC API uses. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { defaultConfig } from '../config/index.js';
import { grpcApiCredentials, grpcApiTlsSources, GrpcTlsError } from './grpc-tls.js';

const base = defaultConfig();

void describe('grpc-tls', () => {
  void it('plaintext by default', () => {
    assert.equal(grpcApiTlsSources(base), undefined);
    assert.equal(grpcApiCredentials(base)._isSecure(), false);
  });

  void it('grpc_api_tls uses the dedicated keys', () => {
    const s = grpcApiTlsSources({ ...base, grpc_api_tls: true, grpc_api_tls_cert: 'c', grpc_api_tls_key_pem: 'k', grpc_api_tls_client_ca_pem: 'ca', tls: true, tls_cert: 'http' });
    assert.deepEqual(s, { certFile: 'c', certPem: '', keyFile: '', keyPem: 'k', clientCaFile: '', clientCaPem: 'ca' });
  });

  void it('inherits the HTTP tls settings unless grpc_api_tls_disable', () => {
    const http = { ...base, tls: true, tls_cert: 'hc', tls_key: 'hk' };
    assert.deepEqual(grpcApiTlsSources(http), { certFile: 'hc', certPem: '', keyFile: 'hk', keyPem: '', clientCaFile: '', clientCaPem: '' });
    assert.equal(grpcApiTlsSources({ ...http, grpc_api_tls_disable: true }), undefined);
  });

  void it('missing certificate or key, unreadable file → GrpcTlsError', () => {
    assert.throws(() => grpcApiCredentials({ ...base, grpc_api_tls: true }), GrpcTlsError);
    assert.throws(() => grpcApiCredentials({ ...base, grpc_api_tls: true, grpc_api_tls_cert_pem: 'x' }), GrpcTlsError);
    assert.throws(() => grpcApiCredentials({ ...base, grpc_api_tls: true, grpc_api_tls_cert: '/nonexistent/cert.pem', grpc_api_tls_key_pem: 'k' }), /cannot read certificate file/);
  });
});
