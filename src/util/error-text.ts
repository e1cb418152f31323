/** @module util/error-text — the text of a caught value for logs and error details. */

/** `err.message` for an Error, else `String(err)`. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
