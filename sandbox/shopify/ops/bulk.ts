// Bulk operations: stagedUploadsCreate (BULK_MUTATION_VARIABLES, with an upload endpoint the sandbox serves
// itself, POST multipart or PUT), bulkOperationRunMutation (each JSONL line runs the mutation with its
// variables; results `{"data":…,"__lineNumber":N}` in a JSONL file served by the sandbox, lines out of order),
// bulkOperationRunQuery (1–5 connections, nesting ≤ 2, no pagination arguments; JSONL with `__parentId`),
// bulkOperation(id:), bulkOperations(query:), bulkOperationCancel, at most 5 running per shop, and the
// bulk_operations/finish webhook. Lines are processed at `bulkLinesPerSecond` (default 20) per operation on the
// sandbox clock (core.scheduler), outside the cost bucket; starting and polling are ordinary requests.
import { createHmac, randomBytes } from 'node:crypto';
import { Kind } from 'graphql';
import type { DocumentNode, FieldNode, FragmentDefinitionNode, GraphQLNamedType, GraphQLObjectType, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import { getNamedType, isAbstractType, isObjectType } from 'graphql';
import { isConnectionType } from '../analysis.js';
import type { RequestContext } from '../context.js';
import type { SandboxCore } from '../core.js';
import { isoSeconds } from '../core.js';
import { paginate } from '../connection.js';
import { gid, parseGid } from '../gid.js';
import { executeInternal, parseDocument } from '../graphql.js';
import type { Registry } from '../registry.js';
import { SandboxInputError, unsupported } from '../registry.js';
import { loadSchema } from '../schema.js';
import type { ApiVersion } from '../schema.js';
import { CompiledSearch } from '../search.js';
import type { SearchSpec } from '../search.js';
import type { SandboxState, Table } from '../state.js';
import { gidOf, requireSortKey } from './common.js';
import { shopTime } from './webhook-payloads.js';
import { registerWebhookPayload } from './webhooks.js';

// ---------------------------------------------------------------------------------------------
// Records

export type BulkStatus = 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELING' | 'CANCELED' | 'EXPIRED';

export interface BulkOperationRec {
  id: string;
  type: 'QUERY' | 'MUTATION';
  status: BulkStatus;
  errorCode: 'ACCESS_DENIED' | 'INTERNAL_SERVER_ERROR' | 'TIMEOUT' | null;
  /** The query, or the mutation, as given. */
  query: string;
  clientIdentifier: string | null;
  stagedUploadPath: string | null;
  groupObjects: boolean;
  version: ApiVersion;
  scopes: string[];
  tokenKind: 'static' | 'client_credentials';
  origin: string;
  createdAt: string;
  /** Set when COMPLETED (the moment the result file was written). */
  completedAt: string | null;
  /** Sandbox time of the last terminal state (COMPLETED, FAILED, CANCELED). */
  finishedAtMs: number | null;
  startedAtMs: number | null;
  totalLines: number;
  processed: number;
  objectCount: number;
  rootObjectCount: number;
  fileSize: string | null;
  url: string | null;
  partialDataUrl: string | null;
  /** Set by /__sandbox/bulk/fail: the next step fails with this code. */
  failWith: 'INTERNAL_SERVER_ERROR' | 'TIMEOUT' | null;
}

export const BULK = {
  operations: (s: SandboxState): Table<BulkOperationRec> => s.table<BulkOperationRec>('bulkOperations'),
};

export const MAX_RUNNING_BULK_OPERATIONS = 5;
export const MAX_BULK_UPLOAD_BYTES = 100 * 1024 * 1024;
const RESULT_RETENTION_MS = 7 * 86_400_000;
const RUNNING: ReadonlySet<BulkStatus> = new Set(['CREATED', 'RUNNING', 'CANCELING']);

interface Work {
  /** JSONL input lines (mutation) or the query's result lines (query, once snapshotted). */
  lines: string[];
  results: string[];
  busy: boolean;
  snapshotted: boolean;
}

/** Files (staged uploads and results) and the work in progress, per shop state: kept out of /__sandbox/state. */
interface Store {
  staged: Map<string, { content: string | null; createdAt: number }>;
  results: Map<string, { content: string; contentType: string }>;
  work: Map<string, Work>;
}

const stores = new WeakMap<SandboxState, Store>();

function store(state: SandboxState): Store {
  let s = stores.get(state);
  if (!s) {
    s = { staged: new Map(), results: new Map(), work: new Map() };
    stores.set(state, s);
  }
  return s;
}

/** Async work of running operations, per sandbox, for settleBulk. */
const inFlight = new WeakMap<SandboxCore, Set<Promise<void>>>();

function flights(core: SandboxCore): Set<Promise<void>> {
  let f = inFlight.get(core);
  if (!f) inFlight.set(core, (f = new Set()));
  return f;
}

/** Runs due bulk work and waits for it (tests with a manual clock: advance, then settle). */
export async function settleBulk(core: SandboxCore): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    core.tick();
    const f = flights(core);
    if (f.size === 0) return;
    await Promise.allSettled([...f]);
  }
}

