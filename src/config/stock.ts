/**
 * Settings of the stock flow (CCV → Shopify), `flows.stock` in koppel.yaml. The lead plugs
 * `StockFlowSchema` into src/config/schema.ts; until then `stockSettings()` parses whatever
 * `flows.stock` holds with it, so the flow always sees complete, validated settings.
 *
 * Every field has a default: `flows: { stock: { enabled: true } }` is a working configuration.
 */
import { z } from 'zod';
import { KoppelError } from '../core/errors.js';

/** A duration as the engine's schedules take it: `500ms`, `5s`, `2m`, `1h`, `1d`. */
const duration = (what: string) =>
  z.string({ error: `expected ${what} as a duration such as 5s, 2m or 1h` })
    .regex(/^\s*\d+(?:\.\d+)?\s*(ms|s|m|h|d)\s*$/, { error: `expected ${what} as a duration such as 5s, 2m or 1h` });

const cron = z.string({ error: 'expected a cron expression such as "0 * * * *"' }).min(1);

/** Where a variant's SKU comes from; must be the same list the products flow uses. */
export const SKU_SOURCES = ['sku_number', 'product_number', 'productnumber', 'ean'] as const;

export const CCV_ORDER_STATUSES: Readonly<Record<number, string>> = {
  1: 'new', 2: 'in process', 3: 'waiting for manufacturer', 4: 'waiting for payment', 5: 'sent', 6: 'delivered', 7: 'completed',
  8: 'cancelled', 9: 'waiting for supplier', 10: 'being packaged', 11: 'ready to be collected', 12: 'being assembled', 13: 'backorder', 14: 'reserved',
};

/** Statuses in which an order still waits for its goods: everything but sent (5), delivered (6), completed (7) and cancelled (8). */
export const DEFAULT_OPEN_STATUSES: readonly number[] = [1, 2, 3, 4, 9, 10, 11, 12, 13, 14];

export const DEFAULT_STOCK_FORMULA = 'onHand - reserved - buffer';

export const StockLocationSchema = z.strictObject({
  name: z.string({ error: 'expected the name of a Shopify location' }).min(1, { error: 'expected a location name, got an empty value' })
    .describe('Shopify location (by its name, exactly as in Shopify admin) that receives CCV stock'),
  formula: z.string().min(1).max(500).optional()
    .describe('Formula for this location only (default: flows.stock.formula). E.g. "0" keeps a location empty'),
});

export const StockReservedSchema = z.strictObject({
  stockTakenOut: z.enum(['at_checkout', 'when_closed', 'never'], { error: 'expected at_checkout, when_closed or never' }).default('at_checkout')
    .describe(
      'When CCV takes an order\'s goods out of its stock figure (CCV does not document it). ' +
      'at_checkout: as soon as the order is placed, so open orders are already out of `stock` and `reserved` is 0. ' +
      'when_closed: only when the order is sent, delivered or completed; until then its rows count as `reserved`. ' +
      'never: CCV never books API orders (you correct stock by hand once goods leave); open orders count as `reserved` like when_closed. ' +
      'Till sales are always taken out at once by SalesPOS and never reserve anything.',
    ),
  openStatuses: z.array(z.number().int().min(1).max(14), { error: 'expected a list of CCV order status numbers 1-14' }).min(1)
    .default([...DEFAULT_OPEN_STATUSES])
    .describe('CCV order statuses whose rows count as reserved (when stockTakenOut is when_closed or never). Default: all but 5 sent, 6 delivered, 7 completed, 8 cancelled'),
  refreshEvery: duration('the interval of the open-order scan').default('60s')
    .describe('How often open CCV orders are listed to notice status changes that release a reservation (one GET per open status and page)'),
});

export const StockSignalsSchema = z.strictObject({
  ordersEvery: duration('the order poll interval').default('5s')
    .describe('How often new CCV orders (till sales, web orders) are looked for; each new order re-reads the stock of its products'),
  modifydateEvery: z.union([duration('the modifydate poll interval'), z.literal('off')]).default('15s')
    .describe('How often products changed since the last look (CCV modifydate) are re-read; "off" to disable. Whether a stock-only change moves modifydate in CCV is unknown, so this is one signal among several'),
  webhooks: z.boolean().default(true)
    .describe('Accept CCV products.updated webhooks (needs server.publicUrl); each one re-reads that product'),
});

