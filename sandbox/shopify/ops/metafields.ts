// Metafields on any owner (products, variants, collections now; customers, orders, companies later via
// registry.metafieldOwner), metafield definitions, `metafieldsSet` (max 25, atomic, compareDigest) and
// custom-id lookups over unique definitions (type `id`, or uniqueValues enabled).
import { createHash } from 'node:crypto';
import type { RequestContext } from '../context.js';
import type { SandboxCore } from '../core.js';
import { paginate } from '../connection.js';
import { gid, parseGid } from '../gid.js';
import type { Registry, MetafieldOwnerKind } from '../registry.js';
import { accessDenied, scopeSatisfied, unsupported } from '../registry.js';
import type { SandboxState } from '../state.js';
import { T } from './model.js';
import type { MetafieldDefinitionRec, MetafieldRec } from './model.js';
import { userError } from './common.js';
import type { UserErrorView } from './common.js';

// ---- derived lookups (rebuilt per state; every write goes through putMetafield/deleteMetafield) ----

interface MfIndex {
  byOwner: Map<string, Set<string>>;
  byValue: Map<string, Set<string>>;
}
const indexes = new WeakMap<SandboxState, MfIndex>();

const valueKey = (ownerType: string, ns: string, key: string, value: string) => `${ownerType}|${ns}|${key}|${value}`;

function idx(state: SandboxState): MfIndex {
  let i = indexes.get(state);
  if (!i) {
    i = { byOwner: new Map(), byValue: new Map() };
    for (const m of T.metafields(state).values()) addToIndex(i, m);
    indexes.set(state, i);
  }
  return i;
}

function addToIndex(i: MfIndex, m: MetafieldRec): void {
  let s = i.byOwner.get(m.ownerId);
  if (!s) i.byOwner.set(m.ownerId, (s = new Set()));
  s.add(m.id);
  const vk = valueKey(m.ownerType, m.namespace, m.key, m.value);
  let v = i.byValue.get(vk);
  if (!v) i.byValue.set(vk, (v = new Set()));
  v.add(m.id);
}

function removeFromIndex(i: MfIndex, m: MetafieldRec): void {
  i.byOwner.get(m.ownerId)?.delete(m.id);
  i.byValue.get(valueKey(m.ownerType, m.namespace, m.key, m.value))?.delete(m.id);
}

export function metafieldsOf(state: SandboxState, ownerId: string): MetafieldRec[] {
  const ids = idx(state).byOwner.get(ownerId);
  if (!ids) return [];
  return [...ids].map((id) => T.metafields(state).get(id)!).filter(Boolean);
}

export function findMetafield(state: SandboxState, ownerId: string, ns: string, key: string): MetafieldRec | undefined {
  return metafieldsOf(state, ownerId).find((m) => m.namespace === ns && m.key === key);
}

export function putMetafield(state: SandboxState, m: MetafieldRec): void {
  const i = idx(state);
  const old = T.metafields(state).get(m.id);
  if (old) removeFromIndex(i, old);
  T.metafields(state).set(m);
  addToIndex(i, m);
}

export function deleteMetafield(state: SandboxState, id: string): void {
  const old = T.metafields(state).get(id);
  if (!old) return;
  removeFromIndex(idx(state), old);
  T.metafields(state).delete(id);
}

export function deleteMetafieldsOf(state: SandboxState, ownerId: string): void {
  for (const m of metafieldsOf(state, ownerId)) deleteMetafield(state, m.id);
}

export function findDefinition(state: SandboxState, ownerType: string, ns: string, key: string): MetafieldDefinitionRec | undefined {
  for (const d of T.metafieldDefinitions(state).values()) if (d.ownerType === ownerType && d.namespace === ns && d.key === key) return d;
  return undefined;
}

/** Owner GID of the metafield with this unique value, or null. Needs a definition with unique values. */
export function findOwnerByCustomId(
  state: SandboxState,
  ownerType: string,
  ident: { namespace?: string | null; key: string; value: string },
): { ownerId: string | null; definition: MetafieldDefinitionRec | undefined } {
  const ns = ident.namespace ?? state.shop.appNamespace;
  const definition = findDefinition(state, ownerType, ns, ident.key);
  if (!definition?.uniqueValues) return { ownerId: null, definition };
  const ids = idx(state).byValue.get(valueKey(ownerType, ns, ident.key, ident.value));
  const first = ids ? [...ids][0] : undefined;
  return { ownerId: first ? T.metafields(state).get(first)!.ownerId : null, definition };
}

