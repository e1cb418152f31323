/**
 * @module api/schema.test — the three hand-kept descriptions of the server API agree: the field tables
 * (`schema.ts`, driving JSON), `api.proto` (driving GRPC) and the TypeScript types (`types.ts`): every
 * message, every field name, its proto type, label and number order, and the method tables.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import ts from 'typescript';
import * as schemaModule from './schema.js';
import type { FieldKind, MessageSchema } from './schema.js';
import { API_METHODS, BATCH_COMMAND_ORDER, LEGACY_METHODS, MethodType } from './types.js';

const root = protobuf.parse(readFileSync(new URL('./api.proto', import.meta.url), 'utf8'), { keepCase: true }).root;
const lookup = (name: string): protobuf.Type => root.lookupType(`centrifugal.centrifugo.api.${name}`);

function isSchema(v: unknown): v is MessageSchema {
  return typeof v === 'object' && v !== null && 'fields' in v && 'byName' in v && 'name' in v;
}
/** Every message table schema.ts exports, by message name. */
const tables = new Map<string, MessageSchema>();
for (const v of Object.values(schemaModule)) if (isSchema(v)) tables.set(v.name, v);

/** Tables that stand for any message of their shape rather than one proto message. */
const GENERIC = new Set(['Empty', 'Opaque']);

/** The proto type name of a table kind (scalar name, `bytes` for raw, enum or message name). */
function protoTypeOf(kind: FieldKind): string {
  switch (kind.k) {
    case 'raw':
      return 'bytes';
    case 'enum':
      return 'MethodType';
    case 'message':
      return kind.msg().name;
    case 'repeated':
    case 'map':
      return protoTypeOf(kind.of);
    case 'string':
    case 'bool':
    case 'int32':
    case 'int64':
    case 'uint32':
    case 'uint64':
    case 'double':
      return kind.k;
  }
}

// ---- types.ts, read with the TypeScript parser --------------------------------------------------

interface TsMessage {
  /** Property name (with `?` when optional) → type text; empty for `Record<string, never>` aliases. */
  readonly props: Map<string, string>;
}
const typesSource = ts.createSourceFile('types.ts', readFileSync(new URL('./types.ts', import.meta.url), 'utf8'), ts.ScriptTarget.Latest, true);
const tsMessages = new Map<string, TsMessage>();
const interfaces = new Map(typesSource.statements.filter(ts.isInterfaceDeclaration).map((st) => [st.name.text, st]));
/** An interface's own properties, then those of the types.ts interfaces it extends. */
function interfaceProps(st: ts.InterfaceDeclaration): Map<string, string> {
  const props = new Map<string, string>();
  for (const m of st.members) {
    // Optional properties are written `name?: T` (every field is optional, as in proto3).
    if (ts.isPropertySignature(m) && m.type !== undefined) {
      props.set(m.name.getText(typesSource) + (m.questionToken ? '?' : ''), m.type.getText(typesSource));
    }
  }
  for (const base of st.heritageClauses?.flatMap((h) => h.types) ?? []) {
    const baseDecl = interfaces.get(base.expression.getText(typesSource));
    assert.ok(baseDecl, `${st.name.text} extends an interface of types.ts`);
    for (const [k, t] of interfaceProps(baseDecl)) props.set(k, t);
  }
  return props;
}
for (const st of typesSource.statements) {
  if (ts.isInterfaceDeclaration(st)) {
    tsMessages.set(st.name.text, { props: interfaceProps(st) });
  } else if (ts.isTypeAliasDeclaration(st) && st.type.getText(typesSource) === 'Record<string, never>') {
    tsMessages.set(st.name.text, { props: new Map() });
  }
}

