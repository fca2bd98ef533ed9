import { describe, expect, it } from 'vitest';
import { StockFlowSchema, stockSettings, type StockSettingsInput } from '../../config/stock.js';
import { toStockRecord, type CcvStockRecord } from '../../connectors/ccv/read/stock.js';
import { computeVariant, type TargetLocation } from './compute.js';
import { compileFormula } from './formula.js';
import { attributeReservations, formatMilli, toMilli } from './reservations.js';
import type { ReservationRow } from './state.js';

const settings = (over: StockSettingsInput = {}) => StockFlowSchema.parse(over);
const loc = (formula = 'onHand - reserved - buffer', name = 'Winkel'): TargetLocation => ({ id: `gid://shopify/Location/${name}`, name, formula: compileFormula(formula) });

function simple(stock: unknown, over: Partial<{ stockenabled: boolean; productnumber: string }> = {}): CcvStockRecord {
  return toStockRecord({ id: 555, modifydate: '2025-06-01T10:00:00Z', productnumber: over.productnumber ?? 'SKU-555', eannumber: null, stock: stock as number, stockenabled: over.stockenabled ?? true });
}

function withCombos(): CcvStockRecord {
  return toStockRecord({
    id: 600, modifydate: '2025-06-01T10:00:00Z', productnumber: 'P600', eannumber: null, stock: 0, stockenabled: true,
    productattributesets: { collection: [{ id: 1, type: 'option_menu' }] },
    attributecombinations: {
      collection: [
        { id: 9001, stock: 4, sku_number: 'SHIRT-M', product_number: null, ean_number: '8719000000019', active: true },
        { id: 9002, stock: 7, sku_number: '', product_number: 'SHIRT-L-PN', ean_number: null, active: true },
        { id: 9003, stock: 1, sku_number: 'OLD', product_number: null, ean_number: null, active: false },
      ],
    },
  });
}

const noRes = { byVariant: new Map(), unattributed: [] };

describe('reading CCV stock records', () => {
  it('keys variants like the products reader and takes SKUs from the configured sources in order', () => {
    const r = withCombos();
    expect(r.variants.map((v) => [v.key, v.sku, v.stock])).toEqual([['600/9001', 'SHIRT-M', 4], ['600/9002', 'SHIRT-L-PN', 7]]);
    const s = simple(3);
    expect(s.variants.map((v) => [v.key, v.sku, v.combinationId])).toEqual([['555', 'SKU-555', null]]);
  });

  it('treats combinations without option menus as a simple product', () => {
    const r = toStockRecord({ id: 7, modifydate: 'x', productnumber: 'S7', eannumber: null, stock: 2, stockenabled: true, productattributesets: { collection: [{ id: 1, type: 'additional_menu' }] }, attributecombinations: { collection: [{ id: 1, stock: 9, sku_number: 'X', product_number: null, ean_number: null, active: true }] } });
    expect(r.variants.map((v) => [v.key, v.sku, v.stock])).toEqual([['7', 'S7', 2]]);
  });
});

describe('computing the quantity for Shopify', () => {
  it('rounds fractional stock down with a note and a STOCK_FRACTIONAL warning', () => {
    const c = computeVariant(simple(2.5), simple(2.5).variants[0]!, noRes, [loc()], settings());
    expect(c.quantities).toEqual([{ locationId: 'gid://shopify/Location/Winkel', locationName: 'Winkel', quantity: 2, describe: 'onHand - reserved - buffer = 2 - 0 - 0 = 2' }]);
    expect(c.notes).toEqual(['stock 2.5 rounded down to 2']);
    expect(c.warnings.map((w) => w.code)).toEqual(['STOCK_FRACTIONAL']);
    expect(c.problems).toEqual([]);
  });

  it('counts negative stock as 0 by default, or keeps it when configured', () => {
    const rec = simple(-3);
    const dflt = computeVariant(rec, rec.variants[0]!, noRes, [loc()], settings());
    expect(dflt.onHand).toBe(0);
    expect(dflt.quantities[0]!.quantity).toBe(0);
    expect(dflt.notes[0]).toMatch(/negative; counted as 0/);
    const keep = computeVariant(rec, rec.variants[0]!, noRes, [loc()], settings({ negativeStock: 'keep', floorAtZero: false }));
    expect(keep.quantities[0]!.quantity).toBe(-3);
    const floored = computeVariant(rec, rec.variants[0]!, noRes, [loc()], settings({ negativeStock: 'keep' }));
    expect(floored.quantities[0]).toMatchObject({ quantity: 0, describe: 'onHand - reserved - buffer = -3 - 0 - 0 = -3, floored at 0' });
  });

  it('subtracts the safety buffer and floors at zero', () => {
    const rec = simple(3);
    const c = computeVariant(rec, rec.variants[0]!, noRes, [loc()], settings({ safetyBuffer: 5 }));
    expect(c.quantities[0]).toMatchObject({ quantity: 0, describe: 'onHand - reserved - buffer = 3 - 0 - 5 = -2, floored at 0' });
  });

  it('computes one quantity per location, each with its own formula', () => {
    const rec = simple(10);
    const c = computeVariant(rec, rec.variants[0]!, noRes, [loc(undefined, 'Winkel'), loc('0', 'Magazijn')], settings());
    expect(c.quantities.map((q) => [q.locationName, q.quantity])).toEqual([['Winkel', 10], ['Magazijn', 0]]);
  });

  it('skips a product whose stock CCV does not keep, and quarantines unreadable stock', () => {
    const off = simple(3, { stockenabled: false });
    expect(computeVariant(off, off.variants[0]!, noRes, [loc()], settings()).skip).toMatch(/stock disabled/);
    const bad = simple('lots');
    const c = computeVariant(bad, bad.variants[0]!, noRes, [loc()], settings());
    expect(c.problems.map((p) => p.code)).toEqual(['STOCK_INVALID']);
    expect(c.quantities).toEqual([]);
  });

  it('reports a missing SKU as the record\'s problem', () => {
    const r = simple(3, { productnumber: '  ' });
    const c = computeVariant(r, r.variants[0]!, noRes, [loc()], settings());
    expect(c.problems.map((p) => p.code)).toEqual(['SKU_MISSING']);
  });
});

