// Shopify's search syntax (https://shopify.dev/docs/api/usage/search-syntax), the subset Koppel's filters
// use: `field:value`, quoted values, `>`/`<`/`>=`/`<=` on dates, numbers and ids, AND/OR/NOT, `-field:`,
// parentheses, implicit AND, bare words. Like Shopify, an unknown field is ignored with a warning (it does
// not narrow the result!) and is reported in `extensions.search`.
//
// The index keeps versions of each document so a query can see the shop as it was `indexLagMs` ago.

/**
 * text: tokenised, every query token must be a token of the value (a quoted phrase: in sequence; `abc*`: prefix)
 * keyword: whole value, case-insensitive (`abc*`: prefix); on a list, any element
 * keyword_not: true when NO element equals the value (Shopify's `tag_not:`); reads the field named by `source`
 * date / number / id: comparisons with `:` `>` `<` `>=` `<=` (a date-only value means that whole UTC day)
 * email: tokenised like text when bare (`email:jan@x.nl` also finds `x.nl@jan`), the whole value (case-insensitive) when quoted
 */
export type FieldKind = 'text' | 'keyword' | 'keyword_not' | 'date' | 'number' | 'id' | 'boolean' | 'email';

export interface SearchSpec {
  /** Searchable fields and how they match. */
  fields: Record<string, FieldKind>;
  /** Fields a bare word (no `field:`) is matched against, as text. */
  defaultFields: string[];
  /** `keyword_not` fields: which document field they negate (e.g. tag_not -> tag). */
  negates?: Record<string, string>;
  /** Field-name prefixes with a kind, e.g. `metafields.` for `metafields.ccv.article_id:1001`. */
  prefixes?: Record<string, FieldKind>;
}

export type DocValue = string | number | boolean | null | undefined | readonly string[];
export type SearchDoc = Record<string, DocValue>;

export type Comparator = ':' | '>' | '<' | '>=' | '<=';
export type SearchNode =
  | { type: 'and'; items: SearchNode[] }
  | { type: 'or'; items: SearchNode[] }
  | { type: 'not'; item: SearchNode }
  | { type: 'term'; field: string | null; op: Comparator; value: string; quoted: boolean };

export interface SearchWarning {
  field: string;
  message: string;
}

// ---------------------------------------------------------------------------------------------
// Lexer / parser

type Token =
  | { t: 'lp' }
  | { t: 'rp' }
  | { t: 'and' }
  | { t: 'or' }
  | { t: 'not' }
  | { t: 'term'; negate: boolean; field: string | null; op: Comparator; value: string; quoted: boolean };

function readQuoted(s: string, i: number): { value: string; end: number } {
  const q = s[i]!;
  let out = '';
  let j = i + 1;
  while (j < s.length && s[j] !== q) {
    if (s[j] === '\\' && j + 1 < s.length) {
      out += s[j + 1];
      j += 2;
    } else {
      out += s[j];
      j += 1;
    }
  }
  // An unterminated quote runs to the end of the query, as Shopify's parser is lenient.
  return { value: out, end: Math.min(j + 1, s.length) };
}

function readBare(s: string, i: number): { value: string; end: number } {
  let j = i;
  while (j < s.length && !/\s/.test(s[j]!) && s[j] !== ')' && s[j] !== '(') j++;
  return { value: s.slice(i, j), end: j };
}

