/**
 * Generates src/connectors/shopify/documents.types.ts: the TypeScript types of every document's result
 * data and variables, from the documents themselves and the vendored 2026-10 Admin schema.
 *
 *   npx tsx test/connectors/shopify/codegen.ts --write
 *
 * codegen.test.ts fails when the generated file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  getNamedType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  parse,
} from 'graphql';
import type {
  FieldNode,
  FragmentDefinitionNode,
  GraphQLCompositeType,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLInputType,
  GraphQLNamedType,
  GraphQLOutputType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
  TypeNode,
} from 'graphql';
import { adminSchema } from './support/schemas.js';

export const GENERATED_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src', 'connectors', 'shopify', 'documents.types.ts');

const SCALARS: Record<string, string> = {
  Int: 'number',
  Float: 'number',
  Boolean: 'boolean',
  JSON: 'unknown',
};

interface Ctx {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  enums: Set<string>;
  inputs: Set<string>;
}

function scalar(name: string): string {
  return SCALARS[name] ?? 'string';
}

function pad(n: number): string {
  return '  '.repeat(n);
}

interface Entry {
  fieldName: string;
  nodes: FieldNode[];
  /** Only present for some concrete types (inline fragment on another type) or under @include/@skip. */
  optional: boolean;
  /** Type the field is looked up on. */
  on: GraphQLCompositeType;
}

function conditional(node: { directives?: readonly { name: { value: string } }[] }): boolean {
  return (node.directives ?? []).some((d) => d.name.value === 'include' || d.name.value === 'skip');
}

function applies(ctx: Ctx, parent: GraphQLCompositeType, condition: GraphQLNamedType): boolean {
  if (condition === parent) return true;
  // An interface the (object) parent implements, or a union/interface containing it: always applies.
  return isObjectType(parent) && isAbstractType(condition) && ctx.schema.isSubType(condition, parent);
}

function collect(ctx: Ctx, set: SelectionSetNode, parent: GraphQLCompositeType, optional: boolean, out: Map<string, Entry>): void {
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      const key = sel.alias?.value ?? sel.name.value;
      const e = out.get(key);
      if (e) {
        e.nodes.push(sel);
        e.optional &&= optional || conditional(sel);
      } else out.set(key, { fieldName: sel.name.value, nodes: [sel], optional: optional || conditional(sel), on: parent });
      continue;
    }
    const typeName = sel.kind === Kind.INLINE_FRAGMENT ? sel.typeCondition?.name.value : ctx.fragments.get(sel.name.value)?.typeCondition.name.value;
    const selectionSet = sel.kind === Kind.INLINE_FRAGMENT ? sel.selectionSet : ctx.fragments.get(sel.name.value)?.selectionSet;
    if (!selectionSet) throw new Error(`unknown fragment ${sel.kind === Kind.FRAGMENT_SPREAD ? sel.name.value : ''}`);
    const cond = typeName ? (ctx.schema.getType(typeName) as GraphQLCompositeType | undefined) : parent;
    if (!cond) throw new Error(`unknown type ${typeName}`);
    collect(ctx, selectionSet, cond, optional || conditional(sel) || !applies(ctx, parent, cond), out);
  }
}

function objectType(ctx: Ctx, parent: GraphQLCompositeType, sets: SelectionSetNode[], depth: number): string {
  const entries = new Map<string, Entry>();
  for (const s of sets) collect(ctx, s, parent, false, entries);
  const lines: string[] = [];
  for (const [key, e] of entries) {
    let t: string;
    if (e.fieldName === '__typename') {
      t = isObjectType(e.on) ? `'${e.on.name}'` : 'string';
    } else {
      const fields = 'getFields' in e.on ? e.on.getFields() : {};
      const def = (fields as Record<string, { type: GraphQLOutputType }>)[e.fieldName];
      if (!def) throw new Error(`${e.on.name}.${e.fieldName} does not exist`);
      const subs = e.nodes.map((n) => n.selectionSet).filter((x): x is SelectionSetNode => x !== undefined);
      t = outputType(ctx, def.type, subs, depth + 1);
    }
    lines.push(`${pad(depth + 1)}${key}${e.optional ? '?' : ''}: ${t};`);
  }
  return `{\n${lines.join('\n')}\n${pad(depth)}}`;
}

function outputType(ctx: Ctx, type: GraphQLOutputType, sets: SelectionSetNode[], depth: number): string {
  if (isNonNullType(type)) return inner(ctx, type.ofType, sets, depth);
  const t = inner(ctx, type, sets, depth);
  return `${t} | null`;
}

function inner(ctx: Ctx, type: GraphQLOutputType, sets: SelectionSetNode[], depth: number): string {
  if (isListType(type)) {
    const el = outputType(ctx, type.ofType, sets, depth);
    return `Array<${el}>`;
  }
  const named = getNamedType(type);
  if (isScalarType(named)) return scalar(named.name);
  if (isEnumType(named)) {
    ctx.enums.add(named.name);
    return named.name;
  }
  return objectType(ctx, named as GraphQLCompositeType, sets, depth);
}

