// Collections with the 2026-07 "sources" model: each collection has condition sources whose inclusion
// conditions (tags, title, type, vendor, status, variant price/compare-at/title) and manual selections
// decide membership. Membership is evaluated against the search index, so it lags writes by the same
// `indexLagMs` as searches (Shopify recomputes membership in a background job).
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../context.js';
import type { SandboxCore } from '../core.js';
import { countView, paginate } from '../connection.js';
import type { SortTuple } from '../connection.js';
import { gid, parseGid } from '../gid.js';
import type { Registry } from '../registry.js';
import { unsupported } from '../registry.js';
import { CompiledSearch } from '../search.js';
import type { SearchDoc, SearchSpec } from '../search.js';
import type { SandboxState } from '../state.js';
import { badRequest, compareMoney, gidOf, HANDLE_RE, money, requireSortKey, slugify, stripHtml, truncate, uniqueHandle, userError } from './common.js';
import type { UserErrorView } from './common.js';
import { T } from './model.js';
import type { CollectionRec, ConditionKind, ConditionRec, JobRec, ProductRec, SelectionRec, SourceRec } from './model.js';
import { applyMetafield, customIdProblem, deleteMetafieldsOf, findOwnerByCustomId, planMetafield, registerHasMetafields } from './metafields.js';
import type { MetafieldInputLike, MetafieldWrite } from './metafields.js';
import { productView, reindexAllProducts, variantsOf, variantTitle } from './products.js';
import { publishableFields, registerPublishable, shopView } from './shop.js';

export const COLLECTION_SEARCH: SearchSpec = {
  fields: { id: 'id', title: 'text', handle: 'keyword', collection_type: 'keyword', updated_at: 'date', product_id: 'id' },
  defaultFields: ['title', 'handle'],
};

// ---- facts a condition looks at ----

interface Facts {
  tags: readonly string[];
  title: string;
  productType: string;
  vendor: string;
  status: string;
  variantPrices: readonly string[];
  variantCompareAtPrices: readonly (string | null)[];
  variantTitles: readonly string[];
}

function liveFacts(state: SandboxState, p: ProductRec): Facts {
  const vs = variantsOf(state, p);
  return {
    tags: p.tags,
    title: p.title,
    productType: p.productType,
    vendor: p.vendor,
    status: p.status,
    variantPrices: vs.map((v) => v.price),
    variantCompareAtPrices: vs.map((v) => v.compareAtPrice),
    variantTitles: vs.map((v) => variantTitle(p, v)),
  };
}

function docFacts(doc: SearchDoc): Facts {
  const arr = (v: unknown) => (Array.isArray(v) ? (v as string[]) : []);
  const prices = arr(doc._variant_price);
  const cmp = arr(doc._variant_compare_at_price);
  return {
    tags: arr(doc.tag),
    title: String(doc.title ?? ''),
    productType: String(doc.product_type ?? ''),
    vendor: String(doc.vendor ?? ''),
    status: String(doc.status ?? '').toUpperCase(),
    variantPrices: prices,
    variantCompareAtPrices: prices.map((_, i) => cmp[i] ?? null),
    variantTitles: arr(doc._variant_title),
  };
}

function stringRelation(relation: string, field: string, value: string): boolean {
  const f = field.toLowerCase();
  const v = value.toLowerCase();
  switch (relation) {
    case 'CONTAINS':
      return f.includes(v);
    case 'DOES_NOT_CONTAIN':
      return !f.includes(v);
    case 'STARTS_WITH':
      return f.startsWith(v);
    case 'ENDS_WITH':
      return f.endsWith(v);
    case 'EQUALS':
      return f === v;
    case 'NOT_EQUALS':
      return f !== v;
    default:
      return false;
  }
}

function combine(matchType: 'ALL' | 'ANY' | null, results: boolean[]): boolean {
  return matchType === 'ANY' ? results.some(Boolean) : results.every(Boolean);
}

function priceRelation(relation: string, price: string | null, value: string): boolean {
  if (relation === 'IS_SET') return price !== null;
  if (relation === 'IS_NOT_SET') return price === null;
  if (price === null) return false;
  const c = compareMoney(price, value);
  switch (relation) {
    case 'EQUALS':
      return c === 0;
    case 'NOT_EQUALS':
      return c !== 0;
    case 'GREATER_THAN':
      return c > 0;
    case 'LESS_THAN':
      return c < 0;
    default:
      return false;
  }
}

