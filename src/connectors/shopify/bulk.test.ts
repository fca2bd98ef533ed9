import { describe, expect, it } from 'vitest';
import { KoppelError } from '../../core/errors.js';
import { drive, json, ok, ScriptedFetch, type RecordedCall } from '../../../test/connectors/shopify/support/fake-fetch.js';
import { ShopifyBulk, type BulkLineResult } from './bulk.js';
import { FakeClock } from './clock.js';
import { ShopifyClient } from './client.js';
import { BulkProductsExport, InventorySet, ShopInfo, TagsAdd } from './documents.js';

const UPLOAD_URL = 'https://shopify-staged-uploads.storage.googleapis.com/';
const RESULT_URL = 'https://storage.googleapis.com/bulk-results/op-1.jsonl';
const KEY = 'tmp/1/bulk/1b2c/koppel-bulk.jsonl';

function opName(call: RecordedCall): string | undefined {
  return /(?:query|mutation)\s+(\w+)/.exec(call.json.query ?? '')?.[1];
}

/** A fake Shopify for one bulk mutation: staged upload, run, `polls` RUNNING answers, COMPLETED, result file. */
function fakeBulkShopify(opts: { polls?: number; result?: string | ReadableStream<Uint8Array>; finalStatus?: string; errorCode?: string | null; partial?: boolean; uploadStatus?: number; runErrors?: { code: string; message: string }[][] } = {}) {
  const clock = new FakeClock();
  const f = new ScriptedFetch();
  let polls = opts.polls ?? 2;
  const runErrors = [...(opts.runErrors ?? [])];
  const seen: string[] = [];
  f.fallback = (call) => {
    if (call.url === UPLOAD_URL) {
      seen.push('upload');
      return new Response(null, { status: opts.uploadStatus ?? 204 });
    }
    if (call.url === RESULT_URL) {
      seen.push('download');
      return new Response(opts.result ?? '', { status: 200, headers: { 'Content-Type': 'application/jsonl' } });
    }
    const op = opName(call);
    seen.push(op ?? '?');
    switch (op) {
      case 'StagedUploadsCreate':
        return ok({
          stagedUploadsCreate: {
            stagedTargets: [
              {
                url: UPLOAD_URL,
                resourceUrl: null,
                parameters: [
                  { name: 'Content-Type', value: 'text/jsonl' },
                  { name: 'success_action_status', value: '201' },
                  { name: 'acl', value: 'private' },
                  { name: 'key', value: KEY },
                  { name: 'policy', value: 'cG9saWN5' },
                ],
              },
            ],
            userErrors: [],
          },
        });
      case 'BulkRunMutation':
      case 'BulkRunQuery': {
        const errs = runErrors.shift();
        const field = op === 'BulkRunMutation' ? 'bulkOperationRunMutation' : 'bulkOperationRunQuery';
        if (errs) return ok({ [field]: { bulkOperation: null, userErrors: errs.map((e) => ({ field: null, ...e })) } });
        return ok({ [field]: { bulkOperation: { id: 'gid://shopify/BulkOperation/1', status: 'CREATED', type: 'MUTATION', createdAt: '2026-11-29T10:00:00Z' }, userErrors: [] } });
      }
      case 'BulkOperationById': {
        const running = polls-- > 0;
        const status = running ? 'RUNNING' : (opts.finalStatus ?? 'COMPLETED');
        return ok({
          bulkOperation: {
            id: 'gid://shopify/BulkOperation/1',
            status,
            type: 'MUTATION',
            errorCode: running ? null : (opts.errorCode ?? null),
            createdAt: '2026-11-29T10:00:00Z',
            completedAt: running ? null : '2026-11-29T10:00:09Z',
            objectCount: '3',
            rootObjectCount: '3',
            fileSize: '300',
            url: running || status !== 'COMPLETED' ? null : RESULT_URL,
            partialDataUrl: !running && opts.partial ? RESULT_URL : null,
            query: 'mutation …',
          },
        });
      }
      default:
        throw new Error(`unexpected ${op ?? call.url}`);
    }
  };
  const client = new ShopifyClient({ shop: 'koppel-demo', auth: { accessToken: 'shpat_x' }, endpoint: 'http://127.0.0.1:9', fetch: f.fetch, clock, connection: 'bulk-test' });
  return { clock, f, client, seen };
}

/** A body that delivers `text` in small chunks that split lines in the middle. */
function chunked(text: string, size = 7): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

const inputs = [
  { variables: { input: { name: 'available', reason: 'correction', quantities: [] }, key: 'k0' }, ref: 'sku-A' },
  { variables: { input: { name: 'available', reason: 'correction', quantities: [] }, key: 'k1' }, ref: 'sku-B' },
  { variables: { input: { name: 'available', reason: 'correction', quantities: [] }, key: 'k2' }, ref: 'sku-C' },
];

