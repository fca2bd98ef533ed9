import { describe, expect, it } from 'vitest';
import { CostModel, estimateCost, variableShape } from './cost.js';
import { InventorySet, OrdersForPosImport, ProductSetSync, ProductVariantsPage } from './documents.js';

/** Unregistered throwaway documents for the rules (the registry only holds real ones). */
const doc = (text: string): { name: string; text: string } => ({ name: /(query|mutation)\s+(\w+)/.exec(text)?.[2] ?? 'Anon', text });

describe('estimateCost', () => {
  it('prices scalars at 0 and objects at 1 plus their selection', () => {
    expect(estimateCost(doc('query A { shop { id name } }'))).toBe(1);
    expect(estimateCost(doc('query A { shop { id plan { shopifyPlus } } }'))).toBe(2);
    expect(estimateCost(doc('query A { shop { __typename } }'))).toBe(1);
  });

  it('prices a connection at 2 + first x (1 + node selection), edges and pageInfo alike', () => {
    expect(estimateCost(doc('query A { products(first: 10) { nodes { id } } }'))).toBe(2 + 10 * 1);
    expect(estimateCost(doc('query A { products(first: 10) { nodes { id seo { title } } pageInfo { hasNextPage } } }'))).toBe(2 + 10 * 2);
    expect(estimateCost(doc('query A { products(last: 5) { edges { cursor node { id seo { title } } } } }'))).toBe(2 + 5 * 2);
    expect(estimateCost(doc('query A { products(first: 7) { pageInfo { hasNextPage } } }'))).toBe(2);
  });

  it('multiplies through nested connections', () => {
    // 2 + 10 x (1 + (2 + 20 x (1 + 1)))
    expect(estimateCost(doc('query A { products(first: 10) { nodes { variants(first: 20) { nodes { inventoryItem { id } } } } } }'))).toBe(2 + 10 * (1 + 2 + 20 * 2));
  });

  it('prices a plain list with a page size (no nodes/edges) at first x (1 + selection)', () => {
    expect(estimateCost(doc('query A($id: ID!) { order(id: $id) { transactions(first: 20) { id amountSet { shopMoney { amount } } } } }'))).toBe(1 + 20 * 3);
  });

  it('reads page sizes from variables and from variable defaults', () => {
    const d = doc('query A($n: Int = 30) { products(first: $n) { nodes { id } } }');
    expect(estimateCost(d)).toBe(32);
    expect(estimateCost(d, { n: 5 })).toBe(7);
    expect(estimateCost(ProductVariantsPage, { id: 'gid://shopify/Product/1' })).toBe(1 + 2 + 250 * 3);
    expect(estimateCost(ProductVariantsPage, { id: 'x', first: 10 })).toBe(1 + 2 + 10 * 3);
  });

  it('takes the most expensive branch of inline fragments (unions and interfaces)', () => {
    const d = doc(`query A { node(id: "x") { id ... on Product { seo { title } featuredMedia { id preview { image { id } } } } ... on Customer { defaultAddress { id } } } }`);
    expect(estimateCost(d)).toBe(1 + Math.max(1 + 3, 1));
  });

  it('counts named fragments in full and each fragment once', () => {
    const d = doc('query A { shop { ...F ...F } } fragment F on Shop { plan { shopifyPlus } }');
    expect(estimateCost(d)).toBe(2);
  });

  it('honours @skip and @include', () => {
    const d = doc('query A($full: Boolean!) { shop { id plan @include(if: $full) { shopifyPlus } } }');
    expect(estimateCost(d, { full: true })).toBe(2);
    expect(estimateCost(d, { full: false })).toBe(1);
  });

  it('prices a mutation at 10 plus its payload selection (the payload object itself is free)', () => {
    // inventoryAdjustmentGroup 1 + changes 1 + item 1 + location 1, userErrors 1
    expect(estimateCost(InventorySet, { input: {}, key: 'k' })).toBe(10 + 4 + 1);
    expect(estimateCost(doc('mutation M { a: tagsAdd(id: "1", tags: ["x"]) { node { id } } b: tagsAdd(id: "2", tags: ["y"]) { node { id } } }'))).toBe(22);
  });

  it("adds productSet's dynamic input cost, rounded up", () => {
    const base = estimateCost(ProductSetSync, { input: {} });
    expect(base).toBe(10 + 1 + 2 + 250 * 3 + 1 + 1);
    const variants = Array.from({ length: 7 }, () => ({ optionValues: [], metafields: [{}, {}] }));
    // 7 x 0.2 + 2 x 0.4 + 7 x 2 x 0.4 = 1.4 + 0.8 + 5.6 = 7.8 -> 8
    expect(estimateCost(ProductSetSync, { input: { variants, metafields: [{}, {}] } })).toBe(base + 8);
    expect(estimateCost(ProductSetSync, { input: { variants: [{ file: {} }], files: [{}] } })).toBe(base + Math.ceil(0.2 + 0.6 + 1.9));
    // exact multiples are not rounded up by floating-point noise: 5 x 0.2 = 1
    expect(estimateCost(ProductSetSync, { input: { variants: Array.from({ length: 5 }, () => ({})) } })).toBe(base + 1);
  });

  it('keeps the order import under the cap with its defaults and grows linearly with the page size', () => {
    const four = estimateCost(OrdersForPosImport, { query: 'x' });
    const one = estimateCost(OrdersForPosImport, { query: 'x', first: 1 });
    expect(four).toBeLessThanOrEqual(1000);
    expect(four - 2).toBe(4 * (one - 2));
  });
});

