// Customers: customerByIdentifier (id / emailAddress / phoneNumber / customId), customer(id:), customers(query:)
// with Shopify's search syntax (email tokenised; quoted = the whole address), customerSet (identifier upsert,
// addresses replace), customerCreate / customerUpdate (CustomerInput; the deprecated `addresses` replaces the
// list, as Shopify still does), customerAddressCreate, metafields on customers (custom ids).
//
// Protected customer data (names, e-mail, phone, addresses) is served as plain values: the sandbox behaves
// like an app that was granted level-2 protected customer data access. Redaction is not simulated.
import type { RequestContext } from '../context.js';
import type { SandboxCore } from '../core.js';
import { countView, paginate } from '../connection.js';
import type { SortTuple } from '../connection.js';
import { gid, parseGid } from '../gid.js';
import type { Registry } from '../registry.js';
import { CompiledSearch } from '../search.js';
import type { SearchDoc, SearchSpec } from '../search.js';
import type { SandboxState, Table } from '../state.js';
import { addressFromInput, addressProblems, fullName, mailingAddressView, normalizePhone, registerAddressInput, sameAddress } from './addresses.js';
import type { AddressFields, MailingAddressInputLike } from './addresses.js';
import { badRequest, gidOf, normalizeTags, requireSortKey, userError, validateTags } from './common.js';
import type { UserErrorView } from './common.js';
import { applyMetafield, customIdProblem, findOwnerByCustomId, metafieldsOf, planMetafield, registerHasMetafields } from './metafields.js';
import type { MetafieldInputLike, MetafieldWrite } from './metafields.js';
import { registerTaggable } from './tags.js';

// ---------------------------------------------------------------------------------------------
// Records

export interface CustomerAddressRec extends AddressFields {
  /** `gid://shopify/MailingAddress/<n>?model_name=CustomerAddress` */
  id: string;
  customerId: string;
}

export interface CustomerRec {
  id: string;
  firstName: string | null;
  lastName: string | null;
  /** As given; lookups compare case-insensitively. */
  email: string | null;
  /** E.164. */
  phone: string | null;
  locale: string;
  note: string | null;
  tags: string[];
  taxExempt: boolean;
  taxExemptions: string[];
  state: 'DISABLED' | 'ENABLED' | 'INVITED' | 'DECLINED';
  verifiedEmail: boolean;
  multipassIdentifier: string | null;
  emailMarketing: { state: string; optInLevel: string | null; updatedAt: string | null };
  smsMarketing: { state: string; optInLevel: string; updatedAt: string | null };
  /** Address GIDs in creation order. */
  addressIds: string[];
  defaultAddressId: string | null;
  createdAt: string;
  updatedAt: string;
}

export const CT = {
  customers: (s: SandboxState): Table<CustomerRec> => s.table<CustomerRec>('customers'),
  addresses: (s: SandboxState): Table<CustomerAddressRec> => s.table<CustomerAddressRec>('customerAddresses'),
};

export function customerByEmail(state: SandboxState, email: string): CustomerRec | undefined {
  const want = email.trim().toLowerCase();
  for (const c of CT.customers(state).values()) if (c.email?.toLowerCase() === want) return c;
  return undefined;
}

export function customerByPhone(state: SandboxState, phone: string): CustomerRec | undefined {
  const want = normalizePhone(phone) ?? phone.trim();
  for (const c of CT.customers(state).values()) if (c.phone === want) return c;
  return undefined;
}

export function addressesOf(state: SandboxState, c: CustomerRec): CustomerAddressRec[] {
  return c.addressIds.map((id) => CT.addresses(state).get(id)).filter((a): a is CustomerAddressRec => !!a);
}

const EMAIL_RE = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[A-Za-z]{2,}$/;

// ---------------------------------------------------------------------------------------------
// Search

export const CUSTOMER_SEARCH: SearchSpec = {
  fields: {
    id: 'id',
    email: 'email',
    first_name: 'text',
    last_name: 'text',
    phone: 'keyword',
    tag: 'keyword',
    tag_not: 'keyword_not',
    state: 'keyword',
    country: 'keyword',
    company: 'text',
    created_at: 'date',
    customer_date: 'date',
    updated_at: 'date',
    orders_count: 'number',
    total_spent: 'number',
    accepts_marketing: 'boolean',
  },
  negates: { tag_not: 'tag' },
  prefixes: { 'metafields.': 'keyword' },
  defaultFields: ['first_name', 'last_name', 'email', 'phone', 'tag', 'company'],
};

