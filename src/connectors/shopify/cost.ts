/**
 * Requested-cost estimate of a document, computed from the document and its variables alone (no
 * schema at runtime), by Shopify's published rules:
 *
 *   scalar / enum / __typename                       0
 *   field with a selection set (object, list)        1 + its selection
 *   connection (a field whose selection has `nodes` / `edges`, or `first|last` plus `pageInfo`)
 *                                                    2 + pageSize x (1 + node selection)
 *   list with a page size but no nodes/edges (e.g. Order.transactions(first:))
 *                                                    pageSize x (1 + selection)
 *   inline fragments with a type condition (unions / interfaces)
 *                                                    the most expensive branch
 *   mutation root field                              10 + payload selection + dynamic input cost
 *   dynamic input cost (productSet)                  0.2 per variant, 0.4 per metafield, 1.9 per file,
 *                                                    0.4 per variant metafield, 0.6 per variant file (rounded up)
 *
 * The estimate only reserves budget until Shopify's first answer gives the real `requestedQueryCost`;
 * `CostModel` then remembers that per operation and variable shape.
 */
import { Kind, parse, valueFromASTUntyped } from 'graphql';
import type { DocumentNode, FieldNode, FragmentDefinitionNode, OperationDefinitionNode, SelectionNode, SelectionSetNode, ValueNode } from 'graphql';
import type { GqlDocument } from './gql.js';

export const MUTATION_BASE_COST = 10;
/** Shopify refuses a single query whose requested cost is above this (MAX_COST_EXCEEDED). */
export const SINGLE_QUERY_MAX_COST = 1000;

type Vars = Record<string, unknown>;

interface Parsed {
  op: OperationDefinitionNode;
  fragments: Map<string, FragmentDefinitionNode>;
  defaults: Vars;
}

const parsedCache = new WeakMap<object, Parsed>();

function parsed(doc: Pick<GqlDocument, 'text' | 'name'>): Parsed {
  const hit = parsedCache.get(doc);
  if (hit) return hit;
  const ast: DocumentNode = parse(doc.text, { noLocation: true });
  const ops = ast.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const op = ops.find((o) => o.name?.value === doc.name) ?? ops[0];
  if (!op) throw new Error(`document ${doc.name} has no operation`);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of ast.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const defaults: Vars = {};
  for (const v of op.variableDefinitions ?? []) {
    if (v.defaultValue) defaults[v.variable.name.value] = valueFromASTUntyped(v.defaultValue);
  }
  const p = { op, fragments, defaults };
  parsedCache.set(doc, p);
  return p;
}

interface Walk {
  fragments: Map<string, FragmentDefinitionNode>;
  vars: Vars;
}

function value(w: Walk, node: ValueNode): unknown {
  return valueFromASTUntyped(node, w.vars);
}

function included(w: Walk, sel: SelectionNode): boolean {
  for (const d of sel.directives ?? []) {
    const name = d.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const arg = d.arguments?.find((a) => a.name.value === 'if');
    const v = arg ? value(w, arg.value) : undefined;
    if (name === 'skip' && v === true) return false;
    if (name === 'include' && v === false) return false;
  }
  return true;
}

interface Collected {
  /** Fields by response key. */
  fields: Map<string, FieldNode[]>;
  /** Inline fragments with a type condition, by type: the most expensive one counts. */
  branches: Map<string, SelectionNode[]>;
}

function collect(w: Walk, set: SelectionSetNode, out: Collected = { fields: new Map(), branches: new Map() }, seen = new Set<string>()): Collected {
  for (const sel of set.selections) {
    if (!included(w, sel)) continue;
    if (sel.kind === Kind.FIELD) {
      const key = sel.alias?.value ?? sel.name.value;
      const list = out.fields.get(key);
      if (list) list.push(sel);
      else out.fields.set(key, [sel]);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      const t = sel.typeCondition?.name.value;
      if (t === undefined) collect(w, sel.selectionSet, out, seen);
      else out.branches.set(t, [...(out.branches.get(t) ?? []), ...sel.selectionSet.selections]);
    } else {
      // A named fragment is (almost always) on the field's own type: counted in full, which can only
      // over-estimate when it is really one branch of a union.
      const name = sel.name.value;
      if (seen.has(name)) continue;
      const frag = w.fragments.get(name);
      if (!frag) continue;
      seen.add(name);
      collect(w, frag.selectionSet, out, seen);
    }
  }
  return out;
}

function merged(nodes: readonly FieldNode[]): SelectionSetNode | undefined {
  const sets = nodes.map((n) => n.selectionSet).filter((s): s is SelectionSetNode => s !== undefined);
  if (sets.length === 0) return undefined;
  if (sets.length === 1) return sets[0];
  return { kind: Kind.SELECTION_SET, selections: sets.flatMap((s) => s.selections) };
}

function selectionCost(w: Walk, set: SelectionSetNode | undefined): number {
  if (!set) return 0;
  const c = collect(w, set);
  let total = 0;
  for (const nodes of c.fields.values()) total += fieldCost(w, nodes);
  let branch = 0;
  for (const sels of c.branches.values()) branch = Math.max(branch, selectionCost(w, { kind: Kind.SELECTION_SET, selections: sels }));
  return total + branch;
}

function pageSize(w: Walk, field: FieldNode): number | null {
  let first: unknown;
  let last: unknown;
  for (const a of field.arguments ?? []) {
    if (a.name.value === 'first') first = value(w, a.value);
    if (a.name.value === 'last') last = value(w, a.value);
  }
  if (typeof first === 'number') return first;
  if (typeof last === 'number') return last;
  return null;
}

