// Bulk operations: staged uploads, bulk mutations (JSONL results by __lineNumber, out of order), bulk queries
// (JSONL with __parentId), limits, statuses and counts, cancel, failures, the finish webhook.
import { schemaForWebhook } from 'shopify-webhook-schemas';
import { describe, expect, it } from 'vitest';
import { createShopifySandbox } from '../../sandbox/shopify/index.js';
import type { ShopifySandboxHandle } from '../../sandbox/shopify/index.js';
import { settleBulk } from '../../sandbox/shopify/ops/bulk.js';
import { settleWebhooks } from '../../sandbox/shopify/ops/webhooks.js';
import { gql, manualClock, ok } from '../../sandbox/shopify/testkit.js';
import { validateJson } from './json-schema.js';
import type { JsonSchema } from './json-schema.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const STAGED = `mutation($input: [StagedUploadInput!]!) { stagedUploadsCreate(input: $input) { stagedTargets { url resourceUrl parameters { name value } } userErrors { field message } } }`;
const RUN_MUTATION = `mutation($mutation: String!, $stagedUploadPath: String!, $clientIdentifier: String) {
  bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $stagedUploadPath, clientIdentifier: $clientIdentifier) { bulkOperation { id status type createdAt } userErrors { field message code } } }`;
const RUN_QUERY = `mutation($query: String!, $group: Boolean!) { bulkOperationRunQuery(query: $query, groupObjects: $group) { bulkOperation { id status type } userErrors { field message code } } }`;
const BY_ID = `query($id: ID!) { bulkOperation(id: $id) { id status type errorCode createdAt completedAt objectCount rootObjectCount fileSize url partialDataUrl query } }`;
const PRODUCT_SET = 'mutation call($identifier: ProductSetIdentifiers, $input: ProductSetInput!) { productSet(identifier: $identifier, input: $input) { product { id title } userErrors { field message code } } }';

function setup(opts: Parameters<typeof createShopifySandbox>[0] = {}) {
  const clock = manualClock();
  const sb = createShopifySandbox({ now: clock.now, ...opts });
  return { sb, clock };
}

type SB = ShopifySandboxHandle;

async function stage(sb: SB, method: 'POST' | 'PUT' = 'POST'): Promise<Json> {
  const r = (await ok<Json>(sb, STAGED, { input: [{ resource: 'BULK_MUTATION_VARIABLES', filename: 'product-set.jsonl', mimeType: 'text/jsonl', httpMethod: method }] })).stagedUploadsCreate;
  expect(r.userErrors).toEqual([]);
  return r.stagedTargets[0];
}

/** The client's way: the target's parameters first, the file last. Returns the stagedUploadPath. */
async function upload(sb: SB, lines: unknown[] | string): Promise<string> {
  const target = await stage(sb);
  const form = new FormData();
  for (const p of target.parameters as { name: string; value: string }[]) form.append(p.name, p.value);
  const text = typeof lines === 'string' ? lines : lines.map((l) => JSON.stringify(l)).join('\n');
  form.append('file', new Blob([text], { type: 'text/jsonl' }), 'product-set.jsonl');
  const res = await sb.fetch(target.url, { method: 'POST', body: form });
  expect(res.status).toBe(201);
  expect(await res.text()).toContain('<Key>');
  return (target.parameters as { name: string; value: string }[]).find((p) => p.name === 'key')!.value;
}

async function op(sb: SB, id: string): Promise<Json> {
  return (await ok<Json>(sb, BY_ID, { id })).bulkOperation;
}

async function download(sb: SB, url: string): Promise<Json[]> {
  const res = await sb.fetch(url);
  expect(res.status).toBe(200);
  return (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);
}

const lineFor = (i: number) => ({ input: { title: `Bulk product ${i}` } });

