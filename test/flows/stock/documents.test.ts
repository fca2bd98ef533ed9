/** The stock flow's own GraphQL documents (documents.stock.ts): valid on both pinned schemas, cheap, typed. */
import { readFileSync } from 'node:fs';
import { NoDeprecatedCustomRule, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { estimateCost, SINGLE_QUERY_MAX_COST } from '../../../src/connectors/shopify/cost.js';
import { itemOfLevelId } from '../../../src/connectors/shopify/inventory.js';
import * as stockDocs from '../../../src/connectors/shopify/documents.stock.js';
import { operationByName, type GqlDocument } from '../../../src/connectors/shopify/gql.js';
import { generate } from '../../connectors/shopify/codegen.js';
import { adminSchema, SCHEMA_VERSIONS } from '../../connectors/shopify/support/schemas.js';

const DOCS: GqlDocument[] = [stockDocs.StockLocationLevels, stockDocs.StockItemLevel, stockDocs.StockVariantsBySkus] as unknown as GqlDocument[];

describe('stock documents', () => {
  it('are registered in the one document registry', () => {
    const exported = Object.entries(stockDocs as Record<string, unknown>).filter(([, d]) => typeof d === 'object' && d !== null && 'text' in d) as Array<[string, GqlDocument]>;
    expect(exported.map(([n]) => n).sort()).toEqual(DOCS.map((d) => d.name).sort());
    for (const [name, d] of exported) {
      expect(d.name).toBe(name);
      expect(operationByName(name)).toBe(d);
    }
  });

  it.each(SCHEMA_VERSIONS)('validate against the %s schema without deprecated fields', (version) => {
    const schema = adminSchema(version);
    for (const d of DOCS) {
      const ast = parse(d.text);
      expect(validate(schema, ast, specifiedRules).map((e) => e.message), d.name).toEqual([]);
      expect(validate(schema, ast, [NoDeprecatedCustomRule]).map((e) => e.message), d.name).toEqual([]);
    }
  });

  it('stay under the single-query cost cap with their defaults (a full page of levels: 503, a SKU batch: 202)', () => {
    expect(estimateCost(stockDocs.StockLocationLevels, { id: 'gid://shopify/Location/1' })).toBeLessThanOrEqual(SINGLE_QUERY_MAX_COST);
    expect(estimateCost(stockDocs.StockLocationLevels, { id: 'gid://shopify/Location/1' })).toBe(503);
    expect(estimateCost(stockDocs.StockItemLevel, { id: 'x', locationId: 'y' })).toBeLessThan(10);
    // The batched SKU lookup: a first page of 100 and a continuation page of 250, both well under the cap.
    expect(estimateCost(stockDocs.StockVariantsBySkus, { query: 'sku:"A"' })).toBe(202);
    expect(estimateCost(stockDocs.StockVariantsBySkus, { query: 'sku:"A"', first: 250, after: 'c' })).toBe(502);
  });

  it('read the inventory item out of a level id, and refuse an id they cannot read', () => {
    expect(itemOfLevelId('gid://shopify/InventoryLevel/1000000000002?inventory_item_id=9007199254740993')).toBe('gid://shopify/InventoryItem/9007199254740993');
    expect(() => itemOfLevelId('gid://shopify/InventoryLevel/12')).toThrow(/cannot read the item/);
  });

  it('carry exactly the types test/connectors/shopify/codegen.ts generates for them', () => {
    const generated = generate(DOCS, adminSchema('2026-10'));
    const body = generated.slice(generated.indexOf('/** Result data of'), generated.indexOf('// ---- input objects')).trim();
    const source = readFileSync(new URL('../../../src/connectors/shopify/documents.stock.ts', import.meta.url), 'utf8');
    expect(source.includes(body)).toBe(true);
  });
});
