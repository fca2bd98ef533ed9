/** Categories, the category tree and product-to-category links (reference §7.7). */
import { page } from '../collections.js';
import type { Ctx, Result } from '../context.js';
import { href } from '../context.js';
import { badField } from '../errors.js';
import type { CategoryRec, ProductToCategoryRec } from '../model.js';
import type { Route } from '../router.js';
import type { Spec } from '../validate.js';
import { body, LIST, need, needRef, slug } from './common.js';

const CATEGORY_DEFAULTS: Record<string, unknown> = {
  description_photo_size: 'MEDIUM', description_photo_position: 'LEFT', description_photo: null, description_bottom: '',
  searchwords: '', photo: null, show_big_photo: false, productphoto_in_canvas: false, show_orderbutton: true,
  orderby: 'DEFAULT', items_per_page: 24, layout_of_products: 1, layout_of_categories_id: 1, color: '', color_alternative: '',
  meta_description: '', meta_keywords: '', page_title: '', no_index: false, no_follow: false,
};

export function renderCategory(ctx: Ctx, c: CategoryRec): Record<string, unknown> {
  const alias = (c.x?.['alias'] as string | undefined) ?? slug(c.name);
  const out: Record<string, unknown> = {
    href: href(ctx, 'categories', c.id), id: c.id, name: c.name, description: c.description,
  };
  for (const [k, v] of Object.entries(CATEGORY_DEFAULTS)) out[k] = c.x && k in c.x ? c.x[k] : v;
  Object.assign(out, {
    position: c.position,
    show_on_website: c.show_on_website,
    alias,
    producttocategories: { href: href(ctx, 'categories', c.id, 'producttocategories') },
    deeplink: `${ctx.origin}/nl/${alias}/`,
    categories: { href: href(ctx, 'categories', c.id, 'categories') },
    parentcategory: c.parent_id === null ? null : { id: c.parent_id, href: href(ctx, 'categories', c.parent_id) },
    parent: { href: href(ctx, 'categories') },
  });
  return out;
}

export function renderProductToCategory(ctx: Ctx, l: ProductToCategoryRec): Record<string, unknown> {
  return {
    href: href(ctx, 'producttocategories', l.id), id: l.id, position: l.position, product_id: l.product_id, category_id: l.category_id,
    product_href: href(ctx, 'products', l.product_id), category_href: href(ctx, 'categories', l.category_id),
  };
}

interface TreeNode { href: string; id: number; name: string; description: string; position: number; show_on_website: boolean; deeplink: string; children: TreeNode[] }

function tree(ctx: Ctx, parent: number | null): TreeNode[] {
  const s = ctx.state;
  const kids = parent === null ? s.categories.all().filter((c) => c.parent_id === null) : s.categories.by('parent', parent);
  return kids
    .slice()
    .sort((a, b) => a.position - b.position || a.id - b.id)
    .map((c) => ({
      href: href(ctx, 'categories', c.id), id: c.id, name: c.name, description: c.description, position: c.position,
      show_on_website: c.show_on_website, deeplink: `${ctx.origin}/nl/${slug(c.name)}/`, children: tree(ctx, c.id),
    }));
}

const str = { type: 'string' } as const;
const CATEGORY_SPEC: Spec = {
  name: { ...str, maxLength: 255 }, parentcategory_id: { type: 'int', nullable: true }, position: { type: 'int', min: 1 },
  show_on_website: { type: 'bool' }, description: str, description_bottom: str, searchwords: str, meta_description: str,
  meta_keywords: str, page_title: str, no_index: { type: 'bool' }, no_follow: { type: 'bool' }, alias: str,
  photo_source: str, photo_file_type: { type: { enum: ['jpg', 'jpeg', 'png', 'gif'] } }, show_big_photo: { type: 'bool' },
  show_orderbutton: { type: 'bool' }, items_per_page: { type: 'int', min: 1 }, layout_of_products: { type: 'int', min: 1 },
  layout_of_categories_id: { type: 'int', min: 1 }, color: str, color_alternative: str,
};

function applyCategory(ctx: Ctx, c: CategoryRec, b: Record<string, unknown>): void {
  const s = ctx.state;
  for (const [k, v] of Object.entries(b)) {
    switch (k) {
      case 'name': c.name = v as string; break;
      case 'description': c.description = v as string; break;
      case 'position': c.position = v as number; break;
      case 'show_on_website': c.show_on_website = v as boolean; break;
      case 'parentcategory_id': {
        let parentId: number | null = null;
        if (v !== null && v !== 0) {
          const parent = needRef(s.categories, v, 'parentcategory_id', 'category');
          for (let p: CategoryRec | undefined = parent; p; p = p.parent_id === null ? undefined : s.categories.get(p.parent_id)) {
            if (p.id === c.id) throw badField('parentcategory_id', `would make category ${c.id} its own ancestor`);
          }
          parentId = parent.id;
        }
        if (c.parent_id !== parentId) {
          // The parent is an indexed key: re-insert to move the record between index buckets.
          s.categories.delete(c.id);
          c.parent_id = parentId;
          s.categories.insert(c);
        }
        break;
      }
      case 'photo_source': case 'photo_file_type': break; // photos are not stored by the sandbox
      default: (c.x ??= {})[k] = v;
    }
  }
  s.categories.touch();
}

