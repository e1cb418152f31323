/**
 * End-to-end: the real centrifuge-js SDK (JSON build; SSE is JSON only) over SSE with commands
 * through POST /emulation, using the `eventsource` package as EventSource in Node.
 */
import { describeEmulationSuite } from './sdk-emulation.cases.js';

describeEmulationSuite('sse', ['json']);
