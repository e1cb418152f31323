/** @module api/errors.test — the API error catalogue and its transport-mode status tables. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { ApiError, ApiErrors, GrpcStatus, toGrpcStatus, toHttpStatus } from './errors.js';

void test('catalogue codes and exact messages', () => {
  assert.deepEqual(
    Object.values(ApiErrors).map((e) => [e.code, e.message]),
    [
      [100, 'internal server error'],
      [102, 'unknown channel'],
      [104, 'not found'],
      [107, 'bad request'],
      [108, 'not available'],
      [112, 'unrecoverable position'],
      [113, 'conflict'],
    ],
  );
});

void test('HTTP status table of the transport error mode', () => {
  const table: Array<[number, number]> = [
    [100, 500],
    [102, 404],
    [104, 404],
    [107, 400],
    [108, 400],
    [112, 416],
    [113, 409],
    [101, 500],
    [0, 500],
    [999, 500],
  ];
  for (const [code, status] of table) assert.equal(toHttpStatus(code), status, `code ${code}`);
});

void test('GRPC status table of the transport error mode', () => {
  const table: Array<[number, number]> = [
    [100, 13],
    [102, 5],
    [104, 5],
    [107, 3],
    [108, 3],
    [112, 11],
    [113, 6],
    [103, 13],
    [999, 13],
  ];
  for (const [code, status] of table) assert.equal(toGrpcStatus(code), status, `code ${code}`);
  assert.equal(GrpcStatus.UNAUTHENTICATED, 16);
});

void test('ApiError carries the code and the wire object', () => {
  const cause = new Error('boom');
  const err = new ApiError(ApiErrors.UnknownChannel, { cause });
  assert.ok(err instanceof Error);
  assert.equal(err.name, 'ApiError');
  assert.equal(err.code, 102);
  assert.equal(err.cause, cause);
  assert.deepEqual(err.toObject(), { code: 102, message: 'unknown channel' });
});
