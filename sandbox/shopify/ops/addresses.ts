// Mailing addresses shared by customers and orders: the MailingAddressInput the sandbox honours, its
// validation (E.164 phone numbers), and the MailingAddress view.
import { parseGid } from '../gid.js';
import type { Registry } from '../registry.js';
import { userError } from './common.js';
import type { UserErrorView } from './common.js';

export interface AddressFields {
  address1: string | null;
  address2: string | null;
  city: string | null;
  company: string | null;
  countryCode: string | null;
  provinceCode: string | null;
  zip: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
}

export interface MailingAddressInputLike {
  address1?: string | null;
  address2?: string | null;
  city?: string | null;
  company?: string | null;
  countryCode?: string | null;
  provinceCode?: string | null;
  zip?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
}

/** Input fields of MailingAddressInput the sandbox honours (the deprecated `country`, `province`, `id` are refused). */
export const MAILING_ADDRESS_INPUT_FIELDS = ['address1', 'address2', 'city', 'company', 'countryCode', 'provinceCode', 'zip', 'firstName', 'lastName', 'phone'] as const;

export function registerAddressInput(registry: Registry): void {
  if (!registry.inputs.has('MailingAddressInput')) registry.input('MailingAddressInput', MAILING_ADDRESS_INPUT_FIELDS);
}

const blankToNull = (v: string | null | undefined): string | null => {
  if (v === undefined || v === null) return null;
  const t = v.trim();
  return t === '' ? null : t;
};

/**
 * A phone number as Shopify stores it (E.164: `+` and 8 to 15 digits; spaces, dashes, dots and parentheses
 * are dropped), or null when it cannot be one. The sandbox needs the `+` and country code: Shopify guesses a
 * country for national numbers, which the sandbox does not (stricter).
 */
export function normalizePhone(raw: string): string | null {
  const compact = raw.trim().replace(/[\s\-.()]/g, '');
  if (!/^\+[1-9]\d{7,14}$/.test(compact)) return null;
  return compact;
}

export function addressFromInput(input: MailingAddressInputLike): AddressFields {
  const phone = blankToNull(input.phone);
  return {
    address1: blankToNull(input.address1),
    address2: blankToNull(input.address2),
    city: blankToNull(input.city),
    company: blankToNull(input.company),
    countryCode: input.countryCode ?? null,
    provinceCode: blankToNull(input.provinceCode)?.toUpperCase() ?? null,
    zip: blankToNull(input.zip),
    firstName: blankToNull(input.firstName),
    lastName: blankToNull(input.lastName),
    phone: phone === null ? null : (normalizePhone(phone) ?? phone),
  };
}

/** Problems with an address input, as userErrors under `path`. */
export function addressProblems(input: MailingAddressInputLike, path: (string | number)[], code: string | null = null): UserErrorView[] {
  const out: UserErrorView[] = [];
  const phone = blankToNull(input.phone);
  if (phone !== null && normalizePhone(phone) === null) out.push(userError([...path, 'phone'], `Phone '${phone}' is invalid: use the international E.164 format, e.g. +31612345678.`, code));
  for (const f of ['address1', 'address2', 'city', 'company', 'zip', 'firstName', 'lastName'] as const) {
    const v = input[f];
    if (typeof v === 'string' && v.length > 255) out.push(userError([...path, f], `${f} is too long (maximum is 255 characters)`, code));
  }
  return out;
}

export function sameAddress(a: AddressFields, b: AddressFields): boolean {
  const keys: (keyof AddressFields)[] = ['address1', 'address2', 'city', 'company', 'countryCode', 'provinceCode', 'zip', 'firstName', 'lastName', 'phone'];
  return keys.every((k) => (a[k] ?? '').toLowerCase() === (b[k] ?? '').toLowerCase());
}

let regionNames: Intl.DisplayNames | undefined;

export function countryName(code: string | null): string | null {
  if (!code) return null;
  regionNames ??= new Intl.DisplayNames(['en'], { type: 'region' });
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

export function fullName(first: string | null, last: string | null): string | null {
  const n = [first, last].filter((x): x is string => !!x).join(' ');
  return n === '' ? null : n;
}

/** The MailingAddress object for an address record with GID `id`. */
export function mailingAddressView(id: string, a: AddressFields) {
  const country = countryName(a.countryCode);
  return {
    __typename: 'MailingAddress',
    id,
    address1: a.address1,
    address2: a.address2,
    city: a.city,
    company: a.company,
    country,
    countryCode: a.countryCode,
    countryCodeV2: a.countryCode,
    province: a.provinceCode,
    provinceCode: a.provinceCode,
    zip: a.zip,
    firstName: a.firstName,
    lastName: a.lastName,
    name: fullName(a.firstName, a.lastName),
    phone: a.phone,
    coordinatesValidated: false,
    latitude: null,
    longitude: null,
    timeZone: null,
    validationResultSummary: null,
    formattedArea: [a.city, a.provinceCode, country].filter((x) => !!x).join(', ') || null,
    formatted: (args: { withCompany?: boolean; withName?: boolean }) =>
      [
        args.withName ? fullName(a.firstName, a.lastName) : null,
        args.withCompany !== false ? a.company : null,
        a.address1,
        a.address2,
        [a.zip, a.city].filter((x) => !!x).join(' ') || null,
        a.provinceCode,
        country,
      ].filter((x): x is string => !!x),
  };
}

/** Numeric id of a MailingAddress GID (`gid://shopify/MailingAddress/1?model_name=CustomerAddress`). */
export function addressNumber(id: string): string {
  return parseGid(id)?.id ?? id;
}
