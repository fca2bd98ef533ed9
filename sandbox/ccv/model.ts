/**
 * Stored record shapes of the CCV sandbox. These are deliberately compact: only what varies per record is
 * stored; the full GET representation (dozens of fields, hrefs, child links) is built on the way out by
 * `render/*`, so 100k products stay small. Dates are epoch seconds (UTC). Money is stored as the API shows it
 * (decimal numbers with two decimals); arithmetic on it happens in integer cents (see money.ts).
 *
 * The data generator (sandbox/data) produces exactly these shapes, and the JSON snapshot stores them.
 */

export type TaxTariff = 'normal' | 'low a' | 'low b' | 'extra low' | 'zero';
export const TAX_TARIFFS: readonly TaxTariff[] = ['normal', 'low a', 'low b', 'extra low', 'zero'];

/** Literal values are not documented (reference §9.7); these are the sandbox's choice. */
export type StockType = 'product' | 'attribute_combination';
export const STOCK_TYPES: readonly StockType[] = ['product', 'attribute_combination'];

export const ORDERING_WITHOUT_STOCK = ['global_setting', 'allowed', 'not_allowed'] as const;

/** Attribute types; only the option menus generate attribute combinations. */
export type AttributeType =
  | 'option_menu'
  | 'option_menu_required'
  | 'additional_menu'
  | 'additional_menu_required'
  | 'text'
  | 'text_required';
export const ATTRIBUTE_TYPES: readonly AttributeType[] = [
  'option_menu', 'option_menu_required', 'additional_menu', 'additional_menu_required', 'text', 'text_required',
];
export const COMBINATION_TYPES: ReadonlySet<AttributeType> = new Set(['option_menu', 'option_menu_required']);
/** Deprecated integer `attribute_type` the API still returns next to `type`. */
export const ATTRIBUTE_TYPE_INT: Record<AttributeType, number> = {
  option_menu: 1, text: 2, text_required: 3, option_menu_required: 4, additional_menu: 5, additional_menu_required: 6,
};

export const STOCK_DELIVERY_TYPES = [
  'days', 'weeks', 'months', 'quarters', 'years', 'outofstock', 'temporarilysoldout', 'ordered', 'onrequest', 'unknown',
] as const;

export interface WebshopRec {
  id: number;
  name: string;
  is_salespos: boolean;
  create_date: number;
  product_limit: number; // -1 = unlimited
}

export interface SettingsRec {
  webshop_enabled: boolean;
  currency: string;
  default_vat_rat: number;
  prices_include_vat: boolean;
  languages: string[];
  backend_language: string;
  stock: boolean;
  ordering_without_stock: boolean;
  stock_level_warnings: { low_threshold: number; high_threshold: number };
  /** VAT percentage per tax tariff (sandbox-internal; the API exposes it as product `vatrate`). */
  tax_rates: Record<TaxTariff, number>;
}

export interface MerchantRec {
  company: string;
  street: string;
  housenumber: number;
  housenumber_suffix: string;
  zipcode: string;
  city: string;
  country: string;
  country_code: string;
  email: string;
  telephone: string;
  tax_number: string;
  coc_number: string;
  iban: string;
}

export interface PackageRec { id: number; name: string; weight_min: number; weight_max: number }
export interface BrandRec { id: number; name: string }

export interface PaymethodRec {
  id: number;
  psp: string;
  method: string;
  combined_name: string;
  label: string;
  extra_costs_fixed: number;
  extra_costs_percentage: number;
}

export interface CategoryRec {
  id: number;
  name: string;
  description: string;
  parent_id: number | null;
  position: number;
  show_on_website: boolean;
  /** Other writable fields that were set through the API (SEO, layout, ...). */
  x?: Record<string, unknown>;
}

export interface ProductToCategoryRec { id: number; product_id: number; category_id: number; position: number }

