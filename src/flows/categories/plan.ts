/**
 * Per category: what Koppel would do to its collection and why. Compares the wanted collection with
 * the hashes the ledger keeps for the category (and, when needed, with the collection as Shopify has
 * it), applies the field policies and lists the field-level changes. Nothing here writes.
 *
 * Ledger hashes of a `category` link:
 * - `s:<field>`: the value the source asked for when the category was last processed;
 * - `f:<field>`: the value Koppel last wrote to Shopify (for keep_target_changes);
 * - `g:source`: the tag whose "tagged with" condition the collection has (the condition is added only when missing);
 * - `x:published`: the sales channels the collection was published to;
 * - `x:removed`: `1` once the category's deletion in CCV was reported.
 */
import { contentHash, shortId } from '../../core/index.js';
import type { FieldChange } from '../../core/privacy.js';
import { COLLECTION_FIELDS, hasTagCondition, type CollectionField, type CollectionSnapshot, type CollectionTarget } from '../../connectors/shopify/collections.js';
import type { Link } from '../../engine/ledger.js';
import { mayWrite, type FieldPolicy } from '../../mapping/fieldmap.js';
import type { CollectionFinder } from './identity.js';
import type { MappedCategory } from './map.js';

export const HASH = { source: 'g:source', published: 'x:published', removed: 'x:removed' } as const;

/** Hash of the sales channels (as configured: names or GIDs) a collection was published to. */
export const publishedHash = (channels: readonly string[]): string => contentHash([...channels].sort());
export const sourceHash = (t: CollectionTarget): string => contentHash(t.tag.toLowerCase());

export function fieldValue(t: Pick<CollectionTarget, CollectionField>, f: CollectionField): string {
  return t[f];
}

export function sourceHashes(t: CollectionTarget): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of COLLECTION_FIELDS) out[`s:${f}`] = contentHash(fieldValue(t, f));
  return out;
}

export function pushedHashes(t: Pick<CollectionTarget, CollectionField>, fields: Iterable<CollectionField>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) out[`f:${f}`] = contentHash(fieldValue(t, f));
  return out;
}

/** Fields whose source value differs from what the ledger last saw (all of them without hashes). */
export function changedFields(t: CollectionTarget, hashes: Readonly<Record<string, string>> | undefined): CollectionField[] {
  const now = sourceHashes(t);
  return COLLECTION_FIELDS.filter((f) => hashes?.[`s:${f}`] !== now[`s:${f}`]);
}

/**
 * True when a linked category needs no look at Shopify: nothing changed in the source, the tag
 * condition and the publications are as recorded, and no deletion was reported.
 */
export function unchanged(t: CollectionTarget, hashes: Readonly<Record<string, string>>, channels: readonly string[]): boolean {
  if (changedFields(t, hashes).length) return false;
  if (hashes[HASH.source] !== sourceHash(t)) return false;
  if (hashes[HASH.removed] === '1') return false;
  if (channels.length && hashes[HASH.published] !== publishedHash(channels)) return false;
  return true;
}

export interface FieldDecision {
  write: Set<CollectionField>;
  /** Fields Shopify already has exactly as wanted (recorded as pushed). */
  same: CollectionField[];
  /** Fields that differ but stay as they are in Shopify, with the reason. */
  kept: Array<{ field: CollectionField; reason: string }>;
}

/**
 * Which fields to write to an existing collection. `changed` are the fields changed in the source
 * (every field when the collection was just linked); `repair` (a full run) also rewrites an `always`
 * title whose Shopify value drifted. Fields Shopify already has exactly are never written.
 */
export function decideFields(
  t: CollectionTarget,
  snapshot: CollectionSnapshot,
  opts: { changed: readonly CollectionField[]; policies: Readonly<Record<string, FieldPolicy>>; pushed: Readonly<Record<string, string>>; linking: boolean; repair: boolean },
): FieldDecision {
  const write = new Set<CollectionField>();
  const kept: FieldDecision['kept'] = [];
  const same: CollectionField[] = [];
  for (const f of COLLECTION_FIELDS) {
    const theirs = fieldValue(snapshot, f);
    if (theirs === fieldValue(t, f)) {
      same.push(f);
      continue;
    }
    const policy = opts.policies[f] ?? 'always';
    const changed = opts.changed.includes(f);
    // Drift is repaired for the title only: Shopify may rewrite HTML it stores, so a description
    // that reads back differently is not proof of an edit and would be rewritten on every full run.
    if (!changed && !(opts.repair && policy === 'always' && f === 'title')) continue;
    if (mayWrite(policy, { isCreate: false, lastPushedHash: opts.pushed[`f:${f}`], targetHash: contentHash(theirs) })) write.add(f);
    else if (changed) {
      kept.push({
        field: f,
        reason: policy === 'create_only'
          ? 'it is only written when the collection is created'
          : opts.linking || opts.pushed[`f:${f}`] === undefined ? 'Shopify already had its own value when the collection was linked' : 'it was changed in Shopify',
      });
    }
  }
  return { write, same, kept };
}