describe('staged uploads', () => {
  it('hands out a POST target with a key and accepts the multipart upload; refuses a wrong signature', async () => {
    const { sb } = setup();
    const target = await stage(sb);
    expect(target.url).toMatch(/\/storage\/staged-uploads$/);
    const names = (target.parameters as Json[]).map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['key', 'policy', 'x-goog-signature', 'Content-Type', 'success_action_status']));
    const key = (target.parameters as Json[]).find((p) => p.name === 'key')!.value as string;
    expect(key).toMatch(/^tmp\/\d+\/bulk\/[0-9a-f-]+\/product-set\.jsonl$/);
    const form = new FormData();
    for (const p of target.parameters as Json[]) form.append(p.name, p.name === 'x-goog-signature' ? 'forged' : p.value);
    form.append('file', new Blob(['{}']), 'x.jsonl');
    expect((await sb.fetch(target.url, { method: 'POST', body: form })).status).toBe(403);
  });

  it('accepts a PUT to the signed URL', async () => {
    const { sb } = setup();
    const target = await stage(sb, 'PUT');
    const res = await sb.fetch(target.url, { method: 'PUT', body: JSON.stringify(lineFor(1)) });
    expect(res.status).toBe(200);
    const path = new URL(target.resourceUrl).pathname.replace('/storage/staged-uploads/', '');
    const run = (await ok<Json>(sb, RUN_MUTATION, { mutation: PRODUCT_SET, stagedUploadPath: path })).bulkOperationRunMutation;
    expect(run.userErrors).toEqual([]);
  });

  it('refuses resources the sandbox does not simulate', async () => {
    const { sb } = setup();
    const r = await gql(sb, STAGED, { input: [{ resource: 'IMAGE', filename: 'a.png', mimeType: 'image/png' }] });
    expect(r.body.errors?.[0]?.extensions?.code).toBe('SANDBOX_UNSUPPORTED');
  });
});

