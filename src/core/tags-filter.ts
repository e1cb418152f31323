/**
 * @module core/tags-filter — a subscriber's publication tags filter (Centrifugo v6 `tf`, FilterNode
 * tree): validated and compiled once per subscription, evaluated against publication tags on the
 * fan-out path without allocating, and memoised per publication so subscribers sharing one
 * compiled filter (see `TagsFilterPool`) cost one evaluation per publication.
 */
import type { FilterNode } from '../protocol/types.js';
import { ClientError, ClientErrors } from './errors.js';
import type { Publication } from './types.js';

type Tags = Readonly<Record<string, string>> | undefined;

/** One compiled node of the tree. */
interface Test {
  test(tags: Tags): boolean;
}

const Cmp = { eq: 0, neq: 1, in: 2, nin: 3, ex: 4, nex: 5, sw: 6, ew: 7, ct: 8, gt: 9, gte: 10, lt: 11, lte: 12 } as const;
type CmpCode = (typeof Cmp)[keyof typeof Cmp];
const CMP_BY_NAME = new Map<string, CmpCode>(Object.entries(Cmp) as [string, CmpCode][]);

/** Decimal number syntax accepted by the numeric comparisons (`12`, `-3.5`, `.5`, `1e3`). */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a tag value denotes, or NaN when it is not a decimal number. */
function decimal(s: string): number {
  return DECIMAL.test(s) ? Number(s) : NaN;
}

class Leaf implements Test {
  readonly #key: string;
  readonly #cmp: CmpCode;
  readonly #val: string;
  readonly #num: number;
  readonly #vals: ReadonlySet<string>;

  constructor(key: string, cmp: CmpCode, val: string, vals: readonly string[]) {
    this.#key = key;
    this.#cmp = cmp;
    this.#val = val;
    this.#num = decimal(val);
    this.#vals = new Set(vals);
  }

