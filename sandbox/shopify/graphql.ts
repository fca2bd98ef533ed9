// One GraphQL request, Shopify style: parse and validate against the requested version's schema, check
// limits and `@idempotent`, price it, take the cost from the bucket (or answer THROTTLED), execute through
// the resolver registry, refund the difference to the actual cost, and report `extensions.cost`.
import { isDeepStrictEqual } from 'node:util';
import {
  execute,
  getDirectiveValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  NoDeprecatedCustomRule,
  parse,
  typeFromAST,
  validate,
} from 'graphql';
import type {
  DocumentNode,
  ExecutionResult,
  FieldNode,
  GraphQLFieldResolver,
  GraphQLInputType,
  GraphQLObjectType,
  GraphQLResolveInfo,
  GraphQLTypeResolver,
  OperationDefinitionNode,
  SelectionNode,
} from 'graphql';
import { actualCost, checkLimits, fragmentsOf, MAX_QUERY_COST, requestedCost } from './analysis.js';
import type { RequestContext } from './context.js';
import type { SandboxCore } from './core.js';
import { accessDenied, expandScopes, parseRequiredAccess, scopeSatisfied, unsupported } from './registry.js';
import type { FieldSpec, Resolver, ScopeRule } from './registry.js';
import { isSupportedVersion, loadSchema, SUPPORTED_VERSIONS } from './schema.js';
import type { ApiVersion, SchemaInfo } from './schema.js';
import type { TokenInfo } from './auth.js';

export const RATE_LIMIT_DOCS = 'https://shopify.dev/api/usage/rate-limits';
/** Value of X-Shopify-API-Deprecated-Reason when a request used a deprecated field, argument, enum value or input field. */
export const DEPRECATION_DOCS = 'https://shopify.dev/api/usage/versioning#deprecation-practices';

export interface GraphQLHttpRequest {
  version: string;
  token: TokenInfo;
  contentType: string | null;
  body: string;
  /** Origin of the incoming request (URLs the sandbox hands out point back at it). */
  origin?: string;
}

export interface GraphQLHttpResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  /** Fault injection: the change is committed but the client never gets this answer. */
  dropConnection?: boolean;
}

interface ParsedBody {
  query: string;
  variables: Record<string, unknown>;
  operationName: string | null;
}

function parseBody(contentType: string | null, raw: string): ParsedBody | string {
  const ct = (contentType ?? '').toLowerCase();
  if (ct.includes('application/graphql')) return { query: raw, variables: {}, operationName: null };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return 'Request body is not valid JSON';
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return 'Request body must be a JSON object';
  const b = json as Record<string, unknown>;
  if (typeof b.query !== 'string' || b.query.trim() === '') return 'query';
  let variables = b.variables ?? {};
  if (typeof variables === 'string') {
    try {
      variables = variables.trim() === '' ? {} : JSON.parse(variables);
    } catch {
      return 'variables is not valid JSON';
    }
  }
  if (variables === null) variables = {};
  if (typeof variables !== 'object' || Array.isArray(variables)) return 'variables must be a JSON object';
  const operationName = typeof b.operationName === 'string' && b.operationName !== '' ? b.operationName : null;
  return { query: b.query, variables: variables as Record<string, unknown>, operationName };
}

function costExtension(core: SandboxCore, requested: number, actual: number | null) {
  return { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: core.bucket.status() } };
}

function errorsOnly(core: SandboxCore, errors: readonly GraphQLError[], requested = 0): GraphQLHttpResponse {
  return {
    status: 200,
    headers: {},
    body: { errors: errors.map((e) => e.toJSON()), extensions: costExtension(core, requested, null) },
  };
}

// ---------------------------------------------------------------------------------------------

interface IdempotentUse {
  key: string | undefined;
}

