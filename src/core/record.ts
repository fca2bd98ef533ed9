/**
 * Record identity and the short labels used in messages ("CCV product 555").
 *
 * A canonical record remembers where it came from as a `RecordKey`: the system plus that system's
 * own id, kept as a string (CCV ids are integers, Shopify ids are GIDs). Labels are for people;
 * keys are for code.
 */
export type SystemName = 'ccv' | 'shopify';

export const SYSTEM_LABELS: Readonly<Record<SystemName, string>> = { ccv: 'CCV', shopify: 'Shopify' };

export interface RecordKey {
  readonly system: SystemName;
  /** The id in that system: a CCV integer id as a string, or a Shopify GID. */
  readonly id: string;
}

export type RecordKind = 'product' | 'variant' | 'category' | 'customer' | 'order' | 'order line' | 'stock level' | 'address';

export function recordKey(system: SystemName, id: string | number): RecordKey {
  return { system, id: String(id) };
}

/** `gid://shopify/Product/123` → `123`; anything else unchanged. */
export function shortId(id: string): string {
  const m = /^gid:\/\/[^/]+\/[^/]+\/([^/?]+)/.exec(id);
  return m?.[1] ?? id;
}

/** "CCV product 555", "Shopify order 820982911946154508". */
export function recordLabel(kind: RecordKind, key: RecordKey): string {
  return `${SYSTEM_LABELS[key.system]} ${kind} ${shortId(key.id)}`;
}

/** Stable string form for maps and ledgers: `ccv:555`, `shopify:gid://shopify/Product/1`. */
export function recordKeyString(key: RecordKey): string {
  return `${key.system}:${key.id}`;
}

export function sameRecordKey(a: RecordKey, b: RecordKey): boolean {
  return a.system === b.system && a.id === b.id;
}