/** The tag condition is missing from the collection (it is then added as a new source). */
export function needsTagSource(t: CollectionTarget, snapshot: CollectionSnapshot): boolean {
  return !hasTagCondition(snapshot, t.tag);
}

export function createDiff(t: CollectionTarget, handle: string): FieldChange[] {
  return [
    { path: 'title', before: null, after: t.title },
    ...(t.descriptionHtml ? [{ path: 'descriptionHtml', before: null, after: t.descriptionHtml }] : []),
    { path: 'handle', before: null, after: handle },
    { path: 'condition', before: null, after: `products tagged ${t.tag}` },
  ];
}

export function updateDiff(t: CollectionTarget, snapshot: CollectionSnapshot | undefined, fields: Iterable<CollectionField>, addTagSource: boolean): FieldChange[] {
  const out: FieldChange[] = [];
  for (const f of fields) out.push({ path: f, before: snapshot ? fieldValue(snapshot, f) : null, after: fieldValue(t, f) });
  if (addTagSource) out.push({ path: 'condition', before: null, after: `products tagged ${t.tag}` });
  return out;
}

// ── the decision per category ─────────────────────────────────────────────────────────────

export type Decision =
  | { kind: 'quarantine'; m: MappedCategory; collectionId?: string }
  /** Linked and nothing changed: no call to Shopify at all. */
  | { kind: 'skip'; m: MappedCategory; collectionId: string }
  | { kind: 'create'; m: MappedCategory; target: CollectionTarget; relink: boolean; note?: string }
  | {
    kind: 'update'; m: MappedCategory; target: CollectionTarget; collectionId: string; snapshot: CollectionSnapshot; linking: boolean;
    fields: FieldDecision; addTagSource: boolean; setCustomId: boolean; publish: boolean; wasRemoved: boolean; diff: FieldChange[]; note?: string;
  };

export interface PlanContext {
  finder: CollectionFinder;
  policies: Readonly<Record<string, FieldPolicy>>;
  /** Sales channels collections should be on (flows.categories.publishTo), as configured. */
  channels: readonly string[];
  /** `full` looks at every linked collection in Shopify (repairs a deleted condition or collection, a drifted title). */
  mode: 'delta' | 'full';
}

/** Decides what to do with one category. Reads the ledger (given) and Shopify; writes nothing. */
export async function planCategory(m: MappedCategory, link: Link | undefined, ctx: PlanContext): Promise<Decision> {
  const t = m.target;
  if (!t) return { kind: 'quarantine', m, ...(link ? { collectionId: link.targetId } : {}) };
  if (link) {
    if (ctx.mode !== 'full' && unchanged(t, link.hashes, ctx.channels)) return { kind: 'skip', m, collectionId: link.targetId };
    const snapshot = await ctx.finder.read({ id: link.targetId });
    if (!snapshot) return { kind: 'create', m, target: t, relink: true, note: `the linked collection ${shortId(link.targetId)} no longer exists in Shopify, so it is created again` };
    return updateDecision(m, t, snapshot, link.hashes, false, ctx);
  }
  const found = await ctx.finder.find(t.categoryId, m.handle);
  if (!found) return { kind: 'create', m, target: t, relink: false };
  return updateDecision(m, t, found, {}, true, ctx);
}

/** The decision for a collection that exists: which fields, whether the condition, the Koppel id and the publications are missing. */
export function updateDecision(m: MappedCategory, t: CollectionTarget, snapshot: CollectionSnapshot, hashes: Readonly<Record<string, string>>, linking: boolean, ctx: Pick<PlanContext, 'policies' | 'channels' | 'mode'>): Extract<Decision, { kind: 'update' }> {
  const fields = decideFields(t, snapshot, { changed: changedFields(t, linking ? undefined : hashes), policies: ctx.policies, pushed: hashes, linking, repair: ctx.mode === 'full' && !linking });
  const addTagSource = needsTagSource(t, snapshot);
  const wasRemoved = hashes[HASH.removed] === '1';
  const publish = ctx.channels.length > 0 && (hashes[HASH.published] !== publishedHash(ctx.channels) || wasRemoved);
  const notes = [
    linking ? `linked to the existing Shopify collection ${shortId(snapshot.collectionId)} (${JSON.stringify(snapshot.handle)}), which carries this category's Koppel id` : '',
    ...fields.kept.map((k) => `${k.field} kept as it is in Shopify: ${k.reason}`),
  ].filter(Boolean);
  return {
    kind: 'update', m, target: t, collectionId: snapshot.collectionId, snapshot, linking, fields, addTagSource,
    setCustomId: snapshot.categoryId === null, publish, wasRemoved,
    diff: updateDiff(t, snapshot, fields.write, addTagSource),
    ...(notes.length ? { note: notes.join('; ') } : {}),
  };
}

/** Whether an update decision writes anything to Shopify. */
export function writesSomething(d: Extract<Decision, { kind: 'update' }>): boolean {
  return d.fields.write.size > 0 || d.addTagSource || d.setCustomId || d.publish;
}