export function customIdProblem(ownerType: string, ns: string, key: string): string {
  return `No metafield definition with unique values exists for ${ownerType} ${ns}.${key}: create one with metafieldDefinitionCreate (type "id") before using it as a custom ID.`;
}

// ---- types and values ----

const TYPE_CATEGORY: Record<string, string> = {
  single_line_text_field: 'TEXT',
  multi_line_text_field: 'TEXT',
  rich_text_field: 'TEXT',
  id: 'TEXT',
  url: 'URL',
  color: 'COLOR',
  json: 'JSON',
  boolean: 'TRUE_FALSE',
  number_integer: 'NUMBER',
  number_decimal: 'NUMBER',
  rating: 'NUMBER',
  date: 'DATE_TIME',
  date_time: 'DATE_TIME',
  money: 'MONEY',
  weight: 'MEASUREMENT',
  volume: 'MEASUREMENT',
  dimension: 'MEASUREMENT',
  link: 'LINK',
  product_reference: 'REFERENCE',
  variant_reference: 'REFERENCE',
  collection_reference: 'REFERENCE',
  customer_reference: 'REFERENCE',
  company_reference: 'REFERENCE',
  file_reference: 'REFERENCE',
  metaobject_reference: 'REFERENCE',
  page_reference: 'REFERENCE',
};
const LISTABLE = new Set([
  'single_line_text_field',
  'number_integer',
  'number_decimal',
  'date',
  'date_time',
  'url',
  'color',
  'rating',
  'weight',
  'volume',
  'dimension',
  'link',
  'product_reference',
  'variant_reference',
  'collection_reference',
  'customer_reference',
  'company_reference',
  'file_reference',
  'metaobject_reference',
  'page_reference',
]);
const REFERENCE_GID: Record<string, string> = {
  product_reference: 'Product',
  variant_reference: 'ProductVariant',
  collection_reference: 'Collection',
  customer_reference: 'Customer',
  company_reference: 'Company',
  page_reference: 'Page',
  metaobject_reference: 'Metaobject',
};
/** Types whose definitions may enable unique values (an `id` definition always has them). */
export const UNIQUE_CAPABLE = new Set(['id', 'single_line_text_field', 'number_integer', 'url']);

export function isKnownType(type: string): boolean {
  if (type in TYPE_CATEGORY) return true;
  return type.startsWith('list.') && LISTABLE.has(type.slice(5));
}

function jsonParse(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

/** null when valid, else why not. */
function scalarProblem(type: string, v: unknown): string | null {
  const s = typeof v === 'string' ? v : null;
  switch (type) {
    case 'single_line_text_field':
      return s !== null && !/[\r\n]/.test(s) ? null : 'must be a single line of text';
    case 'multi_line_text_field':
      return s !== null ? null : 'must be text';
    case 'id':
      return s !== null && s.trim() !== '' && s.length <= 255 && !/[\r\n]/.test(s) ? null : 'must be a non-blank single line of at most 255 characters';
    case 'number_integer': {
      if (s === null || !/^-?\d+$/.test(s.trim())) return 'must be an integer';
      const n = BigInt(s.trim());
      return n >= -9007199254740991n && n <= 9007199254740991n ? null : 'is out of range';
    }
    case 'number_decimal':
      return s !== null && /^-?\d+(\.\d+)?$/.test(s.trim()) ? null : 'must be a decimal number';
    case 'boolean':
      return s === 'true' || s === 'false' ? null : 'must be "true" or "false"';
    case 'date':
      return s !== null && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)) ? null : 'must be a date (YYYY-MM-DD)';
    case 'date_time':
      return s !== null && /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)) ? null : 'must be an ISO 8601 date and time';
    case 'url':
      return s !== null && /^(https?|mailto|sms|tel):/i.test(s) ? null : 'must be a URL with an http, https, mailto, sms or tel scheme';
    case 'color':
      return s !== null && /^#[0-9A-Fa-f]{6}$/.test(s) ? null : 'must be a hex colour like #1A2B3C';
    default: {
      const ref = REFERENCE_GID[type];
      if (ref) return s !== null && parseGid(s)?.type === ref ? null : `must be a ${ref} GID`;
      if (type === 'file_reference') return s !== null && parseGid(s) ? null : 'must be a file GID';
      return null;
    }
  }
}

