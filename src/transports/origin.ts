/** @module transports/origin — the `allowed_origins` check shared by every connection endpoint (Centrifugo's origin check and CORS). */
import { compileGlob } from '../util/glob.js';

/** Returns a predicate over the request's `Origin` header value (undefined = header absent). */
export function createOriginCheck(allowedOrigins: readonly string[]): (origin: string | undefined) => boolean {
  if (allowedOrigins.includes('*')) return () => true;
  const matchers = allowedOrigins.map((p) => compileGlob(p));
  return (origin) => {
    if (origin === undefined || origin === '') return true;
    const o = origin.toLowerCase();
    return matchers.some((m) => m(o));
  };
}
