/**
 * The shape of koppel.yaml. Every object is strict: an unknown key is an error, so a typo never
 * passes silently. Fields marked with `secret()` must be written as `${env:NAME}` in the file.
 */
import { z } from 'zod';
import { CategoriesSettingsSchema } from './categories.js';
import { ProductsSettingsSchema } from './products.js';
import { StockFlowSchema } from './stock.js';

export const SHOPIFY_API_VERSION = '2026-10';

/** A string that holds a secret: only accepted when it came from `${env:NAME}` (checked by the loader). */
export const secret = (what: string) =>
  z.string({ error: `expected ${what} as \${env:NAME}` }).min(1, { error: `expected ${what}, got an empty value` }).meta({ secret: true, description: `${what}; write it as \${env:NAME}, never literally` });

/** A port; numeric strings (from the environment) are accepted, anything else is reported as given. */
const port = (what: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v),
    z.number({ error: `expected ${what} (a port number 0-65535)` })
      .int({ error: `expected ${what} (a whole port number)` })
      .min(0, { error: `expected ${what} (a port number 0-65535)` })
      .max(65535, { error: `expected ${what} (a port number 0-65535)` }),
  );

const cron = z.string({ error: 'expected a cron expression such as "*/15 * * * *"' }).min(1);

export const ServerSchema = z.strictObject({
  port: port('the HTTP port').default(8080).describe('HTTP port of the dashboard, API and webhook receivers. Env: PORT'),
  host: z.string({ error: 'expected a host name or IP address to listen on' }).default('127.0.0.1')
    .describe('Interface to listen on. 127.0.0.1 keeps Koppel private to this machine; 0.0.0.0 exposes it.'),
  publicUrl: z.url({ error: 'expected the public https URL under which CCV and Shopify reach this server' }).optional()
    .describe('Public base URL for webhook deliveries, e.g. https://koppel.example.nl'),
});

export const DatabaseSchema = z.strictObject({
  url: z.string({ error: 'expected a database URL (postgres://...) or a SQLite file path' }).min(1).optional()
    .describe('postgres://user:pass@host/db for scale-out, or a SQLite file. Default: <dataDir>/koppel.db. Env: KOPPEL_DATABASE_URL'),
});

export const CcvConnectionSchema = z.strictObject({
  baseUrl: z.url({ error: 'expected the shop URL, e.g. https://mijnwinkel.ccvshop.nl' }).describe('Shop host; the API lives under /api/rest/v1/'),
  publicKey: z.string({ error: 'expected the CCV API public key' }).min(1),
  secretKey: secret('the CCV API secret key'),
  mediaType: z.enum(['webshop', 'salespos'], { error: 'expected "webshop" or "salespos"' }).default('salespos')
    .describe('Accept media type: application/vnd.verto.<mediaType>+json'),
  limits: z.strictObject({
    getPerMinute: z.number().int().positive().default(150),
    writePerMinute: z.number().int().positive().default(100),
    productqueriesPerMinute: z.number().int().positive().default(30),
    globalPerMinute: z.number().int().positive().default(500).describe('CCV does not document its global cap; lower this if you see 429.11 errors'),
  }).optional().describe('CCV API rate limits per minute; Koppel paces its requests to stay under them'),
});

export const ShopifyConnectionSchema = z.strictObject({
  shop: z.string({ error: 'expected the shop domain, e.g. mijnwinkel.myshopify.com' })
    .regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, { error: 'expected the shop domain, e.g. mijnwinkel.myshopify.com' }),
  apiVersion: z.string().regex(/^\d{4}-(01|04|07|10)$/, { error: 'expected an API version such as 2026-10' }).default(SHOPIFY_API_VERSION),
  accessToken: secret('the Admin API access token').optional().describe('A static admin API token (shpat_...). Or use clientId + clientSecret.'),
  clientId: z.string().min(1).optional().describe('Dev Dashboard app client id (client-credentials grant)'),
  clientSecret: secret('the app client secret').optional(),
  webhookSecret: secret('the secret Shopify signs webhooks with').optional().describe('Only for a static admin token: the app\'s API secret key. With clientId/clientSecret, the client secret signs webhooks.'),
  endpoint: z.url().optional().describe('Override the https://<shop> origin (testing against a sandbox)'),
}).refine((s) => Boolean(s.accessToken) || (Boolean(s.clientId) && Boolean(s.clientSecret)), {
  error: 'expected either accessToken, or clientId together with clientSecret',
});

const flowBase = {
  enabled: z.boolean({ error: 'expected true or false' }).default(false),
  schedule: cron.optional().describe('When the flow runs on its own (cron, server time zone)'),
};

export const FlowsSchema = z.strictObject({
  products: ProductsSettingsSchema.prefault({}),
  categories: CategoriesSettingsSchema.prefault({}),
  stock: StockFlowSchema.prefault({}),
  customers: z.strictObject({ ...flowBase }).default({ enabled: false }),
  orders: z.strictObject({ ...flowBase }).default({ enabled: false }),
});

export const SandboxSchema = z.strictObject({
  seed: z.number().int().default(1).describe('Seed for the demo data (same seed, same data)'),
  products: z.number().int().min(0).default(500).describe('Number of demo products in the CCV sandbox'),
  ccvPort: port('the CCV sandbox port').default(4100),
  shopifyPort: port('the Shopify sandbox port').default(4200),
});

export const ConfigSchema = z.strictObject({
  dataDir: z.string().min(1).default('./data').describe('Where Koppel keeps its SQLite database and state. Env: KOPPEL_DATA_DIR'),
  server: ServerSchema.default({ port: 8080, host: '127.0.0.1' }),
  database: DatabaseSchema.default({}),
  log: z.strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'expected one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
  }).default({ level: 'info' }),
  connections: z.strictObject({
    ccv: CcvConnectionSchema.optional().describe('Leave out to use the built-in CCV sandbox'),
    shopify: ShopifyConnectionSchema.optional().describe('Leave out to use the built-in Shopify sandbox'),
  }).default({}),
  flows: FlowsSchema.prefault({}),
  sandbox: SandboxSchema.default({ seed: 1, products: 500, ccvPort: 4100, shopifyPort: 4200 }),
});

export type KoppelConfig = z.output<typeof ConfigSchema>;
export type KoppelConfigInput = z.input<typeof ConfigSchema>;

export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ConfigSchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'koppel.yaml', $id: 'https://koppel.dev/schema/koppel.schema.json' };
}