/** Validates and normalises a value; returns [normalised] or [null, problem]. */
export function checkValue(type: string, value: string): [string, null] | [null, string] {
  if (type === 'json' || type === 'rich_text_field' || type === 'money' || type === 'rating' || type === 'link' || type === 'weight' || type === 'volume' || type === 'dimension') {
    const j = jsonParse(value);
    if (j === undefined) return [null, 'must be valid JSON'];
    if (type === 'money') {
      const o = j as { amount?: unknown; currency_code?: unknown };
      if (!o || typeof o !== 'object' || typeof o.amount !== 'string' || typeof o.currency_code !== 'string') return [null, 'must be JSON like {"amount":"5.99","currency_code":"EUR"}'];
    }
    if (type === 'weight' || type === 'volume' || type === 'dimension') {
      const o = j as { value?: unknown; unit?: unknown };
      if (!o || typeof o !== 'object' || typeof o.value !== 'number' || typeof o.unit !== 'string') return [null, 'must be JSON like {"value":2.5,"unit":"KILOGRAMS"}'];
    }
    return [JSON.stringify(j), null];
  }
  if (type.startsWith('list.')) {
    const j = jsonParse(value);
    if (!Array.isArray(j)) return [null, 'must be a JSON array'];
    const inner = type.slice(5);
    for (const el of j) {
      const p = scalarProblem(inner, typeof el === 'number' ? String(el) : el);
      if (p) return [null, `every element ${p}`];
    }
    return [JSON.stringify(j), null];
  }
  const p = scalarProblem(type, value);
  return p ? [null, p] : [type === 'number_integer' || type === 'number_decimal' ? value.trim() : value, null];
}

export function digestOf(m: Pick<MetafieldRec, 'type' | 'value'>): string {
  return createHash('sha256').update(`${m.type}\u0000${m.value}`).digest('hex');
}

const KEY_RE = /^[A-Za-z0-9_-]+$/;

function nameProblems(ns: string, key: string, path: (string | number)[], fieldNs = 'namespace', fieldKey = 'key'): UserErrorView[] {
  const out: UserErrorView[] = [];
  if (ns.length < 3) out.push(userError([...path, fieldNs], 'Namespace is too short (minimum is 3 characters)', 'TOO_SHORT'));
  else if (ns.length > 255) out.push(userError([...path, fieldNs], 'Namespace is too long (maximum is 255 characters)', 'TOO_LONG'));
  else if (!KEY_RE.test(ns)) out.push(userError([...path, fieldNs], 'Namespace contains one or more invalid characters: only letters, digits, - and _ are allowed', 'INVALID'));
  if (key.length < 2) out.push(userError([...path, fieldKey], 'Key is too short (minimum is 2 characters)', 'TOO_SHORT'));
  else if (key.length > 64) out.push(userError([...path, fieldKey], 'Key is too long (maximum is 64 characters)', 'TOO_LONG'));
  else if (!KEY_RE.test(key)) out.push(userError([...path, fieldKey], 'Key contains one or more invalid characters: only letters, digits, - and _ are allowed', 'INVALID'));
  return out;
}

// ---- planning writes (shared by metafieldsSet and the product/collection inputs) ----

export interface MetafieldWrite {
  ownerId: string | null; // null = owner created by the same mutation
  ownerType: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
  existing: MetafieldRec | undefined;
  /** Identifies the owner within one mutation, also for owners the mutation creates (several new variants). */
  batchOwner: string | null;
}

export interface MetafieldInputLike {
  id?: string | null;
  namespace?: string | null;
  key?: string | null;
  type?: string | null;
  value?: string | null;
  compareDigest?: string | null;
}

