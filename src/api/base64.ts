/** @module api/base64 — strict standard base64 (RFC 4648 §4, padded), as Go's `base64.StdEncoding`. */

const STD_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes padded standard base64; returns `undefined` for anything else (URL alphabet, missing
 * padding, stray characters). Like Go, `\r` and `\n` anywhere are ignored.
 */
export function decodeStdBase64(s: string): Uint8Array | undefined {
  const clean = s.includes('\n') || s.includes('\r') ? s.replace(/[\r\n]/g, '') : s;
  if (!STD_RE.test(clean)) return undefined;
  return new Uint8Array(Buffer.from(clean, 'base64'));
}
