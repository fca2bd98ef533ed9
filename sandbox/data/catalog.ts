/**
 * Catalog part of the demo data: category tree, attributes, property groups, products with their option values,
 * attribute combinations (variants), category links and extra fields.
 */
import type {
  AttributeRec, AttributeValueRec, CategoryRec, CombinationRec, ProductAttributeValueRec, ProductPropertyValueRec,
  ProductRec, ProductToCategoryRec, ProductToPropertyGroupRec, PropertyGroupRec, PropertyOptionRec, PropertyRec,
  TaxTariff,
} from '../ccv/model.js';
import { cartesian, newCombination, optionGroups } from '../ccv/variants.js';
import { breakCheckDigit, ean13 } from './ean.js';
import type { CatalogLeaf } from './dutch.js';
import {
  ADJECTIVES, BRANDS, CARE_TEXT, CATALOG, COUNTRIES_OF_ORIGIN, MATERIAL_TEXT, OPTION_VALUES, PRODUCT_TYPES, valueCode,
} from './dutch.js';
import type { Prng } from './prng.js';

export const ID_BASE = {
  category: 10, attribute: 20, attributeValue: 100, propertyGroup: 1, property: 10, propertyOption: 100,
  product: 1000, combination: 2_000_000, pav: 3_000_000, p2c: 4_000_000, ptpg: 5_000_000, ppv: 6_000_000,
} as const;

export interface Catalog {
  categories: CategoryRec[];
  attributes: AttributeRec[];
  attributeValues: AttributeValueRec[];
  propertyGroups: PropertyGroupRec[];
  properties: PropertyRec[];
  propertyOptions: PropertyOptionRec[];
  products: ProductRec[];
  productAttributeValues: ProductAttributeValueRec[];
  combinations: CombinationRec[];
  productToCategories: ProductToCategoryRec[];
  productToPropertyGroups: ProductToPropertyGroupRec[];
  productPropertyValues: ProductPropertyValueRec[];
}

export interface CatalogOptions {
  products: number;
  dirty: boolean;
  /** Epoch seconds all dates derive from. */
  base: number;
  /** VAT per tariff, to derive purchase prices ex VAT. */
  taxRates: Record<TaxTariff, number>;
}

const YEAR = 365 * 86400;

interface Leaf extends CatalogLeaf { categoryId: number; root: string }

function endPrice(rng: Prng, min: number, max: number): number {
  const whole = rng.int(min, max);
  const cents = rng.weighted([[95, 5], [99, 3], [50, 1], [0, 1]] as const);
  return Math.max(0.5, whole - (cents === 0 ? 0 : 1) + cents / 100);
}

