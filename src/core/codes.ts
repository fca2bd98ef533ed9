/**
 * The catalogue of stable problem/error codes.
 *
 * Every data problem Koppel reports has a code from this catalogue, a message that names the
 * record, and a fix hint written for a shop owner. Codes are stable: flows, the dashboard, alert
 * rules and stored quarantine entries refer to them, so never rename one; add a new code instead.
 *
 * Two shapes, one source:
 * - `problem(code, details, at)` builds a plain, serialisable `Problem` (validators return lists of
 *   these instead of throwing, so one bad record is quarantined and the batch goes on);
 * - `koppelError(code, details, at)` builds a throwable `KoppelError` for the same code.
 *
 * Details must never hold raw personal data: pass masked values (see privacy.ts).
 */
import { KoppelError, type ErrorClass } from './errors.js';
import { SYSTEM_LABELS, type SystemName } from './record.js';

/** `error`: the record is quarantined. `warning`: the record goes through, the note is recorded. */
export type Severity = 'error' | 'warning';

interface CodeDef<D> {
  readonly severity: Severity;
  readonly errorClass: ErrorClass;
  /** One line for documentation and the dashboard's code list. */
  readonly title: string;
  readonly message: (d: D, record: string) => string;
  readonly hint: (d: D, record: string) => string;
}

function def<D>(d: CodeDef<D>): CodeDef<D> {
  return d;
}

const sys = (s: SystemName): string => SYSTEM_LABELS[s];

const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
/** "two", "three", … up to ten, then digits. */
export function countWord(n: number): string {
  return NUMBER_WORDS[n] ?? String(n);
}

/** "a, b and c". */
export function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * Owner labels such as ["product 555", "product 556"] read as "products 555 and 556"; mixed
 * labels are joined as they are.
 */
export function joinOwners(owners: readonly string[]): string {
  const parts = owners.map((o) => /^(\S+) (.+)$/.exec(o));
  const word = parts[0]?.[1];
  if (owners.length > 1 && word !== undefined && parts.every((p) => p?.[1] === word)) {
    return `${word}s ${joinAnd(parts.map((p) => p?.[2] ?? ''))}`;
  }
  return joinAnd(owners);
}

const q = (s: string): string => JSON.stringify(s);