function inputRef(ctx: Ctx, type: GraphQLInputType): string {
  if (isNonNullType(type)) return inputRef(ctx, type.ofType).replace(/ \| null$/, '');
  if (isListType(type)) return `Array<${inputRef(ctx, type.ofType)}> | null`;
  const named = getNamedType(type);
  if (isScalarType(named)) return `${scalar(named.name)} | null`;
  if (isEnumType(named)) ctx.enums.add(named.name);
  if (isInputObjectType(named)) ctx.inputs.add(named.name);
  return `${named.name} | null`;
}

function typeNodeRef(ctx: Ctx, node: TypeNode): string {
  if (node.kind === Kind.NON_NULL_TYPE) return typeNodeRef(ctx, node.type).replace(/ \| null$/, '');
  if (node.kind === Kind.LIST_TYPE) return `Array<${typeNodeRef(ctx, node.type)}> | null`;
  const t = ctx.schema.getType(node.name.value);
  if (!t) throw new Error(`unknown type ${node.name.value}`);
  return inputRef(ctx, t as GraphQLInputType);
}

function inputInterface(ctx: Ctx, t: GraphQLInputObjectType): string {
  const lines = Object.values(t.getFields()).map((f) => {
    const required = isNonNullType(f.type) && f.defaultValue === undefined;
    const doc = f.deprecationReason ? `${pad(1)}/** @deprecated ${f.deprecationReason.replace(/\*\//g, '*\\/').replace(/\s+/g, ' ')} */\n` : '';
    return `${doc}${pad(1)}${f.name}${required ? '' : '?'}: ${inputRef(ctx, f.type)};`;
  });
  return `export interface ${t.name} {\n${lines.join('\n')}\n}`;
}

function enumUnion(t: GraphQLEnumType): string {
  return `export type ${t.name} =\n${t
    .getValues()
    .map((v) => `${pad(1)}| '${v.name}'`)
    .join('\n')};`;
}

export interface DocumentSource {
  name: string;
  kind: string;
  text: string;
}

/** The generated file's text for `documents` against `schema`. */
export function generate(documents: readonly DocumentSource[], schema: GraphQLSchema): string {
  const ctx: Ctx = { schema, fragments: new Map(), enums: new Set(), inputs: new Set() };
  const out: string[] = [
    '// Generated by test/connectors/shopify/codegen.ts from documents.ts and schema/shopify/admin_2026-10.json.gz.',
    '// Do not edit: run `npx tsx test/connectors/shopify/codegen.ts --write` after changing a document.',
    '',
  ];
  for (const d of [...documents].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (d.kind === 'fragment') continue;
    const ast = parse(d.text);
    ctx.fragments = new Map();
    for (const def of ast.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) ctx.fragments.set(def.name.value, def);
    const op = ast.definitions.find((x): x is OperationDefinitionNode => x.kind === Kind.OPERATION_DEFINITION);
    if (!op) continue;
    const root = op.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
    if (!root) throw new Error('schema without root type');
    out.push(`/** Result data of ${d.name}. */`);
    out.push(`export interface ${d.name}Data ${objectType(ctx, root, [op.selectionSet], 0)}`);
    const vars = (op.variableDefinitions ?? []).map((v) => {
      const required = v.type.kind === Kind.NON_NULL_TYPE && !v.defaultValue;
      return `${pad(1)}${v.variable.name.value}${required ? '' : '?'}: ${typeNodeRef(ctx, v.type)};`;
    });
    out.push(`/** Variables of ${d.name}. */`);
    out.push(vars.length ? `export interface ${d.name}Variables {\n${vars.join('\n')}\n}` : `export type ${d.name}Variables = Record<string, never>;`);
    out.push('');
  }
  // Input objects reachable from the variables (their fields may reach more).
  const doneInputs = new Set<string>();
  const inputDecls: string[] = [];
  for (;;) {
    const next = [...ctx.inputs].filter((n) => !doneInputs.has(n)).sort();
    if (!next.length) break;
    for (const n of next) {
      doneInputs.add(n);
      inputDecls.push(inputInterface(ctx, schema.getType(n) as GraphQLInputObjectType));
    }
  }
  out.push('// ---- input objects ----', '');
  out.push(...[...inputDecls].sort().map((x) => `${x}\n`));
  out.push('// ---- enums ----', '');
  for (const n of [...ctx.enums].sort()) out.push(`${enumUnion(schema.getType(n) as GraphQLEnumType)}\n`);
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

async function main(): Promise<void> {
  const { registeredOperations } = await import('../../../src/connectors/shopify/gql.js');
  await import('../../../src/connectors/shopify/documents.js');
  const text = generate(registeredOperations(), adminSchema('2026-10'));
  if (process.argv.includes('--write')) {
    writeFileSync(GENERATED_PATH, text);
    console.log(`wrote ${GENERATED_PATH} (${text.length} bytes)`);
  } else {
    process.stdout.write(text);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
