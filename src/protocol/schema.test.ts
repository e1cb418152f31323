/** @module protocol/schema.test — the codec tables agree with client.proto (numbers, types, labels). */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { schema } from './schema.js';
import type { MessageName } from './schema.js';

const root = protobuf.parse(readFileSync(new URL('./client.proto', import.meta.url), 'utf8'), { keepCase: true }).root;
const lookup = (name: string): protobuf.Type => root.lookupType(`centrifugal.centrifuge.protocol.${name}`);

/** Proto fields the codecs deliberately leave to "unknown field" handling (not in types.ts; [ext] or never sent). */
const NOT_IN_TABLES = new Set([
  'Reply.ping',
  'Push.id',
  'ConnectResult.flag',
  'ConnectResult.dict',
  'SubscribeResult.id',
  'SubscribeResult.type',
  'SubscribeResult.phase',
  'SubscribeResult.cursor',
  'SubscribeResult.state',
  'SubscribeResult.publish_debounce',
  'SubRefreshRequest.track',
  'SubRefreshRequest.untrack',
  'SubRefreshResult.items',
]);

void describe('schema tables vs client.proto', () => {
  const names = (Object.keys(schema) as MessageName[]).filter((n) => n !== 'EmulationRequestJson');

  for (const name of names) {
    void it(`${name} matches`, () => {
      const type = lookup(name);
      const desc = schema[name];
      for (const f of desc.fields) {
        const pf = type.fields[f.json];
        assert.ok(pf, `${name}.${f.json} missing from client.proto`);
        assert.equal(pf.id, f.no, `${name}.${f.json} number`);
        const valueType = f.scalar ?? f.message!.name;
        if (f.kind === 'map') {
          assert.ok(pf instanceof protobuf.MapField, `${name}.${f.json} is a map`);
          assert.equal(pf.keyType, 'string');
          assert.equal(pf.type, valueType);
        } else {
          assert.ok(!(pf instanceof protobuf.MapField));
          assert.equal(pf.type, valueType, `${name}.${f.json} type`);
          assert.equal(pf.repeated, f.repeated, `${name}.${f.json} repeated`);
        }
        assert.equal(f.tag, f.no * 8 + f.wireType);
      }
      for (const pf of type.fieldsArray) {
        if (desc.byJson.has(pf.name)) continue;
        assert.ok(NOT_IN_TABLES.has(`${name}.${pf.name}`), `${name}.${pf.name} is in client.proto but not in the tables`);
      }
      // Declaration order is field-number order (JSON output order).
      const numbers = desc.fields.map((f) => f.no);
      assert.deepStrictEqual(numbers, [...numbers].sort((a, b) => a - b));
    });
  }

  void it('every message of client.proto the protocol sends or receives has a table', () => {
    const all = root.lookup('centrifugal.centrifuge.protocol') as protobuf.Namespace;
    const inProto = all.nestedArray.filter((n) => n instanceof protobuf.Type).map((t) => t.name);
    const withoutTable = inProto.filter((n) => !(n in schema));
    assert.deepStrictEqual(withoutTable.sort(), ['Dictionary', 'KeyedItem', 'PingResult', 'TrackBatch']);
  });

  void it('uses camelCase property names of the snake_case proto names', () => {
    assert.equal(schema.SubscribeResult.byJson.get('was_recovering')!.name, 'wasRecovering');
    assert.equal(schema.Reply.byJson.get('presence_stats')!.name, 'presenceStats');
    assert.equal(schema.ClientInfo.byJson.get('conn_info')!.name, 'connInfo');
    assert.equal(schema.Publication.byJson.get('prev_data')!.name, 'prevData');
  });
});
