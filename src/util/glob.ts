/**
 * @module util/glob — glob patterns with gobwas/glob syntax and no separators, matched in linear time.
 *
 * Syntax (what Centrifugo's `channels` API and `allowed_origins` accept):
 * - `*` (and `**`) any run of characters, including `:` and the empty run;
 * - `?` exactly one character;
 * - `[abc]` one of the listed characters, `[a-z]` one character in the range (inclusive), `[!…]` negation;
 * - `{a,b,…}` one of the alternatives; alternatives may contain any syntax, including nested groups;
 * - `\x` the character `x` literally (inside `[…]` lists too).
 * `]`, `}` and `,` are plain characters where they close nothing. Characters are Unicode code points.
 *
 * Malformed patterns (unclosed `[` or `{`, empty or inverted ranges, a trailing backslash) throw
 * {@link GlobError}.
 *
 * Matching compiles the pattern to a Thompson NFA and simulates all states at once, so the cost is
 * O(pattern size × input length) for any input: `*a*a*a*a*b` against a long run of `a` stays cheap,
 * where a backtracking RegExp would be exponential.
 */

/** A pattern could not be parsed. */
export class GlobError extends Error {
  override readonly name = 'GlobError';
  /** The pattern that failed. */
  readonly pattern: string;
  constructor(pattern: string, reason: string) {
    super(`invalid glob pattern: ${reason}`);
    this.pattern = pattern;
  }
}

/** A compiled pattern: true when the whole string matches. */
export type GlobMatcher = (s: string) => boolean;

// ---- AST -----------------------------------------------------------------------------------------

type Node =
  | { readonly k: 'text'; readonly cps: readonly number[] }
  | { readonly k: 'any' }
  | { readonly k: 'single' }
  | { readonly k: 'class'; readonly not: boolean; readonly test: (cp: number) => boolean }
  | { readonly k: 'alt'; readonly alts: readonly Seq[] };
type Seq = Node[];

const CH_ESCAPE = 0x5c; // \
const CH_STAR = 0x2a;
const CH_QUESTION = 0x3f;
const CH_LBRACKET = 0x5b;
const CH_RBRACKET = 0x5d;
const CH_LBRACE = 0x7b;
const CH_RBRACE = 0x7d;
const CH_COMMA = 0x2c;
const CH_BANG = 0x21;
const CH_DASH = 0x2d;

class Parser {
  readonly #pattern: string;
  readonly #cps: number[];
  #pos = 0;

  constructor(pattern: string) {
    this.#pattern = pattern;
    this.#cps = Array.from(pattern, (c) => c.codePointAt(0) ?? 0);
  }

