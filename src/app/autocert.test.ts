/** @module app/autocert.test — `tls_autocert_http_addr` parsing. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../config/index.js';
import { parseHostPort } from './autocert.js';

void describe('parseHostPort', () => {
  void it('accepts :port, host:port, [v6]:port and a bare port', () => {
    assert.deepEqual(parseHostPort(':80', 'k'), { address: '', port: 80 });
    assert.deepEqual(parseHostPort('127.0.0.1:8080', 'k'), { address: '127.0.0.1', port: 8080 });
    assert.deepEqual(parseHostPort('[::1]:81', 'k'), { address: '::1', port: 81 });
    assert.deepEqual(parseHostPort('82', 'k'), { address: '', port: 82 });
  });
  void it('names the key when the value is not [host]:port', () => {
    for (const bad of ['', 'host:', 'host:http', ':70000', ':-1']) {
      assert.throws(
        () => parseHostPort(bad, 'tls_autocert_http_addr'),
        (e: unknown) => e instanceof ConfigError && e.problems[0]?.path === 'tls_autocert_http_addr',
        JSON.stringify(bad),
      );
    }
  });
});
