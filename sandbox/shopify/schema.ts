// Loads the vendored Shopify Admin introspection dumps (schema/shopify/, see SOURCE.md there) once per
// process and per version, hardens the custom scalars so a resolver bug cannot leak a malformed value,
// and extracts the Shopify-specific metadata the sandbox needs (requiredAccess, input complexity costs,
// which mutations accept or require `@idempotent`).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { buildClientSchema, GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';
import type { GraphQLSchema, IntrospectionQuery, ValueNode } from 'graphql';

export const SUPPORTED_VERSIONS = ['2026-10', '2026-07'] as const;
export type ApiVersion = (typeof SUPPORTED_VERSIONS)[number];
export const DEFAULT_VERSION: ApiVersion = '2026-10';

export function isSupportedVersion(v: string): v is ApiVersion {
  return (SUPPORTED_VERSIONS as readonly string[]).includes(v);
}

export interface SchemaInfo {
  version: ApiVersion;
  schema: GraphQLSchema;
  /** `Type.field` -> Shopify's `requiredAccess` text (only where the dump has one). */
  requiredAccess: Map<string, string>;
  /** `InputType.field` -> complexity cost per element ("Complexity cost: 0.2 per variant."). */
  inputComplexity: Map<string, number>;
  /** Mutation name -> whether `@idempotent` is accepted / required (from the mutation descriptions). */
  idempotent: Map<string, { required: boolean }>;
}

interface RawField {
  name: string;
  description?: string | null;
  requiredAccess?: string | null;
}
interface RawType {
  name: string;
  kind: string;
  fields?: RawField[] | null;
  inputFields?: RawField[] | null;
}

let schemaDirOverride: string | undefined;
let foundDir: string | undefined;

/** Points the loader at another directory holding `admin_<version>.json.gz` (tests, packaged installs). */
export function setSchemaDir(dir: string | undefined): void {
  schemaDirOverride = dir;
}

export function findSchemaDir(): string {
  if (schemaDirOverride) return schemaDirOverride;
  const env = process.env.KOPPEL_SHOPIFY_SCHEMA_DIR;
  if (env) return env;
  if (foundDir) return foundDir;
  // Works from the sources (sandbox/shopify) and from the build (dist/sandbox/shopify).
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'schema', 'shopify');
    if (existsSync(join(candidate, `admin_${DEFAULT_VERSION}.json.gz`))) return (foundDir = candidate);
    const parent = resolve(dir, '..');
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(
    'Shopify schema dumps not found: expected schema/shopify/admin_<version>.json.gz above sandbox/shopify. ' +
      'Run scripts/fetch-shopify-schema.sh or set KOPPEL_SHOPIFY_SCHEMA_DIR.',
  );
}

const cache = new Map<string, SchemaInfo>();

export function loadSchema(version: ApiVersion): SchemaInfo {
  const dir = findSchemaDir();
  const cacheKey = `${dir}|${version}`;
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  const file = join(dir, `admin_${version}.json.gz`);
  const json = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as
    | { data: IntrospectionQuery }
    | IntrospectionQuery;
  const intro = 'data' in json ? json.data : json;
  const schema = buildClientSchema(intro);
  hardenScalars(schema);
  const info: SchemaInfo = {
    version,
    schema,
    requiredAccess: new Map(),
    inputComplexity: new Map(),
    idempotent: new Map(),
  };
  const raw = intro.__schema.types as unknown as RawType[];
  const mutationName = intro.__schema.mutationType?.name ?? 'Mutation';
  for (const t of raw) {
    for (const f of t.fields ?? []) {
      if (f.requiredAccess) info.requiredAccess.set(`${t.name}.${f.name}`, f.requiredAccess);
      if (t.name === mutationName && f.description && /@idempotent/.test(f.description)) {
        info.idempotent.set(f.name, { required: /idempotency key is required/i.test(f.description) });
      }
    }
    for (const f of t.inputFields ?? []) {
      const m = f.description ? /Complexity cost:\s*([0-9]+(?:\.[0-9]+)?)\s+per\b/i.exec(f.description) : null;
      if (m) info.inputComplexity.set(`${t.name}.${f.name}`, Number(m[1]));
    }
  }
  cache.set(cacheKey, info);
  return info;
}

