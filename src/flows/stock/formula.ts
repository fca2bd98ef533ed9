/**
 * The stock formula: a tiny, whitelisted arithmetic language over whole numbers.
 *
 *   onHand - reserved - buffer
 *   max(0, onHand - reserved) / 2
 *   min(onHand, 50)
 *
 * Why not JSONata (src/mapping/expression.ts): a stock figure is whole-number arithmetic on three
 * inputs, evaluated for every SKU of every sweep and reconcile (30,000 times an hour and more).
 * This language is exact (integers only; `/` rounds down, like the stock itself), synchronous,
 * has no way to loop, call out or touch strings, and can print every step for `koppel explain`
 * ("onHand - reserved - buffer = 12 - 2 - 0 = 10"). Errors name the character where they are.
 *
 * Grammar:  expr := term (('+'|'-') term)*   term := unary (('*'|'/') unary)*
 *           unary := '-' unary | atom        atom := INT | NAME | NAME '(' expr (',' expr)* ')' | '(' expr ')'
 */
import { KoppelError } from '../../core/errors.js';

export const FORMULA_VARIABLES = ['onHand', 'reserved', 'buffer'] as const;
export type FormulaVariable = (typeof FORMULA_VARIABLES)[number];
export type FormulaInputs = Readonly<Record<FormulaVariable, number>>;

const FUNCTIONS = ['min', 'max'] as const;
type FunctionName = (typeof FUNCTIONS)[number];

type Node =
  | { kind: 'num'; value: number }
  | { kind: 'var'; name: FormulaVariable }
  | { kind: 'neg'; arg: Node }
  | { kind: 'bin'; op: '+' | '-' | '*' | '/'; left: Node; right: Node }
  | { kind: 'call'; fn: FunctionName; args: Node[] };

export interface Formula {
  readonly text: string;
  /** Whole-number result; throws STOCK_FORMULA_FAILED (division by zero, overflow). */
  evaluate(inputs: FormulaInputs): number;
  /** The formula, with the values put in, and the result: "onHand - reserved = 12 - 2 = 10". */
  describe(inputs: FormulaInputs): string;
  /** Variables the formula reads. */
  readonly uses: readonly FormulaVariable[];
}

const MAX_LENGTH = 500;
/** No intermediate value may leave the safe-integer range (it never does for real stock). */
const LIMIT = Number.MAX_SAFE_INTEGER;

function invalid(where: string, text: string, message: string, at?: number): KoppelError {
  const pointer = at === undefined ? '' : ` (at character ${at + 1}: ${JSON.stringify(text.slice(at, at + 12))})`;
  return new KoppelError({
    code: 'STOCK_FORMULA_INVALID',
    message: `${where}: the stock formula ${JSON.stringify(text)} is not valid: ${message}${pointer}`,
    hint: `write it with ${FORMULA_VARIABLES.join(', ')}, whole numbers, + - * /, parentheses, min(...) and max(...), e.g. "onHand - reserved - buffer"`,
    field: where,
    errorClass: 'invalid_input',
  });
}

type Token = { t: 'num'; v: number; at: number } | { t: 'name'; v: string; at: number } | { t: 'op'; v: string; at: number } | { t: 'end'; at: number };

function tokenize(text: string, where: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c >= '0' && c <= '9') {
      const m = /^\d+/.exec(text.slice(i))![0];
      if (m.length > 10) throw invalid(where, text, 'numbers may have at most 10 digits', i);
      out.push({ t: 'num', v: Number(m), at: i });
      i += m.length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))![0];
      out.push({ t: 'name', v: m, at: i });
      i += m.length;
      continue;
    }
    if ('+-*/(),'.includes(c)) {
      out.push({ t: 'op', v: c, at: i });
      i++;
      continue;
    }
    if (c === '.') throw invalid(where, text, 'only whole numbers are allowed (stock is counted in whole units)', i);
    throw invalid(where, text, `unexpected ${JSON.stringify(c)}`, i);
  }
  out.push({ t: 'end', at: text.length });
  return out;
}