export const StockSweepSchema = z.strictObject({
  enabled: z.boolean().default(true),
  share: z.number({ error: 'expected a fraction between 0 and 1, e.g. 0.25' }).gt(0, { error: 'the sweep share must be more than 0' }).max(1, { error: 'the sweep share must be at most 1' }).default(0.25)
    .describe('Share of the CCV products GET budget the background stock sweep may use (default 25 %). Bounds how long a change no other signal reports (a back-office correction) takes to reach Shopify'),
  minCycle: duration('the shortest sweep cycle').default('60s')
    .describe('A small catalogue is swept at most this often, so the sweep does not spend budget it does not need'),
});

export const StockFlowSchema = z.strictObject({
  enabled: z.boolean({ error: 'expected true or false' }).default(false),
  schedule: cron.optional().describe('Cron for the full reconcile (default: reconcile.every, hourly)'),
  location: z.string({ error: 'expected a location name' }).min(1, { error: 'expected a location name, got an empty value' }).optional()
    .describe('Shopify location that receives CCV stock (default: the first active location). Shorthand for locations: [{name}]'),
  locations: z.array(StockLocationSchema).min(1).max(20).optional()
    .describe('Several Shopify locations, each with its own formula if needed. Overrides `location`'),
  formula: z.string({ error: 'expected a formula such as "onHand - reserved - buffer"' }).min(1).max(500).default(DEFAULT_STOCK_FORMULA)
    .describe('Quantity Shopify shows as available. Names: onHand (CCV stock, fractions rounded down), reserved (see reserved), buffer (safetyBuffer). Operators + - * / (whole-number division rounding down), parentheses, min(a, b, ...), max(a, b, ...)'),
  safetyBuffer: z.number().int({ error: 'expected a whole number of units' }).min(0).max(1_000_000).default(0)
    .describe('Units held back from the web shop; the formula\'s `buffer`'),
  floorAtZero: z.boolean().default(true).describe('Never send a negative quantity to Shopify'),
  negativeStock: z.enum(['zero', 'keep'], { error: 'expected zero or keep' }).default('zero')
    .describe('A negative CCV stock (a till oversold) counts as 0 (zero), or as it is (keep)'),
  reserved: StockReservedSchema.default({ stockTakenOut: 'at_checkout', openStatuses: [...DEFAULT_OPEN_STATUSES], refreshEvery: '60s' }),
  conflictPolicy: z.enum(['ccv_wins', 'shopify_wins', 'report_only'], { error: 'expected ccv_wins, shopify_wins or report_only' }).default('ccv_wins')
    .describe('When Shopify\'s quantity changed since Koppel last wrote it: write CCV\'s figure anyway (ccv_wins), keep Shopify\'s until CCV changes (shopify_wins), or keep it and report a problem (report_only). Every conflict is in the activity log'),
  trackInventory: z.boolean().default(false).describe('Switch on "track quantity" for Shopify items Koppel pushes stock to'),
  skuSources: z.array(z.enum(SKU_SOURCES)).min(1).optional()
    .describe('Where a CCV variant\'s SKU comes from, in order (default sku_number, product_number, productnumber); keep it equal to the products flow'),
  signals: StockSignalsSchema.default({ ordersEvery: '5s', modifydateEvery: '15s', webhooks: true }),
  sweep: StockSweepSchema.default({ enabled: true, share: 0.25, minCycle: '60s' }),
  reconcile: z.strictObject({
    every: duration('the reconcile interval').default('1h'),
  }).default({ every: '1h' }).describe('Full comparison of every SKU with Shopify; drift is repaired (per conflictPolicy) and reported'),
});

export type StockSettings = z.output<typeof StockFlowSchema>;
export type StockSettingsInput = z.input<typeof StockFlowSchema>;

/**
 * The stock flow's settings from `flows.stock` (whatever shape the main schema has today): parsed
 * with StockFlowSchema, so a typo or a bad value is an error naming the field.
 */
export function stockSettings(flows: { stock?: unknown } | undefined): StockSettings {
  const raw = flows?.stock ?? {};
  const r = StockFlowSchema.safeParse(raw);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `flows.stock${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}`);
  throw new KoppelError({
    code: 'STOCK_SETTINGS_INVALID',
    message: `koppel.yaml has problems in flows.stock:\n  ${issues.join('\n  ')}`,
    hint: 'correct these settings in koppel.yaml (koppel doctor lists every problem)',
    field: 'flows.stock',
    errorClass: 'invalid_input',
  });
}
