/**
 * Privacy by design: masking personal data before it reaches logs, the activity journal or a
 * problem message.
 *
 * Masks keep just enough for a person to recognise the value ("j***n@e***.nl", "J*** J***",
 * "+31*******78", "12** **") and never enough to reconstruct it. Free text is replaced by its
 * length, because notes can contain anything. Masks are deliberately not hashes: a hash of a
 * postcode or phone number is easy to reverse by trying all values.
 *
 * Not treated as personal (kept readable for debugging): city, province, country, tags, ids,
 * order amounts. Company names are masked, because a Dutch sole trader's company name is often
 * the owner's own name.
 */

export type PersonalKind = 'email' | 'name' | 'phone' | 'street' | 'postcode' | 'text' | 'identifier' | 'secret';

const STARS = '***';

function firstChar(s: string): string {
  return [...s][0] ?? '';
}

function lastChar(s: string): string {
  const cps = [...s];
  return cps[cps.length - 1] ?? '';
}

/** "jan.jansen@example.nl" → "j***n@e***.nl". Input that is not an address gets a generic mask. */
export function maskEmail(email: string): string {
  const s = email.trim();
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return maskWord(s);
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  const maskedLocal = [...local].length <= 2 ? `${firstChar(local)}${STARS}` : `${firstChar(local)}${STARS}${lastChar(local)}`;
  const dot = domain.lastIndexOf('.');
  const maskedDomain = dot <= 0 ? `${firstChar(domain)}${STARS}` : `${firstChar(domain)}${STARS}${domain.slice(dot)}`;
  return `${maskedLocal}@${maskedDomain}`;
}

function maskWord(word: string): string {
  return word === '' ? '' : `${firstChar(word)}${STARS}`;
}

/** "Jan van der Berg" → "J*** v*** d*** B***". */
export function maskName(name: string): string {
  return name
    .trim()
    .split(/\s+/u)
    .filter((w) => w !== '')
    .map(maskWord)
    .join(' ');
}

/** "+31 6 12345678" → "+31*******78"; "0612345678" → "06******78"; short numbers are fully masked. */
export function maskPhone(phone: string): string {
  const plus = phone.trim().startsWith('+');
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 6) return STARS;
  return `${plus ? '+' : ''}${digits.slice(0, 2)}${'*'.repeat(digits.length - 4)}${digits.slice(-2)}`;
}

/** "Kerkstraat 12-A" → "K*** ***": first letter of words, numbers hidden. */
export function maskStreet(street: string): string {
  return street
    .trim()
    .split(/\s+/u)
    .filter((w) => w !== '')
    .map((w) => (/\p{L}/u.test(w) && !/^\d/.test(w) ? maskWord(w) : STARS))
    .join(' ');
}

/** "1234 AB" → "12** **" (the first two digits only name a region). */
export function maskPostcode(postcode: string): string {
  const s = postcode.trim();
  let kept = 0;
  let out = '';
  for (const ch of s) {
    if (/[\p{L}\p{N}]/u.test(ch)) {
      out += kept < 2 ? ch : '*';
      kept++;
    } else out += ch;
  }
  return out;
}

/** Free text (notes, comments): only its length survives. */
export function maskFreeText(text: string): string {
  return `[${[...text].length} characters]`;
}

/** VAT, KvK, IBAN and similar numbers: "NL123456789B01" → "NL**********01". */
export function maskIdentifier(value: string): string {
  const s = value.replace(/\s+/g, '');
  if (s.length <= 4) return STARS;
  return `${s.slice(0, 2)}${'*'.repeat(s.length - 4)}${s.slice(-2)}`;
}

/** Mask a value of the given kind. Non-strings (numbers, booleans) are replaced entirely. */
export function maskValue(kind: PersonalKind, value: unknown): unknown {
  if (value === null || value === undefined || value === '') return value;
  if (typeof value !== 'string') return STARS;
  switch (kind) {
    case 'email':
      return maskEmail(value);
    case 'name':
      return maskName(value);
    case 'phone':
      return maskPhone(value);
    case 'street':
      return maskStreet(value);
    case 'postcode':
      return maskPostcode(value);
    case 'text':
      return maskFreeText(value);
    case 'identifier':
      return maskIdentifier(value);
    case 'secret':
      return STARS;
  }
}

/**
 * Personal fields of the canonical records (model.ts), by field name or dotted path, with the
 * mask each gets. A name matches a path segment anywhere in a record ("email" matches
 * `email`, `customer.email`, `addresses[0].email`); a dotted name matches that path tail
 * ("company.name" matches `customer.company.name` but not `category.name`).
 */
