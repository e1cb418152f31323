import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Node } from '../core/node.js';
import { decodeEmulationPayload, deliverLocally, EmulationCode, emulationStatus, encodeEmulationPayload } from './emulation.js';

function fakeNode(clients: Record<string, { protocol: string; emulation: boolean; closed?: boolean }>): { node: Node; fed: [string, string][] } {
  const fed: [string, string][] = [];
  const node = {
    clientBySession: (s: string) => {
      const c = clients[s];
      if (c === undefined) return undefined;
      return {
        closed: c.closed ?? false,
        transport: { protocol: c.protocol, emulation: c.emulation },
        handleData: (d: Uint8Array) => fed.push([s, Buffer.from(d).toString()]),
      };
    },
  } as unknown as Node;
  return { node, fed };
}

describe('emulation', () => {
  it('payloads round-trip; malformed ones decode to undefined', () => {
    const p = { session: 's1', protocol: 'protobuf' as const, data: new Uint8Array([0, 1, 255]) };
    const back = decodeEmulationPayload(encodeEmulationPayload(p));
    assert.deepEqual({ ...back, data: [...back!.data] }, { ...p, data: [0, 1, 255] });
    assert.equal(decodeEmulationPayload(Buffer.from('nope')), undefined);
    assert.equal(decodeEmulationPayload(Buffer.from('{"s":"x","p":"xml","d":""}')), undefined);
    assert.equal(decodeEmulationPayload(Buffer.from('{"s":1,"p":"json","d":""}')), undefined);
  });

  it('delivers to the emulated session of the same protocol only', () => {
    const { node, fed } = fakeNode({
      a: { protocol: 'json', emulation: true },
      b: { protocol: 'protobuf', emulation: true },
      u: { protocol: 'json', emulation: false },
      z: { protocol: 'json', emulation: true, closed: true },
    });
    const data = Buffer.from('{"id":2}');
    assert.equal(deliverLocally(node, { session: 'a', protocol: 'json', data }), EmulationCode.Ok);
    assert.equal(deliverLocally(node, { session: 'b', protocol: 'json', data }), EmulationCode.BadRequest);
    assert.equal(deliverLocally(node, { session: 'u', protocol: 'json', data }), EmulationCode.NoSession);
    assert.equal(deliverLocally(node, { session: 'z', protocol: 'json', data }), EmulationCode.NoSession);
    assert.equal(deliverLocally(node, { session: 'none', protocol: 'json', data }), EmulationCode.NoSession);
    assert.deepEqual(fed, [['a', '{"id":2}']]);
  });

  it('maps delivery codes to HTTP statuses', () => {
    assert.equal(emulationStatus(EmulationCode.Ok), 204);
    assert.equal(emulationStatus(EmulationCode.NoSession), 204);
    assert.equal(emulationStatus(EmulationCode.BadRequest), 400);
    assert.equal(emulationStatus(3), 500);
  });
});
