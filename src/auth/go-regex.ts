/** @module auth/go-regex — compile the Go (RE2) regular expressions config files carry into JS RegExps. */

/**
 * Compiles a Go-syntax pattern (as written for `token_audience_regex` / `token_issuer_regex`):
 * `(?P<name>…)` named groups become `(?<name>…)`, and a leading flag group such as `(?i)` or `(?is)`
 * becomes RegExp flags. Matching is unanchored, like Go's `MatchString`.
 * Throws `SyntaxError` for a pattern JS cannot compile.
 */
export function compileGoRegex(pattern: string): RegExp {
  let source = pattern.replaceAll('(?P<', '(?<');
  let flags = 'u';
  const leading = /^\(\?([imsU]+)\)/.exec(source);
  if (leading?.[1] !== undefined) {
    for (const f of new Set(leading[1])) {
      // Go's U (ungreedy) has no JS equivalent; it is ignored.
      if (f === 'i' || f === 'm' || f === 's') flags += f;
    }
    source = source.slice(leading[0].length);
  }
  return new RegExp(source, flags);
}

/** The named groups of a match as a plain record (groups that did not participate are left out). */
export function namedGroups(match: RegExpExecArray): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(match.groups ?? {})) {
    if (value !== undefined) out[name] = value;
  }
  return out;
}
