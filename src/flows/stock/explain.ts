/**
 * `koppel explain stock <SKU>`: what Koppel knows about one SKU's stock, from the store alone (no
 * API calls): the CCV inputs of the last computation and where `reserved` came from, the formula
 * with the values put in, the result, the quantity Koppel last knew Shopify had, and the last
 * pushes and problems from the activity journal.
 */
import type { Kysely } from 'kysely';
import type { StockSettings } from '../../config/stock.js';
import { ActivityJournal, type ActivityRecord } from '../../engine/activity.js';
import type { Database } from '../../store/schema.js';
import { compileLocationFormulas } from './compute.js';
import { FLOW } from './service.js';
import { StockState } from './state.js';

export interface StockExplanation {
  sku: string;
  settings: { formula: string; safetyBuffer: number; floorAtZero: boolean; negativeStock: string; stockTakenOut: string; openStatuses: number[]; conflictPolicy: string; locations: string[] };
  variants: VariantExplanation[];
}

export interface VariantExplanation {
  variantKey: string;
  productId: number;
  readAt: string;
  trackedInCcv: boolean;
  ccv: { stock: string | null; onHand: number | null; reserved: number; reservedBy: Array<{ order: number; units: string }>; notes: string[] };
  formula: Array<{ location: string; text: string; result: number | null; describe: string }>;
  shopify: Array<{ locationId: string; inventoryItem: string | null; lastKnown: number | null; seenAt: string | null; decided: number | null; pushedAt: string | null; writeInFlight: number | null }>;
  problem: { code: string; since: string | null } | null;
  pushes: Array<{ at: string; outcome: string; change: string | null; message: string | null; error: string | null }>;
}

const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());

export async function explainStock(db: Kysely<Database>, pair: string, sku: string, settings: StockSettings, opts: { pushes?: number } = {}): Promise<StockExplanation> {
  const state = new StockState(db, pair);
  const journal = new ActivityJournal(db);
  const formulas = compileLocationFormulas(settings);
  const named = settings.locations ?? (settings.location ? [{ name: settings.location }] : [{ name: 'first active location' }]);
  const variants: VariantExplanation[] = [];
  for (const v of await state.variantsBySku(sku)) {
    const extra = v.notes ? (JSON.parse(v.notes) as { notes?: string[]; reservedBy?: Array<[number, string]> }) : {};
    const inputs = v.on_hand === null ? null : { onHand: Number(v.on_hand), reserved: Number(v.reserved), buffer: settings.safetyBuffer };
    const formula = named.map((l) => {
      const f = formulas.byName.get(l.name) ?? formulas.default;
      if (!inputs) return { location: l.name, text: f.text, result: null, describe: 'no usable CCV stock figure' };
      try {
        let result = f.evaluate(inputs);
        let describe = f.describe(inputs);
        if (settings.floorAtZero && result < 0) {
          describe += ', floored at 0';
          result = 0;
        }
        return { location: l.name, text: f.text, result, describe };
      } catch (e) {
        return { location: l.name, text: f.text, result: null, describe: (e as Error).message };
      }
    });
    const levels = await state.levelsOf(v.variant_key);
    const page = await journal.query({ flow: FLOW, key: v.variant_key, limit: opts.pushes ?? 10 });
    variants.push({
      variantKey: v.variant_key,
      productId: Number(v.product_id),
      readAt: iso(v.computed_at)!,
      trackedInCcv: v.tracked === 1,
      ccv: {
        stock: v.raw_stock,
        onHand: v.on_hand === null ? null : Number(v.on_hand),
        reserved: Number(v.reserved),
        reservedBy: (extra.reservedBy ?? []).map(([order, units]) => ({ order, units })),
        notes: extra.notes ?? [],
      },
      formula,
      shopify: levels.map((l) => ({
        locationId: l.location_id, inventoryItem: l.inventory_item, lastKnown: l.shopify_qty, seenAt: iso(l.shopify_seen_at), decided: l.target, pushedAt: iso(l.pushed_at), writeInFlight: l.pending_qty,
      })),
      problem: v.problem_code ? { code: v.problem_code, since: iso(v.problem_at) } : null,
      pushes: page.items.map((a: ActivityRecord) => ({
        at: a.at.toISOString(),
        outcome: a.action,
        change: a.diff?.map((d) => `${d.path} ${JSON.stringify(d.before)} → ${JSON.stringify(d.after)}`).join(', ') ?? null,
        message: a.message,
        error: a.errorCode ? `${a.errorCode}${a.hint ? ` (fix: ${a.hint})` : ''}` : null,
      })),
    });
  }
  return {
    sku,
    settings: {
      formula: formulas.default.text,
      safetyBuffer: settings.safetyBuffer,
      floorAtZero: settings.floorAtZero,
      negativeStock: settings.negativeStock,
      stockTakenOut: settings.reserved.stockTakenOut,
      openStatuses: settings.reserved.openStatuses,
      conflictPolicy: settings.conflictPolicy,
      locations: named.map((l) => l.name),
    },
    variants,
  };
}