/**
 * Validates one metafield input against definitions, existing values and uniqueness. `path` is the
 * userError field prefix. `batch` collects the writes already planned in the same call (uniqueness and
 * duplicates inside one request).
 */
export function planMetafield(
  state: SandboxState,
  ownerType: string,
  ownerId: string | null,
  input: MetafieldInputLike,
  path: (string | number)[],
  batch: MetafieldWrite[],
  codes: { blank: string; invalidType: string; invalidValue: string; taken: string; stale?: string; invalidDigest?: string; invalid: string; tooShort?: string; tooLong?: string },
  /** For an owner the same mutation creates: a name unique within the mutation (default: the owner id). */
  batchOwner: string | null = ownerId,
): { write: MetafieldWrite | null; errors: UserErrorView[] } {
  const errors: UserErrorView[] = [];
  let existing: MetafieldRec | undefined;
  let ns = input.namespace ?? state.shop.appNamespace;
  let key = input.key ?? '';
  if (input.id) {
    existing = T.metafields(state).get(input.id);
    if (!existing || (ownerId !== null && existing.ownerId !== ownerId)) {
      return { write: null, errors: [userError([...path, 'id'], 'Metafield does not exist', codes.invalid)] };
    }
    ns = input.namespace ?? existing.namespace;
    key = input.key ?? existing.key;
  }
  if (!input.id && !input.key) return { write: null, errors: [userError([...path, 'key'], "Key can't be blank", codes.blank)] };
  const nameCode = (c: string | null) => (c === 'TOO_SHORT' ? (codes.tooShort ?? codes.invalid) : c === 'TOO_LONG' ? (codes.tooLong ?? codes.invalid) : codes.invalid);
  errors.push(...nameProblems(ns, key, path).map((e) => ({ ...e, code: nameCode(e.code) })));
  if (errors.length) return { write: null, errors };
  if (!existing && ownerId) existing = findMetafield(state, ownerId, ns, key);
  const def = findDefinition(state, ownerType, ns, key);
  const type = input.type ?? def?.type ?? existing?.type;
  if (!type) return { write: null, errors: [userError([...path, 'type'], "Type can't be blank: no metafield definition exists for this namespace and key, so the type is required.", codes.blank)] };
  if (!isKnownType(type)) return { write: null, errors: [userError([...path, 'type'], `Type '${type}' is not a valid metafield type.`, codes.invalidType)] };
  if (def && type !== def.type) return { write: null, errors: [userError([...path, 'type'], `Type '${type}' must be consistent with the definition's type: '${def.type}'.`, codes.invalidType)] };
  if (!def && existing && type !== existing.type) return { write: null, errors: [userError([...path, 'type'], `Type '${type}' does not match the existing metafield's type '${existing.type}'.`, codes.invalidType)] };
  if (input.value === null || input.value === undefined) return { write: null, errors: [userError([...path, 'value'], "Value can't be blank", codes.blank)] };
  const [value, problem] = checkValue(type, input.value);
  if (value === null) return { write: null, errors: [userError([...path, 'value'], `Value ${problem}.`, codes.invalidValue)] };

  if ('compareDigest' in input && codes.stale) {
    const d = input.compareDigest;
    if (d === null || d === undefined) {
      if (existing) errors.push(userError([...path, 'compareDigest'], 'The metafield has been modified since it was loaded: it already exists (compareDigest null means it must not).', codes.stale));
    } else if (!/^[0-9a-f]{64}$/.test(d)) {
      errors.push(userError([...path, 'compareDigest'], 'The compareDigest is invalid.', codes.invalidDigest ?? codes.invalid));
    } else if (!existing || digestOf(existing) !== d) {
      errors.push(userError([...path, 'compareDigest'], 'The metafield has been modified since it was loaded.', codes.stale));
    }
  }

  const unique = def?.uniqueValues ?? false;
  if (unique) {
    const ids = idx(state).byValue.get(valueKey(ownerType, ns, key, value));
    const clash = ids && [...ids].some((id) => T.metafields(state).get(id)!.ownerId !== ownerId);
    const batchClash = batch.some((w) => w.ownerType === ownerType && w.namespace === ns && w.key === key && w.value === value && w.batchOwner !== batchOwner);
    if (clash || batchClash) errors.push(userError([...path, 'value'], `Value '${value}' is already taken: ${ns}.${key} values must be unique.`, codes.taken));
  }
  if (batch.some((w) => w.batchOwner === batchOwner && w.ownerType === ownerType && w.namespace === ns && w.key === key)) {
    errors.push(userError(path, `The metafield ${ns}.${key} appears more than once for the same owner.`, codes.invalid));
  }
  if (errors.length) return { write: null, errors };
  const write: MetafieldWrite = { ownerId, ownerType, namespace: ns, key, type, value, existing, batchOwner };
  batch.push(write);
  return { write, errors };
}