export function generateCatalog(rng: Prng, opts: CatalogOptions): Catalog {
  const c: Catalog = {
    categories: [], attributes: [], attributeValues: [], propertyGroups: [], properties: [], propertyOptions: [],
    products: [], productAttributeValues: [], combinations: [], productToCategories: [], productToPropertyGroups: [],
    productPropertyValues: [],
  };
  if (opts.products <= 0) return c;

  // Category tree: roots, leaves, a few third-level nodes, and two cross-cutting roots.
  let catId = ID_BASE.category;
  const leaves: Leaf[] = [];
  let rootPos = 0;
  const thirdLevel: Record<string, string[]> = { Heren: ['Jassen', 'Truien'], Keuken: ['Servies'], Dames: ['Jurken'] };
  for (const root of CATALOG) {
    const rootId = ++catId;
    c.categories.push({ id: rootId, name: root.name, description: `<p>Alles voor ${root.name.toLowerCase()}.</p>`, parent_id: null, position: ++rootPos, show_on_website: true });
    let pos = 0;
    for (const leaf of root.children) {
      const leafId = ++catId;
      c.categories.push({ id: leafId, name: leaf.name, description: '', parent_id: rootId, position: ++pos, show_on_website: true });
      leaves.push({ ...leaf, categoryId: leafId, root: root.name });
      let sub = 0;
      for (const name of thirdLevel[leaf.name] ?? []) {
        const subId = ++catId;
        c.categories.push({ id: subId, name, description: '', parent_id: leafId, position: ++sub, show_on_website: true });
        leaves.push({ ...leaf, name, categoryId: subId, root: root.name });
      }
    }
  }
  const saleId = ++catId;
  c.categories.push({ id: saleId, name: 'Sale', description: '<p>Op = op.</p>', parent_id: null, position: ++rootPos, show_on_website: true });
  const newId = catId + 1;
  c.categories.push({ id: newId, name: 'Nieuw binnen', description: '', parent_id: null, position: rootPos + 1, show_on_website: false });

  // Attributes: the option menus, plus an additional menu and a text field that never generate combinations.
  let attrId = ID_BASE.attribute;
  let valId = ID_BASE.attributeValue;
  const optionAttr = new Map<string, { attribute: AttributeRec; values: AttributeValueRec[] }>();
  for (const [key, def] of Object.entries(OPTION_VALUES)) {
    const attribute: AttributeRec = { id: ++attrId, name: def.name, type: def.type };
    c.attributes.push(attribute);
    const values = def.values.map(([name, price]) => ({ id: ++valId, attribute_id: attribute.id, name, default_price: price }));
    c.attributeValues.push(...values);
    optionAttr.set(key, { attribute, values });
  }
  const giftAttr: AttributeRec = { id: ++attrId, name: 'Cadeauverpakking', type: 'additional_menu' };
  c.attributes.push(giftAttr);
  const giftValues = [
    { id: ++valId, attribute_id: giftAttr.id, name: 'Nee', default_price: 0 },
    { id: ++valId, attribute_id: giftAttr.id, name: 'Ja', default_price: 2.5 },
  ];
  c.attributeValues.push(...giftValues);
  c.attributes.push({ id: attrId + 1, name: 'Gravure', type: 'text' });
  const typeOf = new Map(c.attributes.map((a) => [a.id, a.type]));
  const valueName = new Map(c.attributeValues.map((v) => [v.id, v.name] as const));

  // Property groups: "extra product fields" such as country of origin, product type, material.
  c.propertyGroups.push({ id: ID_BASE.propertyGroup + 1, name: 'Productkenmerken' });
  const groupId = ID_BASE.propertyGroup + 1;
  let propId = ID_BASE.property;
  const pCountry: PropertyRec = { id: ++propId, group_id: groupId, name: 'Land van herkomst', description: '', position: 1, type: 'text' };
  const pType: PropertyRec = { id: ++propId, group_id: groupId, name: 'Type', description: 'Staat van het product', position: 2, type: 'option' };
  const pMaterial: PropertyRec = { id: ++propId, group_id: groupId, name: 'Materiaal', description: '', position: 3, type: 'text' };
  const pCare: PropertyRec = { id: ++propId, group_id: groupId, name: 'Onderhoud', description: '', position: 4, type: 'textarea' };
  const pEco: PropertyRec = { id: ++propId, group_id: groupId, name: 'Duurzaam geproduceerd', description: '', position: 5, type: 'checkbox' };
  const pDelivery: PropertyRec = { id: propId + 1, group_id: groupId, name: 'Levertijd', description: 'Tekst op de productpagina', position: 6, type: 'text' };
  c.properties.push(pCountry, pType, pMaterial, pCare, pEco, pDelivery);
  let optId = ID_BASE.propertyOption;
  const typeOptions = PRODUCT_TYPES.map((name, i) => ({ id: ++optId, property_id: pType.id, name, position: i + 1 }));
  c.propertyOptions.push(...typeOptions);

  let pavId = ID_BASE.pav;
  let comboId = ID_BASE.combination;
  let p2cId = ID_BASE.p2c;
  let ptpgId = ID_BASE.ptpg;
  let ppvId = ID_BASE.ppv;
  const categoryFill = new Map<number, number>();
  const link = (productId: number, categoryId: number): void => {
    const pos = (categoryFill.get(categoryId) ?? 0) + 1;
    categoryFill.set(categoryId, pos);
    c.productToCategories.push({ id: ++p2cId, product_id: productId, category_id: categoryId, position: pos });
  };
  let eanSeq = 0;
  const nextEan = (): string => ean13(String(871900000000 + ++eanSeq));
  const allSkus: string[] = [];
  const allEans: string[] = [];

  for (let i = 1; i <= opts.products; i++) {
    const id = ID_BASE.product + i;
    const leaf = rng.pick(leaves);
    const noun = rng.pick(leaf.nouns);
    const adj = rng.pick(ADJECTIVES);
    const brandIdx = rng.int(0, BRANDS.length - 1);
    const tariff: TaxTariff = leaf.tariff;
    const price = endPrice(rng, leaf.price[0], leaf.price[1]);
    const hasDiscount = rng.chance(0.14);
    const discount = hasDiscount ? Math.round(price * rng.pick([0.1, 0.15, 0.2, 0.25, 0.3]) * 20) / 20 : 0;
    const vat = opts.taxRates[tariff];
    const purchaseprice = Math.round(((price / (1 + vat / 100)) * (0.35 + rng.next() * 0.2)) * 100) / 100;
    const weight = Math.round((leaf.weight[0] + rng.next() * (leaf.weight[1] - leaf.weight[0])) * 1000) / 1000;
    const createdate = opts.base - rng.int(86400, 4 * YEAR);
    const modifydate = rng.chance(0.3) ? createdate : createdate + rng.int(0, opts.base - createdate);
    const productnumber = [leaf.root.slice(0, 2).toUpperCase(), String(i).padStart(6, '0')].join('-');

    // Big strings are built with join(): one flat string each instead of a rope (matters at 100k products).
    // Variant shape: 0, 1, 2 or 3+ option menus, bounded by what the category offers.
    const maxOpts = leaf.options.length;
    const nOpts = maxOpts === 0 ? 0 : Math.min(maxOpts, rng.weighted([[0, 45], [1, 20], [2, 25], [3, 7], [4, 3]] as const));
    const chosen = nOpts === 0 ? [] : leaf.options.slice(0, 1).concat(rng.sample(leaf.options.slice(1), nOpts - 1));
    const product: ProductRec = {
      id, createdate, modifydate,
      is_active: rng.chance(0.94),
      productnumber,
      eannumber: nOpts === 0 || rng.chance(0.3) ? nextEan() : '',
      mpnnumber: rng.chance(0.3) ? `MPN${rng.digits(7)}` : '',
      name: [BRANDS[brandIdx], adj, noun].join(' '),
      shortdescription: [adj, noun.toLowerCase()].join(' '),
      description: ['<p>', adj, ' ', noun.toLowerCase(), ' van ', BRANDS[brandIdx], '.</p><p>', rng.pick(CARE_TEXT), '.</p>'].join(''),
      taxtariff: tariff,
      price, discount, purchaseprice,
      unit: leaf.unit,
      stockenabled: rng.chance(0.95),
      stocktype: nOpts > 0 ? 'attribute_combination' : 'product',
      stock: 0,
      stocklocation: rng.chance(0.4) ? `${String.fromCharCode(65 + rng.int(0, 7))}${rng.int(1, 30)}-${rng.int(1, 6)}` : '',
      ordering_without_stock: rng.weighted([['global_setting', 8], ['allowed', 1], ['not_allowed', 1]] as const),
      weight,
      package_id: weight <= 2 ? (weight <= 0.5 ? 1 : 2) : 3,
      brand_id: brandIdx + 1,
      stock_delivery_number: null, stock_delivery_type: null, stock_delivery_standard: true,
      hs_code: null, coo: null,
    };
    if (rng.chance(0.4)) {
      product.stock_delivery_standard = false;
      product.stock_delivery_type = rng.weighted([['days', 6], ['weeks', 3], ['onrequest', 1]] as const);
      product.stock_delivery_number = product.stock_delivery_type === 'onrequest' ? null : rng.int(1, 5);
    }
    if ((leaf.root === 'Kleding' || leaf.root === 'Schoenen') && rng.chance(0.35)) {
      product.hs_code = leaf.root === 'Kleding' ? `6109${rng.digits(6)}` : `6403${rng.digits(6)}`;
      product.coo = rng.pick(COUNTRIES_OF_ORIGIN);
    }
    if (nOpts === 0) product.stock = stockLevel(rng);

    // Option values on the product, then the combinations.
    const pavs: ProductAttributeValueRec[] = [];
    chosen.forEach((key, optIdx) => {
      const opt = optionAttr.get(key);
      if (!opt) return;
      const want = nOpts >= 3 ? rng.int(2, 3) : key === 'kleur' ? rng.int(2, 4) : rng.int(2, 5);
      const picked = rng.sample(opt.values, want).sort((a, b) => a.id - b.id);
      picked.forEach((v, vIdx) => pavs.push({
        id: ++pavId, product_id: id, attribute_id: opt.attribute.id, value_id: v.id, price: v.default_price,
        optionposition: optIdx + 1, position: vIdx + 1,
      }));
    });
    if (nOpts > 0 && leaf.root === 'Kleding' && rng.chance(0.15)) {
      giftValues.forEach((v, vIdx) => pavs.push({
        id: ++pavId, product_id: id, attribute_id: giftAttr.id, value_id: v.id, price: v.default_price, optionposition: nOpts + 1, position: vIdx + 1,
      }));
    }
    c.productAttributeValues.push(...pavs);
    for (const tuple of cartesian(optionGroups(pavs, (a) => typeOf.get(a)))) {
      const combo = newCombination(++comboId, id, tuple, stockLevel(rng));
      combo.sku_number = [productnumber, ...tuple.map((v) => valueCode(valueName.get(v) ?? ''))].join('-'); // join: one flat string
      combo.ean_number = rng.chance(0.85) ? nextEan() : '';
      if (rng.chance(0.05)) combo.active = false;
      if (product.stock_delivery_number !== null && rng.chance(0.2)) {
        combo.delivery_time = product.stock_delivery_number + 1;
        combo.delivery_time_type = product.stock_delivery_type;
        combo.delivery_default_text = false;
      }
      c.combinations.push(combo);
      allSkus.push(combo.sku_number);
      if (combo.ean_number) allEans.push(combo.ean_number);
    }
    if (nOpts === 0) allSkus.push(productnumber);
    if (product.eannumber) allEans.push(product.eannumber);

    // Category links.
    link(id, leaf.categoryId);
    if (discount > 0) link(id, saleId);
    if (opts.base - createdate < 60 * 86400 || rng.chance(0.03)) link(id, newId);

    // Extra fields through the property group.
    if (rng.chance(0.3)) {
      c.productToPropertyGroups.push({ id: ++ptpgId, product_id: id, group_id: groupId });
      const ppv = (property: PropertyRec, value: string): void => {
        c.productPropertyValues.push({ id: ++ppvId, product_id: id, property_id: property.id, value });
      };
      ppv(pCountry, product.coo ?? rng.pick(COUNTRIES_OF_ORIGIN));
      ppv(pType, String(rng.weighted(typeOptions.map((o, k) => [o.id, k === 0 ? 10 : 1] as const))));
      if (rng.chance(0.7)) ppv(pMaterial, rng.pick(MATERIAL_TEXT));
      if (rng.chance(0.4)) ppv(pCare, `${rng.pick(CARE_TEXT)}.\n${rng.pick(CARE_TEXT)}.`);
      if (rng.chance(0.5)) ppv(pEco, rng.chance(0.5) ? '1' : '0');
      if (rng.chance(0.3)) ppv(pDelivery, rng.pick(['Voor 22:00 besteld, morgen in huis', '2-3 werkdagen', 'Op bestelling, 2 weken']));
    }
    c.products.push(product);
  }

  if (opts.dirty) makeDirty(rng.fork('dirty-catalog'), c, allSkus, allEans);
  return c;
}

