/** Settings of the products flow (flows.products in koppel.yaml). */
import { z } from 'zod';
import { FieldMapSchema } from '../mapping/fieldmap.js';

export const PRODUCT_TARGET_FIELDS = ['title', 'descriptionHtml', 'vendor', 'productType', 'status', 'tags'] as const;

export const ProductsSettingsSchema = z.strictObject({
  enabled: z.boolean({ error: 'expected true or false' }).default(false),
  schedule: z.string().min(1).default('*/15 * * * *').describe('When the delta run starts (cron). CCV product webhooks trigger runs in between.'),
  reconcile: z.string().min(1).default('0 3 * * *').describe('When a full comparison repairs drift (cron)'),
  fields: FieldMapSchema.optional().describe(
    'Overrides of the default field map, per Shopify field (title, descriptionHtml, vendor, productType, status, tags). ' +
    'A rule takes a source path, a constant (value) or a JSONata expression (expr), optional transforms, and a policy: ' +
    'always, create_only (e.g. keep a description edited in Shopify) or keep_target_changes.',
  ),
  skuSources: z.array(z.enum(['sku_number', 'product_number', 'productnumber', 'ean'])).min(1)
    .default(['sku_number', 'product_number', 'productnumber'])
    .describe('Where a variant SKU comes from, in order: the combination\'s sku_number, its product_number, the product\'s productnumber, the EAN'),
  taxTariffs: z.record(z.enum(['normal', 'low a', 'low b', 'extra low', 'zero']), z.number().min(0).max(100)).optional()
    .describe('VAT percentage per CCV tax tariff, over the Dutch defaults (normal 21, low a 9, low b 9, zero 0)'),
  publishTo: z.array(z.string().min(1)).default(['Online Store']).describe('Sales channels new products are published to'),
  categoryTags: z.boolean().default(true).describe('Tag products ccv-cat-<id> for their CCV categories (collections follow the tags)'),
  ancestorCategoryTags: z.boolean().default(true).describe('Also tag the parents of a product\'s categories, so "Heren" lists what is in "Heren > Shirts"'),
  shortDescriptionMetafield: z.boolean().default(true).describe('Keep CCV\'s short description as metafield ccv.short_description'),
  bulkThreshold: z.number().int().min(1).default(200).describe('Above this many products to create, the first load uses Shopify bulk operations'),
});

export type ProductsSettings = z.output<typeof ProductsSettingsSchema>;
