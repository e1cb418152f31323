import { describeEmulationSuite } from '../test/e2e/sdk-emulation.cases.js';
import { after } from 'node:test';
const t0 = Date.now();
after(() => console.log('after at', Date.now() - t0));
process.on('exit', () => console.log('exit at', Date.now() - t0));
describeEmulationSuite('sse', ['json']);