export const CODES = {
  // ── money and tax ──────────────────────────────────────────────────────────────────────────
  MONEY_INVALID_AMOUNT: def<{ value: string; field: string; reason: string }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'An amount could not be read as a decimal number.',
    message: (d, r) => `${d.field} of ${r} is ${d.value}, which is not a usable amount: ${d.reason}`,
    hint: (d) => `correct ${d.field} in the source system; amounts must be plain decimals such as 24.95`,
  }),
  MONEY_OUT_OF_RANGE: def<{ operation: string; currency: string }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'An amount is too large to be handled exactly.',
    message: (d, r) => `${d.operation} for ${r} gives an amount in ${d.currency} too large to handle exactly`,
    hint: () => 'check the prices and quantities of this record in the source system for a typing error',
  }),
  MONEY_CURRENCY_MISMATCH: def<{ operation: string; left: string; right: string }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'Amounts in two different currencies were combined.',
    message: (d, r) => `cannot ${d.operation} an amount in ${d.left} and one in ${d.right} (${r})`,
    hint: () => 'make both systems use the same shop currency; Koppel does not convert currencies',
  }),
  CURRENCY_UNKNOWN: def<{ currency: string }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'A currency code is not a known ISO 4217 code.',
    message: (d, r) => `currency ${q(d.currency)} of ${r} is not an ISO 4217 currency code Koppel knows`,
    hint: () => 'set the shop currency to a 3-letter ISO code such as EUR',
  }),
  TAX_RATE_INVALID: def<{ value: string; reason: string }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'A VAT rate is not a percentage between 0 and 100.',
    message: (d, r) => `VAT rate ${d.value} of ${r} is not usable: ${d.reason}`,
    hint: () => 'set a VAT percentage between 0 and 100 (e.g. 21 or 9) in the source system',
  }),
  TAX_TARIFF_UNKNOWN: def<{ tariff: string; known: readonly string[] }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'A CCV tax tariff is not one of the tariffs Koppel knows.',
    message: (d, r) => `CCV tax tariff ${q(d.tariff)} of ${r} is not one of ${joinAnd(d.known.map(q))}`,
    hint: () => 'choose one of the standard tax tariffs for this product in CCV',
  }),
  TAX_TARIFF_UNMAPPED: def<{ tariff: string }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'No VAT rate is configured for a CCV tax tariff.',
    message: (d, r) => `no VAT rate is configured for CCV tax tariff ${q(d.tariff)}, used by ${r}`,
    hint: (d) => `add a rate for tariff ${q(d.tariff)} to the tax tariff table in the Koppel settings, or give the product another tariff in CCV`,
  }),

  // ── identifiers ────────────────────────────────────────────────────────────────────────────
  SKU_MISSING: def<{ system: SystemName }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'A variant has no SKU, so it cannot be matched between the systems.',
    message: (d, r) => `${r} has no SKU in ${sys(d.system)}`,
    hint: (d) => `fill in the SKU (article number) in ${sys(d.system)}`,
  }),
  SKU_INVALID: def<{ sku: string; reason: string; system: SystemName }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'A SKU contains characters that cannot be used.',
    message: (d, r) => `SKU ${d.sku} of ${r} cannot be used: ${d.reason}`,
    hint: (d) => `retype the SKU in ${sys(d.system)} (copy-pasting often brings in invisible characters)`,
  }),
  SKU_TOO_LONG: def<{ sku: string; length: number; limit: number; system: SystemName }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'A SKU is longer than the target system accepts.',
    message: (d, r) => `SKU ${d.sku} of ${r} is ${d.length} characters long; the limit is ${d.limit}`,
    hint: (d) => `shorten the SKU in ${sys(d.system)}; Koppel never cuts SKUs because they identify the variant`,
  }),
  SKU_DUPLICATE: def<{ sku: string; system: SystemName; owners: readonly string[] }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'The same SKU is used by more than one variant.',
    message: (d) => `SKU ${d.sku} appears on ${countWord(d.owners.length)} ${sys(d.system)} variants (${joinOwners(d.owners)})`,
    hint: (d) => `make the SKU unique in ${sys(d.system)}`,
  }),
  SKU_NEAR_DUPLICATE: def<{ sku: string; owner: string; other: string; otherOwner: string; system: SystemName }>({
    severity: 'warning',
    errorClass: 'invalid_input',
    title: 'Two SKUs differ only in upper/lower case.',
    message: (d) => `SKU ${d.sku} (${d.owner}) and SKU ${d.other} (${d.otherOwner}) differ only in upper/lower case in ${sys(d.system)}`,
    hint: (d) => `Shopify treats them as two SKUs but people and scanners often do not: make them identical or clearly different in ${sys(d.system)}`,
  }),
  BARCODE_INVALID: def<{ value: string; reason: string; system: SystemName }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'A barcode is not a valid EAN/UPC/GTIN.',
    message: (d, r) => `barcode ${q(d.value)} of ${r} is not a valid EAN: ${d.reason}`,
    hint: (d) => `correct the EAN in ${sys(d.system)} (8, 12, 13 or 14 digits ending in the right check digit), or clear it`,
  }),

  // ── addresses and people ───────────────────────────────────────────────────────────────────
  COUNTRY_UNKNOWN: def<{ value: string; field: string }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'A country name or code is not recognised.',
    message: (d, r) => `country ${q(d.value)} in ${d.field} of ${r} is not a country Koppel recognises`,
    hint: () => 'correct the country in the source system (a name such as Nederland, Duitsland, België or Germany, or a 2-letter code such as NL)',
  }),
  COUNTRY_CONFLICT: def<{ name: string; code: string; nameCode: string; field: string }>({
    severity: 'warning',
    errorClass: 'invalid_input',
    title: 'A country name and country code disagree; the code was used.',
    message: (d, r) => `${d.field} of ${r} names country ${q(d.name)} (${d.nameCode}) but has country code ${d.code}; Koppel used ${d.code}`,
    hint: () => 'make the country and the country code agree in the source system',
  }),
  POSTCODE_INVALID: def<{ value: string; country: string; field: string }>({
    severity: 'warning',
    errorClass: 'invalid_input',
    title: 'A postcode does not look valid for its country; it was passed on unchanged.',
    message: (d, r) => `postcode ${d.value} in ${d.field} of ${r} is not a valid ${d.country} postcode`,
    hint: (d) => (d.country === 'NL' ? 'correct the postcode (four digits and two letters, e.g. 1234 AB)' : 'correct the postcode in the source system'),
  }),
  HOUSE_NUMBER_MISSING: def<{ field: string }>({
    severity: 'warning',
    errorClass: 'invalid_input',
    title: 'An address has no recognisable house number.',
    message: (d, r) => `${d.field} of ${r} has no recognisable house number`,
    hint: () => 'put the house number after the street name (e.g. Kerkstraat 12-A)',
  }),
  EMAIL_INVALID: def<{ masked: string; field: string }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'An e-mail address is not valid.',
    message: (d, r) => `${d.field} of ${r} is not a valid e-mail address (${d.masked})`,
    hint: () => 'correct the e-mail address in the source system, or clear it',
  }),
  PHONE_INVALID: def<{ masked: string; field: string }>({
    severity: 'warning',
    errorClass: 'invalid_input',
    title: 'A phone number could not be turned into international format; it was left out.',
    message: (d, r) => `${d.field} of ${r} (${d.masked}) is not a phone number Koppel can write in international format; it was left out`,
    hint: () => 'write the number with its country code (e.g. +31 6 12345678) in the source system',
  }),
  CUSTOMER_NO_IDENTITY: def<Record<string, never>>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'A customer has neither an e-mail address, a phone number nor a name.',
    message: (_d, r) => `${r} has no e-mail address, phone number or name, so it cannot be matched or created`,
    hint: () => 'add at least an e-mail address to the customer in the source system',
  }),

  // ── products and categories ────────────────────────────────────────────────────────────────
  PRODUCT_TITLE_EMPTY: def<Record<string, never>>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'A product has an empty name.',
    message: (_d, r) => `${r} has an empty name`,
    hint: () => 'give the product a name in the source system',
  }),
  PRODUCT_NO_VARIANTS: def<Record<string, never>>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'A product has no variants at all.',
    message: (_d, r) => `${r} has no variants (not even a default one)`,
    hint: () => 'check the product and its attribute combinations in the source system',
  }),
  PRODUCT_TOO_MANY_OPTIONS: def<{ count: number; limit: number; names: readonly string[] }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'A product has more options than Shopify allows.',
    message: (d, r) => `${r} has ${d.count} options (${joinAnd(d.names)}); Shopify allows at most ${d.limit}`,
    hint: (d) => `reduce the option menus of this product to ${d.limit} in CCV, or split it into separate products`,
  }),
  PRODUCT_TOO_MANY_VARIANTS: def<{ count: number; limit: number }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'A product has more variants than Shopify allows.',
    message: (d, r) => `${r} has ${d.count} variants; Shopify allows at most ${d.limit}`,
    hint: () => 'remove unused option values in CCV or split the product',
  }),
  OPTION_INVALID: def<{ option: string; reason: string }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'A product option is unusable (empty name, no values, duplicates).',
    message: (d, r) => `option ${q(d.option)} of ${r} is unusable: ${d.reason}`,
    hint: () => 'correct the option (attribute) and its values in the source system',
  }),
  VARIANT_OPTIONS_MISMATCH: def<{ variant: string; reason: string }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: "A variant's option values do not match the product's options.",
    message: (d, r) => `${d.variant} of ${r} cannot be matched to the product's options: ${d.reason}`,
    hint: () => 'regenerate the attribute combinations of this product in the source system',
  }),
  VARIANT_DUPLICATE_OPTIONS: def<{ values: string; variants: readonly string[] }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'Two variants of a product have the same option values.',
    message: (d, r) => `${joinOwners(d.variants)} of ${r} have the same option values (${d.values})`,
    hint: () => 'remove the duplicate combination or give it a different option value in the source system',
  }),
  PRICE_NEGATIVE: def<{ field: string; amount: string }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'A price is negative.',
    message: (d, r) => `${d.field} of ${r} is negative (${d.amount})`,
    hint: () => 'correct the price in the source system (a discount larger than the price gives a negative price)',
  }),
  WEIGHT_INVALID: def<{ value: string; reason: string }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'A weight is negative or unreadable.',
    message: (d, r) => `weight ${d.value} of ${r} is not usable: ${d.reason}`,
    hint: () => 'correct the weight (in kg) in the source system, or clear it',
  }),
  METAFIELD_INVALID: def<{ namespace: string; key: string; reason: string }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'An extra field (metafield) has an invalid namespace, key or value.',
    message: (d, r) => `extra field ${d.namespace}.${d.key} of ${r} is not valid: ${d.reason}`,
    hint: () => 'correct the extra-field mapping in the flow settings (namespace 3-255 and key 2-64 characters: letters, digits, - and _)',
  }),
  TEXT_TRUNCATED: def<{ field: string; length: number; limit: number; target: string }>({
    severity: 'warning',
    errorClass: 'invalid_input',
    title: 'A text was shortened because the target system limits its length.',
    message: (d, r) => `${d.field} of ${r} is ${d.length} characters; ${d.target} allows ${d.limit}, so it was shortened`,
    hint: (d) => `shorten ${d.field} in the source system if the cut-off text matters`,
  }),
  TAGS_TRUNCATED: def<{ count: number; limit: number }>({
    severity: 'warning',
    errorClass: 'invalid_input',
    title: 'A record has more tags than the target allows; the extra tags were left out.',
    message: (d, r) => `${r} has ${d.count} tags; only the first ${d.limit} were kept`,
    hint: () => 'remove tags you do not need in the source system',
  }),
  CATEGORY_NAME_EMPTY: def<Record<string, never>>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'A category has an empty name.',
    message: (_d, r) => `${r} has an empty name`,
    hint: () => 'give the category a name in the source system',
  }),
  CATEGORY_PARENT_INVALID: def<{ reason: string }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'A category has an impossible parent (itself, or a loop).',
    message: (d, r) => `${r} has an invalid parent category: ${d.reason}`,
    hint: () => 'move the category to a proper parent in the source system',
  }),

  // ── stock ──────────────────────────────────────────────────────────────────────────────────
  STOCK_INVALID: def<{ value: string; reason: string }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'A stock quantity is not a number.',
    message: (d, r) => `stock quantity ${d.value} of ${r} is not usable: ${d.reason}`,
    hint: () => 'correct the stock quantity in the source system',
  }),
  STOCK_FRACTIONAL: def<{ raw: string; used: number }>({
    severity: 'warning',
    errorClass: 'invalid_input',
    title: 'A fractional stock quantity was rounded down to a whole number.',
    message: (d, r) => `stock of ${r} is ${d.raw}; Shopify counts whole units, so ${d.used} was used`,
    hint: () => 'count this product in whole units in CCV if the difference matters',
  }),
  STOCK_OUT_OF_RANGE: def<{ quantity: string; limit: number }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'A stock quantity is beyond what Shopify accepts.',
    message: (d, r) => `stock quantity ${d.quantity} of ${r} is beyond ±${d.limit}`,
    hint: () => 'correct the stock quantity in the source system (probably a typing error)',
  }),

  // ── orders ─────────────────────────────────────────────────────────────────────────────────
  ORDER_NO_LINES: def<Record<string, never>>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'An order has no lines.',
    message: (_d, r) => `${r} has no order lines`,
    hint: () => 'check the order in the source system; empty orders are not copied',
  }),
  ORDER_LINE_QUANTITY_INVALID: def<{ line: string; quantity: string }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'An order line has a quantity that is not a positive whole number.',
    message: (d, r) => `line ${d.line} of ${r} has quantity ${d.quantity}; Shopify needs a positive whole number`,
    hint: () => 'correct the quantity in the source system (sales by weight need a whole-unit article)',
  }),
  ORDER_LINE_SKU_MISSING: def<{ line: string; title: string }>({
    severity: 'warning',
    errorClass: 'invalid_input',
    title: 'An order line has no SKU; it is copied as a custom line without a product link.',
    message: (d, r) => `line ${d.line} (${q(d.title)}) of ${r} has no SKU, so it is copied without a product link`,
    hint: () => 'give the article a SKU in the source system so future orders link to the product',
  }),
  ORDER_TOTAL_MISMATCH: def<{ computed: string; stated: string }>({
    severity: 'warning',
    errorClass: 'invalid_input',
    title: "An order's stated total differs from the sum of its lines, shipping and discounts.",
    message: (d, r) => `the total of ${r} is ${d.stated}, but its lines, shipping and discounts add up to ${d.computed}`,
    hint: () => 'check rounding, extra costs and discounts of the order in the source system',
  }),

  // ── linking and writing to the target ─────────────────────────────────────────────────────
  LINK_CONFLICT: def<{ skus: readonly string[]; reason: string; target: string }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'A source record matches records in the target by SKU, but not one-to-one.',
    message: (d, r) => `${r} shares SKU${d.skus.length === 1 ? '' : 's'} ${joinAnd(d.skus)} with ${d.target}, but ${d.reason}`,
    hint: () => 'make the SKUs of this product match one product in both systems (same variants), or remove the SKUs from the other product in Shopify; then sync again',
  }),
  TARGET_DELETED: def<{ target: string }>({
    severity: 'warning',
    errorClass: 'invalid_input',
    title: 'The target record Koppel linked was deleted there; Koppel created it again.',
    message: (d, r) => `${d.target}, linked to ${r}, no longer exists (it was deleted there); Koppel created it again`,
    hint: () => 'to keep a product out of Shopify, switch it off in CCV rather than deleting it in Shopify: a full run brings deleted products back',
  }),
  TARGET_REJECTED: def<{ target: string; errors: string }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'The target system refused the record.',
    message: (d, r) => `${d.target} refused ${r}: ${d.errors}`,
    hint: (d) => `correct the fields named above in the source system; if they look right, check the record in ${d.target}`,
  }),
  TAX_RATE_NEEDED: def<{ from: string; to: string }>({
    severity: 'error',
    errorClass: 'invalid_input',
    title: 'Prices must be converted between incl. and excl. VAT, but the VAT rate is unknown.',
    message: (d, r) => `the prices of ${r} are ${d.from} VAT and must be ${d.to} VAT, but its VAT rate is unknown`,
    hint: () => 'give the product a tax tariff in CCV, or map the tariff to a rate in flows.products.taxTariffs',
  }),

  // ── internal data handling ─────────────────────────────────────────────────────────────────
  VALUE_NOT_SERIALISABLE: def<{ path: string; type: string }>({
    severity: 'error',
    errorClass: 'permanent',
    title: 'A value cannot be stored or hashed as JSON (a Koppel bug or a broken mapping).',
    message: (d, r) => `value at ${d.path} of ${r} is a ${d.type}, which cannot be stored as JSON`,
    hint: () => 'check custom mapping expressions for this flow; if there are none, report this as a Koppel bug',
  }),
} as const;