export interface ProductRec {
  id: number;
  createdate: number;
  modifydate: number;
  is_active: boolean;
  productnumber: string;
  eannumber: string;
  mpnnumber: string;
  name: string;
  shortdescription: string;
  description: string;
  taxtariff: TaxTariff;
  price: number;
  discount: number;
  purchaseprice: number;
  unit: string;
  stockenabled: boolean;
  stocktype: StockType;
  stock: number;
  stocklocation: string;
  ordering_without_stock: string;
  weight: number;
  package_id: number;
  brand_id: number | null;
  stock_delivery_number: number | null;
  stock_delivery_type: string | null;
  stock_delivery_standard: boolean;
  /** tradecodesystem: HS code + country of origin (ISO alpha-2), null when not set. */
  hs_code: string | null;
  coo: string | null;
  x?: Record<string, unknown>;
}

export interface AttributeRec { id: number; name: string; type: AttributeType }
export interface AttributeValueRec { id: number; attribute_id: number; name: string; default_price: number }

/** A product's use of an attribute value (reference §7.5 A.3). */
export interface ProductAttributeValueRec {
  id: number;
  product_id: number;
  attribute_id: number;
  value_id: number;
  price: number;
  /** Position of the attribute (option) on the product. */
  optionposition: number;
  /** Position of the value within the option. */
  position: number;
}

export interface CombinationRec {
  id: number;
  product_id: number;
  /** Attribute value ids, one per option-menu attribute, in option order. The combination's identity. */
  value_ids: number[];
  note: string;
  stock: number;
  ordering_without_stock: string;
  product_number: string;
  ean_number: string;
  sku_number: string;
  delivery_time: number | null;
  delivery_time_type: string | null;
  delivery_default_text: boolean;
  active: boolean;
}

export interface PropertyGroupRec { id: number; name: string }
export type PropertyType = 'text' | 'textarea' | 'checkbox' | 'option';
export const PROPERTY_TYPES: readonly PropertyType[] = ['text', 'textarea', 'checkbox', 'option'];
export interface PropertyRec {
  id: number;
  group_id: number;
  name: string;
  description: string;
  position: number;
  type: PropertyType;
}
export interface PropertyOptionRec { id: number; property_id: number; name: string; position: number }
export interface ProductToPropertyGroupRec { id: number; product_id: number; group_id: number }
export interface ProductPropertyValueRec { id: number; product_id: number; property_id: number; value: string }

export interface AddressRec {
  gender?: string | null;
  initials?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  full_name?: string | null;
  company?: string | null;
  address_line_1?: string | null;
  address_line_2?: string | null;
  street?: string | null;
  housenumber?: number | null;
  housenumber_suffix?: string | null;
  zipcode?: string | null;
  city?: string | null;
  province?: string | null;
  country?: string | null;
  country_code?: string | null;
  telephone?: string | null;
  fax?: string | null;
  mobile?: string | null;
  comment?: string | null;
}

/** Personalinfo (reference §7.3). Only the commonly used keys are modelled; all are optional. */
export interface PersonalinfoRec {
  email?: string | null;
  customertype?: string | null;
  billingaddress?: AddressRec;
  deliveryaddress?: AddressRec;
  bankaccount?: string | null;
  iban?: string | null;
  bic?: string | null;
  bankname?: string | null;
  reference?: string | null;
  reservationnumber?: string | null;
  branch?: string | null;
  website?: string | null;
  birthdate?: string | null;
  btw?: string | null;
  kvk?: string | null;
  costcentre?: string | null;
}

export interface UserRec {
  id: number;
  username: string;
  /** sha256 hex of the password; never rendered. */
  password_hash: string;
  group_id: number | null;
  status: boolean;
  approval_status: 'pending' | 'accepted';
  product_in_category_discount: string;
  userinfo: PersonalinfoRec;
}

export interface OrderRowAttributeRec { id: number; option_name: string; value_name: string; price: number }

export interface OrderRowRec {
  id: number;
  order_id: number;
  product_id: number | null;
  product_type: string;
  product_name: string;
  product_number: string;
  sub_product_number: string;
  sub_sku_number: string;
  sub_ean_number: string;
  count: number;
  /** Unit price before discount and without attribute extras, in the order's row tax mode. */
  price: number;
  product_purchase_price: number;
  discount: number;
  tax: number;
  unit: string;
  weight: number;
  memo: string;
  package_id: number | null;
  attributes: OrderRowAttributeRec[];
  /** Combination the row was sold from (stored for stock bookkeeping; never rendered — the API exposes none). */
  combination_id: number | null;
}

