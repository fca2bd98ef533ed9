/**
 * CCV variant → Shopify inventory item. First the ledger's `variant` link (written by the products
 * flow: refs.inventoryItem); else an exact, case-sensitive SKU lookup in Shopify whose single hit is
 * recorded in the ledger, so the next time needs no lookup. No hit or several hits are problems the
 * caller reports once.
 */
import type { ShopifyClient } from '../../connectors/shopify/client.js';
import { findItemsBySku } from '../../connectors/shopify/inventory.js';
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

/** Looks a SKU up in Shopify and, with exactly one hit, links it in the ledger (unless `dryRun`). */
export async function lookupAndLink(
  shopify: ShopifyClient,
  ledger: IdentityLedger,
  q: { pair: string; variantKey: string; sku: string; dryRun: boolean; now: number; signal?: AbortSignal },
): Promise<Resolution> {
  const found = await findItemsBySku(shopify, q.sku, 'stock', q.signal);
  if (found.matches.length === 0) return { kind: 'unknown', truncated: found.truncated };
  if (found.matches.length > 1) return { kind: 'ambiguous', variantIds: found.matches.map((m) => m.variantId) };
  const m = found.matches[0]!;
  if (!q.dryRun) {
    // Refs are unique across links, so a variant link carries the inventory item only (as the products flow writes it).
    try {
      await ledger.link({ pair: q.pair, entity: 'variant', sourceKey: q.variantKey, targetId: m.variantId, refs: { inventoryItem: m.inventoryItemId }, sku: q.sku, direction: 'source_to_target' }, q.now);
    } catch (e) {
      if (isKoppelError(e) && e.code.startsWith('LEDGER_')) return { kind: 'link_conflict', message: e.message };
      throw e;
    }
  }
  return { kind: 'item', inventoryItemId: m.inventoryItemId, variantId: m.variantId, via: 'lookup' };
}
