// Static analysis of a validated operation before it runs: Shopify's page-size and input-array limits,
// and the requested query cost; after it runs: the actual cost from the response data.
//
// Cost rules (shopify.dev "GraphQL Admin API rate limits"; the rules where the docs are vague):
//   scalar / enum / __typename        0
//   object                            1 + its selection
//   interface / union                 the most expensive possible type
//   connection (XxxConnection)        2 + pageSize x (1 + node selection); `edges` and `pageInfo` are free
//   list field with a `first` argument (not a connection, e.g. Order.transactions)  first x (1 + selection)
//   other lists of objects            1 + selection (priced like one object)
//   mutation root field               10 + the payload's selection + dynamic input cost
//   dynamic input cost                the schema's "Complexity cost: X per ..." on input fields, summed and
//                                     rounded up (productSet: 0.2 per variant, 0.4 per metafield, ...)
// The actual cost uses the same rules with the sizes actually returned; null objects cost nothing.
import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
} from 'graphql';
import type {
  FieldNode,
  FragmentDefinitionNode,
  GraphQLField,
  GraphQLInputType,
  GraphQLNamedType,
  GraphQLObjectType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
} from 'graphql';
import type { SchemaInfo } from './schema.js';

export const MAX_PAGE_SIZE = 250;
export const MAX_INPUT_ARRAY = 250;
export const MAX_QUERY_COST = 1000;
export const MUTATION_BASE_COST = 10;

/**
 * Input lists allowed beyond 250 elements: a product's full variant list. productSet's own variants list
 * has no array limit here, so its VARIANTS_OVER_LIMIT userError (2048) is what a caller sees.
 */
export const INPUT_ARRAY_EXCEPTIONS: Record<string, number> = {
  'ProductSetInput.variants': Number.POSITIVE_INFINITY,
  'OptionSetInput.values': 2048,
  'OptionCreateInput.values': 2048,
  'Mutation.productVariantsBulkCreate(variants)': 2048,
  'Mutation.productVariantsBulkUpdate(variants)': 2048,
};

type Vars = Record<string, unknown>;
type Fragments = Record<string, FragmentDefinitionNode>;

interface Walk {
  schema: GraphQLSchema;
  fragments: Fragments;
  variables: Vars;
}

function include(node: { directives?: readonly unknown[] } & Parameters<typeof getDirectiveValues>[1], variables: Vars): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, variables);
  if (skip?.if === true) return false;
  const inc = getDirectiveValues(GraphQLIncludeDirective, node, variables);
  if (inc?.if === false) return false;
  return true;
}

function conditionMatches(w: Walk, typeName: string | undefined, concrete: GraphQLObjectType): boolean {
  if (!typeName) return true;
  const cond = w.schema.getType(typeName);
  if (!cond) return false;
  if (cond === concrete) return true;
  return isAbstractType(cond) && w.schema.isSubType(cond, concrete);
}

/** Fields selected on one concrete type, grouped by response key (like graphql-js's collectFields). */
function collect(w: Walk, set: SelectionSetNode, concrete: GraphQLObjectType, out = new Map<string, FieldNode[]>(), seen = new Set<string>()): Map<string, FieldNode[]> {
  for (const sel of set.selections) {
    if (!include(sel, w.variables)) continue;
    if (sel.kind === Kind.FIELD) {
      const key = sel.alias?.value ?? sel.name.value;
      const list = out.get(key);
      if (list) list.push(sel);
      else out.set(key, [sel]);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      if (conditionMatches(w, sel.typeCondition?.name.value, concrete)) collect(w, sel.selectionSet, concrete, out, seen);
    } else {
      const name = sel.name.value;
      if (seen.has(name)) continue;
      const frag = w.fragments[name];
      if (!frag) continue;
      if (!conditionMatches(w, frag.typeCondition.name.value, concrete)) continue;
      seen.add(name);
      collect(w, frag.selectionSet, concrete, out, seen);
    }
  }
  return out;
}

function mergedSelection(nodes: FieldNode[]): SelectionSetNode | undefined {
  const sets = nodes.map((n) => n.selectionSet).filter((s): s is SelectionSetNode => !!s);
  if (sets.length === 0) return undefined;
  if (sets.length === 1) return sets[0];
  return { kind: Kind.SELECTION_SET, selections: sets.flatMap((s) => s.selections) };
}