function sign(core: SandboxCore, what: string): string {
  return createHmac('sha256', core.options.clientSecret).update(`koppel-sandbox-storage|${what}`).digest('hex');
}

function originOf(ctx: RequestContext): string {
  return ctx.origin ?? `https://${ctx.core.options.shop}`;
}

// ---------------------------------------------------------------------------------------------
// Staged uploads

interface StagedUploadInputLike {
  resource: string;
  filename: string;
  mimeType: string;
  httpMethod?: string | null;
  fileSize?: string | null;
}

function stagedUploadsCreate(_s: unknown, args: { input: StagedUploadInputLike[] }, ctx: RequestContext) {
  const core = ctx.core;
  const userErrors: { field: string[]; message: string }[] = [];
  const targets = args.input.map((input, i) => {
    if (input.resource !== 'BULK_MUTATION_VARIABLES') throw unsupported(`stagedUploadsCreate for ${input.resource}`, 'only BULK_MUTATION_VARIABLES is simulated');
    if (input.filename.trim() === '' || /[/\\]/.test(input.filename)) {
      userErrors.push({ field: ['input', String(i), 'filename'], message: 'Filename is invalid' });
      return null;
    }
    const shopNumber = parseGid(ctx.state.shop.id)!.id;
    const key = `tmp/${shopNumber}/bulk/${randomBytes(16).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-')}/${input.filename}`;
    store(ctx.state).staged.set(key, { content: null, createdAt: core.now() });
    const base = `${originOf(ctx)}/storage/staged-uploads`;
    const date = new Date(core.now()).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
    if ((input.httpMethod ?? 'PUT') === 'PUT') {
      return {
        __typename: 'StagedMediaUploadTarget',
        url: `${base}/${key}?X-Goog-Algorithm=GOOG4-HMAC-SHA256&X-Goog-Date=${date}&X-Goog-Signature=${sign(core, key)}`,
        resourceUrl: `${base}/${key}`,
        parameters: [
          { __typename: 'StagedUploadParameter', name: 'content_type', value: input.mimeType },
          { __typename: 'StagedUploadParameter', name: 'acl', value: 'private' },
        ],
      };
    }
    const policy = Buffer.from(JSON.stringify({ conditions: [{ key }, { 'Content-Type': input.mimeType }, ['content-length-range', 1, MAX_BULK_UPLOAD_BYTES]], expiration: new Date(core.now() + 86_400_000).toISOString() })).toString('base64');
    return {
      __typename: 'StagedMediaUploadTarget',
      url: base,
      resourceUrl: `${base}/${key}`,
      parameters: [
        { name: 'Content-Type', value: input.mimeType },
        { name: 'success_action_status', value: '201' },
        { name: 'acl', value: 'private' },
        { name: 'key', value: key },
        { name: 'x-goog-date', value: date },
        { name: 'x-goog-credential', value: `sandbox-storage@koppel.iam.gserviceaccount.com/${date.slice(0, 8)}/auto/storage/goog4_request` },
        { name: 'x-goog-algorithm', value: 'GOOG4-HMAC-SHA256' },
        { name: 'x-goog-signature', value: sign(core, key) },
        { name: 'policy', value: policy },
      ].map((p) => ({ __typename: 'StagedUploadParameter', ...p })),
    };
  });
  if (userErrors.length) return { stagedTargets: null, userErrors };
  return { stagedTargets: targets, userErrors: [] };
}

function storageError(status: number, code: string, message: string): Response {
  return new Response(`<?xml version='1.0' encoding='UTF-8'?><Error><Code>${code}</Code><Message>${message}</Message></Error>`, { status, headers: { 'content-type': 'application/xml; charset=UTF-8' } });
}

function acceptUpload(core: SandboxCore, key: string, signature: string | null, content: string, bytes: number): Response | null {
  const staged = store(core.state).staged.get(key);
  if (!staged || signature !== sign(core, key)) return storageError(403, 'AccessDenied', 'Invalid or expired signature for this key.');
  if (bytes > MAX_BULK_UPLOAD_BYTES) return storageError(400, 'EntityTooLarge', `The file is larger than ${MAX_BULK_UPLOAD_BYTES} bytes.`);
  if (bytes === 0) return storageError(400, 'EntityTooSmall', 'The file is empty.');
  staged.content = content;
  return null;
}