/** Order statistics of a customer (registered by the orders module; absent = no orders). */
export interface CustomerOrderStats {
  count: number;
  totalSpent: string;
}

const statsProviders = new Set<(core: SandboxCore, customerId: string) => CustomerOrderStats>();

/** The orders module tells the customer index how many orders and how much a customer has. */
export function registerCustomerStats(fn: (core: SandboxCore, customerId: string) => CustomerOrderStats): void {
  statsProviders.add(fn);
}

function statsOf(core: SandboxCore, id: string): CustomerOrderStats {
  for (const fn of statsProviders) return fn(core, id);
  return { count: 0, totalSpent: '0.00' };
}

function customerDocument(core: SandboxCore, id: string): SearchDoc | null {
  const c = CT.customers(core.state).get(id);
  if (!c) return null;
  const addrs = addressesOf(core.state, c);
  const def = c.defaultAddressId ? CT.addresses(core.state).get(c.defaultAddressId) : undefined;
  const stats = statsOf(core, id);
  const doc: SearchDoc = {
    id: c.id,
    email: c.email,
    first_name: c.firstName,
    last_name: c.lastName,
    phone: c.phone,
    tag: c.tags,
    state: c.state.toLowerCase(),
    country: def ? [def.countryCode ?? ''].filter(Boolean) : [],
    company: addrs.map((a) => a.company).filter((x): x is string => !!x),
    created_at: c.createdAt,
    customer_date: c.createdAt,
    updated_at: c.updatedAt,
    orders_count: stats.count,
    total_spent: stats.totalSpent,
    accepts_marketing: c.emailMarketing.state === 'SUBSCRIBED',
  };
  for (const m of metafieldsOf(core.state, c.id)) doc[`metafields.${m.namespace}.${m.key}`] = m.value;
  return doc;
}

/** After any change to a customer: timestamp, search index, customers/update (or /create) event. */
export function customerTouched(core: SandboxCore, id: string, topic: 'customers/create' | 'customers/update' = 'customers/update'): void {
  const c = CT.customers(core.state).get(id);
  if (!c) return;
  if (topic === 'customers/update') c.updatedAt = core.nowIso();
  core.touch('Customer', id);
  core.emit(topic, id);
}

// ---------------------------------------------------------------------------------------------
// Views

function addressView(a: CustomerAddressRec) {
  return mailingAddressView(a.id, a);
}

function lifetime(fromIso: string, nowMs: number): string {
  const days = Math.max(0, Math.floor((nowMs - Date.parse(fromIso)) / 86_400_000));
  if (days < 1) return 'less than a day';
  if (days < 31) return `${days} day${days === 1 ? '' : 's'}`;
  const months = Math.floor(days / 30);
  if (months < 12) return `about ${months} month${months === 1 ? '' : 's'}`;
  const years = Math.floor(days / 365);
  return `about ${years} year${years === 1 ? '' : 's'}`;
}

