/**
 * End-to-end: the real centrifuge-js SDK (JSON and Protobuf builds) over HTTP-streaming with
 * commands through POST /emulation.
 */
import { describeEmulationSuite } from './sdk-emulation.cases.js';
import { PROTOCOLS } from '../harness/sdk.js';

describeEmulationSuite('http_stream', PROTOCOLS);
