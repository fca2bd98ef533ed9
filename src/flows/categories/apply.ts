/**
 * Writes planned collections to Shopify and records what happened: the ledger link (category →
 * Collection GID, with the hashes of what was processed and pushed) right after the write, then the
 * publication, then one activity row. A create whose answer was lost, or that Shopify refuses
 * because the category's Koppel id is taken, is looked up and linked instead: never a second
 * collection for one category.
 */
import { errorMessage, isKoppelError } from '../../core/errors.js';
import { problem, recordLabel, shortId, type Problem } from '../../core/index.js';
import type { UserError } from '../../connectors/shopify/client.js';
import {
  collectionCreateInput, collectionUpdateInput, createCollection, customIdTaken, handleTaken, publishCollection, suffixedHandle, unpublishCollection,
  updateCollection, userErrorText, type CollectionSnapshot, type CollectionTarget, type WriteResult,
} from '../../connectors/shopify/collections.js';
import { isOutcomeUnknown } from '../../connectors/shopify/errors.js';
import type { Link } from '../../engine/ledger.js';
import type { FlowEnv } from '../env.js';
import type { FlowRun } from '../run.js';
import type { CollectionFinder } from './identity.js';
import type { MappedCategory } from './map.js';
import { createDiff, HASH, publishedHash, pushedHashes, sourceHash, sourceHashes, type Decision } from './plan.js';

export const ENTITY = 'category';

export interface ApplyContext {
  env: FlowEnv;
  run: FlowRun;
  finder: CollectionFinder;
  /** The sales channels, resolved to Publication ids (once per run, when first needed). */
  publications(): Promise<Publications>;
  signal?: AbortSignal;
}

export interface Publications {
  ids: string[];
  /** The configured channels that exist in Shopify (their hash is recorded as published). */
  resolved: string[];
}

export function rejected(m: MappedCategory, errors: readonly UserError[]): Problem {
  return problem('TARGET_REJECTED', { target: 'Shopify', errors: userErrorText(errors) }, { record: recordLabel('category', m.category.key) });
}