async function uploadPost(core: SandboxCore, req: Request): Promise<Response> {
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    return storageError(400, 'InvalidArgument', 'Expected a multipart/form-data body with the target parameters and a file.');
  }
  const key = form.get('key');
  const file = form.get('file');
  if (typeof key !== 'string') return storageError(400, 'InvalidArgument', 'The key parameter is missing.');
  if (!file || typeof file === 'string') return storageError(400, 'InvalidArgument', 'The file field is missing (send it last, after the parameters).');
  const bytes = new Uint8Array(await file.arrayBuffer());
  const refused = acceptUpload(core, key, typeof form.get('x-goog-signature') === 'string' ? (form.get('x-goog-signature') as string) : null, new TextDecoder().decode(bytes), bytes.byteLength);
  if (refused) return refused;
  const location = `${new URL(req.url).origin}/storage/staged-uploads/${key}`;
  const status = form.get('success_action_status') === '201' ? 201 : 204;
  if (status === 204) return new Response(null, { status });
  return new Response(`<?xml version="1.0" encoding="UTF-8"?><PostResponse><Location>${location}</Location><Bucket>shopify-staged-uploads</Bucket><Key>${key}</Key><ETag>"${sign(core, key).slice(0, 32)}"</ETag></PostResponse>`, { status, headers: { 'content-type': 'application/xml; charset=UTF-8' } });
}

async function uploadPut(core: SandboxCore, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const key = decodeURIComponent(url.pathname.slice('/storage/staged-uploads/'.length));
  const bytes = new Uint8Array(await req.arrayBuffer());
  const refused = acceptUpload(core, key, url.searchParams.get('X-Goog-Signature'), new TextDecoder().decode(bytes), bytes.byteLength);
  return refused ?? new Response(null, { status: 200 });
}

function resultFile(core: SandboxCore, req: Request): Response {
  const name = new URL(req.url).pathname.slice('/storage/bulk/'.length);
  const file = store(core.state).results.get(name);
  if (!file) return storageError(404, 'NoSuchKey', 'The specified key does not exist.');
  const op = [...BULK.operations(core.state).values()].find((o) => o.url?.endsWith(name) || o.partialDataUrl?.endsWith(name));
  if (op && expired(core, op)) return storageError(400, 'ExpiredToken', 'The provided token has expired (results are kept 7 days).');
  return new Response(file.content, { status: 200, headers: { 'content-type': file.contentType } });
}

function expired(core: SandboxCore, op: BulkOperationRec): boolean {
  return op.finishedAtMs !== null && core.now() > op.finishedAtMs + RESULT_RETENTION_MS;
}

// ---------------------------------------------------------------------------------------------
// Starting operations

function runningCount(state: SandboxState): number {
  let n = 0;
  for (const o of BULK.operations(state).values()) if (RUNNING.has(o.status)) n++;
  return n;
}

function newOperation(ctx: RequestContext, type: 'QUERY' | 'MUTATION', query: string, extra: Partial<BulkOperationRec>): BulkOperationRec {
  const op: BulkOperationRec = {
    id: gid('BulkOperation', ctx.state.nextId('BulkOperation')),
    type,
    status: 'CREATED',
    errorCode: null,
    query,
    clientIdentifier: null,
    stagedUploadPath: null,
    groupObjects: false,
    version: ctx.version,
    scopes: [...ctx.scopes],
    tokenKind: ctx.tokenKind,
    origin: originOf(ctx),
    createdAt: ctx.core.nowIso(),
    completedAt: null,
    finishedAtMs: null,
    startedAtMs: null,
    totalLines: 0,
    processed: 0,
    objectCount: 0,
    rootObjectCount: 0,
    fileSize: null,
    url: null,
    partialDataUrl: null,
    failWith: null,
    ...extra,
  };
  BULK.operations(ctx.state).set(op);
  return op;
}

function singleOperation(doc: DocumentNode): OperationDefinitionNode | string {
  const ops = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (ops.length !== 1) return 'The document must hold exactly one operation.';
  return ops[0]!;
}