/** Checks `@idempotent` on root fields before anything runs: where it is allowed, required, non-blank. */
function checkIdempotency(info: SchemaInfo, op: OperationDefinitionNode, variables: Record<string, unknown>, fragments: ReturnType<typeof fragmentsOf>): GraphQLError[] {
  const directive = info.schema.getDirective('idempotent');
  const errors: GraphQLError[] = [];
  const rootFields: FieldNode[] = [];
  const gather = (sels: readonly SelectionNode[]) => {
    for (const s of sels) {
      if (s.kind === Kind.FIELD) rootFields.push(s);
      else if (s.kind === Kind.INLINE_FRAGMENT) gather(s.selectionSet.selections);
      else {
        const f = fragments[s.name.value];
        if (f) gather(f.selectionSet.selections);
      }
    }
  };
  gather(op.selectionSet.selections);
  for (const field of rootFields) {
    const name = field.name.value;
    const use: IdempotentUse = { key: undefined };
    const has = field.directives?.some((d) => d.name.value === 'idempotent') ?? false;
    if (has && directive) {
      const v = getDirectiveValues(directive, field, variables);
      use.key = typeof v?.key === 'string' ? v.key : undefined;
    }
    const support = op.operation === 'mutation' ? info.idempotent.get(name) : undefined;
    if (has && !support) {
      errors.push(new GraphQLError(`The @idempotent directive is not supported on the field '${name}'.`, { nodes: [field], extensions: { code: 'BAD_REQUEST' } }));
      continue;
    }
    if (has && (use.key === undefined || use.key.trim() === '')) {
      errors.push(new GraphQLError('The idempotency key cannot be an empty string or whitespace only.', { nodes: [field], extensions: { code: 'BAD_REQUEST' } }));
      continue;
    }
    if (!has && support?.required) {
      errors.push(
        new GraphQLError(
          `The '${name}' mutation requires an idempotency key: add @idempotent(key: "<uuid>") to the field (mandatory since API version 2026-04).`,
          { nodes: [field], extensions: { code: 'BAD_REQUEST', documentation: 'https://shopify.dev/docs/api/usage/idempotent-requests' } },
        ),
      );
    }
  }
  return errors;
}

function scopeRuleFor(core: SandboxCore, info: SchemaInfo, coord: string): ScopeRule | null {
  const registered = core.registry.scopes.get(coord);
  if (registered) return registered;
  const text = info.requiredAccess.get(coord);
  return text ? parseRequiredAccess(text) : null;
}

/** Every input object field present in the arguments must be one the sandbox declared it honours. */
function checkInputs(core: SandboxCore, info: GraphQLResolveInfo, args: Record<string, unknown>): void {
  const field = info.parentType.getFields()[info.fieldName];
  if (!field) return;
  const walk = (type: GraphQLInputType, value: unknown): void => {
    if (value === null || value === undefined) return;
    const t = isNonNullType(type) ? type.ofType : type;
    if (isListType(t)) {
      if (Array.isArray(value)) for (const v of value) walk(t.ofType, v);
      return;
    }
    if (!isInputObjectType(t) || typeof value !== 'object') return;
    const decl = core.registry.inputs.get(t.name);
    if (decl === undefined) throw unsupported(`input ${t.name}`, `used by ${info.parentType.name}.${info.fieldName}`);
    const fields = t.getFields();
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const f = fields[k];
      // graphql-js fills in schema defaults for fields the client left out; those are not "used".
      if (f && f.defaultValue !== undefined && isDeepStrictEqual(v, f.defaultValue)) continue;
      if (decl !== '*' && !decl.has(k)) throw unsupported(`${t.name}.${k}`, `used by ${info.parentType.name}.${info.fieldName}`);
      if (f) walk(f.type, v);
    }
  };
  for (const a of field.args) walk(a.type, args[a.name]);
}

function checkArgs(spec: FieldSpec, info: GraphQLResolveInfo, coord: string): void {
  if (!spec.args) return;
  for (const node of info.fieldNodes) {
    for (const a of node.arguments ?? []) {
      if (!spec.args.has(a.name.value)) throw unsupported(`${coord}(${a.name.value}:)`);
    }
  }
}

/** A payload carrying only a userError, for idempotency refusals (every other field null). */
function refusalPayload(info: GraphQLResolveInfo, code: string, message: string): Record<string, unknown> {
  const payloadType = getNamedType(info.returnType) as GraphQLObjectType;
  const out: Record<string, unknown> = { __typename: payloadType.name };
  for (const name of Object.keys(payloadType.getFields())) out[name] = null;
  const ue = payloadType.getFields().userErrors;
  const errType = ue ? (getNamedType(ue.type) as GraphQLObjectType) : undefined;
  const codeField = errType?.getFields().code;
  const codeEnum = codeField ? getNamedType(codeField.type) : undefined;
  const codeOk = codeEnum && isEnumType(codeEnum) && codeEnum.getValue(code);
  out.userErrors = [{ field: null, message, ...(codeOk ? { code } : { code: null }) }];
  return out;
}