export function customerView(core: SandboxCore, c: CustomerRec) {
  const state = core.state;
  const shop = state.shop.myshopifyDomain;
  const n = parseGid(c.id)!.id;
  const addrs = () => addressesOf(state, c);
  const def = () => (c.defaultAddressId ? CT.addresses(state).get(c.defaultAddressId) : undefined);
  const smsConsent = () => (c.phone ? { __typename: 'CustomerSmsMarketingConsentState', marketingState: c.smsMarketing.state, marketingOptInLevel: c.smsMarketing.optInLevel, consentUpdatedAt: c.smsMarketing.updatedAt, consentCollectedFrom: 'OTHER', sourceLocation: null } : null);
  return {
    __typename: 'Customer',
    id: c.id,
    legacyResourceId: n,
    firstName: c.firstName,
    lastName: c.lastName,
    displayName: fullName(c.firstName, c.lastName) ?? c.email ?? c.phone ?? '',
    email: c.email,
    phone: c.phone,
    locale: c.locale,
    note: c.note,
    tags: c.tags,
    taxExempt: c.taxExempt,
    taxExemptions: c.taxExemptions,
    state: c.state,
    verifiedEmail: c.verifiedEmail,
    validEmailAddress: c.email !== null && EMAIL_RE.test(c.email),
    multipassIdentifier: c.multipassIdentifier,
    dataSaleOptOut: false,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    lifetimeDuration: () => lifetime(c.createdAt, core.now()),
    canDelete: true,
    unsubscribeUrl: `https://${shop}/account/unsubscribe?customer=${n}`,
    defaultEmailAddress: c.email
      ? {
          __typename: 'CustomerEmailAddress',
          emailAddress: c.email,
          marketingState: c.emailMarketing.state,
          marketingOptInLevel: c.emailMarketing.optInLevel,
          marketingUpdatedAt: c.emailMarketing.updatedAt,
          marketingUnsubscribeUrl: `https://${shop}/account/unsubscribe?customer=${n}`,
          openTrackingLevel: 'UNKNOWN',
          openTrackingUrl: `https://${shop}/account/email_tracking?customer=${n}`,
          sourceLocation: null,
          validFormat: EMAIL_RE.test(c.email),
        }
      : null,
    defaultPhoneNumber: c.phone
      ? {
          __typename: 'CustomerPhoneNumber',
          phoneNumber: c.phone,
          marketingState: c.smsMarketing.state,
          marketingOptInLevel: c.smsMarketing.optInLevel,
          marketingUpdatedAt: c.smsMarketing.updatedAt,
          marketingCollectedFrom: 'OTHER',
          sourceLocation: null,
          smsMarketingConsent: { __typename: 'CustomerSmsMarketingConsent', state: c.smsMarketing.state, optInLevel: c.smsMarketing.optInLevel, updatedAt: c.smsMarketing.updatedAt, collectedFrom: 'OTHER', sourceLocation: null },
        }
      : null,
    emailMarketingConsent: c.email
      ? { __typename: 'CustomerEmailMarketingConsentState', marketingState: c.emailMarketing.state, marketingOptInLevel: c.emailMarketing.optInLevel, consentUpdatedAt: c.emailMarketing.updatedAt, sourceLocation: null }
      : null,
    smsMarketingConsent: smsConsent,
    defaultAddress: () => {
      const a = def();
      return a ? addressView(a) : null;
    },
    addresses: (args: { first?: number | null }) => addrs().slice(0, args.first ?? 250).map(addressView),
    addressesV2: (args: Record<string, unknown>) => paginate(addrs(), args, (a) => [parseGid(a.id)!.id], addressView),
    image: { __typename: 'Image', id: null, url: `https://cdn.shopify.com/s/images/admin/customers/customer.png`, altText: null, width: null, height: null },
  };
}

// ---------------------------------------------------------------------------------------------
// Writes

interface CustomerFieldsInput {
  email?: string | null;
  phone?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  locale?: string | null;
  note?: string | null;
  tags?: string[] | null;
  taxExempt?: boolean | null;
  taxExemptions?: string[] | null;
  multipassIdentifier?: string | null;
  addresses?: MailingAddressInputLike[] | null;
  emailMarketingConsent?: { marketingState: string; marketingOptInLevel?: string | null; consentUpdatedAt?: string | null } | null;
  smsMarketingConsent?: { marketingState: string; marketingOptInLevel?: string | null; consentUpdatedAt?: string | null } | null;
}

/**
 * Validates the scalar fields, uniqueness of e-mail and phone (`self` = the customer being updated) and
 * addresses. `codes` maps problem kinds to the payload's error codes (null for the code-less UserError).
 */
function fieldProblems(state: SandboxState, input: CustomerFieldsInput, path: (string | number)[], self: string | null, codes: { invalid: string | null; taken: string | null; tooLong: string | null }): UserErrorView[] {
  const out: UserErrorView[] = [];
  const f = (name: string) => [...path, name];
  if (input.email !== undefined && input.email !== null && input.email.trim() !== '') {
    const email = input.email.trim();
    if (!EMAIL_RE.test(email)) out.push(userError(f('email'), 'Email is invalid', codes.invalid));
    else {
      const other = customerByEmail(state, email);
      if (other && other.id !== self) out.push(userError(f('email'), 'Email has already been taken', codes.taken));
    }
  }
  if (input.phone !== undefined && input.phone !== null && input.phone.trim() !== '') {
    const phone = normalizePhone(input.phone);
    if (!phone) out.push(userError(f('phone'), `Phone '${input.phone}' is invalid: use the international E.164 format, e.g. +31612345678.`, codes.invalid));
    else {
      const other = customerByPhone(state, phone);
      if (other && other.id !== self) out.push(userError(f('phone'), 'Phone has already been taken', codes.taken));
    }
  }
  for (const k of ['firstName', 'lastName'] as const) {
    const v = input[k];
    if (typeof v === 'string' && v.length > 255) out.push(userError(f(k), `${k === 'firstName' ? 'First name' : 'Last name'} is too long (maximum is 255 characters)`, codes.tooLong));
  }
  if (typeof input.note === 'string' && input.note.length > 5000) out.push(userError(f('note'), 'Note is too long (maximum is 5000 characters)', codes.tooLong));
  if (input.tags) {
    const t = validateTags(normalizeTags(input.tags), f('tags').map(String));
    if (t) out.push({ ...t, code: codes.invalid });
  }
  input.addresses?.forEach((a, i) => out.push(...addressProblems(a, [...path, 'addresses', i], codes.invalid)));
  return out;
}