function lex(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(') {
      out.push({ t: 'lp' });
      i++;
      continue;
    }
    if (c === ')') {
      out.push({ t: 'rp' });
      i++;
      continue;
    }
    let negate = false;
    if (c === '-' && i + 1 < s.length && !/\s/.test(s[i + 1]!)) {
      negate = true;
      i++;
    }
    if (s[i] === '"' || s[i] === "'") {
      const r = readQuoted(s, i);
      out.push({ t: 'term', negate, field: null, op: ':', value: r.value, quoted: true });
      i = r.end;
      continue;
    }
    const nameMatch = /^[A-Za-z_][A-Za-z0-9_.]*:/.exec(s.slice(i));
    if (nameMatch) {
      const field = nameMatch[0].slice(0, -1);
      i += nameMatch[0].length;
      let op: Comparator = ':';
      for (const cand of ['>=', '<=', '>', '<'] as const) {
        if (s.startsWith(cand, i)) {
          op = cand;
          i += cand.length;
          break;
        }
      }
      if (s[i] === '"' || s[i] === "'") {
        const r = readQuoted(s, i);
        out.push({ t: 'term', negate, field, op, value: r.value, quoted: true });
        i = r.end;
      } else {
        const r = readBare(s, i);
        out.push({ t: 'term', negate, field, op, value: r.value, quoted: false });
        i = r.end;
      }
      continue;
    }
    const r = readBare(s, i);
    if (!negate && r.value === 'AND') out.push({ t: 'and' });
    else if (!negate && r.value === 'OR') out.push({ t: 'or' });
    else if (!negate && r.value === 'NOT') out.push({ t: 'not' });
    else out.push({ t: 'term', negate, field: null, op: ':', value: r.value, quoted: false });
    i = r.end === i ? i + 1 : r.end;
  }
  return out;
}

