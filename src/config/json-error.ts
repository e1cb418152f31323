/** @module config/json-error — locate the first JSON syntax error (offset + Go encoding/json style detail). */

export interface JsonSyntaxIssue {
  /** Offset (UTF-16 index) of the offending character; `text.length` for unexpected end of input. */
  readonly offset: number;
  /** Go-style detail, e.g. `invalid character '}' looking for beginning of value`. */
  readonly detail: string;
}

const WS = new Set([' ', '\t', '\n', '\r']);

function quoteChar(ch: string): string {
  if (ch === "'") return "'\\''";
  if (ch === '"') return "'\"'";
  return `'${JSON.stringify(ch).slice(1, -1)}'`;
}

/**
 * Scans `text` as JSON and returns the first syntax problem, or `undefined` if it is valid. Iterative
 * (explicit stack), so deeply nested input can not overflow the call stack.
 */
export function findJsonSyntaxIssue(text: string): JsonSyntaxIssue | undefined {
  let i = 0;
  const end = (): JsonSyntaxIssue => ({ offset: text.length, detail: 'unexpected end of JSON input' });
  const bad = (context: string): JsonSyntaxIssue =>
    i >= text.length ? end() : { offset: i, detail: `invalid character ${quoteChar(text[i] ?? '')} ${context}` };
  const skipWs = (): void => {
    while (i < text.length && WS.has(text[i] ?? '')) i++;
  };
  /** Scans a string starting at `"`; returns an issue or undefined. */
  const scanString = (): JsonSyntaxIssue | undefined => {
    i++;
    for (;;) {
      if (i >= text.length) return end();
      const ch = text[i] ?? '';
      if (ch === '"') {
        i++;
        return undefined;
      }
      if (ch.charCodeAt(0) < 0x20) return bad('in string literal');
      if (ch === '\\') {
        i++;
        if (i >= text.length) return end();
        const e = text[i] ?? '';
        if (e === 'u') {
          for (let k = 0; k < 4; k++) {
            i++;
            if (i >= text.length) return end();
            if (!/[0-9a-fA-F]/.test(text[i] ?? '')) return bad('in \\u hexadecimal character escape');
          }
        } else if (!'"\\/bfnrt'.includes(e)) return bad('in string escape code');
      }
      i++;
    }
  };
  const scanNumber = (): JsonSyntaxIssue | undefined => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else if (/[1-9]/.test(text[i] ?? '')) while (/[0-9]/.test(text[i] ?? '')) i++;
    else return bad('in numeric literal');
    if (text[i] === '.') {
      i++;
      if (!/[0-9]/.test(text[i] ?? '')) return bad('after decimal point in numeric literal');
      while (/[0-9]/.test(text[i] ?? '')) i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!/[0-9]/.test(text[i] ?? '')) return bad('in exponent of numeric literal');
      while (/[0-9]/.test(text[i] ?? '')) i++;
    }
    return undefined;
  };
  const scanLiteral = (word: string): JsonSyntaxIssue | undefined => {
    for (let k = 0; k < word.length; k++, i++) {
      if (text[i] !== word[k]) return bad(`in literal ${word} (expecting ${quoteChar(word[k] ?? '')})`);
    }
    return undefined;
  };

  // Stack of open containers; after a value we look for `,` or the closer of the top container.
  const stack: ('{' | '[')[] = [];
  let expectValue = true;
  for (;;) {
    skipWs();
    if (expectValue) {
      const ch = text[i];
      let issue: JsonSyntaxIssue | undefined;
      if (ch === undefined) return end();
      if (ch === '{') {
        i++;
        skipWs();
        if (text[i] === '}') {
          i++;
        } else {
          stack.push('{');
          if (text[i] !== '"') return bad('looking for beginning of object key string');
          issue = scanString() ?? (skipWs(), text[i] === ':' ? (i++, undefined) : bad('after object key'));
          if (issue) return issue;
          continue;
        }
      } else if (ch === '[') {
        i++;
        skipWs();
        if (text[i] === ']') i++;
        else {
          stack.push('[');
          continue;
        }
      } else if (ch === '"') issue = scanString();
      else if (ch === '-' || /[0-9]/.test(ch)) issue = scanNumber();
      else if (ch === 't') issue = scanLiteral('true');
      else if (ch === 'f') issue = scanLiteral('false');
      else if (ch === 'n') issue = scanLiteral('null');
      else return bad('looking for beginning of value');
      if (issue) return issue;
      expectValue = false;
      continue;
    }
    const top = stack[stack.length - 1];
    if (top === undefined) return i < text.length ? bad('after top-level value') : undefined;
    const ch = text[i];
    if (ch === ',') {
      i++;
      if (top === '{') {
        skipWs();
        if (text[i] !== '"') return bad('looking for beginning of object key string');
        const issue = scanString() ?? (skipWs(), text[i] === ':' ? (i++, undefined) : bad('after object key'));
        if (issue) return issue;
      }
      expectValue = true;
    } else if ((top === '{' && ch === '}') || (top === '[' && ch === ']')) {
      i++;
      stack.pop();
    } else return bad(top === '{' ? 'after object key:value pair' : 'after array element');
  }
}
