/**
 * Bulk operations: a mutation run once per line of a JSONL file, or a query exported as JSONL.
 *
 * Mutation: stagedUploadsCreate → multipart POST of the JSONL to the staged target (its parameters
 * first, the file last) → bulkOperationRunMutation → poll bulkOperation(id:) with backoff → stream the
 * result JSONL line by line, mapped back to the input by `__lineNumber` (lines arrive in any order),
 * with each line's `userErrors` and `errors` surfaced. Inputs that got no result line (a failed or
 * cancelled operation) are reported after the stream as `missing`.
 *
 * At most `maxConcurrent` (5, Shopify's limit per app and shop since 2026-01) operations run at once
 * per client; further runs wait for a slot. Starting and polling are ordinary (cheap) calls through the
 * client's limiter; the operation itself is outside the cost bucket.
 */
import type { KoppelError } from '../../core/errors.js';
import { sleep, type Clock } from './clock.js';
import { collectUserErrors, type ShopifyClient, type UserError } from './client.js';
import { BulkCancel, BulkOperationById, BulkRunMutation, BulkRunQuery, StagedUploadsCreate } from './documents.js';
import { SHOPIFY_ERROR_CODES as C, shopifyError } from './errors.js';
import type { GqlDocument } from './gql.js';
import { bodySnippet } from './http.js';
import type { Lane } from './limiter.js';

export const BULK_MAX_CONCURRENT = 5;
/** Shopify's limit on the JSONL upload since 2026-01. */
export const BULK_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

export type BulkStatus = 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELING' | 'CANCELED' | 'EXPIRED';
const TERMINAL: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'CANCELED', 'EXPIRED']);

export interface BulkOperationInfo {
  id: string;
  status: BulkStatus;
  type: 'QUERY' | 'MUTATION';
  errorCode: string | null;
  objectCount: string | null;
  rootObjectCount: string | null;
  fileSize: string | null;
  url: string | null;
  partialDataUrl: string | null;
  createdAt: string | null;
  completedAt: string | null;
}

/** One input line of a bulk mutation: its variables, and a reference of yours to map the result back. */
export interface BulkInput {
  variables: Record<string, unknown>;
  ref?: string;
}

export interface BulkLineResult<T = Record<string, unknown>> {
  /** 0-based line of the input file. */
  lineNumber: number;
  /** The `ref` given with that input line. */
  ref: string | undefined;
  /** True when the line ran without `errors` and without `userErrors`. */
  ok: boolean;
  data: T | null;
  userErrors: UserError[];
  /** Top-level GraphQL errors of that line. */
  errors: { message: string; code?: string }[];
  /** No result line came back for this input (failed or cancelled operation). */
  missing?: true;
}

export interface BulkOptions {
  /** At most this many operations at once (default 5). */
  maxConcurrent?: number;
  /** Poll backoff: first wait, growth factor, longest wait (defaults 1 s, x1.5, 30 s). */
  pollMinMs?: number;
  pollFactor?: number;
  pollMaxMs?: number;
  /** Timeout of the upload and of the result download's first byte (default 120 s). */
  transferTimeoutMs?: number;
  /** Attempts to start when Shopify says the limit of running operations is reached (default 30). */
  startAttempts?: number;
}

export interface BulkRunOptions {
  /** Lane of the start and poll calls (default 'reconcile'). */
  lane?: Lane;
  signal?: AbortSignal;
  /** Echoed by Shopify in the operation and the BULK_OPERATIONS_FINISH webhook. */
  clientIdentifier?: string;
}

export interface BulkRun<T> {
  readonly operation: BulkOperationInfo;
  /** Streams the result lines (a second call downloads the file again). */
  results(signal?: AbortSignal): AsyncGenerator<T>;
}

/** Shared per client so that every ShopifyBulk of one shop counts against the same limit. */
const slotsByClient = new WeakMap<ShopifyClient, Slots>();