function conditionMatches(c: ConditionRec, f: Facts): boolean {
  switch (c.kind) {
    case 'productTag': {
      const tags = f.tags.map((t) => t.toLowerCase());
      const has = (v: string) => tags.includes(v.toLowerCase());
      return combine(c.matchType, c.values.map((v) => (c.relation === 'NOT_TAGGED_WITH' ? !has(v) : has(v))));
    }
    case 'productTitle':
      return combine(c.matchType, c.values.map((v) => stringRelation(c.relation, f.title, v)));
    case 'productType':
      return combine(c.matchType, c.values.map((v) => stringRelation(c.relation, f.productType, v)));
    case 'productVendor':
      return combine(c.matchType, c.values.map((v) => stringRelation(c.relation, f.vendor, v)));
    case 'productStatus':
      return combine(c.matchType, c.values.map((v) => (c.relation === 'NOT_EQUALS' ? f.status !== v : f.status === v)));
    case 'variantPrice':
      return f.variantPrices.some((p) => priceRelation(c.relation, p, c.values[0] ?? '0'));
    case 'variantCompareAtPrice':
      return f.variantCompareAtPrices.some((p) => priceRelation(c.relation, p, c.values[0] ?? '0'));
    case 'variantTitle':
      return f.variantTitles.some((t) => combine(c.matchType, c.values.map((v) => stringRelation(c.relation, t, v))));
  }
}

function sourceMatches(s: SourceRec, productId: string, f: Facts): boolean {
  if (s.exclusion) {
    if (s.exclusion.selections.some((x) => x.productId === productId)) return false;
    if (s.exclusion.conditions.length && combine(s.exclusion.matchType ?? 'ANY', s.exclusion.conditions.map((c) => conditionMatches(c, f)))) return false;
  }
  if (s.inclusion.selections.some((x) => x.productId === productId)) return true;
  if (s.inclusion.conditions.length === 0) return false;
  return combine(s.inclusion.matchType, s.inclusion.conditions.map((c) => conditionMatches(c, f)));
}

function isMember(c: CollectionRec, productId: string, f: Facts): boolean {
  return c.sources.some((s) => sourceMatches(s, productId, f));
}

/** Facts of a product as the collection job sees them (the index; `live` = the record itself). */
function factsOf(core: SandboxCore, productId: string, live: boolean): Facts | null {
  if (live) {
    const p = T.products(core.state).get(productId);
    return p ? liveFacts(core.state, p) : null;
  }
  const doc = core.index.visibleDoc('Product', productId);
  return doc ? docFacts(doc) : null;
}

export function collectionIdsOfProduct(core: SandboxCore, productId: string, live: boolean): string[] {
  const f = factsOf(core, productId, live);
  if (!f) return [];
  return [...T.collections(core.state).values()].filter((c) => isMember(c, productId, f)).map((c) => c.id);
}

function membersOf(core: SandboxCore, c: CollectionRec, source?: SourceRec): ProductRec[] {
  const out: ProductRec[] = [];
  for (const [id, doc] of core.index.visible('Product')) {
    const p = T.products(core.state).get(id);
    if (!p) continue;
    const f = docFacts(doc);
    if (source ? sourceMatches(source, id, f) : isMember(c, id, f)) out.push(p);
  }
  return out;
}

export function unknownCollections(core: SandboxCore, ids: readonly string[]): number[] {
  return ids.map((id, i) => (T.collections(core.state).has(id) ? -1 : i)).filter((i) => i >= 0);
}

/** Product-side membership (productSet.collections, collectionsToJoin/Leave) through manual selections. */
export function replaceManualCollections(core: SandboxCore, productId: string, ids: readonly string[], mode: 'join' | 'leave' | 'replace'): void {
  const want = new Set(ids);
  for (const c of T.collections(core.state).values()) {
    const join = mode === 'join' ? want.has(c.id) : mode === 'replace' ? want.has(c.id) : false;
    const leave = mode === 'leave' ? want.has(c.id) : mode === 'replace' ? !want.has(c.id) : false;
    let changed = false;
    if (join && !c.sources.some((s) => s.inclusion.selections.some((x) => x.productId === productId))) {
      let s = c.sources[0];
      if (!s) {
        s = newSource(core, { title: 'Manual selection', description: null }, 'PRODUCTS');
        c.sources.push(s);
      }
      s.inclusion.selections.push({ productId, variantIds: null });
      changed = true;
    }
    if (leave) {
      for (const s of c.sources) {
        const before = s.inclusion.selections.length;
        s.inclusion.selections = s.inclusion.selections.filter((x) => x.productId !== productId);
        changed ||= before !== s.inclusion.selections.length;
      }
    }
    if (changed) collectionChanged(core, c, false);
  }
  core.touch('Product', productId);
}

function collectionChanged(core: SandboxCore, c: CollectionRec, rulesChanged: boolean, topic = 'collections/update'): void {
  c.updatedAt = core.nowIso();
  core.touch('Collection', c.id);
  if (rulesChanged) reindexAllProducts(core);
  core.emit(topic, c.id);
}

// ---- views ----

function conditionView(core: SandboxCore, c: ConditionRec, side: 'Inclusion' | 'Exclusion') {
  const kind = c.kind.charAt(0).toUpperCase() + c.kind.slice(1);
  const base = { __typename: `CollectionSource${side}Condition${kind}`, id: c.id, relation: c.relation };
  if (c.kind === 'variantPrice' || c.kind === 'variantCompareAtPrice') {
    return { ...base, value: c.values[0] ? { __typename: 'MoneyV2', amount: c.values[0], currencyCode: core.state.shop.currencyCode } : null };
  }
  return { ...base, matchType: c.matchType ?? 'ANY', values: c.values };
}

