/**
 * Settings of the categories flow (CCV categories → Shopify collections), `flows.categories` in
 * koppel.yaml. The lead plugs `CategoriesSettingsSchema` into src/config/schema.ts; until then
 * `categoriesSettings()` parses whatever `flows.categories` holds with it, so the flow always sees
 * complete, validated settings.
 *
 * Every field has a default: `flows: { categories: { enabled: true } }` is a working configuration.
 */
import { z } from 'zod';
import { KoppelError } from '../core/errors.js';
import { FieldMapSchema } from '../mapping/fieldmap.js';

/** Collection fields the flow writes, each with its own field rule and policy. */
export const CATEGORY_TARGET_FIELDS = ['title', 'descriptionHtml'] as const;

const cron = z.string({ error: 'expected a cron expression such as "0 * * * *"' }).min(1);

export const CategoriesSettingsSchema = z.strictObject({
  enabled: z.boolean({ error: 'expected true or false' }).default(false),
  schedule: cron.default('5 * * * *').describe('When the categories run starts (cron). It reads the CCV category tree in one call and writes only what changed.'),
  reconcile: cron.default('35 3 * * *').describe('When a full run also checks every linked collection in Shopify (restores a deleted tag condition or collection)'),
  title: z.enum(['path', 'name'], { error: 'expected "path" (Kleding > Heren > Shirts) or "name" (Shirts)' }).default('path')
    .describe('Collection title: the category path from the root ("Kleding > Heren > Shirts") or the category\'s own name ("Shirts")'),
  pathSeparator: z.string({ error: 'expected the text between path names, e.g. " > "' }).min(1, { error: 'expected the text between path names, e.g. " > "' }).default(' > ')
    .describe('Between the names of a path title'),
  fields: FieldMapSchema.optional().describe(
    'Overrides of the default field map, per collection field (title, descriptionHtml). The source offers id, name, path (joined), ' +
    'names (list), parentId, depth, position and description. Policies: always, create_only or keep_target_changes.',
  ),
  publishTo: z.array(z.string().min(1, { error: 'expected a sales channel name such as "Online Store"' })).optional()
    .describe('Sales channels new collections are published to (names, or Publication GIDs). Default: flows.products.publishTo'),
  onDelete: z.enum(['keep', 'unpublish'], { error: 'expected "keep" or "unpublish"' }).default('keep')
    .describe('A category deleted in CCV: keep its collection as it is (reported once), or unpublish it from the sales channels. Koppel never deletes a collection.'),
});

export type CategoriesSettings = z.output<typeof CategoriesSettingsSchema>;
export type CategoriesSettingsInput = z.input<typeof CategoriesSettingsSchema>;

/** Complete, validated settings from `flows.categories` (whatever the lead's schema let through). */
export function categoriesSettings(flows: { categories?: unknown } | undefined): CategoriesSettings {
  const r = CategoriesSettingsSchema.safeParse(flows?.categories ?? {});
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `flows.categories${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}`);
  throw new KoppelError({
    code: 'CATEGORIES_SETTINGS_INVALID',
    message: `koppel.yaml has problems in flows.categories:\n  ${issues.join('\n  ')}`,
    hint: 'correct these settings in koppel.yaml (koppel doctor lists every problem)',
    field: 'flows.categories',
    errorClass: 'invalid_input',
  });
}
