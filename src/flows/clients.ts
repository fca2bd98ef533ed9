/** The two API clients of an installation, built from the resolved connection settings. */
import type { KoppelConfig } from '../config/schema.js';
import { ccvClientFromConfig } from '../connectors/ccv/from-config.js';
import type { CcvClient } from '../connectors/ccv/client.js';
import { ShopifyClient } from '../connectors/shopify/client.js';
import type { Logger } from '../obs/log.js';

export type CcvConnection = NonNullable<KoppelConfig['connections']['ccv']>;
export type ShopifyConnection = NonNullable<KoppelConfig['connections']['shopify']>;

export function createClients(c: { ccv: CcvConnection; shopify: ShopifyConnection }, logger: Logger): { ccv: CcvClient; shopify: ShopifyClient } {
  const ccv = ccvClientFromConfig(c.ccv, { logger, connection: 'main' });
  const shopify = new ShopifyClient({
    shop: c.shopify.shop,
    apiVersion: c.shopify.apiVersion,
    auth: c.shopify.accessToken ? { accessToken: c.shopify.accessToken } : { clientId: c.shopify.clientId!, clientSecret: c.shopify.clientSecret! },
    ...(c.shopify.endpoint ? { endpoint: c.shopify.endpoint } : {}),
    connection: 'main',
    logger,
  });
  return { ccv, shopify };
}
