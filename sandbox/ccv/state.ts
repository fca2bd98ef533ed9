/**
 * The sandbox's in-memory shop: tables of compact records plus the domain rules every writer shares (API handlers,
 * /__sandbox/ back-office endpoints, tests): combination regeneration, cascading deletes, stock booking.
 */
import type {
  AttributeRec, AttributeValueRec, BrandRec, CategoryRec, CcvDataset, CombinationRec, MerchantRec, OrderRec, OrderRowRec,
  PackageRec, PaymethodRec, ProductAttributeValueRec, ProductPropertyValueRec, ProductRec, ProductToCategoryRec,
  ProductToPropertyGroupRec, PropertyGroupRec, PropertyOptionRec, PropertyRec, SettingsRec, UserRec, WebhookRec,
  WebshopRec,
} from './model.js';
import { ApiError, CODES } from './errors.js';
import { compactRecords } from './compact.js';
import { Table } from './table.js';
import { cartesian, combinationCount, newCombination, optionGroups, planRegeneration } from './variants.js';

export interface RegenerationResult {
  kept: number;
  created: number[];
  removed: number[];
}

export class CcvState {
  webshop!: WebshopRec;
  settings!: SettingsRec;
  merchant!: MerchantRec;
  counters = { ordernumber: 10000, invoicenumber: 2025000 };

  readonly packages = new Table<PackageRec>('packages');
  readonly brands = new Table<BrandRec>('brands');
  readonly paymethods = new Table<PaymethodRec>('paymethods');
  readonly categories = new Table<CategoryRec>('categories').index('parent', (r) => r.parent_id);
  readonly productToCategories = new Table<ProductToCategoryRec>('producttocategories')
    .index('product', (r) => r.product_id)
    .index('category', (r) => r.category_id);
  readonly attributes = new Table<AttributeRec>('attributes');
  readonly attributeValues = new Table<AttributeValueRec>('attributevalues').index('attribute', (r) => r.attribute_id);
  readonly products = new Table<ProductRec>('products').index('brand', (r) => r.brand_id);
  readonly productAttributeValues = new Table<ProductAttributeValueRec>('productattributevalues')
    .index('product', (r) => r.product_id)
    .index('value', (r) => r.value_id);
  readonly combinations = new Table<CombinationRec>('attributecombinations').index('product', (r) => r.product_id);
  readonly propertyGroups = new Table<PropertyGroupRec>('productpropertygroups');
  readonly properties = new Table<PropertyRec>('productproperties').index('group', (r) => r.group_id);
  readonly propertyOptions = new Table<PropertyOptionRec>('productpropertyoptions').index('property', (r) => r.property_id);
  readonly productToPropertyGroups = new Table<ProductToPropertyGroupRec>('producttopropertygroups').index('product', (r) => r.product_id);
  readonly productPropertyValues = new Table<ProductPropertyValueRec>('productpropertyvalues').index('product', (r) => r.product_id);
  readonly users = new Table<UserRec>('users');
  readonly orders = new Table<OrderRec>('orders');
  readonly orderRows = new Table<OrderRowRec>('orderrows').index('order', (r) => r.order_id);
  readonly webhooks = new Table<WebhookRec>('webhooks');
  /** Next id for order row attribute lines (not a table of its own). */
  nextRowAttributeId = 1;

  private tables(): { name: string; nextId: number; clear(firstId: number): void; compactIndexes(): void }[] {
    return [
      this.packages, this.brands, this.paymethods, this.categories, this.productToCategories, this.attributes,
      this.attributeValues, this.products, this.productAttributeValues, this.combinations, this.propertyGroups,
      this.properties, this.propertyOptions, this.productToPropertyGroups, this.productPropertyValues, this.users,
      this.orders, this.orderRows, this.webhooks,
    ];
  }

  /** Replaces everything with a data set (records are taken over, not copied). */
  load(d: CcvDataset, nextIds: Record<string, number> = {}): void {
    compactRecords(d);
    for (const t of this.tables()) t.clear(1);
    this.webshop = d.webshop;
    this.settings = d.settings;
    this.merchant = d.merchant;
    this.counters = { ...d.counters };
    const ld = <T extends { id: number }>(t: Table<T>, rows: readonly T[]): void => t.load(rows, nextIds[t.name]);
    ld(this.packages, d.packages);
    ld(this.brands, d.brands);
    ld(this.paymethods, d.paymethods);
    ld(this.categories, d.categories);
    ld(this.productToCategories, d.productToCategories);
    ld(this.attributes, d.attributes);
    ld(this.attributeValues, d.attributeValues);
    ld(this.products, d.products);
    ld(this.productAttributeValues, d.productAttributeValues);
    ld(this.combinations, d.combinations);
    ld(this.propertyGroups, d.propertyGroups);
    ld(this.properties, d.properties);
    ld(this.propertyOptions, d.propertyOptions);
    ld(this.productToPropertyGroups, d.productToPropertyGroups);
    ld(this.productPropertyValues, d.productPropertyValues);
    ld(this.users, d.users);
    ld(this.orders, d.orders);
    ld(this.orderRows, d.orderRows);
    ld(this.webhooks, d.webhooks);
    for (const t of this.tables()) t.compactIndexes();
    let maxAttr = 0;
    for (const r of d.orderRows) for (const a of r.attributes) if (a.id > maxAttr) maxAttr = a.id;
    this.nextRowAttributeId = Math.max(nextIds['orderrowattributevalues'] ?? 1, maxAttr + 1);
  }

