// The shop, its locations and publications (seeded), and publishing resources to publications.
import type { RequestContext } from '../context.js';
import type { SandboxCore } from '../core.js';
import { PLAN_LIMITS } from '../bucket.js';
import { countView, paginate } from '../connection.js';
import { gid, parseGid } from '../gid.js';
import type { Registry } from '../registry.js';
import { unsupported } from '../registry.js';
import { CompiledSearch } from '../search.js';
import type { SearchSpec } from '../search.js';
import { T } from './model.js';
import type { LocationRec, PublicationRec } from './model.js';
import { requireSortKey, userError } from './common.js';
import type { UserErrorView } from './common.js';
import { registerHasMetafields } from './metafields.js';

function tzInfo(timeZone: string, at: number): { offset: string; minutes: number; abbreviation: string } {
  const part = (locale: string, style: 'shortOffset' | 'short') =>
    new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: style }).formatToParts(new Date(at)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{1,2})(?::(\d{2}))?/.exec(part('en-US', 'shortOffset'));
  const minutes = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
  const abs = Math.abs(minutes);
  const offset = `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  return { offset, minutes, abbreviation: part('en-GB', 'short') };
}

export function shopView(core: SandboxCore) {
  const s = core.state.shop;
  const plan = PLAN_LIMITS[s.plan];
  const url = `https://${s.myshopifyDomain}`;
  const tz = () => tzInfo(s.ianaTimezone, core.now());
  return {
    __typename: 'Shop',
    id: s.id,
    name: s.name,
    myshopifyDomain: s.myshopifyDomain,
    email: s.email,
    contactEmail: s.email,
    shopOwnerName: `${s.name} owner`,
    description: null,
    currencyCode: s.currencyCode,
    enabledPresentmentCurrencies: [s.currencyCode],
    ianaTimezone: s.ianaTimezone,
    timezoneOffset: () => tz().offset,
    timezoneOffsetMinutes: () => tz().minutes,
    timezoneAbbreviation: () => tz().abbreviation,
    taxesIncluded: s.taxesIncluded,
    taxShipping: false,
    weightUnit: 'KILOGRAMS',
    unitSystem: 'METRIC_SYSTEM',
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    url,
    primaryDomain: { __typename: 'Domain', id: gid('Domain', s.id.split('/').pop()!), host: s.myshopifyDomain, url, sslEnabled: true },
    plan: {
      __typename: 'ShopPlan',
      displayName: s.devStore ? 'Development' : plan.displayName,
      publicDisplayName: s.devStore ? 'Development' : plan.displayName,
      partnerDevelopment: s.devStore,
      shopifyPlus: s.plan === 'plus' || s.plan === 'enterprise',
    },
    shipsToCountries: ['NL', 'BE', 'DE'],
    setupRequired: false,
    checkoutApiSupported: true,
    transactionalSmsDisabled: false,
    marketingSmsConsentEnabledAtCheckout: false,
    orderNumberFormatPrefix: '#',
    orderNumberFormatSuffix: '',
  };
}

// ---- locations ----

export const LOCATION_SEARCH: SearchSpec = {
  fields: { id: 'id', name: 'text', active: 'boolean', city: 'text', country: 'keyword', legacy: 'boolean', pickup_in_store: 'keyword', created_at: 'date', updated_at: 'date' },
  defaultFields: ['name', 'city'],
};

export function locationView(core: SandboxCore, l: LocationRec) {
  const a = l.address;
  return {
    __typename: 'Location',
    id: l.id,
    legacyResourceId: parseGid(l.id)!.id,
    name: l.name,
    isActive: l.isActive,
    isPrimary: l.isPrimary,
    fulfillsOnlineOrders: l.fulfillsOnlineOrders,
    shipsInventory: l.shipsInventory,
    isFulfillmentService: false,
    fulfillmentService: null,
    activatable: !l.isActive,
    deactivatable: l.isActive && !l.isPrimary,
    deletable: !l.isActive,
    deactivatedAt: null,
    addressVerified: true,
    hasUnfulfilledOrders: false,
    hasActiveInventory: () => [...T.inventoryLevels(core.state).values()].some((lv) => lv.locationId === l.id && lv.isActive),
    suggestedAddresses: [],
    localPickupSettingsV2: null,
    createdAt: l.createdAt,
    updatedAt: l.updatedAt,
    address: {
      __typename: 'LocationAddress',
      ...a,
      latitude: null,
      longitude: null,
      formatted: [a.address1, a.address2, [a.zip, a.city].filter(Boolean).join(' '), a.country].filter((x): x is string => !!x && x.trim() !== ''),
    },
  };
}

