import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '../../../src/connectors/shopify/documents.js';
import { gql, registeredOperations } from '../../../src/connectors/shopify/gql.js';
import { generate, GENERATED_PATH } from './codegen.js';
import { adminSchema } from './support/schemas.js';

describe('documents.types.ts', () => {
  const operations = registeredOperations();

  it('is up to date with the documents (run `npx tsx test/connectors/shopify/codegen.ts --write`)', () => {
    expect(readFileSync(GENERATED_PATH, 'utf8') === generate(operations, adminSchema('2026-10'))).toBe(true);
  });

  it('types nullability, lists, enums, unions and optional variables', () => {
    const doc = gql`
      query CodegenProbe($id: ID!, $first: Int = 5, $full: Boolean!) {
        order(id: $id) {
          name
          displayFinancialStatus
          tags
          purchasingEntity { __typename ... on PurchasingCompany { company { id } } }
          lineItems(first: $first) { nodes { sku quantity } }
          customer @include(if: $full) { id }
        }
      }
    `;
    const text = generate([doc], adminSchema('2026-10'));
    expect(text).toContain(`export interface CodegenProbeData {
  order: {
    name: string;
    displayFinancialStatus: OrderDisplayFinancialStatus | null;
    tags: Array<string>;
    purchasingEntity: {
      __typename: string;
      company?: {
        id: string;
      };
    } | null;
    lineItems: {
      nodes: Array<{
        sku: string | null;
        quantity: number;
      }>;
    };
    customer?: {
      id: string;
    } | null;
  } | null;
}`);
    expect(text).toContain(`export interface CodegenProbeVariables {
  id: string;
  first?: number | null;
  full: boolean;
}`);
    expect(text).toMatch(/export type OrderDisplayFinancialStatus =\n {2}\| 'AUTHORIZED'/);
  });
});
