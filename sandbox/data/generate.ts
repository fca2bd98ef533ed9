/**
 * Deterministic demo data for the CCV sandbox: a Dutch shop (SalesPOS by default) with categories, simple and
 * variant products, extra fields, customers and orders. Same options => byte-identical output: every random
 * choice comes from a seeded PRNG and every date derives from DATA_BASE_DATE, never from the wall clock.
 *
 * CCV-side data only; the Shopify sandbox owns its own data.
 */
import { createHash } from 'node:crypto';
import type { BrandRec, CcvDataset, PackageRec, PaymethodRec, SettingsRec, UserRec } from '../ccv/model.js';
import { BRANDS } from './dutch.js';
import { generateCatalog } from './catalog.js';
import { generateOrders } from './orders.js';
import { generatePerson } from './people.js';
import { Prng } from './prng.js';

/** 2025-01-01T00:00:00Z: the "now" of the generated data. */
export const DATA_BASE_DATE = Date.UTC(2025, 0, 1) / 1000;
export const USER_ID_BASE = 5000;

export interface GenerateOptions {
  seed?: number;
  /** Number of products (default 500); 0 = an empty shop (settings, packages and pay methods only). */
  products?: number;
  /** Add realistic bad records (duplicate/missing SKUs, empty names, invalid e-mails/EANs, unknown countries). */
  dirty?: boolean;
  /** Flag the webshop as a SalesPOS account and include till sales (default true). */
  salespos?: boolean;
  /** Defaults: 20% of products (25..5000); 0 when products is 0. */
  users?: number;
  /** Defaults: 40% of products (30..20000); 0 when products is 0. */
  orders?: number;
}

export function defaultSettings(): SettingsRec {
  return {
    webshop_enabled: true,
    currency: 'EUR',
    default_vat_rat: 21,
    prices_include_vat: true,
    languages: ['nl', 'en'],
    backend_language: 'nl',
    stock: true,
    ordering_without_stock: false,
    stock_level_warnings: { low_threshold: 3, high_threshold: 100 },
    tax_rates: { normal: 21, 'low a': 9, 'low b': 9, 'extra low': 0, zero: 0 },
  };
}

const PACKAGES: PackageRec[] = [
  { id: 1, name: 'Brievenbuspakje', weight_min: 0, weight_max: 0.5 },
  { id: 2, name: 'Standaard pakket', weight_min: 0, weight_max: 2 },
  { id: 3, name: 'Groot pakket', weight_min: 2, weight_max: 30 },
];

const PAYMETHODS: PaymethodRec[] = [
  { id: 11, psp: 'ccv', method: 'ideal', combined_name: 'ccv_ideal', label: 'iDEAL', extra_costs_fixed: 0, extra_costs_percentage: 0 },
  { id: 12, psp: 'ccv', method: 'bancontact', combined_name: 'ccv_bancontact', label: 'Bancontact', extra_costs_fixed: 0, extra_costs_percentage: 0 },
  { id: 13, psp: 'ccv', method: 'paypal', combined_name: 'ccv_paypal', label: 'PayPal', extra_costs_fixed: 0.35, extra_costs_percentage: 0 },
  { id: 14, psp: 'default', method: 'invoice', combined_name: 'invoice', label: 'Op rekening', extra_costs_fixed: 0, extra_costs_percentage: 0 },
  { id: 21, psp: 'salespos', method: 'pin', combined_name: 'salespos_pin', label: 'Pin (Pay. POS)', extra_costs_fixed: 0, extra_costs_percentage: 0 },
  { id: 22, psp: 'salespos', method: 'cash', combined_name: 'salespos_cash', label: 'Contant', extra_costs_fixed: 0, extra_costs_percentage: 0 },
];

export function generateCcvDataset(options: GenerateOptions = {}): CcvDataset {
  const seed = options.seed ?? 1;
  const nProducts = Math.max(0, Math.floor(options.products ?? 500));
  const dirty = options.dirty ?? false;
  const salespos = options.salespos ?? true;
  const root = new Prng(seed);
  const catalogRng = root.fork('catalog');
  const usersRng = root.fork('users');
  const ordersRng = root.fork('orders');
  const base = DATA_BASE_DATE;
  const settings = defaultSettings();

  const catalog = generateCatalog(catalogRng, { products: nProducts, dirty, base, taxRates: settings.tax_rates });

  const nUsers = options.users ?? (nProducts === 0 ? 0 : Math.min(5000, Math.max(25, Math.round(nProducts * 0.2))));
  const users: UserRec[] = [];
  const usernames = new Set<string>();
  for (let i = 1; i <= nUsers; i++) {
    const person = generatePerson(usersRng, i, { dirty, companyShare: 0.3 });
    let username = person.email.toLowerCase();
    // Usernames are unique in CCV; e-mail addresses need not be (two accounts, one family address).
    if (usernames.has(username) || !username.includes('@')) username = `klant${USER_ID_BASE + i}`;
    usernames.add(username);
    users.push({
      id: USER_ID_BASE + i,
      username,
      password_hash: createHash('sha256').update(`demo-password-${seed}-${i}`).digest('hex'),
      group_id: person.isCompany ? 2 : null,
      status: usersRng.chance(0.97),
      approval_status: usersRng.chance(0.95) ? 'accepted' : 'pending',
      product_in_category_discount: 'default',
      userinfo: person.info,
    });
  }

  const nOrders = options.orders ?? (nProducts === 0 ? 0 : Math.min(20000, Math.max(30, Math.round(nProducts * 0.4))));
  const orders = generateOrders(ordersRng, {
    count: nOrders, dirty, salespos, base, settings,
    products: catalog.products, combinations: catalog.combinations,
    productAttributeValues: catalog.productAttributeValues, attributeValues: catalog.attributeValues,
    attributeNames: new Map(catalog.attributes.map((a) => [a.id, a.name] as const)),
    users, paymethods: PAYMETHODS,
  });

  const brands: BrandRec[] = nProducts === 0 ? [] : BRANDS.map((name, i) => ({ id: i + 1, name }));
  const dataset: CcvDataset = {
    webshop: {
      id: 1,
      name: salespos ? 'De Koppelwinkel (SalesPOS)' : 'De Koppelwinkel',
      is_salespos: salespos,
      create_date: Date.UTC(2019, 2, 14, 9, 30) / 1000,
      product_limit: -1,
    },
    settings,
    merchant: {
      company: 'De Koppelwinkel B.V.', street: 'Oudegracht', housenumber: 158, housenumber_suffix: 'bis', zipcode: '3511AZ',
      city: 'Utrecht', country: 'Nederland', country_code: 'NL', email: 'info@koppelwinkel.example', telephone: '030-1234567',
      tax_number: 'NL001234567B01', coc_number: '12345678', iban: 'NL91ABNA0417164300',
    },
    packages: PACKAGES.map((p) => ({ ...p })),
    brands,
    paymethods: PAYMETHODS.map((p) => ({ ...p })),
    ...catalog,
    users,
    orders: orders.orders,
    orderRows: orders.orderRows,
    webhooks: [],
    counters: orders.counters,
  };
  return dataset;
}
