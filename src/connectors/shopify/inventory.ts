/**
 * Canonical inventory calls on Shopify: locations, SKUs → inventory items, available quantities, and
 * compare-and-set writes. Shopify's names (GIDs, userError codes) stay in here; callers get plain
 * results with the conflicts already sorted out per entry.
 */
import type { ShopifyClient } from './client.js';
import * as docs from './documents.js';
import { StockItemLevel, StockLocationLevels, StockVariantsBySkus, type StockLocationLevelsData, type StockVariantsBySkusData } from './documents.stock.js';
import type { LocationsData } from './documents.types.js';
import type { Lane } from './limiter.js';
import { KoppelError } from '../../core/errors.js';

export interface ShopifyLocation {
  id: string;
  name: string;
  active: boolean;
}

export async function listLocations(client: ShopifyClient, lane: Lane = 'stock', signal?: AbortSignal): Promise<ShopifyLocation[]> {
  const out: ShopifyLocation[] = [];
  let after: string | null = null;
  do {
    const r: { data: LocationsData } = await client.query(docs.Locations, { first: 100, after }, { lane, ...(signal ? { signal } : {}) });
    for (const n of r.data.locations.nodes) out.push({ id: n.id, name: n.name, active: n.isActive });
    after = r.data.locations.pageInfo.hasNextPage ? r.data.locations.pageInfo.endCursor : null;
  } while (after);
  return out;
}

export interface ShopifyItemMatch {
  inventoryItemId: string;
  variantId: string;
}

export interface SkuLookup {
  /** Variants whose SKU is exactly the SKU (case-sensitive). */
  matches: ShopifyItemMatch[];
  /** The search for this SKU alone returned more variants than Koppel pages through: an exact match beyond them cannot be excluded. */
  truncated: boolean;
}

/**
 * How the batched SKU search pages. Defaults: 40 SKUs per search; a first page of 100 variants (room
 * for every SKU's hit and some near matches, requested cost 202), further pages of 250 (cost 502);
 * a batch needing more than 4 pages holds a SKU many others contain, and its SKUs are searched one
 * by one; one SKU's search gives up after 40 pages (100 + 39 x 250 variants) and says so (`truncated`).
 */
export interface SkuSearchSizes {
  batch: number;
  firstPage: number;
  nextPage: number;
  batchMaxPages: number;
  singleMaxPages: number;
}

export const SKU_SEARCH: SkuSearchSizes = { batch: 40, firstPage: 100, nextPage: 250, batchMaxPages: 4, singleMaxPages: 40 };
export const SKU_BATCH = SKU_SEARCH.batch;

/**
 * A `sku:` search term for exactly this text, quoted as Shopify's search syntax wants: a phrase in
 * double quotes, with `\` and `"` escaped by a backslash.
 */
