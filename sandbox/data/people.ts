/** Dutch persons and companies with addresses (street + house number + suffix), for users and order customers. */
import type { AddressRec, PersonalinfoRec } from '../ccv/model.js';
import type { Prng } from './prng.js';
import {
  CITIES, COMPANY_FORMS, COMPANY_WORDS, COUNTRIES_FOREIGN, EMAIL_DOMAINS, FIRST_NAMES_F, FIRST_NAMES_M, HOUSE_SUFFIXES,
  LAST_NAMES, PREFIXES, STREETS,
} from './dutch.js';

export interface PersonOptions {
  dirty: boolean;
  /** Probability of a company (b2b) customer. */
  companyShare: number;
}

export interface GeneratedPerson {
  info: PersonalinfoRec;
  email: string;
  isCompany: boolean;
}

const ZIP_LETTERS = 'ABCDEGHJKLMNPRSTVWXZ';

function zipLetters(rng: Prng): string {
  for (;;) {
    const l = ZIP_LETTERS.charAt(rng.int(0, ZIP_LETTERS.length - 1)) + ZIP_LETTERS.charAt(rng.int(0, ZIP_LETTERS.length - 1));
    if (l !== 'SA' && l !== 'SD' && l !== 'SS') return l;
  }
}

function asciiLocal(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '');
}

function phone(rng: Prng): string {
  return rng.weighted<() => string>([
    [() => `06-${rng.digits(8)}`, 4],
    [() => `06${rng.digits(8)}`, 3],
    [() => `+31 6 ${rng.digits(8)}`, 2],
    [() => `020-${rng.digits(7)}`, 1],
    [() => `030 ${rng.digits(3)} ${rng.digits(4)}`, 1],
  ])();
}

function address(rng: Prng, first: string, last: string, company: string, gender: string): AddressRec {
  const foreign = rng.chance(0.06);
  const street = rng.pick(STREETS);
  const housenumber = rng.weighted([[rng.int(1, 40), 6], [rng.int(41, 250), 3], [rng.int(251, 1200), 1]] as const);
  const suffix = rng.weighted(HOUSE_SUFFIXES);
  let zipcode: string;
  let city: string;
  let province: string;
  let country = 'Nederland';
  let country_code = 'NL';
  if (foreign) {
    const f = rng.pick(COUNTRIES_FOREIGN);
    [country, country_code, city, zipcode] = [f[0], f[1], f[2], f[3]];
    province = '';
  } else {
    const c = rng.pick(CITIES);
    city = c[0];
    province = c[3];
    const digits = rng.int(c[1], c[2]);
    // Real shops hold both spellings: "1234AB" and "1234 AB".
    zipcode = rng.chance(0.6) ? `${digits}${zipLetters(rng)}` : `${digits} ${zipLetters(rng)}`;
  }
  return {
    gender,
    initials: `${first.charAt(0)}.`,
    first_name: first,
    last_name: last,
    full_name: `${first} ${last}`,
    company,
    street,
    housenumber,
    housenumber_suffix: suffix,
    zipcode,
    city,
    province,
    country,
    country_code,
    telephone: phone(rng),
  };
}

const BAD_EMAILS = [
  (l: string) => `${l}@`, (l: string) => `${l}@@ziggo.nl`, (l: string) => `${l} @gmail.com`, () => 'geen email',
  (l: string) => `${l}@hotmail`, (l: string) => `${l}.gmail.com`,
];
const BAD_COUNTRIES: readonly (readonly [string, string])[] = [['Nederlnd', ''], ['Holland', 'HL'], ['', 'XX'], ['Nederlandt', 'NLD']];

export function generatePerson(rng: Prng, seq: number, opts: PersonOptions): GeneratedPerson {
  const female = rng.chance(0.52);
  const first = rng.pick(female ? FIRST_NAMES_F : FIRST_NAMES_M);
  const prefix = rng.pick(PREFIXES);
  const surname = rng.pick(LAST_NAMES);
  const last = prefix ? `${prefix} ${surname}` : surname;
  const isCompany = rng.chance(opts.companyShare);
  const company = isCompany
    ? [rng.chance(0.5) ? surname : `${surname} & ${rng.pick(LAST_NAMES)}`, rng.pick(COMPANY_WORDS), rng.pick(COMPANY_FORMS)].filter(Boolean).join(' ')
    : '';
  const local = `${asciiLocal(first)}.${asciiLocal(prefix + surname)}${seq % 7 === 0 ? seq : ''}`;
  let email = isCompany
    ? `${rng.pick([asciiLocal(first), 'info', 'administratie', 'inkoop'])}@${asciiLocal(company.replace(/ (B\.V\.|V\.O\.F\.|Holding B\.V\.|en Zn\.)$/, '')).slice(0, 30)}.nl`
    : `${local}@${rng.pick(EMAIL_DOMAINS)}`;
  // Occasional upper case: e-mail matching must be case-insensitive.
  if (rng.chance(0.05)) email = email.charAt(0).toUpperCase() + email.slice(1);
  const billing = address(rng, first, last, company, female ? 'female' : 'male');
  if (opts.dirty && rng.chance(0.04)) email = rng.pick(BAD_EMAILS)(local);
  if (opts.dirty && rng.chance(0.03)) {
    const [country, code] = rng.pick(BAD_COUNTRIES);
    billing.country = country;
    billing.country_code = code;
  }
  // Rest-spread instead of `delete`: deleting keys turns objects into (much larger) dictionary-mode objects.
  const { first_name: _first, last_name: _last, fax: _fax, ...deliveryBase } = billing;
  const delivery: AddressRec = deliveryBase;
  if (rng.chance(0.1)) {
    delivery.street = rng.pick(STREETS);
    delivery.housenumber = rng.int(1, 120);
    delivery.housenumber_suffix = '';
  }
  // Only keys with a value are stored (the API renders the rest as null): keeps 100k-product shops small.
  const info: PersonalinfoRec = { email, customertype: isCompany ? 'b2b' : 'b2c', billingaddress: billing, deliveryaddress: delivery };
  if (rng.chance(0.2)) info.iban = `NL${rng.digits(2)}INGB0${rng.digits(9)}`;
  if (isCompany && rng.chance(0.5)) info.website = `https://www.${asciiLocal(company.split(' ')[0] ?? 'bedrijf')}.nl`;
  if (!isCompany && rng.chance(0.3)) info.birthdate = `${rng.int(1945, 2005)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
  if (isCompany) {
    info.btw = `NL${rng.digits(9)}B${rng.digits(2)}`;
    info.kvk = rng.digits(8);
  }
  return { info, email, isCompany };
}

/** The anonymous walk-in customer SalesPOS records on a till sale. */
export function walkInCustomer(): PersonalinfoRec {
  return {
    email: null,
    customertype: 'b2c',
    billingaddress: { first_name: '', last_name: '', full_name: '', company: '', street: '', housenumber: null, housenumber_suffix: '', zipcode: '', city: '', country: 'Nederland', country_code: 'NL', telephone: '' },
    deliveryaddress: { full_name: '', company: '', street: '', housenumber: null, housenumber_suffix: '', zipcode: '', city: '', country: 'Nederland', country_code: 'NL', telephone: '' },
  };
}
