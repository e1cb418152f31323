/** @module admin/form — reads one field of a small urlencoded or multipart form body. */
import type { IncomingMessage } from 'node:http';

/** Forms larger than this are refused (the login form holds one password). */
const MAX_FORM_BYTES = 64 * 1024;

export class FormError extends Error {
  override readonly name = 'FormError';
}

/** Reads the whole body, refusing more than `limit` bytes. */
async function readSmallBody(req: IncomingMessage, limit = MAX_FORM_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new FormError('form too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/**
 * The value of `field` in a `application/x-www-form-urlencoded` or `multipart/form-data` body
 * (as Go's `r.FormValue` reads it); the query string is consulted when the body lacks it.
 * Undefined when absent. Throws FormError for an unreadable body.
 */
export async function formValue(req: IncomingMessage, field: string): Promise<string | undefined> {
  const body = await readSmallBody(req);
  const type = req.headers['content-type'] ?? '';
  let value: string | undefined;
  if (body.length > 0 && (type.startsWith('multipart/form-data') || type.startsWith('application/x-www-form-urlencoded'))) {
    let form: FormData;
    try {
      // undici's Request parses both encodings (boundary from the header).
      form = await new Request('http://localhost/', { method: 'POST', headers: { 'content-type': type }, body }).formData();
    } catch (err) {
      throw new FormError('malformed form', { cause: err });
    }
    const v = form.get(field);
    if (typeof v === 'string') value = v;
  }
  if (value === undefined) {
    const q = new URL(req.url ?? '/', 'http://localhost').searchParams.get(field);
    if (q !== null) value = q;
  }
  return value;
}