export const PERSONAL_FIELDS: Readonly<Record<string, PersonalKind>> = {
  email: 'email',
  firstName: 'name',
  lastName: 'name',
  fullName: 'name',
  'company.name': 'name',
  company: 'name', // Address.company is the company name string
  phone: 'phone',
  address1: 'street',
  address2: 'street',
  street: 'street',
  houseNumber: 'street',
  houseNumberSuffix: 'street',
  postcode: 'postcode',
  note: 'text',
  vatNumber: 'identifier',
  cocNumber: 'identifier',
  birthDate: 'identifier',
};

/** The field names (and dotted paths) that are personal data, for `maskRecordDiff`. */
export const PERSONAL_FIELD_NAMES: readonly string[] = Object.keys(PERSONAL_FIELDS);

const NAME_HINTS: readonly [RegExp, PersonalKind][] = [
  [/e-?mail/i, 'email'],
  [/phone|mobile|telephone|fax/i, 'phone'],
  [/post(al)?code|zip/i, 'postcode'],
  [/street|address|housenumber|house_number/i, 'street'],
  [/name/i, 'name'],
  [/note|comment|memo|message/i, 'text'],
  [/vat|btw|kvk|coc|iban|bic|number|birth/i, 'identifier'],
  [/password|secret|token|key/i, 'secret'],
];

/** Which mask a field gets: from PERSONAL_FIELDS, else guessed from its name, else 'secret' (fully hidden). */
export function personalKindFor(fieldName: string): PersonalKind {
  const known = PERSONAL_FIELDS[fieldName];
  if (known) return known;
  for (const [re, kind] of NAME_HINTS) if (re.test(fieldName)) return kind;
  return 'secret';
}

/** "addresses[0].street" → ["addresses", "street"]. */
export function pathSegments(path: string): string[] {
  return path
    .replace(/\[\d+\]/g, '')
    .split('.')
    .filter((s) => s !== '');
}

interface Matcher {
  names: Set<string>;
  tails: string[][];
}

function matcher(personalFieldNames: Iterable<string>): Matcher {
  const names = new Set<string>();
  const tails: string[][] = [];
  for (const n of personalFieldNames) {
    const segs = pathSegments(n);
    if (segs.length === 1 && segs[0] !== undefined) names.add(segs[0]);
    else if (segs.length > 1) tails.push(segs);
  }
  return { names, tails };
}

/** The personal rule that applies to a path, or undefined: the longest matching dotted tail, else a segment name. */
function matchPath(segs: readonly string[], m: Matcher): { kind: PersonalKind } | undefined {
  for (const tail of m.tails) {
    if (tail.length <= segs.length && tail.every((t, i) => segs[segs.length - tail.length + i] === t)) {
      return { kind: personalKindFor(tail.join('.')) };
    }
  }
  for (let i = segs.length - 1; i >= 0; i--) {
    const seg = segs[i];
    if (seg !== undefined && m.names.has(seg)) return { kind: personalKindFor(seg) };
  }
  return undefined;
}

function maskDeep(value: unknown, segs: string[], m: Matcher, forced: PersonalKind | undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, segs, m, forced));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const childSegs = [...segs, k];
      const rule = matchPath(childSegs, m);
      out[k] = maskDeep(v, childSegs, m, rule?.kind ?? forced);
    }
    return out;
  }
  return forced === undefined ? value : maskValue(forced, value);
}

/**
 * Deep copy of a record with every personal field masked (for logging a whole record). An object
 * under a personal name ("company") has its leaves masked by their own names where known.
 */
export function maskPersonalData<T>(record: T, personalFieldNames: Iterable<string> = PERSONAL_FIELD_NAMES): T {
  return maskDeep(record, [], matcher(personalFieldNames), undefined) as T;
}

/** One changed field: the dotted path inside the record and the values on each side. */
export interface FieldChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface MaskedFieldChange extends FieldChange {
  /** True when before/after were masked; equal masks do not mean equal values. */
  readonly masked: boolean;
}

/**
 * Mask the personal values in a field-level diff before it is stored in the activity journal.
 * Paths are matched segment by segment (see PERSONAL_FIELDS); nested objects in before/after are
 * masked field by field.
 */
export function maskRecordDiff(diff: readonly FieldChange[], personalFieldNames: Iterable<string> = PERSONAL_FIELD_NAMES): MaskedFieldChange[] {
  const m = matcher(personalFieldNames);
  return diff.map((change) => {
    const segs = pathSegments(change.path);
    const rule = matchPath(segs, m);
    const before = maskDeep(change.before, segs, m, rule?.kind);
    const after = maskDeep(change.after, segs, m, rule?.kind);
    const masked = rule !== undefined || JSON.stringify(before) !== JSON.stringify(change.before) || JSON.stringify(after) !== JSON.stringify(change.after);
    return { path: change.path, before, after, masked };
  });
}
