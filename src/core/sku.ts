/**
 * SKU normalisation and duplicate detection.
 *
 * Normalisation (`checkSku`), in this order:
 * 1. missing: `null`, `undefined`, or a text that is empty after trimming → `missing`;
 * 2. Unicode NFC, so "é" typed two ways is one SKU;
 * 3. leading/trailing whitespace of any kind is trimmed (copy-paste artefacts);
 * 4. inner runs of spaces, tabs and other space characters collapse to one ASCII space;
 * 5. refused: inner line breaks, and control/format/private-use characters (e.g. a zero-width
 *    space U+200B) — they make two SKUs that look identical differ;
 * 6. case is **preserved**: Shopify SKUs are case-sensitive. Case-only differences between two
 *    SKUs are reported as near-duplicate warnings instead.
 * A JSON number is accepted as its decimal text (some exports send article numbers as numbers).
 *
 * Duplicate detection (`SkuDuplicateDetector`) works on a stream: it keeps one entry per distinct
 * SKU (a few MB for 100k SKUs), reports a duplicate when the second owner arrives, and can list
 * every duplicate group with all its owners at the end so a flow can quarantine all of them.
 */
import { problem, type Problem, type ProblemLocation } from './codes.js';
import { SYSTEM_LABELS, type SystemName } from './record.js';
import { codePointLength, codePointName, firstInvisible, showValue } from './text.js';

/** Shopify's SKU length limit (see limits.ts). Koppel never cuts SKUs: they are identities. */
export const SKU_MAX_LENGTH = 255;

export type SkuCheck = { kind: 'ok'; sku: string } | { kind: 'missing' } | { kind: 'invalid'; reason: string; shown: string };

const LINE_BREAK_RE = /[\n\r\v\f\u0085\u2028\u2029]/;

/** Normalise a raw SKU: see the module doc for the rules. */
export function checkSku(raw: unknown): SkuCheck {
  if (raw === null || raw === undefined) return { kind: 'missing' };
  let text: string;
  if (typeof raw === 'string') text = raw;
  else if (typeof raw === 'number' && Number.isFinite(raw)) text = String(raw);
  else return { kind: 'invalid', reason: `it is a ${typeof raw}, not text`, shown: showValue(String(raw)) };
  const trimmed = text.normalize('NFC').trim();
  if (trimmed === '') return { kind: 'missing' };
  if (LINE_BREAK_RE.test(trimmed)) return { kind: 'invalid', reason: 'it contains a line break', shown: showValue(trimmed) };
  const collapsed = trimmed.replace(/[\t \p{Zs}]+/gu, ' ');
  const bad = firstInvisible(collapsed);
  if (bad !== undefined) return { kind: 'invalid', reason: `it contains the invisible character ${codePointName(bad)}`, shown: showValue(collapsed) };
  return { kind: 'ok', sku: collapsed };
}

/** True when the raw value holds no SKU (null, undefined, blank). */
export function isMissingSku(raw: unknown): boolean {
  return checkSku(raw).kind === 'missing';
}

/** Normalised SKU, or null when missing, or undefined when invalid. */
export function normalizeSku(raw: unknown): string | null | undefined {
  const c = checkSku(raw);
  return c.kind === 'ok' ? c.sku : c.kind === 'missing' ? null : undefined;
}

export interface SkuProblemOptions extends ProblemLocation {
  system: SystemName;
  /** Missing SKU is an error (default) or acceptable (e.g. order lines for custom items). */
  required?: boolean;
  maxLength?: number;
}

/** Normalise and report: the SKU (or null) plus SKU_MISSING / SKU_INVALID / SKU_TOO_LONG problems. */
export function skuWithProblems(raw: unknown, opts: SkuProblemOptions): { sku: string | null; problems: Problem[] } {
  const at = { ...(opts.record === undefined ? {} : { record: opts.record }), field: opts.field ?? 'sku' };
  const c = checkSku(raw);
  if (c.kind === 'missing') return { sku: null, problems: opts.required === false ? [] : [problem('SKU_MISSING', { system: opts.system }, at)] };
  if (c.kind === 'invalid') return { sku: null, problems: [problem('SKU_INVALID', { sku: c.shown, reason: c.reason, system: opts.system }, at)] };
  const limit = opts.maxLength ?? SKU_MAX_LENGTH;
  const length = codePointLength(c.sku);
  if (length > limit) {
    return { sku: null, problems: [problem('SKU_TOO_LONG', { sku: showValue(c.sku, 40), length, limit, system: opts.system }, at)] };
  }
  return { sku: c.sku, problems: [] };
}

/**
 * Comparison key for near-duplicates: case-folded and width-folded (NFKC), so "TSHIRT-01-M",
 * "tshirt-01-m" and full-width "ＴＳＨＩＲＴ-01-M" share a key.
 */
export function skuFoldKey(sku: string): string {
  return sku.normalize('NFKC').toLowerCase().normalize('NFC');
}

interface Seen {
  sku: string;
  owners: string[];
}

/**
 * Streaming duplicate detector for one system's SKUs. Owners are short labels without the
 * system ("product 555", or "product 555 variant 9001" when one product has several variants);
 * they appear in messages as "SKU X appears on two CCV variants (products 555 and 556)".
 */
export class SkuDuplicateDetector {
  private readonly exact = new Map<string, Seen>();
  private readonly folded = new Map<string, Seen>();
  private readonly nearReported = new Set<string>();

  constructor(readonly system: SystemName) {}

  /** Number of distinct SKUs seen. */
  get size(): number {
    return this.exact.size;
  }

  has(sku: string): boolean {
    return this.exact.has(sku);
  }

  /**
   * Record that `owner` uses `sku` (already normalised). Returns SKU_DUPLICATE (error) when the SKU
   * was seen before, or SKU_NEAR_DUPLICATE (warning) when a SKU differing only in case was.
   */
  add(sku: string, owner: string): Problem[] {
    const record = `${SYSTEM_LABELS[this.system]} ${owner}`;
    const seen = this.exact.get(sku);
    if (seen) {
      seen.owners.push(owner);
      return [problem('SKU_DUPLICATE', { sku, system: this.system, owners: [...seen.owners] }, { record, field: 'sku' })];
    }
    const entry: Seen = { sku, owners: [owner] };
    this.exact.set(sku, entry);
    const key = skuFoldKey(sku);
    const near = this.folded.get(key);
    if (near === undefined) {
      this.folded.set(key, entry);
      return [];
    }
    if (this.nearReported.has(sku)) return [];
    this.nearReported.add(sku);
    return [
      problem(
        'SKU_NEAR_DUPLICATE',
        { sku, owner, other: near.sku, otherOwner: near.owners[0] ?? '', system: this.system },
        { record, field: 'sku' },
      ),
    ];
  }

  /** Every SKU used more than once, with all its owners in arrival order. */
  duplicates(): Map<string, readonly string[]> {
    const out = new Map<string, readonly string[]>();
    for (const [sku, s] of this.exact) if (s.owners.length > 1) out.set(sku, [...s.owners]);
    return out;
  }

  /** One SKU_DUPLICATE problem per duplicated SKU, naming all owners (for end-of-stream reports). */
  duplicateProblems(): Problem[] {
    return [...this.duplicates()].map(([sku, owners]) => problem('SKU_DUPLICATE', { sku, system: this.system, owners }, { field: 'sku' }));
  }
}
