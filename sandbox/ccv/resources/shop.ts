/** Root, webshops (+ settings, merchant), pay methods, packages, brands (reference §2, §7.9). */
import { page } from '../collections.js';
import type { Ctx } from '../context.js';
import { href, isoSec } from '../context.js';
import { notFound } from '../errors.js';
import { ORDER_STATUSES } from '../model.js';
import type { Route } from '../router.js';
import { body, LIST, need } from './common.js';

function renderWebshop(ctx: Ctx): Record<string, unknown> {
  const s = ctx.state;
  const w = s.webshop;
  const left = w.product_limit < 0 ? -1 : Math.max(0, w.product_limit - s.products.size);
  return {
    href: href(ctx, 'webshops', w.id), id: w.id, name: w.name, is_multishop_system: false, is_salespos: w.is_salespos,
    create_date: isoSec(w.create_date), product_limit: w.product_limit, product_limit_left: left,
    api_root: ctx.origin, webshops: { href: href(ctx, 'webshops', w.id, 'webshops') }, parent: { href: href(ctx, 'webshops') },
  };
}

function renderSettings(ctx: Ctx): Record<string, unknown> {
  const st = ctx.state.settings;
  return {
    href: href(ctx, 'webshops', ctx.state.webshop.id, 'settings'),
    webshop_enabled: st.webshop_enabled, currency: st.currency, default_vat_rat: st.default_vat_rat,
    prices_include_vat: st.prices_include_vat, languages: st.languages, backend_language: st.backend_language, stock: st.stock,
    ordering_without_stock: st.ordering_without_stock, stock_level_warnings: st.stock_level_warnings,
    multishop_readonly_properties: [], checkout_type: ['default'],
    takeoutsettings: { delivery_enabled: false, pickup_enabled: ctx.state.webshop.is_salespos },
    order_status: ORDER_STATUSES.map((x) => ({ id: x.id, status: x.id, status_name: x.name, text_color: x.text, background_color: x.bg })),
    invoice_status: [], quotation_status: [], return_status: [],
  };
}

function webshopId(ctx: Ctx): void {
  if (ctx.params[0] !== ctx.state.webshop.id) throw notFound('webshop', ctx.params[0] as number);
}

export const shopRoutes: Route[] = [
  {
    path: '',
    resource: 'root',
    methods: {
      GET: {
        run: (ctx) => ({
          status: 200,
          body: {
            items: ['products', 'categories', 'categorytree', 'attributes', 'orders', 'users', 'webhooks', 'webshops', 'paymethods', 'packages', 'brands', 'productpropertygroups', 'productqueries']
              .map((r) => ({ href: href(ctx, r), title: r, description: `The ${r} resource`, uri: `/api/rest/v1/${r}/` })),
          },
        }),
      },
    },
  },
  { path: 'webshops', methods: { GET: { params: LIST, run: (ctx) => page(ctx, [ctx.state.webshop], () => renderWebshop(ctx)) } } },
  { path: 'webshops/:id', methods: { GET: { run: (ctx) => { webshopId(ctx); return { status: 200, body: renderWebshop(ctx) }; } } } },
  { path: 'webshops/:id/webshops', methods: { GET: { params: LIST, run: (ctx) => { webshopId(ctx); return page(ctx, [], (x) => x); } } } },
  {
    path: 'webshops/:id/settings',
    methods: {
      GET: { run: (ctx) => { webshopId(ctx); return { status: 200, body: renderSettings(ctx) }; } },
      PUT: {
        run: (ctx) => {
          webshopId(ctx);
          // Only the shop-level stock switches are writable here; currency and VAT mode are fixed for a shop.
          const b = body(ctx, {
            webshop_enabled: { type: 'bool' }, stock: { type: 'bool' }, ordering_without_stock: { type: 'bool' },
            stock_level_warnings: { type: { object: { low_threshold: { type: 'int', min: 0, required: true }, high_threshold: { type: 'int', min: 0, required: true } } } },
          });
          Object.assign(ctx.state.settings, b);
          return { status: 204 };
        },
      },
    },
  },
  {
    path: 'webshops/:id/merchant',
    methods: {
      GET: {
        run: (ctx) => {
          webshopId(ctx);
          const m = ctx.state.merchant;
          return { status: 200, body: { href: href(ctx, 'webshops', ctx.state.webshop.id, 'merchant'), uuid: '7f3c2a10-0000-4000-8000-000000000001', ...m } };
        },
      },
    },
  },
  {
    path: 'paymethods',
    methods: {
      GET: {
        params: LIST,
        run: (ctx) => page(ctx, ctx.state.paymethods.all(), (p) => ({
          id: p.id, psp: p.psp, method: p.method, combined_name: p.combined_name, label: p.label,
          extra_costs: p.extra_costs_fixed > 0 || p.extra_costs_percentage > 0, extra_costs_fixed: p.extra_costs_fixed,
          extra_costs_percentage: p.extra_costs_percentage, apppsp: null, apppsppaymethod: null,
        })),
      },
    },
  },
  {
    path: 'packages',
    methods: { GET: { params: LIST, run: (ctx) => page(ctx, ctx.state.packages.all(), (p) => ({ href: href(ctx, 'packages', p.id), ...p })) } },
  },
  {
    path: 'packages/:id',
    methods: { GET: { run: (ctx) => { const p = need(ctx.state.packages, ctx.params[0] as number, 'package'); return { status: 200, body: { href: href(ctx, 'packages', p.id), ...p } }; } } },
  },
  {
    path: 'brands',
    methods: { GET: { params: LIST, run: (ctx) => page(ctx, ctx.state.brands.all(), (b) => ({ href: href(ctx, 'brands', b.id), ...b, products: { href: href(ctx, 'brands', b.id, 'products') } })) } },
  },
  {
    path: 'brands/:id',
    methods: { GET: { run: (ctx) => { const b = need(ctx.state.brands, ctx.params[0] as number, 'brand'); return { status: 200, body: { href: href(ctx, 'brands', b.id), ...b, products: { href: href(ctx, 'brands', b.id, 'products') } } }; } } },
  },
];
