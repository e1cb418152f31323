/** @module config/schema/types — field descriptors of the configuration schema and the value types derived from them. */

/**
 * Value type of one key, as written in Centrifugo's configuration tables:
 * - `string`, `int`, `bool`: scalars (`int` values are JS numbers).
 * - `duration`: Go `time.ParseDuration` text in files/env; **milliseconds** (number) in `Config`.
 * - `string[]`: list of strings (space-separated in env; a plain string in a file is split on spaces).
 * - `string-or-string[]`: a string or a list; always a list in `Config`.
 * - `map`: string → string object (JSON text in env).
 * - `object`: a nested object with its own fields (env: `CENTRIFUGO_<KEY>_<FIELD>`).
 * - `object[]`: a list of objects (JSON text in env); typed when `item` is given, loose otherwise.
 */
export type FieldType =
  | 'string'
  | 'int'
  | 'bool'
  | 'duration'
  | 'string[]'
  | 'string-or-string[]'
  | 'map'
  | 'object'
  | 'object[]';

interface BaseSpec {
  /** What the key does (Centrifugo `doc:` tag equivalent). */
  readonly doc: string;
}

export interface StringSpec<V extends string = string> extends BaseSpec {
  readonly type: 'string';
  readonly default: V;
  /** Allowed values; absent = any string. */
  readonly values?: readonly V[];
  /** Only for fields of list items: the field must be present (e.g. namespace `name`). */
  readonly required?: boolean;
}

export interface IntSpec extends BaseSpec {
  readonly type: 'int';
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
}

export interface BoolSpec extends BaseSpec {
  readonly type: 'bool';
  readonly default: boolean;
}

export interface DurationSpec extends BaseSpec {
  readonly type: 'duration';
  /** Go duration text, e.g. `"25s"`; `"0"` for zero. */
  readonly default: string;
  /** Value must be whole seconds (`history_ttl`, `global_presence_ttl`, …). */
  readonly wholeSeconds?: boolean;
  /** A negative value means "disabled" (normalised to -1); 0 means "use the default". */
  readonly negativeDisables?: boolean;
}

export interface StringListSpec extends BaseSpec {
  readonly type: 'string[]' | 'string-or-string[]';
  readonly default: readonly string[];
}

export interface MapSpec extends BaseSpec {
  readonly type: 'map';
  readonly default: Readonly<Record<string, string>>;
}

export interface ObjectSpec<F extends Fields = Fields> extends BaseSpec {
  readonly type: 'object';
  readonly fields: F;
}

export interface ObjectListSpec<F extends Fields | undefined = Fields | undefined> extends BaseSpec {
  readonly type: 'object[]';
  /** Schema of every item; `undefined` = items are stored as loose JSON objects. */
  readonly item: F;
  /** How unknown item keys are reported: `namespace` / `rpc_namespace` use the item's `name`. */
  readonly itemKind?: 'namespace' | 'rpc_namespace';
}

export type FieldSpec =
  | StringSpec
  | IntSpec
  | BoolSpec
  | DurationSpec
  | StringListSpec
  | MapSpec
  | ObjectSpec
  | ObjectListSpec;

export interface Fields {
  readonly [key: string]: FieldSpec;
}

/** A JSON value kept as-is (loose list items such as `proxies` and `consumers`). */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** The `Config` value type of one field spec. */
type ValueOf<S> =
  S extends StringSpec<infer V>
    ? V
    : S extends IntSpec | DurationSpec
      ? number
      : S extends BoolSpec
        ? boolean
        : S extends StringListSpec
          ? readonly string[]
          : S extends MapSpec
            ? Readonly<Record<string, string>>
            : S extends ObjectSpec<infer F>
              ? ValuesOf<F>
              : S extends ObjectListSpec<infer F>
                ? F extends Fields
                  ? readonly ValuesOf<F>[]
                  : readonly { readonly [key: string]: JsonValue }[]
                : never;

/** The `Config` object type of a field table. */
export type ValuesOf<F extends Fields> = { readonly [K in keyof F]: ValueOf<F[K]> };

// Constructors keep literal types (enum values, item schemas) so `Config` can be derived from the tables.

export function str(def: string, doc: string): StringSpec {
  return { type: 'string', default: def, doc };
}

export function oneOf<const V extends string>(values: readonly V[], def: NoInfer<V>, doc: string): StringSpec<V> {
  return { type: 'string', default: def, values, doc };
}

export function int(def: number, doc: string, range?: { min?: number; max?: number }): IntSpec {
  return { type: 'int', default: def, doc, ...range };
}

export function port(def: number, doc: string): IntSpec {
  return { type: 'int', default: def, doc, min: 0, max: 65535 };
}

export function bool(def: boolean, doc: string): BoolSpec {
  return { type: 'bool', default: def, doc };
}

export function duration(
  def: string,
  doc: string,
  extra?: { wholeSeconds?: boolean; negativeDisables?: boolean },
): DurationSpec {
  return { type: 'duration', default: def, doc, ...extra };
}

export function strings(def: readonly string[], doc: string): StringListSpec {
  return { type: 'string[]', default: def, doc };
}

export function stringOrStrings(def: readonly string[], doc: string): StringListSpec {
  return { type: 'string-or-string[]', default: def, doc };
}

export function map(doc: string): MapSpec {
  return { type: 'map', default: {}, doc };
}

export function object<const F extends Fields>(fields: F, doc: string): ObjectSpec<F> {
  return { type: 'object', fields, doc };
}

export function list<const F extends Fields>(
  item: F,
  doc: string,
  itemKind?: 'namespace' | 'rpc_namespace',
): ObjectListSpec<F> {
  return itemKind === undefined ? { type: 'object[]', item, doc } : { type: 'object[]', item, doc, itemKind };
}

export function looseList(doc: string): ObjectListSpec<undefined> {
  return { type: 'object[]', item: undefined, doc };
}

/** A string field of list items that must be present (e.g. namespace `name`). */
export function requiredStr(doc: string): StringSpec {
  return { type: 'string', default: '', required: true, doc };
}
