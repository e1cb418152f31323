/**
 * @module protocol/json-writer — JSON output of server messages (Centrifugo's JSON client encoding rules).
 *
 * Text is accumulated as a JS string; raw `bytes` payloads are never decoded: they are validated
 * (UTF-8 + JSON grammar) and kept as byte segments that `finish` copies into the single output
 * buffer, dropping their `\n` bytes. Field order follows the schema, defaults are omitted except
 * `always` fields.
 */
import { Buffer } from 'node:buffer';
import { EncodeError } from './codec.js';
import { copyWithoutNewlines, isValidJson, lengthWithoutNewlines } from './raw-json.js';
import type { FieldDesc, MessageDesc } from './schema.js';
import type { ProtoClientInfo, ProtoPublication } from './types.js';

type Obj = Record<string, unknown>;

export class JsonOut {
  /** Text since the last raw segment. */
  s = '';
  /** Alternating text / raw segments written before `s` (the first `n` entries are live). */
  private parts: (string | Uint8Array)[] = [];
  private n = 0;

  reset(): void {
    this.s = '';
    this.n = 0;
  }

  /** Appends a raw JSON payload (already known to be non-empty). Throws EncodeError if not JSON. */
  raw(bytes: Uint8Array, field: string): void {
    if (!isValidJson(bytes)) throw new EncodeError(`${field} is not valid JSON: cannot be sent over a JSON connection`);
    if (bytes.indexOf(NL) !== -1) {
      const stripped = new Uint8Array(lengthWithoutNewlines(bytes));
      copyWithoutNewlines(stripped, 0, bytes);
      bytes = stripped;
    }
    this.parts[this.n++] = this.s;
    this.parts[this.n++] = bytes;
    this.s = '';
  }

  finish(): Uint8Array {
    const parts = this.parts;
    const n = this.n;
    if (n === 0) return Buffer.from(this.s, 'utf8');
    let total = Buffer.byteLength(this.s, 'utf8');
    for (let i = 0; i < n; i += 2) {
      total += Buffer.byteLength(parts[i] as string, 'utf8') + (parts[i + 1] as Uint8Array).length;
    }
    const out = Buffer.allocUnsafe(total);
    let pos = 0;
    for (let i = 0; i < n; i += 2) {
      pos += out.write(parts[i] as string, pos, 'utf8');
      const raw = parts[i + 1] as Uint8Array;
      out.set(raw, pos);
      pos += raw.length;
      parts[i + 1] = EMPTY; // do not keep payloads alive in the scratch writer
    }
    out.write(this.s, pos, 'utf8');
    this.n = 0;
    return out;
  }
}

const NL = 0x0a;
const EMPTY = new Uint8Array(0);

/** Decimal text of an integer field (never exponent notation). */
function intText(n: number): string {
  if (Number.isSafeInteger(n)) return '' + n;
  if (!Number.isFinite(n)) return '0';
  return BigInt(Math.trunc(n)).toString();
}

function isEmpty(f: FieldDesc, v: unknown): boolean {
  if (f.kind === 'map') return Object.keys(v as Obj).length === 0;
  if (f.repeated) return (v as unknown[]).length === 0;
  if (f.kind === 'message') return false; // presence of a sub-message is meaningful
  switch (f.scalar) {
    case 'string':
      return v === '';
    case 'bytes':
      return (v as Uint8Array).length === 0;
    case 'bool':
      return v === false;
    case 'uint32':
    case 'int32':
    case 'uint64':
    case 'int64':
    case 'sint64':
    case undefined:
      return v === 0;
  }
}

function emptyText(f: FieldDesc): string {
  if (f.kind === 'map') return '{}';
  if (f.repeated) return '[]';
  if (f.kind === 'message') return '{}';
  switch (f.scalar) {
    case 'string':
    case 'bytes':
      return '""';
    case 'bool':
      return 'false';
    case 'uint32':
    case 'int32':
    case 'uint64':
    case 'int64':
    case 'sint64':
    case undefined:
      return '0';
  }
}