export function isConnectionType(t: GraphQLNamedType): t is GraphQLObjectType {
  if (!isObjectType(t) || !t.name.endsWith('Connection')) return false;
  const f = t.getFields();
  return 'pageInfo' in f && ('edges' in f || 'nodes' in f);
}

function pageSize(args: Record<string, unknown>): number | null {
  const first = args.first;
  const last = args.last;
  if (typeof first === 'number') return first;
  if (typeof last === 'number') return last;
  return null;
}

type Data = Record<string, unknown> | null | undefined;

function possibleTypes(w: Walk, t: GraphQLNamedType, data: Data): readonly GraphQLObjectType[] {
  if (isObjectType(t)) return [t];
  if (isAbstractType(t)) {
    const tn = data && typeof data.__typename === 'string' ? w.schema.getType(data.__typename) : undefined;
    if (tn && isObjectType(tn)) return [tn];
    return w.schema.getPossibleTypes(t);
  }
  return [];
}

/** Cost of a selection on `type`; with `data` (actual mode) sizes come from the response. */
function selectionCost(w: Walk, set: SelectionSetNode | undefined, type: GraphQLNamedType, data: Data, actual: boolean): number {
  if (!set) return 0;
  let best = 0;
  const cache = new Map<string, number>();
  for (const concrete of possibleTypes(w, type, data)) {
    const fields = collect(w, set, concrete);
    // Possible types with the same selected keys and no type-specific fragments cost the same.
    const sig = [...fields.keys()].join(',') + '|' + [...fields.values()].map((n) => n.length).join(',');
    const hasConditions = set.selections.some((s) => s.kind !== Kind.FIELD);
    if (!hasConditions && cache.has(sig)) continue;
    let total = 0;
    for (const [key, nodes] of fields) {
      const first = nodes[0]!;
      if (first.name.value === '__typename') continue;
      const def = concrete.getFields()[first.name.value];
      if (!def) continue;
      total += fieldCost(w, def, nodes, actual ? (data ? (data[key] as unknown) : undefined) : undefined, actual);
    }
    if (!hasConditions) cache.set(sig, total);
    best = Math.max(best, total);
  }
  return best;
}

function fieldCost(w: Walk, def: GraphQLField<unknown, unknown>, nodes: FieldNode[], value: unknown, actual: boolean): number {
  const named = getNamedType(def.type);
  if (isLeafType(named)) return 0;
  if (actual && (value === null || value === undefined)) return 0;
  const sub = mergedSelection(nodes);
  const nullable = getNullableType(def.type);

  if (isConnectionType(named)) {
    const nodeField = named.getFields().nodes;
    const nodeType = nodeField ? getNamedType(nodeField.type) : undefined;
    const inner = sub ? collect(w, sub, named) : new Map<string, FieldNode[]>();
    const byName = (n: string) => [...inner.entries()].filter(([, ns]) => ns[0]!.name.value === n);
    const nodesEntries = byName('nodes');
    const edgesEntries = byName('edges');
    const nodesSel = mergedSelection(nodesEntries.flatMap(([, ns]) => ns));
    let edgeNodeSel: SelectionSetNode | undefined;
    if (edgesEntries.length > 0) {
      const edgesSel = mergedSelection(edgesEntries.flatMap(([, ns]) => ns));
      const edgeType = getNamedType(named.getFields().edges!.type) as GraphQLObjectType;
      const edgeFields = edgesSel ? collect(w, edgesSel, edgeType) : new Map<string, FieldNode[]>();
      edgeNodeSel = mergedSelection([...edgeFields.values()].flat().filter((n) => n.name.value === 'node'));
    }
    const selected = nodesEntries.length > 0 || edgesEntries.length > 0;
    if (!selected || !nodeType) return 2;
    if (!actual) {
      const size = pageSize(getArgumentValues(def, nodes[0]!, w.variables)) ?? 0;
      const element = Math.max(
        nodesEntries.length > 0 ? 1 + selectionCost(w, nodesSel, nodeType, undefined, false) : 0,
        edgesEntries.length > 0 ? 1 + selectionCost(w, edgeNodeSel, nodeType, undefined, false) : 0,
      );
      return 2 + size * element;
    }
    const conn = value as Record<string, unknown>;
    let sum = 0;
    const nodesList = nodesEntries.length > 0 ? conn[nodesEntries[0]![0]] : undefined;
    const edgesList = edgesEntries.length > 0 ? conn[edgesEntries[0]![0]] : undefined;
    if (Array.isArray(nodesList)) {
      for (const n of nodesList as Data[]) sum += n ? 1 + selectionCost(w, nodesSel, nodeType, n, true) : 0;
    } else if (Array.isArray(edgesList)) {
      for (const e of edgesList as Data[]) {
        const n = e ? (Object.values(e).find((v) => v !== null && typeof v === 'object' && !Array.isArray(v)) as Data) : undefined;
        sum += n ? 1 + selectionCost(w, edgeNodeSel, nodeType, n, true) : 1;
      }
    }
    return 2 + sum;
  }

  if (isListType(nullable)) {
    const args = getArgumentValues(def, nodes[0]!, w.variables);
    const size = def.args.some((a) => a.name === 'first') ? pageSize(args) : null;
    if (!actual) {
      const element = 1 + selectionCost(w, sub, named, undefined, false);
      return size !== null ? size * element : element;
    }
    const items = (Array.isArray(value) ? value : []).flat(Infinity) as Data[];
    if (size !== null) {
      let sum = 0;
      for (const it of items) sum += it ? 1 + selectionCost(w, sub, named, it, true) : 0;
      return sum;
    }
    if (items.length === 0) return 1;
    let max = 0;
    for (const it of items) if (it) max = Math.max(max, selectionCost(w, sub, named, it, true));
    return 1 + max;
  }

  return 1 + selectionCost(w, sub, named, actual ? (value as Data) : undefined, actual);
}

