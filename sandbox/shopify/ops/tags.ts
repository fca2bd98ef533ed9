// tagsAdd / tagsRemove on any taggable resource (products here; customers and orders register themselves).
// Access follows the resource: write_products for a product, write_customers for a customer, ...
import type { RequestContext } from '../context.js';
import type { SandboxCore } from '../core.js';
import { parseGid } from '../gid.js';
import type { Registry, ScopeRule } from '../registry.js';
import { accessDenied, scopeSatisfied, unsupported } from '../registry.js';
import { normalizeTags, validateTags } from './common.js';
import { T } from './model.js';
import { productTouched, productView } from './products.js';

export interface TaggableKind {
  gidType: string;
  writeScopes: ScopeRule;
  /** The record's tags, or undefined when it does not exist. */
  tags: (core: SandboxCore, id: string) => readonly string[] | undefined;
  /** Stores new tags and does the bookkeeping of a change (updatedAt, index, events). */
  setTags: (core: SandboxCore, id: string, tags: string[]) => void;
  view: (core: SandboxCore, id: string) => unknown;
}

const taggables = new Map<string, TaggableKind>();

/** Customers, orders (and products, below) declare how they are tagged. */
export function registerTaggable(kind: TaggableKind): void {
  taggables.set(kind.gidType, kind);
}

registerTaggable({
  gidType: 'Product',
  writeScopes: [['write_products']],
  tags: (core, id) => T.products(core.state).get(id)?.tags,
  setTags: (core, id, tags) => {
    T.products(core.state).get(id)!.tags = tags;
    productTouched(core, id);
  },
  view: (core, id) => productView(core, T.products(core.state).get(id)!),
});

function change(ctx: RequestContext, args: { id: string; tags: string[] }, field: 'tagsAdd' | 'tagsRemove') {
  const p = parseGid(args.id);
  const kind = p ? taggables.get(p.type) : undefined;
  if (p && !kind) throw unsupported(`${field} on a ${p.type}`);
  if (kind && !ctx.scopes.has('*') && !scopeSatisfied(kind.writeScopes, ctx.scopes)) throw accessDenied(field, kind.writeScopes);
  const id = args.id.split('?')[0]!;
  const current = kind?.tags(ctx.core, id);
  if (!kind || !current) return { node: null, userErrors: [{ field: ['id'], message: 'Resource does not exist' }] };
  const given = normalizeTags(args.tags);
  if (given.length === 0) return { node: null, userErrors: [{ field: ['tags'], message: "Tags can't be blank" }] };
  let next: string[];
  if (field === 'tagsAdd') next = normalizeTags([...current, ...given]);
  else {
    const drop = new Set(given.map((t) => t.toLowerCase()));
    next = current.filter((t) => !drop.has(t.toLowerCase()));
  }
  const problem = validateTags(next, ['tags']);
  if (problem) return { node: null, userErrors: [{ field: problem.field, message: problem.message }] };
  const same = next.length === current.length && next.every((t, i) => t === current[i]);
  if (!same) kind.setTags(ctx.core, id, next);
  return { node: kind.view(ctx.core, id), userErrors: [] };
}

export function tagsModule(registry: Registry): void {
  // The schema has no requiredAccess for these: access is checked per resource type above.
  registry.scope('Mutation.tagsAdd', 'none');
  registry.field('Mutation.tagsAdd', (_s, args: { id: string; tags: string[] }, ctx: RequestContext) => change(ctx, args, 'tagsAdd'), { args: ['id', 'tags'] });
  registry.scope('Mutation.tagsRemove', 'none');
  registry.field('Mutation.tagsRemove', (_s, args: { id: string; tags: string[] }, ctx: RequestContext) => change(ctx, args, 'tagsRemove'), { args: ['id', 'tags'] });
}
