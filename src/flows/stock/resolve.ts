/**
 * CCV variant → Shopify inventory item. First the ledger's `variant` link (written by the products
 * flow: refs.inventoryItem); else an exact, case-sensitive SKU lookup in Shopify whose single hit is
 * recorded in the ledger, so the next time needs no lookup. Lookups are batched: one search for up
 * to 40 SKUs. No hit or several hits are problems the caller reports once.
 */
import type { ShopifyClient } from '../../connectors/shopify/client.js';
import { findItemsBySkus } from '../../connectors/shopify/inventory.js';
import type { Lane } from '../../connectors/shopify/limiter.js';
import { isKoppelError } from '../../core/errors.js';
import type { IdentityLedger } from '../../engine/ledger.js';
import type { Database } from '../../store/schema.js';
import type { Kysely } from 'kysely';

export type Resolution =
  | { kind: 'item'; inventoryItemId: string; variantId: string; via: 'ledger' | 'lookup' }
  | { kind: 'unknown'; truncated: boolean }
  | { kind: 'ambiguous'; variantIds: string[] }
  | { kind: 'link_conflict'; message: string };

/** Ledger links of many variant keys in one query per 200 keys: key → { variant GID, inventory item GID }. */
export async function ledgerItems(db: Kysely<Database>, pair: string, keys: readonly string[]): Promise<Map<string, { variantId: string; inventoryItemId: string | null; sku: string | null }>> {
  const out = new Map<string, { variantId: string; inventoryItemId: string | null; sku: string | null }>();
  for (let i = 0; i < keys.length; i += 200) {
    const part = keys.slice(i, i + 200);
    if (part.length === 0) continue;
    const rows = await db.selectFrom('ledger_link').select(['source_key', 'target_id', 'target_refs', 'sku']).where('pair', '=', pair).where('entity', '=', 'variant').where('source_key', 'in', part).execute();
    for (const r of rows) {
      const refs = JSON.parse(r.target_refs) as Record<string, string>;
      out.set(r.source_key, { variantId: r.target_id, inventoryItemId: refs.inventoryItem ?? null, sku: r.sku });
    }
  }
  return out;
}

/**
 * Looks the SKUs of several variants up in Shopify in batched searches (findItemsBySkus: ⌈n / 40⌉
 * queries for n SKUs) and links each single hit in the ledger (unless `dryRun`), in the order given:
 * when two CCV variants share a SKU, the first is linked and the second gets `link_conflict`.
 */
export async function lookupAndLinkMany(
  shopify: ShopifyClient,
  ledger: IdentityLedger,
  q: { pair: string; wants: ReadonlyArray<{ variantKey: string; sku: string }>; dryRun: boolean; now: number; lane?: Lane; signal?: AbortSignal },
): Promise<Map<string, Resolution>> {
  const out = new Map<string, Resolution>();
  if (q.wants.length === 0) return out;
  const found = await findItemsBySkus(shopify, q.wants.map((w) => w.sku), { lane: q.lane ?? 'stock', ...(q.signal ? { signal: q.signal } : {}) });
  for (const w of q.wants) {
    const f = found.get(w.sku) ?? { matches: [], truncated: false };
    if (f.matches.length === 0) {
      out.set(w.variantKey, { kind: 'unknown', truncated: f.truncated });
      continue;
    }
    if (f.matches.length > 1) {
      out.set(w.variantKey, { kind: 'ambiguous', variantIds: f.matches.map((m) => m.variantId) });
      continue;
    }
    const m = f.matches[0]!;
    if (!q.dryRun) {
      // Refs are unique across links, so a variant link carries the inventory item only (as the products flow writes it).
      try {
        await ledger.link({ pair: q.pair, entity: 'variant', sourceKey: w.variantKey, targetId: m.variantId, refs: { inventoryItem: m.inventoryItemId }, sku: w.sku, direction: 'source_to_target' }, q.now);
      } catch (e) {
        if (isKoppelError(e) && e.code.startsWith('LEDGER_')) {
          out.set(w.variantKey, { kind: 'link_conflict', message: e.message });
          continue;
        }
        throw e;
      }
    }
    out.set(w.variantKey, { kind: 'item', inventoryItemId: m.inventoryItemId, variantId: m.variantId, via: 'lookup' });
  }
  return out;
}
