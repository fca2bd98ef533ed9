/**
 * Collections in Shopify for CCV categories, in canonical terms (reference shopify-api §7, option A):
 * each category is a collection with one condition source "products tagged ccv-cat-<id>", so
 * membership follows the tags the products flow writes and no per-product collection call is ever
 * needed. The collection carries the CCV category id in the `id`-type metafield
 * `koppel.ccv_category_id`, which makes `collectionByIdentifier(customId:)` an exact lookup and a
 * second collection for the same category impossible (the value is unique per shop).
 * Shopify field names stay in this file.
 */
import type { CostInfo, ShopifyClient, UserError } from './client.js';
import * as docs from './documents.js';
import type * as T from './documents.types.js';
import { publicationIds } from './products.js';

/** Where the CCV category id lives on a collection (an `id`-type definition: unique per shop). */
export const CATEGORY_CUSTOM_ID = { namespace: 'koppel', key: 'ccv_category_id' } as const;

/** Shopify's limit on a handle; Koppel keeps room for a `-<id>` suffix. */
const HANDLE_BASE_MAX = 200;

/** What Koppel wants a category's collection to be. */
export interface CollectionTarget {
  /** CCV category id (the custom id value). */
  categoryId: string;
  title: string;
  descriptionHtml: string;
  /** The product tag whose products the collection lists (`ccv-cat-<id>`). */
  tag: string;
}

export type CollectionField = 'title' | 'descriptionHtml';
export const COLLECTION_FIELDS: readonly CollectionField[] = ['title', 'descriptionHtml'];

/** A collection as Shopify has it, in the terms Koppel compares. */
export interface CollectionSnapshot {
  collectionId: string;
  handle: string;
  title: string;
  descriptionHtml: string;
  /** The CCV category id the collection carries in `koppel.ccv_category_id`, or null. */
  categoryId: string | null;
  /** Tags of the collection's "tagged with" inclusion conditions, lower-cased (Shopify compares tags case-insensitively). */
  taggedWith: string[];
}

export type WriteResult<V> = { ok: true; value: V; cost: CostInfo } | { ok: false; userErrors: UserError[]; cost: CostInfo };

/** A handle from a category path: "Kleding > Heren > T-shirts" → `kleding-heren-t-shirts`; empty when nothing usable remains. */
export function collectionHandle(names: readonly string[]): string {
  const slug = names
    .map((n) => n.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, ''))
    .filter((s) => s !== '')
    .join('-');
  return slug.length > HANDLE_BASE_MAX ? slug.slice(0, HANDLE_BASE_MAX).replace(/-+$/, '') : slug;
}