function newCustomer(core: SandboxCore): CustomerRec {
  const now = core.nowIso();
  return {
    id: gid('Customer', core.state.nextId('Customer')),
    firstName: null,
    lastName: null,
    email: null,
    phone: null,
    locale: 'en',
    note: null,
    tags: [],
    taxExempt: false,
    taxExemptions: [],
    state: 'DISABLED',
    verifiedEmail: true,
    multipassIdentifier: null,
    emailMarketing: { state: 'NOT_SUBSCRIBED', optInLevel: 'SINGLE_OPT_IN', updatedAt: null },
    smsMarketing: { state: 'NOT_SUBSCRIBED', optInLevel: 'SINGLE_OPT_IN', updatedAt: null },
    addressIds: [],
    defaultAddressId: null,
    createdAt: now,
    updatedAt: now,
  };
}

function newAddress(core: SandboxCore, customerId: string, a: AddressFields): CustomerAddressRec {
  return { ...a, id: gid('MailingAddress', core.state.nextId('MailingAddress'), { model_name: 'CustomerAddress' }), customerId };
}

/** Replaces the address list: equal addresses keep their ids, the first becomes the default. */
export function replaceAddresses(core: SandboxCore, c: CustomerRec, inputs: MailingAddressInputLike[]): boolean {
  const table = CT.addresses(core.state);
  const old = addressesOf(core.state, c);
  const next: CustomerAddressRec[] = [];
  for (const input of inputs) {
    const fields = addressFromInput(input);
    if (next.some((a) => sameAddress(a, fields))) continue;
    const keep = old.find((a) => sameAddress(a, fields) && !next.includes(a));
    next.push(keep ? { ...keep, ...fields } : newAddress(core, c.id, fields));
  }
  const changed = next.length !== old.length || next.some((a, i) => a.id !== old[i]?.id);
  for (const a of old) if (!next.some((x) => x.id === a.id)) table.delete(a.id);
  for (const a of next) table.set(a);
  c.addressIds = next.map((a) => a.id);
  const newDefault = next[0]?.id ?? null;
  const defaultChanged = c.defaultAddressId !== newDefault;
  c.defaultAddressId = newDefault;
  return changed || defaultChanged;
}

/** Adds an address unless an equal one exists; returns it. */
export function addAddress(core: SandboxCore, c: CustomerRec, input: MailingAddressInputLike, setAsDefault: boolean): CustomerAddressRec {
  const fields = addressFromInput(input);
  let a = addressesOf(core.state, c).find((x) => sameAddress(x, fields));
  if (!a) {
    a = newAddress(core, c.id, fields);
    CT.addresses(core.state).set(a);
    c.addressIds.push(a.id);
  }
  if (setAsDefault || c.defaultAddressId === null) c.defaultAddressId = a.id;
  return a;
}

/** Applies validated scalar fields; returns whether anything changed. */
function applyFields(core: SandboxCore, c: CustomerRec, input: CustomerFieldsInput): boolean {
  const before = JSON.stringify(c);
  const now = core.nowIso();
  if (input.email !== undefined) c.email = input.email === null || input.email.trim() === '' ? null : input.email.trim();
  if (input.phone !== undefined) c.phone = input.phone === null || input.phone.trim() === '' ? null : normalizePhone(input.phone);
  if (input.firstName !== undefined) c.firstName = input.firstName === null || input.firstName.trim() === '' ? null : input.firstName.trim();
  if (input.lastName !== undefined) c.lastName = input.lastName === null || input.lastName.trim() === '' ? null : input.lastName.trim();
  if (input.locale !== undefined && input.locale !== null) c.locale = input.locale;
  if (input.note !== undefined) c.note = input.note === null || input.note === '' ? null : input.note;
  if (input.tags !== undefined && input.tags !== null) c.tags = normalizeTags(input.tags);
  if (input.taxExempt !== undefined && input.taxExempt !== null) c.taxExempt = input.taxExempt;
  if (input.taxExemptions !== undefined && input.taxExemptions !== null) c.taxExemptions = [...new Set(input.taxExemptions)];
  if (input.multipassIdentifier !== undefined) c.multipassIdentifier = input.multipassIdentifier;
  if (input.emailMarketingConsent) {
    const m = input.emailMarketingConsent;
    c.emailMarketing = { state: m.marketingState, optInLevel: m.marketingOptInLevel ?? 'SINGLE_OPT_IN', updatedAt: m.consentUpdatedAt ?? now };
  }
  if (input.smsMarketingConsent) {
    const m = input.smsMarketingConsent;
    c.smsMarketing = { state: m.marketingState, optInLevel: m.marketingOptInLevel ?? 'SINGLE_OPT_IN', updatedAt: m.consentUpdatedAt ?? now };
  }
  let changed = JSON.stringify(c) !== before;
  if (input.addresses !== undefined && input.addresses !== null) changed = replaceAddresses(core, c, input.addresses) || changed;
  return changed;
}

