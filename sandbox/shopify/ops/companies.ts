// B2B companies behind the per-shop `b2b` flag: companies(query:"external_id:..."), company, companyLocation,
// companyContact, companyCreate (company + optional contact + location; contact roles seeded), companyLocationCreate,
// companyAssignCustomerAsContact, companyContactAssignRole, and Customer.companyContactProfiles.
//
// A shop without B2B: every company root field answers a top-level ACCESS_DENIED error whose requiredAccess
// carries the schema's own text ("... Also: The shop must have access to B2B. ..."), and
// Customer.companyContactProfiles is an empty list. The exact error Shopify gives such a shop is not
// documented: this is the sandbox's reading of the schema's requiredAccess (see README).
import { GraphQLError } from 'graphql';
import type { RequestContext } from '../context.js';
import type { SandboxCore } from '../core.js';
import { countView, paginate } from '../connection.js';
import type { PageArgs, SortTuple } from '../connection.js';
import { gid, parseGid } from '../gid.js';
import type { Registry } from '../registry.js';
import { CompiledSearch } from '../search.js';
import type { SearchDoc, SearchSpec } from '../search.js';
import type { SandboxState, Table } from '../state.js';
import { countryName, fullName, normalizePhone } from './addresses.js';
import { gidOf, requireSortKey, userError } from './common.js';
import type { UserErrorView } from './common.js';
import { CT, customerByEmail, customerTouched, customerView, upsertCustomer, upsertProblems } from './customers.js';
import { metafieldsOf, registerHasMetafields } from './metafields.js';

// ---------------------------------------------------------------------------------------------
// Records

