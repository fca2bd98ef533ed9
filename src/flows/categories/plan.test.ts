import { describe, expect, it } from 'vitest';
import { contentHash, recordKey } from '../../core/index.js';
import type { CollectionSnapshot, CollectionTarget } from '../../connectors/shopify/collections.js';
import type { MappedCategory } from './map.js';
import { changedFields, decideFields, HASH, publishedHash, pushedHashes, sourceHash, sourceHashes, unchanged, updateDecision, writesSomething } from './plan.js';

const target: CollectionTarget = { categoryId: '12', title: 'Kleding > Heren', descriptionHtml: '<p>Heren</p>', tag: 'ccv-cat-12' };
const snap = (over: Partial<CollectionSnapshot> = {}): CollectionSnapshot => ({
  collectionId: 'gid://shopify/Collection/5', handle: 'kleding-heren', title: target.title, descriptionHtml: target.descriptionHtml, categoryId: '12', taggedWith: ['ccv-cat-12'], ...over,
});
const mapped: MappedCategory = { category: { key: recordKey('ccv', 12), name: 'Heren', parentKey: recordKey('ccv', 11), path: ['Kleding', 'Heren'], descriptionHtml: '<p>Heren</p>', position: 1 }, names: ['Kleding', 'Heren'], target, handle: 'kleding-heren', problems: [] };
const pushedAll = { ...sourceHashes(target), ...pushedHashes(target, ['title', 'descriptionHtml']), [HASH.source]: sourceHash(target) };
const always = { title: 'always', descriptionHtml: 'always' } as const;

describe('categories → collections: plan', () => {
  it('a linked category with the same source values, condition and channels needs no look at Shopify', () => {
    const hashes = { ...pushedAll, [HASH.published]: publishedHash(['Online Store']) };
    expect(unchanged(target, hashes, ['Online Store'])).toBe(true);
    expect(unchanged({ ...target, title: 'Kleding > Mannen' }, hashes, ['Online Store'])).toBe(false);
    expect(unchanged(target, hashes, ['Online Store', 'Point of Sale'])).toBe(false);
    expect(unchanged(target, { ...hashes, [HASH.removed]: '1' }, ['Online Store'])).toBe(false);
    expect(unchanged(target, { ...hashes, [HASH.source]: contentHash('ccv-cat-99') }, ['Online Store'])).toBe(false);
    expect(changedFields({ ...target, descriptionHtml: '' }, hashes)).toEqual(['descriptionHtml']);
  });

  it('only changed fields are written, and only when Shopify does not already have them', () => {
    const next = { ...target, title: 'Kleding > Mannen' };
    const d = decideFields(next, snap(), { changed: ['title'], policies: always, pushed: pushedAll, linking: false, repair: false });
    expect([...d.write]).toEqual(['title']);
    expect(d.same).toEqual(['descriptionHtml']);
    const already = decideFields(next, snap({ title: 'Kleding > Mannen' }), { changed: ['title'], policies: always, pushed: pushedAll, linking: false, repair: false });
    expect([...already.write]).toEqual([]);
  });

  it('policies: create_only keeps the field, keep_target_changes keeps a value edited in Shopify but writes over its own', () => {
    const next = { ...target, title: 'Kleding > Mannen', descriptionHtml: '<p>Nieuw</p>' };
    const policies = { title: 'keep_target_changes', descriptionHtml: 'create_only' } as const;
    const own = decideFields(next, snap(), { changed: ['title', 'descriptionHtml'], policies, pushed: pushedAll, linking: false, repair: false });
    expect([...own.write]).toEqual(['title']);
    expect(own.kept).toEqual([{ field: 'descriptionHtml', reason: 'it is only written when the collection is created' }]);
    const edited = decideFields(next, snap({ title: 'Herenmode' }), { changed: ['title'], policies, pushed: pushedAll, linking: false, repair: false });
    expect(edited.kept).toEqual([{ field: 'title', reason: 'it was changed in Shopify' }]);
    const linked = decideFields(next, snap({ title: 'Herenmode' }), { changed: ['title', 'descriptionHtml'], policies, pushed: {}, linking: true, repair: false });
    expect(linked.write.size).toBe(0);
    expect(linked.kept[0]).toEqual({ field: 'title', reason: 'Shopify already had its own value when the collection was linked' });
  });

  it('a full run repairs a drifted title under "always", never a description', () => {
    const d = decideFields(target, snap({ title: 'Iets anders', descriptionHtml: '<p>anders</p>' }), { changed: [], policies: always, pushed: pushedAll, linking: false, repair: true });
    expect([...d.write]).toEqual(['title']);
    const kept = decideFields(target, snap({ title: 'Iets anders' }), { changed: [], policies: { title: 'keep_target_changes', descriptionHtml: 'always' }, pushed: pushedAll, linking: false, repair: true });
    expect(kept.write.size).toBe(0);
  });

  it('the condition is added only when missing; the Koppel id only when absent; publishing when the channels changed', () => {
    const ctx = { policies: always, channels: ['Online Store'], mode: 'delta' as const };
    const hashes = { ...pushedAll, [HASH.published]: publishedHash(['Online Store']) };
    const same = updateDecision(mapped, target, snap(), hashes, false, ctx);
    expect(writesSomething(same)).toBe(false);
    const noCondition = updateDecision(mapped, target, snap({ taggedWith: ['ccv-cat-1'] }), hashes, false, ctx);
    expect(noCondition.addTagSource).toBe(true);
    expect(noCondition.diff).toEqual([{ path: 'condition', before: null, after: 'products tagged ccv-cat-12' }]);
    // Shopify compares tags case-insensitively.
    expect(updateDecision(mapped, { ...target, tag: 'CCV-CAT-12' }, snap(), hashes, false, ctx).addTagSource).toBe(false);
    expect(updateDecision(mapped, target, snap({ categoryId: null }), hashes, false, ctx).setCustomId).toBe(true);
    expect(updateDecision(mapped, target, snap(), { ...hashes, [HASH.published]: '' }, false, ctx).publish).toBe(true);
    expect(updateDecision(mapped, target, snap(), hashes, false, { ...ctx, channels: [] }).publish).toBe(false);
  });
});