/** The error of a write that did not go through (after the client's own retries). */
export function failure(e: unknown): { code: string; message: string; hint?: string } {
  if (isKoppelError(e)) return { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
  return { code: 'UNEXPECTED', message: errorMessage(e) };
}

/** Warnings (e.g. a title shortened to Shopify's limit) as one activity message. */
export function warnings(m: MappedCategory): string | undefined {
  return m.problems.filter((p) => p.severity === 'warning').map((p) => p.message).join('; ') || undefined;
}

const joinNotes = (...parts: Array<string | undefined>): string | undefined => parts.filter(Boolean).join('; ') || undefined;

async function writeLink(env: FlowEnv, categoryId: string, collectionId: string, hashes: Record<string, string>): Promise<void> {
  const existing = await env.ledger.bySource(env.pair, ENTITY, categoryId);
  const input = { pair: env.pair, entity: ENTITY, sourceKey: categoryId, targetId: collectionId, direction: 'source_to_target' as const, hashes };
  if (existing && existing.targetId !== collectionId) await env.ledger.relink(input, env.now());
  else await env.ledger.link(input, env.now());
}

export async function quarantine(ctx: ApplyContext, d: Extract<Decision, { kind: 'quarantine' }>, extra: Problem[] = []): Promise<void> {
  const errors = [...d.m.problems, ...extra].filter((p) => p.severity === 'error');
  const first = errors[0] ?? problem('CATEGORY_NAME_EMPTY', {}, { record: recordLabel('category', d.m.category.key) });
  await ctx.run.record({
    action: 'quarantined', entity: ENTITY, sourceKey: d.m.category.key.id, targetId: d.collectionId ?? null,
    error: { code: first.code, message: first.message, hint: first.hint },
    ...(errors.length > 1 ? { message: `also: ${errors.slice(1).map((e) => e.message).join('; ')}` } : {}),
  });
}

type CreateOutcome = { kind: 'done' } | { kind: 'exists'; snapshot: CollectionSnapshot; why: string };

/**
 * Creates the collection (handle from the path; `-<id>` when another collection has it), links it,
 * publishes it. Returns `exists` when Shopify already has the category's collection after all.
 */
export async function createCategory(ctx: ApplyContext, d: Extract<Decision, { kind: 'create' }>): Promise<CreateOutcome> {
  const { env, run, signal } = ctx;
  const t = d.target;
  const id = t.categoryId;
  try {
    await ctx.finder.prepare();
    let handle = d.m.handle;
    const attempt = async () => {
      try {
        return await createCollection(env.shopify, collectionCreateInput(t, handle), signal);
      } catch (e) {
        if (!isOutcomeUnknown(e)) throw e;
        // The create may have happened: look for it before sending it again.
        const found = await ctx.finder.find(id, d.m.handle);
        if (found) return { found };
        return createCollection(env.shopify, collectionCreateInput(t, handle), signal);
      }
    };
    let res = await attempt();
    if ('found' in res) return { kind: 'exists', snapshot: res.found, why: 'the answer to the create was lost; the collection was found by its Koppel id' };
    run.apiCall(res.cost);
    if (!res.ok && handleTaken(res.userErrors) && handle !== suffixedHandle(d.m.handle, id)) {
      handle = suffixedHandle(d.m.handle, id);
      res = await attempt();
      if ('found' in res) return { kind: 'exists', snapshot: res.found, why: 'the answer to the create was lost; the collection was found by its Koppel id' };
      run.apiCall(res.cost);
    }
    const r: WriteResult<{ collectionId: string; handle: string }> = res;
    if (!r.ok) {
      if (customIdTaken(r.userErrors)) {
        const found = await ctx.finder.find(id, d.m.handle);
        if (found) return { kind: 'exists', snapshot: found, why: 'Shopify already had a collection with this category\'s Koppel id' };
      }
      await quarantine(ctx, { kind: 'quarantine', m: d.m }, [rejected(d.m, r.userErrors)]);
      return { kind: 'done' };
    }
    const collectionId = r.value.collectionId;
    const hashes: Record<string, string> = { ...sourceHashes(t), ...pushedHashes(t, ['title', 'descriptionHtml']), [HASH.source]: sourceHash(t), [HASH.removed]: '', [HASH.published]: '' };
    await writeLink(env, id, collectionId, hashes);
    const pub = await publish(ctx, id, collectionId);
    await run.record({
      action: 'created', entity: ENTITY, sourceKey: id, targetId: collectionId, diff: createDiff(t, r.value.handle),
      message: joinNotes(d.note, handle !== d.m.handle ? `the handle ${d.m.handle} belongs to another collection, so this one is ${handle}` : undefined, pub, warnings(d.m)),
    });
    return { kind: 'done' };
  } catch (e) {
    await run.record({ action: 'failed', entity: ENTITY, sourceKey: id, error: failure(e) });
    throw e;
  }
}

/** Publishes to the configured channels and records it; returns a note when it failed. */
async function publish(ctx: ApplyContext, categoryId: string, collectionId: string): Promise<string | undefined> {
  const pubs = await ctx.publications();
  if (pubs.ids.length === 0) return undefined;
  const pub = await publishCollection(ctx.env.shopify, collectionId, pubs.ids, ctx.signal);
  ctx.run.apiCall(pub.cost);
  if (!pub.ok) return `not published: ${userErrorText(pub.userErrors)}; the next run tries again`;
  await ctx.env.ledger.recordPush(ctx.env.pair, ENTITY, categoryId, { [HASH.published]: publishedHash(pubs.resolved) }, ctx.env.now());
  return undefined;
}

/** Writes the changed fields and the missing condition / Koppel id, links, publishes when needed. */
export async function updateCategory(ctx: ApplyContext, d: Extract<Decision, { kind: 'update' }>): Promise<void> {
  const { env, run, signal } = ctx;
  const t: CollectionTarget = d.target;
  const id = t.categoryId;
  try {
    const wrote = d.fields.write.size > 0 || d.addTagSource || d.setCustomId;
    if (wrote) {
      const r = await updateCollection(env.shopify, collectionUpdateInput(d.collectionId, t, d.fields.write, { addTagSource: d.addTagSource, setCustomId: d.setCustomId }), signal);
      run.apiCall(r.cost);
      if (!r.ok) {
        const extra = customIdTaken(r.userErrors)
          ? problem('LINK_CONFLICT', { skus: [], reason: `another Shopify collection already carries Koppel id ${id}; delete one of the two collections in Shopify`, target: `Shopify collection ${shortId(d.collectionId)}` }, { record: recordLabel('category', d.m.category.key) })
          : rejected(d.m, r.userErrors);
        await quarantine(ctx, { kind: 'quarantine', m: d.m, collectionId: d.collectionId }, [extra]);
        return;
      }
    }
    const hashes: Record<string, string> = { ...sourceHashes(t), ...pushedHashes(t, [...d.fields.write, ...d.fields.same]), [HASH.source]: sourceHash(t) };
    if (d.wasRemoved) hashes[HASH.removed] = '';
    await writeLink(env, id, d.collectionId, hashes);
    const pub = d.publish ? await publish(ctx, id, d.collectionId) : undefined;
    await run.record({
      action: wrote || (d.publish && !pub) ? 'updated' : 'skipped', entity: ENTITY, sourceKey: id, targetId: d.collectionId, diff: d.diff,
      message: joinNotes(d.note, d.wasRemoved ? 'the category is back in CCV' : undefined, pub, warnings(d.m)),
    });
  } catch (e) {
    await run.record({ action: 'failed', entity: ENTITY, sourceKey: id, targetId: d.collectionId, error: failure(e) });
    throw e;
  }
}

/** What the report says about a category deleted in CCV. */
export function removedMessage(link: Link, onDelete: 'keep' | 'unpublish', outcome?: string): string {
  const what = `CCV category ${link.sourceKey} no longer exists in CCV; its Shopify collection ${shortId(link.targetId)} is kept (Koppel never deletes collections) and empties as the products flow removes the tag ccv-cat-${link.sourceKey}`;
  if (onDelete === 'unpublish') return `${what}; ${outcome ?? 'it is unpublished from the sales channels'}`;
  return `${what}; delete it in Shopify if it is no longer wanted, or set flows.categories.onDelete: unpublish`;
}

/** A category deleted in CCV: report once, unpublish its collection when asked. */
export async function removedCategory(ctx: ApplyContext, link: Link, onDelete: 'keep' | 'unpublish'): Promise<void> {
  const { env, run } = ctx;
  try {
    let outcome: string | undefined;
    const hashes: Record<string, string> = { [HASH.removed]: '1' };
    if (onDelete === 'unpublish') {
      const pubs = await ctx.publications();
      const r = await unpublishCollection(env.shopify, link.targetId, pubs.ids, ctx.signal);
      run.apiCall(r.cost);
      if (r.ok) {
        outcome = pubs.ids.length ? `it was unpublished from ${pubs.resolved.join(', ')}` : 'no sales channels are configured to unpublish it from';
        hashes[HASH.published] = '';
      } else outcome = `unpublishing failed: ${userErrorText(r.userErrors)}`;
    }
    await env.ledger.recordPush(env.pair, ENTITY, link.sourceKey, hashes, env.now());
    await run.record({ action: 'skipped', entity: ENTITY, sourceKey: link.sourceKey, targetId: link.targetId, message: removedMessage(link, onDelete, outcome) });
  } catch (e) {
    await run.record({ action: 'failed', entity: ENTITY, sourceKey: link.sourceKey, targetId: link.targetId, error: failure(e) });
    throw e;
  }
}