function walkFor(info: SchemaInfo, fragments: Fragments, variables: Vars): Walk {
  return { schema: info.schema, fragments, variables };
}

export function fragmentsOf(defs: readonly { kind: string }[]): Fragments {
  const out: Fragments = {};
  for (const d of defs) if (d.kind === Kind.FRAGMENT_DEFINITION) out[(d as FragmentDefinitionNode).name.value] = d as FragmentDefinitionNode;
  return out;
}

/** Dynamic input cost: the schema's per-element complexity on input fields, summed over the argument values. */
export function inputCost(info: SchemaInfo, def: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number {
  let total = 0;
  const walk = (type: GraphQLInputType, value: unknown): void => {
    if (value === null || value === undefined) return;
    const t = isNonNullType(type) ? type.ofType : type;
    if (isListType(t)) {
      if (Array.isArray(value)) for (const v of value) walk(t.ofType, v);
      return;
    }
    if (!isInputObjectType(t) || typeof value !== 'object') return;
    const fields = t.getFields();
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const f = fields[k];
      if (!f || v === null || v === undefined) continue;
      const per = info.inputComplexity.get(`${t.name}.${k}`);
      if (per !== undefined) total += per * (Array.isArray(v) ? v.length : 1);
      walk(f.type, v);
    }
  };
  for (const a of def.args) walk(a.type, args[a.name]);
  return total;
}

function rootType(info: SchemaInfo, op: OperationDefinitionNode): GraphQLObjectType {
  const t = op.operation === 'mutation' ? info.schema.getMutationType() : info.schema.getQueryType();
  if (!t) throw new Error(`schema has no ${op.operation} type`);
  return t;
}

function rootCost(w: Walk, info: SchemaInfo, op: OperationDefinitionNode, data: Data, actual: boolean): number {
  const root = rootType(info, op);
  if (op.operation !== 'mutation') return selectionCost(w, op.selectionSet, root, data, actual);
  let total = 0;
  for (const [key, nodes] of collect(w, op.selectionSet, root)) {
    const first = nodes[0]!;
    if (first.name.value === '__typename') continue;
    const def = root.getFields()[first.name.value];
    if (!def) continue;
    const payload = getNamedType(def.type);
    const value = actual && data ? (data[key] as Data) : undefined;
    let c = MUTATION_BASE_COST;
    c += actual && (value === null || value === undefined) ? 0 : selectionCost(w, mergedSelection(nodes), payload, value, actual);
    c += Math.ceil(inputCost(info, def, getArgumentValues(def, first, w.variables)) - 1e-9);
    total += c;
  }
  return total;
}

