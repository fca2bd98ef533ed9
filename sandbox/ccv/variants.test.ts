import { describe, expect, it } from 'vitest';
import type { ProductAttributeValueRec } from './model.js';
import { cartesian, combinationKey, optionGroups, planRegeneration, newCombination } from './variants.js';
import { testSandbox } from './testing.js';

const pav = (id: number, attribute_id: number, value_id: number, optionposition: number, position: number): ProductAttributeValueRec => ({
  id, product_id: 1, attribute_id, value_id, price: 0, optionposition, position,
});

describe('combination generation (pure)', () => {
  const types = new Map([[1, 'option_menu_required'], [2, 'option_menu'], [3, 'additional_menu'], [4, 'text']] as const);
  it('is the cartesian product of option-menu values only, first option varying slowest', () => {
    const pavs = [pav(1, 1, 10, 1, 1), pav(2, 1, 11, 1, 2), pav(3, 2, 20, 2, 1), pav(4, 2, 21, 2, 2), pav(5, 2, 22, 2, 3), pav(6, 3, 30, 3, 1)];
    const groups = optionGroups(pavs, (a) => types.get(a as 1));
    expect(cartesian(groups)).toEqual([[10, 20], [10, 21], [10, 22], [11, 20], [11, 21], [11, 22]]);
    expect(cartesian(optionGroups([pav(1, 3, 30, 1, 1)], (a) => types.get(a as 1)))).toEqual([]);
  });

  it('orders options by optionposition and values by position', () => {
    const pavs = [pav(1, 1, 10, 2, 2), pav(2, 1, 11, 2, 1), pav(3, 2, 20, 1, 1)];
    expect(cartesian(optionGroups(pavs, (a) => types.get(a as 1)))).toEqual([[20, 11], [20, 10]]);
  });

  it('keeps combinations whose value set survives, whatever the order', () => {
    const a = { ...newCombination(100, 1, [10, 20], 5), sku_number: 'A' };
    const b = { ...newCombination(101, 1, [11, 20], 6), sku_number: 'B' };
    const plan = planRegeneration([a, b], [[20, 10], [20, 12]]);
    expect(plan.keep.map((k) => [k.combination.sku_number, k.value_ids])).toEqual([['A', [20, 10]]]);
    expect(plan.create).toEqual([[20, 12]]);
    expect(plan.remove.map((c) => c.sku_number)).toEqual(['B']);
    expect(combinationKey([20, 10])).toBe(combinationKey([10, 20]));
  });
});

