// Independent check that a response's data conforms to the schema's types for the document that asked
// for it: every selected field present, nullability respected, enums and custom scalars valid, abstract
// types resolved to a possible type. (graphql-js already executes against the schema; this guards the
// transport and the JSON that reaches the client.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  buildClientSchema,
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  getNamedType,
  getNullableType,
  isAbstractType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  parse,
} from 'graphql';
import type { FieldNode, SelectionNode, FragmentDefinitionNode, GraphQLOutputType, GraphQLSchema, OperationDefinitionNode, SelectionSetNode, GraphQLObjectType, GraphQLNamedType } from 'graphql';

const schemas = new Map<string, GraphQLSchema>();

export function schemaFor(version: string): GraphQLSchema {
  let s = schemas.get(version);
  if (!s) {
    const file = join(import.meta.dirname, '..', '..', 'schema', 'shopify', `admin_${version}.json.gz`);
    const json = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as { data: Parameters<typeof buildClientSchema>[0] };
    s = buildClientSchema(json.data);
    schemas.set(version, s);
  }
  return s;
}

const SCALAR_CHECKS: Record<string, (v: unknown) => boolean> = {
  String: (v) => typeof v === 'string',
  ID: (v) => typeof v === 'string',
  Int: (v) => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 2 ** 31,
  Float: (v) => typeof v === 'number' && Number.isFinite(v),
  Boolean: (v) => typeof v === 'boolean',
  DateTime: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v),
  Date: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v),
  Money: (v) => typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v),
  Decimal: (v) => typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v),
  UnsignedInt64: (v) => typeof v === 'string' && /^\d+$/.test(v),
  URL: (v) => typeof v === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(v),
  HTML: (v) => typeof v === 'string',
  FormattedString: (v) => typeof v === 'string',
  JSON: () => true,
};

export function checkConformance(version: string, document: string, data: unknown, variables: Record<string, unknown> = {}): string[] {
  const schema = schemaFor(version);
  const doc = parse(document);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const root = (op.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType())!;
  const problems: string[] = [];

  const skipped = (node: SelectionNode) => {
    if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return true;
    return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if === false;
  };

  const fieldsFor = (set: SelectionSetNode, concrete: GraphQLObjectType, out: FieldNode[] = []): FieldNode[] => {
    for (const sel of set.selections) {
      if (skipped(sel)) continue;
      if (sel.kind === Kind.FIELD) out.push(sel);
      else {
        const cond = sel.kind === Kind.INLINE_FRAGMENT ? sel.typeCondition?.name.value : fragments[sel.name.value]!.typeCondition.name.value;
        const inner = sel.kind === Kind.INLINE_FRAGMENT ? sel.selectionSet : fragments[sel.name.value]!.selectionSet;
        const t = cond ? schema.getType(cond) : concrete;
        if (!t || t === concrete || (isAbstractType(t) && schema.isSubType(t, concrete))) fieldsFor(inner, concrete, out);
      }
    }
    return out;
  };

  const value = (path: string, type: GraphQLOutputType, v: unknown, set: SelectionSetNode | undefined): void => {
    if (v === null || v === undefined) {
      if (v === undefined) problems.push(`${path}: missing`);
      else if (isNonNullType(type)) problems.push(`${path}: null for non-null ${String(type)}`);
      return;
    }
    const t = getNullableType(type) as GraphQLOutputType;
    if (isListType(t)) {
      if (!Array.isArray(v)) return void problems.push(`${path}: expected a list`);
      v.forEach((x, i) => value(`${path}[${i}]`, t.ofType as GraphQLOutputType, x, set));
      return;
    }
    const named = getNamedType(t) as GraphQLNamedType;
    if (isScalarType(named)) {
      const check = SCALAR_CHECKS[named.name];
      if (check && !check(v)) problems.push(`${path}: ${JSON.stringify(v)} is not a valid ${named.name}`);
      return;
    }
    if (isEnumType(named)) {
      if (typeof v !== 'string' || !named.getValue(v)) problems.push(`${path}: ${JSON.stringify(v)} is not a ${named.name} value`);
      return;
    }
    if (typeof v !== 'object' || Array.isArray(v)) return void problems.push(`${path}: expected an object`);
    const obj = v as Record<string, unknown>;
    let concrete: GraphQLObjectType | undefined;
    if (isObjectType(named)) concrete = named;
    else if (isAbstractType(named)) {
      const tn = obj.__typename;
      const cands = schema.getPossibleTypes(named);
      concrete = cands.find((c) => c.name === tn);
      if (!concrete) {
        // Without __typename, all possible types must agree on the selected fields; check against the first.
        if (tn !== undefined) return void problems.push(`${path}: __typename ${String(tn)} is not a ${named.name}`);
        concrete = cands[0];
      }
    }
    if (!concrete || !set) return;
    for (const f of fieldsFor(set, concrete)) {
      const key = f.alias?.value ?? f.name.value;
      if (f.name.value === '__typename') {
        if (obj[key] !== concrete.name) problems.push(`${path}.${key}: expected ${concrete.name}`);
        continue;
      }
      const def = concrete.getFields()[f.name.value];
      if (!def) return void problems.push(`${path}.${key}: no field ${f.name.value} on ${concrete.name}`);
      value(`${path}.${key}`, def.type, obj[key], f.selectionSet);
    }
  };
  const rootVal = data as Record<string, unknown>;
  for (const f of fieldsFor(op.selectionSet, root)) {
    const key = f.alias?.value ?? f.name.value;
    value(key, root.getFields()[f.name.value]!.type, rootVal[key], f.selectionSet);
  }
  return problems;
}