/** Applies a planned write; returns the stored record (unchanged values keep their timestamps). */
export function applyMetafield(core: SandboxCore, w: MetafieldWrite, ownerId: string): MetafieldRec {
  const state = core.state;
  const now = core.nowIso();
  const existing = w.existing ?? findMetafield(state, ownerId, w.namespace, w.key);
  if (existing) {
    if (existing.value === w.value && existing.type === w.type) return existing;
    const rec: MetafieldRec = { ...existing, value: w.value, type: w.type, updatedAt: now };
    putMetafield(state, rec);
    return rec;
  }
  const rec: MetafieldRec = {
    id: gid('Metafield', state.nextId('Metafield')),
    ownerId,
    ownerType: w.ownerType,
    namespace: w.namespace,
    key: w.key,
    type: w.type,
    value: w.value,
    createdAt: now,
    updatedAt: now,
  };
  putMetafield(state, rec);
  return rec;
}

// ---- views ----

export function ownerKindOf(core: SandboxCore, ownerId: string): MetafieldOwnerKind | undefined {
  const p = parseGid(ownerId);
  return p ? core.registry.metafieldOwners.get(p.type) : undefined;
}

export function metafieldView(core: SandboxCore, m: MetafieldRec) {
  return {
    __typename: 'Metafield',
    id: m.id,
    legacyResourceId: parseGid(m.id)!.id,
    namespace: m.namespace,
    key: m.key,
    type: m.type,
    value: m.value,
    jsonValue: () => jsonValueOf(m),
    compareDigest: digestOf(m),
    ownerType: m.ownerType,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    sizeInBytes: Buffer.byteLength(m.value, 'utf8'),
    description: null,
    definition: () => {
      const d = findDefinition(core.state, m.ownerType, m.namespace, m.key);
      return d ? definitionView(core, d) : null;
    },
    owner: () => {
      const kind = ownerKindOf(core, m.ownerId);
      if (!kind) throw unsupported(`Metafield.owner for ${m.ownerType}`);
      return kind.view(core, m.ownerId);
    },
    reference: () => {
      if (m.type in REFERENCE_GID || m.type === 'file_reference') throw unsupported('Metafield.reference');
      return null;
    },
  };
}

function jsonValueOf(m: MetafieldRec): unknown {
  switch (m.type) {
    case 'number_integer':
      return Number(m.value);
    case 'number_decimal':
      return m.value;
    case 'boolean':
      return m.value === 'true';
    default:
      if (m.type === 'json' || m.type.startsWith('list.') || ['money', 'rating', 'link', 'weight', 'volume', 'dimension', 'rich_text_field'].includes(m.type)) return JSON.parse(m.value);
      return m.value;
  }
}

export function definitionView(core: SandboxCore, d: MetafieldDefinitionRec) {
  const base = d.type.startsWith('list.') ? d.type.slice(5) : d.type;
  return {
    __typename: 'MetafieldDefinition',
    id: d.id,
    name: d.name,
    namespace: d.namespace,
    key: d.key,
    ownerType: d.ownerType,
    description: d.description,
    pinnedPosition: d.pinnedPosition,
    type: { name: d.type, category: TYPE_CATEGORY[base] ?? 'TEXT', supportsDefinitionMigrations: true },
    validationStatus: 'ALL_VALID',
    validations: [],
    useAsCollectionCondition: false,
    metafieldsCount: () => [...T.metafields(core.state).values()].filter((m) => m.ownerType === d.ownerType && m.namespace === d.namespace && m.key === d.key).length,
  };
}