/** The handle to use when the plain one is taken: `<handle>-<category id>` (stable: the id never changes). */
export function suffixedHandle(handle: string, categoryId: string): string {
  const suffix = `-${categoryId.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return handle.endsWith(suffix) ? handle : `${handle}${suffix}`;
}

/** The condition source: products tagged with the category's tag. Its title names the category, not its path, so renames leave it alone. */
export function tagSourceInput(t: CollectionTarget): T.CollectionCreateSourceTargetInput {
  return {
    source: {
      title: `CCV category ${t.categoryId}`,
      description: `Products tagged ${t.tag} by Koppel`,
      targetType: 'PRODUCTS',
      inclusion: { matchType: 'ANY', conditions: [{ productTag: { matchType: 'ANY', relation: 'TAGGED_WITH', values: [t.tag] } }] },
    },
  };
}

export function collectionCreateInput(t: CollectionTarget, handle: string): T.CollectionCreateInput {
  return {
    title: t.title,
    handle,
    descriptionHtml: t.descriptionHtml,
    metafields: [{ ...CATEGORY_CUSTOM_ID, type: 'id', value: t.categoryId }],
    sources: [tagSourceInput(t)],
  };
}

/** Only the given fields; the tag source is added when the collection lacks it; the Koppel id when it lacks that. */
export function collectionUpdateInput(collectionId: string, t: CollectionTarget, fields: ReadonlySet<CollectionField>, opts: { addTagSource: boolean; setCustomId: boolean }): T.CollectionUpdateInput {
  const input: T.CollectionUpdateInput = { id: collectionId };
  if (fields.has('title')) input.title = t.title;
  if (fields.has('descriptionHtml')) input.descriptionHtml = t.descriptionHtml;
  if (opts.addTagSource) input.sourcesToCreate = [tagSourceInput(t)];
  if (opts.setCustomId) input.metafields = [{ ...CATEGORY_CUSTOM_ID, type: 'id', value: t.categoryId }];
  return input;
}

/** True when the snapshot lists products tagged `tag` through one of its conditions. */
export function hasTagCondition(s: CollectionSnapshot, tag: string): boolean {
  return s.taggedWith.includes(tag.toLowerCase());
}

export type CollectionLookup = { id: string } | { categoryId: string } | { handle: string };

/** Reads one collection; undefined when Shopify has none. A `categoryId` lookup needs the `koppel.ccv_category_id` definition. */
export async function readCollectionSnapshot(client: ShopifyClient, by: CollectionLookup, signal?: AbortSignal): Promise<{ snapshot: CollectionSnapshot | undefined; cost: CostInfo }> {
  const identifier: T.CollectionIdentifierInput = 'id' in by ? { id: by.id } : 'handle' in by ? { handle: by.handle } : { customId: { ...CATEGORY_CUSTOM_ID, value: by.categoryId } };
  const r = await client.query(docs.CollectionSnapshot, { identifier, ...CATEGORY_CUSTOM_ID }, { lane: 'products', signal });
  const c = r.data.collectionByIdentifier;
  if (!c) return { snapshot: undefined, cost: r.cost };
  const taggedWith: string[] = [];
  for (const s of c.sources) {
    for (const cond of s.inclusion?.conditions ?? []) {
      if (cond.__typename === 'CollectionSourceInclusionConditionProductTag' && cond.relation === 'TAGGED_WITH') taggedWith.push(...(cond.values ?? []).map((v) => v.toLowerCase()));
    }
  }
  return {
    snapshot: { collectionId: c.id, handle: c.handle, title: c.title, descriptionHtml: c.descriptionHtml, categoryId: c.customId?.value ?? null, taggedWith },
    cost: r.cost,
  };
}

/**
 * Creates a collection. Not retried after a lost answer (collectionCreate is not idempotent): the
 * client throws SHOPIFY_OUTCOME_UNKNOWN and the caller looks the collection up by its custom id.
 */
export async function createCollection(client: ShopifyClient, input: T.CollectionCreateInput, signal?: AbortSignal): Promise<WriteResult<{ collectionId: string; handle: string }>> {
  const r = await client.mutate(docs.CollectionCreate, { collection: input }, { lane: 'products', payload: 'collectionCreate', signal });
  if (!r.ok) return { ok: false, userErrors: r.userErrors, cost: r.cost };
  const c = r.data.collectionCreate?.collection;
  if (!c) return { ok: false, userErrors: [{ field: null, message: 'collectionCreate returned no collection and no error', code: null, mutation: 'collectionCreate' }], cost: r.cost };
  return { ok: true, value: { collectionId: c.id, handle: c.handle }, cost: r.cost };
}

export async function updateCollection(client: ShopifyClient, input: T.CollectionUpdateInput, signal?: AbortSignal): Promise<WriteResult<null>> {
  // Titles and descriptions are absolute values (safe to send twice); a new source is not.
  const retrySafe = !input.sourcesToCreate?.length;
  const r = await client.mutate(docs.CollectionUpdate, { collection: input }, { lane: 'products', payload: 'collectionUpdate', retrySafe, signal });
  return r.ok ? { ok: true, value: null, cost: r.cost } : { ok: false, userErrors: r.userErrors, cost: r.cost };
}

const NO_COST: CostInfo = { requested: 0, actual: 0, throttleStatus: null };

export async function publishCollection(client: ShopifyClient, collectionId: string, publications: readonly string[], signal?: AbortSignal): Promise<WriteResult<null>> {
  if (publications.length === 0) return { ok: true, value: null, cost: NO_COST };
  const r = await client.mutate(docs.PublishToPublication, { id: collectionId, input: publications.map((publicationId) => ({ publicationId })) }, { lane: 'products', payload: 'publishablePublish', retrySafe: true, signal });
  return r.ok ? { ok: true, value: null, cost: r.cost } : { ok: false, userErrors: r.userErrors, cost: r.cost };
}

export async function unpublishCollection(client: ShopifyClient, collectionId: string, publications: readonly string[], signal?: AbortSignal): Promise<WriteResult<null>> {
  if (publications.length === 0) return { ok: true, value: null, cost: NO_COST };
  const r = await client.mutate(docs.PublishableUnpublish, { id: collectionId, input: publications.map((publicationId) => ({ publicationId })) }, { lane: 'products', payload: 'publishableUnpublish', retrySafe: true, signal });
  return r.ok ? { ok: true, value: null, cost: r.cost } : { ok: false, userErrors: r.userErrors, cost: r.cost };
}

/** Publication ids for sales channel names ("Online Store") or Publication GIDs (passed through). */
export async function collectionPublicationIds(client: ShopifyClient, channels: readonly string[], signal?: AbortSignal): Promise<{ ids: string[]; missing: string[] }> {
  const gids = channels.filter((c) => c.startsWith('gid://shopify/Publication/'));
  const names = channels.filter((c) => !c.startsWith('gid://'));
  const bad = channels.filter((c) => c.startsWith('gid://') && !c.startsWith('gid://shopify/Publication/'));
  const byName = names.length ? await publicationIds(client, names, signal) : { ids: [], missing: [] };
  return { ids: [...new Set([...gids, ...byName.ids])], missing: [...byName.missing, ...bad] };
}

/** The create failed because the handle belongs to another collection. */
export function handleTaken(errors: readonly UserError[]): boolean {
  return errors.some((e) => (e.field ?? []).includes('handle'));
}

/** The create or update failed because another collection already carries this CCV category id. */
export function customIdTaken(errors: readonly UserError[]): boolean {
  return errors.some((e) => (e.field ?? []).includes('metafields') && /taken|unique/i.test(e.message));
}

export function userErrorText(errors: readonly UserError[]): string {
  return errors.map((e) => `${e.field?.join('.') ?? 'collection'}: ${e.message}${e.code ? ` (${e.code})` : ''}`).join('; ');
}
