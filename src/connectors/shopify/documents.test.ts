import { describe, expect, it } from 'vitest';
import { NoDeprecatedCustomRule, parse, specifiedRules, validate } from 'graphql';
import type { GraphQLSchema } from 'graphql';
import { adminSchema, SCHEMA_VERSIONS } from '../../../test/connectors/shopify/support/schemas.js';
import { estimateCost, SINGLE_QUERY_MAX_COST } from './cost.js';
import * as documents from './documents.js';
import { gql, registeredFragments, registeredOperations, type GqlDocument } from './gql.js';

/**
 * Deprecated schema members a document may still use, each with the reason it is acceptable.
 * Keys are schema coordinates as graphql-js reports them (`Type.field`, `Type.field(arg:)`, `Enum.VALUE`).
 */
const ALLOWED_DEPRECATIONS: Record<string, string> = {};

/** The 51 operations of reference/shopify-tools/operations.graphql: all must exist here. */
const REFERENCE_OPERATIONS = [
  'ShopInfo', 'Locations', 'VariantsBySku', 'ProductByIdentifier', 'ProductsUpdatedSince', 'ProductSetSync', 'ProductSetAsync',
  'ProductSetOperationStatus', 'ProductCreate', 'ProductUpdate', 'VariantsBulkCreate', 'VariantsBulkUpdate', 'MetafieldsSet',
  'MetafieldDefinitionCreate', 'PublishToPublication', 'Publications', 'CollectionByIdentifier', 'CollectionsByHandle',
  'CollectionCreate', 'CollectionUpdate', 'InventoryLevelsForItem', 'InventoryItemsBySku', 'InventorySet', 'InventoryAdjust',
  'InventoryActivate', 'InventoryItemUpdate', 'CustomerByEmail', 'CustomersSearch', 'CustomerSet', 'CustomerCreate',
  'CustomerUpdate', 'CustomerAddressCreate', 'CompanyByExternalId', 'CompanyCreate', 'CompanyAssignCustomerAsContact',
  'CompanyContactAssignRole', 'CompanyLocationCreate', 'OrdersForPosImport', 'OrderBySourceIdentifier', 'OrderByCustomId',
  'OrderCreate', 'TagsAdd', 'BulkRunQuery', 'StagedUploadsCreate', 'BulkRunMutation', 'BulkOperationById',
  'BulkOperationsActive', 'BulkCancel', 'WebhookSubscriptionCreate', 'WebhookSubscriptions', 'WebhookSubscriptionDelete',
];

// Captured before any test defines extra documents.
const OPERATIONS = registeredOperations();
const FRAGMENTS = registeredFragments();

/** The schema coordinate a NoDeprecatedCustomRule message is about. */
function deprecatedCoordinate(message: string): string {
  const field = /^The field (\S+) is deprecated/.exec(message);
  if (field) return field[1]!;
  const arg = /^Field "(\S+)" argument "(\S+)" is deprecated/.exec(message);
  if (arg) return `${arg[1]}(${arg[2]}:)`;
  const dirArg = /^Directive "@(\S+)" argument "(\S+)" is deprecated/.exec(message);
  if (dirArg) return `@${dirArg[1]}(${dirArg[2]}:)`;
  const input = /^The input field (\S+) is deprecated/.exec(message);
  if (input) return input[1]!;
  const enumValue = /^The enum value "(\S+)" is deprecated/.exec(message);
  if (enumValue) return enumValue[1]!;
  return message;
}

/** Problems with one document against one schema: syntax, validation, and deprecated members not allowed. */
export function documentProblems(doc: GqlDocument, schema: GraphQLSchema, allowed: Record<string, string> = ALLOWED_DEPRECATIONS): string[] {
  let ast;
  try {
    ast = parse(doc.text);
  } catch (e) {
    return [`${doc.name}: ${(e as Error).message}`];
  }
  const problems = validate(schema, ast, specifiedRules).map((e) => `${doc.name}: ${e.message}`);
  for (const e of validate(schema, ast, [NoDeprecatedCustomRule])) {
    if (!(deprecatedCoordinate(e.message) in allowed)) problems.push(`${doc.name}: ${e.message}`);
  }
  return problems;
}

