/**
 * Start-up of a real server with configuration keys Rotor does not implement: one warning per key
 * (naming it), or a config error before anything listens when serving without the key is unsafe.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { LogFields, Logger } from '../../src/core/logger.js';
import { startTestServer } from '../harness/server.js';

function capturingLogger(): Logger & { warnings: { message: string; fields: LogFields | undefined }[] } {
  const warnings: { message: string; fields: LogFields | undefined }[] = [];
  const noop = (): void => undefined;
  return { warnings, enabled: () => true, trace: noop, debug: noop, info: noop, error: noop, warn: (message, fields) => warnings.push({ message, fields }) };
}

const notImplemented = (l: ReturnType<typeof capturingLogger>): string[] => l.warnings.filter((w) => w.message.includes('is not implemented')).map((w) => w.message);

describe('start-up with unimplemented configuration keys', () => {
  it('the test configuration logs no such warning', async () => {
    const logger = capturingLogger();
    const s = await startTestServer({}, { logger });
    await s.close();
    assert.deepEqual(notImplemented(logger), []);
  });

  it('logs exactly one warning naming each key set, and still serves', async () => {
    const logger = capturingLogger();
    const s = await startTestServer(
      {
        graphite: true,
        client_concurrency: 4,
      },
      { logger },
    );
    try {
      const info = await s.api('info', {});
      assert.equal(info.status, 200);
    } finally {
      await s.close();
    }
    const warnings = notImplemented(logger);
    assert.equal(warnings.length, 2, warnings.join('\n'));
    for (const key of ['graphite', 'client_concurrency']) {
      assert.equal(warnings.filter((w) => w.startsWith(`config key ${key} is not implemented`)).length, 1, key);
    }
  });
});