/** Registers `metafield` and `metafields` on an owner type whose views carry `id`. */
export function registerHasMetafields(registry: Registry, typeName: string): void {
  registry.field(
    `${typeName}.metafield`,
    (src: { id: string }, args: { namespace?: string | null; key: string }, ctx: RequestContext) => {
      const m = findMetafield(ctx.state, src.id, args.namespace ?? ctx.state.shop.appNamespace, args.key);
      return m ? metafieldView(ctx.core, m) : null;
    },
    { args: ['namespace', 'key'] },
  );
  registry.field(
    `${typeName}.metafields`,
    (src: { id: string }, args: { namespace?: string | null; keys?: string[] | null; first?: number; last?: number; after?: string; before?: string; reverse?: boolean }, ctx: RequestContext) => {
      let list = metafieldsOf(ctx.state, src.id);
      if (args.namespace) list = list.filter((m) => m.namespace === args.namespace);
      if (args.keys) {
        const keys = new Set(args.keys);
        list = list.filter((m) => keys.has(`${m.namespace}.${m.key}`));
      }
      return paginate(list, args, (m) => [parseGid(m.id)!.id], (m) => metafieldView(ctx.core, m));
    },
    { args: ['namespace', 'keys', 'first', 'last', 'after', 'before', 'reverse'] },
  );
}

// ---- module ----

const SET_CODES = {
  blank: 'BLANK',
  invalidType: 'INVALID_TYPE',
  invalidValue: 'INVALID_VALUE',
  taken: 'TAKEN',
  stale: 'STALE_OBJECT',
  invalidDigest: 'INVALID_COMPARE_DIGEST',
  invalid: 'INVALID',
  tooShort: 'TOO_SHORT',
  tooLong: 'TOO_LONG',
};