class Slots {
  private used = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async take(signal?: AbortSignal): Promise<() => void> {
    if (this.used >= this.max) {
      await new Promise<void>((resolve, reject) => {
        const w = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = (): void => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiters.push(w);
      });
    } else {
      this.used++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.used--;
    };
  }

  get running(): number {
    return this.used;
  }
}

export class ShopifyBulk {
  private readonly clock: Clock;
  private readonly slots: Slots;
  private readonly pollMinMs: number;
  private readonly pollFactor: number;
  private readonly pollMaxMs: number;
  private readonly transferTimeoutMs: number;
  private readonly startAttempts: number;

  constructor(
    private readonly client: ShopifyClient,
    opts: BulkOptions = {},
  ) {
    this.clock = client.clock;
    let slots = slotsByClient.get(client);
    if (!slots) {
      slots = new Slots(Math.max(1, opts.maxConcurrent ?? BULK_MAX_CONCURRENT));
      slotsByClient.set(client, slots);
    }
    this.slots = slots;
    this.pollMinMs = opts.pollMinMs ?? 1000;
    this.pollFactor = opts.pollFactor ?? 1.5;
    this.pollMaxMs = opts.pollMaxMs ?? 30_000;
    this.transferTimeoutMs = opts.transferTimeoutMs ?? 120_000;
    this.startAttempts = opts.startAttempts ?? 30;
  }

  /** Operations of this shop started here and not finished yet. */
  get running(): number {
    return this.slots.running;
  }

  /**
   * Runs `mutation` once per input and waits for the operation to finish. Results stream from
   * `run.results()`, each mapped back to its input line and `ref`.
   */
  async runMutation<T = Record<string, unknown>>(
    mutation: GqlDocument<T, unknown>,
    inputs: Iterable<BulkInput> | AsyncIterable<BulkInput>,
    opts: BulkRunOptions = {},
  ): Promise<BulkRun<BulkLineResult<T>>> {
    if (mutation.kind !== 'mutation') throw invalid(`${mutation.name} is a ${mutation.kind}; a bulk mutation needs a mutation document`);
    const lane = opts.lane ?? 'reconcile';
    const { file, refs } = await toJsonl(inputs);
    if (refs.length === 0) throw invalid(`nothing to send: the bulk ${mutation.name} has no input lines`);
    const release = await this.slots.take(opts.signal);
    let operation: BulkOperationInfo;
    try {
      const path = await this.upload(file, lane, opts.signal);
      const started = await this.start(
        () =>
          this.client.mutate(
            BulkRunMutation,
            { mutation: mutation.text, stagedUploadPath: path, ...(opts.clientIdentifier ? { clientIdentifier: opts.clientIdentifier } : {}) },
            { lane, retrySafe: false, ...(opts.signal ? { signal: opts.signal } : {}) },
          ),
        'bulkOperationRunMutation',
        mutation.name,
        opts.signal,
      );
      operation = await this.wait(started, lane, opts.signal);
    } finally {
      release();
    }
    this.client.logger.debug({ op: mutation.name, bulk: operation.id, status: operation.status, lines: refs.length }, 'shopify bulk mutation finished');
    if (operation.status !== 'COMPLETED' && !operation.partialDataUrl && operation.status !== 'CANCELED') {
      throw shopifyError({
        code: C.BULK_FAILED,
        errorClass: operation.errorCode === 'ACCESS_DENIED' ? 'auth' : operation.errorCode === 'INTERNAL_SERVER_ERROR' || operation.errorCode === 'TIMEOUT' ? 'transient' : 'permanent',
        message: `bulk ${mutation.name} ended ${operation.status}${operation.errorCode ? ` (${operation.errorCode})` : ''} without results`,
        hint: 'check the input lines; Koppel can run the batch again',
        details: { operation: operation.id, status: operation.status, errorCode: operation.errorCode },
      });
    }
    const url = operation.url ?? operation.partialDataUrl;
    return {
      operation,
      results: (signal?: AbortSignal) => this.mutationResults<T>(url, refs, signal),
    };
  }