function consentProblems(input: CustomerFieldsInput, path: (string | number)[]): UserErrorView[] {
  const out: UserErrorView[] = [];
  const settable = new Set(['SUBSCRIBED', 'UNSUBSCRIBED', 'PENDING']);
  if (input.emailMarketingConsent) {
    if (!settable.has(input.emailMarketingConsent.marketingState)) out.push(userError([...path, 'emailMarketingConsent', 'marketingState'], `Marketing state ${input.emailMarketingConsent.marketingState} cannot be set: use SUBSCRIBED, UNSUBSCRIBED or PENDING.`));
    if (!input.email) out.push(userError([...path, 'emailMarketingConsent'], 'An email address is required to set the email marketing consent state.'));
  }
  if (input.smsMarketingConsent) {
    if (!settable.has(input.smsMarketingConsent.marketingState)) out.push(userError([...path, 'smsMarketingConsent', 'marketingState'], `Marketing state ${input.smsMarketingConsent.marketingState} cannot be set: use SUBSCRIBED, UNSUBSCRIBED or PENDING.`));
    if (!input.phone) out.push(userError([...path, 'smsMarketingConsent'], 'A phone number is required to set the SMS marketing consent state.'));
  }
  return out;
}

/** Creates or updates a customer (orderCreate `customer.toUpsert`, company contacts). Validate with `upsertProblems` first. */
export function upsertCustomer(core: SandboxCore, target: CustomerRec | undefined, input: CustomerFieldsInput): CustomerRec {
  const c = target ?? newCustomer(core);
  if (!target) CT.customers(core.state).set(c);
  const changed = applyFields(core, c, input);
  if (!target) customerTouched(core, c.id, 'customers/create');
  else if (changed) customerTouched(core, c.id);
  return c;
}

export function upsertProblems(state: SandboxState, input: CustomerFieldsInput, path: (string | number)[], self: string | null): UserErrorView[] {
  return fieldProblems(state, input, path, self, { invalid: 'INVALID', taken: 'INVALID', tooLong: 'INVALID' });
}

// ---- customerSet

interface CustomerSetArgs {
  identifier?: { id?: string | null; email?: string | null; phone?: string | null; customId?: { namespace?: string | null; key: string; value: string } | null } | null;
  input: CustomerFieldsInput & { id?: string | null };
}