const IDEMPOTENCY_MESSAGES: Record<string, string> = {
  IDEMPOTENCY_CONCURRENT_REQUEST: 'This request is currently in progress, please try again.',
  IDEMPOTENCY_KEY_PARAMETER_MISMATCH: 'The same idempotency key cannot be used with different operation parameters.',
  IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED: 'A previous request with this idempotency key failed. Retry with a new idempotency key.',
};

/** Resolvers are registered with precise source/argument types; the executor calls them untyped. */
function callResolver(r: Resolver, source: unknown, args: unknown, ctx: RequestContext, info: GraphQLResolveInfo): unknown {
  return (r as (s: unknown, a: unknown, c: RequestContext, i: GraphQLResolveInfo) => unknown)(source, args, ctx, info);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function makeFieldResolver(core: SandboxCore, info: SchemaInfo): GraphQLFieldResolver<unknown, RequestContext> {
  const queryType = info.schema.getQueryType();
  const mutationType = info.schema.getMutationType();
  const directive = info.schema.getDirective('idempotent');

  const resolveRoot = async (spec: FieldSpec, source: unknown, args: Record<string, unknown>, ctx: RequestContext, ri: GraphQLResolveInfo): Promise<unknown> => {
    const coord = `${ri.parentType.name}.${ri.fieldName}`;
    const rule = scopeRuleFor(core, info, coord);
    if (rule && !ctx.scopes.has('*') && !scopeSatisfied(rule, ctx.scopes)) throw accessDenied(ri.fieldName, rule);
    checkArgs(spec, ri, coord);
    checkInputs(core, ri, args);
    const isMutation = ri.parentType === mutationType;
    let key: string | undefined;
    if (isMutation && directive) {
      const v = getDirectiveValues(directive, ri.fieldNodes[0]!, ri.variableValues);
      key = typeof v?.key === 'string' ? v.key : undefined;
    }
    const delay = async () => {
      if (ctx.pendingLatencyMs > 0) {
        const ms = ctx.pendingLatencyMs;
        ctx.pendingLatencyMs = 0;
        await sleep(ms);
      }
    };
    if (key === undefined) {
      await delay();
      const result = await callResolver(spec.resolve, source, args, ctx, ri);
      if (isMutation) core.flush();
      return result;
    }
    const outcome = core.idempotency.begin(key, { field: ri.fieldName, args });
    if (outcome.kind === 'replay') return outcome.result;
    if (outcome.kind === 'mismatch') return refusalPayload(ri, 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH', IDEMPOTENCY_MESSAGES.IDEMPOTENCY_KEY_PARAMETER_MISMATCH!);
    if (outcome.kind === 'concurrent') return refusalPayload(ri, 'IDEMPOTENCY_CONCURRENT_REQUEST', IDEMPOTENCY_MESSAGES.IDEMPOTENCY_CONCURRENT_REQUEST!);
    if (outcome.kind === 'failed') return refusalPayload(ri, 'IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED', IDEMPOTENCY_MESSAGES.IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED!);
    try {
      await delay();
      ctx.idempotencyKey = key;
      const result = await callResolver(spec.resolve, source, args, ctx, ri);
      core.flush();
      core.idempotency.complete(key, result);
      return result;
    } catch (err) {
      // Refused before any change (bad input, access, unsupported): the key stays usable.
      const code = err instanceof GraphQLError ? err.extensions?.code : undefined;
      if (code === 'BAD_REQUEST' || code === 'ACCESS_DENIED' || code === 'SANDBOX_UNSUPPORTED') core.idempotency.release(key);
      else core.idempotency.fail(key);
      throw err;
    } finally {
      ctx.idempotencyKey = undefined;
    }
  };

  return (source, args, ctx, ri) => {
    const coord = `${ri.parentType.name}.${ri.fieldName}`;
    const spec = core.registry.fields.get(coord);
    if (ri.parentType === queryType || ri.parentType === mutationType) {
      if (!spec) throw unsupported(coord);
      return resolveRoot(spec, source, args as Record<string, unknown>, ctx, ri);
    }
    if (spec) {
      checkArgs(spec, ri, coord);
      checkInputs(core, ri, args as Record<string, unknown>);
      return callResolver(spec.resolve, source, args, ctx, ri);
    }
    if (source !== null && typeof source === 'object' && Object.prototype.hasOwnProperty.call(source, ri.fieldName)) {
      const v = (source as Record<string, unknown>)[ri.fieldName];
      if (v !== undefined) return typeof v === 'function' ? (v as (a: unknown, c: RequestContext, i: GraphQLResolveInfo) => unknown)(args, ctx, ri) : v;
    }
    throw unsupported(coord);
  };
}

const typeResolver: GraphQLTypeResolver<unknown, RequestContext> = (value, _ctx, info, abstractType) => {
  const t = value && typeof value === 'object' ? (value as { __typename?: unknown }).__typename : undefined;
  if (typeof t !== 'string') {
    throw new GraphQLError(`Sandbox view for ${abstractType.name} at ${info.fieldName} lacks __typename (a sandbox bug).`);
  }
  return t;
};

const resolverCache = new WeakMap<SchemaInfo, WeakMap<SandboxCore, GraphQLFieldResolver<unknown, RequestContext>>>();

function resolverFor(core: SandboxCore, info: SchemaInfo): GraphQLFieldResolver<unknown, RequestContext> {
  let byCore = resolverCache.get(info);
  if (!byCore) {
    byCore = new WeakMap();
    resolverCache.set(info, byCore);
  }
  let r = byCore.get(core);
  if (!r) {
    r = makeFieldResolver(core, info);
    byCore.set(core, r);
  }
  return r;
}

/** Every registered root field must say which scopes it needs (explicitly or through the schema). */
export function assertScopesDeclared(core: SandboxCore): void {
  const missing: string[] = [];
  for (const version of SUPPORTED_VERSIONS) {
    const info = loadSchema(version);
    for (const coord of core.registry.fields.keys()) {
      if (!coord.startsWith('QueryRoot.') && !coord.startsWith('Mutation.')) continue;
      if (!scopeRuleFor(core, info, coord)) missing.push(`${coord} (${version})`);
    }
  }
  if (missing.length) throw new Error(`root fields without a scope rule (register one with registry.scope): ${missing.join(', ')}`);
}

// ---------------------------------------------------------------------------------------------
// Deprecations: Shopify answers X-Shopify-API-Deprecated-Reason when a request uses something deprecated.

const literalDeprecations = new WeakMap<DocumentNode, string[]>();

/** Deprecated things the request uses: in the document (fields, arguments, enum values, literal input fields) and in its variables. */
export function deprecationsOf(info: SchemaInfo, doc: DocumentNode, op: OperationDefinitionNode, variables: Record<string, unknown>): string[] {
  let fromDoc = literalDeprecations.get(doc);
  if (!fromDoc) {
    fromDoc = validate(info.schema, doc, [NoDeprecatedCustomRule]).map((e) => e.message);
    literalDeprecations.set(doc, fromDoc);
  }
  const out = [...fromDoc];
  const walk = (type: GraphQLInputType, value: unknown, path: string): void => {
    if (value === null || value === undefined) return;
    const t = isNonNullType(type) ? type.ofType : type;
    if (isListType(t)) {
      if (Array.isArray(value)) value.forEach((v, i) => walk(t.ofType, v, `${path}[${i}]`));
      return;
    }
    if (isEnumType(t) && typeof value === 'string') {
      const v = t.getValue(value);
      if (v?.deprecationReason) out.push(`The enum value ${t.name}.${value} (in ${path}) is deprecated. ${v.deprecationReason}`);
      return;
    }
    if (!isInputObjectType(t) || typeof value !== 'object') return;
    const fields = t.getFields();
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const f = fields[k];
      if (!f || v === undefined) continue;
      if (f.deprecationReason) out.push(`The input field ${t.name}.${k} (in ${path}) is deprecated. ${f.deprecationReason}`);
      walk(f.type, v, `${path}.${k}`);
    }
  };
  for (const def of op.variableDefinitions ?? []) {
    const type = typeFromAST(info.schema, def.type as Parameters<typeof typeFromAST>[1]) as GraphQLInputType | undefined;
    if (type) walk(type, variables[def.variable.name.value], `$${def.variable.name.value}`);
  }
  return out;
}

const documentCache = new Map<string, { doc: DocumentNode } | { errors: readonly GraphQLError[] }>();

/** Parses and validates a document against a version's schema; recent documents are remembered. */
function parseAndValidate(info: SchemaInfo, query: string): { doc: DocumentNode } | { errors: readonly GraphQLError[] } {
  const key = `${info.version}\u0000${query}`;
  const hit = documentCache.get(key);
  if (hit) return hit;
  let result: { doc: DocumentNode } | { errors: readonly GraphQLError[] };
  try {
    const doc = parse(query);
    const errors = validate(info.schema, doc);
    result = errors.length ? { errors } : { doc };
  } catch (err) {
    result = { errors: [err instanceof GraphQLError ? err : new GraphQLError(String(err))] };
  }
  if (documentCache.size >= 500) documentCache.delete(documentCache.keys().next().value!);
  documentCache.set(key, result);
  return result;
}

export async function handleGraphQL(core: SandboxCore, req: GraphQLHttpRequest): Promise<GraphQLHttpResponse> {
  if (!isSupportedVersion(req.version)) {
    return {
      status: 404,
      headers: {},
      body: { errors: `Not Found: API version '${req.version}' is not available; the sandbox serves ${SUPPORTED_VERSIONS.join(', ')}.` },
    };
  }
  const info = loadSchema(req.version);
  core.tick();

  const parsed = parseBody(req.contentType, req.body);
  if (typeof parsed === 'string') {
    const body = parsed === 'query' ? { errors: { query: 'Required parameter missing or invalid' } } : { errors: parsed };
    return { status: 400, headers: {}, body };
  }

  const checked = parseAndValidate(info, parsed.query);
  if ('errors' in checked) return errorsOnly(core, checked.errors);
  const doc = checked.doc;

  const op = getOperationAST(doc, parsed.operationName);
  if (!op) {
    return errorsOnly(core, [
      new GraphQLError(parsed.operationName ? `Unknown operation named "${parsed.operationName}".` : 'An operation name is required when the document holds several operations.'),
    ]);
  }
  if (op.operation === 'subscription') return errorsOnly(core, [new GraphQLError('Subscriptions are not supported by the Admin API.')]);

  const coerced = getVariableValues(info.schema, op.variableDefinitions ?? [], parsed.variables);
  if (coerced.errors) return errorsOnly(core, coerced.errors);
  const variables = coerced.coerced;
  const fragments = fragmentsOf(doc.definitions);

  const limitErrors = checkLimits(info, op, fragments, variables);
  if (limitErrors.length) return errorsOnly(core, limitErrors);
  const idemErrors = checkIdempotency(info, op, variables, fragments);
  if (idemErrors.length) return errorsOnly(core, idemErrors);

  const requested = requestedCost(info, op, fragments, variables);
  if (requested > MAX_QUERY_COST) {
    return errorsOnly(
      core,
      [
        new GraphQLError(
          `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).\n\n` +
            `See ${RATE_LIMIT_DOCS} for more information on how the cost of a query is calculated.\n\n` +
            'To query larger amounts of data with fewer limits, bulk operations should be used instead.\n' +
            'See https://shopify.dev/api/usage/bulk-operations/queries for usage details.',
          { extensions: { code: 'MAX_COST_EXCEEDED', cost: requested, maxCost: MAX_QUERY_COST, documentation: RATE_LIMIT_DOCS } },
        ),
      ],
      requested,
    );
  }
  if (!core.bucket.tryTake(requested)) {
    return {
      status: 200,
      headers: {},
      body: {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: RATE_LIMIT_DOCS } }],
        extensions: costExtension(core, requested, null),
      },
    };
  }

  const failure = core.faults.failure();
  if (failure !== null) {
    core.bucket.refund(requested);
    return { status: failure, headers: { 'content-type': 'application/json' }, body: { errors: failure === 503 ? 'Service Unavailable' : 'Internal Server Error' } };
  }

  const ctx: RequestContext = {
    core,
    state: core.state,
    version: info.version,
    schema: info,
    scopes: req.token.scopes.includes('*') ? new Set(['*']) : expandScopes(req.token.scopes),
    tokenKind: req.token.kind,
    searchWarnings: [],
    pendingLatencyMs: core.faults.latency(),
    origin: req.origin,
  };
  const result = (await execute({
    schema: info.schema,
    document: doc,
    operationName: parsed.operationName ?? undefined,
    variableValues: parsed.variables,
    contextValue: ctx,
    rootValue: {},
    fieldResolver: resolverFor(core, info),
    typeResolver,
  })) as ExecutionResult;
  core.flush();

  const actual = actualCost(info, op, fragments, variables, result.data as Record<string, unknown> | null | undefined);
  core.bucket.refund(Math.max(0, requested - actual));

  const body: Record<string, unknown> = {};
  if (result.errors?.length) body.errors = result.errors.map((e) => e.toJSON());
  body.data = result.data ?? null;
  const extensions: Record<string, unknown> = costExtension(core, requested, actual);
  if (ctx.searchWarnings.length) extensions.search = ctx.searchWarnings;
  body.extensions = extensions;
  for (const e of result.errors ?? []) {
    if (e.extensions?.code === undefined && !(e.originalError instanceof GraphQLError)) {
      core.log(`resolver error at ${e.path?.join('.') ?? '?'}: ${e.originalError?.stack ?? e.message}`);
    }
  }
  const headers: Record<string, string> = {};
  // What the client sent, not the coerced values: coercion fills in defaults, some of them deprecated fields.
  const deprecated = deprecationsOf(info, doc, op, (parsed.variables ?? {}) as Record<string, unknown>);
  if (deprecated.length) {
    headers['X-Shopify-API-Deprecated-Reason'] = DEPRECATION_DOCS;
    core.log(`deprecated use: ${deprecated.join(' | ')}`);
  }
  return { status: 200, headers, body, dropConnection: op.operation === 'mutation' && core.faults.dropAfterCommit() };
}