function bulkOperationRunMutation(_s: unknown, args: { mutation: string; stagedUploadPath: string; clientIdentifier?: string | null; groupObjects?: boolean | null }, ctx: RequestContext) {
  const state = ctx.state;
  const fail = (field: string[] | null, message: string, code: string) => ({ bulkOperation: null, userErrors: [{ field, message, code }] });
  const parsed = parseDocument(ctx.version, args.mutation);
  if ('errors' in parsed) return fail(['mutation'], `Invalid mutation: ${parsed.errors.map((e) => e.message).join('; ')}`, 'INVALID_MUTATION');
  const op = singleOperation(parsed.doc);
  if (typeof op === 'string') return fail(['mutation'], op, 'INVALID_MUTATION');
  if (op.operation !== 'mutation') return fail(['mutation'], 'The operation must be a mutation: use bulkOperationRunQuery for queries.', 'INVALID_MUTATION');
  const roots = op.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value !== '__typename');
  if (roots.length !== 1 || op.selectionSet.selections.some((s) => s.kind !== Kind.FIELD)) return fail(['mutation'], 'A bulk mutation must call exactly one mutation field.', 'INVALID_MUTATION');
  const field = roots[0]!.name.value;
  if (field.startsWith('bulkOperation') || field === 'stagedUploadsCreate') return fail(['mutation'], `${field} cannot run inside a bulk operation.`, 'INVALID_MUTATION');
  if (!ctx.core.registry.fields.has(`Mutation.${field}`)) return fail(['mutation'], `The Koppel Shopify sandbox does not implement Mutation.${field}, so it cannot run it in bulk (SANDBOX_UNSUPPORTED).`, 'INVALID_MUTATION');
  const staged = store(state).staged.get(args.stagedUploadPath);
  if (!staged || staged.content === null) return fail(['stagedUploadPath'], 'The JSONL file could not be found. Upload it to the staged upload target first.', 'NO_SUCH_FILE');
  const lines = staged.content.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) return fail(['stagedUploadPath'], 'The JSONL file is empty.', 'INVALID_STAGED_UPLOAD_FILE');
  for (let i = 0; i < lines.length; i++) {
    let v: unknown;
    try {
      v = JSON.parse(lines[i]!);
    } catch {
      return fail(['stagedUploadPath'], `Line ${i + 1} of the JSONL file is not valid JSON.`, 'INVALID_STAGED_UPLOAD_FILE');
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) return fail(['stagedUploadPath'], `Line ${i + 1} of the JSONL file must be a JSON object of variables.`, 'INVALID_STAGED_UPLOAD_FILE');
  }
  if ([...BULK.operations(state).values()].some((o) => RUNNING.has(o.status) && o.stagedUploadPath === args.stagedUploadPath)) {
    return fail(['stagedUploadPath'], 'A bulk mutation with this staged upload is already in progress.', 'OPERATION_IN_PROGRESS');
  }
  if (runningCount(state) >= MAX_RUNNING_BULK_OPERATIONS) return fail(null, `Bulk operations limit reached: at most ${MAX_RUNNING_BULK_OPERATIONS} can run at the same time per app and shop. Please try again later.`, 'LIMIT_REACHED');
  const rec = newOperation(ctx, 'MUTATION', args.mutation, { clientIdentifier: args.clientIdentifier ?? null, stagedUploadPath: args.stagedUploadPath, totalLines: lines.length });
  store(state).work.set(rec.id, { lines, results: [], busy: false, snapshotted: true });
  start(ctx.core, rec);
  return { bulkOperation: operationView(ctx.core, rec), userErrors: [] };
}

// ---- bulk queries: shape checks

function fragmentsIn(doc: DocumentNode): Record<string, FragmentDefinitionNode> {
  const out: Record<string, FragmentDefinitionNode> = {};
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) out[d.name.value] = d;
  return out;
}

interface QueryShape {
  connections: number;
  problems: string[];
}

