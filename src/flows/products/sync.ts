/**
 * The products flow, CCV → Shopify: read CCV products (a delta by modification date, or everything),
 * map each to the product Koppel wants in Shopify, plan create / update / skip / quarantine against
 * the ledger and Shopify, and apply (or, in a dry run, print the plan and the linking report).
 */
import {
  hasErrors, problem, recordLabel, shortId, taxTariffTable, KoppelError, type Category, type Problem, type Product,
} from '../../core/index.js';
import { readCcvCategories } from '../../connectors/ccv/read/categories.js';
import { readCcvProducts, type CcvProductRecord } from '../../connectors/ccv/read/products.js';
import { readShopInfo } from '../../connectors/ccv/read/shop.js';
import {
  CUSTOM_ID, ensureMetafieldDefinitions, listCatalogProducts, publicationIds, readProductSnapshot, readShopifyShop, type MetafieldDefinitionSpec, type ProductField,
} from '../../connectors/shopify/products.js';
import type { FieldChange } from '../../core/privacy.js';
import { contentHash } from '../../core/hash.js';
import type { FlowEnv } from '../env.js';
import type { FlowReport, FlowSyncOptions } from '../module.js';
import { Pool } from '../pool.js';
import { FlowRun } from '../run.js';
import { BulkCreator, createDiff, createProduct, ENTITY, knownVariants, PUBLISHED, publishedHash, updateProduct } from './apply.js';
import { CatalogIndex, findBySkus, matchBySku, variantsOfProduct } from './identity.js';
import { compileProductFieldMap, fieldPolicies, mapProduct, type MapContext } from './map.js';
import { decideFields, describeChanges, fieldValue, sourceChanges } from './plan.js';

const FLOW = 'products';
const STREAM = 'ccv.products';
/**
 * What the mapping of every product depends on besides the product itself: the flow's settings, the
 * category tree (ancestor tags) and both shops' tax setting. A delta run only sees products whose
 * modification date moved, so when these change it compares everything instead (reads only where
 * nothing changed), rather than leaving the catalogue half-mapped until the nightly reconcile.
 */
const INPUTS_STREAM = 'mapping-inputs';
/** Products planned and written at once (the cost limiter paces the writes). */
const CONCURRENCY = 8;
/** Lines per bulk operation on the first load. */
const BULK_CHUNK = 1000;

export interface PlanItem {
  action: 'create' | 'update' | 'link' | 'skip' | 'quarantine';
  ccvId: string;
  title: string;
  targetId?: string;
  diff: FieldChange[];
  problems: Array<{ code: string; message: string; hint: string; severity: string }>;
  note?: string;
}

export interface LinkingReport {
  shopifyProducts: number;
  shopifyVariants: number;
  linked: number;
  onlyInCcv: number;
  onlyInShopify: Array<{ productId: string; title: string; skus: string[] }>;
  duplicateSkus: { ccv: string[]; shopify: string[] };
  conflicting: Array<{ ccvId: string; message: string }>;
}

const asJson = (p: Problem) => ({ code: p.code, message: p.message, hint: p.hint, severity: p.severity });

