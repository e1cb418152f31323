/**
 * @module auth/jwks-safety — the start-up safety check of `{{name}}` JWKS endpoint templates.
 *
 * A template is filled from named groups of the issuer / audience regexes, i.e. from claims of a token
 * whose signature has not been checked yet. If such a group can match arbitrary text, the token's
 * author chooses where the server fetches keys from. Like Centrifugo (v6.7+), a template is refused
 * at start when its issuer or audience regex contains a character class (`[…]`, `\d \D \w \W \s \S
 * \p \P`), or when a template variable comes from a named group that is not made only of literals,
 * alternations and concatenations (`(?P<tenant>acme|globex)` is safe; `(?P<tenant>.+)` and
 * `(?P<tenant>[a-z0-9-]+)` are not). Both group syntaxes, `(?P<name>…)` and `(?<name>…)`, are read.
 */

import { templateVariables } from './jwks.js';

/** A named group of a regex and the source text of its body. */
interface NamedGroup {
  readonly name: string;
  readonly body: string;
}

const CLASS_ESCAPES = new Set(['d', 'D', 'w', 'W', 's', 'S', 'p', 'P']);
const NAME_AFTER = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/;

/** Index just after the `]` closing the class that opens at `i` (Go/JS: a leading `]` or `^]` is literal). */
function skipClass(source: string, i: number): number {
  let j = i + 1;
  if (source[j] === '^') j++;
  if (source[j] === ']') j++;
  while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** Whether `source` has a character class, and its named groups (both syntaxes). */
export function scanRegex(source: string): { hasClass: boolean; groups: NamedGroup[] } {
  let hasClass = false;
  const groups: NamedGroup[] = [];
  const open: { name: string | undefined; start: number }[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '\\') {
      if (CLASS_ESCAPES.has(source[i + 1] ?? '')) hasClass = true;
      i += 2;
    } else if (ch === '[') {
      hasClass = true;
      i = skipClass(source, i);
    } else if (ch === '(') {
      const named = NAME_AFTER.exec(source.slice(i));
      if (named !== null) {
        open.push({ name: named[1], start: i + named[0].length });
        i += named[0].length;
      } else {
        open.push({ name: undefined, start: i + 1 });
        i++;
      }
    } else if (ch === ')') {
      const g = open.pop();
      if (g?.name !== undefined) groups.push({ name: g.name, body: source.slice(g.start, i) });
      i++;
    } else {
      i++;
    }
  }
  return { hasClass, groups };
}

const META = new Set(['.', '*', '+', '?', '{', '}', '[', ']', '^', '$']);

/** True when a group body is only literals, `|` and (non-)capturing sub-groups of the same. */
export function isLiteralAlternation(body: string): boolean {
  let i = 0;
  while (i < body.length) {
    const ch = body[i]!;
    if (ch === '\\') {
      const next = body[i + 1];
      // An escaped punctuation character is a literal; letter/digit escapes are classes or assertions.
      if (next === undefined || /[A-Za-z0-9]/.test(next)) return false;
      i += 2;
    } else if (ch === '(') {
      if (body.startsWith('(?:', i)) i += 3;
      else if (body[i + 1] === '?') {
        const named = NAME_AFTER.exec(body.slice(i));
        if (named === null) return false; // look-arounds, inline flags
        i += named[0].length;
      } else i++;
    } else if (META.has(ch)) {
      return false;
    } else {
      i++;
    }
  }
  return true;
}

/** The regexes a template may be filled from, by the config key naming them. */
export interface TemplateSources {
  readonly [configKey: string]: string;
}

/**
 * Problems of a JWKS endpoint template with the given issuer / audience regexes (empty = safe, or not
 * a template). Each problem names the config key at fault.
 */
export function jwksTemplateProblems(endpoint: string, regexes: TemplateSources): string[] {
  const variables = templateVariables(endpoint);
  if (variables.length === 0) return [];
  const problems: string[] = [];
  const scanned = Object.entries(regexes)
    .filter(([, source]) => source !== '')
    .map(([key, source]) => ({ key, ...scanRegex(source) }));
  for (const s of scanned) {
    if (s.hasClass) problems.push(`${s.key} contains a character class ([…], \\d, \\w, \\s, \\p…), which lets token claims steer the JWKS URL`);
  }
  for (const name of new Set(variables)) {
    const sources = scanned.flatMap((s) => s.groups.filter((g) => g.name === name).map((g) => ({ key: s.key, body: g.body })));
    if (sources.length === 0) {
      problems.push(`template variable {{${name}}} is not a named group of ${Object.keys(regexes).join(' or ')}`);
      continue;
    }
    for (const src of sources) {
      if (!isLiteralAlternation(src.body)) {
        problems.push(`${src.key} fills {{${name}}} from (?P<${name}>${src.body}), which is not only literals and alternations (e.g. (?P<${name}>acme|globex))`);
      }
    }
  }
  return problems;
}