// ---------------------------------------------------------------------------------------------
// Scalars. buildClientSchema gives custom scalars identity (de)serialisers; Shopify's are strict.

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL = /^-?\d+(?:\.\d+)?$/;
const UNSIGNED = /^\d+$/;
const SIGNED = /^-?\d+$/;

type Parser = (value: unknown) => unknown;
interface ScalarRule {
  serialize: Parser;
  parse: Parser;
}

function fail(scalar: string, value: unknown, direction: 'output' | 'input'): never {
  const shown = JSON.stringify(value);
  throw new GraphQLError(
    direction === 'output'
      ? `Sandbox produced an invalid ${scalar} value ${shown} (a sandbox bug, please report it)`
      : `Invalid ${scalar} value: ${shown}`,
  );
}

function stringRule(scalar: string, re?: RegExp): ScalarRule {
  return {
    serialize: (v) => (typeof v === 'string' && (!re || re.test(v)) ? v : fail(scalar, v, 'output')),
    parse: (v) => (typeof v === 'string' && (!re || re.test(v)) ? v : fail(scalar, v, 'input')),
  };
}

const decimalRule = (scalar: string): ScalarRule => ({
  serialize: (v) => (typeof v === 'string' && DECIMAL.test(v) ? v : fail(scalar, v, 'output')),
  parse: (v) => {
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v === 'string' && DECIMAL.test(v.trim())) return v.trim();
    return fail(scalar, v, 'input');
  },
});

const integerStringRule = (scalar: string, re: RegExp): ScalarRule => ({
  serialize: (v) => {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'string' && re.test(v)) return v;
    if (typeof v === 'number' && Number.isSafeInteger(v) && re.test(String(v))) return String(v);
    return fail(scalar, v, 'output');
  },
  parse: (v) => {
    if (typeof v === 'string' && re.test(v)) return v;
    if (typeof v === 'number' && Number.isSafeInteger(v) && re.test(String(v))) return String(v);
    return fail(scalar, v, 'input');
  },
});

const SCALAR_RULES: Record<string, ScalarRule> = {
  DateTime: {
    serialize: (v) => (typeof v === 'string' && ISO_DATE_TIME.test(v) ? v : fail('DateTime', v, 'output')),
    parse: (v) => {
      if (typeof v === 'string' && (ISO_DATE_TIME.test(v) || ISO_DATE.test(v)) && !Number.isNaN(Date.parse(v))) return v;
      return fail('DateTime', v, 'input');
    },
  },
  Date: stringRule('Date', ISO_DATE),
  Decimal: decimalRule('Decimal'),
  Money: decimalRule('Money'),
  UnsignedInt64: integerStringRule('UnsignedInt64', UNSIGNED),
  BigInt: integerStringRule('BigInt', SIGNED),
  URL: stringRule('URL'),
  HTML: stringRule('HTML'),
  FormattedString: stringRule('FormattedString'),
  ARN: stringRule('ARN'),
  Color: stringRule('Color', /^#[0-9A-Fa-f]{6}$/),
  UtcOffset: stringRule('UtcOffset', /^[+-]\d{2}:\d{2}$/),
  StorefrontID: stringRule('StorefrontID'),
  JSON: { serialize: (v) => v, parse: (v) => v },
};

function hardenScalars(schema: GraphQLSchema): void {
  for (const [name, rule] of Object.entries(SCALAR_RULES)) {
    const t = schema.getType(name);
    if (!(t instanceof GraphQLScalarType)) continue;
    const mutable = t as unknown as {
      serialize: Parser;
      parseValue: Parser;
      parseLiteral: (node: ValueNode, variables?: Record<string, unknown> | null) => unknown;
    };
    mutable.serialize = rule.serialize;
    mutable.parseValue = rule.parse;
    mutable.parseLiteral = (node, variables) => {
      if (node.kind === Kind.NULL) return null;
      return rule.parse(valueFromASTUntyped(node, variables ?? undefined));
    };
  }
}