export function requestedCost(info: SchemaInfo, op: OperationDefinitionNode, fragments: Fragments, variables: Vars): number {
  return rootCost(walkFor(info, fragments, variables), info, op, undefined, false);
}

export function actualCost(info: SchemaInfo, op: OperationDefinitionNode, fragments: Fragments, variables: Vars, data: Data): number {
  if (!data) return 0;
  return rootCost(walkFor(info, fragments, variables), info, op, data, true);
}

// ---------------------------------------------------------------------------------------------
// Limits

/** Page sizes (first/last <= 250, one of them required on connections) and input array sizes. */
export function checkLimits(info: SchemaInfo, op: OperationDefinitionNode, fragments: Fragments, variables: Vars): GraphQLError[] {
  const errors: GraphQLError[] = [];
  const seenFragments = new Set<string>();

  const checkInputList = (path: (string | number)[], coord: string, type: GraphQLInputType, value: unknown, node: FieldNode): void => {
    if (value === null || value === undefined) return;
    const t = isNonNullType(type) ? type.ofType : type;
    if (isListType(t)) {
      if (!Array.isArray(value)) return;
      const limit = INPUT_ARRAY_EXCEPTIONS[coord] ?? MAX_INPUT_ARRAY;
      if (value.length > limit) {
        errors.push(
          new GraphQLError(`The input array size of ${value.length} is greater than the maximum allowed of ${limit}.`, {
            nodes: [node],
            path: path.map(String),
            extensions: { code: 'MAX_INPUT_SIZE_EXCEEDED' },
          }),
        );
        return;
      }
      value.forEach((v, i) => checkInputList([...path, i], coord, t.ofType, v, node));
      return;
    }
    if (isInputObjectType(t) && typeof value === 'object') {
      const fields = t.getFields();
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const f = fields[k];
        if (f) checkInputList([...path, k], `${t.name}.${k}`, f.type, v, node);
      }
    }
  };

  const visit = (set: SelectionSetNode, parent: GraphQLNamedType): void => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const frag = fragments[sel.name.value];
        if (!frag || seenFragments.has(frag.name.value)) continue;
        seenFragments.add(frag.name.value);
        const t = info.schema.getType(frag.typeCondition.name.value);
        if (t) visit(frag.selectionSet, t);
        continue;
      }
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? info.schema.getType(sel.typeCondition.name.value) : parent;
        if (t) visit(sel.selectionSet, t);
        continue;
      }
      if (sel.name.value.startsWith('__')) continue;
      const fields = isObjectType(parent) || (isAbstractType(parent) && 'getFields' in parent) ? (parent as GraphQLObjectType).getFields() : {};
      const def = fields[sel.name.value];
      if (!def) continue;
      const args = getArgumentValues(def, sel, variables);
      const named = getNamedType(def.type);
      const hasPaging = def.args.some((a) => a.name === 'first');
      if (hasPaging) {
        for (const k of ['first', 'last'] as const) {
          const v = args[k];
          if (typeof v === 'number' && v > MAX_PAGE_SIZE) {
            errors.push(
              new GraphQLError(`The ${k} argument on field '${sel.name.value}' must be less than or equal to ${MAX_PAGE_SIZE}, got ${v}.`, {
                nodes: [sel],
                extensions: { code: 'MAX_PAGE_SIZE_EXCEEDED', maximum: MAX_PAGE_SIZE },
              }),
            );
          }
          if (typeof v === 'number' && v < 0) {
            errors.push(new GraphQLError(`The ${k} argument on field '${sel.name.value}' must not be negative.`, { nodes: [sel], extensions: { code: 'BAD_REQUEST' } }));
          }
        }
        if (isConnectionType(named) && pageSize(args) === null) {
          errors.push(new GraphQLError('you must provide one of first or last', { nodes: [sel], extensions: { code: 'BAD_REQUEST', field: `${parent.name}.${sel.name.value}` } }));
        }
      }
      for (const a of def.args) checkInputList([sel.name.value, a.name], `${parent.name}.${sel.name.value}(${a.name})`, a.type, args[a.name], sel);
      if (sel.selectionSet) visit(sel.selectionSet, named);
    }
  };
  visit(op.selectionSet, rootType(info, op));
  return errors;
}