export function skuSearchTerm(sku: string): string {
  return `sku:"${sku.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** One search for several SKUs, paged on with the cursor up to `maxPages`; `complete` is false when more pages were left. */
async function searchSkus(client: ShopifyClient, skus: readonly string[], maxPages: number, sizes: SkuSearchSizes, lane: Lane, signal?: AbortSignal): Promise<{ found: Map<string, ShopifyItemMatch[]>; complete: boolean }> {
  const wanted = new Set(skus);
  const found = new Map<string, ShopifyItemMatch[]>();
  const query = skus.map(skuSearchTerm).join(' OR ');
  let after: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const r: { data: StockVariantsBySkusData } = await client.query(StockVariantsBySkus, { query, first: page === 0 ? sizes.firstPage : sizes.nextPage, after }, { lane, ...(signal ? { signal } : {}) });
    const conn = r.data.productVariants;
    for (const v of conn.nodes) {
      // Shopify's search is tokenised and case-insensitive: only an exact SKU counts.
      if (v.sku === null || !wanted.has(v.sku)) continue;
      const list = found.get(v.sku) ?? [];
      if (!list.some((m) => m.variantId === v.id)) list.push({ inventoryItemId: v.inventoryItem.id, variantId: v.id });
      found.set(v.sku, list);
    }
    if (!conn.pageInfo.hasNextPage || !conn.pageInfo.endCursor) return { found, complete: true };
    after = conn.pageInfo.endCursor;
  }
  return { found, complete: false };
}

/**
 * The Shopify variants of many SKUs, exact and case-sensitive, in searches of `sizes.batch` SKUs:
 * ⌈n / 40⌉ queries for n SKUs when each has few near matches. A full page is paged on with the
 * cursor; a batch whose results run past `batchMaxPages` is searched again SKU by SKU, so a SKU is
 * never called unknown (or single) because other SKUs' near matches filled the pages.
 */
export async function findItemsBySkus(client: ShopifyClient, skus: readonly string[], opts: { lane?: Lane; signal?: AbortSignal; sizes?: Partial<SkuSearchSizes> } = {}): Promise<Map<string, SkuLookup>> {
  const sizes = { ...SKU_SEARCH, ...opts.sizes };
  const lane = opts.lane ?? 'stock';
  const unique = [...new Set(skus)];
  const out = new Map<string, SkuLookup>();
  for (let i = 0; i < unique.length; i += sizes.batch) {
    const batch = unique.slice(i, i + sizes.batch);
    const r = batch.length > 1 ? await searchSkus(client, batch, sizes.batchMaxPages, sizes, lane, opts.signal) : undefined;
    for (const sku of batch) {
      if (r?.complete) {
        out.set(sku, { matches: r.found.get(sku) ?? [], truncated: false });
        continue;
      }
      const one = await searchSkus(client, [sku], sizes.singleMaxPages, sizes, lane, opts.signal);
      out.set(sku, { matches: one.found.get(sku) ?? [], truncated: !one.complete });
    }
  }
  return out;
}

export interface ItemLevel {
  inventoryItemId: string;
  sku: string | null;
  tracked: boolean;
  /** Available at the location; null when the item is not stocked there. */
  available: number | null;
}

/** One item's available quantity at one location; undefined when the item no longer exists. */
export async function readItemLevel(client: ShopifyClient, inventoryItemId: string, locationId: string, lane: Lane = 'stock', signal?: AbortSignal): Promise<ItemLevel | undefined> {
  const r = await client.query(StockItemLevel, { id: inventoryItemId, locationId }, { lane, ...(signal ? { signal } : {}) });
  const it = r.data.inventoryItem;
  if (!it) return undefined;
  const q = it.inventoryLevel?.quantities.find((x) => x.name === 'available');
  return { inventoryItemId: it.id, sku: it.sku, tracked: it.tracked, available: it.inventoryLevel ? (q?.quantity ?? 0) : null };
}

export interface LocationLevel {
  inventoryItemId: string;
  available: number;
}

/** The inventory item GID inside an InventoryLevel GID (`gid://shopify/InventoryLevel/<loc>?inventory_item_id=<item>`). */
export function itemOfLevelId(levelId: string): string {
  const m = /^gid:\/\/shopify\/InventoryLevel\/\d+\?(?:.*&)?inventory_item_id=(\d+)(?:&|$)/.exec(levelId);
  if (!m) {
    throw new KoppelError({
      code: 'SHOPIFY_LEVEL_ID_UNEXPECTED',
      message: `Shopify returned an inventory level id Koppel cannot read the item from: ${levelId.slice(0, 120)}`,
      hint: 'Shopify changed its inventory level ids: report this to the Koppel maintainers (the stock reconcile stops until it is fixed)',
      errorClass: 'permanent',
    });
  }
  return `gid://shopify/InventoryItem/${m[1]}`;
}

/** Every item stocked at a location with its available quantity, one page (≤ 250) at a time. */
export async function* locationLevels(client: ShopifyClient, locationId: string, opts: { lane?: Lane; signal?: AbortSignal; pageSize?: number; onCost?: (points: number) => void } = {}): AsyncGenerator<LocationLevel[]> {
  let after: string | null = null;
  do {
    const r: { data: StockLocationLevelsData; cost: { actual: number | null; requested: number } } = await client.query(StockLocationLevels, { id: locationId, first: opts.pageSize ?? 250, after }, { lane: opts.lane ?? 'reconcile', ...(opts.signal ? { signal: opts.signal } : {}) });
    opts.onCost?.(r.cost.actual ?? r.cost.requested);
    const loc = r.data.location;
    if (!loc) return;
    yield loc.inventoryLevels.nodes.map((n) => ({
      inventoryItemId: itemOfLevelId(n.id),
      available: n.quantities.find((q) => q.name === 'available')?.quantity ?? 0,
    }));
    after = loc.inventoryLevels.pageInfo.hasNextPage ? loc.inventoryLevels.pageInfo.endCursor : null;
  } while (after);
}

export interface SetEntry {
  inventoryItemId: string;
  locationId: string;
  quantity: number;
  /** The quantity Koppel believes Shopify has (compare-and-set); null skips the check. */
  changeFrom: number | null;
}

export type SetOutcome =
  | { ok: true; changed: boolean; cost: number }
  | {
    ok: false;
    /** Entries (by index) whose changeFrom no longer matches: nothing of the batch was applied. */
    stale: number[];
    /** Entries whose item is not stocked at the location (2026-07 and earlier). */
    notStocked: number[];
    /** Entries whose item or location no longer exists. */
    missing: number[];
    /** Anything else, with Shopify's message. */
    other: Array<{ index: number | null; code: string | null; message: string }>;
    cost: number;
  };

export const MAX_SET_QUANTITIES = 250;

/**
 * Sets available quantities absolutely, with compare-and-set and an idempotency key (a replay with
 * the same key and entries changes nothing). Shopify applies all entries or none.
 */
export async function setAvailable(
  client: ShopifyClient,
  entries: readonly SetEntry[],
  opts: { key: string; reason?: string; referenceDocumentUri?: string; lane?: Lane; signal?: AbortSignal },
): Promise<SetOutcome> {
  if (entries.length === 0 || entries.length > MAX_SET_QUANTITIES) throw new RangeError(`setAvailable takes 1 to ${MAX_SET_QUANTITIES} entries, got ${entries.length}`);
  const r = await client.mutate(
    docs.InventorySet,
    {
      key: opts.key,
      input: {
        name: 'available',
        reason: opts.reason ?? 'correction',
        ...(opts.referenceDocumentUri ? { referenceDocumentUri: opts.referenceDocumentUri } : {}),
        quantities: entries.map((e) => ({ inventoryItemId: e.inventoryItemId, locationId: e.locationId, quantity: e.quantity, changeFromQuantity: e.changeFrom })),
      },
    },
    { lane: opts.lane ?? 'stock', ...(opts.signal ? { signal: opts.signal } : {}) },
  );
  const cost = r.cost.actual ?? r.cost.requested;
  if (r.ok) return { ok: true, changed: r.data.inventorySetQuantities?.inventoryAdjustmentGroup != null, cost };
  const out = { ok: false as const, stale: [] as number[], notStocked: [] as number[], missing: [] as number[], other: [] as Array<{ index: number | null; code: string | null; message: string }>, cost };
  for (const u of r.userErrors) {
    const idx = u.field && u.field[1] === 'quantities' && u.field[2] !== undefined && /^\d+$/.test(u.field[2]) ? Number(u.field[2]) : null;
    if (u.code === 'CHANGE_FROM_QUANTITY_STALE' || u.code === 'COMPARE_QUANTITY_STALE') {
      if (idx !== null) out.stale.push(idx);
      else out.other.push({ index: idx, code: u.code, message: u.message });
    } else if (u.code === 'ITEM_NOT_STOCKED_AT_LOCATION' && idx !== null) out.notStocked.push(idx);
    else if ((u.code === 'INVALID_INVENTORY_ITEM' || u.code === 'INVALID_LOCATION') && idx !== null) out.missing.push(idx);
    else out.other.push({ index: idx, code: u.code, message: u.message });
  }
  return out;
}

/** Stocks an item at a location (needed before writing there on API versions before 2026-10). */
export async function activateAt(client: ShopifyClient, inventoryItemId: string, locationId: string, key: string, lane: Lane = 'stock', signal?: AbortSignal): Promise<{ ok: boolean; message?: string }> {
  const r = await client.mutate(docs.InventoryActivate, { inventoryItemId, locationId, key }, { lane, ...(signal ? { signal } : {}) });
  return r.ok ? { ok: true } : { ok: false, message: r.userErrors.map((u) => u.message).join('; ') };
}

/** Switches "track quantity" on for an item. */
export async function setTracked(client: ShopifyClient, inventoryItemId: string, lane: Lane = 'stock', signal?: AbortSignal): Promise<{ ok: boolean; message?: string }> {
  const r = await client.mutate(docs.InventoryItemUpdate, { id: inventoryItemId, input: { tracked: true } }, { lane, retrySafe: true, ...(signal ? { signal } : {}) });
  return r.ok ? { ok: true } : { ok: false, message: r.userErrors.map((u) => u.message).join('; ') };
}