describe('variableShape', () => {
  it('keeps top-level numbers and booleans and list lengths, not strings or ids', () => {
    expect(variableShape({ first: 10, full: true, query: 'sku:ABC', after: 'cursor' })).toBe('first=10;full=true');
    expect(variableShape({ query: 'sku:XYZ' })).toBe(variableShape({ query: 'sku:ABC' }));
    const a = variableShape({ input: { variants: [{ metafields: [1, 2] }, { metafields: [3] }], title: 'a' } });
    expect(a).toBe('input.variants#2;input.variants[].metafields#3');
    expect(variableShape({ input: { variants: [{}, {}, {}] } })).not.toBe(variableShape({ input: { variants: [{}, {}] } }));
  });
});

describe('CostModel', () => {
  it("uses the estimate until Shopify's figure is learned for that operation and shape", () => {
    const m = new CostModel();
    const est = estimateCost(ProductVariantsPage, { id: '1' });
    expect(m.requested(ProductVariantsPage, { id: '1' })).toEqual({ cost: est, learned: false });
    m.learn(ProductVariantsPage, { id: '1' }, 700);
    expect(m.requested(ProductVariantsPage, { id: '2' })).toEqual({ cost: 700, learned: true });
    // another page size is another shape
    expect(m.requested(ProductVariantsPage, { id: '1', first: 10 }).learned).toBe(false);
  });

  it('forgets the least recently used shapes beyond its size', () => {
    const m = new CostModel(2);
    m.learn(ProductVariantsPage, { first: 1 }, 1);
    m.learn(ProductVariantsPage, { first: 2 }, 2);
    m.requested(ProductVariantsPage, { first: 1 });
    m.learn(ProductVariantsPage, { first: 3 }, 3);
    expect(m.size).toBe(2);
    expect(m.requested(ProductVariantsPage, { first: 1 }).learned).toBe(true);
    expect(m.requested(ProductVariantsPage, { first: 2 }).learned).toBe(false);
  });

  it('ignores nonsense figures', () => {
    const m = new CostModel();
    m.learn(ProductVariantsPage, {}, Number.NaN);
    m.learn(ProductVariantsPage, {}, -1);
    expect(m.size).toBe(0);
  });
});