// ---------------------------------------------------------------------------------------------

export interface InternalExecution {
  version: ApiVersion;
  /** Granted scopes as on the token ('*' = everything). */
  scopes: readonly string[];
  tokenKind: 'static' | 'client_credentials';
  /** A parsed, validated document (see `parseDocument`). */
  document: DocumentNode;
  variables: Record<string, unknown>;
  operationName?: string;
  origin?: string;
}

/** Parses and validates a document against a version's schema (errors instead of a document when invalid). */
export function parseDocument(version: ApiVersion, query: string): { doc: DocumentNode } | { errors: readonly GraphQLError[] } {
  return parseAndValidate(loadSchema(version), query);
}

/**
 * Runs a document through the registry like a request, but outside the cost bucket and the per-request
 * limits: bulk operations (each JSONL line of a bulk mutation, or a bulk query without pagination arguments).
 * Variables are coerced; `@idempotent`, scopes, unsupported fields and inputs are checked as usual.
 */
export async function executeInternal(core: SandboxCore, run: InternalExecution): Promise<ExecutionResult> {
  const info = loadSchema(run.version);
  const op = getOperationAST(run.document, run.operationName);
  if (!op) return { errors: [new GraphQLError('The document must hold exactly one operation (or name it).')] };
  const coerced = getVariableValues(info.schema, op.variableDefinitions ?? [], run.variables);
  if (coerced.errors) return { errors: coerced.errors };
  const fragments = fragmentsOf(run.document.definitions);
  if (op.operation === 'mutation') {
    const limitErrors = checkLimits(info, op, fragments, coerced.coerced);
    if (limitErrors.length) return { errors: limitErrors };
  }
  const idemErrors = checkIdempotency(info, op, coerced.coerced, fragments);
  if (idemErrors.length) return { errors: idemErrors };
  const ctx: RequestContext = {
    core,
    state: core.state,
    version: info.version,
    schema: info,
    scopes: run.scopes.includes('*') ? new Set(['*']) : expandScopes(run.scopes),
    tokenKind: run.tokenKind,
    searchWarnings: [],
    pendingLatencyMs: 0,
    origin: run.origin,
    bulk: true,
  };
  const result = (await execute({
    schema: info.schema,
    document: run.document,
    operationName: run.operationName,
    variableValues: run.variables,
    contextValue: ctx,
    rootValue: {},
    fieldResolver: resolverFor(core, info),
    typeResolver,
  })) as ExecutionResult;
  core.flush();
  return result;
}