export type Code = keyof typeof CODES;
export type CodeDetails<C extends Code> = (typeof CODES)[C] extends CodeDef<infer D> ? D : never;

/** Where a problem sits: the record label ("CCV product 555") and the field path inside it. */
export interface ProblemLocation {
  /** The record that is quarantined or noted ("CCV product 555"). */
  record?: string;
  /** Path of the field inside the record ("variants[2].sku"). */
  field?: string;
  /** What the message talks about when narrower than the record ("variant 9001 of CCV product 555"); defaults to `record`. */
  subject?: string;
}

export interface Problem<C extends Code = Code> {
  readonly code: C;
  readonly severity: Severity;
  readonly message: string;
  readonly hint: string;
  readonly record: string | null;
  readonly field: string | null;
  readonly details: CodeDetails<C>;
}

export function isCode(code: string): code is Code {
  return Object.hasOwn(CODES, code);
}

function defOf<C extends Code>(code: C): CodeDef<CodeDetails<C>> {
  return CODES[code] as unknown as CodeDef<CodeDetails<C>>;
}

/** Build a problem. `severity` overrides the catalogue default (e.g. a flow that only warns on bad barcodes). */
export function problem<C extends Code>(code: C, details: CodeDetails<C>, at: ProblemLocation & { severity?: Severity } = {}): Problem<C> {
  const d = defOf(code);
  const record = at.subject ?? at.record ?? 'the record';
  return {
    code,
    severity: at.severity ?? d.severity,
    message: d.message(details, record),
    hint: d.hint(details, record),
    record: at.record ?? null,
    field: at.field ?? null,
    details,
  };
}

