/**
 * The categories flow, CCV → Shopify: read the CCV category tree (one call), map each category to
 * the collection Koppel wants (path title, description, "tagged ccv-cat-<id>" condition), plan
 * create / update / skip / quarantine against the ledger and Shopify, and apply (or, in a dry run,
 * print the plan). Categories deleted in CCV are reported, never deleted in Shopify.
 */
import { shortId } from '../../core/index.js';
import type { FieldChange } from '../../core/privacy.js';
import { categoriesSettings } from '../../config/categories.js';
import { readCcvCategories } from '../../connectors/ccv/read/categories.js';
import { CATEGORY_CUSTOM_ID, collectionPublicationIds, suffixedHandle } from '../../connectors/shopify/collections.js';
import type { ShopifyClient } from '../../connectors/shopify/client.js';
import { ensureMetafieldDefinitions } from '../../connectors/shopify/products.js';
import type { Link } from '../../engine/ledger.js';
import type { FlowEnv } from '../env.js';
import type { FlowReport, FlowSyncOptions } from '../module.js';
import { Pool } from '../pool.js';
import { FlowRun } from '../run.js';
import { createCategory, ENTITY, failure, quarantine, removedCategory, removedMessage, updateCategory, warnings, type ApplyContext, type Publications } from './apply.js';
import { CollectionFinder } from './identity.js';
import { categoryPolicies, compileCategoryFieldMap, mapCategories, type MappedCategory } from './map.js';
import { createDiff, HASH, planCategory, updateDecision, writesSomething, type Decision, type PlanContext } from './plan.js';

const FLOW = 'categories';
/** Categories planned and written at once (the cost limiter paces the writes). */
const CONCURRENCY = 4;

/** Connections whose `koppel.ccv_category_id` definition this process has made sure of. */
const definitionsReady = new WeakMap<ShopifyClient, Promise<boolean>>();

export interface CategoryPlanItem {
  action: 'create' | 'update' | 'link' | 'skip' | 'quarantine' | 'removed';
  ccvId: string;
  title: string;
  /** The handle a new collection gets. */
  handle?: string;
  targetId?: string;
  diff: FieldChange[];
  problems: Array<{ code: string; message: string; hint: string; severity: string }>;
  note?: string;
}