describe('attribute combinations through the API', () => {
  async function productWithOptions() {
    const sb = testSandbox({ products: 0 });
    const post = (path: string, body: unknown) => sb.api('POST', path, body).then((r) => {
      expect(r.status, `${path} ${r.text}`).toBe(201);
      return r.json;
    });
    const product = await post('products', { name: 'Shirt', price: 20, discount: 0, package_id: 1, taxtariff: 'normal' });
    const colour = await post('attributes', { name: 'Kleur', type: 'option_menu_required' });
    const size = await post('attributes', { name: 'Maat', type: 'option_menu_required' });
    const red = await post(`attributes/${colour.id}/attributevalues`, { name: 'Rood', default_price: 0 });
    const blue = await post(`attributes/${colour.id}/attributevalues`, { name: 'Blauw', default_price: 0 });
    const s = await post(`attributes/${size.id}/attributevalues`, { name: 'S', default_price: 0 });
    const m = await post(`attributes/${size.id}/attributevalues`, { name: 'M', default_price: 0 });
    const xl = await post(`attributes/${size.id}/attributevalues`, { name: 'XL', default_price: 2 });
    return { sb, post, product, colour, size, red, blue, s, m, xl };
  }

  const combos = async (sb: ReturnType<typeof testSandbox>, productId: number) => (await sb.api('GET', `products/${productId}/attributecombinations?size=250`)).json.items as {
    id: number; sku_number: string; stock: number; netto_extra_price: number; combination: { attribute_value: { name: string } }[];
  }[];
  const label = (c: { combination: { attribute_value: { name: string } }[] }) => c.combination.map((x) => x.attribute_value.name).join('/');

  it('generates the cartesian product and regenerates it when option values change, keeping survivors', async () => {
    const { sb, post, product, red, blue, s, m, xl } = await productWithOptions();
    await post(`products/${product.id}/productattributevalues`, { optionvalue: red.id, price: 0, stock: 3 });
    expect((await combos(sb, product.id)).map(label)).toEqual(['Rood']);
    await post(`products/${product.id}/productattributevalues`, { optionvalue: s.id, price: 0, stock: 3 });
    await post(`products/${product.id}/productattributevalues`, { optionvalue: m.id, price: 0, stock: 3 });
    await post(`products/${product.id}/productattributevalues`, { optionvalue: blue.id, price: 0, stock: 3 });
    let list = await combos(sb, product.id);
    expect(list.map(label)).toEqual(['Rood/S', 'Rood/M', 'Blauw/S', 'Blauw/M']);
    expect((await sb.api('GET', `products/${product.id}`)).json.stocktype).toBe('attribute_combination');
    // PATCH only: give the variants SKUs and stock.
    for (const c of list) {
      expect((await sb.api('PATCH', `attributecombinations/${c.id}`, { sku_number: `SH-${label(c)}`, stock: 10 })).status).toBe(204);
    }
    expect((await sb.api('POST', `products/${product.id}/attributecombinations`, {})).status).toBe(405);
    const kept = new Map((await combos(sb, product.id)).map((c) => [label(c), c]));
    // Add a size: four survive untouched, two are new with the posted stock and no SKU.
    const xlPav = await post(`products/${product.id}/productattributevalues`, { optionvalue: xl.id, price: 2.5, stock: 1 });
    list = await combos(sb, product.id);
    // Listed by id: survivors first, the new combinations after them.
    expect(list.map(label)).toEqual(['Rood/S', 'Rood/M', 'Blauw/S', 'Blauw/M', 'Rood/XL', 'Blauw/XL']);
    for (const c of list.filter((x) => !label(x).endsWith('XL'))) {
      expect(c.id).toBe(kept.get(label(c))!.id);
      expect(c.sku_number).toBe(`SH-${label(c)}`);
      expect(c.stock).toBe(10);
    }
    const redXl = list.find((c) => label(c) === 'Rood/XL')!;
    expect(redXl).toMatchObject({ sku_number: '', stock: 1, netto_extra_price: 2.5 });
    // Remove a colour: its combinations disappear, the others keep their ids.
    const redPav = (await sb.api('GET', `products/${product.id}/productattributevalues`)).json.items.find((p: { optionvalue_name: string }) => p.optionvalue_name === 'Rood');
    expect((await sb.api('DELETE', `productattributevalues/${redPav.id}`)).status).toBe(204);
    list = await combos(sb, product.id);
    expect(list.map(label)).toEqual(['Blauw/S', 'Blauw/M', 'Blauw/XL']);
    expect(list[0]!.id).toBe(kept.get('Blauw/S')!.id);
    // A price change on a value only changes the extra price.
    await sb.api('PATCH', `productattributevalues/${xlPav.id}`, { price: -1 });
    expect((await combos(sb, product.id)).find((c) => label(c) === 'Blauw/XL')!.netto_extra_price).toBe(-1);
    expect((await combos(sb, product.id)).find((c) => label(c) === 'Blauw/XL')!.id).toBe(list[2]!.id);
  });

  it('replaces every combination when a whole option is added, and ignores additional menus', async () => {
    const { sb, post, product, red, blue, s } = await productWithOptions();
    await post(`products/${product.id}/productattributevalues`, { optionvalue: red.id, price: 0 });
    await post(`products/${product.id}/productattributevalues`, { optionvalue: blue.id, price: 0 });
    const before = (await combos(sb, product.id)).map((c) => c.id);
    const gift = await post('attributes', { name: 'Cadeau', type: 'additional_menu' });
    const yes = await post(`attributes/${gift.id}/attributevalues`, { name: 'Ja', default_price: 2 });
    await post(`products/${product.id}/productattributevalues`, { optionvalue: yes.id, price: 2 });
    expect((await combos(sb, product.id)).map((c) => c.id)).toEqual(before);
    await post(`products/${product.id}/productattributevalues`, { optionvalue: s.id, price: 0 });
    const after = await combos(sb, product.id);
    expect(after.map(label)).toEqual(['Rood/S', 'Blauw/S']);
    expect(after.some((c) => before.includes(c.id))).toBe(false);
  });

  it('regenerates when an attribute stops being an option menu, or a value is deleted', async () => {
    const { sb, post, product, colour, red, blue, s, m } = await productWithOptions();
    for (const v of [red, blue, s, m]) await post(`products/${product.id}/productattributevalues`, { optionvalue: v.id, price: 0 });
    expect(await combos(sb, product.id)).toHaveLength(4);
    await sb.api('PATCH', `attributes/${colour.id}`, { type: 'additional_menu' });
    expect((await combos(sb, product.id)).map(label)).toEqual(['S', 'M']);
    await sb.api('DELETE', `attributevalues/${m.id}`);
    expect((await combos(sb, product.id)).map(label)).toEqual(['S']);
  });

  it('refuses duplicate values, unknown values and combination explosions', async () => {
    const { sb, post, product, red } = await productWithOptions();
    await post(`products/${product.id}/productattributevalues`, { optionvalue: red.id, price: 0 });
    const dup = await sb.api('POST', `products/${product.id}/productattributevalues`, { optionvalue: red.id, price: 0 });
    expect(dup.json.code).toBe('500.40');
    expect((await sb.api('POST', `products/${product.id}/productattributevalues`, { optionvalue: 999999, price: 0 })).json.developermessage).toContain("'optionvalue'");
    expect((await sb.api('POST', `products/${product.id}/productattributevalues`, { optionvalue: red.id })).json.developermessage).toContain("'price' is required");
    const small = testSandbox({ products: 0, maxCombinationsPerProduct: 2 });
    const p2 = (await small.api('POST', 'products', { name: 'X', price: 1, discount: 0, package_id: 1, taxtariff: 'normal' })).json;
    const a = (await small.api('POST', 'attributes', { name: 'A', type: 'option_menu' })).json;
    const ids: number[] = [];
    for (const n of ['1', '2', '3']) ids.push((await small.api('POST', `attributes/${a.id}/attributevalues`, { name: n, default_price: 0 })).json.id);
    await small.api('POST', `products/${p2.id}/productattributevalues`, { optionvalue: ids[0], price: 0 });
    await small.api('POST', `products/${p2.id}/productattributevalues`, { optionvalue: ids[1], price: 0 });
    const third = await small.api('POST', `products/${p2.id}/productattributevalues`, { optionvalue: ids[2], price: 0 });
    expect(third.status).toBe(400);
    expect(third.json.developermessage).toContain('at most 2');
    expect((await small.api('GET', `products/${p2.id}/productattributevalues`)).json.items).toHaveLength(2);
  });

  it('combination changes leave the product modifydate alone by default and bump it when switched on', async () => {
    for (const bump of [false, true]) {
      const sb = testSandbox({ products: 40, variantChangeBumpsProductModifydate: bump });
      const c = [...sb.core.state.combinations.rows.values()][0]!;
      const before = (await sb.api('GET', `products/${c.product_id}`)).json.modifydate;
      sb.advance(120_000);
      await sb.api('PATCH', `attributecombinations/${c.id}`, { sku_number: 'NEW-SKU' });
      const after = (await sb.api('GET', `products/${c.product_id}`)).json.modifydate;
      expect(after === before).toBe(!bump);
    }
  });
});
