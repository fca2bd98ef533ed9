// The resolver registry: every field the sandbox serves is either a registered resolver (`Type.field`)
// or an explicit value on the source object. Anything else is a SANDBOX_UNSUPPORTED error naming the
// field, never a silent null. Input objects must declare the fields they honour, so an input the sandbox
// would otherwise ignore is refused the same way.
import { GraphQLError } from 'graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { RequestContext } from './context.js';
import type { SearchDoc, SearchSpec } from './search.js';
import type { SandboxCore } from './core.js';

/**
 * A field resolver. Source and arguments default to `never` so a resolver with precise parameter types
 * (e.g. `(src: ProductView, args: { first: number })`) can be registered without casts.
 */
export type Resolver<S = never, A = never> = (source: S, args: A, ctx: RequestContext, info: GraphQLResolveInfo) => unknown;

export interface FieldOptions {
  /** Arguments the resolver honours; another argument present in the document is refused. Omit = all. */
  args?: readonly string[];
}

export interface FieldSpec {
  resolve: Resolver;
  args?: ReadonlySet<string>;
}

/** OR of AND-groups: [['read_products'], ['read_inventory']] = read_products OR read_inventory. */
export type ScopeRule = readonly (readonly string[])[] | 'none';

export interface SearchKind {
  /** Index name (e.g. 'Product'); documents are rebuilt from the record whenever it is marked dirty. */
  name: string;
  spec: SearchSpec;
  /** The record's search document, or null when the record no longer exists. */
  document: (core: SandboxCore, id: string) => SearchDoc | null;
}

export interface MetafieldOwnerKind {
  /** GID type, e.g. 'Product'. */
  gidType: string;
  /** MetafieldOwnerType enum value, e.g. 'PRODUCT'. */
  ownerType: string;
  /** Scopes needed to write its metafields (Shopify: the owner's own write scope). */
  writeScopes: ScopeRule;
  exists: (core: SandboxCore, id: string) => boolean;
  /** The owner's view (with `__typename`) for `Metafield.owner`. */
  view: (core: SandboxCore, id: string) => unknown;
  /** Called after one of its metafields changed (bump updatedAt, reindex, events). */
  touched?: (core: SandboxCore, id: string) => void;
}

/**
 * State a module keeps outside the tables (files, inputs of queued work) and the background work it must
 * re-arm after a snapshot was loaded. See snapshot.ts.
 */
export interface PersistedPart {
  /** Key of the part in the snapshot file (`parts.<name>`). */
  name: string;
  /** JSON-serialisable data outside the tables; undefined = nothing to store. */
  save?: (core: SandboxCore) => unknown;
  /** Runs after the tables were loaded, with the stored part (undefined when the file has none). */
  load: (core: SandboxCore, data: unknown) => void;
}

/** Rebuilds the view of a record from its GID (idempotent replays stored in a snapshot), or null when it is gone. */
export type ViewLoader = (core: SandboxCore, id: string) => unknown;

export type Module = (registry: Registry) => void;

/** An extra HTTP route (outside /admin/api and /__sandbox/), e.g. a staged-upload target or a result file. */
export interface HttpRoute {
  method: 'GET' | 'POST' | 'PUT';
  /** A Hono path pattern, e.g. '/storage/bulk/:file'. */
  path: string;
  handler: (core: SandboxCore, req: Request) => Response | Promise<Response>;
}

/** Thrown by `/__sandbox/*` handlers for bad input: answered with HTTP 400 and the message. */
export class SandboxInputError extends Error {}

/** A test endpoint: POST /__sandbox/<name> with a JSON body; the return value is sent as JSON. */
export type AdminHandler = (core: SandboxCore, body: Record<string, unknown>) => unknown;

export function unsupported(coordinate: string, detail?: string): GraphQLError {
  return new GraphQLError(
    `The Koppel Shopify sandbox does not implement ${coordinate}${detail ? ` (${detail})` : ''}. ` +
      'Add it in sandbox/shopify/ops (see sandbox/shopify/README.md) or avoid it.',
    { extensions: { code: 'SANDBOX_UNSUPPORTED', field: coordinate } },
  );
}

export class Registry {
  readonly fields = new Map<string, FieldSpec>();
  readonly inputs = new Map<string, ReadonlySet<string> | '*'>();
  readonly scopes = new Map<string, ScopeRule>();
  readonly searchKinds = new Map<string, SearchKind>();
  readonly metafieldOwners = new Map<string, MetafieldOwnerKind>();
  readonly seeders: ((core: SandboxCore) => void)[] = [];
  readonly adminRoutes = new Map<string, AdminHandler>();
  readonly httpRoutes: HttpRoute[] = [];
  readonly persisted: PersistedPart[] = [];
  readonly views = new Map<string, ViewLoader>();

