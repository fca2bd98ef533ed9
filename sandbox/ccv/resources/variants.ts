/**
 * Variants (reference §7.5 A): attributes, attribute values, a product's option values (productattributevalues),
 * the read-only grouped view (productattributesets) and the generated attribute combinations (PATCH only).
 * Every change to a product's option-menu values regenerates its combinations (state.regenerateCombinations).
 */
import { embedded, page, sortByQuery } from '../collections.js';
import type { Ctx, Result } from '../context.js';
import { href } from '../context.js';
import { ApiError, CODES } from '../errors.js';
import type { AttributeRec, AttributeValueRec, CombinationRec, ProductAttributeValueRec } from '../model.js';
import { ATTRIBUTE_TYPE_INT, ATTRIBUTE_TYPES, COMBINATION_TYPES, ORDERING_WITHOUT_STOCK, STOCK_DELIVERY_TYPES } from '../model.js';
import type { Route } from '../router.js';
import type { Spec } from '../validate.js';
import { body, LIST, LIST_SORTED, need, needRef } from './common.js';

export function renderAttribute(ctx: Ctx, a: AttributeRec): Record<string, unknown> {
  return {
    href: href(ctx, 'attributes', a.id), id: a.id, name: a.name, type: a.type, attribute_type: ATTRIBUTE_TYPE_INT[a.type],
    attribute_values: { href: href(ctx, 'attributes', a.id, 'attributevalues') }, parent: { href: href(ctx, 'attributes') },
  };
}

export function renderAttributeValue(ctx: Ctx, v: AttributeValueRec): Record<string, unknown> {
  return {
    href: href(ctx, 'attributevalues', v.id), id: v.id, name: v.name, default_price: v.default_price, attribute_id: v.attribute_id,
    parent: { href: href(ctx, 'attributes', v.attribute_id) },
  };
}

export function renderPav(ctx: Ctx, p: ProductAttributeValueRec): Record<string, unknown> {
  const s = ctx.state;
  return {
    href: href(ctx, 'productattributevalues', p.id), id: p.id, optionid: p.attribute_id,
    optionname: s.attributes.get(p.attribute_id)?.name ?? '', optionposition: p.optionposition, optionvalue_id: p.value_id,
    optionvalue_name: s.attributeValues.get(p.value_id)?.name ?? '', position: p.position, price: p.price, enable: true,
  };
}

/** `pavs`: the product's option values when the caller already has them (rendering many combinations). */
export function renderCombination(ctx: Ctx, c: CombinationRec, expand: Set<string>, pavs = ctx.state.productAttributeValues.by('product', c.product_id)): Record<string, unknown> {
  const s = ctx.state;
  const photos = href(ctx, 'attributecombinations', c.id, 'attributecombinationphotos');
  return {
    href: href(ctx, 'attributecombinations', c.id),
    id: c.id,
    note: c.note,
    product_id: c.product_id,
    stock: c.stock,
    netto_extra_price: s.combinationExtraPrice(c, pavs),
    ordering_without_stock: c.ordering_without_stock,
    product_number: c.product_number,
    ean_number: c.ean_number,
    sku_number: c.sku_number,
    delivery_time: c.delivery_time,
    delivery_time_type: c.delivery_time_type,
    delivery_default_text: c.delivery_default_text,
    active: c.active,
    combination: c.value_ids.map((vid) => {
      const v = s.attributeValues.get(vid);
      const a = v ? s.attributes.get(v.attribute_id) : undefined;
      return {
        attribute: { id: a?.id ?? null, name: a?.name ?? '', href: a ? href(ctx, 'attributes', a.id) : null },
        attribute_value: { id: vid, name: v?.name ?? '', href: href(ctx, 'attributevalues', vid) },
        extra_price: pavs.find((p) => p.value_id === vid)?.price ?? 0,
      };
    }),
    attributecombinationphotos: expand.has('attributecombinationphotos') ? embedded(photos, []) : { href: photos },
    attributes: { href: href(ctx, 'attributecombinations', c.id, 'attributes') },
    attributevalues: { href: href(ctx, 'attributecombinations', c.id, 'attributevalues') },
    parent: { href: href(ctx, 'products', c.product_id) },
  };
}

/** Grouped view: one item per attribute on the product, with its values. */
export interface AttributeSet {
  id: number;
  attributename: string;
  attributeposition: number;
  type: string;
  items: { href: string; id: number; optionsname: string; price: number; position: number; enable: boolean }[];
}