function selectionConnection(core: SandboxCore, list: SelectionRec[], typename: string, args: Record<string, unknown>) {
  return paginate(
    list.filter((x) => T.products(core.state).has(x.productId)),
    args,
    (x) => [parseGid(x.productId)!.id],
    (x) => ({ __typename: typename, product: () => productView(core, T.products(core.state).get(x.productId)!), variantIds: x.variantIds }),
  );
}

function sourceView(core: SandboxCore, c: CollectionRec, s: SourceRec) {
  return {
    __typename: 'CollectionConditionsSource',
    id: s.id,
    title: s.title,
    description: s.description,
    targetType: s.targetType,
    shareable: false,
    app: null,
    inclusion: {
      __typename: 'CollectionSourceInclusion',
      matchType: s.inclusion.matchType,
      conditions: s.inclusion.conditions.map((x) => conditionView(core, x, 'Inclusion')),
      selections: (args: Record<string, unknown>) => selectionConnection(core, s.inclusion.selections, 'CollectionInclusionProductSelection', args),
    },
    exclusion: s.exclusion
      ? {
          __typename: 'CollectionSourceExclusion',
          matchType: s.exclusion.matchType,
          conditions: s.exclusion.conditions.map((x) => conditionView(core, x, 'Exclusion')),
          selections: (args: Record<string, unknown>) => selectionConnection(core, s.exclusion!.selections, 'CollectionExclusionProductSelection', args),
        }
      : null,
    products: (args: Record<string, unknown>) => paginate(membersOf(core, c, s), args, (p) => [parseGid(p.id)!.id], (p) => productView(core, p)),
  };
}

const MEMBER_SORTS = ['COLLECTION_DEFAULT', 'TITLE', 'CREATED', 'ID', 'PRICE', 'MANUAL', 'BEST_SELLING', 'RELEVANCE'] as const;

function memberSortKey(core: SandboxCore, c: CollectionRec, key: string, p: ProductRec): { tuple: SortTuple; reverse: boolean } {
  const id = parseGid(p.id)!.id;
  const minPrice = () => variantsOf(core.state, p).map((v) => Number(v.price)).sort((a, b) => a - b)[0] ?? 0;
  const k = key === 'COLLECTION_DEFAULT' ? c.sortOrder : key;
  switch (k) {
    case 'TITLE':
    case 'ALPHA_ASC':
      return { tuple: [p.title, id], reverse: false };
    case 'ALPHA_DESC':
      return { tuple: [p.title, id], reverse: true };
    case 'CREATED':
      return { tuple: [p.createdAt, id], reverse: false };
    case 'CREATED_DESC':
      return { tuple: [p.createdAt, id], reverse: true };
    case 'PRICE':
    case 'PRICE_ASC':
      return { tuple: [minPrice(), id], reverse: false };
    case 'PRICE_DESC':
      return { tuple: [minPrice(), id], reverse: true };
    default:
      return { tuple: [id], reverse: false };
  }
}

export function collectionView(core: SandboxCore, c: CollectionRec) {
  return {
    __typename: 'Collection',
    id: c.id,
    legacyResourceId: parseGid(c.id)!.id,
    title: c.title,
    handle: c.handle,
    descriptionHtml: c.descriptionHtml,
    description: (args: { truncateAt?: number | null }) => truncate(stripHtml(c.descriptionHtml), args.truncateAt),
    sortOrder: c.sortOrder,
    templateSuffix: c.templateSuffix,
    seo: { __typename: 'SEO', title: c.seoTitle, description: c.seoDescription },
    updatedAt: c.updatedAt,
    image: null,
    feedback: null,
    sources: c.sources.map((s) => sourceView(core, c, s)),
    hasProduct: (args: { id: string }) => membersOf(core, c).some((p) => p.id === args.id),
    productsCount: () => countView(membersOf(core, c).length),
    products: (args: { first?: number; last?: number; after?: string; before?: string; reverse?: boolean; sortKey?: string }) => {
      const key = requireSortKey('ProductCollectionSortKeys', args.sortKey, MEMBER_SORTS);
      const members = membersOf(core, c);
      const rev = members.length ? memberSortKey(core, c, key, members[0]!).reverse : false;
      return paginate(members, { ...args, reverse: rev !== !!args.reverse }, (p) => memberSortKey(core, c, key, p).tuple, (p) => productView(core, p));
    },
    ...publishableFields(core, c),
  };
}

// ---- inputs ----

interface ConditionInputLike {
  matchType?: 'ALL' | 'ANY' | null;
  relation?: string | null;
  values?: string[] | null;
  value?: { amount: string; currencyCode: string } | null;
}

type ConditionTarget = Partial<Record<ConditionKind, ConditionInputLike>>;

interface SourceInclusionLike {
  matchType?: 'ALL' | 'ANY' | null;
  conditions?: ConditionTarget[] | null;
  selections?: { productId: string; variantIds?: string[] | null }[] | null;
}

interface SourceInputLike {
  title: string;
  description?: string | null;
  targetType?: string | null;
  inclusion?: SourceInclusionLike | null;
  exclusion?: SourceInclusionLike | null;
}