/** The TypeScript type text types.ts uses for a table kind. */
function tsTypeOf(kind: FieldKind): string {
  switch (kind.k) {
    case 'string':
      return 'string';
    case 'bool':
      return 'boolean';
    case 'raw':
      return 'Uint8Array';
    case 'enum':
    case 'int32':
    case 'int64':
    case 'uint32':
    case 'uint64':
    case 'double':
      return 'number';
    case 'message': {
      const name = kind.msg().name;
      return name === 'Error' ? 'ApiErrorObject' : name;
    }
    case 'repeated':
      return `${tsTypeOf(kind.of)}[]`;
    case 'map':
      return `Record<string, ${tsTypeOf(kind.of)}>`;
  }
}

/** Command fields types.ts leaves out on purpose (PRO commands, decoded for validation and dropped). */
const NOT_IN_TYPES = new Set([...schemaModule.OPAQUE_FIELDS].map((f) => `Command.${f}`));
/** Messages whose PRO fields (named like OPAQUE_FIELDS) the tables leave out: accepted and dropped, never emitted. */
const PRO_FIELDS_OF = new Set(['Command', 'Reply']);
/** GRPC method name of a wire method name (`presence_stats` → `PresenceStats`, `rpc` → `RPC`). */
const camel = (m: string): string => (m === 'rpc' ? 'RPC' : m.replace(/(^|_)([a-z])/g, (_s, _u: string, c: string) => c.toUpperCase()));
/** Messages with a table but no TypeScript interface of their own (the error object is `ApiErrorObject`). */
const NO_TS_MESSAGE = new Set(['Error']);
/** Tables of messages api.proto does not have (the async consumers' `{method, payload}` envelope). */
const NOT_IN_API_PROTO = new Set(['MethodWithRequestPayload']);