async function collect<T>(g: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of g) out.push(x);
  return out;
}

describe('ShopifyBulk.runMutation', () => {
  it('uploads the JSONL (parameters first, file last), runs, polls with backoff and maps results back by __lineNumber', async () => {
    const result = [
      JSON.stringify({ data: { inventorySetQuantities: { inventoryAdjustmentGroup: { id: 'g2' }, userErrors: [] } }, __lineNumber: 2 }),
      JSON.stringify({ data: { inventorySetQuantities: { inventoryAdjustmentGroup: null, userErrors: [{ field: ['input', 'quantities', '0'], message: 'stale', code: 'CHANGE_FROM_QUANTITY_STALE' }] } }, __lineNumber: 0 }),
      JSON.stringify({ errors: [{ message: 'Internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }], __lineNumber: 1 }),
    ].join('\n');
    const { clock, f, client, seen } = fakeBulkShopify({ polls: 2, result: chunked(`${result}\n`) });
    const bulk = new ShopifyBulk(client);
    const t0 = clock.now();
    const run = await drive(clock, bulk.runMutation(InventorySet, inputs, { lane: 'stock', clientIdentifier: 'job-42' }));
    expect(seen).toEqual(['StagedUploadsCreate', 'upload', 'BulkRunMutation', 'BulkOperationById', 'BulkOperationById', 'BulkOperationById']);
    // polls after 1 s and 1.5 s
    expect(clock.now() - t0).toBe(2500);
    expect(run.operation).toMatchObject({ id: 'gid://shopify/BulkOperation/1', status: 'COMPLETED', url: RESULT_URL });

    const staged = f.calls.find((c) => opName(c) === 'StagedUploadsCreate')!;
    expect(staged.json.variables).toEqual({ input: [{ resource: 'BULK_MUTATION_VARIABLES', filename: 'koppel-bulk.jsonl', mimeType: 'text/jsonl', httpMethod: 'POST' }] });
    const upload = f.calls.find((c) => c.url === UPLOAD_URL)!;
    expect(upload.headers.get('X-Shopify-Access-Token')).toBeNull();
    const form = upload.rawBody as FormData;
    expect([...form.keys()]).toEqual(['Content-Type', 'success_action_status', 'acl', 'key', 'policy', 'file']);
    const file = form.get('file') as File;
    expect(file.name).toBe('koppel-bulk.jsonl');
    expect((await file.text()).split('\n')).toEqual([...inputs.map((i) => JSON.stringify(i.variables)), '']);
    const started = f.calls.find((c) => opName(c) === 'BulkRunMutation')!;
    expect(started.json.variables).toEqual({ mutation: InventorySet.text, stagedUploadPath: KEY, clientIdentifier: 'job-42' });

    const lines = await drive(clock, collect(run.results()));
    expect(lines.map((l) => [l.lineNumber, l.ref, l.ok])).toEqual([
      [2, 'sku-C', true],
      [0, 'sku-A', false],
      [1, 'sku-B', false],
    ]);
    expect(lines[1]!.userErrors).toEqual([{ field: ['input', 'quantities', '0'], message: 'stale', code: 'CHANGE_FROM_QUANTITY_STALE', mutation: 'inventorySetQuantities' }]);
    expect(lines[2]!.errors).toEqual([{ message: 'Internal error', code: 'INTERNAL_SERVER_ERROR' }]);
    expect(lines.some((l) => l.missing)).toBe(false);
  });

  it('reports the inputs a failed operation never got to, after its partial results', async () => {
    const partial = `${JSON.stringify({ data: { tagsAdd: { node: { id: '1' }, userErrors: [] } }, __lineNumber: 1 })}\n`;
    const { clock, client } = fakeBulkShopify({ polls: 0, finalStatus: 'FAILED', errorCode: 'INTERNAL_SERVER_ERROR', partial: true, result: partial });
    const bulk = new ShopifyBulk(client);
    const run = await drive(clock, bulk.runMutation(TagsAdd, [{ variables: { id: '0', tags: ['a'] }, ref: 'a' }, { variables: { id: '1', tags: ['b'] }, ref: 'b' }, { variables: { id: '2', tags: ['c'] }, ref: 'c' }]));
    expect(run.operation).toMatchObject({ status: 'FAILED', errorCode: 'INTERNAL_SERVER_ERROR' });
    const lines: BulkLineResult<unknown>[] = await drive(clock, collect(run.results()));
    expect(lines.map((l) => [l.ref, l.ok, l.missing ?? false])).toEqual([
      ['b', true, false],
      ['a', false, true],
      ['c', false, true],
    ]);
  });

  it('fails typed when the operation ends without any result file', async () => {
    const { clock, client } = fakeBulkShopify({ polls: 0, finalStatus: 'FAILED', errorCode: 'ACCESS_DENIED' });
    const e = await drive(clock, new ShopifyBulk(client).runMutation(TagsAdd, [{ variables: { id: '1', tags: [] } }])).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KoppelError);
    expect(e).toMatchObject({ code: 'SHOPIFY_BULK_FAILED', errorClass: 'auth' });
  });

  it('waits and tries again while Shopify says too many bulk operations run', async () => {
    const { clock, client, seen } = fakeBulkShopify({ polls: 0, result: '', runErrors: [[{ code: 'LIMIT_REACHED', message: 'A maximum of 5 bulk operations can run at once' }]] });
    const run = await drive(clock, new ShopifyBulk(client).runMutation(TagsAdd, [{ variables: { id: '1', tags: [] } }]));
    expect(run.operation.status).toBe('COMPLETED');
    expect(seen.filter((s) => s === 'BulkRunMutation')).toHaveLength(2);
  });

  it('refuses a refused upload with a typed error and does not start the operation', async () => {
    const { clock, client, seen } = fakeBulkShopify({ uploadStatus: 403 });
    const e = await drive(clock, new ShopifyBulk(client).runMutation(TagsAdd, [{ variables: { id: '1', tags: [] } }])).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'SHOPIFY_BULK_UPLOAD_FAILED', errorClass: 'permanent' });
    expect(seen).not.toContain('BulkRunMutation');
  });

  it('runs at most five operations of one shop at once', async () => {
    const clock = new FakeClock();
    const f = new ScriptedFetch();
    let running = 0;
    let peak = 0;
    let opSeq = 0;
    const pollsLeft = new Map<string, number>();
    f.fallback = (call) => {
      if (call.url === UPLOAD_URL) return new Response(null, { status: 201 });
      const op = opName(call);
      if (op === 'StagedUploadsCreate') return ok({ stagedUploadsCreate: { stagedTargets: [{ url: UPLOAD_URL, parameters: [{ name: 'key', value: KEY }] }], userErrors: [] } });
      if (op === 'BulkRunMutation') {
        const id = `op-${++opSeq}`;
        running++;
        peak = Math.max(peak, running);
        pollsLeft.set(id, 3);
        return ok({ bulkOperationRunMutation: { bulkOperation: { id, status: 'CREATED' }, userErrors: [] } });
      }
      if (op === 'BulkOperationById') {
        const id = String(call.json.variables?.id);
        const left = (pollsLeft.get(id) ?? 0) - 1;
        pollsLeft.set(id, left);
        if (left === 0) running--;
        return ok({ bulkOperation: { id, status: left > 0 ? 'RUNNING' : 'COMPLETED', url: null, partialDataUrl: null, errorCode: null } });
      }
      return json({}, 500);
    };
    const client = new ShopifyClient({ shop: 'koppel-demo', auth: { accessToken: 'x' }, endpoint: 'http://127.0.0.1:9', fetch: f.fetch, clock });
    const bulk = new ShopifyBulk(client);
    const other = new ShopifyBulk(client);
    const runs = Array.from({ length: 8 }, (_, i) => (i % 2 ? bulk : other).runMutation(TagsAdd, [{ variables: { id: String(i), tags: [] } }]));
    const done = await drive(clock, Promise.all(runs));
    expect(done).toHaveLength(8);
    expect(peak).toBe(5);
    expect(bulk.running).toBe(0);
  });

  it('refuses an empty input and a query document', async () => {
    const { client } = fakeBulkShopify();
    const bulk = new ShopifyBulk(client);
    await expect(bulk.runMutation(TagsAdd, [])).rejects.toThrow(/no input lines/);
    await expect(bulk.runMutation(ShopInfo as never, [{ variables: {} }])).rejects.toThrow(/needs a mutation document/);
  });
});

describe('ShopifyBulk.runQuery', () => {
  it('exports a query and streams its objects with __parentId', async () => {
    const text = [
      JSON.stringify({ id: 'gid://shopify/Product/1', handle: 'a' }),
      JSON.stringify({ id: 'gid://shopify/ProductVariant/11', sku: 'A-1', __parentId: 'gid://shopify/Product/1' }),
    ].join('\n');
    const { clock, client, f } = fakeBulkShopify({ polls: 1, result: chunked(text, 5) });
    const run = await drive(clock, new ShopifyBulk(client).runQuery(BulkProductsExport));
    expect(f.calls.find((c) => opName(c) === 'BulkRunQuery')!.json.variables).toEqual({ query: BulkProductsExport.text });
    const objs = await drive(clock, collect(run.results()));
    expect(objs).toEqual([
      { id: 'gid://shopify/Product/1', handle: 'a' },
      { id: 'gid://shopify/ProductVariant/11', sku: 'A-1', __parentId: 'gid://shopify/Product/1' },
    ]);
  });
});