/** Writes `obj` as message `desc`. */
export function writeMessage(out: JsonOut, desc: MessageDesc, obj: Obj): void {
  let first = true;
  out.s += '{';
  for (const f of desc.fields) {
    const v = obj[f.name];
    if (v === undefined || v === null || isEmpty(f, v)) {
      if (!f.always) continue;
      out.s += (first ? '' : ',') + f.jsonKey + emptyText(f);
      first = false;
      continue;
    }
    out.s += (first ? '' : ',') + f.jsonKey;
    first = false;
    if (f.kind === 'map') {
      let firstKey = true;
      out.s += '{';
      const m = v as Obj;
      for (const k of Object.keys(m)) {
        out.s += (firstKey ? '' : ',') + JSON.stringify(k) + ':';
        firstKey = false;
        writeElement(out, f, m[k]);
      }
      out.s += '}';
    } else if (f.repeated) {
      const list = v as unknown[];
      out.s += '[';
      for (let i = 0; i < list.length; i++) {
        if (i > 0) out.s += ',';
        writeElement(out, f, list[i]);
      }
      out.s += ']';
    } else {
      writeElement(out, f, v);
    }
  }
  out.s += '}';
}

function writeElement(out: JsonOut, f: FieldDesc, v: unknown): void {
  if (f.message !== undefined) {
    if (v === undefined || v === null) out.s += '{}';
    else writeMessage(out, f.message, v as Obj);
    return;
  }
  switch (f.scalar) {
    case 'string':
      out.s += JSON.stringify(v ?? '');
      return;
    case 'bytes': {
      const b = v as Uint8Array | undefined;
      // A raw value must be a JSON value: an empty payload inside a list/map becomes "".
      if (b === undefined || b.length === 0) out.s += '""';
      else out.raw(b, f.json);
      return;
    }
    case 'bool':
      out.s += v === true ? 'true' : 'false';
      return;
    case 'uint32':
    case 'int32':
    case 'uint64':
    case 'int64':
    case 'sint64':
    case undefined:
      out.s += intText(typeof v === 'number' ? v : 0);
  }
}

// ---- hand-written hot path ----

function writeClientInfo(out: JsonOut, info: ProtoClientInfo): void {
  out.s += '{"user":' + JSON.stringify(info.user ?? '') + ',"client":' + JSON.stringify(info.client ?? '');
  if (info.connInfo !== undefined && info.connInfo.length > 0) {
    out.s += ',"conn_info":';
    out.raw(info.connInfo, 'conn_info');
  }
  if (info.chanInfo !== undefined && info.chanInfo.length > 0) {
    out.s += ',"chan_info":';
    out.raw(info.chanInfo, 'chan_info');
  }
  out.s += '}';
}

/** Publication fields in proto order; same output as `writeMessage(schema.Publication)`, faster. */
export function writePublication(out: JsonOut, p: ProtoPublication): void {
  let sep = '{';
  if (p.data !== undefined && p.data.length > 0) {
    out.s += '{"data":';
    out.raw(p.data, 'data');
    sep = ',';
  }
  if (p.info !== undefined) {
    out.s += sep + '"info":';
    writeClientInfo(out, p.info);
    sep = ',';
  }
  if (p.offset) {
    out.s += sep + '"offset":' + intText(p.offset);
    sep = ',';
  }
  if (p.tags !== undefined) {
    const keys = Object.keys(p.tags);
    if (keys.length > 0) {
      out.s += sep + '"tags":{';
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        out.s += (i > 0 ? ',' : '') + JSON.stringify(k) + ':' + JSON.stringify(p.tags[k] ?? '');
      }
      out.s += '}';
      sep = ',';
    }
  }
  if (p.delta === true) {
    out.s += sep + '"delta":true';
    sep = ',';
  }
  if (p.time) {
    out.s += sep + '"time":' + intText(p.time);
    sep = ',';
  }
  if (p.channel) {
    out.s += sep + '"channel":' + JSON.stringify(p.channel);
    sep = ',';
  }
  if (p.key) {
    out.s += sep + '"key":' + JSON.stringify(p.key);
    sep = ',';
  }
  if (p.removed === true) {
    out.s += sep + '"removed":true';
    sep = ',';
  }
  if (p.score) {
    out.s += sep + '"score":' + intText(p.score);
    sep = ',';
  }
  if (p.epoch) {
    out.s += sep + '"epoch":' + JSON.stringify(p.epoch);
    sep = ',';
  }
  if (p.prevData !== undefined && p.prevData.length > 0) {
    out.s += sep + '"prev_data":';
    out.raw(p.prevData, 'prev_data');
    sep = ',';
  }
  if (p.version) {
    out.s += sep + '"version":' + intText(p.version);
    sep = ',';
  }
  out.s += sep === '{' ? '{}' : '}';
}