function createCategory(ctx: Ctx): Result {
  const s = ctx.state;
  const b = body(ctx, { ...CATEGORY_SPEC, name: { ...str, maxLength: 255, required: true } });
  const parent = b['parentcategory_id'] === undefined || b['parentcategory_id'] === null ? null : needRef(s.categories, b['parentcategory_id'], 'parentcategory_id', 'category').id;
  const siblings = parent === null ? s.categories.all().filter((c) => c.parent_id === null) : s.categories.by('parent', parent);
  const c: CategoryRec = {
    id: s.categories.allocateId(), name: '', description: '', parent_id: parent,
    position: siblings.reduce((m, x) => Math.max(m, x.position), 0) + 1, show_on_website: true,
  };
  const rest = { ...b };
  delete rest['parentcategory_id'];
  applyCategory(ctx, c, rest);
  s.categories.insert(c);
  return { status: 201, body: renderCategory(ctx, c) };
}

const P2C_POST: Spec = { product_id: { type: 'int', required: true }, category_id: { type: 'int', required: true }, position: { type: 'int', min: 1 } };

export const categoryRoutes: Route[] = [
  {
    path: 'categories',
    methods: {
      GET: { params: LIST, run: (ctx) => page(ctx, ctx.state.categories.all(), (c) => renderCategory(ctx, c)) },
      POST: { run: createCategory },
    },
  },
  {
    path: 'categories/:id',
    methods: {
      GET: { run: (ctx) => ({ status: 200, body: renderCategory(ctx, need(ctx.state.categories, ctx.params[0] as number, 'category')) }) },
      PATCH: {
        run: (ctx) => {
          const c = need(ctx.state.categories, ctx.params[0] as number, 'category');
          applyCategory(ctx, c, body(ctx, CATEGORY_SPEC));
          return { status: 204 };
        },
      },
      DELETE: {
        run: (ctx) => {
          need(ctx.state.categories, ctx.params[0] as number, 'category');
          ctx.state.deleteCategory(ctx.params[0] as number);
          return { status: 204 };
        },
      },
    },
  },
  {
    path: 'categories/:id/categories',
    methods: {
      GET: {
        params: LIST,
        run: (ctx) => {
          need(ctx.state.categories, ctx.params[0] as number, 'category');
          return page(ctx, ctx.state.categories.by('parent', ctx.params[0] as number), (c) => renderCategory(ctx, c));
        },
      },
    },
  },
  {
    path: 'categories/:id/producttocategories',
    methods: {
      GET: {
        params: LIST,
        run: (ctx) => {
          need(ctx.state.categories, ctx.params[0] as number, 'category');
          return page(ctx, ctx.state.productToCategories.by('category', ctx.params[0] as number), (l) => renderProductToCategory(ctx, l));
        },
      },
    },
  },
  {
    path: 'products/:id/producttocategories',
    methods: {
      GET: {
        params: LIST,
        run: (ctx) => {
          need(ctx.state.products, ctx.params[0] as number, 'product');
          return page(ctx, ctx.state.productToCategories.by('product', ctx.params[0] as number), (l) => renderProductToCategory(ctx, l));
        },
      },
    },
  },
  {
    path: 'categorytree',
    methods: { GET: { run: (ctx) => ({ status: 200, body: { href: href(ctx, 'categorytree'), root_categories: tree(ctx, null) } }) } },
  },
  {
    path: 'producttocategories',
    methods: {
      POST: {
        run: (ctx) => {
          const s = ctx.state;
          const b = body(ctx, P2C_POST);
          const p = needRef(s.products, b['product_id'], 'product_id', 'product');
          const c = needRef(s.categories, b['category_id'], 'category_id', 'category');
          if (s.productToCategories.by('product', p.id).some((l) => l.category_id === c.id)) {
            throw badField('category_id', `product ${p.id} is already in category ${c.id}`);
          }
          const l = s.productToCategories.insert({
            id: s.productToCategories.allocateId(), product_id: p.id, category_id: c.id,
            position: (b['position'] as number | undefined) ?? s.productToCategories.by('category', c.id).length + 1,
          });
          // Category links are their own resource: they leave the product's modifydate alone and send no webhook.
          return { status: 201, body: renderProductToCategory(ctx, l) };
        },
      },
    },
  },
  {
    path: 'producttocategories/:id',
    methods: {
      GET: { run: (ctx) => ({ status: 200, body: renderProductToCategory(ctx, need(ctx.state.productToCategories, ctx.params[0] as number, 'producttocategory')) }) },
      PATCH: {
        run: (ctx) => {
          const l = need(ctx.state.productToCategories, ctx.params[0] as number, 'producttocategory');
          const b = body(ctx, { position: { type: 'int', min: 1 } });
          if (b['position'] !== undefined) l.position = b['position'] as number;
          ctx.state.productToCategories.touch();
          return { status: 204 };
        },
      },
      DELETE: {
        run: (ctx) => {
          const l = need(ctx.state.productToCategories, ctx.params[0] as number, 'producttocategory');
          ctx.state.productToCategories.delete(l.id);
          return { status: 204 };
        },
      },
    },
  },
];
