/**
 * E-mail addresses: a pragmatic validity check (what Shopify and mail servers accept in practice,
 * not the full RFC 5322 grammar) and normalisation for matching customers across systems.
 *
 * Normalisation trims and lower-cases the whole address. The local part is case-sensitive in
 * theory, but no mainstream provider treats it so, Shopify matches customers case-insensitively,
 * and CCV customers type their address in any case; matching on the lower-case form is what the
 * merchant expects.
 */
const LOCAL_RE = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL_RE = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** True for addresses like jan.jansen@example.nl; false for missing @, spaces, bad domains, > 254 characters. */
export function isValidEmail(input: string): boolean {
  const s = input.trim();
  if (s.length > 254) return false;
  const at = s.lastIndexOf('@');
  if (at <= 0 || at !== s.indexOf('@')) return false;
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  if (local.length > 64 || !LOCAL_RE.test(local)) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  if (!labels.every((l) => LABEL_RE.test(l))) return false;
  return /^[A-Za-z]{2,63}$/.test(labels[labels.length - 1] ?? '') || /^xn--[a-z0-9-]+$/i.test(labels[labels.length - 1] ?? '');
}

/** Trimmed, lower-cased address; null for blank; undefined when not valid. */
export function normalizeEmail(input: unknown): string | null | undefined {
  if (input === null || input === undefined) return null;
  if (typeof input !== 'string') return undefined;
  const s = input.trim();
  if (s === '') return null;
  return isValidEmail(s) ? s.toLowerCase() : undefined;
}