function parse(text: string, where: string): Node {
  const tokens = tokenize(text, where);
  let p = 0;
  const peek = () => tokens[p]!;
  const isOp = (v: string) => {
    const t = peek();
    return t.t === 'op' && t.v === v;
  };
  const expect = (v: string) => {
    if (!isOp(v)) throw invalid(where, text, `expected "${v}"`, peek().at);
    p++;
  };
  let depth = 0;
  const expr = (): Node => {
    if (++depth > 50) throw invalid(where, text, 'nested too deeply', peek().at);
    let left = term();
    while (isOp('+') || isOp('-')) {
      const op = (tokens[p++] as { v: string }).v as '+' | '-';
      left = { kind: 'bin', op, left, right: term() };
    }
    depth--;
    return left;
  };
  const term = (): Node => {
    let left = unary();
    while (isOp('*') || isOp('/')) {
      const op = (tokens[p++] as { v: string }).v as '*' | '/';
      left = { kind: 'bin', op, left, right: unary() };
    }
    return left;
  };
  const unary = (): Node => {
    if (isOp('-')) {
      p++;
      return { kind: 'neg', arg: unary() };
    }
    return atom();
  };
  const atom = (): Node => {
    const t = peek();
    if (t.t === 'num') {
      p++;
      return { kind: 'num', value: t.v };
    }
    if (t.t === 'name') {
      p++;
      if (isOp('(')) {
        if (!(FUNCTIONS as readonly string[]).includes(t.v)) throw invalid(where, text, `unknown function ${t.v}; use ${FUNCTIONS.join(' or ')}`, t.at);
        p++;
        const args = [expr()];
        while (isOp(',')) {
          p++;
          args.push(expr());
        }
        expect(')');
        return { kind: 'call', fn: t.v as FunctionName, args };
      }
      if (!(FORMULA_VARIABLES as readonly string[]).includes(t.v)) throw invalid(where, text, `unknown name ${t.v}; use ${FORMULA_VARIABLES.join(', ')}`, t.at);
      return { kind: 'var', name: t.v as FormulaVariable };
    }
    if (t.t === 'op' && t.v === '(') {
      p++;
      const inner = expr();
      expect(')');
      return inner;
    }
    throw invalid(where, text, t.t === 'end' ? 'it ends too early' : `unexpected ${JSON.stringify(t.v)}`, t.at);
  };
  const root = expr();
  if (peek().t !== 'end') throw invalid(where, text, `unexpected ${JSON.stringify((peek() as { v: unknown }).v)}`, peek().at);
  return root;
}

function failed(text: string, message: string): KoppelError {
  return new KoppelError({
    code: 'STOCK_FORMULA_FAILED',
    message: `the stock formula ${JSON.stringify(text)} cannot be computed: ${message}`,
    hint: 'change flows.stock.formula so it cannot divide by zero or grow beyond any real stock figure',
    errorClass: 'invalid_input',
  });
}

function evaluateNode(n: Node, inputs: FormulaInputs, text: string): number {
  const check = (v: number) => {
    if (!Number.isSafeInteger(v) || Math.abs(v) > LIMIT) throw failed(text, 'a value grows too large');
    return v;
  };
  switch (n.kind) {
    case 'num':
      return n.value;
    case 'var': {
      const v = inputs[n.name];
      if (!Number.isSafeInteger(v)) throw failed(text, `${n.name} is ${String(v)}, not a whole number`);
      return v;
    }
    case 'neg':
      return check(-evaluateNode(n.arg, inputs, text)) + 0;
    case 'call': {
      const vals = n.args.map((a) => evaluateNode(a, inputs, text));
      return n.fn === 'min' ? Math.min(...vals) : Math.max(...vals);
    }
    case 'bin': {
      const a = evaluateNode(n.left, inputs, text);
      const b = evaluateNode(n.right, inputs, text);
      switch (n.op) {
        case '+':
          return check(a + b);
        case '-':
          return check(a - b);
        case '*':
          return check(a * b) + 0;
        case '/':
          if (b === 0) throw failed(text, 'it divides by zero');
          return check(Math.floor(a / b)) + 0;
      }
    }
  }
}

function uses(n: Node, out: Set<FormulaVariable>): void {
  if (n.kind === 'var') out.add(n.name);
  else if (n.kind === 'neg') uses(n.arg, out);
  else if (n.kind === 'bin') {
    uses(n.left, out);
    uses(n.right, out);
  } else if (n.kind === 'call') for (const a of n.args) uses(a, out);
}

const cache = new Map<string, Formula>();

/** Compiles a formula; `where` names the setting in errors (e.g. `flows.stock.formula`). */
export function compileFormula(text: string, where = 'flows.stock.formula'): Formula {
  const hit = cache.get(text);
  if (hit) return hit;
  if (typeof text !== 'string' || text.trim() === '') throw invalid(where, String(text), 'it is empty');
  if (text.length > MAX_LENGTH) throw invalid(where, text.slice(0, 40) + '…', `it is longer than ${MAX_LENGTH} characters`);
  const root = parse(text, where);
  const used = new Set<FormulaVariable>();
  uses(root, used);
  const normalised = text.trim().replace(/\s+/g, ' ');
  const f: Formula = {
    text: normalised,
    uses: FORMULA_VARIABLES.filter((v) => used.has(v)),
    evaluate: (inputs) => evaluateNode(root, inputs, normalised),
    describe: (inputs) => {
      const result = evaluateNode(root, inputs, normalised);
      const substituted = normalised.replace(/[A-Za-z_][A-Za-z0-9_]*/g, (name) => ((FORMULA_VARIABLES as readonly string[]).includes(name) ? String(inputs[name as FormulaVariable]) : name));
      return substituted === normalised ? `${normalised} = ${result}` : `${normalised} = ${substituted} = ${result}`;
    },
  };
  if (cache.size > 100) cache.clear();
  cache.set(text, f);
  return f;
}