export function metafieldsModule(registry: Registry): void {
  registry.input('MetafieldsSetInput', ['ownerId', 'namespace', 'key', 'type', 'value', 'compareDigest']);
  registry.input('MetafieldInput', ['id', 'namespace', 'key', 'type', 'value']);
  registry.input('MetafieldDefinitionInput', ['name', 'namespace', 'key', 'ownerType', 'type', 'description', 'pin', 'capabilities']);
  registry.input('MetafieldCapabilityCreateInput', ['uniqueValues']);
  registry.input('MetafieldCapabilityUniqueValuesInput', '*');
  registry.input('UniqueMetafieldValueInput', '*');

  // Access is "the same access level needed to mutate the owner resource": checked per owner below.
  registry.scope('Mutation.metafieldsSet', 'none');
  registry.field(
    'Mutation.metafieldsSet',
    (_src, args: { metafields: (MetafieldInputLike & { ownerId: string })[] }, ctx: RequestContext) => {
      const inputs = args.metafields;
      if (inputs.length > 25) {
        return { metafields: null, userErrors: [userError(['metafields'], `Exceeded the maximum metafields input limit of 25 (got ${inputs.length}).`, 'LESS_THAN_OR_EQUAL_TO')].map((e) => ({ ...e, elementIndex: null })) };
      }
      const errors: (UserErrorView & { elementIndex: number | null })[] = [];
      const batch: MetafieldWrite[] = [];
      const planned: { write: MetafieldWrite; ownerId: string }[] = [];
      inputs.forEach((input, i) => {
        const kind = ownerKindOf(ctx.core, input.ownerId);
        if (kind && !ctx.scopes.has('*') && !scopeSatisfied(kind.writeScopes, ctx.scopes)) throw accessDenied('metafieldsSet', kind.writeScopes);
        if (!kind || !kind.exists(ctx.core, input.ownerId)) {
          errors.push({ ...userError(['metafields', i, 'ownerId'], `Owner ${input.ownerId} does not exist.`, 'INVALID'), elementIndex: i });
          return;
        }
        const r = planMetafield(ctx.state, kind.ownerType, input.ownerId, input, ['metafields', i], batch, SET_CODES);
        for (const e of r.errors) errors.push({ ...e, elementIndex: i });
        if (r.write) planned.push({ write: r.write, ownerId: input.ownerId });
      });
      if (errors.length) return { metafields: null, userErrors: errors };
      const touchedOwners = new Set<string>();
      const out = planned.map(({ write, ownerId }) => {
        const before = write.existing;
        const rec = applyMetafield(ctx.core, write, ownerId);
        if (!before || before.value !== rec.value || before.type !== rec.type) touchedOwners.add(ownerId);
        return metafieldView(ctx.core, rec);
      });
      for (const ownerId of touchedOwners) ownerKindOf(ctx.core, ownerId)?.touched?.(ctx.core, ownerId);
      return { metafields: out, userErrors: [] };
    },
    { args: ['metafields'] },
  );

  // Shopify: "API client to have access to the namespace and the resource type" — app-level here.
  registry.scope('Mutation.metafieldDefinitionCreate', 'none');
  registry.field(
    'Mutation.metafieldDefinitionCreate',
    (
      _src,
      args: { definition: { name: string; namespace?: string | null; key: string; ownerType: string; type: string; description?: string | null; pin?: boolean; capabilities?: { uniqueValues?: { enabled: boolean } | null } | null } },
      ctx: RequestContext,
    ) => {
      const d = args.definition;
      const state = ctx.state;
      const ns = d.namespace ?? state.shop.appNamespace;
      const errors: UserErrorView[] = [];
      if (d.name.trim() === '') errors.push(userError(['definition', 'name'], "Name can't be blank", 'BLANK'));
      errors.push(...nameProblems(ns, d.key, ['definition']).map((e) => ({ ...e, code: e.code === 'INVALID' ? 'INVALID_CHARACTER' : e.code })));
      if (!isKnownType(d.type)) errors.push(userError(['definition', 'type'], `Type '${d.type}' is not included in the list of supported types.`, 'INCLUSION'));
      if (errors.length) return { createdDefinition: null, userErrors: errors };
      if (findDefinition(state, d.ownerType, ns, d.key)) {
        return { createdDefinition: null, userErrors: [userError(['definition', 'key'], `Key is in use for ${d.ownerType} metafields on the '${ns}' namespace.`, 'TAKEN')] };
      }
      const wantsUnique = d.capabilities?.uniqueValues?.enabled === true;
      if (wantsUnique && !UNIQUE_CAPABLE.has(d.type)) {
        return { createdDefinition: null, userErrors: [userError(['definition', 'capabilities', 'uniqueValues'], `Unique values are not available for the type '${d.type}'.`, 'INVALID_CAPABILITY')] };
      }
      const existing = [...T.metafields(state).values()].filter((m) => m.ownerType === d.ownerType && m.namespace === ns && m.key === d.key);
      if (existing.some((m) => m.type !== d.type)) {
        return { createdDefinition: null, userErrors: [userError(['definition', 'type'], `Metafields ${ns}.${d.key} already exist with another type; migrate or delete them first.`, 'UNSTRUCTURED_ALREADY_EXISTS')] };
      }
      const unique = d.type === 'id' || wantsUnique;
      if (unique && existing.length > 0) {
        const values = new Set<string>();
        for (const m of existing) {
          if (values.has(m.value)) {
            return { createdDefinition: null, userErrors: [userError(['definition', 'capabilities', 'uniqueValues'], `Existing ${ns}.${d.key} values are not unique, so unique values cannot be enforced.`, 'INVALID_CAPABILITY')] };
          }
          values.add(m.value);
        }
      }
      const pinned = d.pin ? [...T.metafieldDefinitions(state).values()].filter((x) => x.ownerType === d.ownerType && x.pinnedPosition !== null).length + 1 : null;
      const rec: MetafieldDefinitionRec = {
        id: gid('MetafieldDefinition', state.nextId('MetafieldDefinition')),
        name: d.name,
        namespace: ns,
        key: d.key,
        ownerType: d.ownerType,
        type: d.type,
        description: d.description ?? null,
        uniqueValues: unique,
        pinnedPosition: pinned,
        createdAt: ctx.core.nowIso(),
      };
      T.metafieldDefinitions(state).set(rec);
      return { createdDefinition: definitionView(ctx.core, rec), userErrors: [] };
    },
    { args: ['definition'] },
  );
}