export interface CompanyAddressRec {
  id: string;
  address1: string;
  address2: string | null;
  city: string | null;
  countryCode: string;
  zoneCode: string | null;
  zip: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  recipient: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CompanyRec {
  id: string;
  name: string;
  externalId: string | null;
  note: string | null;
  customerSince: string;
  mainContactId: string | null;
  defaultRoleId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CompanyLocationRec {
  id: string;
  companyId: string;
  name: string;
  externalId: string | null;
  note: string | null;
  phone: string | null;
  locale: string | null;
  taxRegistrationId: string | null;
  taxExempt: boolean;
  taxExemptions: string[];
  shippingAddress: CompanyAddressRec | null;
  /** Null with billingSameAsShipping: the shipping address serves as billing address. */
  billingAddress: CompanyAddressRec | null;
  billingSameAsShipping: boolean;
  checkoutToDraft: boolean;
  editableShippingAddress: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface CompanyContactRec {
  id: string;
  companyId: string;
  customerId: string;
  title: string | null;
  locale: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CompanyContactRoleRec {
  id: string;
  companyId: string;
  name: string;
  note: string | null;
}

export interface RoleAssignmentRec {
  id: string;
  companyId: string;
  contactId: string;
  locationId: string;
  roleId: string;
  createdAt: string;
  updatedAt: string;
}

export const BT = {
  companies: (s: SandboxState): Table<CompanyRec> => s.table<CompanyRec>('companies'),
  locations: (s: SandboxState): Table<CompanyLocationRec> => s.table<CompanyLocationRec>('companyLocations'),
  contacts: (s: SandboxState): Table<CompanyContactRec> => s.table<CompanyContactRec>('companyContacts'),
  roles: (s: SandboxState): Table<CompanyContactRoleRec> => s.table<CompanyContactRoleRec>('companyContactRoles'),
  assignments: (s: SandboxState): Table<RoleAssignmentRec> => s.table<RoleAssignmentRec>('companyContactRoleAssignments'),
};

/** Roles every new company gets, as in the Shopify admin. The first is the default role for new contacts. */
export const SEEDED_ROLES = [
  { name: 'Ordering only', note: 'Can place orders for the location.' },
  { name: 'Location admin', note: 'Can place orders and manage the location.' },
] as const;

const MAX_EXTERNAL_ID = 64;

// ---------------------------------------------------------------------------------------------
// The B2B switch

const B2B_ACCESS_TEXT = 'The shop must have access to B2B. Some operations may require additional plan capabilities.';

export function b2bEnabled(core: SandboxCore): boolean {
  return core.state.shop.b2b;
}

function requireB2B(ctx: RequestContext, field: string, write: boolean): void {
  if (b2bEnabled(ctx.core)) return;
  const scopes = write ? '`write_customers` access scope or `write_companies` access scope.' : '`read_customers` access scope or `read_companies` access scope.';
  const required = `${scopes} Also: ${B2B_ACCESS_TEXT}`;
  throw new GraphQLError(`Access denied for ${field} field. Required access: ${required}`, {
    extensions: { code: 'ACCESS_DENIED', documentation: 'https://shopify.dev/api/usage/access-scopes', requiredAccess: required },
  });
}

// ---------------------------------------------------------------------------------------------
// Lookups, search

export function contactsOfCustomer(state: SandboxState, customerId: string): CompanyContactRec[] {
  return [...BT.contacts(state).values()].filter((c) => c.customerId === customerId);
}

function locationsOf(state: SandboxState, companyId: string): CompanyLocationRec[] {
  return [...BT.locations(state).values()].filter((l) => l.companyId === companyId);
}

function contactsOf(state: SandboxState, companyId: string): CompanyContactRec[] {
  return [...BT.contacts(state).values()].filter((c) => c.companyId === companyId);
}

function rolesOf(state: SandboxState, companyId: string): CompanyContactRoleRec[] {
  return [...BT.roles(state).values()].filter((r) => r.companyId === companyId);
}

export const COMPANY_SEARCH: SearchSpec = {
  fields: {
    id: 'id',
    name: 'text',
    external_id: 'keyword',
    created_at: 'date',
    updated_at: 'date',
    since_date: 'date',
  },
  prefixes: { 'metafields.': 'keyword' },
  defaultFields: ['name', 'external_id'],
};

export const COMPANY_LOCATION_SEARCH: SearchSpec = {
  fields: { id: 'id', name: 'text', external_id: 'keyword', company_id: 'id', created_at: 'date', updated_at: 'date' },
  defaultFields: ['name', 'external_id'],
};

function companyDocument(core: SandboxCore, id: string): SearchDoc | null {
  const c = BT.companies(core.state).get(id);
  if (!c) return null;
  const doc: SearchDoc = { id: c.id, name: c.name, external_id: c.externalId, created_at: c.createdAt, updated_at: c.updatedAt, since_date: c.customerSince };
  for (const m of metafieldsOf(core.state, c.id)) doc[`metafields.${m.namespace}.${m.key}`] = m.value;
  return doc;
}

function locationDocument(core: SandboxCore, id: string): SearchDoc | null {
  const l = BT.locations(core.state).get(id);
  if (!l) return null;
  return { id: l.id, name: l.name, external_id: l.externalId, company_id: l.companyId, created_at: l.createdAt, updated_at: l.updatedAt };
}

function companyTouched(core: SandboxCore, id: string, topic: 'companies/create' | 'companies/update' = 'companies/update'): void {
  const c = BT.companies(core.state).get(id);
  if (!c) return;
  if (topic === 'companies/update') c.updatedAt = core.nowIso();
  core.touch('Company', id);
  core.emit(topic, id);
}

// ---------------------------------------------------------------------------------------------
// Views

function n(id: string): string {
  return parseGid(id)!.id;
}

function cursorOf(id: string): string {
  return Buffer.from(JSON.stringify({ k: [n(id)] })).toString('base64url');
}

function lifetime(fromIso: string, nowMs: number): string {
  const days = Math.max(0, Math.floor((nowMs - Date.parse(fromIso)) / 86_400_000));
  if (days < 30) return `${days} day${days === 1 ? '' : 's'}`;
  if (days < 365) return `${Math.floor(days / 30)} month${Math.floor(days / 30) === 1 ? '' : 's'}`;
  return `${Math.floor(days / 365)} year${Math.floor(days / 365) === 1 ? '' : 's'}`;
}

function money(core: SandboxCore, amount: string) {
  return { __typename: 'MoneyV2', amount, currencyCode: core.state.shop.currencyCode };
}

function addressView(core: SandboxCore, a: CompanyAddressRec, company: CompanyRec) {
  const country = countryName(a.countryCode);
  return {
    __typename: 'CompanyAddress',
    id: a.id,
    address1: a.address1,
    address2: a.address2,
    city: a.city,
    companyName: company.name,
    country,
    countryCode: a.countryCode,
    province: a.zoneCode,
    zoneCode: a.zoneCode,
    zip: a.zip,
    firstName: a.firstName,
    lastName: a.lastName,
    phone: a.phone,
    recipient: a.recipient,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    formattedArea: [a.city, a.zoneCode, country].filter((x) => !!x).join(', ') || null,
    formattedAddress: (args: { withCompanyName?: boolean; withName?: boolean }) =>
      [
        args.withName ? fullName(a.firstName, a.lastName) : null,
        args.withCompanyName !== false ? company.name : null,
        a.recipient,
        a.address1,
        a.address2,
        [a.zip, a.city].filter((x) => !!x).join(' ') || null,
        a.zoneCode,
        country,
      ].filter((x): x is string => !!x),
  };
}

function roleView(r: CompanyContactRoleRec) {
  return { __typename: 'CompanyContactRole', id: r.id, name: r.name, note: r.note };
}

function assignmentView(core: SandboxCore, a: RoleAssignmentRec) {
  const s = core.state;
  return {
    __typename: 'CompanyContactRoleAssignment',
    id: a.id,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    company: () => companyView(core, BT.companies(s).get(a.companyId)!),
    companyContact: () => contactView(core, BT.contacts(s).get(a.contactId)!),
    companyLocation: () => locationView(core, BT.locations(s).get(a.locationId)!),
    role: () => roleView(BT.roles(s).get(a.roleId)!),
  };
}

function assignmentsWhere(core: SandboxCore, pred: (a: RoleAssignmentRec) => boolean, args: PageArgs & { query?: string | null }) {
  if (args.query) throw new GraphQLError('The Koppel Shopify sandbox does not implement roleAssignments(query:).', { extensions: { code: 'SANDBOX_UNSUPPORTED' } });
  return paginate([...BT.assignments(core.state).values()].filter(pred), args, (a) => [n(a.id)], (a) => assignmentView(core, a));
}

/** Order statistics per company location, provided by the orders module. */
const locationStats = new Set<(core: SandboxCore, locationId: string) => { count: number; totalSpent: string }>();
export function registerCompanyLocationStats(fn: (core: SandboxCore, locationId: string) => { count: number; totalSpent: string }): void {
  locationStats.add(fn);
}
function statsOfLocation(core: SandboxCore, id: string): { count: number; totalSpent: string } {
  for (const fn of locationStats) return fn(core, id);
  return { count: 0, totalSpent: '0.00' };
}
function sumMoney(values: string[]): string {
  let cents = 0n;
  for (const v of values) cents += BigInt(v.replace('.', ''));
  const neg = cents < 0n;
  const abs = (neg ? -cents : cents).toString().padStart(3, '0');
  return `${neg ? '-' : ''}${abs.slice(0, -2)}.${abs.slice(-2)}`;
}

export function locationView(core: SandboxCore, l: CompanyLocationRec) {
  const s = core.state;
  const company = () => BT.companies(s).get(l.companyId)!;
  return {
    __typename: 'CompanyLocation',
    id: l.id,
    name: l.name,
    externalId: l.externalId,
    note: l.note,
    phone: l.phone,
    locale: l.locale,
    createdAt: l.createdAt,
    updatedAt: l.updatedAt,
    currency: s.shop.currencyCode,
    defaultCursor: cursorOf(l.id),
    hasTimelineComment: false,
    taxRegistrationId: l.taxRegistrationId,
    taxExemptions: l.taxExemptions,
    taxSettings: { __typename: 'CompanyLocationTaxSettings', taxRegistrationId: l.taxRegistrationId, taxExempt: l.taxExempt, taxExemptions: l.taxExemptions },
    buyerExperienceConfiguration: { __typename: 'BuyerExperienceConfiguration', checkoutToDraft: l.checkoutToDraft, editableShippingAddress: l.editableShippingAddress, payNowOnly: !l.checkoutToDraft, paymentTermsTemplate: null, deposit: null },
    company: () => companyView(core, company()),
    shippingAddress: () => (l.shippingAddress ? addressView(core, l.shippingAddress, company()) : null),
    billingAddress: () => {
      const a = l.billingSameAsShipping ? l.shippingAddress : l.billingAddress;
      return a ? addressView(core, a, company()) : null;
    },
    roleAssignments: (args: PageArgs & { query?: string | null }) => assignmentsWhere(core, (a) => a.locationId === l.id, args),
    ordersCount: () => countView(statsOfLocation(core, l.id).count),
    orderCount: () => statsOfLocation(core, l.id).count,
    totalSpent: () => money(core, statsOfLocation(core, l.id).totalSpent),
  };
}

export function contactView(core: SandboxCore, c: CompanyContactRec) {
  const s = core.state;
  return {
    __typename: 'CompanyContact',
    id: c.id,
    title: c.title,
    locale: c.locale,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    isMainContact: () => BT.companies(s).get(c.companyId)?.mainContactId === c.id,
    lifetimeDuration: () => lifetime(c.createdAt, core.now()),
    company: () => companyView(core, BT.companies(s).get(c.companyId)!),
    customer: () => customerView(core, CT.customers(s).get(c.customerId)!),
    roleAssignments: (args: PageArgs & { query?: string | null }) => assignmentsWhere(core, (a) => a.contactId === c.id, args),
  };
}

export function companyView(core: SandboxCore, c: CompanyRec) {
  const s = core.state;
  const spent = () => sumMoney(locationsOf(s, c.id).map((l) => statsOfLocation(core, l.id).totalSpent));
  const orders = () => locationsOf(s, c.id).reduce((k, l) => k + statsOfLocation(core, l.id).count, 0);
  return {
    __typename: 'Company',
    id: c.id,
    name: c.name,
    externalId: c.externalId,
    note: c.note,
    customerSince: c.customerSince,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    defaultCursor: cursorOf(c.id),
    hasTimelineComment: false,
    lifetimeDuration: () => lifetime(c.customerSince, core.now()),
    contactCount: () => contactsOf(s, c.id).length,
    contactsCount: () => countView(contactsOf(s, c.id).length),
    locationsCount: () => countView(locationsOf(s, c.id).length),
    ordersCount: () => countView(orders()),
    totalSpent: () => money(core, spent()),
    mainContact: () => {
      const m = c.mainContactId ? BT.contacts(s).get(c.mainContactId) : undefined;
      return m ? contactView(core, m) : null;
    },
    defaultRole: () => {
      const r = c.defaultRoleId ? BT.roles(s).get(c.defaultRoleId) : undefined;
      return r ? roleView(r) : null;
    },
    contactRoles: (args: { sortKey?: string } & PageArgs) => {
      requireSortKey('CompanyContactRoleSortKeys', args.sortKey, ['ID']);
      return paginate(rolesOf(s, c.id), args, (r) => [n(r.id)], roleView);
    },
    contacts: (args: { query?: string | null; sortKey?: string } & PageArgs) => {
      requireSortKey('CompanyContactSortKeys', args.sortKey, ['ID']);
      if (args.query) throw new GraphQLError('The Koppel Shopify sandbox does not implement Company.contacts(query:).', { extensions: { code: 'SANDBOX_UNSUPPORTED' } });
      return paginate(contactsOf(s, c.id), args, (x) => [n(x.id)], (x) => contactView(core, x));
    },
    locations: (args: { query?: string | null; sortKey?: string } & PageArgs) => {
      const key = requireSortKey('CompanyLocationSortKeys', args.sortKey, ['ID', 'NAME', 'CREATED_AT', 'UPDATED_AT']);
      let rows = locationsOf(s, c.id);
      if (args.query) {
        const search = new CompiledSearch(args.query, COMPANY_LOCATION_SEARCH);
        rows = rows.filter((l) => search.matches(locationDocument(core, l.id)!));
      }
      return paginate(rows, args, (l) => locationSort(key, l), (l) => locationView(core, l));
    },
  };
}

function locationSort(key: string, l: CompanyLocationRec): SortTuple {
  switch (key) {
    case 'NAME':
      return [l.name, n(l.id)];
    case 'CREATED_AT':
      return [l.createdAt, n(l.id)];
    case 'UPDATED_AT':
      return [l.updatedAt, n(l.id)];
    default:
      return [n(l.id)];
  }
}

// ---------------------------------------------------------------------------------------------
// Writes

interface CompanyAddressInputLike {
  address1?: string | null;
  address2?: string | null;
  city?: string | null;
  countryCode?: string | null;
  zoneCode?: string | null;
  zip?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  recipient?: string | null;
}

interface CompanyLocationInputLike {
  name?: string | null;
  externalId?: string | null;
  note?: string | null;
  phone?: string | null;
  locale?: string | null;
  taxRegistrationId?: string | null;
  taxExempt?: boolean | null;
  taxExemptions?: string[] | null;
  billingSameAsShipping?: boolean | null;
  shippingAddress?: CompanyAddressInputLike | null;
  billingAddress?: CompanyAddressInputLike | null;
  buyerExperienceConfiguration?: { checkoutToDraft?: boolean | null; editableShippingAddress?: boolean | null } | null;
}

interface CompanyContactInputLike {
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  title?: string | null;
  locale?: string | null;
}

const blank = (v: string | null | undefined) => v === undefined || v === null || v.trim() === '';

function addressProblems(a: CompanyAddressInputLike, path: (string | number)[]): UserErrorView[] {
  const out: UserErrorView[] = [];
  if (blank(a.address1)) out.push(userError([...path, 'address1'], "Address1 can't be blank", 'BLANK'));
  if (!a.countryCode) out.push(userError([...path, 'countryCode'], "Country code can't be blank", 'BLANK'));
  if (!blank(a.phone) && normalizePhone(a.phone!) === null) out.push(userError([...path, 'phone'], `Phone '${a.phone}' is invalid: use the international E.164 format, e.g. +31612345678.`, 'INVALID'));
  return out;
}

function externalIdProblems(value: string | null | undefined, path: (string | number)[], taken: boolean): UserErrorView[] {
  if (value === undefined || value === null) return [];
  if (value.length > MAX_EXTERNAL_ID) return [userError(path, `External ID is too long (maximum is ${MAX_EXTERNAL_ID} characters)`, 'TOO_LONG')];
  if (taken) return [userError(path, 'External ID has already been taken', 'TAKEN')];
  return [];
}

function locationProblems(state: SandboxState, input: CompanyLocationInputLike, path: (string | number)[], requireName: boolean): UserErrorView[] {
  const out: UserErrorView[] = [];
  if (requireName && blank(input.name)) out.push(userError([...path, 'name'], "Name can't be blank", 'BLANK'));
  const taken = !!input.externalId && [...BT.locations(state).values()].some((l) => l.externalId === input.externalId);
  out.push(...externalIdProblems(input.externalId, [...path, 'externalId'], taken));
  if (input.shippingAddress) out.push(...addressProblems(input.shippingAddress, [...path, 'shippingAddress']));
  if (input.billingAddress) {
    if (input.billingSameAsShipping) out.push(userError([...path, 'billingAddress'], 'A billing address cannot be given when billingSameAsShipping is true.', 'INVALID_INPUT'));
    else out.push(...addressProblems(input.billingAddress, [...path, 'billingAddress']));
  }
  if (!blank(input.phone) && normalizePhone(input.phone!) === null) out.push(userError([...path, 'phone'], `Phone '${input.phone}' is invalid: use the international E.164 format.`, 'INVALID'));
  return out;
}

function newAddress(core: SandboxCore, a: CompanyAddressInputLike): CompanyAddressRec {
  const now = core.nowIso();
  const t = (v: string | null | undefined) => (blank(v) ? null : v!.trim());
  return {
    id: gid('CompanyAddress', core.state.nextId('CompanyAddress')),
    address1: a.address1!.trim(),
    address2: t(a.address2),
    city: t(a.city),
    countryCode: a.countryCode!,
    zoneCode: t(a.zoneCode)?.toUpperCase() ?? null,
    zip: t(a.zip),
    firstName: t(a.firstName),
    lastName: t(a.lastName),
    phone: blank(a.phone) ? null : normalizePhone(a.phone!),
    recipient: t(a.recipient),
    createdAt: now,
    updatedAt: now,
  };
}

function createLocation(core: SandboxCore, company: CompanyRec, input: CompanyLocationInputLike): CompanyLocationRec {
  const now = core.nowIso();
  const shipping = input.shippingAddress ? newAddress(core, input.shippingAddress) : null;
  const same = input.billingSameAsShipping ?? !input.billingAddress;
  const l: CompanyLocationRec = {
    id: gid('CompanyLocation', core.state.nextId('CompanyLocation')),
    companyId: company.id,
    name: blank(input.name) ? company.name : input.name!.trim(),
    externalId: input.externalId ?? null,
    note: input.note ?? null,
    phone: blank(input.phone) ? null : normalizePhone(input.phone!),
    locale: input.locale ?? null,
    taxRegistrationId: input.taxRegistrationId ?? null,
    taxExempt: input.taxExempt ?? false,
    taxExemptions: input.taxExemptions ?? [],
    shippingAddress: shipping,
    billingAddress: same ? null : input.billingAddress ? newAddress(core, input.billingAddress) : null,
    billingSameAsShipping: same,
    checkoutToDraft: input.buyerExperienceConfiguration?.checkoutToDraft ?? false,
    editableShippingAddress: input.buyerExperienceConfiguration?.editableShippingAddress ?? false,
    createdAt: now,
    updatedAt: now,
  };
  BT.locations(core.state).set(l);
  core.touch('CompanyLocation', l.id);
  return l;
}

function addContact(core: SandboxCore, company: CompanyRec, customerId: string, extra: { title?: string | null; locale?: string | null } = {}): CompanyContactRec {
  const now = core.nowIso();
  const c: CompanyContactRec = {
    id: gid('CompanyContact', core.state.nextId('CompanyContact')),
    companyId: company.id,
    customerId,
    title: extra.title ?? null,
    locale: extra.locale ?? null,
    createdAt: now,
    updatedAt: now,
  };
  BT.contacts(core.state).set(c);
  if (!company.mainContactId) company.mainContactId = c.id;
  return c;
}

function companyCreate(_s: unknown, args: { input: { company: { name?: string | null; externalId?: string | null; note?: string | null; customerSince?: string | null }; companyContact?: CompanyContactInputLike | null; companyLocation?: CompanyLocationInputLike | null } }, ctx: RequestContext) {
  requireB2B(ctx, 'companyCreate', true);
  const core = ctx.core;
  const state = ctx.state;
  const { company: ci, companyContact: contact, companyLocation: loc } = args.input;
  const errors: UserErrorView[] = [];
  if (blank(ci.name)) errors.push(userError(['input', 'company', 'name'], "Name can't be blank", 'BLANK'));
  else if (ci.name!.length > 255) errors.push(userError(['input', 'company', 'name'], 'Name is too long (maximum is 255 characters)', 'TOO_LONG'));
  const taken = !!ci.externalId && [...BT.companies(state).values()].some((c) => c.externalId === ci.externalId);
  errors.push(...externalIdProblems(ci.externalId, ['input', 'company', 'externalId'], taken));
  if (loc) errors.push(...locationProblems(state, loc, ['input', 'companyLocation'], false));
  if (contact) {
    if (blank(contact.email)) errors.push(userError(['input', 'companyContact', 'email'], "Email can't be blank", 'BLANK'));
    else if (customerByEmail(state, contact.email!)) errors.push(userError(['input', 'companyContact', 'email'], 'Email address has already been taken: assign the existing customer with companyAssignCustomerAsContact.', 'TAKEN'));
    else errors.push(...upsertProblems(state, { email: contact.email, phone: contact.phone, firstName: contact.firstName, lastName: contact.lastName }, ['input', 'companyContact'], null).map((e) => ({ ...e, code: e.message.includes('taken') ? 'TAKEN' : 'INVALID' })));
  }
  if (errors.length) return { company: null, userErrors: errors };

  const now = core.nowIso();
  const company: CompanyRec = {
    id: gid('Company', state.nextId('Company')),
    name: ci.name!.trim(),
    externalId: ci.externalId ?? null,
    note: ci.note ?? null,
    customerSince: ci.customerSince ?? now,
    mainContactId: null,
    defaultRoleId: null,
    createdAt: now,
    updatedAt: now,
  };
  BT.companies(state).set(company);
  for (const r of SEEDED_ROLES) {
    const role: CompanyContactRoleRec = { id: gid('CompanyContactRole', state.nextId('CompanyContactRole')), companyId: company.id, name: r.name, note: r.note };
    BT.roles(state).set(role);
    company.defaultRoleId ??= role.id;
  }
  // Shopify keeps at least one location per company: without input it is named after the company.
  createLocation(core, company, loc ?? {});
  if (contact) {
    const customer = upsertCustomer(core, undefined, { email: contact.email, phone: contact.phone, firstName: contact.firstName, lastName: contact.lastName, locale: contact.locale });
    addContact(core, company, customer.id, { title: contact.title, locale: contact.locale });
  }
  companyTouched(core, company.id, 'companies/create');
  return { company: companyView(core, company), userErrors: [] };
}

function companyLocationCreate(_s: unknown, args: { companyId: string; input: CompanyLocationInputLike }, ctx: RequestContext) {
  requireB2B(ctx, 'companyLocationCreate', true);
  const company = BT.companies(ctx.state).get(gidOf(args.companyId, 'Company') ?? '');
  if (!company) return { companyLocation: null, userErrors: [userError(['companyId'], 'The company does not exist.', 'RESOURCE_NOT_FOUND')] };
  const errors = locationProblems(ctx.state, args.input, ['input'], true);
  if (errors.length) return { companyLocation: null, userErrors: errors };
  const l = createLocation(ctx.core, company, args.input);
  companyTouched(ctx.core, company.id);
  return { companyLocation: locationView(ctx.core, l), userErrors: [] };
}

function companyAssignCustomerAsContact(_s: unknown, args: { companyId: string; customerId: string }, ctx: RequestContext) {
  requireB2B(ctx, 'companyAssignCustomerAsContact', true);
  const state = ctx.state;
  const company = BT.companies(state).get(gidOf(args.companyId, 'Company') ?? '');
  const customer = CT.customers(state).get(gidOf(args.customerId, 'Customer') ?? '');
  const errors: UserErrorView[] = [];
  if (!company) errors.push(userError(['companyId'], 'The company does not exist.', 'RESOURCE_NOT_FOUND'));
  if (!customer) errors.push(userError(['customerId'], 'The customer does not exist.', 'RESOURCE_NOT_FOUND'));
  if (company && customer && contactsOf(state, company.id).some((c) => c.customerId === customer.id)) {
    errors.push(userError(['customerId'], 'The customer is already a contact of this company.', 'TAKEN'));
  }
  if (errors.length || !company || !customer) return { companyContact: null, userErrors: errors };
  const contact = addContact(ctx.core, company, customer.id, { locale: customer.locale });
  companyTouched(ctx.core, company.id);
  customerTouched(ctx.core, customer.id);
  return { companyContact: contactView(ctx.core, contact), userErrors: [] };
}

function companyContactAssignRole(_s: unknown, args: { companyContactId: string; companyContactRoleId: string; companyLocationId: string }, ctx: RequestContext) {
  requireB2B(ctx, 'companyContactAssignRole', true);
  const state = ctx.state;
  const contact = BT.contacts(state).get(gidOf(args.companyContactId, 'CompanyContact') ?? '');
  const role = BT.roles(state).get(gidOf(args.companyContactRoleId, 'CompanyContactRole') ?? '');
  const location = BT.locations(state).get(gidOf(args.companyLocationId, 'CompanyLocation') ?? '');
  const errors: UserErrorView[] = [];
  if (!contact) errors.push(userError(['companyContactId'], 'The company contact does not exist.', 'RESOURCE_NOT_FOUND'));
  if (!role) errors.push(userError(['companyContactRoleId'], 'The company contact role does not exist.', 'RESOURCE_NOT_FOUND'));
  if (!location) errors.push(userError(['companyLocationId'], 'The company location does not exist.', 'RESOURCE_NOT_FOUND'));
  if (errors.length || !contact || !role || !location) return { companyContactRoleAssignment: null, userErrors: errors };
  if (role.companyId !== contact.companyId) errors.push(userError(['companyContactRoleId'], 'The role does not belong to the contact’s company.', 'INVALID_INPUT'));
  if (location.companyId !== contact.companyId) errors.push(userError(['companyLocationId'], 'The location does not belong to the contact’s company.', 'INVALID_INPUT'));
  if ([...BT.assignments(state).values()].some((a) => a.contactId === contact.id && a.locationId === location.id)) {
    errors.push(userError(['companyContactId'], 'The company contact already has a role at this location.', 'TAKEN'));
  }
  if (errors.length) return { companyContactRoleAssignment: null, userErrors: errors };
  const now = ctx.core.nowIso();
  const a: RoleAssignmentRec = {
    id: gid('CompanyContactRoleAssignment', state.nextId('CompanyContactRoleAssignment')),
    companyId: contact.companyId,
    contactId: contact.id,
    locationId: location.id,
    roleId: role.id,
    createdAt: now,
    updatedAt: now,
  };
  BT.assignments(state).set(a);
  companyTouched(ctx.core, contact.companyId);
  return { companyContactRoleAssignment: assignmentView(ctx.core, a), userErrors: [] };
}

// ---------------------------------------------------------------------------------------------
// Module

const COMPANY_SORTS = ['ID', 'NAME', 'CREATED_AT', 'UPDATED_AT', 'SINCE_DATE'] as const;

function companySort(key: string, c: CompanyRec): SortTuple {
  switch (key) {
    case 'NAME':
      return [c.name, n(c.id)];
    case 'CREATED_AT':
      return [c.createdAt, n(c.id)];
    case 'UPDATED_AT':
      return [c.updatedAt, n(c.id)];
    case 'SINCE_DATE':
      return [c.customerSince, n(c.id)];
    default:
      return [n(c.id)];
  }
}

export function companiesModule(registry: Registry): void {
  registry.search({ name: 'Company', spec: COMPANY_SEARCH, document: companyDocument });
  registry.search({ name: 'CompanyLocation', spec: COMPANY_LOCATION_SEARCH, document: locationDocument });
  registry.metafieldOwner({
    gidType: 'Company',
    ownerType: 'COMPANY',
    writeScopes: [['write_customers'], ['write_companies']],
    exists: (core, id) => BT.companies(core.state).has(id),
    view: (core, id) => companyView(core, BT.companies(core.state).get(id)!),
    touched: (core, id) => companyTouched(core, id),
  });
  registerHasMetafields(registry, 'Company');
  registry.metafieldOwner({
    gidType: 'CompanyLocation',
    ownerType: 'COMPANY_LOCATION',
    writeScopes: [['write_customers'], ['write_companies']],
    exists: (core, id) => BT.locations(core.state).has(id),
    view: (core, id) => locationView(core, BT.locations(core.state).get(id)!),
  });
  registerHasMetafields(registry, 'CompanyLocation');

  registry.input('CompanyCreateInput', ['company', 'companyContact', 'companyLocation']);
  registry.input('CompanyInput', ['name', 'externalId', 'note', 'customerSince']);
  registry.input('CompanyContactInput', ['email', 'firstName', 'lastName', 'phone', 'title', 'locale']);
  registry.input('CompanyLocationInput', ['name', 'externalId', 'note', 'phone', 'locale', 'taxRegistrationId', 'taxExempt', 'taxExemptions', 'billingSameAsShipping', 'shippingAddress', 'billingAddress', 'buyerExperienceConfiguration']);
  registry.input('CompanyAddressInput', ['address1', 'address2', 'city', 'countryCode', 'zoneCode', 'zip', 'firstName', 'lastName', 'phone', 'recipient']);
  registry.input('BuyerExperienceConfigurationInput', ['checkoutToDraft', 'editableShippingAddress']);

  const read = [['read_customers'], ['read_companies']] as const;
  const write = [['write_customers'], ['write_companies']] as const;

  registry.scope('QueryRoot.companies', read);
  registry.field(
    'QueryRoot.companies',
    (_s, args: { query?: string | null; sortKey?: string; first?: number; last?: number; after?: string; before?: string; reverse?: boolean }, ctx: RequestContext, info) => {
      requireB2B(ctx, 'companies', false);
      const key = requireSortKey('CompanySortKeys', args.sortKey, COMPANY_SORTS);
      let rows = [...BT.companies(ctx.state).values()];
      if (args.query) {
        const search = new CompiledSearch(args.query, COMPANY_SEARCH);
        const ids = new Set<string>();
        for (const [id, doc] of ctx.core.index.visible('Company')) if (search.matches(doc)) ids.add(id);
        if (search.warnings.length) ctx.searchWarnings.push({ path: [info.path.key], query: args.query, warnings: search.warnings });
        rows = rows.filter((c) => ids.has(c.id));
      }
      return paginate(rows, args, (c) => companySort(key, c), (c) => companyView(ctx.core, c));
    },
    { args: ['first', 'last', 'after', 'before', 'reverse', 'query', 'sortKey'] },
  );
  registry.scope('QueryRoot.company', read);
  registry.field('QueryRoot.company', (_s, args: { id: string }, ctx: RequestContext) => {
    requireB2B(ctx, 'company', false);
    const c = BT.companies(ctx.state).get(gidOf(args.id, 'Company') ?? '');
    return c ? companyView(ctx.core, c) : null;
  }, { args: ['id'] });
  registry.scope('QueryRoot.companyLocation', read);
  registry.field('QueryRoot.companyLocation', (_s, args: { id: string }, ctx: RequestContext) => {
    requireB2B(ctx, 'companyLocation', false);
    const l = BT.locations(ctx.state).get(gidOf(args.id, 'CompanyLocation') ?? '');
    return l ? locationView(ctx.core, l) : null;
  }, { args: ['id'] });
  registry.scope('QueryRoot.companyContact', read);
  registry.field('QueryRoot.companyContact', (_s, args: { id: string }, ctx: RequestContext) => {
    requireB2B(ctx, 'companyContact', false);
    const c = BT.contacts(ctx.state).get(gidOf(args.id, 'CompanyContact') ?? '');
    return c ? contactView(ctx.core, c) : null;
  }, { args: ['id'] });
  registry.scope('QueryRoot.companyLocations', read);
  registry.field(
    'QueryRoot.companyLocations',
    (_s, args: { query?: string | null; sortKey?: string; first?: number; last?: number; after?: string; before?: string; reverse?: boolean }, ctx: RequestContext, info) => {
      requireB2B(ctx, 'companyLocations', false);
      const key = requireSortKey('CompanyLocationSortKeys', args.sortKey, ['ID', 'NAME', 'CREATED_AT', 'UPDATED_AT']);
      let rows = [...BT.locations(ctx.state).values()];
      if (args.query) {
        const search = new CompiledSearch(args.query, COMPANY_LOCATION_SEARCH);
        const ids = new Set<string>();
        for (const [id, doc] of ctx.core.index.visible('CompanyLocation')) if (search.matches(doc)) ids.add(id);
        if (search.warnings.length) ctx.searchWarnings.push({ path: [info.path.key], query: args.query, warnings: search.warnings });
        rows = rows.filter((l) => ids.has(l.id));
      }
      return paginate(rows, args, (l) => locationSort(key, l), (l) => locationView(ctx.core, l));
    },
    { args: ['first', 'last', 'after', 'before', 'reverse', 'query', 'sortKey'] },
  );

  registry.scope('Mutation.companyCreate', write);
  registry.field('Mutation.companyCreate', companyCreate as never, { args: ['input'] });
  registry.scope('Mutation.companyLocationCreate', write);
  registry.field('Mutation.companyLocationCreate', companyLocationCreate as never, { args: ['companyId', 'input'] });
  registry.scope('Mutation.companyAssignCustomerAsContact', write);
  registry.field('Mutation.companyAssignCustomerAsContact', companyAssignCustomerAsContact as never, { args: ['companyId', 'customerId'] });
  registry.scope('Mutation.companyContactAssignRole', write);
  registry.field('Mutation.companyContactAssignRole', companyContactAssignRole as never, { args: ['companyContactId', 'companyContactRoleId', 'companyLocationId'] });

  // A customer's contact profiles (empty for a shop without B2B).
  registry.field('Customer.companyContactProfiles', (src: { id: string }, _a: unknown, ctx: RequestContext) => {
    if (!b2bEnabled(ctx.core)) return [];
    return contactsOfCustomer(ctx.state, src.id).map((c) => contactView(ctx.core, c));
  });
}
