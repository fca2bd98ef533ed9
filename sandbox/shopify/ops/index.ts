// The operation modules the sandbox serves. A new area (customers, orders, webhooks, bulk operations)
// is one more module here: see sandbox/shopify/README.md.
import type { Module } from '../registry.js';
import { bulkModule } from './bulk.js';
import { collectionsModule } from './collections.js';
import { companiesModule } from './companies.js';
import { customersModule } from './customers.js';
import { inventoryModule } from './inventory.js';
import { metafieldsModule } from './metafields.js';
import { ordersModule } from './orders.js';
import { productsModule } from './products.js';
import { shopModule } from './shop.js';
import { tagsModule } from './tags.js';
import { webhooksModule } from './webhooks.js';

export const DEFAULT_MODULES: readonly Module[] = [shopModule, metafieldsModule, productsModule, inventoryModule, collectionsModule, customersModule, companiesModule, ordersModule, tagsModule, webhooksModule, bulkModule];