export function parseSearch(query: string): SearchNode {
  const tokens = lex(query);
  let pos = 0;
  const peek = () => tokens[pos];

  function parseOr(): SearchNode {
    const items = [parseAnd()];
    while (peek()?.t === 'or') {
      pos++;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0]! : { type: 'or', items };
  }
  function parseAnd(): SearchNode {
    const items: SearchNode[] = [];
    for (;;) {
      const t = peek();
      if (!t || t.t === 'or' || t.t === 'rp') break;
      if (t.t === 'and') {
        pos++;
        continue;
      }
      items.push(parseUnary());
    }
    return items.length === 1 ? items[0]! : { type: 'and', items };
  }
  function parseUnary(): SearchNode {
    const t = tokens[pos++]!;
    if (t.t === 'not') {
      const next = peek();
      if (!next || next.t === 'rp' || next.t === 'or') return { type: 'and', items: [] };
      return { type: 'not', item: parseUnary() };
    }
    if (t.t === 'lp') {
      const inner = parseOr();
      if (peek()?.t === 'rp') pos++;
      return inner;
    }
    if (t.t === 'term') {
      const node: SearchNode = { type: 'term', field: t.field, op: t.op, value: t.value, quoted: t.quoted };
      return t.negate ? { type: 'not', item: node } : node;
    }
    // A stray ')' or operator: ignore it.
    return { type: 'and', items: [] };
  }

  let root = parseOr();
  while (pos < tokens.length) {
    // Unbalanced ')' — skip it and keep AND-ing the rest, like a lenient search box.
    pos++;
    root = { type: 'and', items: [root, parseOr()] };
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

const tokenCache = new Map<string, string[]>();

/** Lower-cased word tokens (letters and digits); memoised because documents are matched over and over. */
export function tokenize(s: string): string[] {
  const hit = tokenCache.get(s);
  if (hit) return hit;
  const tokens = s
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((x) => x.length > 0);
  if (tokenCache.size > 200_000) tokenCache.clear();
  tokenCache.set(s, tokens);
  return tokens;
}

function asStrings(v: DocValue): string[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v as string[];
  return [String(v)];
}

function matchText(docValue: DocValue, value: string, quoted: boolean): boolean {
  const wildcard = !quoted && value.endsWith('*');
  const q = tokenize(wildcard ? value.slice(0, -1) : value);
  if (q.length === 0) return wildcard ? asStrings(docValue).length > 0 : false;
  return asStrings(docValue).some((s) => {
    const d = tokenize(s);
    if (quoted) {
      // A quoted phrase: the tokens in sequence.
      for (let i = 0; i + q.length <= d.length; i++) if (q.every((tok, k) => d[i + k] === tok)) return true;
      return false;
    }
    return q.every((tok, k) =>
      wildcard && k === q.length - 1 ? d.some((x) => x.startsWith(tok)) : d.includes(tok),
    );
  });
}

function matchKeyword(docValue: DocValue, value: string, quoted: boolean): boolean {
  const wildcard = !quoted && value.endsWith('*');
  const want = (wildcard ? value.slice(0, -1) : value).toLowerCase();
  return asStrings(docValue).some((s) => (wildcard ? s.toLowerCase().startsWith(want) : s.toLowerCase() === want));
}

function compare<T>(a: T, b: T, op: Comparator, eq: (x: T, y: T) => boolean, lt: (x: T, y: T) => boolean): boolean {
  switch (op) {
    case ':':
      return eq(a, b);
    case '>':
      return lt(b, a);
    case '<':
      return lt(a, b);
    case '>=':
      return lt(b, a) || eq(a, b);
    case '<=':
      return lt(a, b) || eq(a, b);
  }
}

function parseDateValue(value: string): { start: number; end: number } | null {
  const v = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const start = Date.parse(`${v}T00:00:00Z`);
    if (Number.isNaN(start)) return null;
    return { start, end: start + 86_400_000 - 1 };
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) return null;
  return { start: t, end: t };
}

function matchDate(docValue: DocValue, value: string, op: Comparator): boolean | null {
  const q = parseDateValue(value);
  if (!q) return null;
  return asStrings(docValue).some((s) => {
    const t = Date.parse(s);
    if (Number.isNaN(t)) return false;
    switch (op) {
      case ':':
        return t >= q.start && t <= q.end;
      case '>':
        return t > q.end;
      case '>=':
        return t >= q.start;
      case '<':
        return t < q.start;
      case '<=':
        return t <= q.end;
    }
  });
}

function idOf(value: string): bigint | null {
  const m = /^(?:gid:\/\/shopify\/[A-Za-z]+\/)?(\d+)$/.exec(value.trim());
  return m ? BigInt(m[1]!) : null;
}

function evalNode(node: SearchNode, doc: SearchDoc, spec: SearchSpec, warn: (w: SearchWarning) => void): boolean | null {
  switch (node.type) {
    case 'and': {
      let any = false;
      for (const item of node.items) {
        const r = evalNode(item, doc, spec, warn);
        if (r === null) continue;
        any = true;
        if (!r) return false;
      }
      return any ? true : null;
    }
    case 'or': {
      let any = false;
      for (const item of node.items) {
        const r = evalNode(item, doc, spec, warn);
        if (r === null) continue;
        any = true;
        if (r) return true;
      }
      return any ? false : null;
    }
    case 'not': {
      const r = evalNode(node.item, doc, spec, warn);
      return r === null ? null : !r;
    }
    case 'term': {
      if (node.field === null) {
        if (node.value === '') return null;
        return spec.defaultFields.some((f) => matchText(doc[f], node.value, node.quoted));
      }
      const prefix = spec.prefixes ? Object.keys(spec.prefixes).find((p) => node.field!.startsWith(p)) : undefined;
      const kind = spec.fields[node.field] ?? (prefix ? spec.prefixes![prefix] : undefined);
      if (!kind) {
        warn({ field: node.field, message: 'Invalid search field for this query.' });
        return null;
      }
      const v = kind === 'keyword_not' ? doc[spec.negates?.[node.field] ?? node.field] : doc[node.field];
      if (!node.quoted && node.value === '*') return kind === 'keyword_not' ? asStrings(v).length === 0 : asStrings(v).length > 0;
      switch (kind) {
        case 'text':
          return node.op === ':' ? matchText(v, node.value, node.quoted) : null;
        case 'email':
          if (node.op !== ':') return null;
          return node.quoted ? matchKeyword(v, node.value, true) : matchText(v, node.value, false);
        case 'keyword':
          return node.op === ':' ? matchKeyword(v, node.value, node.quoted) : compareStrings(v, node.value, node.op);
        case 'keyword_not':
          return !matchKeyword(v, node.value, node.quoted);
        case 'date': {
          const r = matchDate(v, node.value, node.op);
          if (r === null) warn({ field: node.field, message: `Invalid date value '${node.value}'.` });
          return r;
        }
        case 'number': {
          const q = Number(node.value);
          if (node.value.trim() === '' || Number.isNaN(q)) return null;
          return asStrings(v).some((s) =>
            compare(Number(s), q, node.op, (a, b) => a === b, (a, b) => a < b),
          );
        }
        case 'id': {
          const q = idOf(node.value);
          if (q === null) return null;
          return asStrings(v).some((s) => {
            const d = idOf(s);
            return d !== null && compare(d, q, node.op, (a, b) => a === b, (a, b) => a < b);
          });
        }
        case 'boolean': {
          const want = node.value.toLowerCase();
          if (want !== 'true' && want !== 'false') return null;
          return asStrings(v).some((s) => String(s).toLowerCase() === want);
        }
      }
    }
  }
}

function compareStrings(v: DocValue, value: string, op: Comparator): boolean {
  const want = value.toLowerCase();
  return asStrings(v).some((s) =>
    compare(s.toLowerCase(), want, op, (a, b) => a === b, (a, b) => a < b),
  );
}

/** A compiled query: evaluate it against documents, collecting warnings once. */
export class CompiledSearch {
  readonly warnings: SearchWarning[] = [];
  private readonly seen = new Set<string>();
  private readonly root: SearchNode;

  constructor(
    readonly query: string,
    private readonly spec: SearchSpec,
  ) {
    this.root = parseSearch(query);
  }

  matches(doc: SearchDoc): boolean {
    const r = evalNode(this.root, doc, this.spec, (w) => {
      const k = `${w.field}|${w.message}`;
      if (!this.seen.has(k)) {
        this.seen.add(k);
        this.warnings.push(w);
      }
    });
    return r !== false;
  }
}

// ---------------------------------------------------------------------------------------------
// The index: versions per document so reads can lag behind writes.

interface Version {
  at: number;
  doc: SearchDoc | null; // null = deleted
}

export class SearchIndex {
  private readonly types = new Map<string, Map<string, Version[]>>();

  constructor(
    private readonly now: () => number,
    private lagMs: number,
  ) {}

  setLag(ms: number): void {
    this.lagMs = Math.max(0, ms);
  }

  get lag(): number {
    return this.lagMs;
  }

  private bucket(type: string): Map<string, Version[]> {
    let m = this.types.get(type);
    if (!m) {
      m = new Map();
      this.types.set(type, m);
    }
    return m;
  }

  put(type: string, id: string, doc: SearchDoc | null): void {
    const m = this.bucket(type);
    const at = this.now();
    const list = m.get(id) ?? [];
    list.push({ at, doc });
    // Keep only the newest version already visible plus the ones still inside the lag window.
    const cutoff = at - this.lagMs;
    let firstKeep = 0;
    for (let i = 0; i < list.length; i++) if (list[i]!.at <= cutoff) firstKeep = i;
    const kept = list.slice(firstKeep);
    if (kept.length === 1 && kept[0]!.doc === null && kept[0]!.at <= cutoff) m.delete(id);
    else m.set(id, kept);
  }

  /** Indexes a document as visible at once, whatever the lag (records loaded from a snapshot were indexed long ago). */
  putSettled(type: string, id: string, doc: SearchDoc | null): void {
    const m = this.bucket(type);
    if (doc === null) m.delete(id);
    else m.set(id, [{ at: Number.NEGATIVE_INFINITY, doc }]);
  }

  remove(type: string, id: string): void {
    this.put(type, id, null);
  }

  clear(): void {
    this.types.clear();
  }

  /** One document as the index sees it now, or null. */
  visibleDoc(type: string, id: string): SearchDoc | null {
    const versions = this.types.get(type)?.get(id);
    if (!versions) return null;
    const cutoff = this.now() - this.lagMs;
    let doc: SearchDoc | null = null;
    for (const v of versions) if (v.at <= cutoff) doc = v.doc;
    return doc;
  }

  /** The documents as the search index sees them now (writes younger than the lag are invisible). */
  *visible(type: string): Iterable<[string, SearchDoc]> {
    const m = this.types.get(type);
    if (!m) return;
    const cutoff = this.now() - this.lagMs;
    for (const [id, versions] of m) {
      let doc: SearchDoc | null = null;
      for (const v of versions) if (v.at <= cutoff) doc = v.doc;
      if (doc) yield [id, doc];
    }
  }
}