function stockLevel(rng: Prng): number {
  return rng.weighted<() => number>([
    [() => 0, 8],
    [() => -rng.int(1, 3), 3],
    [() => rng.int(1, 5), 15],
    [() => rng.int(6, 50), 60],
    [() => rng.int(51, 500), 14],
  ])();
}

/**
 * Realistic bad records: empty names, duplicate and missing SKUs, invalid and duplicate EANs. The first products
 * always carry one of each kind so even a small dirty shop has them; the rest are sprinkled at random.
 */
function makeDirty(rng: Prng, c: Catalog, allSkus: string[], allEans: string[]): void {
  const combosByProduct = new Map<number, CombinationRec[]>();
  for (const combo of c.combinations) {
    let l = combosByProduct.get(combo.product_id);
    if (!l) combosByProduct.set(combo.product_id, (l = []));
    l.push(combo);
  }
  const kinds = ['empty-name', 'duplicate-sku', 'missing-sku', 'invalid-ean', 'duplicate-ean', 'whitespace-sku'] as const;
  c.products.forEach((p, idx) => {
    const forced = idx < kinds.length * 2 ? kinds[Math.floor(idx / 2)] : undefined;
    const kind = forced ?? (rng.chance(0.06) ? rng.pick(kinds) : undefined);
    if (!kind) return;
    const combos = combosByProduct.get(p.id) ?? [];
    const target = combos.length > 0 ? rng.pick(combos) : undefined;
    switch (kind) {
      case 'empty-name':
        p.name = rng.pick(['', ' ', '  ']);
        break;
      case 'duplicate-sku': {
        const own = target ? target.sku_number : p.productnumber;
        let other = own;
        for (let k = 0; k < 8 && other === own && allSkus.length > 1; k++) other = allSkus[rng.int(0, allSkus.length - 1)] ?? own;
        if (target) target.sku_number = other;
        else p.productnumber = other;
        break;
      }
      case 'missing-sku':
        if (target) target.sku_number = '';
        else p.productnumber = '';
        break;
      case 'whitespace-sku':
        if (target) target.sku_number = ` ${target.sku_number.toLowerCase()} `;
        else p.productnumber = `${p.productnumber} `;
        break;
      case 'invalid-ean':
        if (target && target.ean_number) target.ean_number = breakCheckDigit(target.ean_number);
        else p.eannumber = p.eannumber ? breakCheckDigit(p.eannumber) : '871234567890';
        break;
      case 'duplicate-ean': {
        const own = target ? target.ean_number : p.eannumber;
        let other = own;
        for (let k = 0; k < 8 && other === own && allEans.length > 1; k++) other = allEans[rng.int(0, allEans.length - 1)] ?? own;
        if (target) target.ean_number = other;
        else p.eannumber = other;
        break;
      }
    }
  });
}