export async function syncProducts(env: FlowEnv, opts: FlowSyncOptions): Promise<FlowReport> {
  const settings = env.config.flows.products;
  const fieldMap = compileProductFieldMap(settings);
  const policies = fieldPolicies(fieldMap);
  const taxTable = taxTariffTable(settings.taxTariffs ?? {});
  const dryRun = opts.dryRun;
  const signal = opts.signal;
  const run = await FlowRun.start(env, { flow: FLOW, direction: 'ccv_to_shopify', trigger: opts.trigger, jobId: opts.jobId, dryRun, progress: opts.progress, signal });
  const plan: PlanItem[] = [];
  try {
    const [ccvShop, shop] = await Promise.all([readShopInfo(env.ccv, signal), readShopifyShop(env.shopify, signal)]);
    if (ccvShop.currency !== shop.currency) {
      throw new KoppelError({
        code: 'CURRENCY_MISMATCH',
        message: `CCV sells in ${ccvShop.currency} but the Shopify store ${shop.name} uses ${shop.currency}; Koppel does not convert currencies`,
        hint: 'set both shops to the same currency',
        errorClass: 'permanent',
      });
    }
    const categories = new Map<string, Category>((await readCcvCategories(env.ccv, signal)).map((c) => [c.key.id, c]));
    const firstSync = (await env.ledger.count(env.pair, ENTITY.product)) === 0;
    const catalog = firstSync ? await CatalogIndex.load(env.shopify, signal) : undefined;
    // A full run also checks that what the ledger links still exists in Shopify (a product or variant
    // deleted there is created again), from one read of every product's id and variant count (about
    // 2 points per product). Links made during this run are newer than that read and not checked.
    const runStart = env.now();
    const present = opts.mode === 'full' && !firstSync ? new Map<string, number>() : undefined;
    if (present) for await (const p of listCatalogProducts(env.shopify, { signal, onCost: (c) => run.apiCall(c) })) present.set(p.productId, p.variants);
    const inputs = contentHash({
      settings,
      tree: [...categories.values()].map((c) => [c.key.id, c.parentKey?.id ?? null]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      ccvPricesIncludeVat: ccvShop.pricesIncludeVat,
      shopifyTaxesIncluded: shop.taxesIncluded,
    });
    const lastInputs = await env.checkpoints.get(FLOW, INPUTS_STREAM);
    const inputsChanged = lastInputs?.cursor !== inputs;
    let checkpoint = opts.mode !== 'full' && !firstSync ? await env.checkpoints.get(FLOW, STREAM) : undefined;
    if (checkpoint && inputsChanged) {
      env.logger.info({ flow: FLOW }, 'the products settings, the CCV category tree or a shop\'s tax setting changed since the last run: comparing every product');
      checkpoint = undefined;
    }
    const mapCtx: MapContext = { settings, fieldMap, categories, targetTaxesIncluded: shop.taxesIncluded };

    let publications: string[] = [];
    // Metafield definitions are created before the first write that carries metafields, each once per
    // run: a run with nothing to write sends no mutation at all. A failed attempt is forgotten, so the
    // next product tries again instead of every product failing on the same cached error.
    const definitions = new Map<string, Promise<void>>();
    const ensureDefinitions = (specs: MetafieldDefinitionSpec[]) =>
      Promise.all(specs.map((d) => {
        const k = `${d.ownerType}:${d.namespace}.${d.key}`;
        let p = definitions.get(k);
        if (!p) {
          p = ensureMetafieldDefinitions(env.shopify, [d], signal).then((failed) => {
            for (const f of failed) env.logger.warn({ definition: k }, `metafield definition not created: ${f.errors.map((e) => e.message).join('; ')}`);
          });
          p.catch(() => definitions.delete(k));
          definitions.set(k, p);
        }
        return p;
      }));
    /** One Shopify product read directly by id (not through a lagging list or search). */
    const readById = async (productId: string, variants: number) => {
      const r = await readProductSnapshot(env.shopify, { id: productId }, { currency: shop.currency, taxesIncluded: shop.taxesIncluded, variants, signal });
      run.apiCall(r.cost);
      return r;
    };
    const definitionsFor = (target: Product) => ensureDefinitions([...KOPPEL_DEFINITIONS, ...extraDefinitions(target)]);
    if (!dryRun) {
      const pubs = await publicationIds(env.shopify, settings.publishTo, signal);
      publications = pubs.ids;
      if (pubs.missing.length) env.logger.warn({ missing: pubs.missing }, 'these sales channels (flows.products.publishTo) do not exist in Shopify; products are not published there');
    }

    const seenSkus = new Map<string, string>();
    const duplicateSkus = new Set<string>();
    const linking: LinkingReport | undefined = catalog
      ? { shopifyProducts: catalog.products, shopifyVariants: catalog.variants, linked: 0, onlyInCcv: 0, onlyInShopify: [], duplicateSkus: { ccv: [], shopify: [] }, conflicting: [] }
      : undefined;
    let newestModify: string | undefined;
    let oldestFailed: string | undefined;
    /** Products created (or sent to be created) in this run. */
    let creates = 0;
    let bulk: BulkCreator | undefined;
    const pool = new Pool(CONCURRENCY);

    const note = (kind: PlanItem['action'], rec: CcvProductRecord, extra: Partial<PlanItem> = {}) => {
      if (dryRun) plan.push({ action: kind, ccvId: String(rec.ccvId), title: rec.product?.title ?? '', diff: [], problems: [], ...extra });
    };

    const quarantine = async (rec: CcvProductRecord, problems: Problem[], targetId?: string) => {
      const errors = problems.filter((p) => p.severity === 'error');
      const first = errors[0]!;
      note('quarantine', rec, { problems: problems.map(asJson), ...(targetId ? { targetId } : {}) });
      await run.record({
        action: 'quarantined', entity: ENTITY.product, sourceKey: String(rec.ccvId), targetId: targetId ?? null,
        error: { code: first.code, message: first.message, hint: first.hint },
        ...(errors.length > 1 ? { message: `also: ${errors.slice(1).map((e) => e.message).join('; ')}` } : {}),
      });
    };

    const create = async (rec: CcvProductRecord, target: Product, problems: Problem[]) => {
      const notes = problems.filter((p) => p.severity === 'warning').map((p) => p.message).join('; ') || undefined;
      if (linking) linking.onlyInCcv++;
      note('create', rec, { diff: createDiff(target), problems: problems.map(asJson) });
      if (dryRun) return run.record({ action: 'created', entity: ENTITY.product, sourceKey: target.key.id });
      await definitionsFor(target);
      if (bulk) return bulk.add(target, notes);
      if (++creates > settings.bulkThreshold) {
        // A large load: this and every further create of the run go through bulk operations. The first
        // ones went out as regular calls as they were read: holding them back until the catalogue is read
        // would keep a whole catalogue in memory (with bulk operations off) and leave the bucket idle.
        bulk = new BulkCreator(env, run, publications, { chunkSize: BULK_CHUNK, signal });
        env.logger.info({ threshold: settings.bulkThreshold }, 'more products to create than flows.products.bulkThreshold: creating the rest through bulk operations');
        return bulk.add(target, notes);
      }
      return createProduct(env, run, target, publications, notes, signal);
    };

    const processRecord = async (rec: CcvProductRecord): Promise<void> => {
      // Duplicate SKUs are decided in reading order, before anything awaits, so the outcome is stable.
      const dupProblems: Problem[] = [];
      for (const v of rec.product?.variants ?? []) {
        if (!v.sku) continue;
        const other = seenSkus.get(v.sku);
        if (other !== undefined && other !== String(rec.ccvId)) {
          dupProblems.push(problem('SKU_DUPLICATE', { sku: v.sku, system: 'ccv', owners: [`product ${other}`, `product ${rec.ccvId}`] }, { record: recordLabel('product', rec.product!.key), field: 'sku' }));
          duplicateSkus.add(v.sku);
        } else seenSkus.set(v.sku, String(rec.ccvId));
      }
      try {
        if (!rec.product || hasErrors(rec.problems) || dupProblems.length) {
          return await quarantine(rec, [...dupProblems, ...rec.problems, ...(rec.product ? [] : [problem('PRODUCT_NO_VARIANTS', {}, { record: `CCV product ${rec.ccvId}` })])]);
        }
        const mapped = await mapProduct(rec.product, mapCtx);
        const problems = [...rec.problems, ...mapped.problems];
        if (!mapped.product || hasErrors(problems)) return await quarantine(rec, problems);
        const target = mapped.product;
        const id = target.key.id;

        // A SKU that the ledger knows for another CCV product is a duplicate across runs.
        for (const v of target.variants) {
          if (!v.sku) continue;
          const owners = (await env.ledger.bySku(env.pair, ENTITY.variant, v.sku)).filter((l) => l.sourceKey.split('/')[0] !== id);
          if (owners.length) {
            return await quarantine(rec, [problem('SKU_DUPLICATE', { sku: v.sku, system: 'ccv', owners: [`product ${owners[0]!.sourceKey.split('/')[0]}`, `product ${id}`] }, { record: recordLabel('product', target.key), field: 'sku' })]);
          }
        }

        let link = await env.ledger.bySource(env.pair, ENTITY.product, id);
        // Not in the catalogue read can mean deleted, or not listed yet (Shopify's lists lag behind
        // writes): only a direct read by id that finds nothing counts as deleted.
        const direct = link && present && link.createdAt.getTime() < runStart && !present.has(link.targetId)
          ? await readById(link.targetId, target.variants.length)
          : undefined;
        if (link && direct && !direct.snapshot) {
          problems.push(problem('TARGET_DELETED', { target: `Shopify product ${shortId(link.targetId)}` }, { record: recordLabel('product', target.key) }));
          if (!dryRun) {
            for (const key of (await knownVariants(env, target)).keys()) await env.ledger.unlink(env.pair, ENTITY.variant, key);
            await env.ledger.unlink(env.pair, ENTITY.product, id);
          }
          link = undefined;
        }
        if (!link) {
          // Not linked yet: the first sync matches by SKU against the whole catalogue; later runs search for the SKUs.
          const skus = target.variants.map((v) => v.sku).filter((s): s is string => s !== null);
          const match = catalog
            ? matchBySku(target, catalog.bySku, (pid) => catalog.byProduct.get(pid) ?? [])
            : skus.length
              ? await findBySkus(env.shopify, skus, signal).then(async (found) => {
                const pids = [...new Set([...found.values()].flat().map((v) => v.productId))];
                const variants = new Map<string, Awaited<ReturnType<typeof variantsOfProduct>>>();
                for (const pid of pids.slice(0, 3)) variants.set(pid, await variantsOfProduct(env.shopify, pid, signal));
                return matchBySku(target, found, (pid) => variants.get(pid) ?? []);
              })
              : ({ kind: 'none' } as const);
          if (match.kind === 'conflict') {
            if (linking) {
              if (match.problem.code === 'SKU_DUPLICATE') linking.duplicateSkus.shopify.push(...skus.filter((s) => (catalog!.bySku.get(s)?.length ?? 0) > 1));
              else linking.conflicting.push({ ccvId: id, message: match.problem.message });
            }
            return await quarantine(rec, [match.problem]);
          }
          if (match.kind === 'none') return await create(rec, target, problems);
          // Linking to a product that already exists in Shopify: every field is "changed"; policies decide.
          catalog?.claimed.add(match.match.productId);
          if (linking) linking.linked++;
          return await update(rec, target, problems, match.match.productId, undefined, new Map([...match.match.variantIds].map(([k, v]) => [k, { variantId: v, inventoryItemId: null }])), true);
        }
        const known = await knownVariants(env, target);
        const listed = present?.get(link.targetId);
        if (listed !== undefined && listed < known.size && link.createdAt.getTime() < runStart) {
          // Fewer variants in Shopify than Koppel linked: the ones deleted there (found by reading the
          // product directly) are left out of the known ids, so the structure is written again and they
          // are created again.
          const read = await readById(link.targetId, target.variants.length);
          if (read.snapshot && !read.snapshot.truncated) {
            const exists = new Set(read.snapshot.product.variants.map((v) => v.key.id));
            for (const [key, v] of known) if (!exists.has(v.variantId)) known.delete(key);
          }
        }
        return await update(rec, target, problems, link.targetId, link.hashes, known, false);
      } catch (e) {
        if (!oldestFailed || rec.modifyDate < oldestFailed) oldestFailed = rec.modifyDate;
        throw e;
      }
    };

    const update = async (
      rec: CcvProductRecord, target: Product, problems: Problem[], productId: string, hashes: Record<string, string> | undefined,
      known: Map<string, { variantId: string; inventoryItemId: string | null }>, linking: boolean,
    ): Promise<void> => {
      const id = target.key.id;
      const changes = sourceChanges(target, hashes);
      // Variants the ledger lacks (a crash between write and record): rewrite the structure so they get ids.
      const missingIds = target.variants.some((v) => !known.has(v.key.id));
      const structure = changes.structure || missingIds || linking;
      const wantsPublish = !dryRun && publications.length > 0 && hashes?.[PUBLISHED] !== publishedHash(publications) ? publications : undefined;
      let snapshot: Product | undefined;
      const readTarget = async () => {
        if (!snapshot) snapshot = (await readById(productId, target.variants.length)).snapshot?.product;
        return snapshot;
      };
      const decided = await decideFields(changes.fields, policies, hashes ?? {}, async (f: ProductField) => {
        const t = await readTarget();
        return contentHash((t ? fieldValue(t, f) : null) ?? null);
      });
      // A product linked by SKU gets Koppel's custom id (written with the metafields).
      if (linking) decided.write.add('metafields');
      if (dryRun && (decided.write.size || structure || changes.variants)) await readTarget();
      const diff = describeChanges(target, decided.write, { structure, variants: changes.variants, before: snapshot });
      const keptNote = decided.kept.map((k) => `${k.field} kept as it is in Shopify: ${k.reason}`).join('; ');
      const warnings = problems.filter((p) => p.severity === 'warning').map((p) => p.message).join('; ');
      const message = [linking ? `linked to the existing Shopify product ${shortId(productId)} by SKU` : '', keptNote, warnings].filter(Boolean).join('; ') || undefined;
      const nothing = decided.write.size === 0 && !structure && !changes.variants && !wantsPublish;
      if (dryRun) {
        note(nothing ? 'skip' : linking ? 'link' : 'update', rec, { targetId: productId, diff, problems: problems.map(asJson), ...(message ? { note: message } : {}) });
        return run.record({ action: nothing ? 'skipped' : 'updated', entity: ENTITY.product, sourceKey: id, targetId: productId });
      }
      if (nothing && changes.fields.length === 0) {
        return run.record({ action: 'skipped', entity: ENTITY.product, sourceKey: id, targetId: productId, ...(message ? { message } : {}) });
      }
      // Either something to write, or source changes the policies keep out of Shopify: remember them as seen.
      // Product metafields, and the variants' custom ids that a structure write carries, need their definitions.
      if (decided.write.has('metafields') || structure) await definitionsFor(target);
      const previousVariantKeys = [...known.keys()];
      await updateProduct(env, run, {
        target, productId, fields: decided.write, structure, variants: changes.variants, known, previousVariantKeys, diff,
        ...(message ? { message } : {}), ...(wantsPublish ? { publish: wantsPublish } : {}),
      }, signal);
    };

    for await (const rec of readCcvProducts(env.ccv, { shop: ccvShop, taxTable, skuSources: settings.skuSources, modifiedSince: checkpoint?.cursor, signal })) {
      if (!newestModify || rec.modifyDate > newestModify) newestModify = rec.modifyDate;
      await pool.run(() => processRecord(rec));
    }
    const poolError = await pool.drain();
    await bulk?.finish();

    if (linking && catalog) {
      for (const [pid, variants] of catalog.byProduct) {
        if (!catalog.claimed.has(pid)) linking.onlyInShopify.push({ productId: pid, title: variants[0]?.productTitle ?? '', skus: variants.map((v) => v.sku ?? '').filter(Boolean) });
      }
      linking.duplicateSkus.ccv = [...duplicateSkus];
      linking.duplicateSkus.shopify = [...new Set([...linking.duplicateSkus.shopify, ...[...catalog.bySku].filter(([, v]) => v.length > 1).map(([s]) => s)])];
    }

    // The checkpoint moves to the newest modification seen, unless a record failed: then it stays, so the next run reads it again.
    if (!dryRun && newestModify && run.counts.failed === 0 && poolError === undefined) {
      await env.checkpoints.commit({ flow: FLOW, stream: STREAM, cursor: newestModify, runId: run.id }, env.now());
    }
    // The mapping inputs are remembered once every product has been compared with them.
    if (!dryRun && checkpoint === undefined && run.counts.failed === 0 && poolError === undefined) {
      await env.checkpoints.commit({ flow: FLOW, stream: INPUTS_STREAM, cursor: inputs, runId: run.id }, env.now());
    }
    if (!dryRun && oldestFailed) {
      env.logger.warn({ oldestFailed }, 'some products failed: the delta checkpoint stays, the next run reads them again');
    }
    const record = await run.finish();
    return report(record, plan, linking, dryRun);
  } catch (e) {
    await run.finish(e).catch(() => {});
    throw e;
  }
}

/** Koppel's own custom ids (`id`-type, unique per shop): productSet upserts by them and linking writes them. */
const KOPPEL_DEFINITIONS: MetafieldDefinitionSpec[] = [
  { ...CUSTOM_ID.product, name: 'CCV product id', type: 'id', ownerType: 'PRODUCT' },
  { ...CUSTOM_ID.variant, name: 'CCV variant id', type: 'id', ownerType: 'PRODUCTVARIANT' },
];

/** Metafield definitions for the extra CCV fields a product carries (created once per key). */
function extraDefinitions(p: Product): MetafieldDefinitionSpec[] {
  return p.metafields.map((m) => ({ namespace: m.namespace, key: m.key, name: m.key.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase()), type: m.type, ownerType: 'PRODUCT' as const }));
}