function checkQueryShape(ctx: RequestContext, doc: DocumentNode, op: OperationDefinitionNode): QueryShape {
  const schema = loadSchema(ctx.version).schema;
  const fragments = fragmentsIn(doc);
  const shape: QueryShape = { connections: 0, problems: [] };
  const visit = (set: SelectionSetNode, parent: GraphQLNamedType, depth: number, path: string, seen: Set<string>): void => {
    const selectsId = set.selections.some((s) => s.kind === Kind.FIELD && s.name.value === 'id' && !s.alias);
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        if (t) visit(sel.selectionSet, t, depth, path, seen);
        continue;
      }
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments[sel.name.value];
        if (!f || seen.has(f.name.value)) continue;
        const t = schema.getType(f.typeCondition.name.value);
        if (t) visit(f.selectionSet, t, depth, path, new Set([...seen, f.name.value]));
        continue;
      }
      if (!(isObjectType(parent) || isAbstractType(parent))) continue;
      const def = (parent as GraphQLObjectType).getFields?.()[sel.name.value];
      if (!def) continue;
      const named = getNamedType(def.type);
      const here = path ? `${path}.${sel.name.value}` : sel.name.value;
      if (isConnectionType(named)) {
        shape.connections++;
        const paging = (sel.arguments ?? []).filter((a) => ['first', 'last', 'after', 'before'].includes(a.name.value)).map((a) => a.name.value);
        if (paging.length) shape.problems.push(`Bulk queries cannot contain pagination arguments (${paging.join(', ')}) on '${here}': the operation reads the whole connection.`);
        if (depth + 1 > 2) shape.problems.push(`Bulk queries cannot contain connections nested more than 2 levels deep ('${here}').`);
        if (depth >= 1 && !selectsId) shape.problems.push(`The parent 'node' field for the nested connection '${here}' must select the 'id' field without an alias.`);
        const nodeType = getNamedType((named as GraphQLObjectType).getFields().nodes?.type ?? (named as GraphQLObjectType).getFields().edges!.type);
        for (const inner of sel.selectionSet?.selections ?? []) {
          if (inner.kind !== Kind.FIELD) continue;
          if (inner.name.value === 'nodes' && inner.selectionSet) visit(inner.selectionSet, nodeType, depth + 1, here, seen);
          if (inner.name.value === 'edges' && inner.selectionSet) {
            for (const e of inner.selectionSet.selections) {
              if (e.kind === Kind.FIELD && e.name.value === 'node' && e.selectionSet) {
                const nodeOfEdge = getNamedType((getNamedType((named as GraphQLObjectType).getFields().edges!.type) as GraphQLObjectType).getFields().node!.type);
                visit(e.selectionSet, nodeOfEdge, depth + 1, here, seen);
              }
            }
          }
        }
      } else if (sel.selectionSet) visit(sel.selectionSet, named, depth, here, seen);
    }
  };
  visit(op.selectionSet, schema.getQueryType()!, 0, '', new Set());
  return shape;
}

function bulkOperationRunQuery(_s: unknown, args: { query: string; groupObjects?: boolean | null }, ctx: RequestContext) {
  const fail = (message: string, code = 'INVALID') => ({ bulkOperation: null, userErrors: [{ field: ['query'], message, code }] });
  const parsed = parseDocument(ctx.version, args.query);
  if ('errors' in parsed) return fail(`Invalid bulk query: ${parsed.errors.map((e) => e.message).join('; ')}`);
  const op = singleOperation(parsed.doc);
  if (typeof op === 'string') return fail(op);
  if (op.operation !== 'query') return fail('Bulk queries must be queries: use bulkOperationRunMutation for mutations.');
  const shape = checkQueryShape(ctx, parsed.doc, op);
  if (shape.connections === 0) return fail('Bulk queries must contain at least one connection.');
  if (shape.connections > 5) return fail(`Bulk queries cannot contain more than 5 connections (this one has ${shape.connections}).`);
  if (shape.problems.length) return fail(shape.problems[0]!);
  if (runningCount(ctx.state) >= MAX_RUNNING_BULK_OPERATIONS) {
    return { bulkOperation: null, userErrors: [{ field: null, message: `Bulk operations limit reached: at most ${MAX_RUNNING_BULK_OPERATIONS} can run at the same time per app and shop. Please try again later.`, code: 'LIMIT_REACHED' }] };
  }
  const rec = newOperation(ctx, 'QUERY', args.query, { groupObjects: args.groupObjects === true });
  store(ctx.state).work.set(rec.id, { lines: [], results: [], busy: false, snapshotted: false });
  start(ctx.core, rec);
  return { bulkOperation: operationView(ctx.core, rec), userErrors: [] };
}

// ---------------------------------------------------------------------------------------------
// Running operations (sandbox clock)

function start(core: SandboxCore, op: BulkOperationRec): void {
  const state = core.state;
  // CREATED until the next tick, then RUNNING.
  core.scheduler.at(core.now(), () => {
    if (core.state !== state || op.status !== 'CREATED') return;
    op.status = 'RUNNING';
    op.startedAtMs = core.now();
    step(core, op, state);
  });
}

function nextLineAt(core: SandboxCore, op: BulkOperationRec): number {
  return op.startedAtMs! + Math.ceil(((op.processed + 1) * 1000) / core.options.bulkLinesPerSecond);
}

