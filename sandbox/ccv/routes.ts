/** Every API route of the sandbox. */
import type { Route } from './router.js';
import { categoryRoutes } from './resources/categories.js';
import { orderRoutes } from './resources/orders.js';
import { userRoutes } from './resources/people.js';
import { productRoutes } from './resources/products.js';
import { propertyRoutes } from './resources/properties.js';
import { shopRoutes } from './resources/shop.js';
import { variantRoutes } from './resources/variants.js';
import { webhookRoutes } from './resources/webhooks.js';

export const allRoutes: readonly Route[] = [
  ...shopRoutes,
  ...productRoutes,
  ...variantRoutes,
  ...categoryRoutes,
  ...propertyRoutes,
  ...userRoutes,
  ...orderRoutes,
  ...webhookRoutes,
];