function report(run: Awaited<ReturnType<FlowRun['finish']>>, plan: PlanItem[], linking: LinkingReport | undefined, dryRun: boolean): FlowReport {
  const c = run.counts;
  const lines: string[] = [];
  if (linking) {
    lines.push('Linking report (first sync into this Shopify store):');
    lines.push(`  Shopify has ${linking.shopifyProducts} products with ${linking.shopifyVariants} variants`);
    lines.push(`  linked by SKU       ${linking.linked}`);
    lines.push(`  only in CCV         ${linking.onlyInCcv}   (${dryRun ? 'would be created' : 'created'})`);
    lines.push(`  only in Shopify     ${linking.onlyInShopify.length}   (left alone)`);
    lines.push(`  duplicate SKUs      CCV ${linking.duplicateSkus.ccv.length}, Shopify ${linking.duplicateSkus.shopify.length}`);
    lines.push(`  conflicting         ${linking.conflicting.length}   (same SKU, different product structure)`);
    for (const x of linking.conflicting.slice(0, 10)) lines.push(`    - ${x.message}`);
    for (const x of linking.onlyInShopify.slice(0, 10)) lines.push(`    - only in Shopify: ${x.title} (${shortId(x.productId)}) ${x.skus.slice(0, 3).join(', ')}`);
    lines.push('');
  }
  if (dryRun) {
    lines.push(`Plan (dry run, nothing written): create ${c.created}, update ${c.updated}, skip ${c.skipped}, quarantine ${c.quarantined}`);
    for (const item of plan.filter((i) => i.action !== 'skip').slice(0, 200)) {
      lines.push(`  ${item.action.padEnd(10)} CCV product ${item.ccvId} ${JSON.stringify(item.title)}${item.targetId ? ` → ${shortId(item.targetId)}` : ''}`);
      for (const d of item.diff.slice(0, 8)) lines.push(`      ${d.path}: ${short(d.before)} → ${short(d.after)}`);
      for (const p of item.problems.filter((x) => x.severity === 'error' || item.action !== 'quarantine').slice(0, 3)) lines.push(`      ${p.severity === 'error' ? '✖' : '!'} ${p.message}${p.severity === 'error' ? `\n        fix: ${p.hint}` : ''}`);
      if (item.note) lines.push(`      note: ${item.note}`);
    }
  } else {
    lines.push(`products: created ${c.created}, updated ${c.updated}, skipped ${c.skipped}, quarantined ${c.quarantined}, failed ${c.failed} in ${(run.durationMs / 1000).toFixed(1)} s; Shopify cost ${run.apiCost} points over ${run.apiCalls} calls`);
    if (c.quarantined + c.failed > 0) lines.push('see the activity log for each record: koppel log --flow products --outcome quarantined');
  }
  return { run, lines, data: { run, linking, plan: dryRun ? plan : undefined } };
}

function short(v: unknown): string {
  if (v === null || v === undefined) return '—';
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}