describe('the document registry', () => {
  it('holds every operation of the reference list, each once', () => {
    const names = OPERATIONS.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    expect(REFERENCE_OPERATIONS.filter((n) => !names.includes(n))).toEqual([]);
    // Every export of documents.ts is a registered document.
    for (const [exportName, d] of Object.entries(documents)) {
      expect(d.name, exportName).toBe(exportName);
    }
  });

  it('marks exactly the @idempotent operations as idempotent', () => {
    expect(OPERATIONS.filter((d) => d.idempotent).map((d) => d.name).sort()).toEqual(['InventoryActivate', 'InventoryAdjust', 'InventorySet']);
  });

  it('uses every fragment somewhere', () => {
    const used = new Set(OPERATIONS.flatMap((d) => d.fragments));
    expect(FRAGMENTS.map((f) => f.name).filter((n) => !used.has(n))).toEqual([]);
  });

  it('keeps every operation under the single-query cost cap with its default variables', () => {
    const over = OPERATIONS.map((d) => ({ name: d.name, cost: estimateCost(d, {}) })).filter((x) => x.cost > SINGLE_QUERY_MAX_COST);
    expect(over).toEqual([]);
  });

  it('gives every allowed deprecation a reason', () => {
    for (const [coord, reason] of Object.entries(ALLOWED_DEPRECATIONS)) expect(reason.trim().length, coord).toBeGreaterThan(10);
  });
});

describe.each(SCHEMA_VERSIONS)('documents against the %s Admin schema', (version) => {
  const schema = adminSchema(version);

  it.each(OPERATIONS.map((d) => [d.name, d] as const))('%s is valid and uses nothing deprecated', (_name, doc) => {
    expect(documentProblems(doc, schema)).toEqual([]);
  });

  it('needs every allowed deprecation (no stale entries)', () => {
    const hit = new Set<string>();
    for (const d of OPERATIONS) for (const e of validate(schema, parse(d.text), [NoDeprecatedCustomRule])) hit.add(deprecatedCoordinate(e.message));
    expect(Object.keys(ALLOWED_DEPRECATIONS).filter((c) => !hit.has(c))).toEqual([]);
  });
});

describe('the validation check itself', () => {
  const schema = adminSchema('2026-10');

  it('fails a document that selects a field the schema does not have', () => {
    const bad = gql`
      query CheckUnknownField {
        shop { id nameThatDoesNotExist }
      }
    `;
    const problems = documentProblems(bad, schema);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/Cannot query field "nameThatDoesNotExist" on type "Shop"/);
    expect(documentProblems(bad, adminSchema('2026-07'))).toHaveLength(1);
  });

  it('fails a document with an undeclared variable or a wrong argument', () => {
    const bad = gql`
      query CheckBadArgs {
        products(first: $n, color: "red") { nodes { id } }
      }
    `;
    const problems = documentProblems(bad, schema).join('\n');
    expect(problems).toMatch(/Variable "\$n" is not defined/);
    expect(problems).toMatch(/Unknown argument "color"/);
  });

  it('fails a deprecated field unless it is allow-listed with a reason', () => {
    const old = gql`
      query CheckDeprecated($id: ID!) {
        customer(id: $id) { id email }
      }
    `;
    expect(documentProblems(old, schema, {})).toEqual([expect.stringMatching(/Customer\.email is deprecated/)]);
    expect(documentProblems(old, schema, { 'Customer.email': 'test: the allow-list lets a reasoned exception through' })).toEqual([]);
  });

  it('fails a deprecated argument and a deprecated enum value', () => {
    const old = gql`
      query CheckDeprecatedArg {
        webhookSubscriptions(first: 1, callbackUrl: "https://example.com/x") { nodes { id } }
      }
    `;
    expect(documentProblems(old, schema, {}).join('\n')).toMatch(/argument "callbackUrl" is deprecated/);
  });

  it('fails a document that does not parse', () => {
    const broken = gql`
      query CheckBroken { shop { id }
    `;
    expect(documentProblems(broken, schema)[0]).toMatch(/Syntax Error/);
  });
});