export function renderAttributeSet(ctx: Ctx, productId: number): AttributeSet[] {
  const s = ctx.state;
  const groups = new Map<number, ProductAttributeValueRec[]>();
  for (const p of s.productAttributeValues.by('product', productId)) {
    const g = groups.get(p.attribute_id) ?? [];
    g.push(p);
    groups.set(p.attribute_id, g);
  }
  const sets = [...groups.entries()].map(([aid, pavs]): AttributeSet => {
    const a = s.attributes.get(aid);
    pavs.sort((x, y) => x.position - y.position || x.id - y.id);
    return {
      id: aid,
      attributename: a?.name ?? '',
      attributeposition: Math.min(...pavs.map((p) => p.optionposition)),
      type: a?.type ?? 'option_menu',
      items: pavs.map((p) => ({
        href: href(ctx, 'productattributevalues', p.id), id: p.id, optionsname: s.attributeValues.get(p.value_id)?.name ?? '',
        price: p.price, position: p.position, enable: true,
      })),
    };
  });
  sets.sort((x, y) => x.attributeposition - y.attributeposition || x.id - y.id);
  return sets;
}

const ATTRIBUTE_SPEC: Spec = { name: { type: 'string', maxLength: 255 }, type: { type: { enum: ATTRIBUTE_TYPES } } };
const VALUE_SPEC: Spec = { name: { type: 'string', maxLength: 255 }, default_price: { type: 'number' } };
const PAV_POST: Spec = {
  optionvalue: { type: 'int', required: true }, price: { type: 'number', required: true },
  position: { type: 'int', min: 1 }, stock: { type: 'number' },
};
const PAV_PATCH: Spec = { optionposition: { type: 'int', min: 1 }, position: { type: 'int', min: 1 }, price: { type: 'number' } };
export const COMBINATION_PATCH: Spec = {
  note: { type: 'string' }, stock: { type: 'number' }, product_number: { type: 'string', maxLength: 100 },
  ean_number: { type: 'string', maxLength: 20 }, sku_number: { type: 'string', maxLength: 100 },
  delivery_time: { type: 'int', nullable: true, min: 0 }, delivery_time_type: { type: { enum: STOCK_DELIVERY_TYPES }, nullable: true },
  delivery_default_text: { type: 'bool' }, active: { type: 'bool' }, ordering_without_stock: { type: { enum: ORDERING_WITHOUT_STOCK } },
};

function regenerate(ctx: Ctx, productIds: Iterable<number>, stockForNew = 0): void {
  for (const pid of productIds) {
    ctx.state.regenerateCombinations(pid, stockForNew, ctx.b.maxCombinationsPerProduct);
    ctx.effects.productChanged(pid, 'variant');
  }
}

function createPav(ctx: Ctx): Result {
  const s = ctx.state;
  const productId = ctx.params[0] as number;
  need(s.products, productId, 'product');
  const b = body(ctx, PAV_POST);
  const value = needRef(s.attributeValues, b['optionvalue'], 'optionvalue', 'attribute value');
  const existing = s.productAttributeValues.by('product', productId);
  if (existing.some((p) => p.value_id === value.id)) {
    throw new ApiError(500, CODES.propertyExists, `Attribute value ${value.id} is already linked to product ${productId}`);
  }
  const sameAttr = existing.filter((p) => p.attribute_id === value.attribute_id);
  const optionposition = sameAttr.length > 0
    ? Math.min(...sameAttr.map((p) => p.optionposition))
    : existing.reduce((m, p) => Math.max(m, p.optionposition), 0) + 1;
  const pav: ProductAttributeValueRec = {
    id: s.productAttributeValues.allocateId(), product_id: productId, attribute_id: value.attribute_id, value_id: value.id,
    price: b['price'] as number, optionposition,
    position: (b['position'] as number | undefined) ?? sameAttr.reduce((m, p) => Math.max(m, p.position), 0) + 1,
  };
  s.productAttributeValues.insert(pav);
  try {
    regenerate(ctx, [productId], (b['stock'] as number | undefined) ?? 0);
  } catch (e) {
    s.productAttributeValues.delete(pav.id);
    throw e;
  }
  return { status: 201, body: renderPav(ctx, pav) };
}

