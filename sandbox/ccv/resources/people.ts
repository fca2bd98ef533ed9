/** Personalinfo (customer data embedded in users and orders, reference §7.3) and the users resource. */
import { page, sortByQuery } from '../collections.js';
import type { Ctx, Result } from '../context.js';
import { href } from '../context.js';
import { ApiError, CODES, notFound } from '../errors.js';
import type { AddressRec, PersonalinfoRec, UserRec } from '../model.js';
import type { Route } from '../router.js';
import type { FieldSpec, Spec } from '../validate.js';
import { EMAIL_RE } from '../validate.js';
import { body, LIST, LIST_SORTED, need } from './common.js';
import { createHash } from 'node:crypto';

const s = { type: 'string', nullable: true } as const;
const ADDRESS_KEYS = [
  'gender', 'initials', 'first_name', 'last_name', 'full_name', 'company', 'address_line_1', 'address_line_2', 'street',
  'housenumber', 'housenumber_suffix', 'zipcode', 'city', 'province', 'country', 'country_code', 'telephone', 'fax', 'mobile', 'comment',
] as const;
const DELIVERY_KEYS = ADDRESS_KEYS.filter((k) => k !== 'first_name' && k !== 'last_name' && k !== 'fax');
const INFO_KEYS = [
  'email', 'customertype', 'bankaccount', 'iban', 'bic', 'bankname', 'reference', 'reservationnumber', 'branch', 'website',
  'birthdate', 'btw', 'kvk', 'costcentre',
] as const;

function addressSpec(keys: readonly string[]): Spec {
  const spec: Spec = {};
  for (const k of keys) spec[k] = s;
  spec['housenumber'] = { type: 'int', nullable: true, min: 0 };
  spec['gender'] = { type: { enum: ['male', 'female', 'unknown'] }, nullable: true };
  return spec;
}

export function personalinfoSpec(validateEmails: boolean): Spec {
  const spec: Spec = {};
  for (const k of INFO_KEYS) spec[k] = s;
  const email: FieldSpec = { ...s, check: (v) => (validateEmails && typeof v === 'string' && v !== '' && !EMAIL_RE.test(v) ? `is not a valid e-mail address: '${v}'` : undefined) };
  spec['email'] = email;
  spec['customertype'] = { type: { enum: ['b2c', 'b2b'] }, nullable: true };
  spec['billingaddress'] = { type: { object: addressSpec(ADDRESS_KEYS) } };
  spec['deliveryaddress'] = { type: { object: addressSpec(DELIVERY_KEYS) } };
  return spec;
}

function renderAddress(a: AddressRec | undefined, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = (a as Record<string, unknown> | undefined)?.[k] ?? null;
  return out;
}

export function renderPersonalinfo(p: PersonalinfoRec | null): Record<string, unknown> | null {
  if (p === null) return null;
  const out: Record<string, unknown> = {};
  for (const k of INFO_KEYS) out[k] = (p as Record<string, unknown>)[k] ?? null;
  out['billingaddress'] = renderAddress(p.billingaddress, ADDRESS_KEYS);
  out['deliveryaddress'] = renderAddress(p.deliveryaddress, DELIVERY_KEYS);
  return out;
}

