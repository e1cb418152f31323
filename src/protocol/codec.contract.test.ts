/** @module protocol/codec.contract.test — runs the shared codec contract for both encodings. */
// eslint-disable-next-line no-restricted-imports -- test-only: the shared contract suite lives in test/contract
import { runCodecContract } from '../../test/contract/codec.contract.js';
import { jsonCodec, protobufCodec } from './index.js';

runCodecContract(jsonCodec);
runCodecContract(protobufCodec);
