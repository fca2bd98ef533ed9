/**
 * Product property groups: the sandbox's model of "extra product fields" such as country of origin, product type,
 * material (see README). Groups hold properties (text, textarea, checkbox, option); a product is linked to a group
 * (producttopropertygroups) and carries one value per property (productpropertyvalues). Field names follow the
 * schema-generated client models of the CCV API.
 */
import { page } from '../collections.js';
import type { Ctx, Result } from '../context.js';
import { href } from '../context.js';
import { ApiError, badField, CODES } from '../errors.js';
import type { ProductPropertyValueRec, ProductToPropertyGroupRec, PropertyGroupRec, PropertyOptionRec, PropertyRec } from '../model.js';
import { PROPERTY_TYPES } from '../model.js';
import type { Route } from '../router.js';
import type { Spec } from '../validate.js';
import { body, LIST, need, needRef } from './common.js';

export function renderPropertyGroup(ctx: Ctx, g: PropertyGroupRec): Record<string, unknown> {
  return { href: href(ctx, 'productpropertygroups', g.id), id: g.id, name: g.name, productproperties: href(ctx, 'productpropertygroups', g.id, 'productproperties') };
}

export function renderProperty(ctx: Ctx, p: PropertyRec): Record<string, unknown> {
  return {
    href: href(ctx, 'productproperties', p.id), id: p.id, parent: null, name: p.name, description: p.description,
    position: p.position, icon: null, type: p.type, options: { href: href(ctx, 'productproperties', p.id, 'productpropertyoptions') }, children: null,
  };
}

export function renderPropertyOption(ctx: Ctx, o: PropertyOptionRec): Record<string, unknown> {
  return { href: href(ctx, 'productpropertyoptions', o.id), id: o.id, name: o.name, position: o.position };
}

export function renderPropertyValue(ctx: Ctx, v: ProductPropertyValueRec): Record<string, unknown> {
  return { href: href(ctx, 'productpropertyvalues', v.id), id: v.id, product_id: v.product_id, product_property_id: v.property_id, value: v.value };
}

export function renderProductToPropertyGroup(ctx: Ctx, l: ProductToPropertyGroupRec): Record<string, unknown> {
  const s = ctx.state;
  const values = s.productPropertyValues.by('product', l.product_id).filter((v) => s.properties.get(v.property_id)?.group_id === l.group_id);
  return {
    href: href(ctx, 'producttopropertygroups', l.id), id: l.id, product_id: l.product_id, product_property_group_id: l.group_id,
    product_href: href(ctx, 'products', l.product_id), product_property_group_href: href(ctx, 'productpropertygroups', l.group_id),
    values: { collection: values.map((v) => renderPropertyValue(ctx, v)) },
  };
}

const PROPERTY_SPEC: Spec = {
  name: { type: 'string', maxLength: 255 }, description: { type: 'string', nullable: true }, position: { type: 'int', nullable: true, min: 1 },
  icon: { type: 'string', nullable: true }, type: { type: { enum: PROPERTY_TYPES }, nullable: true }, parent: { type: 'int', nullable: true },
};

function checkValue(ctx: Ctx, prop: PropertyRec, value: string): void {
  if (prop.type === 'checkbox' && !['0', '1', 'true', 'false'].includes(value)) throw badField('value', `must be 0 or 1 for checkbox property ${prop.id}`);
  if (prop.type === 'option' && !ctx.state.propertyOptions.by('property', prop.id).some((o) => String(o.id) === value)) {
    throw badField('value', `must be the id of an option of property ${prop.id} ('${prop.name}')`);
  }
}

function createValue(ctx: Ctx): Result {
  const s = ctx.state;
  const b = body(ctx, { product_id: { type: 'int', required: true }, product_property_id: { type: 'int', required: true }, value: { type: 'string', required: true } });
  const p = needRef(s.products, b['product_id'], 'product_id', 'product');
  const prop = needRef(s.properties, b['product_property_id'], 'product_property_id', 'product property');
  if (!s.productToPropertyGroups.by('product', p.id).some((l) => l.group_id === prop.group_id)) {
    throw badField('product_property_id', `belongs to property group ${prop.group_id}, which product ${p.id} is not linked to (POST /producttopropertygroups first)`);
  }
  if (s.productPropertyValues.by('product', p.id).some((v) => v.property_id === prop.id)) {
    throw new ApiError(500, CODES.propertyExists, `Product ${p.id} already has a value for property ${prop.id}; PATCH /productpropertyvalues/{id} instead`);
  }
  checkValue(ctx, prop, b['value'] as string);
  const v = s.productPropertyValues.insert({ id: s.productPropertyValues.allocateId(), product_id: p.id, property_id: prop.id, value: b['value'] as string });
  return { status: 201, body: renderPropertyValue(ctx, v) };
}