  test(tags: Tags): boolean {
    const v = tags === undefined ? undefined : Object.hasOwn(tags, this.#key) ? tags[this.#key] : undefined;
    switch (this.#cmp) {
      case Cmp.eq:
        return v === this.#val;
      case Cmp.neq:
        return v !== this.#val;
      case Cmp.in:
        return this.#vals.has(v ?? '');
      case Cmp.nin:
        return !this.#vals.has(v ?? '');
      case Cmp.ex:
        return v !== undefined;
      case Cmp.nex:
        return v === undefined;
      case Cmp.sw:
        return v !== undefined && v.startsWith(this.#val);
      case Cmp.ew:
        return v !== undefined && v.endsWith(this.#val);
      case Cmp.ct:
        return v !== undefined && v.includes(this.#val);
      case Cmp.gt:
      case Cmp.gte:
      case Cmp.lt:
      case Cmp.lte: {
        if (v === undefined) return false;
        const n = decimal(v);
        const ref = this.#num;
        if (Number.isNaN(n) || Number.isNaN(ref)) return false;
        if (this.#cmp === Cmp.gt) return n > ref;
        if (this.#cmp === Cmp.gte) return n >= ref;
        if (this.#cmp === Cmp.lt) return n < ref;
        return n <= ref;
      }
    }
  }
}

class And implements Test {
  constructor(readonly nodes: readonly Test[]) {}
  test(tags: Tags): boolean {
    for (const n of this.nodes) if (!n.test(tags)) return false;
    return true;
  }
}

class Or implements Test {
  constructor(readonly nodes: readonly Test[]) {}
  test(tags: Tags): boolean {
    for (const n of this.nodes) if (n.test(tags)) return true;
    return false;
  }
}

class Not implements Test {
  constructor(readonly node: Test) {}
  test(tags: Tags): boolean {
    return !this.node.test(tags);
  }
}

/** A compiled, validated tags filter. */
export class TagsFilter {
  /** Canonical text of the filter: two filters with equal keys match exactly the same tags. */
  readonly key: string;
  readonly #root: Test;
  /** Memo: the last publication evaluated and its outcome (shared filters evaluate once). */
  #lastPub: Publication | undefined;
  #lastResult = false;
  /** Subscriptions holding this filter (TagsFilterPool bookkeeping). */
  refs = 0;

  constructor(key: string, root: Test) {
    this.key = key;
    this.#root = root;
  }

  /** Whether tags pass the filter (recovery, history). */
  matches(tags: Tags): boolean {
    return this.#root.test(tags);
  }

  /**
   * The filter both `a` and `b` must pass (a client's `tf` together with a server-enforced filter,
   * Centrifugo's publication tags filter); either alone when the other is absent. The combination is one compiled AND node
   * whose key equals that of the same `and` tree sent as one filter, so identical combinations
   * share one pooled filter and one evaluation per publication.
   */
  static both(a: TagsFilter | undefined, b: TagsFilter | undefined): TagsFilter | undefined {
    if (a === undefined) return b;
    if (b === undefined) return a;
    return new TagsFilter(`and[${a.key}${b.key}]`, new And([a.#root, b.#root]));
  }

  /** Whether a live publication passes; evaluated once per publication however many subscribers share this filter. */
  passes(p: Publication): boolean {
    if (this.#lastPub !== p) {
      this.#lastResult = this.#root.test(p.tags);
      this.#lastPub = p;
    }
    return this.#lastResult;
  }
}

/** Validates and compiles a FilterNode tree; invalid trees are error 107 (bad request). */
export function compileTagsFilter(node: FilterNode): TagsFilter {
  const parts: string[] = [];
  const root = compileNode(node, parts);
  return new TagsFilter(parts.join(''), root);
}

/** Error 107 with Centrifugo's exact message; the reason travels as the cause (for logs). */
function invalid(what: string): ClientError {
  return new ClientError(ClientErrors.BadRequest, { cause: new Error(`invalid tags filter: ${what}`) });
}

function compileNode(n: FilterNode, key: string[]): Test {
  const op = n.op ?? '';
  const nodes = n.nodes ?? [];
  if (op === '') {
    if (nodes.length > 0) throw invalid('leaf node with nodes');
    const cmpName = n.cmp ?? '';
    const cmp = CMP_BY_NAME.get(cmpName);
    if (cmp === undefined) throw invalid(cmpName === '' ? 'cmp required' : `unknown cmp "${cmpName}"`);
    const k = n.key ?? '';
    const hasVal = n.val !== undefined && n.val !== '';
    const vals = n.vals ?? [];
    if (k === '' && cmp !== Cmp.ex && cmp !== Cmp.nex) throw invalid('key required');
    if (cmp === Cmp.ex || cmp === Cmp.nex) {
      if (hasVal || vals.length > 0) throw invalid(`${cmpName} takes no val or vals`);
    } else if (cmp === Cmp.in || cmp === Cmp.nin) {
      if (vals.length === 0) throw invalid(`${cmpName} requires vals`);
      if (hasVal) throw invalid(`${cmpName} takes vals, not val`);
    } else {
      if (!hasVal) throw invalid(`${cmpName} requires val`);
      if (vals.length > 0) throw invalid(`${cmpName} takes val, not vals`);
    }
    key.push('(', JSON.stringify(k), cmpName, JSON.stringify(n.val ?? ''), JSON.stringify(vals), ')');
    return new Leaf(k, cmp, n.val ?? '', vals);
  }
  if (n.key || n.cmp || n.val || (n.vals !== undefined && n.vals.length > 0)) throw invalid(`${op} node with leaf fields`);
  if (op !== 'and' && op !== 'or' && op !== 'not') throw invalid(`unknown op "${op}"`);
  if (nodes.length === 0) throw invalid(`${op} requires nodes`);
  if (op === 'not' && nodes.length !== 1) throw invalid('not requires exactly one node');
  key.push(op, '[');
  const children = nodes.map((c) => compileNode(c, key));
  key.push(']');
  if (op === 'and') return new And(children);
  if (op === 'or') return new Or(children);
  return new Not(children[0]!);
}

/**
 * Interns compiled filters by canonical key so subscribers with identical filters share one
 * object (and its per-publication memo). Reference-counted: released filters are forgotten.
 */
export class TagsFilterPool {
  readonly #byKey = new Map<string, TagsFilter>();

  acquire(f: TagsFilter): TagsFilter {
    let shared = this.#byKey.get(f.key);
    if (shared === undefined) {
      shared = f;
      this.#byKey.set(f.key, f);
    }
    shared.refs++;
    return shared;
  }

  release(f: TagsFilter): void {
    if (--f.refs <= 0 && this.#byKey.get(f.key) === f) this.#byKey.delete(f.key);
  }

  /** Number of distinct filters in use. */
  get size(): number {
    return this.#byKey.size;
  }
}
