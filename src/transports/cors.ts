/**
 * @module transports/cors — CORS headers of the HTTP connection endpoints (Centrifugo's origin check and CORS).
 *
 * Headers are added only when the `allowed_origins` check passes; a refused origin is still
 * served (the browser enforces the missing headers), as Centrifugo's CORS middleware does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type OriginCheck = (origin: string | undefined) => boolean;

/** Adds the CORS headers when the request carries an allowed `Origin`; returns whether it was allowed. */
export function applyCors(req: IncomingMessage, res: ServerResponse, checkOrigin: OriginCheck): boolean {
  const origin = req.headers.origin;
  if (!checkOrigin(origin)) return false;
  if (origin === undefined || origin === '') return true;
  res.setHeader('Access-Control-Allow-Origin', origin);
  const requested = req.headers['access-control-request-headers'];
  if (typeof requested === 'string' && requested !== '' && requested !== 'null') {
    res.setHeader('Access-Control-Allow-Headers', requested);
  }
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  return true;
}

/** Answers a preflight `OPTIONS`: 204 with the allowed methods, cacheable for 300 s. */
export function answerPreflight(res: ServerResponse, methods: string): void {
  res.setHeader('Access-Control-Max-Age', '300');
  res.setHeader('Access-Control-Allow-Methods', methods);
  res.writeHead(204);
  res.end();
}
