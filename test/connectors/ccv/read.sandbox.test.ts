/** CCV products and categories → canonical records, read from the CCV sandbox. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCcvSandbox, type CcvSandbox } from '../../../sandbox/ccv/index.js';
import { CcvClient } from '../../../src/connectors/ccv/index.js';
import { readCcvCategories } from '../../../src/connectors/ccv/read/categories.js';
import { metafieldKey, readCcvProducts, type CcvProductRecord } from '../../../src/connectors/ccv/read/products.js';
import { readShopInfo, type CcvShopInfo } from '../../../src/connectors/ccv/read/shop.js';
import { formatMoney } from '../../../src/core/index.js';

let sb: CcvSandbox;
let client: CcvClient;
let shop: CcvShopInfo;
let all: CcvProductRecord[];
let clock = Date.parse('2026-11-29T10:00:00Z');

beforeAll(async () => {
  sb = await startCcvSandbox({ port: 0, products: 150, seed: 11, webhookDispatch: 'manual', now: () => clock, logger: () => {} });
  client = new CcvClient({ baseUrl: sb.origin, publicKey: sb.publicKey, secretKey: sb.secretKey, now: () => clock });
  shop = await readShopInfo(client);
  all = [];
  for await (const r of readCcvProducts(client, { shop })) all.push(r);
});
afterAll(async () => sb.close());

describe('reading CCV products', () => {
  it('reads every product, with one page request per 250 products', () => {
    expect(all).toHaveLength(150);
    expect(shop).toMatchObject({ currency: 'EUR', pricesIncludeVat: true, isSalespos: true });
  });

  it('turns option-menu attributes into options and active combinations into variants', () => {
    const withCombos = all.map((r) => r.product!).find((p) => p.options.length >= 2)!;
    const raw = sb.state.combinations.by('product', Number(withCombos.key.id)).filter((c) => c.active);
    expect(withCombos.variants).toHaveLength(raw.length);
    for (const v of withCombos.variants) {
      expect(v.key.id).toMatch(new RegExp(`^${withCombos.key.id}/\\d+$`));
      expect(v.optionValues.map((o) => o.option)).toEqual(withCombos.options.map((o) => o.name));
      for (const ov of v.optionValues) expect(withCombos.options.find((o) => o.name === ov.option)!.values).toContain(ov.value);
    }
    const comboId = Number(withCombos.variants[0]!.key.id.split('/')[1]);
    expect(withCombos.variants[0]!.sku).toBe(sb.state.combinations.get(comboId)!.sku_number);
  });

  it('computes price = price − discount + extra price, with the undiscounted price as compare-at', () => {
    const rec = all.find((r) => sb.state.products.get(r.ccvId)!.discount > 0 && (r.product?.variants.length ?? 0) > 1)!;
    const p = sb.state.products.get(rec.ccvId)!;
    for (const v of rec.product!.variants) {
      const combo = sb.state.combinations.get(Number(v.key.id.split('/')[1]))!;
      const extra = sb.state.productAttributeValues.by('product', p.id).filter((pav) => combo.value_ids.includes(pav.value_id)).reduce((s, pav) => s + Math.round(pav.price * 100), 0);
      expect(v.price.amount).toBe(Math.round(p.price * 100) - Math.round(p.discount * 100) + extra);
      expect(v.compareAtPrice!.amount).toBe(Math.round(p.price * 100) + extra);
    }
    expect(formatMoney(rec.product!.variants[0]!.price)).toMatch(/^\d+\.\d{2}$/);
  });

  it('a product without combinations has one variant keyed like the product, SKU from its product number', () => {
    const simple = all.map((r) => r.product!).find((p) => p.options.length === 0)!;
    expect(simple.variants).toHaveLength(1);
    expect(simple.variants[0]!.key).toEqual(simple.key);
    expect(simple.variants[0]!.sku).toBe(sb.state.products.get(Number(simple.key.id))!.productnumber);
  });

  it('maps extra fields (property groups, country of origin, delivery time) to metafields', () => {
    const withProps = all.map((r) => r.product!).find((p) => p.metafields.length >= 3)!;
    expect(withProps).toBeDefined();
    for (const m of withProps.metafields) {
      expect(m.namespace).toBe('ccv');
      expect(m.key).toMatch(/^[a-z0-9_]{2,64}$/);
      expect(m.value).not.toBe('');
    }
    expect(metafieldKey('Land van herkomst')).toBe('land_van_herkomst');
    expect(metafieldKey('Maße (cm)')).toBe('masse_cm');
  });

  it('reads only what changed since a checkpoint when asked for a delta', async () => {
    const since = new Date(clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
    clock += 60_000;
    const target = all[5]!.ccvId;
    sb.patchProduct(target, { name: 'Nieuwe naam' });
    const delta: CcvProductRecord[] = [];
    for await (const r of readCcvProducts(client, { shop, modifiedSince: since })) delta.push(r);
    expect(delta.map((r) => r.ccvId)).toEqual([target]);
    expect(delta[0]!.product!.title).toBe('Nieuwe naam');
  });
});

describe('reading CCV categories', () => {
  it('builds the tree with path names from one categorytree call', async () => {
    const cats = await readCcvCategories(client);
    expect(cats.length).toBe(sb.state.categories.all().length);
    const child = cats.find((c) => c.path.length === 3)!;
    const parent = cats.find((c) => c.key.id === child.parentKey!.id)!;
    expect(child.path.slice(0, 2)).toEqual(parent.path);
  });
});