/** Processes the lines that are due now, then schedules itself for the next one. */
function step(core: SandboxCore, op: BulkOperationRec, state: SandboxState): void {
  const work = store(state).work.get(op.id);
  if (!work || work.busy) return;
  work.busy = true;
  const p = (async () => {
    try {
      if (op.status === 'CANCELING') return finish(core, op, 'CANCELED', null);
      if (op.failWith) return finish(core, op, 'FAILED', op.failWith);
      if (!work.snapshotted) {
        work.snapshotted = true;
        const outcome = await snapshotQuery(core, op, work);
        if (core.state !== state) return;
        if (outcome) return finish(core, op, 'FAILED', outcome);
      }
      const elapsed = core.now() - op.startedAtMs!;
      const due = Math.min(op.totalLines, Math.floor((elapsed * core.options.bulkLinesPerSecond) / 1000));
      while (op.processed < due) {
        if (core.state !== state) return;
        if (op.type === 'MUTATION') await runMutationLine(core, op, work, op.processed);
        else {
          const line = work.lines[op.processed]!;
          work.results.push(line);
          op.objectCount++;
          if (!line.includes('"__parentId"')) op.rootObjectCount++;
        }
        op.processed++;
      }
      if (core.state !== state) return;
      if (op.processed >= op.totalLines) return finish(core, op, 'COMPLETED', null);
      core.scheduler.at(nextLineAt(core, op), () => step(core, op, state));
    } finally {
      work.busy = false;
    }
  })().catch((err) => {
    core.log(`bulk operation ${op.id} crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    if (core.state === state && RUNNING.has(op.status)) finish(core, op, 'FAILED', 'INTERNAL_SERVER_ERROR');
  });
  const f = flights(core);
  const tracked = p.finally(() => f.delete(tracked));
  f.add(tracked);
}

async function runMutationLine(core: SandboxCore, op: BulkOperationRec, work: Work, n: number): Promise<void> {
  const parsed = parseDocument(op.version, op.query);
  let out: Record<string, unknown>;
  if ('errors' in parsed) out = { errors: parsed.errors.map((e) => e.toJSON()) };
  else {
    const variables = JSON.parse(work.lines[n]!) as Record<string, unknown>;
    const r = await executeInternal(core, { version: op.version, scopes: op.scopes, tokenKind: op.tokenKind, document: parsed.doc, variables, origin: op.origin });
    out = {};
    if (r.data !== undefined) out.data = r.data;
    if (r.errors?.length) out.errors = r.errors.map((e) => e.toJSON());
  }
  out.__lineNumber = n;
  work.results.push(JSON.stringify(out));
  op.objectCount++;
  op.rootObjectCount++;
}

/** Runs the whole query once (a consistent snapshot) and turns it into JSONL lines; returns an error code on failure. */
async function snapshotQuery(core: SandboxCore, op: BulkOperationRec, work: Work): Promise<BulkOperationRec['errorCode']> {
  const parsed = parseDocument(op.version, op.query);
  if ('errors' in parsed) return 'INTERNAL_SERVER_ERROR';
  const r = await executeInternal(core, { version: op.version, scopes: op.scopes, tokenKind: op.tokenKind, document: parsed.doc, variables: {}, origin: op.origin });
  if (r.errors?.some((e) => e.extensions?.code === 'ACCESS_DENIED')) return 'ACCESS_DENIED';
  if (r.errors?.length) {
    core.log(`bulk query ${op.id} failed: ${r.errors.map((e) => e.message).join('; ')}`);
    return 'INTERNAL_SERVER_ERROR';
  }
  const roots: string[] = [];
  const children: string[] = [];
  const grouped: string[] = [];
  const isConnection = (v: unknown): v is { edges?: { node?: unknown }[]; nodes?: unknown[] } => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
    const keys = Object.keys(v);
    return keys.length > 0 && keys.every((k) => k === 'edges' || k === 'nodes' || k === 'pageInfo') && (Array.isArray((v as { edges?: unknown }).edges) || Array.isArray((v as { nodes?: unknown }).nodes));
  };
  const nodesOf = (c: { edges?: { node?: unknown }[]; nodes?: unknown[] }): Record<string, unknown>[] =>
    ((c.nodes ?? c.edges?.map((e) => e.node)) ?? []).filter((x): x is Record<string, unknown> => !!x && typeof x === 'object');
  const emit = (obj: Record<string, unknown>, parentId: string | null): void => {
    const own: Record<string, unknown> = {};
    const nested: Record<string, unknown>[][] = [];
    for (const [k, v] of Object.entries(obj)) {
      if (isConnection(v)) nested.push(nodesOf(v));
      else own[k] = v;
    }
    if (parentId) own.__parentId = parentId;
    const line = JSON.stringify(own);
    (parentId ? children : roots).push(line);
    grouped.push(line);
    const id = typeof obj.id === 'string' ? obj.id : null;
    for (const list of nested) for (const child of list) emit(child, id);
  };
  for (const v of Object.values(r.data ?? {})) {
    if (isConnection(v)) for (const node of nodesOf(v)) emit(node, null);
    else if (v && typeof v === 'object' && !Array.isArray(v)) emit(v as Record<string, unknown>, null);
  }
  // groupObjects: false (the default since 2026-01) does not promise that children follow their parent.
  work.lines = op.groupObjects ? grouped : [...roots, ...children];
  op.totalLines = work.lines.length;
  return null;
}

/** Fisher-Yates with a seeded generator: bulk mutation results arrive out of order, reproducibly. */
function shuffled<T>(items: T[], seed: number): T[] {
  let a = seed >>> 0 || 1;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function finish(core: SandboxCore, op: BulkOperationRec, status: 'COMPLETED' | 'FAILED' | 'CANCELED', errorCode: BulkOperationRec['errorCode']): void {
  const s = store(core.state);
  const work = s.work.get(op.id);
  const lines = work?.results ?? [];
  const ordered = op.type === 'MUTATION' ? shuffled(lines, core.options.seed ^ Number(BigInt(parseGid(op.id)!.id) % 2147483647n)) : lines;
  op.status = status;
  op.errorCode = errorCode;
  op.finishedAtMs = core.now();
  if (lines.length > 0 || status === 'COMPLETED') {
    const content = ordered.length ? `${ordered.join('\n')}\n` : '';
    const name = `${parseGid(op.id)!.id}-${sign(core, op.id).slice(0, 24)}.jsonl`;
    s.results.set(name, { content, contentType: 'application/jsonl' });
    const url = `${op.origin}/storage/bulk/${name}`;
    if (status === 'COMPLETED') {
      op.url = content ? url : null;
      op.fileSize = content ? String(Buffer.byteLength(content, 'utf8')) : null;
      op.completedAt = isoSeconds(core.now());
    } else op.partialDataUrl = url;
  }
  s.work.delete(op.id);
  core.emit('bulk_operations/finish', op.id);
}

// ---------------------------------------------------------------------------------------------
// Views, queries, cancel

export function operationView(core: SandboxCore, op: BulkOperationRec) {
  const status = op.status === 'COMPLETED' && expired(core, op) ? 'EXPIRED' : op.status;
  return {
    __typename: 'BulkOperation',
    id: op.id,
    type: op.type,
    status,
    errorCode: op.errorCode,
    query: op.query,
    createdAt: op.createdAt,
    completedAt: op.completedAt,
    objectCount: String(op.objectCount),
    rootObjectCount: String(op.rootObjectCount),
    fileSize: status === 'EXPIRED' ? null : op.fileSize,
    url: status === 'EXPIRED' ? null : op.url,
    partialDataUrl: op.partialDataUrl,
  };
}

const BULK_SEARCH: SearchSpec = {
  fields: { id: 'id', status: 'keyword', operation_type: 'keyword', created_at: 'date' },
  defaultFields: [],
};

function bulkOperationCancel(_s: unknown, args: { id: string }, ctx: RequestContext) {
  const op = BULK.operations(ctx.state).get(gidOf(args.id, 'BulkOperation') ?? '');
  if (!op) return { bulkOperation: null, userErrors: [{ field: ['id'], message: 'Bulk operation does not exist' }] };
  if (!RUNNING.has(op.status)) return { bulkOperation: operationView(ctx.core, op), userErrors: [{ field: null, message: `A bulk operation cannot be canceled when it is ${op.status.toLowerCase()}` }] };
  if (op.status === 'CREATED') {
    // Not started yet: nothing to wind down.
    finish(ctx.core, op, 'CANCELED', null);
  } else if (op.status === 'RUNNING') {
    op.status = 'CANCELING';
    const state = ctx.state;
    ctx.core.scheduler.at(ctx.core.now(), () => {
      if (ctx.core.state === state && op.status === 'CANCELING') step(ctx.core, op, state);
    });
  }
  return { bulkOperation: operationView(ctx.core, op), userErrors: [] };
}

export function bulkModule(registry: Registry): void {
  registry.input('StagedUploadInput', ['resource', 'filename', 'mimeType', 'httpMethod', 'fileSize']);
  registry.route({ method: 'POST', path: '/storage/staged-uploads', handler: uploadPost });
  registry.route({ method: 'PUT', path: '/storage/staged-uploads/*', handler: uploadPut });
  registry.route({ method: 'GET', path: '/storage/bulk/:file', handler: resultFile });

  registerWebhookPayload('bulk_operations/finish', (core, e) => {
    const op = BULK.operations(core.state).get(e.id);
    if (!op) return null;
    return {
      admin_graphql_api_id: op.id,
      completed_at: shopTime(core, new Date(op.finishedAtMs ?? core.now()).toISOString()),
      created_at: shopTime(core, op.createdAt),
      error_code: op.errorCode ? op.errorCode.toLowerCase() : null,
      status: op.status.toLowerCase(),
      type: op.type.toLowerCase(),
    };
  });

  // Access: any app token (the schema restricts bulk operations to "supported access tokens": offline ones).
  registry.scope('Mutation.stagedUploadsCreate', 'none');
  registry.field('Mutation.stagedUploadsCreate', stagedUploadsCreate as never, { args: ['input'] });
  registry.scope('Mutation.bulkOperationRunMutation', 'none');
  registry.field('Mutation.bulkOperationRunMutation', bulkOperationRunMutation as never, { args: ['mutation', 'stagedUploadPath', 'clientIdentifier', 'groupObjects'] });
  registry.scope('Mutation.bulkOperationRunQuery', 'none');
  registry.field('Mutation.bulkOperationRunQuery', bulkOperationRunQuery as never, { args: ['query', 'groupObjects'] });
  registry.scope('Mutation.bulkOperationCancel', 'none');
  registry.field('Mutation.bulkOperationCancel', bulkOperationCancel as never, { args: ['id'] });
  registry.scope('QueryRoot.bulkOperation', 'none');
  registry.field('QueryRoot.bulkOperation', (_s, args: { id: string }, ctx: RequestContext) => {
    const op = BULK.operations(ctx.state).get(gidOf(args.id, 'BulkOperation') ?? '');
    return op ? operationView(ctx.core, op) : null;
  }, { args: ['id'] });
  registry.scope('QueryRoot.bulkOperations', 'none');
  registry.field(
    'QueryRoot.bulkOperations',
    (_s, args: { query?: string | null; sortKey?: string; first?: number; last?: number; after?: string; before?: string; reverse?: boolean }, ctx: RequestContext, info) => {
      const key = requireSortKey('BulkOperationsSortKeys', args.sortKey, ['CREATED_AT', 'COMPLETED_AT']);
      let rows = [...BULK.operations(ctx.state).values()];
      if (args.query) {
        const search = new CompiledSearch(args.query, BULK_SEARCH);
        rows = rows.filter((o) => search.matches({ id: o.id, status: operationView(ctx.core, o).status.toLowerCase(), operation_type: o.type.toLowerCase(), created_at: o.createdAt }));
        if (search.warnings.length) ctx.searchWarnings.push({ path: [info.path.key], query: args.query, warnings: search.warnings });
      }
      // Newest first by default (reverse: true gives oldest first).
      const n = (o: BulkOperationRec) => parseGid(o.id)!.id;
      return paginate(rows, { ...args, reverse: !args.reverse }, (o) => (key === 'COMPLETED_AT' ? [o.completedAt, n(o)] : [o.createdAt, n(o)]), (o) => operationView(ctx.core, o));
    },
    { args: ['first', 'last', 'after', 'before', 'reverse', 'query', 'sortKey'] },
  );

  // Snapshots: staged uploads and result files are kept; an operation that was still running is failed
  // (INTERNAL_SERVER_ERROR, with the lines it had done as partial data) at the first tick after the reload,
  // as a Shopify job lost in a crash; one that was being canceled becomes CANCELED.
  registry.persist({
    name: 'bulk',
    save: (core) => {
      const s = store(core.state);
      const running: Record<string, string[]> = {};
      for (const [id, w] of s.work) running[id] = w.results;
      return { staged: Object.fromEntries(s.staged), results: Object.fromEntries(s.results), running };
    },
    load: (core, data) => {
      const d = (data ?? {}) as { staged?: Record<string, { content: string | null; createdAt: number }>; results?: Record<string, { content: string; contentType: string }>; running?: Record<string, string[]> };
      const s = store(core.state);
      for (const [k, v] of Object.entries(d.staged ?? {})) s.staged.set(k, v);
      for (const [k, v] of Object.entries(d.results ?? {})) s.results.set(k, v);
      const state = core.state;
      for (const op of BULK.operations(state).values()) {
        if (!RUNNING.has(op.status)) continue;
        s.work.set(op.id, { lines: [], results: d.running?.[op.id] ?? [], busy: false, snapshotted: true });
        core.scheduler.at(core.now(), () => {
          if (core.state === state && RUNNING.has(op.status)) finish(core, op, op.status === 'CANCELING' ? 'CANCELED' : 'FAILED', op.status === 'CANCELING' ? null : 'INTERNAL_SERVER_ERROR');
        });
      }
    },
  });

  registry.admin('bulk/fail', (core, body) => {
    const op = typeof body.id === 'string' ? BULK.operations(core.state).get(body.id) : undefined;
    if (!op || !RUNNING.has(op.status)) throw new SandboxInputError('give the id of a running bulk operation');
    const code = body.errorCode ?? 'INTERNAL_SERVER_ERROR';
    if (code !== 'INTERNAL_SERVER_ERROR' && code !== 'TIMEOUT') throw new SandboxInputError('errorCode must be INTERNAL_SERVER_ERROR or TIMEOUT');
    op.failWith = code;
    return { id: op.id, failsWith: code };
  });
}