function seedLocations(core: SandboxCore): void {
  const s = core.state;
  const now = core.nowIso();
  const mk = (name: string, address1: string, zip: string, city: string, extra: Partial<LocationRec>): void => {
    T.locations(s).set({
      id: gid('Location', s.nextId('Location')),
      name,
      isActive: true,
      fulfillsOnlineOrders: true,
      shipsInventory: true,
      isPrimary: false,
      address: { address1, address2: null, city, zip, province: null, provinceCode: null, country: 'Netherlands', countryCode: 'NL', phone: null },
      createdAt: now,
      updatedAt: now,
      ...extra,
    });
  };
  mk('Winkel Utrecht', 'Oudegracht 101', '3511 AD', 'Utrecht', { isPrimary: true });
  mk('Magazijn Amersfoort', 'Industrieweg 12', '3812 AA', 'Amersfoort', { fulfillsOnlineOrders: false });
  mk('Pop-up Zwolle', 'Diezerstraat 5', '8011 RA', 'Zwolle', { isActive: false, fulfillsOnlineOrders: false, shipsInventory: false });
  for (const l of T.locations(s).values()) core.touch('Location', l.id);
  const mkPub = (name: string, autoPublish: boolean): void => {
    T.publications(s).set({ id: gid('Publication', s.nextId('Publication')), name, autoPublish, supportsFuturePublishing: name === 'Online Store' });
  };
  mkPub('Online Store', false);
  mkPub('Point of Sale', false);
}

// ---- publishing (shared by products and collections) ----

export interface PublishableRec {
  id: string;
  publications: Record<string, string>;
}

export function onlineStore(core: SandboxCore): PublicationRec | undefined {
  return [...T.publications(core.state).values()].find((p) => p.name === 'Online Store');
}

/** Fields of the Publishable interface for a product or collection view. */
export function publishableFields(core: SandboxCore, rec: PublishableRec) {
  const published = () => Object.keys(rec.publications).filter((id) => T.publications(core.state).has(id));
  const total = () => T.publications(core.state).size;
  return {
    publishedOnPublication: (args: { publicationId: string }) => args.publicationId in rec.publications,
    resourcePublicationsCount: (args: { onlyPublished?: boolean }) => countView(args.onlyPublished === false ? total() : published().length),
    availablePublicationsCount: () => countView(published().length),
    publicationCount: (args: { onlyPublished?: boolean }) => (args.onlyPublished === false ? total() : published().length),
    unpublishedPublications: (args: Record<string, unknown>) =>
      paginate(
        [...T.publications(core.state).values()].filter((p) => !(p.id in rec.publications)),
        args,
        (p) => [parseGid(p.id)!.id],
        (p) => publicationView(core, p),
      ),
  };
}

export function publicationView(_core: SandboxCore, p: PublicationRec) {
  // A sales channel's publication belongs to its app's catalog, whose title is the channel name (Publication.name is deprecated for it).
  const catalog = { __typename: 'AppCatalog', id: p.id.replace('/Publication/', '/AppCatalog/'), title: p.name, status: 'ACTIVE' };
  return { __typename: 'Publication', id: p.id, name: p.name, autoPublish: p.autoPublish, supportsFuturePublishing: p.supportsFuturePublishing, catalog, operation: null };
}

export interface PublishableKind {
  gidType: string;
  get: (core: SandboxCore, id: string) => PublishableRec | undefined;
  view: (core: SandboxCore, id: string) => unknown;
  changed: (core: SandboxCore, id: string) => void;
}

const publishableKinds = new Map<string, PublishableKind>();

/** Products and collections (and later other publishables) register how to publish them. */
export function registerPublishable(kind: PublishableKind): void {
  publishableKinds.set(kind.gidType, kind);
}

function publish(ctx: RequestContext, args: { id: string; input: { publicationId?: string | null; publishDate?: string | null }[] }, on: boolean) {
  const p = parseGid(args.id);
  const kind = p ? publishableKinds.get(p.type) : undefined;
  if (p && !kind) throw unsupported(`publishing a ${p.type}`);
  const rec = kind?.get(ctx.core, args.id);
  const shop = shopView(ctx.core);
  if (!kind || !rec) return { publishable: null, shop, userErrors: [userError(['id'], 'Resource does not exist')] };
  const errors: UserErrorView[] = [];
  args.input.forEach((i, n) => {
    if (!i.publicationId || !T.publications(ctx.state).has(i.publicationId)) errors.push(userError(['input', n, 'publicationId'], 'Publication does not exist'));
  });
  if (errors.length) return { publishable: null, shop, userErrors: errors };
  let changed = false;
  for (const i of args.input) {
    const pid = i.publicationId!;
    if (on && !(pid in rec.publications)) {
      rec.publications[pid] = i.publishDate ?? ctx.core.nowIso();
      changed = true;
    } else if (!on && pid in rec.publications) {
      delete rec.publications[pid];
      changed = true;
    }
  }
  if (changed) kind.changed(ctx.core, args.id);
  return { publishable: kind.view(ctx.core, args.id), shop, userErrors: [] };
}

