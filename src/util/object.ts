/** @module util/object — plain-object checks, prototype-free dictionaries and setting only the defined optional fields. */

/** A non-null, non-array object whose prototype is `Object.prototype` or null (what JSON/YAML parsers build). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** An empty object without a prototype, so that keys like `__proto__` are plain keys. */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** Sets on `target` each entry of `values` that is not undefined (an undefined one leaves the field absent); returns `target`. */
export function assignDefined<T extends object>(target: T, values: { readonly [K in keyof T]?: T[K] | undefined }): T {
  for (const key in values) {
    const value = values[key];
    if (value !== undefined) target[key] = value;
  }
  return target;
}