function fieldCost(w: Walk, nodes: readonly FieldNode[]): number {
  const f = nodes[0];
  if (!f || f.name.value.startsWith('__')) return 0;
  const sub = merged(nodes);
  if (!sub) return 0;
  const size = pageSize(w, f);
  const inner = collect(w, sub);
  const byName = (n: string): FieldNode[] => [...inner.fields.values()].flat().filter((x) => x.name.value === n);
  const nodesSel = byName('nodes');
  const edgesSel = byName('edges');
  const isConnection = nodesSel.length > 0 || edgesSel.length > 0 || (size !== null && byName('pageInfo').length > 0);
  if (isConnection) {
    let element = 0;
    if (nodesSel.length > 0) element = Math.max(element, 1 + selectionCost(w, merged(nodesSel)));
    if (edgesSel.length > 0) {
      const edges = merged(edgesSel);
      const nodeInEdges = edges ? [...collect(w, edges).fields.values()].flat().filter((x) => x.name.value === 'node') : [];
      element = Math.max(element, 1 + selectionCost(w, merged(nodeInEdges)));
    }
    return 2 + (size ?? 0) * element;
  }
  if (size !== null) return size * (1 + selectionCost(w, sub));
  return 1 + selectionCost(w, sub);
}

/** Per-element input costs Shopify publishes in the schema ("Complexity cost: X per ..."). */
function productSetInputCost(args: Vars): number {
  const input = args.input as Vars | null | undefined;
  if (!input || typeof input !== 'object') return 0;
  const len = (v: unknown): number => (Array.isArray(v) ? v.length : 0);
  let c = 0.2 * len(input.variants) + 0.4 * len(input.metafields) + 1.9 * len(input.files);
  if (Array.isArray(input.variants)) {
    for (const v of input.variants as unknown[]) {
      if (!v || typeof v !== 'object') continue;
      const variant = v as Vars;
      c += 0.4 * len(variant.metafields);
      if (variant.file !== null && variant.file !== undefined) c += 0.6;
    }
  }
  return c;
}

const INPUT_COSTS: Record<string, (args: Vars) => number> = {
  productSet: productSetInputCost,
};

function fieldArgs(w: Walk, f: FieldNode): Vars {
  const out: Vars = {};
  for (const a of f.arguments ?? []) out[a.name.value] = value(w, a.value);
  return out;
}

/** Requested cost of `doc` with `variables`, by Shopify's rules (see the module comment). */
export function estimateCost(doc: Pick<GqlDocument, 'text' | 'name'>, variables: Vars = {}): number {
  const p = parsed(doc);
  const w: Walk = { fragments: p.fragments, vars: { ...p.defaults, ...variables } };
  if (p.op.operation !== 'mutation') return selectionCost(w, p.op.selectionSet);
  let total = 0;
  for (const nodes of collect(w, p.op.selectionSet).fields.values()) {
    const f = nodes[0];
    if (!f || f.name.value.startsWith('__')) continue;
    const dynamic = INPUT_COSTS[f.name.value]?.(fieldArgs(w, f)) ?? 0;
    total += MUTATION_BASE_COST + selectionCost(w, merged(nodes)) + Math.ceil(dynamic - 1e-9);
  }
  return total;
}

/**
 * The part of the variables that can change a document's cost: top-level numbers and booleans
 * (page sizes, @include/@skip) by value, and the element count of every list (input costs), by path.
 */
export function variableShape(variables: Vars = {}): string {
  const parts: string[] = [];
  for (const k of Object.keys(variables).sort()) {
    const v = variables[k];
    if (typeof v === 'number' || typeof v === 'boolean') parts.push(`${k}=${String(v)}`);
  }
  const counts = new Map<string, number>();
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) {
      counts.set(path, (counts.get(path) ?? 0) + v.length);
      for (const x of v) walk(x, `${path}[]`);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Vars)) walk(x, path ? `${path}.${k}` : k);
    }
  };
  walk(variables, '');
  for (const [k, n] of [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) parts.push(`${k}#${n}`);
  return parts.join(';');
}

/**
 * Requested cost per operation and variable shape: Shopify's own figure once a response has told it,
 * the estimate before that. Bounded (least recently used entries go first).
 */
export class CostModel {
  private readonly known = new Map<string, number>();

  constructor(private readonly maxEntries = 2000) {}

  private key(doc: Pick<GqlDocument, 'name'>, variables: Vars | undefined): string {
    return `${doc.name}|${variableShape(variables)}`;
  }

  /** The cost to reserve before sending; `learned` says whether it came from Shopify. */
  requested(doc: Pick<GqlDocument, 'text' | 'name'>, variables?: Vars): { cost: number; learned: boolean } {
    const k = this.key(doc, variables);
    const hit = this.known.get(k);
    if (hit !== undefined) {
      this.known.delete(k);
      this.known.set(k, hit);
      return { cost: hit, learned: true };
    }
    return { cost: estimateCost(doc, variables), learned: false };
  }

  /** Records Shopify's `requestedQueryCost` for this operation and shape. */
  learn(doc: Pick<GqlDocument, 'name'>, variables: Vars | undefined, requested: number): void {
    if (!Number.isFinite(requested) || requested < 0) return;
    const k = this.key(doc, variables);
    this.known.delete(k);
    this.known.set(k, requested);
    while (this.known.size > this.maxEntries) {
      const oldest = this.known.keys().next().value;
      if (oldest === undefined) break;
      this.known.delete(oldest);
    }
  }

  get size(): number {
    return this.known.size;
  }
}