function newSource(core: SandboxCore, s: { title: string; description: string | null }, targetType: 'PRODUCTS' | 'VARIANTS'): SourceRec {
  return {
    id: gid('CollectionConditionsSource', core.state.nextId('CollectionConditionsSource')),
    title: s.title,
    description: s.description,
    targetType,
    inclusion: { matchType: null, conditions: [], selections: [] },
    exclusion: null,
  };
}

function buildCondition(core: SandboxCore, target: ConditionTarget, path: (string | number)[], errors: UserErrorView[], existing?: ConditionRec): ConditionRec | null {
  const entries = Object.entries(target).filter(([, v]) => v !== null && v !== undefined);
  if (entries.length !== 1) {
    errors.push(userError(path, 'Give exactly one condition kind.'));
    return null;
  }
  const [kind, c] = entries[0] as [ConditionKind, ConditionInputLike];
  if (existing && existing.kind !== kind) {
    errors.push(userError(path, `Condition ${existing.id} is a ${existing.kind} condition and cannot become ${kind}.`));
    return null;
  }
  const rec: ConditionRec = existing
    ? { ...existing, values: [...existing.values] }
    : { id: gid('CollectionSourceCondition', core.state.nextId('CollectionSourceCondition')), kind, matchType: null, relation: '', values: [] };
  if (c.matchType !== undefined && c.matchType !== null) rec.matchType = c.matchType;
  if (c.relation !== undefined && c.relation !== null) rec.relation = c.relation;
  if (kind === 'variantPrice' || kind === 'variantCompareAtPrice') {
    if (c.value !== undefined && c.value !== null) {
      const m = money(c.value.amount);
      if (m === null) errors.push(userError([...path, kind, 'value', 'amount'], 'Amount must be a decimal number.'));
      else if (c.value.currencyCode !== core.state.shop.currencyCode) errors.push(userError([...path, kind, 'value', 'currencyCode'], `Currency must be the shop currency ${core.state.shop.currencyCode}.`));
      else rec.values = [m];
    }
    const needsValue = !['IS_SET', 'IS_NOT_SET'].includes(rec.relation);
    if (needsValue && rec.values.length === 0) errors.push(userError([...path, kind, 'value'], 'A value is required for this relation.'));
  } else {
    if (c.values !== undefined && c.values !== null) rec.values = c.values.map((v) => v.trim()).filter((v) => v !== '');
    if (rec.values.length === 0) errors.push(userError([...path, kind, 'values'], 'At least one value is required.'));
    rec.matchType ??= 'ANY';
  }
  if (!rec.relation) errors.push(userError([...path, kind, 'relation'], 'A relation is required.'));
  return rec;
}

function selectionsFrom(core: SandboxCore, list: { productId: string; variantIds?: string[] | null }[], path: (string | number)[], errors: UserErrorView[]): SelectionRec[] {
  return list.flatMap((s, i) => {
    if (!T.products(core.state).has(s.productId)) {
      errors.push(userError([...path, i, 'productId'], `Product ${s.productId} does not exist.`));
      return [];
    }
    if (s.variantIds?.length) throw unsupported('CollectionInclusionProductSelectionInput.variantIds', 'variant-level selections');
    return [{ productId: s.productId, variantIds: null }];
  });
}

function sourceFrom(core: SandboxCore, input: SourceInputLike, path: (string | number)[], errors: UserErrorView[]): SourceRec {
  if (input.targetType && input.targetType !== 'PRODUCTS') throw unsupported('CollectionCreateConditionsSourceInput.targetType: VARIANTS');
  if (!input.title || input.title.trim() === '') errors.push(userError([...path, 'title'], "Source title can't be blank."));
  const s = newSource(core, { title: input.title?.trim() ?? '', description: input.description ?? null }, 'PRODUCTS');
  if (input.inclusion) {
    s.inclusion.matchType = input.inclusion.matchType ?? null;
    s.inclusion.conditions = (input.inclusion.conditions ?? []).map((c, i) => buildCondition(core, c, [...path, 'inclusion', 'conditions', i], errors)).filter((c): c is ConditionRec => !!c);
    s.inclusion.selections = selectionsFrom(core, input.inclusion.selections ?? [], [...path, 'inclusion', 'selections'], errors);
  }
  if (input.exclusion) {
    s.exclusion = {
      matchType: input.exclusion.matchType ?? null,
      conditions: (input.exclusion.conditions ?? []).map((c, i) => buildCondition(core, c, [...path, 'exclusion', 'conditions', i], errors)).filter((c): c is ConditionRec => !!c),
      selections: selectionsFrom(core, input.exclusion.selections ?? [], [...path, 'exclusion', 'selections'], errors),
    };
  }
  return s;
}

