/** @module api/grpc-status.test — the hand-encoded rich status matches google.rpc.Status / Any / Error. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { API_ERROR_TYPE_URL, encodeApiError, encodeStatusDetails, STATUS_DETAILS_KEY, statusError, transportError } from './grpc-status.js';

const { root } = protobuf.parse(`
syntax = "proto3";
package t;
message Any { string type_url = 1; bytes value = 2; }
message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
message Error { uint32 code = 1; string message = 2; }
`, { keepCase: true });
const Status = root.lookupType('t.Status');
const ErrorType = root.lookupType('t.Error');

interface DecodedStatus {
  code: number;
  message: string;
  details: { type_url: string; value: Uint8Array }[];
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const str = (s: string): string => Buffer.from(s).toString('hex');

void describe('grpc-status', () => {
  void it('Error is encoded like proto3 (zero fields omitted)', () => {
    assert.equal(hex(encodeApiError({ code: 107, message: 'bad request' })), `086b120b${str('bad request')}`);
    assert.equal(hex(encodeApiError({ code: 0, message: '' })), '');
    assert.equal(hex(encodeApiError({ code: 300, message: '' })), '08ac02');
  });

  void it('exact bytes of the status for 107 bad request → INVALID_ARGUMENT', () => {
    const err = `086b120b${str('bad request')}`;
    const any = `0a${(API_ERROR_TYPE_URL.length).toString(16)}${str(API_ERROR_TYPE_URL)}120f${err}`;
    const expected = `0803120b${str('bad request')}1a${(any.length / 2).toString(16)}${any}`;
    assert.equal(hex(encodeStatusDetails(3, { code: 107, message: 'bad request' })), expected);
  });

  void it('decodes with a protobuf library as google.rpc.Status carrying the API Error', () => {
    for (const [grpcCode, error] of [
      [5, { code: 102, message: 'unknown channel' }],
      [13, { code: 100, message: 'internal server error' }],
      [11, { code: 112, message: 'unrecoverable position' }],
      [3, { code: 108, message: 'x'.repeat(300) }],
    ] as const) {
      const decoded = Status.toObject(Status.decode(encodeStatusDetails(grpcCode, error)), { defaults: true }) as DecodedStatus;
      assert.equal(decoded.code, grpcCode);
      assert.equal(decoded.message, error.message);
      assert.equal(decoded.details.length, 1);
      assert.equal(decoded.details[0]?.type_url, API_ERROR_TYPE_URL);
      assert.deepEqual(ErrorType.toObject(ErrorType.decode(decoded.details[0].value)), error);
    }
  });

  void it('transportError: mapped code, message, details trailer', () => {
    const e = transportError({ code: 104, message: 'not found' });
    assert.ok(e instanceof Error);
    assert.equal(e.code, 5);
    assert.equal(e.details, 'not found');
    const trailer = e.metadata?.get(STATUS_DETAILS_KEY);
    assert.equal(trailer?.length, 1);
    assert.deepEqual(trailer?.[0], encodeStatusDetails(5, { code: 104, message: 'not found' }));
    assert.equal(transportError({ code: 999, message: 'odd' }).code, 13);
    assert.equal(transportError({ code: 113, message: 'conflict' }).code, 6);
  });

  void it('statusError without metadata', () => {
    const e = statusError(16, 'unauthenticated');
    assert.equal(e.code, 16);
    assert.equal(e.details, 'unauthenticated');
    assert.equal(e.metadata, undefined);
  });
});