function customerSet(_s: unknown, args: CustomerSetArgs, ctx: RequestContext) {
  const core = ctx.core;
  const state = ctx.state;
  const { identifier, input } = args;
  const errors: UserErrorView[] = [];
  const fail = (field: (string | number)[] | null, message: string, code: string) => errors.push(userError(field, message, code));
  let target: CustomerRec | undefined;
  let customId: { namespace: string; key: string; value: string } | undefined;

  if (identifier && input.id) fail(['input', 'id'], 'The id field is not allowed if identifier is provided.', 'ID_NOT_ALLOWED');
  else if (identifier?.id) {
    target = CT.customers(state).get(gidOf(identifier.id, 'Customer') ?? '');
    if (!target) fail(['identifier', 'id'], 'Customer does not exist.', 'NOT_FOUND');
  } else if (identifier?.email !== undefined && identifier?.email !== null) {
    if (input.email === undefined || input.email === null) fail(['input', 'email'], 'The input field corresponding to the identifier is required.', 'MISSING_FIELD_REQUIRED');
    else if (input.email.trim().toLowerCase() !== identifier.email.trim().toLowerCase()) fail(['input', 'email'], 'The identifier value does not match the value of the corresponding field in the input.', 'INPUT_MISMATCH');
    else target = customerByEmail(state, identifier.email);
  } else if (identifier?.phone !== undefined && identifier?.phone !== null) {
    const idPhone = normalizePhone(identifier.phone);
    if (input.phone === undefined || input.phone === null) fail(['input', 'phone'], 'The input field corresponding to the identifier is required.', 'MISSING_FIELD_REQUIRED');
    else if (!idPhone) fail(['identifier', 'phone'], `Phone '${identifier.phone}' is invalid: use the international E.164 format, e.g. +31612345678.`, 'INVALID');
    else if (normalizePhone(input.phone) !== idPhone) fail(['input', 'phone'], 'The identifier value does not match the value of the corresponding field in the input.', 'INPUT_MISMATCH');
    else target = customerByPhone(state, idPhone);
  } else if (identifier?.customId) {
    const c = identifier.customId;
    const ns = c.namespace ?? state.shop.appNamespace;
    const found = findOwnerByCustomId(state, 'CUSTOMER', c);
    if (!found.definition?.uniqueValues) fail(['identifier', 'customId'], customIdProblem('CUSTOMER', ns, c.key), 'INVALID');
    else {
      target = found.ownerId ? CT.customers(state).get(found.ownerId) : undefined;
      customId = { namespace: ns, key: c.key, value: c.value };
    }
  } else if (input.id) {
    target = CT.customers(state).get(gidOf(input.id, 'Customer') ?? '');
    if (!target) fail(['input', 'id'], 'Customer does not exist.', 'NOT_FOUND');
  }
  if (errors.length) return { customer: null, userErrors: errors };

  errors.push(...fieldProblems(state, input, ['input'], target?.id ?? null, { invalid: 'INVALID', taken: 'TAKEN', tooLong: 'TOO_LONG' }));
  if (!target && !input.email && !input.phone && !input.firstName && !input.lastName) {
    errors.push(userError(['input'], 'A name, phone number, or email address must be present.', 'BLANK'));
  }
  const mfBatch: MetafieldWrite[] = [];
  let customIdWrite: MetafieldWrite | null = null;
  if (customId) {
    const r = planMetafield(state, 'CUSTOMER', target?.id ?? null, { namespace: customId.namespace, key: customId.key, value: customId.value }, ['identifier', 'customId'], mfBatch, {
      blank: 'BLANK',
      invalidType: 'INVALID',
      invalidValue: 'INVALID',
      taken: 'TAKEN',
      invalid: 'INVALID',
    });
    errors.push(...r.errors);
    customIdWrite = r.write;
  }
  if (errors.length) return { customer: null, userErrors: errors };

  const creating = !target;
  const c = target ?? newCustomer(core);
  if (creating) CT.customers(state).set(c);
  let changed = applyFields(core, c, input);
  if (customIdWrite) {
    const before = customIdWrite.existing;
    const rec = applyMetafield(core, customIdWrite, c.id);
    changed = changed || !before || before.value !== rec.value;
  }
  if (creating) customerTouched(core, c.id, 'customers/create');
  else if (changed) customerTouched(core, c.id);
  return { customer: customerView(core, c), userErrors: [] };
}

// ---- customerCreate / customerUpdate (CustomerInput)

interface CustomerInputLike extends CustomerFieldsInput {
  id?: string | null;
  metafields?: MetafieldInputLike[] | null;
}

const PLAIN_MF_CODES = { blank: '', invalidType: '', invalidValue: '', taken: '', invalid: '' };
const plain = (errors: UserErrorView[]) => errors.map((e) => ({ field: e.field, message: e.message }));

function planMetafields(state: SandboxState, ownerId: string | null, inputs: MetafieldInputLike[] | null | undefined): { writes: MetafieldWrite[]; errors: UserErrorView[] } {
  const batch: MetafieldWrite[] = [];
  const errors: UserErrorView[] = [];
  (inputs ?? []).forEach((m, i) => {
    const r = planMetafield(state, 'CUSTOMER', ownerId, m, ['metafields', i], batch, PLAIN_MF_CODES);
    errors.push(...r.errors);
  });
  return { writes: batch, errors };
}

function customerCreate(_s: unknown, args: { input: CustomerInputLike }, ctx: RequestContext) {
  const core = ctx.core;
  const input = args.input;
  if (input.id) return { customer: null, userErrors: plain([userError(['id'], 'Cannot specify an id when creating a customer: use customerUpdate.')]) };
  const errors = [...fieldProblems(ctx.state, input, [], null, { invalid: null, taken: null, tooLong: null }), ...consentProblems(input, [])];
  if (!input.email && !input.phone && !input.firstName && !input.lastName) errors.push(userError(null, 'A name, phone number, or email address must be present.'));
  const mf = planMetafields(ctx.state, null, input.metafields);
  errors.push(...mf.errors);
  if (errors.length) return { customer: null, userErrors: plain(errors) };
  const c = newCustomer(core);
  CT.customers(ctx.state).set(c);
  applyFields(core, c, input);
  for (const w of mf.writes) applyMetafield(core, w, c.id);
  customerTouched(core, c.id, 'customers/create');
  return { customer: customerView(core, c), userErrors: [] };
}