interface CollectionInputLike {
  id?: string | null;
  title?: string | null;
  handle?: string | null;
  descriptionHtml?: string | null;
  sortOrder?: string | null;
  templateSuffix?: string | null;
  seo?: { title?: string | null; description?: string | null } | null;
  metafields?: MetafieldInputLike[] | null;
  sources?: { source?: SourceInputLike | null }[] | null;
  sourcesToCreate?: { source?: SourceInputLike | null }[] | null;
  sourcesToDelete?: string[] | null;
  sourcesToUpdate?: {
    condition?: {
      id: string;
      title?: string | null;
      description?: string | null;
      inclusion?: {
        matchType?: 'ALL' | 'ANY' | null;
        conditionsToCreate?: ConditionTarget[] | null;
        conditionsToUpdate?: { id: string; condition: ConditionTarget }[] | null;
        conditionsToDelete?: string[] | null;
        selectionsToAdd?: { productId: string; variantIds?: string[] | null }[] | null;
        selectionsToRemove?: { productId: string; variantIds?: string[] | null }[] | null;
      } | null;
    } | null;
  }[] | null;
  redirectNewHandle?: boolean | null;
}

function collectionByHandle(state: SandboxState, handle: string): CollectionRec | undefined {
  for (const c of T.collections(state).values()) if (c.handle === handle) return c;
  return undefined;
}

function applyScalars(c: CollectionRec, input: CollectionInputLike): void {
  if (input.title !== undefined && input.title !== null) c.title = input.title.trim();
  if (input.descriptionHtml !== undefined) c.descriptionHtml = input.descriptionHtml ?? '';
  if (input.sortOrder !== undefined && input.sortOrder !== null) c.sortOrder = input.sortOrder;
  if (input.templateSuffix !== undefined) c.templateSuffix = input.templateSuffix;
  if (input.seo !== undefined) {
    c.seoTitle = input.seo?.title ?? null;
    c.seoDescription = input.seo?.description ?? null;
  }
}

const MF_CODES = { blank: '', invalidType: '', invalidValue: '', taken: '', invalid: '' };
const noCodes = (errs: UserErrorView[]) => errs.map((e) => ({ ...e, code: null }));

function newJob(core: SandboxCore): JobRec {
  const job: JobRec = { id: gid('Job', '0').replace('/0', `/${randomUUID()}`), doneAt: core.now() + core.index.lag };
  T.jobs(core.state).set(job);
  return job;
}

function jobView(core: SandboxCore, j: JobRec) {
  return { __typename: 'Job', id: j.id, done: () => core.now() >= j.doneAt, query: () => (core.now() >= j.doneAt ? {} : null) };
}

function collectionCreate(_s: unknown, args: { collection?: CollectionInputLike | null }, ctx: RequestContext) {
  const core = ctx.core;
  const input = args.collection;
  if (!input) return { collection: null, userErrors: [userError(['collection'], 'Collection input is required (the deprecated `input` argument is not supported).')] };
  const errors: UserErrorView[] = [];
  if (!input.title || input.title.trim() === '') errors.push(userError(['title'], "Title can't be blank"));
  const handle = input.handle ? (HANDLE_RE.test(input.handle) ? input.handle : slugify(input.handle)) : null;
  if (handle !== null && (handle === '' || collectionByHandle(ctx.state, handle))) errors.push(userError(['handle'], `Handle '${input.handle}' has already been taken`));
  const sources = (input.sources ?? []).map((t, i) => {
    if (!t.source) throw unsupported('CollectionCreateSourceTargetInput without source');
    return sourceFrom(core, t.source, ['sources', i, 'source'], errors);
  });
  const batch: MetafieldWrite[] = [];
  const mf: MetafieldWrite[] = [];
  (input.metafields ?? []).forEach((m, k) => {
    const r = planMetafield(ctx.state, 'COLLECTION', null, m, ['metafields', k], batch, MF_CODES);
    errors.push(...noCodes(r.errors));
    if (r.write) mf.push(r.write);
  });
  if (errors.length) return { collection: null, userErrors: errors };
  const now = core.nowIso();
  const c: CollectionRec = {
    id: gid('Collection', ctx.state.nextId('Collection')),
    title: '',
    handle: handle ?? uniqueHandle(slugify(input.title ?? ''), (h) => !!collectionByHandle(ctx.state, h), 'collection'),
    descriptionHtml: '',
    sortOrder: 'BEST_SELLING',
    templateSuffix: null,
    seoTitle: null,
    seoDescription: null,
    createdAt: now,
    updatedAt: now,
    sources,
    publications: {},
  };
  applyScalars(c, input);
  T.collections(ctx.state).set(c);
  for (const w of mf) applyMetafield(core, w, c.id);
  collectionChanged(core, c, true, 'collections/create');
  return { collection: collectionView(core, c), userErrors: [] };
}