void describe('server API: schema.ts tables vs api.proto vs types.ts', () => {
  for (const [name, table] of tables) {
    if (GENERIC.has(name) || NOT_IN_API_PROTO.has(name)) continue;

    void it(`${name}: api.proto has the same fields, types, labels and order`, () => {
      const type = lookup(name);
      for (const f of table.fields) {
        const pf = type.fields[f.name];
        assert.ok(pf, `${name}.${f.name} missing from api.proto`);
        if (f.kind.k === 'map') {
          assert.ok(pf instanceof protobuf.MapField, `${name}.${f.name} is a map`);
          assert.equal(pf.keyType, 'string');
        } else {
          assert.ok(!(pf instanceof protobuf.MapField), `${name}.${f.name} is not a map`);
          assert.equal(pf.repeated, f.kind.k === 'repeated', `${name}.${f.name} repeated`);
        }
        const inner = f.kind.k === 'repeated' || f.kind.k === 'map' ? f.kind.of : f.kind;
        if (inner.k === 'message' && GENERIC.has(inner.msg().name)) {
          // Stands for a message this server does not interpret (PRO) or one without fields.
          pf.resolve();
          assert.ok(pf.resolvedType instanceof protobuf.Type, `${name}.${f.name} is a message`);
          if (inner.msg().name === 'Empty') assert.equal(pf.resolvedType.fieldsArray.length, 0, `${name}.${f.name} is empty`);
        } else {
          assert.equal(pf.type, protoTypeOf(f.kind), `${name}.${f.name} type`);
        }
      }
      const numbers = table.fields.map((f) => type.fields[f.name]!.id);
      assert.deepStrictEqual(numbers, [...numbers].sort((a, b) => a - b), `${name}: table order is field-number order`);
      const missing = type.fieldsArray
        .map((pf) => pf.name)
        .filter((n) => !table.byName.has(n) && !(PRO_FIELDS_OF.has(name) && schemaModule.OPAQUE_FIELDS.has(n)));
      assert.deepStrictEqual(missing, [], `${name}: api.proto fields without a table entry`);
    });

    if (NO_TS_MESSAGE.has(name)) continue;
    void it(`${name}: types.ts has the same fields and types`, () => {
      const tsm = tsMessages.get(name);
      assert.ok(tsm, `types.ts declares ${name}`);
      const expected = table.fields.filter((f) => !NOT_IN_TYPES.has(`${name}.${f.name}`)).map((f) => [`${f.name}?`, tsTypeOf(f.kind)]);
      // The shared Empty table stands for every field-less result type (`XResult = Record<string, never>`).
      const actual = [...tsm.props].map(([k, t]) => [k, tsMessages.get(t)?.props.size === 0 && !tables.has(t) ? 'Empty' : t]);
      assert.deepStrictEqual(actual, expected);
    });
  }

  void it('every api.proto message the OSS methods reach has a table (or is an envelope or an empty result)', () => {
    const service = root.lookupService('centrifugal.centrifugo.api.CentrifugoApi');
    const queue = Object.keys(schemaModule.REQUEST_SCHEMAS).flatMap((m) => {
      const rpc = service.methods[camel(m)]!;
      return [rpc.requestType, rpc.responseType];
    });
    const seen = new Set<string>();
    while (queue.length > 0) {
      const name = queue.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      for (const f of lookup(name).fieldsArray) {
        if (PRO_FIELDS_OF.has(name) && schemaModule.OPAQUE_FIELDS.has(f.name)) continue;
        f.resolve();
        if (f.resolvedType instanceof protobuf.Type) queue.push(f.resolvedType.name);
      }
    }
    for (const name of seen) {
      if (tables.has(name)) continue;
      const t = lookup(name);
      if (name.endsWith('Response')) {
        assert.deepStrictEqual(t.fieldsArray.map((f) => [f.name, f.id, f.type]), [['error', 1, 'Error'], ['result', 2, name.replace(/Response$/, 'Result')]], name);
      } else {
        assert.ok(name.endsWith('Result') && t.fieldsArray.length === 0, `${name} has a table, or is an empty result`);
      }
    }
    assert.ok(seen.size > tables.size, 'the walk covered the API');
  });

  void it('MethodType agrees with api.proto Command.MethodType', () => {
    assert.deepStrictEqual({ ...MethodType }, { ...lookup('Command').lookupEnum('MethodType').values });
  });

  void it('method tables agree with each other and with the CentrifugoApi service', () => {
    const requests = Object.keys(schemaModule.REQUEST_SCHEMAS);
    const results = Object.keys(schemaModule.RESULT_SCHEMAS);
    assert.deepStrictEqual([...API_METHODS].sort(), [...requests].sort());
    assert.deepStrictEqual([...BATCH_COMMAND_ORDER].sort(), [...results].sort());
    assert.deepStrictEqual([...requests].sort(), [...results, 'batch'].sort());
    assert.deepStrictEqual([...LEGACY_METHODS.values()].sort(), [...results].sort());
    for (const [n, m] of LEGACY_METHODS) assert.equal(MethodType[m.toUpperCase() as keyof typeof MethodType], n, m);
    // Batch fields of Command and Reply carry the same names as the methods.
    const commandFields = schemaModule.CommandSchema.fields.map((f) => f.name);
    const replyFields = schemaModule.ReplySchema.fields.map((f) => f.name);
    for (const m of results) {
      assert.ok(commandFields.includes(m), `Command.${m}`);
      assert.ok(replyFields.includes(m), `Reply.${m}`);
    }

    const service = root.lookupService('centrifugal.centrifugo.api.CentrifugoApi');
    for (const m of requests) {
      const rpc = service.methods[camel(m)];
      assert.ok(rpc, `CentrifugoApi.${camel(m)}`);
      const table = schemaModule.REQUEST_SCHEMAS[m as keyof typeof schemaModule.REQUEST_SCHEMAS];
      assert.equal(rpc.requestType, table.name, `${m} request type`);
      if (m === 'batch') {
        assert.equal(rpc.responseType, 'BatchResponse');
        continue;
      }
      const result = schemaModule.RESULT_SCHEMAS[m as keyof typeof schemaModule.RESULT_SCHEMAS];
      const expectedResult = result.name === 'Empty' ? `${camel(m)}Result` : result.name;
      assert.deepStrictEqual(lookup(rpc.responseType).fields['result']!.type, expectedResult, `${m} result type`);
    }
  });
});