function customerUpdate(_s: unknown, args: { input: CustomerInputLike }, ctx: RequestContext) {
  const core = ctx.core;
  const input = args.input;
  const c = input.id ? CT.customers(ctx.state).get(gidOf(input.id, 'Customer') ?? '') : undefined;
  if (!c) return { customer: null, userErrors: plain([userError(['id'], input.id ? 'Customer does not exist' : "Id can't be blank")]) };
  const errors = [...fieldProblems(ctx.state, input, [], c.id, { invalid: null, taken: null, tooLong: null }), ...consentProblems({ ...input, email: input.email ?? c.email, phone: input.phone ?? c.phone }, [])];
  const mf = planMetafields(ctx.state, c.id, input.metafields);
  errors.push(...mf.errors);
  if (errors.length) return { customer: null, userErrors: plain(errors) };
  let changed = applyFields(core, c, input);
  for (const w of mf.writes) {
    const before = w.existing;
    const rec = applyMetafield(core, w, c.id);
    changed = changed || !before || before.value !== rec.value || before.type !== rec.type;
  }
  if (changed) customerTouched(core, c.id);
  return { customer: customerView(core, c), userErrors: [] };
}

function customerAddressCreate(_s: unknown, args: { customerId: string; address: MailingAddressInputLike; setAsDefault?: boolean | null }, ctx: RequestContext) {
  const c = CT.customers(ctx.state).get(gidOf(args.customerId, 'Customer') ?? '');
  if (!c) return { address: null, userErrors: [{ field: ['customerId'], message: 'Customer does not exist' }] };
  const problems = addressProblems(args.address, ['address']);
  if (problems.length) return { address: null, userErrors: plain(problems) };
  const fields = addressFromInput(args.address);
  if (addressesOf(ctx.state, c).some((a) => sameAddress(a, fields))) return { address: null, userErrors: [{ field: ['address'], message: 'Address already exists' }] };
  const a = addAddress(ctx.core, c, args.address, args.setAsDefault === true);
  customerTouched(ctx.core, c.id);
  return { address: addressView(a), userErrors: [] };
}

// ---- lookups

function findByIdentifier(ctx: RequestContext, ident: { id?: string | null; emailAddress?: string | null; phoneNumber?: string | null; customId?: { namespace?: string | null; key: string; value: string } | null }): CustomerRec | undefined {
  const state = ctx.state;
  if (ident.id) return CT.customers(state).get(gidOf(ident.id, 'Customer') ?? '');
  if (ident.emailAddress !== undefined && ident.emailAddress !== null) return customerByEmail(state, ident.emailAddress);
  if (ident.phoneNumber !== undefined && ident.phoneNumber !== null) return customerByPhone(state, ident.phoneNumber);
  if (ident.customId) {
    const ns = ident.customId.namespace ?? state.shop.appNamespace;
    const r = findOwnerByCustomId(state, 'CUSTOMER', ident.customId);
    if (!r.definition?.uniqueValues) throw badRequest(customIdProblem('CUSTOMER', ns, ident.customId.key));
    return r.ownerId ? CT.customers(state).get(r.ownerId) : undefined;
  }
  return undefined;
}

const CUSTOMER_SORTS = ['ID', 'UPDATED_AT', 'CREATED_AT', 'NAME', 'RELEVANCE'] as const;

function sortTuple(key: string, c: CustomerRec): SortTuple {
  const n = parseGid(c.id)!.id;
  switch (key) {
    case 'UPDATED_AT':
      return [c.updatedAt, n];
    case 'CREATED_AT':
      return [c.createdAt, n];
    case 'NAME':
      return [fullName(c.firstName, c.lastName) ?? '', n];
    default:
      return [n];
  }
}

function searchCustomers(ctx: RequestContext, query: string | null | undefined, pathKey: string | number): CustomerRec[] {
  const all = [...CT.customers(ctx.state).values()];
  if (!query) return all;
  const search = new CompiledSearch(query, CUSTOMER_SEARCH);
  const ids = new Set<string>();
  for (const [id, doc] of ctx.core.index.visible('Customer')) if (search.matches(doc)) ids.add(id);
  if (search.warnings.length) ctx.searchWarnings.push({ path: [pathKey], query, warnings: search.warnings });
  return all.filter((c) => ids.has(c.id));
}