describe('reservations', () => {
  const row = (over: Partial<ReservationRow>): ReservationRow => ({
    pair: 'p', order_id: 1, row_id: 1, product_id: 600, code_sku: null, code_product_number: null, code_ean: null, quantity_milli: 1000, status: 1, updated_at: 0, ...over,
  });

  it('count nothing when CCV takes stock out at checkout (the default)', () => {
    const r = attributeReservations(withCombos(), [row({ code_sku: 'SHIRT-M' })], settings());
    expect(r.byVariant.size).toBe(0);
  });

  it('attribute open-order rows to variants by SKU, product number or EAN, rounding the sum up', () => {
    const s = settings({ reserved: { stockTakenOut: 'when_closed' } });
    const rows = [
      row({ order_id: 1, row_id: 1, code_sku: 'SHIRT-M', quantity_milli: 1500 }),
      row({ order_id: 2, row_id: 2, code_ean: '8719000000019', quantity_milli: 250 }),
      row({ order_id: 3, row_id: 3, code_product_number: 'SHIRT-L-PN', quantity_milli: 2000 }),
      row({ order_id: 4, row_id: 4, code_sku: 'SHIRT-M', quantity_milli: 1000, status: 5 }), // sent: no longer reserved
      row({ order_id: 5, row_id: 5, code_sku: 'UNKNOWN', quantity_milli: 1000 }),
    ];
    const r = attributeReservations(withCombos(), rows, s);
    expect(r.byVariant.get('600/9001')).toEqual({ reserved: 2, milli: 1750, orders: [[1, 1500], [2, 250]] });
    expect(r.byVariant.get('600/9002')).toEqual({ reserved: 2, milli: 2000, orders: [[3, 2000]] });
    expect(r.unattributed).toEqual([{ orderId: 5, rowId: 5, milli: 1000 }]);
    const rec = withCombos();
    const c = computeVariant(rec, rec.variants[0]!, r, [loc()], s);
    expect(c.quantities[0]!.quantity).toBe(2);
    expect(c.reservedBy).toEqual([[1, '1.5'], [2, '0.25']]);
    expect(c.notes).toContain('reserved 1.75 rounded up to 2');
  });

  it('converts CCV counts to exact thousandths', () => {
    expect(toMilli(0.1 + 0.2)).toBe(300);
    expect(formatMilli(1250)).toBe('1.25');
    expect(formatMilli(3000)).toBe('3');
  });
});

describe('stock settings', () => {
  it('has working defaults and documents reserved in the schema', () => {
    const s = stockSettings({ stock: { enabled: true } });
    expect(s).toMatchObject({ formula: 'onHand - reserved - buffer', floorAtZero: true, negativeStock: 'zero', conflictPolicy: 'ccv_wins', sweep: { share: 0.25 }, signals: { ordersEvery: '5s' }, reserved: { stockTakenOut: 'at_checkout' } });
    expect(StockFlowSchema.shape.reserved.unwrap().shape.stockTakenOut.description).toMatch(/open orders/);
  });

  it('names the field of a bad setting', () => {
    expect(() => stockSettings({ stock: { sweep: { share: 2 } } })).toThrow(/flows\.stock\.sweep\.share: the sweep share must be at most 1/);
    expect(() => stockSettings({ stock: { signals: { ordersEvery: 'often' } } })).toThrow(/flows\.stock\.signals\.ordersEvery/);
    expect(() => stockSettings({ stock: { formla: 'x' } })).toThrow(/flows\.stock/);
  });
});
