/** @module config/freeze — recursive Object.freeze. */

/** Freezes `value` and everything reachable from it; returns it typed as deeply readonly by the caller's type. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