export const propertyRoutes: Route[] = [
  {
    path: 'productpropertygroups',
    methods: {
      GET: { params: LIST, run: (ctx) => page(ctx, ctx.state.propertyGroups.all(), (g) => renderPropertyGroup(ctx, g)) },
      POST: {
        run: (ctx) => {
          const b = body(ctx, { name: { type: 'string', required: true, maxLength: 255 } });
          const g = ctx.state.propertyGroups.insert({ id: ctx.state.propertyGroups.allocateId(), name: b['name'] as string });
          return { status: 201, body: renderPropertyGroup(ctx, g) };
        },
      },
    },
  },
  {
    path: 'productpropertygroups/:id',
    methods: {
      GET: { run: (ctx) => ({ status: 200, body: renderPropertyGroup(ctx, need(ctx.state.propertyGroups, ctx.params[0] as number, 'productpropertygroup')) }) },
      PATCH: {
        run: (ctx) => {
          const g = need(ctx.state.propertyGroups, ctx.params[0] as number, 'productpropertygroup');
          Object.assign(g, body(ctx, { name: { type: 'string', maxLength: 255 } }));
          ctx.state.propertyGroups.touch();
          return { status: 204 };
        },
      },
      DELETE: {
        run: (ctx) => {
          const s = ctx.state;
          const g = need(s.propertyGroups, ctx.params[0] as number, 'productpropertygroup');
          for (const prop of s.properties.by('group', g.id)) {
            for (const v of s.productPropertyValues.all()) if (v.property_id === prop.id) s.productPropertyValues.delete(v.id);
            for (const o of s.propertyOptions.by('property', prop.id)) s.propertyOptions.delete(o.id);
            s.properties.delete(prop.id);
          }
          for (const l of s.productToPropertyGroups.all()) if (l.group_id === g.id) s.productToPropertyGroups.delete(l.id);
          s.propertyGroups.delete(g.id);
          return { status: 204 };
        },
      },
    },
  },
  {
    path: 'productpropertygroups/:id/productproperties',
    methods: {
      GET: {
        params: LIST,
        run: (ctx) => {
          need(ctx.state.propertyGroups, ctx.params[0] as number, 'productpropertygroup');
          return page(ctx, ctx.state.properties.by('group', ctx.params[0] as number), (p) => renderProperty(ctx, p));
        },
      },
      POST: {
        run: (ctx) => {
          const s = ctx.state;
          const g = need(s.propertyGroups, ctx.params[0] as number, 'productpropertygroup');
          const b = body(ctx, { ...PROPERTY_SPEC, name: { type: 'string', maxLength: 255, required: true } });
          const siblings = s.properties.by('group', g.id);
          const p = s.properties.insert({
            id: s.properties.allocateId(), group_id: g.id, name: b['name'] as string, description: (b['description'] as string | null) ?? '',
            position: (b['position'] as number | null) ?? siblings.length + 1, type: (b['type'] as PropertyRec['type'] | null) ?? 'text',
          });
          return { status: 201, body: renderProperty(ctx, p) };
        },
      },
    },
  },
  {
    path: 'productproperties/:id',
    methods: {
      GET: { run: (ctx) => ({ status: 200, body: renderProperty(ctx, need(ctx.state.properties, ctx.params[0] as number, 'productproperty')) }) },
      PATCH: {
        run: (ctx) => {
          const p = need(ctx.state.properties, ctx.params[0] as number, 'productproperty');
          const b = body(ctx, PROPERTY_SPEC);
          if (typeof b['name'] === 'string') p.name = b['name'];
          if (b['description'] !== undefined) p.description = (b['description'] as string | null) ?? '';
          if (typeof b['position'] === 'number') p.position = b['position'];
          if (typeof b['type'] === 'string') p.type = b['type'] as PropertyRec['type'];
          ctx.state.properties.touch();
          return { status: 204 };
        },
      },
      DELETE: {
        run: (ctx) => {
          const s = ctx.state;
          const p = need(s.properties, ctx.params[0] as number, 'productproperty');
          for (const v of s.productPropertyValues.all()) if (v.property_id === p.id) s.productPropertyValues.delete(v.id);
          for (const o of s.propertyOptions.by('property', p.id)) s.propertyOptions.delete(o.id);
          s.properties.delete(p.id);
          return { status: 204 };
        },
      },
    },
  },
  {
    path: 'productproperties/:id/productpropertyoptions',
    methods: {
      GET: {
        params: LIST,
        run: (ctx) => {
          need(ctx.state.properties, ctx.params[0] as number, 'productproperty');
          return page(ctx, ctx.state.propertyOptions.by('property', ctx.params[0] as number), (o) => renderPropertyOption(ctx, o));
        },
      },
      POST: {
        run: (ctx) => {
          const s = ctx.state;
          const p = need(s.properties, ctx.params[0] as number, 'productproperty');
          const b = body(ctx, { name: { type: 'string', required: true, maxLength: 255 }, position: { type: 'int', nullable: true, min: 1 } });
          const o = s.propertyOptions.insert({ id: s.propertyOptions.allocateId(), property_id: p.id, name: b['name'] as string, position: (b['position'] as number | null) ?? s.propertyOptions.by('property', p.id).length + 1 });
          return { status: 201, body: renderPropertyOption(ctx, o) };
        },
      },
    },
  },
  {
    path: 'productpropertyoptions/:id',
    methods: {
      GET: { run: (ctx) => ({ status: 200, body: renderPropertyOption(ctx, need(ctx.state.propertyOptions, ctx.params[0] as number, 'productpropertyoption')) }) },
      PATCH: {
        run: (ctx) => {
          const o = need(ctx.state.propertyOptions, ctx.params[0] as number, 'productpropertyoption');
          const b = body(ctx, { name: { type: 'string', maxLength: 255 }, position: { type: 'int', nullable: true, min: 1 } });
          if (typeof b['name'] === 'string') o.name = b['name'];
          if (typeof b['position'] === 'number') o.position = b['position'];
          ctx.state.propertyOptions.touch();
          return { status: 204 };
        },
      },
      DELETE: {
        run: (ctx) => {
          const o = need(ctx.state.propertyOptions, ctx.params[0] as number, 'productpropertyoption');
          ctx.state.propertyOptions.delete(o.id);
          return { status: 204 };
        },
      },
    },
  },
  {
    path: 'products/:id/producttopropertygroups',
    methods: {
      GET: {
        params: LIST,
        run: (ctx) => {
          need(ctx.state.products, ctx.params[0] as number, 'product');
          return page(ctx, ctx.state.productToPropertyGroups.by('product', ctx.params[0] as number), (l) => renderProductToPropertyGroup(ctx, l));
        },
      },
    },
  },
  {
    path: 'producttopropertygroups',
    methods: {
      POST: {
        run: (ctx) => {
          const s = ctx.state;
          const b = body(ctx, { product_id: { type: 'int', required: true }, product_property_group_id: { type: 'int', required: true } });
          const p = needRef(s.products, b['product_id'], 'product_id', 'product');
          const g = needRef(s.propertyGroups, b['product_property_group_id'], 'product_property_group_id', 'product property group');
          if (s.productToPropertyGroups.by('product', p.id).some((l) => l.group_id === g.id)) {
            throw new ApiError(500, CODES.propertyExists, `Product ${p.id} is already linked to property group ${g.id}`);
          }
          const l = s.productToPropertyGroups.insert({ id: s.productToPropertyGroups.allocateId(), product_id: p.id, group_id: g.id });
          return { status: 201, body: renderProductToPropertyGroup(ctx, l) };
        },
      },
    },
  },
  {
    path: 'producttopropertygroups/:id',
    methods: {
      GET: { run: (ctx) => ({ status: 200, body: renderProductToPropertyGroup(ctx, need(ctx.state.productToPropertyGroups, ctx.params[0] as number, 'producttopropertygroup')) }) },
      DELETE: {
        run: (ctx) => {
          const s = ctx.state;
          const l = need(s.productToPropertyGroups, ctx.params[0] as number, 'producttopropertygroup');
          for (const v of s.productPropertyValues.by('product', l.product_id)) {
            if (s.properties.get(v.property_id)?.group_id === l.group_id) s.productPropertyValues.delete(v.id);
          }
          s.productToPropertyGroups.delete(l.id);
          return { status: 204 };
        },
      },
    },
  },
  { path: 'productpropertyvalues', methods: { POST: { run: createValue } } },
  {
    path: 'productpropertyvalues/:id',
    methods: {
      GET: { run: (ctx) => ({ status: 200, body: renderPropertyValue(ctx, need(ctx.state.productPropertyValues, ctx.params[0] as number, 'productpropertyvalue')) }) },
      PATCH: {
        run: (ctx) => {
          const s = ctx.state;
          const v = need(s.productPropertyValues, ctx.params[0] as number, 'productpropertyvalue');
          const b = body(ctx, { value: { type: 'string', required: true } });
          const prop = s.properties.get(v.property_id);
          if (prop) checkValue(ctx, prop, b['value'] as string);
          v.value = b['value'] as string;
          s.productPropertyValues.touch();
          return { status: 204 };
        },
      },
      DELETE: {
        run: (ctx) => {
          const v = need(ctx.state.productPropertyValues, ctx.params[0] as number, 'productpropertyvalue');
          ctx.state.productPropertyValues.delete(v.id);
          return { status: 204 };
        },
      },
    },
  },
];