function collectionUpdate(_s: unknown, args: { collection?: CollectionInputLike | null }, ctx: RequestContext) {
  const core = ctx.core;
  const input = args.collection;
  if (!input) return { collection: null, job: null, userErrors: [userError(['collection'], 'Collection input is required (the deprecated `input` argument is not supported).')] };
  if (!input.id) return { collection: null, job: null, userErrors: [userError(['id'], 'Collection id is required.')] };
  const c = T.collections(ctx.state).get(gidOf(input.id, 'Collection') ?? '');
  if (!c) return { collection: null, job: null, userErrors: [userError(['id'], 'Collection does not exist')] };
  const errors: UserErrorView[] = [];
  if (input.title !== undefined && (input.title === null || input.title.trim() === '')) errors.push(userError(['title'], "Title can't be blank"));
  const handle = input.handle ? (HANDLE_RE.test(input.handle) ? input.handle : slugify(input.handle)) : null;
  if (handle !== null && handle !== c.handle) {
    const other = collectionByHandle(ctx.state, handle);
    if (handle === '' || (other && other.id !== c.id)) errors.push(userError(['handle'], `Handle '${input.handle}' has already been taken`));
  }
  // Work on a copy of the sources so a failed update changes nothing.
  let sources: SourceRec[] = structuredClone(c.sources);
  let rulesChanged = false;
  for (const id of input.sourcesToDelete ?? []) {
    if (!sources.some((s) => s.id === id)) errors.push(userError(['sourcesToDelete'], `Source ${id} does not belong to this collection.`));
    sources = sources.filter((s) => s.id !== id);
    rulesChanged = true;
  }
  (input.sourcesToCreate ?? []).forEach((t, i) => {
    if (!t.source) throw unsupported('CollectionCreateSourceTargetInput without source');
    sources.push(sourceFrom(core, t.source, ['sourcesToCreate', i, 'source'], errors));
    rulesChanged = true;
  });
  (input.sourcesToUpdate ?? []).forEach((t, i) => {
    const u = t.condition;
    if (!u) throw unsupported('CollectionUpdateSourceTargetInput without condition');
    const path = ['sourcesToUpdate', i, 'condition'];
    const s = sources.find((x) => x.id === u.id);
    if (!s) return errors.push(userError([...path, 'id'], `Source ${u.id} does not belong to this collection.`));
    if (u.title !== undefined && u.title !== null) s.title = u.title;
    if (u.description !== undefined) s.description = u.description;
    const inc = u.inclusion;
    if (!inc) return;
    rulesChanged = true;
    if (inc.matchType !== undefined && inc.matchType !== null) s.inclusion.matchType = inc.matchType;
    for (const id of inc.conditionsToDelete ?? []) {
      if (!s.inclusion.conditions.some((x) => x.id === id)) errors.push(userError([...path, 'inclusion', 'conditionsToDelete'], `Condition ${id} does not exist on source ${s.id}.`));
      s.inclusion.conditions = s.inclusion.conditions.filter((x) => x.id !== id);
    }
    (inc.conditionsToUpdate ?? []).forEach((cu, k) => {
      const idx = s.inclusion.conditions.findIndex((x) => x.id === cu.id);
      if (idx < 0) return errors.push(userError([...path, 'inclusion', 'conditionsToUpdate', k, 'id'], `Condition ${cu.id} does not exist on source ${s.id}.`));
      const rec = buildCondition(core, cu.condition, [...path, 'inclusion', 'conditionsToUpdate', k, 'condition'], errors, s.inclusion.conditions[idx]);
      if (rec) s.inclusion.conditions[idx] = rec;
    });
    (inc.conditionsToCreate ?? []).forEach((cc, k) => {
      const rec = buildCondition(core, cc, [...path, 'inclusion', 'conditionsToCreate', k], errors);
      if (rec) s.inclusion.conditions.push(rec);
    });
    const add = selectionsFrom(core, inc.selectionsToAdd ?? [], [...path, 'inclusion', 'selectionsToAdd'], errors);
    for (const a of add) if (!s.inclusion.selections.some((x) => x.productId === a.productId)) s.inclusion.selections.push(a);
    const remove = new Set((inc.selectionsToRemove ?? []).map((x) => x.productId));
    s.inclusion.selections = s.inclusion.selections.filter((x) => !remove.has(x.productId));
  });
  const batch: MetafieldWrite[] = [];
  const mf: MetafieldWrite[] = [];
  (input.metafields ?? []).forEach((m, k) => {
    const r = planMetafield(ctx.state, 'COLLECTION', c.id, m, ['metafields', k], batch, MF_CODES);
    errors.push(...noCodes(r.errors));
    if (r.write) mf.push(r.write);
  });
  if (errors.length) return { collection: null, job: null, userErrors: errors };
  applyScalars(c, input);
  if (handle && handle !== c.handle) c.handle = handle;
  c.sources = sources;
  for (const w of mf) applyMetafield(core, w, c.id);
  collectionChanged(core, c, rulesChanged);
  return { collection: collectionView(core, c), job: rulesChanged ? jobView(core, newJob(core)) : null, userErrors: [] };
}

function findCollection(ctx: RequestContext, ident: { id?: string | null; handle?: string | null; customId?: { namespace?: string | null; key: string; value: string } | null }): CollectionRec | undefined {
  if (ident.id) return T.collections(ctx.state).get(gidOf(ident.id, 'Collection') ?? '');
  if (ident.handle) return collectionByHandle(ctx.state, ident.handle);
  if (ident.customId) {
    const r = findOwnerByCustomId(ctx.state, 'COLLECTION', ident.customId);
    if (!r.definition?.uniqueValues) throw badRequest(customIdProblem('COLLECTION', ident.customId.namespace ?? ctx.state.shop.appNamespace, ident.customId.key));
    return r.ownerId ? T.collections(ctx.state).get(r.ownerId) : undefined;
  }
  return undefined;
}