// ---------------------------------------------------------------------------------------------
// Module

export function customersModule(registry: Registry): void {
  registerAddressInput(registry);
  registry.search({ name: 'Customer', spec: CUSTOMER_SEARCH, document: customerDocument });
  registry.metafieldOwner({
    gidType: 'Customer',
    ownerType: 'CUSTOMER',
    writeScopes: [['write_customers']],
    exists: (core, id) => CT.customers(core.state).has(id),
    view: (core, id) => customerView(core, CT.customers(core.state).get(id)!),
    touched: (core, id) => customerTouched(core, id),
  });
  registerHasMetafields(registry, 'Customer');
  registerTaggable({
    gidType: 'Customer',
    writeScopes: [['write_customers']],
    tags: (core, id) => CT.customers(core.state).get(id)?.tags,
    setTags: (core, id, tags) => {
      CT.customers(core.state).get(id)!.tags = tags;
      customerTouched(core, id);
    },
    view: (core, id) => customerView(core, CT.customers(core.state).get(id)!),
  });

  registry.input('CustomerSetIdentifiers', '*');
  registry.input('CustomerIdentifierInput', '*');
  registry.input('UniqueMetafieldValueInput', '*');
  registry.input('CustomerSetInput', ['id', 'email', 'phone', 'firstName', 'lastName', 'locale', 'note', 'tags', 'taxExempt', 'taxExemptions', 'addresses']);
  registry.input('CustomerInput', ['id', 'email', 'phone', 'firstName', 'lastName', 'locale', 'note', 'tags', 'taxExempt', 'taxExemptions', 'addresses', 'metafields', 'emailMarketingConsent', 'smsMarketingConsent', 'multipassIdentifier']);
  registry.input('CustomerEmailMarketingConsentInput', ['marketingState', 'marketingOptInLevel', 'consentUpdatedAt']);
  registry.input('CustomerSmsMarketingConsentInput', ['marketingState', 'marketingOptInLevel', 'consentUpdatedAt']);

  const read = [['read_customers']] as const;
  const write = [['write_customers']] as const;
  registry.scope('QueryRoot.customer', read);
  registry.field('QueryRoot.customer', (_s, args: { id: string }, ctx: RequestContext) => {
    const c = CT.customers(ctx.state).get(gidOf(args.id, 'Customer') ?? '');
    return c ? customerView(ctx.core, c) : null;
  }, { args: ['id'] });
  registry.scope('QueryRoot.customerByIdentifier', read);
  registry.field('QueryRoot.customerByIdentifier', (_s, args: { identifier: Parameters<typeof findByIdentifier>[1] }, ctx: RequestContext) => {
    const c = findByIdentifier(ctx, args.identifier);
    return c ? customerView(ctx.core, c) : null;
  }, { args: ['identifier'] });
  registry.scope('QueryRoot.customers', read);
  registry.field(
    'QueryRoot.customers',
    (_s, args: { query?: string | null; sortKey?: string; first?: number; last?: number; after?: string; before?: string; reverse?: boolean }, ctx: RequestContext, info) => {
      const key = requireSortKey('CustomerSortKeys', args.sortKey, CUSTOMER_SORTS);
      return paginate(searchCustomers(ctx, args.query, info.path.key), args, (c) => sortTuple(key, c), (c) => customerView(ctx.core, c));
    },
    { args: ['first', 'last', 'after', 'before', 'reverse', 'query', 'sortKey'] },
  );
  registry.scope('QueryRoot.customersCount', read);
  registry.field('QueryRoot.customersCount', (_s, args: { query?: string | null }, ctx: RequestContext, info) => countView(searchCustomers(ctx, args.query, info.path.key).length), { args: ['query'] });

  registry.scope('Mutation.customerSet', write);
  registry.field('Mutation.customerSet', customerSet as never, { args: ['identifier', 'input'] });
  registry.scope('Mutation.customerCreate', write);
  registry.field('Mutation.customerCreate', customerCreate as never, { args: ['input'] });
  registry.scope('Mutation.customerUpdate', write);
  registry.field('Mutation.customerUpdate', customerUpdate as never, { args: ['input'] });
  registry.scope('Mutation.customerAddressCreate', write);
  registry.field('Mutation.customerAddressCreate', customerAddressCreate as never, { args: ['customerId', 'address', 'setAsDefault'] });
}
