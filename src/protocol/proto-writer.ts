/**
 * @module protocol/proto-writer — schema-driven protobuf encoding of server messages on the wire
 * writer (`wire/writer.ts`). Scalars follow proto3 implicit presence (defaults are not written); a
 * present sub-message is always written, even when empty (Centrifugo's Protobuf client encoding).
 */
import type { ProtoWriter } from '../wire/writer.js';
import type { FieldDesc, MessageDesc } from './schema.js';

type Obj = Record<string, unknown>;

function writeScalar(w: ProtoWriter, f: FieldDesc, v: unknown, inList: boolean): void {
  switch (f.scalar) {
    case 'string': {
      const s = typeof v === 'string' ? v : '';
      if (s === '' && !inList) return;
      w.varint(f.tag);
      w.string(s);
      return;
    }
    case 'bytes': {
      const b = v instanceof Uint8Array ? v : EMPTY;
      if (b.length === 0 && !inList) return;
      w.varint(f.tag);
      w.bytes(b);
      return;
    }
    case 'bool':
      if (v !== true && !inList) return;
      w.varint(f.tag);
      w.varint(v === true ? 1 : 0);
      return;
    case 'uint32':
    case 'int32':
    case 'uint64':
    case 'int64':
    case 'sint64':
    case undefined: {
      let n = typeof v === 'number' ? v : 0;
      if (n === 0 && !inList) return;
      if (f.scalar === 'sint64') n = n < 0 ? -2 * n - 1 : 2 * n;
      w.varint(f.tag);
      w.varint(n);
    }
  }
}

const EMPTY = new Uint8Array(0);

/** Map entry: key (1, string) and value (2), both always written. */
function writeMapEntry(w: ProtoWriter, f: FieldDesc, key: string, v: unknown): void {
  w.varint(f.tag);
  const mark = w.beginLen();
  w.varint(0x0a);
  w.string(key);
  if (f.message !== undefined) {
    w.varint(0x12);
    const m = w.beginLen();
    if (v !== undefined && v !== null) writeMessage(w, f.message, v as Obj);
    w.endLen(m);
  } else {
    w.varint(0x12);
    w.string(typeof v === 'string' ? v : '');
  }
  w.endLen(mark);
}

/** Writes the fields of `obj` (message body, no length prefix). */
export function writeMessage(w: ProtoWriter, desc: MessageDesc, obj: Obj): void {
  for (const f of desc.fields) {
    const v = obj[f.name];
    if (v === undefined || v === null) continue;
    if (f.kind === 'map') {
      const m = v as Obj;
      for (const k of Object.keys(m)) writeMapEntry(w, f, k, m[k]);
    } else if (f.kind === 'message') {
      if (f.repeated) {
        for (const item of v as unknown[]) {
          w.varint(f.tag);
          const mark = w.beginLen();
          if (item !== undefined && item !== null) writeMessage(w, f.message!, item as Obj);
          w.endLen(mark);
        }
      } else {
        w.varint(f.tag);
        const mark = w.beginLen();
        writeMessage(w, f.message!, v as Obj);
        w.endLen(mark);
      }
    } else if (f.repeated) {
      for (const item of v as unknown[]) writeScalar(w, f, item, true);
    } else {
      writeScalar(w, f, v, false);
    }
  }
}