  /** Exports `query` (no pagination arguments; at most 5 connections, 2 levels deep) as JSONL objects. */
  async runQuery<T = Record<string, unknown>>(query: GqlDocument<unknown, unknown>, opts: BulkRunOptions = {}): Promise<BulkRun<T & { __parentId?: string }>> {
    if (query.kind !== 'query') throw invalid(`${query.name} is a ${query.kind}; a bulk export needs a query document`);
    const lane = opts.lane ?? 'reconcile';
    const release = await this.slots.take(opts.signal);
    let operation: BulkOperationInfo;
    try {
      const started = await this.start(
        () => this.client.mutate(BulkRunQuery, { query: query.text }, { lane, retrySafe: false, ...(opts.signal ? { signal: opts.signal } : {}) }),
        'bulkOperationRunQuery',
        query.name,
        opts.signal,
      );
      operation = await this.wait(started, lane, opts.signal);
    } finally {
      release();
    }
    if (operation.status !== 'COMPLETED') {
      throw shopifyError({
        code: C.BULK_FAILED,
        errorClass: operation.errorCode === 'ACCESS_DENIED' ? 'auth' : 'transient',
        message: `bulk export ${query.name} ended ${operation.status}${operation.errorCode ? ` (${operation.errorCode})` : ''}`,
        details: { operation: operation.id, status: operation.status, errorCode: operation.errorCode },
      });
    }
    const url = operation.url;
    return {
      operation,
      results: (signal?: AbortSignal) => this.objects<T & { __parentId?: string }>(url, signal),
    };
  }

  /** Asks Shopify to cancel a running operation. */
  async cancel(id: string, opts: { lane?: Lane; signal?: AbortSignal } = {}): Promise<void> {
    const r = await this.client.mutate(BulkCancel, { id }, { lane: opts.lane ?? 'reconcile', retrySafe: true, ...(opts.signal ? { signal: opts.signal } : {}) });
    if (!r.ok) throw shopifyError({ code: C.BULK_FAILED, errorClass: 'permanent', message: `could not cancel bulk operation ${id}: ${r.userErrors.map((u) => u.message).join('; ')}` });
  }

  /** Polls `bulkOperation(id:)` with backoff until the operation is finished. */
  async wait(id: string, lane: Lane = 'reconcile', signal?: AbortSignal): Promise<BulkOperationInfo> {
    let delay = this.pollMinMs;
    for (;;) {
      const r = await this.client.query(BulkOperationById, { id }, { lane, ...(signal ? { signal } : {}) });
      const op = (r.data as { bulkOperation?: BulkOperationInfo | null }).bulkOperation;
      if (!op) throw shopifyError({ code: C.BULK_FAILED, errorClass: 'permanent', message: `bulk operation ${id} does not exist (or expired)`, details: { operation: id } });
      if (TERMINAL.has(op.status)) return op;
      await sleep(this.clock, delay, signal);
      delay = Math.min(this.pollMaxMs, delay * this.pollFactor);
    }
  }

  // ---------------------------------------------------------------------------------------------

  private async start(
    run: () => Promise<{ ok: true; data: unknown } | { ok: false; userErrors: UserError[]; data: unknown }>,
    field: 'bulkOperationRunMutation' | 'bulkOperationRunQuery',
    name: string,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    let delay = this.pollMinMs;
    for (let attempt = 1; ; attempt++) {
      const r = await run();
      if (r.ok) {
        const op = (r.data as Record<string, { bulkOperation?: { id?: string } | null } | undefined>)[field]?.bulkOperation;
        if (!op?.id) throw shopifyError({ code: C.BULK_FAILED, errorClass: 'permanent', message: `Shopify started no bulk operation for ${name}` });
        return op.id;
      }
      const busy = r.userErrors.every((u) => u.code === 'LIMIT_REACHED' || u.code === 'OPERATION_IN_PROGRESS');
      if (!busy || attempt >= this.startAttempts) {
        throw shopifyError({
          code: C.BULK_FAILED,
          errorClass: busy ? 'transient' : 'permanent',
          message: `Shopify refused to start bulk ${name}: ${r.userErrors.map((u) => `${u.code ?? ''} ${u.message}`.trim()).join('; ')}`,
          hint: busy ? 'other bulk operations of this app are running; Koppel tries again later' : 'check the mutation and its staged upload',
          details: { userErrors: r.userErrors.map((u) => ({ field: u.field, code: u.code })) },
        });
      }
      // Bulk operations of this app started elsewhere hold the slots: wait for one to finish.
      await sleep(this.clock, delay, signal);
      delay = Math.min(this.pollMaxMs, delay * this.pollFactor);
    }
  }