  parse(): Seq {
    const seq = this.#sequence(0);
    if (this.#pos < this.#cps.length) this.#fail('unexpected character'); // unreachable: top level eats all
    return seq;
  }

  #fail(reason: string): never {
    throw new GlobError(this.#pattern, reason);
  }

  /** Parses until end of input, or (depth > 0) until an unconsumed `,` / `}`. */
  #sequence(depth: number): Seq {
    const seq: Seq = [];
    const cps = this.#cps;
    while (this.#pos < cps.length) {
      const c = cps[this.#pos] as number;
      if (depth > 0 && (c === CH_COMMA || c === CH_RBRACE)) return seq;
      if (c === CH_STAR) {
        this.#pos++;
        while (cps[this.#pos] === CH_STAR) this.#pos++;
        if (seq.at(-1)?.k !== 'any') seq.push({ k: 'any' });
      } else if (c === CH_QUESTION) {
        this.#pos++;
        seq.push({ k: 'single' });
      } else if (c === CH_LBRACKET) {
        this.#pos++;
        seq.push(this.#range());
      } else if (c === CH_LBRACE) {
        this.#pos++;
        seq.push(this.#alternatives(depth + 1));
      } else {
        seq.push({ k: 'text', cps: this.#text(depth > 0) });
      }
    }
    if (depth > 0) this.#fail('unclosed {');
    return seq;
  }

  #alternatives(depth: number): Node {
    const alts: Seq[] = [];
    for (;;) {
      alts.push(this.#sequence(depth));
      const c = this.#cps[this.#pos];
      this.#pos++;
      if (c === CH_RBRACE) return { k: 'alt', alts };
      // c is ',' (#sequence fails on end of input inside a group)
    }
  }

  /** Literal run with escapes resolved; stops before a special character. */
  #text(inTerms: boolean): number[] {
    const out: number[] = [];
    const cps = this.#cps;
    while (this.#pos < cps.length) {
      const c = cps[this.#pos] as number;
      if (c === CH_ESCAPE) {
        if (this.#pos + 1 >= cps.length) this.#fail('trailing backslash');
        out.push(cps[this.#pos + 1] as number);
        this.#pos += 2;
        continue;
      }
      if (c === CH_STAR || c === CH_QUESTION || c === CH_LBRACKET || c === CH_LBRACE) break;
      if (inTerms && (c === CH_COMMA || c === CH_RBRACE)) break;
      out.push(c);
      this.#pos++;
    }
    return out;
  }

  /** After `[`: `!`? then either `lo-hi` or a character list, then `]`. */
  #range(): Node {
    const cps = this.#cps;
    let not = false;
    if (cps[this.#pos] === CH_BANG) {
      not = true;
      this.#pos++;
    }
    if (this.#pos >= cps.length) this.#fail('unclosed [');
    const first = cps[this.#pos] as number;
    if (cps[this.#pos + 1] === CH_DASH) {
      // lo-hi: both taken literally (no escapes), then `]` is required.
      const hi = cps[this.#pos + 2];
      if (hi === undefined) this.#fail('unclosed [');
      if (cps[this.#pos + 3] !== CH_RBRACKET) {
        this.#fail(this.#pos + 3 >= cps.length ? 'unclosed [' : 'expected ] after range');
      }
      this.#pos += 4;
      if (hi < first) this.#fail('range bounds are inverted');
      return { k: 'class', not, test: (cp) => cp >= first && cp <= hi };
    }
    const chars = new Set<number>();
    while (this.#pos < cps.length && cps[this.#pos] !== CH_RBRACKET) {
      const c = cps[this.#pos] as number;
      if (c === CH_ESCAPE) {
        if (this.#pos + 1 >= cps.length) this.#fail('trailing backslash');
        chars.add(cps[this.#pos + 1] as number);
        this.#pos += 2;
      } else {
        chars.add(c);
        this.#pos++;
      }
    }
    if (this.#pos >= cps.length) this.#fail('unclosed [');
    this.#pos++; // ]
    if (chars.size === 0) this.#fail('empty character class');
    return { k: 'class', not, test: (cp) => chars.has(cp) };
  }
}

// ---- NFA -----------------------------------------------------------------------------------------

/** One NFA state: consumes a character (`test`) and moves to `out`, or splits without consuming. */
type State =
  | { readonly t: 'char'; readonly test: (cp: number) => boolean; out: number }
  | { readonly t: 'split'; readonly outs: number[] }
  | { readonly t: 'match' };

const ANY_CHAR = (): boolean => true;

class NfaBuilder {
  readonly states: State[] = [];

  #add(s: State): number {
    this.states.push(s);
    return this.states.length - 1;
  }

  /** Builds `seq` so that it continues to state `next`; returns the entry state. */
  build(seq: Seq, next: number): number {
    let entry = next;
    for (let i = seq.length - 1; i >= 0; i--) entry = this.#node(seq[i] as Node, entry);
    return entry;
  }

  #node(n: Node, next: number): number {
    switch (n.k) {
      case 'text': {
        let entry = next;
        for (let i = n.cps.length - 1; i >= 0; i--) {
          const want = n.cps[i] as number;
          entry = this.#add({ t: 'char', test: (cp) => cp === want, out: entry });
        }
        return entry;
      }
      case 'single':
        return this.#add({ t: 'char', test: ANY_CHAR, out: next });
      case 'class': {
        const { not, test } = n;
        return this.#add({ t: 'char', test: not ? (cp) => !test(cp) : test, out: next });
      }
      case 'any': {
        // split → [loop char → split, next]
        const split = this.#add({ t: 'split', outs: [] });
        const loop = this.#add({ t: 'char', test: ANY_CHAR, out: split });
        (this.states[split] as { outs: number[] }).outs.push(loop, next);
        return split;
      }
      case 'alt': {
        const outs = n.alts.map((alt) => this.build(alt, next));
        return this.#add({ t: 'split', outs });
      }
    }
  }
}

function compileNfa(seq: Seq): GlobMatcher {
  const b = new NfaBuilder();
  const matchState = b.states.length;
  b.states.push({ t: 'match' });
  const start = b.build(seq, matchState);
  const states = b.states;
  const n = states.length;
  // Generation marks avoid clearing the visited set on every step.
  const mark = new Uint32Array(n);
  let gen = 0;

  const addState = (list: number[], s: number): void => {
    // Iterative epsilon closure.
    const stack = [s];
    while (stack.length > 0) {
      const cur = stack.pop() as number;
      if (mark[cur] === gen) continue;
      mark[cur] = gen;
      const st = states[cur] as State;
      if (st.t === 'split') {
        for (let i = st.outs.length - 1; i >= 0; i--) stack.push(st.outs[i] as number);
      } else {
        list.push(cur);
      }
    }
  };

  return (input: string): boolean => {
    gen++;
    if (gen === 0xffffffff) {
      mark.fill(0);
      gen = 1;
    }
    let current: number[] = [];
    addState(current, start);
    for (const ch of input) {
      if (current.length === 0) return false;
      const cp = ch.codePointAt(0) ?? 0;
      gen++;
      if (gen === 0xffffffff) {
        mark.fill(0);
        gen = 1;
      }
      const next: number[] = [];
      for (const si of current) {
        const st = states[si] as State;
        if (st.t === 'char' && st.test(cp)) addState(next, st.out);
      }
      current = next;
    }
    return current.includes(matchState);
  };
}

/** Compiles a pattern; throws {@link GlobError} when it is malformed. */
export function compileGlob(pattern: string): GlobMatcher {
  const seq = new Parser(pattern).parse();
  // Fast paths for the common shapes.
  if (seq.length === 0) return (s) => s === '';
  if (seq.every((n) => n.k === 'text')) {
    const literal = seq.map((n) => (n.k === 'text' ? n.cps.map((cp) => String.fromCodePoint(cp)).join('') : '')).join('');
    return (s) => s === literal;
  }
  if (seq.length === 1 && seq[0]?.k === 'any') return () => true;
  return compileNfa(seq);
}