/** `Product.collections`: the collections the product is in (as the membership job last saw it). */
export function collectionsOfProductView(ctx: RequestContext, productId: string, args: { query?: string | null; sortKey?: string; first?: number; last?: number; after?: string; before?: string; reverse?: boolean }, pathKey: string | number) {
  const sortKey = requireSortKey('CollectionSortKeys', args.sortKey, ['ID', 'TITLE', 'UPDATED_AT', 'RELEVANCE']);
  let rows = collectionIdsOfProduct(ctx.core, productId, false).map((id) => T.collections(ctx.state).get(id)!);
  if (args.query) {
    const search = new CompiledSearch(args.query, COLLECTION_SEARCH);
    const visible = new Map(ctx.core.index.visible('Collection'));
    rows = rows.filter((c) => {
      const d = visible.get(c.id);
      return d ? search.matches(withMembers(ctx.core, c.id, d, args.query!)) : false;
    });
    if (search.warnings.length) ctx.searchWarnings.push({ path: [pathKey], query: args.query, warnings: search.warnings });
  }
  return paginate(rows, args, (c) => collectionSortKey(sortKey, c), (c) => collectionView(ctx.core, c));
}

function collectionSortKey(key: string, c: CollectionRec): SortTuple {
  const id = parseGid(c.id)!.id;
  if (key === 'TITLE') return [c.title, id];
  if (key === 'UPDATED_AT') return [c.updatedAt, id];
  return [id];
}

/** Adds `product_id` (the members) to a collection's search document when the query filters on it. */
function withMembers(core: SandboxCore, id: string, doc: SearchDoc, query: string): SearchDoc {
  if (!query.includes('product_id')) return doc;
  const c = T.collections(core.state).get(id);
  return c ? { ...doc, product_id: membersOf(core, c).map((p) => p.id) } : doc;
}