/** Build a throwable KoppelError for a catalogued code. */
export function koppelError<C extends Code>(
  code: C,
  details: CodeDetails<C>,
  at: ProblemLocation & { cause?: unknown; errorClass?: ErrorClass } = {},
): KoppelError {
  return problemToError(problem(code, details, at), at);
}

/** Turn a problem into a KoppelError (e.g. when a single-record API call must fail). */
export function problemToError(p: Problem, extra: { cause?: unknown; errorClass?: ErrorClass } = {}): KoppelError {
  return new KoppelError({
    code: p.code,
    message: p.message,
    hint: p.hint,
    ...(p.record === null ? {} : { record: p.record }),
    ...(p.field === null ? {} : { field: p.field }),
    details: p.details as Readonly<Record<string, unknown>>,
    errorClass: extra.errorClass ?? defOf(p.code).errorClass,
    cause: extra.cause,
  });
}

/** True when any problem in the list quarantines the record. */
export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** The catalogue as data, for docs and the dashboard. */
export function listCodes(): { code: Code; severity: Severity; errorClass: ErrorClass; title: string }[] {
  return (Object.keys(CODES) as Code[]).map((code) => {
    const d = defOf(code);
    return { code, severity: d.severity, errorClass: d.errorClass, title: d.title };
  });
}