  /** Plain data (shares the records; serialise it, don't mutate it). */
  dataset(): CcvDataset {
    return {
      webshop: this.webshop, settings: this.settings, merchant: this.merchant,
      packages: this.packages.all(), brands: this.brands.all(), paymethods: this.paymethods.all(),
      categories: this.categories.all(), productToCategories: this.productToCategories.all(),
      attributes: this.attributes.all(), attributeValues: this.attributeValues.all(), products: this.products.all(),
      productAttributeValues: this.productAttributeValues.all(), combinations: this.combinations.all(),
      propertyGroups: this.propertyGroups.all(), properties: this.properties.all(), propertyOptions: this.propertyOptions.all(),
      productToPropertyGroups: this.productToPropertyGroups.all(), productPropertyValues: this.productPropertyValues.all(),
      users: this.users.all(), orders: this.orders.all(), orderRows: this.orderRows.all(), webhooks: this.webhooks.all(),
      counters: { ...this.counters },
    };
  }

  nextIds(): Record<string, number> {
    const out: Record<string, number> = { orderrowattributevalues: this.nextRowAttributeId };
    for (const t of this.tables()) out[t.name] = t.nextId;
    return out;
  }

  taxRate(p: ProductRec): number {
    return this.settings.tax_rates[p.taxtariff];
  }

  /**
   * Recomputes a product's combinations from its option-menu values (see variants.ts for the identity rule).
   * `stockForNew` is the stock new combinations get (the `stock` of a productattributevalues POST).
   */
  regenerateCombinations(productId: number, stockForNew: number, maxCombinations: number): RegenerationResult {
    const pavs = this.productAttributeValues.by('product', productId);
    const groups = optionGroups(pavs, (a) => this.attributes.get(a)?.type);
    const n = combinationCount(groups);
    if (n > maxCombinations) {
      throw new ApiError(400, CODES.badRequest, `Product ${productId} would get ${n} attribute combinations; at most ${maxCombinations} are allowed`);
    }
    const existing = this.combinations.by('product', productId);
    const plan = planRegeneration(existing, cartesian(groups));
    for (const c of plan.remove) this.combinations.delete(c.id);
    for (const k of plan.keep) k.combination.value_ids = k.value_ids;
    const created: number[] = [];
    for (const tuple of plan.create) {
      const id = this.combinations.allocateId();
      this.combinations.insert(newCombination(id, productId, tuple, stockForNew));
      created.push(id);
    }
    this.combinations.touch();
    const product = this.products.get(productId);
    if (product) {
      const want = this.combinations.by('product', productId).length > 0 ? 'attribute_combination' : 'product';
      if (product.stocktype !== want) {
        product.stocktype = want;
        this.products.touch();
      }
    }
    return { kept: plan.keep.length, created, removed: plan.remove.map((c) => c.id) };
  }

  /** Extra price of a combination: the sum of its values' prices on the product (may be negative). */
  combinationExtraPrice(c: CombinationRec, pavs = this.productAttributeValues.by('product', c.product_id)): number {
    let cents = 0;
    for (const vid of c.value_ids) {
      const pav = pavs.find((p) => p.value_id === vid);
      if (pav) cents += Math.round(pav.price * 100);
    }
    return cents / 100;
  }

  deleteProduct(id: number): ProductRec | undefined {
    const p = this.products.delete(id);
    if (!p) return undefined;
    for (const r of this.productAttributeValues.by('product', id)) this.productAttributeValues.delete(r.id);
    for (const r of this.combinations.by('product', id)) this.combinations.delete(r.id);
    for (const r of this.productToCategories.by('product', id)) this.productToCategories.delete(r.id);
    for (const r of this.productToPropertyGroups.by('product', id)) this.productToPropertyGroups.delete(r.id);
    for (const r of this.productPropertyValues.by('product', id)) this.productPropertyValues.delete(r.id);
    return p;
  }

  /** Deletes a category, its subtree and their product links; returns the deleted ids. */
  deleteCategory(id: number): number[] {
    const out: number[] = [];
    const walk = (cid: number): void => {
      for (const child of this.categories.by('parent', cid)) walk(child.id);
      for (const l of this.productToCategories.by('category', cid)) this.productToCategories.delete(l.id);
      if (this.categories.delete(cid)) out.push(cid);
    };
    walk(id);
    return out;
  }

  /** Removes product option values that use `valueId`; returns the affected product ids. */
  dropValueFromProducts(valueId: number): number[] {
    const products = new Set<number>();
    for (const pav of this.productAttributeValues.by('value', valueId)) {
      products.add(pav.product_id);
      this.productAttributeValues.delete(pav.id);
    }
    return [...products];
  }

  /** Products that use any value of an attribute. */
  productsUsingAttribute(attributeId: number): number[] {
    const products = new Set<number>();
    for (const v of this.attributeValues.by('attribute', attributeId)) {
      for (const pav of this.productAttributeValues.by('value', v.id)) products.add(pav.product_id);
    }
    return [...products];
  }

  /**
   * Takes an order's rows out of stock (sign -1) or puts them back (+1). Rows sold from a combination move that
   * combination's stock; other rows move the product stock when the product tracks stock. Returns the product ids
   * whose stock changed.
   */
  moveStockForOrder(orderId: number, sign: 1 | -1): number[] {
    const touched = new Set<number>();
    for (const row of this.orderRows.by('order', orderId)) {
      if (row.combination_id !== null) {
        const c = this.combinations.get(row.combination_id);
        if (c) {
          c.stock = round3(c.stock + sign * row.count);
          touched.add(c.product_id);
          continue;
        }
      }
      if (row.product_id === null) continue;
      const p = this.products.get(row.product_id);
      if (p && p.stockenabled && p.stocktype === 'product') {
        p.stock = round3(p.stock + sign * row.count);
        touched.add(p.id);
      }
    }
    if (touched.size > 0) {
      this.products.touch();
      this.combinations.touch();
    }
    return [...touched];
  }
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