export function collectionsModule(registry: Registry): void {
  registry.search({
    name: 'Collection',
    spec: COLLECTION_SEARCH,
    document: (core, id) => {
      const c = T.collections(core.state).get(id);
      if (!c) return null;
      const smart = c.sources.some((s) => s.inclusion.conditions.length > 0);
      // product_id is filled in at query time (membership changes with every product edit).
      return { id: c.id, title: c.title, handle: c.handle, collection_type: smart ? 'smart' : 'custom', updated_at: c.updatedAt };
    },
  });
  registry.metafieldOwner({
    gidType: 'Collection',
    ownerType: 'COLLECTION',
    writeScopes: [['write_products']],
    exists: (core, id) => T.collections(core.state).has(id),
    view: (core, id) => collectionView(core, T.collections(core.state).get(id)!),
    touched: (core, id) => {
      const c = T.collections(core.state).get(id);
      if (c) collectionChanged(core, c, false);
    },
  });
  registerHasMetafields(registry, 'Collection');
  registerPublishable({
    gidType: 'Collection',
    get: (core, id) => T.collections(core.state).get(id),
    view: (core, id) => collectionView(core, T.collections(core.state).get(id)!),
    changed: (core, id) => collectionChanged(core, T.collections(core.state).get(id)!, false),
  });

  registry.input('CollectionCreateInput', ['title', 'handle', 'descriptionHtml', 'sortOrder', 'templateSuffix', 'seo', 'metafields', 'sources']);
  registry.input('CollectionUpdateInput', ['id', 'title', 'handle', 'descriptionHtml', 'sortOrder', 'templateSuffix', 'seo', 'metafields', 'sourcesToCreate', 'sourcesToDelete', 'sourcesToUpdate', 'redirectNewHandle']);
  registry.input('CollectionCreateSourceTargetInput', ['source']);
  registry.input('CollectionCreateConditionsSourceInput', ['title', 'description', 'targetType', 'inclusion', 'exclusion']);
  registry.input('CollectionCreateSourceInclusionInput', ['matchType', 'conditions', 'selections']);
  registry.input('CollectionCreateSourceExclusionInput', ['matchType', 'conditions', 'selections']);
  registry.input('CollectionInclusionProductSelectionInput', ['productId', 'variantIds']);
  registry.input('CollectionExclusionProductSelectionInput', ['productId']);
  const inclusionKinds = ['productTag', 'productTitle', 'productType', 'productVendor', 'productStatus', 'variantPrice', 'variantCompareAtPrice', 'variantTitle'];
  registry.input('CollectionSourceInclusionConditionInput', inclusionKinds);
  registry.input('CollectionSourceInclusionConditionUpdateInput', inclusionKinds);
  registry.input('CollectionSourceExclusionConditionInput', ['productTag', 'productType', 'productVendor']);
  for (const k of ['ProductTag', 'ProductTitle', 'ProductType', 'ProductVendor', 'ProductStatus', 'VariantPrice', 'VariantCompareAtPrice', 'VariantTitle']) {
    registry.input(`CollectionSourceInclusionCondition${k}Input`, '*');
    registry.input(`CollectionSourceInclusionConditionUpdate${k}Input`, '*');
  }
  for (const k of ['ProductTag', 'ProductType', 'ProductVendor']) registry.input(`CollectionSourceExclusionCondition${k}Input`, '*');
  registry.input('MoneyInput', '*');
  registry.input('CollectionUpdateSourceTargetInput', ['condition']);
  registry.input('CollectionUpdateConditionsSourceInput', ['id', 'title', 'description', 'inclusion']);
  registry.input('CollectionUpdateSourceInclusionInput', ['matchType', 'conditionsToCreate', 'conditionsToUpdate', 'conditionsToDelete', 'selectionsToAdd', 'selectionsToRemove']);
  registry.input('CollectionUpdateSourceInclusionConditionInput', ['id', 'condition']);
  registry.input('CollectionIdentifierInput', '*');
  registry.input('CollectionDeleteInput', ['id']);

  registry.field('Mutation.collectionCreate', collectionCreate as never, { args: ['collection'] });
  registry.field('Mutation.collectionUpdate', collectionUpdate as never, { args: ['collection'] });
  registry.field(
    'Mutation.collectionDelete',
    (_s, args: { input: { id: string } }, ctx: RequestContext) => {
      const c = T.collections(ctx.state).get(gidOf(args.input.id, 'Collection') ?? '');
      const shop = shopView(ctx.core);
      if (!c) return { deletedCollectionId: null, shop, userErrors: [userError(['input', 'id'], 'Collection does not exist')] };
      T.collections(ctx.state).delete(c.id);
      deleteMetafieldsOf(ctx.state, c.id);
      ctx.core.touch('Collection', c.id);
      reindexAllProducts(ctx.core);
      ctx.core.emit('collections/delete', c.id);
      return { deletedCollectionId: c.id, shop, userErrors: [] };
    },
    { args: ['input'] },
  );
  for (const m of ['collectionCreate', 'collectionUpdate', 'collectionDelete']) registry.scope(`Mutation.${m}`, [['write_products']]);

  const read = [['read_products']] as const;
  registry.scope('QueryRoot.collection', read);
  registry.field('QueryRoot.collection', (_s, args: { id: string }, ctx: RequestContext) => {
    const c = T.collections(ctx.state).get(gidOf(args.id, 'Collection') ?? '');
    return c ? collectionView(ctx.core, c) : null;
  }, { args: ['id'] });
  registry.scope('QueryRoot.collectionByHandle', read);
  registry.field('QueryRoot.collectionByHandle', (_s, args: { handle: string }, ctx: RequestContext) => {
    const c = collectionByHandle(ctx.state, args.handle);
    return c ? collectionView(ctx.core, c) : null;
  }, { args: ['handle'] });
  registry.scope('QueryRoot.collectionByIdentifier', read);
  registry.field('QueryRoot.collectionByIdentifier', (_s, args: { identifier: Parameters<typeof findCollection>[1] }, ctx: RequestContext) => {
    const c = findCollection(ctx, args.identifier);
    return c ? collectionView(ctx.core, c) : null;
  }, { args: ['identifier'] });
  registry.scope('QueryRoot.collections', read);
  registry.field(
    'QueryRoot.collections',
    (_s, args: { query?: string | null; sortKey?: string; first?: number; last?: number; after?: string; before?: string; reverse?: boolean }, ctx: RequestContext, info) => {
      const sortKey = requireSortKey('CollectionSortKeys', args.sortKey, ['ID', 'TITLE', 'UPDATED_AT', 'RELEVANCE']);
      let ids = [...ctx.core.index.visible('Collection')];
      if (args.query) {
        const search = new CompiledSearch(args.query, COLLECTION_SEARCH);
        ids = ids.filter(([id, d]) => search.matches(withMembers(ctx.core, id, d, args.query!)));
        if (search.warnings.length) ctx.searchWarnings.push({ path: [info.path.key], query: args.query, warnings: search.warnings });
      }
      const rows = ids.map(([id]) => T.collections(ctx.state).get(id)).filter((c): c is CollectionRec => !!c);
      return paginate(rows, args, (c) => collectionSortKey(sortKey, c), (c) => collectionView(ctx.core, c));
    },
    { args: ['first', 'last', 'after', 'before', 'reverse', 'query', 'sortKey'] },
  );
  registry.scope('QueryRoot.collectionsCount', read);
  registry.field('QueryRoot.collectionsCount', (_s, args: { query?: string | null }, ctx: RequestContext) => {
    const docs = [...ctx.core.index.visible('Collection')];
    const search = args.query ? new CompiledSearch(args.query, COLLECTION_SEARCH) : null;
    return countView(docs.filter(([id, d]) => T.collections(ctx.state).has(id) && (!search || search.matches(withMembers(ctx.core, id, d, args.query!)))).length);
  }, { args: ['query'] });

  registry.scope('QueryRoot.job', 'none');
  registry.field('QueryRoot.job', (_s, args: { id: string }, ctx: RequestContext) => {
    const j = T.jobs(ctx.state).get(args.id);
    return j ? jobView(ctx.core, j) : null;
  }, { args: ['id'] });
}