/** The explanation as terminal lines. */
export function explanationLines(e: StockExplanation): string[] {
  if (e.variants.length === 0) {
    return [`no CCV variant with SKU ${JSON.stringify(e.sku)} has been seen by the stock flow yet`, '  (SKUs are case-sensitive; the flow learns a SKU when it reads its product: after a sale, a sweep or `koppel sync stock`)'];
  }
  const out: string[] = [];
  if (e.variants.length > 1) out.push(`SKU ${e.sku} is on ${e.variants.length} CCV variants (${e.variants.map((v) => v.variantKey).join(', ')}): SKUs should be unique`);
  for (const v of e.variants) {
    out.push(`SKU ${e.sku} — CCV variant ${v.variantKey} (product ${v.productId}), read ${v.readAt}`);
    if (!v.trackedInCcv) out.push('  CCV keeps no stock for this product: Koppel leaves Shopify\'s figure alone');
    out.push(`  CCV stock      ${v.ccv.stock ?? '—'}${v.ccv.onHand !== null && String(v.ccv.onHand) !== v.ccv.stock ? ` → on hand ${v.ccv.onHand}` : ''}`);
    const why = e.settings.stockTakenOut === 'at_checkout' ? 'CCV takes orders out of stock at checkout (reserved.stockTakenOut: at_checkout), so nothing is reserved' : `open orders in statuses ${e.settings.openStatuses.join(', ')} (reserved.stockTakenOut: ${e.settings.stockTakenOut})`;
    out.push(`  reserved       ${v.ccv.reserved}  — ${v.ccv.reservedBy.length ? v.ccv.reservedBy.map((r) => `order ${r.order}: ${r.units}`).join(', ') : why}`);
    out.push(`  buffer         ${e.settings.safetyBuffer}  (safetyBuffer)`);
    for (const n of v.ccv.notes) out.push(`  note           ${n}`);
    for (const f of v.formula) out.push(`  formula        ${f.location}: ${f.describe}`);
    for (const s of v.shopify) {
      out.push(`  Shopify        ${s.locationId}: Koppel last knew ${s.lastKnown ?? '—'}${s.seenAt ? ` (${s.seenAt})` : ''}, decided ${s.decided ?? '—'}${s.pushedAt ? `, last pushed ${s.pushedAt}` : ''}${s.writeInFlight !== null ? `, write of ${s.writeInFlight} in flight` : ''}`);
    }
    if (v.shopify.length === 0) out.push('  Shopify        nothing pushed yet');
    if (v.problem) out.push(`  problem        ${v.problem.code} since ${v.problem.since ?? '—'}`);
    out.push(v.pushes.length ? '  last pushes' : '  last pushes    none in the activity log');
    for (const p of v.pushes) out.push(`    ${p.at}  ${p.outcome.padEnd(11)} ${p.change ?? ''}${p.message ? `  ${p.message}` : ''}${p.error ? `  [${p.error}]` : ''}`);
  }
  return out;
}