function patchPav(ctx: Ctx): Result {
  const s = ctx.state;
  const pav = need(s.productAttributeValues, ctx.params[0] as number, 'productattributevalue');
  const b = body(ctx, PAV_PATCH);
  if (b['optionposition'] !== undefined) {
    for (const p of s.productAttributeValues.by('product', pav.product_id)) {
      if (p.attribute_id === pav.attribute_id) p.optionposition = b['optionposition'] as number;
    }
  }
  if (b['position'] !== undefined) pav.position = b['position'] as number;
  if (b['price'] !== undefined) pav.price = b['price'] as number;
  s.productAttributeValues.touch();
  regenerate(ctx, [pav.product_id]);
  return { status: 204 };
}

function patchCombination(ctx: Ctx): Result {
  const s = ctx.state;
  const c = need(s.combinations, ctx.params[0] as number, 'attributecombination');
  const b = body(ctx, COMBINATION_PATCH);
  Object.assign(c, b);
  s.combinations.touch();
  const keys = Object.keys(b);
  if (keys.length > 0) ctx.effects.productChanged(c.product_id, keys.every((k) => k === 'stock') ? 'stock' : 'variant');
  return { status: 204 };
}

export const variantRoutes: Route[] = [
  {
    path: 'attributes',
    methods: {
      GET: { params: LIST, run: (ctx) => page(ctx, ctx.state.attributes.all(), (a) => renderAttribute(ctx, a)) },
      POST: {
        run: (ctx) => {
          const b = body(ctx, { name: { ...ATTRIBUTE_SPEC['name']!, required: true }, type: { ...ATTRIBUTE_SPEC['type']!, required: true } });
          const a = ctx.state.attributes.insert({ id: ctx.state.attributes.allocateId(), name: b['name'] as string, type: b['type'] as AttributeRec['type'] });
          return { status: 201, body: renderAttribute(ctx, a) };
        },
      },
    },
  },
  {
    path: 'attributes/:id',
    methods: {
      GET: { run: (ctx) => ({ status: 200, body: renderAttribute(ctx, need(ctx.state.attributes, ctx.params[0] as number, 'attribute')) }) },
      PATCH: {
        run: (ctx) => {
          const a = need(ctx.state.attributes, ctx.params[0] as number, 'attribute');
          const b = body(ctx, ATTRIBUTE_SPEC);
          const wasCombo = COMBINATION_TYPES.has(a.type);
          Object.assign(a, b);
          ctx.state.attributes.touch();
          if (wasCombo !== COMBINATION_TYPES.has(a.type)) regenerate(ctx, ctx.state.productsUsingAttribute(a.id));
          return { status: 204 };
        },
      },
      DELETE: {
        run: (ctx) => {
          const s = ctx.state;
          const a = need(s.attributes, ctx.params[0] as number, 'attribute');
          const products = new Set<number>();
          for (const v of s.attributeValues.by('attribute', a.id)) {
            for (const pid of s.dropValueFromProducts(v.id)) products.add(pid);
            s.attributeValues.delete(v.id);
          }
          s.attributes.delete(a.id);
          regenerate(ctx, products);
          return { status: 204 };
        },
      },
    },
  },
  {
    path: 'attributes/:id/attributevalues',
    methods: {
      GET: {
        params: LIST,
        run: (ctx) => {
          const a = need(ctx.state.attributes, ctx.params[0] as number, 'attribute');
          return page(ctx, ctx.state.attributeValues.by('attribute', a.id), (v) => renderAttributeValue(ctx, v));
        },
      },
      POST: {
        run: (ctx) => {
          const s = ctx.state;
          const a = need(s.attributes, ctx.params[0] as number, 'attribute');
          const b = body(ctx, { name: { ...VALUE_SPEC['name']!, required: true }, default_price: { ...VALUE_SPEC['default_price']!, required: true } });
          const v = s.attributeValues.insert({ id: s.attributeValues.allocateId(), attribute_id: a.id, name: b['name'] as string, default_price: b['default_price'] as number });
          return { status: 201, body: renderAttributeValue(ctx, v) };
        },
      },
    },
  },
  {
    path: 'attributevalues/:id',
    methods: {
      GET: { run: (ctx) => ({ status: 200, body: renderAttributeValue(ctx, need(ctx.state.attributeValues, ctx.params[0] as number, 'attributevalue')) }) },
      PATCH: {
        run: (ctx) => {
          const v = need(ctx.state.attributeValues, ctx.params[0] as number, 'attributevalue');
          Object.assign(v, body(ctx, VALUE_SPEC));
          ctx.state.attributeValues.touch();
          return { status: 204 };
        },
      },
      DELETE: {
        run: (ctx) => {
          const s = ctx.state;
          const v = need(s.attributeValues, ctx.params[0] as number, 'attributevalue');
          const products = s.dropValueFromProducts(v.id);
          s.attributeValues.delete(v.id);
          regenerate(ctx, products);
          return { status: 204 };
        },
      },
    },
  },
  {
    path: 'products/:id/productattributevalues',
    methods: {
      GET: {
        params: LIST_SORTED,
        run: (ctx) => {
          need(ctx.state.products, ctx.params[0] as number, 'product');
          const items = sortByQuery(ctx, ctx.state.productAttributeValues.by('product', ctx.params[0] as number), {
            optionposition: (p) => p.optionposition * 1e6 + p.position,
            position: (p) => p.position,
          });
          return page(ctx, items, (p) => renderPav(ctx, p));
        },
      },
      POST: { run: createPav },
    },
  },
  {
    path: 'productattributevalues/:id',
    methods: {
      GET: { run: (ctx) => ({ status: 200, body: renderPav(ctx, need(ctx.state.productAttributeValues, ctx.params[0] as number, 'productattributevalue')) }) },
      PATCH: { run: patchPav },
      DELETE: {
        run: (ctx) => {
          const s = ctx.state;
          const pav = need(s.productAttributeValues, ctx.params[0] as number, 'productattributevalue');
          s.productAttributeValues.delete(pav.id);
          regenerate(ctx, [pav.product_id]);
          return { status: 204 };
        },
      },
    },
  },
  {
    path: 'products/:id/productattributesets',
    methods: {
      GET: {
        params: LIST_SORTED,
        run: (ctx) => {
          need(ctx.state.products, ctx.params[0] as number, 'product');
          const sets = renderAttributeSet(ctx, ctx.params[0] as number);
          const sorted = sortByQuery(ctx, sets, { attributeposition: (x) => x.attributeposition, position: (x) => x.attributeposition });
          return page(ctx, sorted, (x) => x);
        },
      },
    },
  },
  {
    path: 'products/:id/attributecombinations',
    methods: {
      GET: {
        params: [...LIST, 'expand'],
        run: (ctx) => {
          need(ctx.state.products, ctx.params[0] as number, 'product');
          const expand = ctx.query.expand(['attributecombinationphotos']);
          const pavs = ctx.state.productAttributeValues.by('product', ctx.params[0] as number);
          return page(ctx, ctx.state.combinations.by('product', ctx.params[0] as number), (c) => renderCombination(ctx, c, expand, pavs));
        },
      },
    },
  },
  {
    path: 'attributecombinations/:id',
    methods: {
      GET: {
        params: ['expand'],
        run: (ctx) => {
          const c = need(ctx.state.combinations, ctx.params[0] as number, 'attributecombination');
          return { status: 200, body: renderCombination(ctx, c, ctx.query.expand(['attributecombinationphotos'])) };
        },
      },
      PATCH: { run: patchCombination },
    },
  },
  {
    path: 'attributecombinations/:id/attributes',
    methods: {
      GET: {
        params: LIST,
        run: (ctx) => {
          const s = ctx.state;
          const c = need(s.combinations, ctx.params[0] as number, 'attributecombination');
          const attrs = c.value_ids.map((v) => s.attributeValues.get(v)?.attribute_id).map((a) => (a === undefined ? undefined : s.attributes.get(a))).filter((a): a is AttributeRec => !!a);
          return page(ctx, attrs, (a) => renderAttribute(ctx, a));
        },
      },
    },
  },
  {
    path: 'attributecombinations/:id/attributevalues',
    methods: {
      GET: {
        params: LIST,
        run: (ctx) => {
          const s = ctx.state;
          const c = need(s.combinations, ctx.params[0] as number, 'attributecombination');
          return page(ctx, c.value_ids.map((v) => s.attributeValues.get(v)).filter((v): v is AttributeValueRec => !!v), (v) => renderAttributeValue(ctx, v));
        },
      },
    },
  },
  {
    path: 'attributecombinations/:id/attributecombinationphotos',
    methods: { GET: { params: LIST, run: (ctx) => { need(ctx.state.combinations, ctx.params[0] as number, 'attributecombination'); return page(ctx, [], (x) => x); } } },
  },
];
