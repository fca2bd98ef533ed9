/**
 * The client's schema-free cost estimate against the sandbox's schema-aware cost analysis, for every
 * document Koppel sends, with realistic variables; and those variables against both schemas.
 */
import { describe, expect, it } from 'vitest';
import { getVariableValues, Kind, parse } from 'graphql';
import type { OperationDefinitionNode } from 'graphql';
import { fragmentsOf, requestedCost } from '../../../sandbox/shopify/analysis.js';
import { loadSchema } from '../../../sandbox/shopify/schema.js';
import { estimateCost } from '../../../src/connectors/shopify/cost.js';
import '../../../src/connectors/shopify/documents.js';
import { registeredOperations } from '../../../src/connectors/shopify/gql.js';
import examples from './fixtures/example-variables.json' with { type: 'json' };

const base = examples as Record<string, Record<string, unknown>>;
const EXAMPLES: Record<string, Record<string, unknown>> = {
  ...base,
  ProductSetAsync: base.ProductSetSync!,
  ProductVariantsPage: { id: 'gid://shopify/Product/1', first: 100, after: 'eyJsYXN0X2lkIjoxfQ==' },
  CustomersUpdatedSince: { query: "updated_at:>'2026-07-01T00:00:00Z'" },
  OrderLineItemsPage: { id: 'gid://shopify/Order/1', after: 'eyJsYXN0X2lkIjoxfQ==' },
  OrdersForPosImport: { ...base.OrdersForPosImport, first: 3, lines: 25 },
  ProductsUpdatedSince: { ...base.ProductsUpdatedSince, first: 5 },
  ProductUpsert: { ...base.ProductSetSync!, variants: 2 },
  ProductUpsertBulk: base.ProductSetSync!,
  ProductSnapshot: { identifier: { customId: { namespace: 'koppel', key: 'ccv_product_id', value: '1001' } }, variants: 4 },
  ProductPublish: { id: 'gid://shopify/Product/1', input: [{ publicationId: 'gid://shopify/Publication/1' }] },
  CollectionSnapshot: { identifier: { customId: { namespace: 'koppel', key: 'ccv_category_id', value: '12' } }, namespace: 'koppel', key: 'ccv_category_id' },
  PublishableUnpublish: { id: 'gid://shopify/Collection/1', input: [{ publicationId: 'gid://shopify/Publication/1' }] },
};

function operationOf(text: string): { op: OperationDefinitionNode; ast: ReturnType<typeof parse> } {
  const ast = parse(text);
  const op = ast.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!op) throw new Error('no operation');
  return { op, ast };
}

describe.each(['2026-10', '2026-07'] as const)('cost estimate vs the sandbox (%s)', (version) => {
  const info = loadSchema(version);

  it.each(registeredOperations().map((d) => [d.name, d] as const))('%s: example variables coerce and the estimate matches', (name, doc) => {
    const { op, ast } = operationOf(doc.text);
    const required = (op.variableDefinitions ?? []).filter((v) => v.type.kind === Kind.NON_NULL_TYPE && !v.defaultValue).map((v) => v.variable.name.value);
    const vars = EXAMPLES[name] ?? {};
    expect(required.filter((r) => !(r in vars)), `add example variables for ${name}`).toEqual([]);
    const coerced = getVariableValues(info.schema, op.variableDefinitions ?? [], vars);
    expect(coerced.errors?.map((e) => e.message)).toBeUndefined();
    const sandbox = requestedCost(info, op, fragmentsOf(ast.definitions), coerced.coerced ?? {});
    expect(estimateCost(doc, vars)).toBe(sandbox);
  });
});
