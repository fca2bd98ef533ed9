/**
 * JSONata expressions for computed fields. Expressions are compiled once (cached by text), run with
 * JSONata's own guards (time, stack depth, sequence length) and can only call the pure functions
 * registered here: never user JavaScript.
 */
import jsonata from 'jsonata';
import { KoppelError } from '../core/errors.js';

export interface ExpressionLimits {
  /** Milliseconds one evaluation may take. */
  timeoutMs: number;
  /** Maximum evaluation stack depth (stops runaway recursion). */
  stackDepth: number;
  /** Maximum length of a generated sequence (stops huge ranges). */
  maxSequence: number;
}

export const DEFAULT_LIMITS: ExpressionLimits = { timeoutMs: 200, stackDepth: 200, maxSequence: 100_000 };

export interface CompiledExpression {
  readonly text: string;
  /** Evaluates against one record; `undefined` when the expression selects nothing. */
  evaluate(input: unknown, bindings?: Record<string, unknown>): Promise<unknown>;
}

type Fn = (...args: never[]) => unknown;

/** The transform functions available inside expressions, besides JSONata's built-ins. */
const FUNCTIONS: Record<string, { fn: Fn; signature: string }> = {
  // $truncate(text, max): cut to max characters, never in the middle of a surrogate pair.
  truncate: {
    fn: ((s: string | undefined, max: number) => (s === undefined ? undefined : Array.from(s).slice(0, Math.max(0, max)).join(''))) as Fn,
    signature: '<s-n:s>',
  },
  // $slug(text): lowercase ascii handle, e.g. "Heren > Shirts" -> "heren-shirts".
  slug: {
    fn: ((s: string | undefined) =>
      s === undefined ? undefined : s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')) as Fn,
    signature: '<s-:s>',
  },
  // $mapValue(table, key, default?): value from a mapping table (e.g. payment methods).
  mapValue: {
    fn: ((table: Record<string, unknown> | undefined, key: unknown, dflt?: unknown) => {
      if (table && key !== undefined && key !== null && Object.prototype.hasOwnProperty.call(table, String(key))) return table[String(key)];
      return dflt;
    }) as Fn,
    signature: '<o?x?x?:x>',
  },
  // $stripHtml(text): plain text from HTML, for fields that take no markup.
  stripHtml: {
    fn: ((s: string | undefined) => (s === undefined ? undefined : s.replace(/<[^>]*>/g, ' ').replace(/&nbsp;/g, ' ').replace(/\s+/g, ' ').trim())) as Fn,
    signature: '<s-:s>',
  },
};

export const EXPRESSION_FUNCTIONS = Object.keys(FUNCTIONS).map((n) => `$${n}`);

const cache = new Map<string, CompiledExpression>();

/**
 * Compiles an expression. `where` names the setting it came from (e.g. `flows.products.fields.title`)
 * so errors point the merchant at the right line of configuration.
 */
export function compileExpression(text: string, where: string, limits: Partial<ExpressionLimits> = {}): CompiledExpression {
  const l = { ...DEFAULT_LIMITS, ...limits };
  const key = `${l.timeoutMs}|${l.stackDepth}|${l.maxSequence}|${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let expr: jsonata.Expression;
  try {
    expr = jsonata(text, { timeout: l.timeoutMs, stack: l.stackDepth, sequence: l.maxSequence });
  } catch (e) {
    const je = e as { message?: string; position?: number };
    throw new KoppelError({
      code: 'MAPPING_EXPRESSION_INVALID',
      message: `${where}: the expression ${JSON.stringify(text)} does not parse: ${je.message ?? String(e)}${je.position !== undefined ? ` (at character ${je.position})` : ''}`,
      hint: 'correct the JSONata expression; the dashboard\'s mapping tester shows the result against a sample record',
      field: where,
      errorClass: 'invalid_input',
    });
  }
  for (const [name, f] of Object.entries(FUNCTIONS)) expr.registerFunction(name, f.fn as (...args: unknown[]) => unknown, f.signature);
  const compiled: CompiledExpression = {
    text,
    async evaluate(input, bindings) {
      try {
        return await expr.evaluate(input, bindings);
      } catch (e) {
        const je = e as { message?: string; code?: string };
        throw new KoppelError({
          code: 'MAPPING_EXPRESSION_FAILED',
          message: `${where}: the expression ${JSON.stringify(text)} failed: ${je.message ?? String(e)}`,
          hint: je.code === 'U1001' || /timeout|stack|sequence/i.test(je.message ?? '') ? 'simplify the expression: it exceeded the evaluation limits' : 'check the expression against a sample record in the mapping tester',
          field: where,
          details: { jsonataCode: je.code },
          errorClass: 'invalid_input',
        });
      }
    },
  };
  if (cache.size > 1000) cache.clear();
  cache.set(key, compiled);
  return compiled;
}