export async function syncCategories(env: FlowEnv, opts: FlowSyncOptions): Promise<FlowReport> {
  const settings = categoriesSettings(env.config.flows);
  const fieldMap = compileCategoryFieldMap(settings);
  const policies = categoryPolicies(fieldMap);
  const { dryRun, signal } = opts;
  const mode = opts.mode ?? 'delta';
  const run = await FlowRun.start(env, { flow: FLOW, direction: 'ccv_to_shopify', trigger: opts.trigger, jobId: opts.jobId, dryRun, progress: opts.progress, signal });
  const plan: CategoryPlanItem[] = [];
  const notices: string[] = [];
  try {
    const set = await mapCategories(await readCcvCategories(env.ccv, signal), settings, fieldMap);
    run.expect(set.mapped.length, 'categories');

    // The custom-id definition is ensured once per connection and process, and only when a lookup or create needs it.
    const prepareCustomId = async (): Promise<boolean> => {
      if (dryRun) return true;
      let ready = definitionsReady.get(env.shopify);
      if (!ready) {
        ready = ensureMetafieldDefinitions(env.shopify, [{ ...CATEGORY_CUSTOM_ID, name: 'CCV category id', type: 'id', ownerType: 'COLLECTION' }], signal).then((failed) => {
          if (failed.length === 0) return true;
          definitionsReady.delete(env.shopify);
          const why = failed.flatMap((f) => f.errors.map((e) => e.message)).join('; ');
          const n = `the metafield definition koppel.ccv_category_id could not be created (${why}); collections are found by handle instead`;
          notices.push(n);
          env.logger.warn(n);
          return false;
        }, (e: unknown) => {
          definitionsReady.delete(env.shopify);
          throw e;
        });
        definitionsReady.set(env.shopify, ready);
      }
      return ready;
    };
    const channels = settings.publishTo ?? env.config.flows.products.publishTo;
    let resolving: Promise<Publications> | undefined;
    const publications = (): Promise<Publications> => {
      resolving ??= collectionPublicationIds(env.shopify, channels, signal).then((p) => {
        if (p.missing.length) {
          const n = `these sales channels do not exist in Shopify, so collections are not published there: ${p.missing.join(', ')} (flows.categories.publishTo)`;
          notices.push(n);
          env.logger.warn(n);
        }
        return { ids: p.ids, resolved: channels.filter((c) => !p.missing.includes(c)) };
      });
      return resolving;
    };
    if (!env.config.flows.products.categoryTags) {
      notices.push('flows.products.categoryTags is off: products carry no ccv-cat-<id> tags, so the collections stay empty');
      env.logger.warn(notices[notices.length - 1]!);
    }

    const finder = new CollectionFinder(env.shopify, run, prepareCustomId, signal);
    const planCtx: PlanContext = { finder, policies, channels, mode };
    const applyCtx: ApplyContext = { env, run, finder, publications, signal };

    const item = (kind: CategoryPlanItem['action'], m: MappedCategory, extra: Partial<CategoryPlanItem> = {}): void => {
      plan.push({
        action: kind, ccvId: m.category.key.id, title: m.target?.title ?? m.names.join(settings.pathSeparator), diff: [],
        problems: m.problems.map((p) => ({ code: p.code, message: p.message, hint: p.hint, severity: p.severity })), ...extra,
      });
    };

    const dry = async (d: Decision): Promise<void> => {
      const sourceKey = d.m.category.key.id;
      switch (d.kind) {
        case 'quarantine':
          item('quarantine', d.m, d.collectionId ? { targetId: d.collectionId } : {});
          return run.record({ action: 'quarantined', entity: ENTITY, sourceKey });
        case 'skip':
          item('skip', d.m, { targetId: d.collectionId });
          return run.record({ action: 'skipped', entity: ENTITY, sourceKey, targetId: d.collectionId });
        case 'create': {
          // Show the handle the collection will really get: a merchant's collection may have the plain one.
          const taken = (await finder.read({ handle: d.m.handle })) !== undefined;
          const handle = taken ? suffixedHandle(d.m.handle, sourceKey) : d.m.handle;
          const note = [d.note, taken ? `the handle ${d.m.handle} belongs to another collection, so this one gets ${handle}` : '', warnings(d.m)].filter(Boolean).join('; ');
          item('create', d.m, { handle, diff: createDiff(d.target, handle), ...(note ? { note } : {}) });
          return run.record({ action: 'created', entity: ENTITY, sourceKey });
        }
        case 'update': {
          const writes = writesSomething(d);
          const note = [d.note, d.publish ? `publish to ${channels.join(', ')}` : '', warnings(d.m)].filter(Boolean).join('; ');
          item(!writes ? 'skip' : d.linking ? 'link' : 'update', d.m, { targetId: d.collectionId, diff: d.diff, ...(note ? { note } : {}) });
          return run.record({ action: writes ? 'updated' : 'skipped', entity: ENTITY, sourceKey, targetId: d.collectionId });
        }
      }
    };

    const apply = async (d: Decision, link: Link | undefined): Promise<void> => {
      switch (d.kind) {
        case 'quarantine':
          return quarantine(applyCtx, d);
        case 'skip':
          return run.record({ action: 'skipped', entity: ENTITY, sourceKey: d.m.category.key.id, targetId: d.collectionId });
        case 'create': {
          const out = await createCategory(applyCtx, d);
          if (out.kind === 'done') return;
          // Shopify had the collection after all: link it and bring it up to date.
          const u = updateDecision(d.m, d.target, out.snapshot, link?.hashes ?? {}, true, planCtx);
          return updateCategory(applyCtx, { ...u, note: [out.why, u.note].filter(Boolean).join('; ') });
        }
        case 'update':
          return updateCategory(applyCtx, d);
      }
    };

    const pool = new Pool(CONCURRENCY);
    for (const m of set.mapped) {
      await pool.run(async () => {
        const link = await env.ledger.bySource(env.pair, ENTITY, m.category.key.id);
        let d: Decision;
        try {
          d = await planCategory(m, link, planCtx);
          if (dryRun) return await dry(d);
        } catch (e) {
          // A read that failed after the client's retries: this category waits for the next run.
          await run.record({ action: 'failed', entity: ENTITY, sourceKey: m.category.key.id, targetId: link?.targetId ?? null, error: failure(e) });
          throw e;
        }
        await apply(d, link);
      });
    }
    const poolError = await pool.drain();
    if (poolError !== undefined && !signal?.aborted) env.logger.warn({ err: String(poolError) }, 'some categories failed; the next run tries them again');

    // Categories Koppel linked that CCV no longer has: reported once, never deleted in Shopify.
    let removed = await linksMissingFrom(env, set.byId);
    if (set.mapped.length === 0 && removed.length > 0) {
      // An empty tree is far more likely a CCV hiccup than a shop without categories: act on nothing.
      notices.push(`CCV returned no categories at all while ${removed.length} are linked to collections; they are not treated as deleted this run`);
      env.logger.warn(notices[notices.length - 1]!);
      removed = [];
    }
    for (const link of removed) {
      if (dryRun) {
        plan.push({ action: 'removed', ccvId: link.sourceKey, title: '', targetId: link.targetId, diff: [], problems: [], note: removedMessage(link, settings.onDelete) });
        await run.record({ action: 'skipped', entity: ENTITY, sourceKey: link.sourceKey, targetId: link.targetId });
      } else {
        await removedCategory(applyCtx, link, settings.onDelete).catch((e: unknown) => env.logger.warn({ err: String(e), category: link.sourceKey }, 'reporting a removed category failed'));
      }
    }

    const record = await run.finish();
    plan.sort((a, b) => Number(a.ccvId) - Number(b.ccvId) || (a.ccvId < b.ccvId ? -1 : a.ccvId > b.ccvId ? 1 : 0));
    return report(record, plan, notices, removed, dryRun);
  } catch (e) {
    await run.finish(e).catch(() => {});
    throw e;
  }
}