export interface OrderRec {
  id: number;
  ordernumber_prefix: string;
  ordernumber: number | null;
  invoicenumber: number | null;
  transaction_id: string | null;
  create_date: number;
  deliver_method: string;
  deliver_date: number | null;
  orderedinlng: string;
  status: number | null;
  is_completed: boolean;
  paid: boolean;
  paymethod_id: number;
  taxes_included: boolean;
  order_row_taxes_included: boolean;
  shipping_taxes_included: boolean;
  shipping_tax_percentage: number;
  is_intra_community_order: boolean;
  is_platform_sale: boolean;
  total_shipping: number;
  paymethod_costs: number;
  extra_costs: number;
  extra_costs_description: string;
  currency: string;
  track_and_trace_code: string;
  track_and_trace_carrier: string | null;
  reservationnumber: string | null;
  user_id: number | null;
  customer: PersonalinfoRec | null;
  /** Whether this order has taken its rows out of stock (so a cancel can put them back when configured). */
  stock_booked: boolean;
  /** Notes added through PATCH `note` (the API has an ordernotes sub-resource; kept minimal here). */
  notes?: string[];
}

export interface WebhookRec {
  id: number;
  createdate: number;
  event: string;
  address: string;
  key: string;
  is_active: boolean;
}

/** Every table of the sandbox, as plain data: what the generator produces and the snapshot stores. */
export interface CcvDataset {
  webshop: WebshopRec;
  settings: SettingsRec;
  merchant: MerchantRec;
  packages: PackageRec[];
  brands: BrandRec[];
  paymethods: PaymethodRec[];
  categories: CategoryRec[];
  productToCategories: ProductToCategoryRec[];
  attributes: AttributeRec[];
  attributeValues: AttributeValueRec[];
  products: ProductRec[];
  productAttributeValues: ProductAttributeValueRec[];
  combinations: CombinationRec[];
  propertyGroups: PropertyGroupRec[];
  properties: PropertyRec[];
  propertyOptions: PropertyOptionRec[];
  productToPropertyGroups: ProductToPropertyGroupRec[];
  productPropertyValues: ProductPropertyValueRec[];
  users: UserRec[];
  orders: OrderRec[];
  orderRows: OrderRowRec[];
  webhooks: WebhookRec[];
  counters: { ordernumber: number; invoicenumber: number };
}

export const ORDER_STATUSES: readonly { id: number; name: string; text: string; bg: string }[] = [
  { id: 1, name: 'Nieuw', text: '#ffffff', bg: '#2f80ed' },
  { id: 2, name: 'In behandeling', text: '#ffffff', bg: '#f2994a' },
  { id: 3, name: 'Wacht op fabrikant', text: '#000000', bg: '#f2c94c' },
  { id: 4, name: 'Wacht op betaling', text: '#000000', bg: '#f2c94c' },
  { id: 5, name: 'Verzonden', text: '#ffffff', bg: '#27ae60' },
  { id: 6, name: 'Afgeleverd', text: '#ffffff', bg: '#219653' },
  { id: 7, name: 'Afgerond', text: '#ffffff', bg: '#6fcf97' },
  { id: 8, name: 'Geannuleerd', text: '#ffffff', bg: '#eb5757' },
  { id: 9, name: 'Wacht op leverancier', text: '#000000', bg: '#f2c94c' },
  { id: 10, name: 'Wordt ingepakt', text: '#ffffff', bg: '#9b51e0' },
  { id: 11, name: 'Klaar om opgehaald te worden', text: '#ffffff', bg: '#56ccf2' },
  { id: 12, name: 'Wordt geassembleerd', text: '#ffffff', bg: '#bb6bd9' },
  { id: 13, name: 'Backorder', text: '#ffffff', bg: '#828282' },
  { id: 14, name: 'Gereserveerd', text: '#ffffff', bg: '#4f4f4f' },
];

export const DELIVER_METHODS = ['shipping', 'delivery', 'pickup'] as const;