  private async upload(file: Blob, lane: Lane, signal: AbortSignal | undefined): Promise<string> {
    const r = await this.client.mutate(
      StagedUploadsCreate,
      { input: [{ resource: 'BULK_MUTATION_VARIABLES', filename: 'koppel-bulk.jsonl', mimeType: 'text/jsonl', httpMethod: 'POST' }] },
      { lane, retrySafe: true, ...(signal ? { signal } : {}) },
    );
    if (!r.ok) throw shopifyError({ code: C.BULK_UPLOAD_FAILED, errorClass: 'permanent', message: `Shopify refused a staged upload: ${r.userErrors.map((u) => u.message).join('; ')}` });
    const target = (r.data as { stagedUploadsCreate?: { stagedTargets?: { url?: string; parameters?: { name: string; value: string }[] }[] } }).stagedUploadsCreate?.stagedTargets?.[0];
    if (!target?.url || !Array.isArray(target.parameters)) throw shopifyError({ code: C.BULK_UPLOAD_FAILED, errorClass: 'permanent', message: 'Shopify gave no staged upload target' });
    const key = target.parameters.find((p) => p.name === 'key')?.value;
    if (!key) throw shopifyError({ code: C.BULK_UPLOAD_FAILED, errorClass: 'permanent', message: 'the staged upload target has no key parameter (the stagedUploadPath)' });

    for (let attempt = 1; ; attempt++) {
      // The target's parameters first (its signed policy), the file last.
      const form = new FormData();
      for (const p of target.parameters) form.append(p.name, p.value);
      form.append('file', file, 'koppel-bulk.jsonl');
      let res: Response | undefined;
      let failure: unknown;
      try {
        res = await this.transfer(target.url, { method: 'POST', body: form }, signal);
      } catch (e) {
        failure = e;
      }
      if (res && res.ok) {
        await res.body?.cancel().catch(() => {});
        return key;
      }
      const status = res?.status;
      const transient = status === undefined || status >= 500 || status === 429;
      const detail = res ? `HTTP ${status}: ${await bodySnippet(res, 200)}` : `the upload failed (${(failure as Error)?.message ?? 'network error'})`;
      if (!transient || attempt >= 3 || signal?.aborted) {
        throw shopifyError({ code: C.BULK_UPLOAD_FAILED, errorClass: transient ? 'transient' : 'permanent', message: `uploading the bulk input was refused: ${detail}`, ...(failure ? { cause: failure } : {}) });
      }
      await sleep(this.clock, 500 * 2 ** (attempt - 1), signal);
    }
  }

  /** A fetch with a timeout until the response headers arrive. */
  private async transfer(url: string, init: RequestInit, signal: AbortSignal | undefined): Promise<Response> {
    const ac = new AbortController();
    const onAbort = (): void => ac.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = this.clock.setTimeout(() => ac.abort(new Error(`no answer within ${this.transferTimeoutMs} ms`)), this.transferTimeoutMs);
    try {
      return await this.client.fetchUrl(url, { ...init, signal: ac.signal });
    } finally {
      this.clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private async *lines(url: string, signal: AbortSignal | undefined): AsyncGenerator<string> {
    const res = await this.transfer(url, { method: 'GET' }, signal);
    if (!res.ok || !res.body) {
      throw shopifyError({ code: C.BULK_FAILED, errorClass: res.status >= 500 ? 'transient' : 'permanent', message: `downloading the bulk result failed: HTTP ${res.status}`, details: { status: res.status } });
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += value;
        let nl = buffer.indexOf('\n');
        while (nl >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line) yield line;
          nl = buffer.indexOf('\n');
        }
      }
      const last = buffer.trim();
      if (last) yield last;
    } finally {
      reader.releaseLock();
      await res.body.cancel().catch(() => {});
    }
  }