/** Ledger links of categories that the CCV read no longer contains (deletion not reported yet). */
async function linksMissingFrom(env: FlowEnv, present: ReadonlyMap<string, unknown>): Promise<Link[]> {
  const out: Link[] = [];
  let afterId: number | undefined;
  for (;;) {
    const page = await env.ledger.list(env.pair, ENTITY, { ...(afterId === undefined ? {} : { afterId }), limit: 500 });
    for (const l of page) if (!present.has(l.sourceKey) && l.hashes[HASH.removed] !== '1') out.push(l);
    if (page.length < 500) return out;
    afterId = page[page.length - 1]!.id;
  }
}

function report(run: Awaited<ReturnType<FlowRun['finish']>>, plan: CategoryPlanItem[], notices: string[], removed: readonly Link[], dryRun: boolean): FlowReport {
  const c = run.counts;
  const lines: string[] = [];
  for (const n of notices) lines.push(`! ${n}`);
  if (dryRun) {
    lines.push(`Plan (dry run, nothing written): create ${c.created}, update ${c.updated}, skip ${c.skipped}, quarantine ${c.quarantined}`);
    for (const it of plan.filter((i) => i.action !== 'skip').slice(0, 300)) {
      const target = it.targetId ? ` → collection ${shortId(it.targetId)}` : it.handle ? ` → new collection /collections/${it.handle}` : '';
      lines.push(`  ${it.action.padEnd(10)} CCV category ${it.ccvId}${it.title ? ` ${JSON.stringify(it.title)}` : ''}${target}`);
      for (const d of it.diff.slice(0, 6)) lines.push(`      ${d.path}: ${short(d.before)} → ${short(d.after)}`);
      for (const p of it.problems.filter((x) => x.severity === 'error' || it.action !== 'quarantine').slice(0, 3)) {
        lines.push(`      ${p.severity === 'error' ? '✖' : '!'} ${p.message}${p.severity === 'error' ? `\n        fix: ${p.hint}` : ''}`);
      }
      if (it.note) lines.push(`      note: ${it.note}`);
    }
  } else {
    lines.push(`categories: created ${c.created}, updated ${c.updated}, skipped ${c.skipped}, quarantined ${c.quarantined}, failed ${c.failed} in ${(run.durationMs / 1000).toFixed(1)} s; Shopify cost ${run.apiCost} points over ${run.apiCalls} calls`);
    for (const l of removed.slice(0, 20)) lines.push(`  deleted in CCV: category ${l.sourceKey}, collection ${shortId(l.targetId)} kept`);
    if (c.quarantined + c.failed > 0) lines.push('see the activity log for each record: koppel log --flow categories --outcome quarantined');
  }
  const removedData = removed.map((l) => ({ ccvId: l.sourceKey, targetId: l.targetId }));
  return { run, lines, data: { run, notices, removed: removedData, plan: dryRun ? plan : undefined } };
}

function short(v: unknown): string {
  if (v === null || v === undefined) return '—';
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}