// ---- module ----

export function shopModule(registry: Registry): void {
  registry.seed(seedLocations);
  registry.search({
    name: 'Location',
    spec: LOCATION_SEARCH,
    document: (core, id) => {
      const l = T.locations(core.state).get(id);
      if (!l) return null;
      return { id: l.id, name: l.name, active: l.isActive, city: l.address.city, country: l.address.countryCode, legacy: false, created_at: l.createdAt, updated_at: l.updatedAt };
    },
  });
  registry.metafieldOwner({
    gidType: 'Location',
    ownerType: 'LOCATION',
    writeScopes: [['write_locations'], ['write_inventory']],
    exists: (core, id) => T.locations(core.state).has(id),
    view: (core, id) => locationView(core, T.locations(core.state).get(id)!),
  });
  registerHasMetafields(registry, 'Location');
  registerHasMetafields(registry, 'Shop');
  registry.metafieldOwner({
    gidType: 'Shop',
    ownerType: 'SHOP',
    writeScopes: 'none',
    exists: (core, id) => core.state.shop.id === id,
    view: (core) => shopView(core),
  });

  registry.scope('QueryRoot.shop', 'none');
  registry.field('QueryRoot.shop', (_s, _a, ctx: RequestContext) => shopView(ctx.core));

  registry.scope('QueryRoot.location', [['read_locations'], ['read_inventory']]);
  registry.field(
    'QueryRoot.location',
    (_s, args: { id?: string | null }, ctx: RequestContext) => {
      const l = args.id ? T.locations(ctx.state).get(args.id) : [...T.locations(ctx.state).values()].find((x) => x.isPrimary);
      return l ? locationView(ctx.core, l) : null;
    },
    { args: ['id'] },
  );

  registry.scope('QueryRoot.locations', [['read_locations'], ['read_inventory']]);
  registry.field(
    'QueryRoot.locations',
    (_s, args: { includeInactive?: boolean; includeLegacy?: boolean; query?: string | null; sortKey?: string; first?: number; last?: number; after?: string; before?: string; reverse?: boolean }, ctx: RequestContext, info) => {
      const sortKey = requireSortKey('LocationSortKeys', args.sortKey, ['NAME', 'ID']);
      let ids: Set<string> | null = null;
      if (args.query) {
        const search = new CompiledSearch(args.query, LOCATION_SEARCH);
        ids = new Set([...ctx.core.index.visible('Location')].filter(([, doc]) => search.matches(doc)).map(([id]) => id));
        if (search.warnings.length) ctx.searchWarnings.push({ path: [info.path.key], query: args.query, warnings: search.warnings });
      }
      const rows = [...T.locations(ctx.state).values()].filter((l) => (args.includeInactive || l.isActive) && (!ids || ids.has(l.id)));
      return paginate(rows, args, (l) => (sortKey === 'NAME' ? [l.name, parseGid(l.id)!.id] : [parseGid(l.id)!.id]), (l) => locationView(ctx.core, l));
    },
    { args: ['first', 'last', 'after', 'before', 'reverse', 'includeInactive', 'includeLegacy', 'query', 'sortKey'] },
  );

  registry.scope('QueryRoot.publications', [['read_publications']]);
  registry.field(
    'QueryRoot.publications',
    (_s, args: { catalogType?: string | null; first?: number; last?: number; after?: string; before?: string; reverse?: boolean }, ctx: RequestContext) => {
      if (args.catalogType) throw unsupported('QueryRoot.publications(catalogType:)');
      return paginate(T.publications(ctx.state).values(), args, (p) => [parseGid(p.id)!.id], (p) => publicationView(ctx.core, p));
    },
    { args: ['first', 'last', 'after', 'before', 'reverse'] },
  );
  registry.scope('QueryRoot.publication', [['read_publications']]);
  registry.field(
    'QueryRoot.publication',
    (_s, args: { id: string }, ctx: RequestContext) => {
      const p = T.publications(ctx.state).get(args.id);
      return p ? publicationView(ctx.core, p) : null;
    },
    { args: ['id'] },
  );

  registry.input('PublicationInput', ['publicationId', 'publishDate']);
  registry.field('Mutation.publishablePublish', (_s, args, ctx: RequestContext) => publish(ctx, args as never, true), { args: ['id', 'input'] });
  registry.field('Mutation.publishableUnpublish', (_s, args, ctx: RequestContext) => publish(ctx, args as never, false), { args: ['id', 'input'] });
  registry.scope('Mutation.publishablePublish', [['write_publications']]);
  registry.scope('Mutation.publishableUnpublish', [['write_publications']]);
}