  private async *objects<T>(url: string | null, signal?: AbortSignal): AsyncGenerator<T> {
    if (!url) return;
    let n = 0;
    for await (const line of this.lines(url, signal)) {
      n++;
      try {
        yield JSON.parse(line) as T;
      } catch (e) {
        throw shopifyError({ code: C.BULK_FAILED, errorClass: 'permanent', message: `line ${n} of the bulk result is not JSON`, cause: e });
      }
    }
  }

  private async *mutationResults<T>(url: string | null, refs: (string | undefined)[], signal?: AbortSignal): AsyncGenerator<BulkLineResult<T>> {
    const seen = new Uint8Array(refs.length);
    if (url) {
      for await (const obj of this.objects<{ data?: Record<string, unknown> | null; errors?: unknown; __lineNumber?: unknown }>(url, signal)) {
        const lineNumber = typeof obj.__lineNumber === 'number' ? obj.__lineNumber : Number(obj.__lineNumber);
        if (!Number.isInteger(lineNumber) || lineNumber < 0 || lineNumber >= refs.length) {
          throw shopifyError({ code: C.BULK_FAILED, errorClass: 'permanent', message: `a bulk result line names input line ${String(obj.__lineNumber)}, which was not sent` });
        }
        seen[lineNumber] = 1;
        const errors = Array.isArray(obj.errors)
          ? (obj.errors as { message?: unknown; extensions?: { code?: unknown } }[]).map((e) => ({
              message: typeof e?.message === 'string' ? e.message : 'error',
              ...(typeof e?.extensions?.code === 'string' ? { code: e.extensions.code } : {}),
            }))
          : [];
        const data = obj.data ?? null;
        const userErrors = collectUserErrors(data);
        yield { lineNumber, ref: refs[lineNumber], ok: errors.length === 0 && userErrors.length === 0 && data !== null, data: data as T | null, userErrors, errors };
      }
    }
    for (let i = 0; i < refs.length; i++) {
      if (seen[i]) continue;
      yield { lineNumber: i, ref: refs[i], ok: false, data: null, userErrors: [], errors: [{ message: 'Shopify returned no result for this line' }], missing: true };
    }
  }
}

function invalid(message: string): KoppelError {
  return shopifyError({ code: C.INVALID_ARGUMENT, errorClass: 'invalid_input', message });
}

/** Serialises the inputs as JSONL (one variables object per line); keeps only the refs. */
async function toJsonl(inputs: Iterable<BulkInput> | AsyncIterable<BulkInput>): Promise<{ file: Blob; refs: (string | undefined)[] }> {
  const parts: string[] = [];
  const refs: (string | undefined)[] = [];
  let bytes = 0;
  let chunk = '';
  for await (const input of inputs as AsyncIterable<BulkInput>) {
    if (!input || typeof input.variables !== 'object' || input.variables === null || Array.isArray(input.variables)) {
      throw invalid(`bulk input line ${refs.length} has no variables object`);
    }
    const line = `${JSON.stringify(input.variables)}\n`;
    bytes += Buffer.byteLength(line);
    if (bytes > BULK_MAX_UPLOAD_BYTES) throw invalid(`the bulk input is larger than Shopify's 100 MB limit at line ${refs.length}; split it into several runs`);
    refs.push(input.ref);
    chunk += line;
    if (chunk.length > 1 << 20) {
      parts.push(chunk);
      chunk = '';
    }
  }
  if (chunk) parts.push(chunk);
  return { file: new Blob(parts, { type: 'text/jsonl' }), refs };
}
