/**
 * From CCV figures to the quantity Shopify should show, per variant and location:
 *
 *   1. onHand   = CCV `stock`, rounded down to whole units (a STOCK_FRACTIONAL note keeps the raw
 *                 value); negative becomes 0 unless `negativeStock: keep`;
 *   2. reserved = open-order rows still holding goods (reservations.ts), rounded up;
 *   3. quantity = the location's formula over onHand, reserved and buffer (= safetyBuffer);
 *   4. floored at 0 unless `floorAtZero: false`, and refused beyond Shopify's ±1,000,000,000.
 *
 * Pure: no I/O. `describe` lines go to the activity journal and `koppel explain stock`.
 */
import type { StockSettings } from '../../config/stock.js';
import type { CcvStockRecord, CcvStockVariant } from '../../connectors/ccv/read/stock.js';
import { SHOPIFY_LIMITS, recordKey, recordLabel, stockLevelFromSource, type Problem } from '../../core/index.js';
import { compileFormula, type Formula } from './formula.js';
import { formatMilli, type ProductReservations } from './reservations.js';

/** A target location with its formula (names resolved to Shopify ids by locations.ts). */
export interface TargetLocation {
  id: string;
  name: string;
  formula: Formula;
}

export interface LocationQuantity {
  locationId: string;
  locationName: string;
  quantity: number;
  /** "onHand - reserved - buffer = 12 - 2 - 0 = 10", plus "floored at 0" when it was. */
  describe: string;
}

export interface VariantComputation {
  productId: number;
  variantKey: string;
  sku: string | null;
  tracked: boolean;
  /** CCV's figure as text ("2.5"), null when CCV sent none. */
  rawStock: string | null;
  onHand: number | null;
  reserved: number;
  buffer: number;
  /** Orders holding the reserved units: [order id, units as text]. */
  reservedBy: Array<[number, string]>;
  /** Short notes: fractional stock, negative stock, unattributed reservations. */
  notes: string[];
  /** Errors that keep this variant from being pushed (invalid stock, missing SKU, formula failure). */
  problems: Problem[];
  /** Warnings recorded with the push (STOCK_FRACTIONAL). */
  warnings: Problem[];
  /** Why nothing is pushed (untracked in CCV), when that is the case. */
  skip: string | null;
  quantities: LocationQuantity[];
}

export function compileLocationFormulas(settings: StockSettings): { default: Formula; byName: Map<string, Formula> } {
  const def = compileFormula(settings.formula, 'flows.stock.formula');
  const byName = new Map<string, Formula>();
  (settings.locations ?? []).forEach((l, i) => {
    if (l.formula) byName.set(l.name, compileFormula(l.formula, `flows.stock.locations[${i}].formula`));
  });
  return { default: def, byName };
}

function rawText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v.trim() : String(v);
}

export function computeVariant(record: CcvStockRecord, v: CcvStockVariant, reservations: ProductReservations, locations: readonly TargetLocation[], settings: StockSettings): VariantComputation {
  const label = recordLabel('variant', recordKey('ccv', v.key));
  const subject = v.sku ? `${label} (SKU ${v.sku})` : label;
  const base: VariantComputation = {
    productId: record.productId,
    variantKey: v.key,
    sku: v.sku,
    tracked: record.tracked,
    rawStock: rawText(v.stock),
    onHand: null,
    reserved: 0,
    buffer: settings.safetyBuffer,
    reservedBy: [],
    notes: [],
    problems: [],
    warnings: [],
    skip: null,
    quantities: [],
  };
  const prefix = v.combinationId === null ? 'productnumber' : `combination ${v.combinationId} `;
  base.problems.push(...record.problems.filter((p) => p.severity === 'error' && (p.field ?? '').startsWith(prefix)));
  if (!record.tracked) {
    base.skip = 'CCV does not keep stock for this product (stock disabled): Shopify\'s figure is left alone';
    return base;
  }
  if (v.sku === null) return base;

  const r = reservations.byVariant.get(v.key);
  if (r) {
    base.reserved = r.reserved;
    base.reservedBy = r.orders.map(([id, milli]) => [id, formatMilli(milli)]);
    if (r.milli % 1000 !== 0) base.notes.push(`reserved ${formatMilli(r.milli)} rounded up to ${r.reserved}`);
  }
  if (reservations.unattributed.length && v.combinationId !== null) {
    base.notes.push(`${reservations.unattributed.length} open order row(s) of product ${record.productId} name no variant; not counted as reserved`);
  }

  const level = stockLevelFromSource({ sku: v.sku, variantKey: recordKey('ccv', v.key), quantity: v.stock ?? 0 }, { subject, field: 'stock' });
  for (const p of level.problems) (p.severity === 'error' ? base.problems : base.warnings).push(p);
  if (!level.level) return base;
  let onHand = level.level.onHand;
  if (level.level.rawQuantity !== null) base.notes.push(`stock ${level.level.rawQuantity} rounded down to ${onHand}`);
  if (onHand < 0 && settings.negativeStock === 'zero') {
    base.notes.push(`stock ${onHand} is negative; counted as 0 (negativeStock: zero)`);
    onHand = 0;
  }
  base.onHand = onHand;
  if (base.problems.length) return base;

  const inputs = { onHand, reserved: base.reserved, buffer: base.buffer };
  for (const loc of locations) {
    let q: number;
    let describe: string;
    try {
      q = loc.formula.evaluate(inputs);
      describe = loc.formula.describe(inputs);
    } catch (e) {
      base.problems.push(formulaProblem(subject, (e as Error).message));
      return base;
    }
    if (settings.floorAtZero && q < 0) {
      describe += ', floored at 0';
      q = 0;
    }
    if (Math.abs(q) > SHOPIFY_LIMITS.inventoryQuantityAbs) {
      base.problems.push(formulaProblem(subject, `the result ${q} is beyond Shopify's ±${SHOPIFY_LIMITS.inventoryQuantityAbs}`));
      return base;
    }
    base.quantities.push({ locationId: loc.id, locationName: loc.name, quantity: q, describe });
  }
  return base;
}

function formulaProblem(subject: string, message: string): Problem {
  // The core catalogue has no formula code; this problem is shaped like one for the journal.
  return {
    code: 'STOCK_INVALID',
    severity: 'error',
    message: `${subject}: ${message}`,
    hint: 'correct flows.stock.formula (koppel explain stock <SKU> shows the inputs)',
    record: subject,
    field: 'formula',
    details: { value: 'formula', reason: message },
  } as Problem;
}
