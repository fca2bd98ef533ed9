/** Every flow module, by name. */
import type { FlowModule, FlowName } from './module.js';
import { categoriesFlow } from './categories/index.js';
import { productsFlow } from './products/index.js';
import { stockFlow } from './stock/index.js';

export const FLOW_MODULES: Partial<Record<FlowName, FlowModule>> = {
  products: productsFlow,
  categories: categoriesFlow,
  stock: stockFlow,
};