describe('bulkOperationRunMutation', () => {
  it('runs each line at 20 lines per second, outside the cost bucket, and writes results by __lineNumber out of order', async () => {
    const { sb, clock } = setup();
    const lines = Array.from({ length: 10 }, (_, i) => lineFor(i));
    lines[4] = { input: { title: '' } }; // a line with a userError
    const path = await upload(sb, lines);
    const run = (await ok<Json>(sb, RUN_MUTATION, { mutation: PRODUCT_SET, stagedUploadPath: path, clientIdentifier: 'ccv-product-sync' })).bulkOperationRunMutation;
    expect(run.userErrors).toEqual([]);
    expect(run.bulkOperation).toMatchObject({ status: 'CREATED', type: 'MUTATION' });
    const id = run.bulkOperation.id;
    expect(await op(sb, id)).toMatchObject({ status: 'RUNNING', objectCount: '0' });
    sb.core.bucket.drain(1500); // a nearly empty bucket does not slow the lines down
    clock.advance(250); // 5 lines are due
    const bucketBefore = sb.core.bucket.status().currentlyAvailable;
    await settleBulk(sb.core);
    expect(sb.core.bucket.status().currentlyAvailable).toBe(bucketBefore); // the lines took nothing from it
    expect((await op(sb, id)).objectCount).toBe('5');
    clock.advance(249);
    await settleBulk(sb.core);
    expect((await op(sb, id)).status).toBe('RUNNING');
    clock.advance(1);
    await settleBulk(sb.core);
    const done = await op(sb, id);
    expect(done).toMatchObject({ status: 'COMPLETED', errorCode: null, objectCount: '10', rootObjectCount: '10', partialDataUrl: null, query: PRODUCT_SET });
    expect(done.completedAt).toBe('2026-07-14T10:00:00Z');
    const results = await download(sb, done.url);
    expect(Number(done.fileSize)).toBeGreaterThan(0);
    expect(results.map((r) => r.__lineNumber)).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(results.map((r) => r.__lineNumber).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const byLine = new Map(results.map((r) => [r.__lineNumber as number, r]));
    expect(byLine.get(0)!.data.productSet.product.title).toBe('Bulk product 0');
    expect(byLine.get(4)!.data.productSet).toMatchObject({ product: null, userErrors: [expect.objectContaining({ field: ['input', 'title'] })] });
    expect((await ok<Json>(sb, '{ productsCount { count } }')).productsCount.count).toBe(9);
  });

  it('refuses a missing file, a bad JSONL file and a mutation it cannot run', async () => {
    const { sb } = setup();
    const code = async (vars: Json) => (await ok<Json>(sb, RUN_MUTATION, vars)).bulkOperationRunMutation.userErrors[0]?.code;
    expect(await code({ mutation: PRODUCT_SET, stagedUploadPath: 'tmp/1/bulk/nope/x.jsonl' })).toBe('NO_SUCH_FILE');
    expect(await code({ mutation: PRODUCT_SET, stagedUploadPath: await upload(sb, '{"input": {"title": "x"}}\nnot json') })).toBe('INVALID_STAGED_UPLOAD_FILE');
    const path = await upload(sb, [lineFor(1)]);
    expect(await code({ mutation: 'mutation { productSet(input: $x) { product { id } } }', stagedUploadPath: path })).toBe('INVALID_MUTATION');
    expect(await code({ mutation: '{ shop { id } }', stagedUploadPath: path })).toBe('INVALID_MUTATION');
    expect(await code({ mutation: 'mutation($id: ID!) { refundCreate(input: { orderId: $id }) { refund { id } } }', stagedUploadPath: path })).toBe('INVALID_MUTATION');
  });

  it('allows 5 running operations per shop (LIMIT_REACHED), and one operation per staged file (OPERATION_IN_PROGRESS)', async () => {
    const { sb, clock } = setup();
    const ids: string[] = [];
    let first = '';
    for (let i = 0; i < 5; i++) {
      const path = await upload(sb, [lineFor(i), lineFor(i + 10)]);
      first ||= path;
      const r = (await ok<Json>(sb, RUN_MUTATION, { mutation: PRODUCT_SET, stagedUploadPath: path })).bulkOperationRunMutation;
      expect(r.userErrors).toEqual([]);
      ids.push(r.bulkOperation.id);
    }
    const again = (await ok<Json>(sb, RUN_MUTATION, { mutation: PRODUCT_SET, stagedUploadPath: first })).bulkOperationRunMutation;
    expect(again.userErrors[0].code).toBe('OPERATION_IN_PROGRESS');
    const sixth = (await ok<Json>(sb, RUN_MUTATION, { mutation: PRODUCT_SET, stagedUploadPath: await upload(sb, [lineFor(99)]) })).bulkOperationRunMutation;
    expect(sixth).toEqual({ bulkOperation: null, userErrors: [{ field: null, message: expect.stringContaining('limit'), code: 'LIMIT_REACHED' }] });
    const q = (await ok<Json>(sb, RUN_QUERY, { query: '{ products { edges { node { id } } } }', group: false })).bulkOperationRunQuery;
    expect(q.userErrors[0].code).toBe('LIMIT_REACHED');
    const active = (await ok<Json>(sb, '{ bulkOperations(first: 10, query: "status:running OR status:created") { nodes { id status type createdAt objectCount } } }')).bulkOperations.nodes;
    expect(active.map((n: Json) => n.id)).toEqual([...ids].reverse()); // newest first
    clock.advance(100);
    await settleBulk(sb.core);
    const later = (await ok<Json>(sb, RUN_MUTATION, { mutation: PRODUCT_SET, stagedUploadPath: await upload(sb, [lineFor(98)]) })).bulkOperationRunMutation;
    expect(later.userErrors).toEqual([]);
  });

  it('processes faster with bulkLinesPerSecond', async () => {
    const { sb, clock } = setup({ bulkLinesPerSecond: 1000 });
    const path = await upload(sb, Array.from({ length: 20 }, (_, i) => lineFor(i)));
    const id = (await ok<Json>(sb, RUN_MUTATION, { mutation: PRODUCT_SET, stagedUploadPath: path })).bulkOperationRunMutation.bulkOperation.id;
    await op(sb, id);
    clock.advance(20);
    await settleBulk(sb.core);
    expect((await op(sb, id)).status).toBe('COMPLETED');
  });
});

describe('cancel and failure', () => {
  it('cancels a running operation (partial results kept) and refuses to cancel a finished one', async () => {
    const { sb, clock } = setup();
    const path = await upload(sb, Array.from({ length: 10 }, (_, i) => lineFor(i)));
    const id = (await ok<Json>(sb, RUN_MUTATION, { mutation: PRODUCT_SET, stagedUploadPath: path })).bulkOperationRunMutation.bulkOperation.id;
    await op(sb, id);
    clock.advance(100);
    await settleBulk(sb.core);
    const CANCEL = `mutation($id: ID!) { bulkOperationCancel(id: $id) { bulkOperation { id status } userErrors { field message } } }`;
    const c = (await ok<Json>(sb, CANCEL, { id })).bulkOperationCancel;
    expect(c).toEqual({ bulkOperation: { id, status: 'CANCELING' }, userErrors: [] });
    await settleBulk(sb.core);
    const after = await op(sb, id);
    expect(after).toMatchObject({ status: 'CANCELED', objectCount: '2', url: null, completedAt: null });
    expect((await download(sb, after.partialDataUrl)).map((r) => r.__lineNumber).sort()).toEqual([0, 1]);
    expect((await ok<Json>(sb, CANCEL, { id })).bulkOperationCancel.userErrors[0].message).toContain('canceled');
  });

  it('fails an operation on request (/__sandbox/bulk/fail) with a partial data URL', async () => {
    const { sb, clock } = setup();
    const path = await upload(sb, Array.from({ length: 4 }, (_, i) => lineFor(i)));
    const id = (await ok<Json>(sb, RUN_MUTATION, { mutation: PRODUCT_SET, stagedUploadPath: path })).bulkOperationRunMutation.bulkOperation.id;
    await op(sb, id);
    clock.advance(50);
    await settleBulk(sb.core);
    const r = await sb.fetch(`https://${sb.shop}/__sandbox/bulk/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, errorCode: 'TIMEOUT' }) });
    expect(r.status).toBe(200);
    clock.advance(50);
    await settleBulk(sb.core);
    const failed = await op(sb, id);
    expect(failed).toMatchObject({ status: 'FAILED', errorCode: 'TIMEOUT', url: null, objectCount: '1' });
    expect(await download(sb, failed.partialDataUrl)).toHaveLength(1);
  });
});

describe('bulkOperationRunQuery', () => {
  async function catalogue(sb: SB, n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      await ok(sb, 'mutation($input: ProductSetInput!) { productSet(input: $input) { userErrors { message } } }', {
        input: { title: `P${i}`, productOptions: [{ name: 'Size', values: [{ name: 'M' }, { name: 'L' }] }], variants: [{ optionValues: [{ optionName: 'Size', name: 'M' }], sku: `P${i}-M` }, { optionValues: [{ optionName: 'Size', name: 'L' }], sku: `P${i}-L` }] },
      });
    }
  }

  it('exports nested connections as JSONL lines with __parentId (children not grouped by default)', async () => {
    const { sb, clock } = setup();
    await catalogue(sb, 3);
    const query = '{ products { edges { node { id title variants { edges { node { id sku } } } } } } }';
    const id = (await ok<Json>(sb, RUN_QUERY, { query, group: false })).bulkOperationRunQuery.bulkOperation.id;
    await op(sb, id);
    clock.advance(1000);
    await settleBulk(sb.core);
    const done = await op(sb, id);
    expect(done).toMatchObject({ status: 'COMPLETED', objectCount: '9', rootObjectCount: '3' });
    const lines = await download(sb, done.url);
    expect(lines.slice(0, 3).map((l) => l.title)).toEqual(['P0', 'P1', 'P2']);
    expect(lines[0]).not.toHaveProperty('variants');
    const children = lines.slice(3);
    expect(children).toHaveLength(6);
    for (const c of children) expect(lines.slice(0, 3).map((p) => p.id)).toContain(c.__parentId);
    expect(children.filter((c) => c.__parentId === lines[0]!.id).map((c) => c.sku).sort()).toEqual(['P0-L', 'P0-M']);

    const grouped = (await ok<Json>(sb, RUN_QUERY, { query, group: true })).bulkOperationRunQuery.bulkOperation.id;
    await op(sb, grouped);
    clock.advance(1000);
    await settleBulk(sb.core);
    const g = await download(sb, (await op(sb, grouped)).url);
    expect(g.map((l) => (l.__parentId ? 'c' : 'p')).join('')).toBe('pccpccpcc');
  });

  it('runs the reference export of variants (nodes read at the configured rate)', async () => {
    const { sb, clock } = setup();
    await catalogue(sb, 2);
    const id = (await ok<Json>(sb, RUN_QUERY, { query: '{ productVariants { edges { node { id sku inventoryItem { id } product { id handle } } } } }', group: false })).bulkOperationRunQuery.bulkOperation.id;
    await op(sb, id);
    clock.advance(100); // 2 of 4 lines
    await settleBulk(sb.core);
    expect(await op(sb, id)).toMatchObject({ status: 'RUNNING', objectCount: '2' });
    clock.advance(100);
    await settleBulk(sb.core);
    const lines = await download(sb, (await op(sb, id)).url);
    expect(lines.map((l) => l.sku)).toEqual(['P0-M', 'P0-L', 'P1-M', 'P1-L']);
    expect(lines[0]).toMatchObject({ inventoryItem: { id: expect.stringMatching(/InventoryItem/) }, product: { handle: 'p0' } });
  });

  it('refuses pagination arguments, no connection, more than 5 connections, deep nesting and a nested connection without parent id', async () => {
    const { sb } = setup();
    const err = async (query: string) => (await ok<Json>(sb, RUN_QUERY, { query, group: false })).bulkOperationRunQuery.userErrors[0];
    expect(await err('{ products(first: 10) { edges { node { id } } } }')).toMatchObject({ field: ['query'], code: 'INVALID', message: expect.stringContaining('pagination') });
    expect((await err('{ shop { id } }')).message).toContain('at least one connection');
    expect((await err('{ products { edges { node { id variants { edges { node { id } } } } } } }'))).toBeUndefined();
    expect((await err('{ products { edges { node { title variants { edges { node { id } } } } } } }')).message).toContain("must select the 'id' field");
    expect((await err('{ products { edges { node { id collections { edges { node { id products { edges { node { id } } } } } } } } } }')).message).toContain('nested more than 2');
    const six = `{ a: products { nodes { id } } b: products { nodes { id } } c: products { nodes { id } } d: products { nodes { id } } e: products { nodes { id } } f: products { nodes { id } } }`;
    expect((await err(six)).message).toContain('more than 5 connections');
    expect((await err('mutation { shop { id } }')).code).toBe('INVALID');
  });

  it('fails with ACCESS_DENIED when the token lacks the scope for the data', async () => {
    const { sb, clock } = setup();
    const t = sb.issueToken({ scopes: ['read_orders'] });
    const r = await gql<Json>(sb, RUN_QUERY, { query: '{ products { edges { node { id } } } }', group: false }, { token: t.token });
    const id = r.body.data!.bulkOperationRunQuery.bulkOperation.id;
    await op(sb, id);
    clock.advance(100);
    await settleBulk(sb.core);
    expect(await op(sb, id)).toMatchObject({ status: 'FAILED', errorCode: 'ACCESS_DENIED' });
  });

  it('expires results after 7 days', async () => {
    const { sb, clock } = setup();
    await catalogue(sb, 1);
    const id = (await ok<Json>(sb, RUN_QUERY, { query: '{ products { nodes { id } } }', group: false })).bulkOperationRunQuery.bulkOperation.id;
    await op(sb, id);
    clock.advance(100);
    await settleBulk(sb.core);
    const url = (await op(sb, id)).url;
    clock.advance(7 * 86_400_000 + 1000);
    expect(await op(sb, id)).toMatchObject({ status: 'EXPIRED', url: null });
    expect((await sb.fetch(url)).status).toBe(400);
  });
});

describe('bulk_operations/finish', () => {
  it('is delivered when an operation finishes, shaped like Shopify’s example', async () => {
    const got: { topic: string | null; body: string }[] = [];
    const webhookFetch = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
      const req = new Request(input, init);
      got.push({ topic: req.headers.get('x-shopify-topic'), body: await req.text() });
      return new Response(null, { status: 200 });
    }) as typeof fetch;
    const { sb, clock } = setup({ webhookFetch });
    await ok(sb, 'mutation { webhookSubscriptionCreate(topic: BULK_OPERATIONS_FINISH, webhookSubscription: { uri: "https://sync.example.com/bulk" }) { userErrors { message } } }');
    const path = await upload(sb, [lineFor(1)]);
    const id = (await ok<Json>(sb, RUN_MUTATION, { mutation: PRODUCT_SET, stagedUploadPath: path })).bulkOperationRunMutation.bulkOperation.id;
    await op(sb, id);
    clock.advance(100);
    await settleBulk(sb.core);
    await settleWebhooks(sb.core);
    expect(got.map((g) => g.topic)).toEqual(['bulk_operations/finish']);
    const body = JSON.parse(got[0]!.body) as Json;
    expect(body).toMatchObject({ admin_graphql_api_id: id, status: 'completed', type: 'mutation', error_code: null });
    expect(validateJson(schemaForWebhook('2026-07', 'bulk_operations/finish') as JsonSchema, body)).toEqual([]);
  });
});
