/** Helpers for the categories flow suites: settings, CCV category facts, Shopify collection reads. */
import type { CategoriesSettingsInput } from '../../../src/config/categories.js';
import { syncCategories } from '../../../src/flows/categories/sync.js';
import type { FlowSyncOptions } from '../../../src/flows/module.js';
import { shopifyGql, type FlowWorld } from '../../support/flows.js';

export const sync = (w: FlowWorld, extra: Partial<FlowSyncOptions> = {}) => syncCategories(w.env, { dryRun: false, trigger: 'manual', ...extra });

/** flows.categories settings (the strict config schema does not know them until the lead plugs the schema in). */
export function configure(w: FlowWorld, s: CategoriesSettingsInput): void {
  (w.env.config.flows as { categories: unknown }).categories = s;
}

export interface ShopifyCollection {
  id: string;
  handle: string;
  title: string;
  descriptionHtml: string;
  customId: { value: string } | null;
  sources: Array<{ __typename: string; id: string; title?: string; inclusion?: { conditions: Array<{ __typename: string; relation?: string; values?: string[] }> } }>;
}

export async function shopifyCollections(w: FlowWorld): Promise<ShopifyCollection[]> {
  const d = await shopifyGql<{ collections: { nodes: ShopifyCollection[] } }>(w.shopify, `{
    collections(first: 100) { nodes {
      id handle title descriptionHtml
      customId: metafield(namespace: "koppel", key: "ccv_category_id") { value }
      sources { __typename id ... on CollectionConditionsSource { title inclusion { conditions { __typename ... on CollectionSourceInclusionConditionProductTag { relation values } } } } }
    } }
  }`);
  return d.collections.nodes;
}

export async function collectionOf(w: FlowWorld, ccvId: number | string): Promise<ShopifyCollection | undefined> {
  return (await shopifyCollections(w)).find((c) => c.customId?.value === String(ccvId));
}

/** Product GIDs a collection lists (membership as Shopify computes it from the tag conditions). */
export async function members(w: FlowWorld, collectionId: string): Promise<string[]> {
  const d = await shopifyGql<{ collection: { products: { nodes: Array<{ id: string }> } } }>(
    w.shopify, 'query($id: ID!) { collection(id: $id) { products(first: 250) { nodes { id } } } }', { id: collectionId });
  return d.collection.products.nodes.map((n) => n.id).sort();
}

export async function publicationId(w: FlowWorld, name: string): Promise<string> {
  const d = await shopifyGql<{ publications: { nodes: Array<{ id: string; catalog: { title: string } | null }> } }>(w.shopify, '{ publications(first: 10) { nodes { id catalog { title } } } }');
  const p = d.publications.nodes.find((n) => n.catalog?.title === name);
  if (!p) throw new Error(`no publication ${name}`);
  return p.id;
}

export async function isPublished(w: FlowWorld, collectionId: string, publication: string): Promise<boolean> {
  const d = await shopifyGql<{ collection: { publishedOnPublication: boolean } }>(
    w.shopify, 'query($id: ID!, $p: ID!) { collection(id: $id) { publishedOnPublication(publicationId: $p) } }', { id: collectionId, p: publication });
  return d.collection.publishedOnPublication;
}

/** CCV's categories as the sandbox holds them: id → {name, parent}. */
export function ccvCategories(w: FlowWorld): Map<number, { name: string; parent: number | null }> {
  return new Map(w.ccv.state.categories.all().map((c) => [c.id, { name: c.name, parent: c.parent_id }]));
}

/** The path title CCV's tree gives a category ("Kleding > Heren > Jassen"). */
export function pathTitle(w: FlowWorld, id: number, sep = ' > '): string {
  const cats = ccvCategories(w);
  const names: string[] = [];
  for (let cur: number | null = id; cur !== null; cur = cats.get(cur)?.parent ?? null) names.unshift(cats.get(cur)!.name);
  return names.join(sep);
}

/**
 * The Shopify product GIDs a category's collection must list: the CCV products in the category
 * (and, with ancestor tags, in its descendants) that the products flow linked.
 */
export async function expectedMembers(w: FlowWorld, categoryId: number, withDescendants: boolean): Promise<string[]> {
  const cats = ccvCategories(w);
  const inScope = (c: number): boolean => {
    for (let cur: number | null = c; cur !== null; cur = cats.get(cur)?.parent ?? null) {
      if (cur === categoryId) return true;
      if (!withDescendants) return false;
    }
    return false;
  };
  const products = new Set(w.ccv.state.productToCategories.all().filter((l) => inScope(l.category_id)).map((l) => l.product_id));
  const out: string[] = [];
  for (const p of products) {
    const link = await w.env.ledger.bySource(w.env.pair, 'product', String(p));
    if (link) out.push(link.targetId);
  }
  return out.sort();
}