/** Merges a validated Personalinfo patch (nested addresses merge key by key). */
export function mergePersonalinfo(base: PersonalinfoRec, patch: Record<string, unknown>): PersonalinfoRec {
  const out: PersonalinfoRec = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'billingaddress' || k === 'deliveryaddress') out[k] = { ...(base[k] ?? {}), ...(v as AddressRec) };
    else (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

export function renderUser(ctx: Ctx, u: UserRec): Record<string, unknown> {
  return {
    href: href(ctx, 'users', u.id), id: u.id, username: u.username, group_id: u.group_id, status: u.status,
    approval_status: u.approval_status, product_in_category_discount: u.product_in_category_discount,
    userinfo: renderPersonalinfo(u.userinfo),
    creditpoints: { href: href(ctx, 'users', u.id, 'creditpoints') },
    creditpointmutations: { href: href(ctx, 'users', u.id, 'creditpointmutations') },
    disabledpaymethods: { href: href(ctx, 'users', u.id, 'disabledpaymethods') },
    parent: { href: href(ctx, 'users') },
  };
}

function userSpec(ctx: Ctx, post: boolean): Spec {
  return {
    username: { type: 'string', required: post, maxLength: 255, check: (v) => ((v as string).trim() === '' ? 'must not be empty' : undefined) },
    password: { type: 'string', required: post, check: (v) => ((v as string).length < 6 ? 'must have at least 6 characters' : undefined) },
    group_id: { type: 'int', nullable: true },
    status: { type: 'bool' },
    approval_status: { type: { enum: ['pending', 'accepted'] } },
    product_in_category_discount: { type: { enum: ['default', 'ignore', 'apply'] } },
    userinfo: { type: { object: personalinfoSpec(ctx.b.validateEmails) } },
    gender: { type: { enum: ['male', 'female', 'unknown'] }, nullable: true },
    encryption: { type: { enum: ['plain', 'md5', 'sha1'] } },
  };
}

function applyUser(ctx: Ctx, u: UserRec, b: Record<string, unknown>): void {
  const st = ctx.state;
  if (typeof b['username'] === 'string' && b['username'] !== u.username) {
    const taken = st.users.all().some((x) => x.id !== u.id && x.username.toLowerCase() === (b['username'] as string).toLowerCase());
    if (taken) throw new ApiError(500, CODES.propertyExists, `Property 'username' already exists: '${b['username'] as string}'`);
    u.username = b['username'] as string;
  }
  if (typeof b['password'] === 'string') u.password_hash = createHash('sha256').update(b['password']).digest('hex');
  if (b['group_id'] !== undefined) u.group_id = b['group_id'] as number | null;
  if (typeof b['status'] === 'boolean') u.status = b['status'];
  if (typeof b['approval_status'] === 'string') u.approval_status = b['approval_status'] as UserRec['approval_status'];
  if (typeof b['product_in_category_discount'] === 'string') u.product_in_category_discount = b['product_in_category_discount'];
  if (b['userinfo'] !== undefined) u.userinfo = mergePersonalinfo(u.userinfo, b['userinfo'] as Record<string, unknown>);
  st.users.touch();
}

function listUsers(ctx: Ctx): Result {
  const approval = ctx.query.string('approval_status');
  if (approval !== undefined && approval !== 'pending' && approval !== 'accepted') {
    throw new ApiError(400, CODES.badParam, `Query parameter 'approval_status' must be pending or accepted, got '${approval}'`);
  }
  const items = ctx.state.users.all().filter((u) => approval === undefined || u.approval_status === approval);
  const sorted = sortByQuery(ctx, items, {
    first_name: (u) => u.userinfo.billingaddress?.first_name ?? null,
    id: (u) => u.id,
    last_name: (u) => u.userinfo.billingaddress?.last_name ?? null,
  });
  return page(ctx, sorted, (u) => renderUser(ctx, u));
}

export const userRoutes: Route[] = [
  {
    path: 'users',
    methods: {
      GET: { params: [...LIST_SORTED, 'approval_status'], run: listUsers },
      POST: {
        run: (ctx) => {
          const st = ctx.state;
          const b = body(ctx, userSpec(ctx, true));
          const u: UserRec = {
            id: st.users.allocateId(), username: '', password_hash: '', group_id: null, status: true, approval_status: 'accepted',
            product_in_category_discount: 'default', userinfo: {},
          };
          applyUser(ctx, u, b);
          st.users.insert(u);
          return { status: 201, body: renderUser(ctx, u) };
        },
      },
    },
  },
  {
    path: 'users/:id',
    methods: {
      GET: { run: (ctx) => ({ status: 200, body: renderUser(ctx, need(ctx.state.users, ctx.params[0] as number, 'user')) }) },
      PATCH: {
        run: (ctx) => {
          const u = need(ctx.state.users, ctx.params[0] as number, 'user');
          applyUser(ctx, u, body(ctx, userSpec(ctx, false)));
          return { status: 204 };
        },
      },
      DELETE: {
        run: (ctx) => {
          need(ctx.state.users, ctx.params[0] as number, 'user');
          ctx.state.users.delete(ctx.params[0] as number);
          return { status: 204 };
        },
      },
    },
  },
  {
    path: 'webshops/:id/users',
    methods: {
      GET: {
        params: [...LIST_SORTED, 'approval_status'],
        run: (ctx) => {
          if (ctx.params[0] !== ctx.state.webshop.id) throw notFound('webshop', ctx.params[0] as number);
          return listUsers(ctx);
        },
      },
    },
  },
  ...['creditpoints', 'creditpointmutations', 'disabledpaymethods'].map((child): Route => ({
    path: `users/:id/${child}`,
    methods: { GET: { params: LIST, run: (ctx) => { need(ctx.state.users, ctx.params[0] as number, 'user'); return page(ctx, [], (x) => x); } } },
  })),
];