  /** Registers a resolver for `Type.field`. Registering twice is a programming error. */
  field(coordinate: string, resolve: Resolver, opts: FieldOptions = {}): this {
    if (!/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/.test(coordinate)) throw new Error(`bad field coordinate ${coordinate}`);
    if (this.fields.has(coordinate)) throw new Error(`resolver for ${coordinate} registered twice`);
    this.fields.set(coordinate, { resolve, args: opts.args ? new Set(opts.args) : undefined });
    return this;
  }

  /** Several resolvers of one type at once. */
  type(typeName: string, resolvers: Record<string, Resolver | [Resolver, FieldOptions]>): this {
    for (const [name, r] of Object.entries(resolvers)) {
      if (Array.isArray(r)) this.field(`${typeName}.${name}`, r[0], r[1]);
      else this.field(`${typeName}.${name}`, r);
    }
    return this;
  }

  /** Declares the fields of an input object type the sandbox honours ('*' = all of them). */
  input(typeName: string, fields: readonly string[] | '*'): this {
    this.inputs.set(typeName, fields === '*' ? '*' : new Set(fields));
    return this;
  }

  /** Scopes a root field needs; without a rule, the schema's `requiredAccess` text is used. */
  scope(coordinate: string, rule: ScopeRule): this {
    this.scopes.set(coordinate, rule);
    return this;
  }

  search(kind: SearchKind): this {
    this.searchKinds.set(kind.name, kind);
    return this;
  }

  metafieldOwner(kind: MetafieldOwnerKind): this {
    this.metafieldOwners.set(kind.gidType, kind);
    return this;
  }

  /** Runs at start and on every reset, after the shop, locations and publications exist. */
  seed(fn: (core: SandboxCore) => void): this {
    this.seeders.push(fn);
    return this;
  }

  /** Adds a test endpoint POST /__sandbox/<name> (e.g. 'edit/product', later 'orders/online'). */
  admin(name: string, handler: AdminHandler): this {
    if (!/^[a-z0-9][a-z0-9/_-]*$/.test(name)) throw new Error(`bad admin route name ${name}`);
    if (this.adminRoutes.has(name)) throw new Error(`admin route ${name} registered twice`);
    this.adminRoutes.set(name, handler);
    return this;
  }

  /** Adds an HTTP route outside the Admin API (e.g. where staged uploads are sent). */
  route(route: HttpRoute): this {
    if (!route.path.startsWith('/') || route.path.startsWith('/admin/') || route.path.startsWith('/__sandbox')) throw new Error(`bad route path ${route.path}`);
    if (this.httpRoutes.some((r) => r.method === route.method && r.path === route.path)) throw new Error(`route ${route.method} ${route.path} registered twice`);
    this.httpRoutes.push(route);
    return this;
  }

  /** Keeps state outside the tables across a snapshot save and load. */
  persist(part: PersistedPart): this {
    if (this.persisted.some((p) => p.name === part.name)) throw new Error(`persisted part ${part.name} registered twice`);
    this.persisted.push(part);
    return this;
  }

  /** How to rebuild a `__typename` view from its GID (lets a snapshot keep idempotent results that hold it). */
  view(typeName: string, load: ViewLoader): this {
    this.views.set(typeName, load);
    return this;
  }

  use(...modules: Module[]): this {
    for (const m of modules) m(this);
    return this;
  }
}

// ---------------------------------------------------------------------------------------------
// Scopes

/** Parses Shopify's `requiredAccess` text: "`a` access scope or `b` access scope. Also: ..." */
export function parseRequiredAccess(text: string): ScopeRule | null {
  const main = text.split(/\bAlso:/)[0] ?? '';
  // "`a` access scope, `b` access scope or `c` access scope" lists alternatives; "`a` and `b`" needs both.
  const alternatives = main
    .split(/\bor\b|,/)
    .map((part) => [...part.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!))
    .filter((g) => g.length > 0);
  return alternatives.length > 0 ? alternatives : null;
}

/** A write scope implies its read scope, as on Shopify. */
export function expandScopes(scopes: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const s of scopes) {
    out.add(s);
    if (s.startsWith('write_')) out.add(`read_${s.slice('write_'.length)}`);
  }
  return out;
}

export function scopeSatisfied(rule: ScopeRule, granted: ReadonlySet<string>): boolean {
  if (rule === 'none') return true;
  return rule.some((group) => group.every((s) => granted.has(s)));
}

export function describeRule(rule: ScopeRule): string {
  if (rule === 'none') return 'no access scope';
  return rule.map((g) => g.map((s) => `\`${s}\``).join(' and ')).join(' or ') + ' access scope.';
}

export function accessDenied(fieldName: string, rule: ScopeRule): GraphQLError {
  const required = describeRule(rule);
  return new GraphQLError(`Access denied for ${fieldName} field. Required access: ${required}`, {
    extensions: {
      code: 'ACCESS_DENIED',
      documentation: 'https://shopify.dev/api/usage/access-scopes',
      requiredAccess: required,
    },
  });
}
