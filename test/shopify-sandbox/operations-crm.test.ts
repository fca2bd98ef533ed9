// Koppel's customer, B2B, order, tag, bulk and webhook documents through the official @shopify/admin-api-client
// against a running sandbox (socket on 127.0.0.1, port 0), on both API versions, with the reference examples'
// variables (ids replaced by the ones the sandbox handed out); every response is checked against the schema.
import { createAdminApiClient } from '@shopify/admin-api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifySandbox } from '../../sandbox/shopify/index.js';
import type { ShopifySandbox } from '../../sandbox/shopify/index.js';
import { settleBulk } from '../../sandbox/shopify/ops/bulk.js';
import { manualClock } from '../../sandbox/shopify/testkit.js';
import { checkConformance } from './conformance.js';
import { DOCS } from './documents.js';
import { CRM_DOCS, CRM_EXPECTED_COST } from './documents-crm.js';
import type { CrmDocName } from './documents-crm.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const eur = (amount: string) => ({ shopMoney: { amount, currencyCode: 'EUR' } });

describe.each(['2026-10', '2026-07'])('customer, B2B, order, bulk and webhook operations on %s', (version) => {
  let sb: ShopifySandbox;
  const clock = manualClock();
  let client: ReturnType<typeof createAdminApiClient>;
  const ran = new Set<CrmDocName>();
  const ids: Json = {};

  beforeAll(async () => {
    sb = await startShopifySandbox({ port: 0, now: clock.now, idStart: '9007199254740993', b2b: true });
    client = createAdminApiClient({ storeDomain: sb.shop, apiVersion: version, accessToken: sb.accessToken, customFetchApi: sb.fetch, logger: () => {} });
  });
  afterAll(() => sb.close());

  async function run(name: CrmDocName, variables: Json = {}): Promise<Json> {
    const r = await client.request(CRM_DOCS[name], { variables });
    expect(r.errors, `${name}: ${JSON.stringify(r.errors?.graphQLErrors ?? r.errors?.message)}`).toBeUndefined();
    expect(checkConformance(version, CRM_DOCS[name], r.data, variables)).toEqual([]);
    const cost = (r.extensions as Json).cost;
    expect(cost.requestedQueryCost, `${name} requested cost`).toBe(CRM_EXPECTED_COST[name]);
    expect(cost.actualQueryCost).toBeLessThanOrEqual(cost.requestedQueryCost);
    ran.add(name);
    return r.data as Json;
  }

  async function plain(doc: string, variables: Json = {}): Promise<Json> {
    const r = await client.request(doc, { variables });
    expect(r.errors, JSON.stringify(r.errors?.graphQLErrors ?? r.errors?.message)).toBeUndefined();
    return r.data as Json;
  }

  it('upserts, finds, creates and updates customers', async () => {
    const set = (
      await run('CustomerSet', {
        identifier: { email: 'jan@example.nl' },
        input: {
          email: 'jan@example.nl',
          firstName: 'Jan',
          lastName: 'Jansen',
          phone: '+31612345678',
          tags: ['ccv', 'ccv-cust-555'],
          note: 'CCV customer 555',
          addresses: [{ address1: 'Dorpsstraat 1', zip: '1234 AB', city: 'Utrecht', countryCode: 'NL', firstName: 'Jan', lastName: 'Jansen' }],
        },
      })
    ).customerSet;
    expect(set.userErrors).toEqual([]);
    expect(set.customer).toMatchObject({ firstName: 'Jan', defaultEmailAddress: { emailAddress: 'jan@example.nl' }, defaultPhoneNumber: { phoneNumber: '+31612345678' }, tags: ['ccv', 'ccv-cust-555'], defaultAddress: { city: 'Utrecht', countryCodeV2: 'NL' }, companyContactProfiles: [] });
    expect(set.customer.id).toMatch(/^gid:\/\/shopify\/Customer\/9007199254740993$/);
    ids.jan = set.customer.id;
    expect((await run('CustomerByEmail', { email: 'jan@example.nl' })).customerByIdentifier.id).toBe(ids.jan);
    expect((await run('CustomersSearch', { query: 'email:"jan@example.nl"' })).customers.nodes.map((n: Json) => n.id)).toEqual([ids.jan]);

    await plain(DOCS.MetafieldDefinitionCreate, { definition: { name: 'CCV customer id', namespace: 'ccv', key: 'customer_id', type: 'id', ownerType: 'CUSTOMER' } });
    const created = (await run('CustomerCreate', { input: { email: 'piet@example.nl', firstName: 'Piet', lastName: 'Pietersen', tags: ['ccv'], metafields: [{ namespace: 'ccv', key: 'customer_id', type: 'id', value: '556' }] } })).customerCreate;
    expect(created.userErrors).toEqual([]);
    ids.piet = created.customer.id;
    const updated = (await run('CustomerUpdate', { input: { id: ids.piet, firstName: 'Piet', note: 'updated' } })).customerUpdate;
    expect(updated).toMatchObject({ customer: { id: ids.piet, note: 'updated' }, userErrors: [] });
    const addr = (await run('CustomerAddressCreate', { customerId: ids.piet, address: { address1: 'Kerkweg 2', zip: '5678 CD', city: 'Gouda', countryCode: 'NL', company: 'Bakkerij BV' } })).customerAddressCreate;
    expect(addr.userErrors).toEqual([]);
    expect(addr.address.id).toMatch(/^gid:\/\/shopify\/MailingAddress\/\d+\?model_name=CustomerAddress$/);
  });

  it('creates a company, finds it by external id, assigns a contact and a role, adds a location', async () => {
    const created = (
      await run('CompanyCreate', {
        input: {
          company: { name: 'Bakkerij BV', externalId: 'ccv-777', note: 'B2B from CCV' },
          companyLocation: { name: 'Bakkerij BV - Gouda', externalId: 'ccv-777-main', billingSameAsShipping: true, taxRegistrationId: 'NL001234567B01', shippingAddress: { address1: 'Kerkweg 2', zip: '5678 CD', city: 'Gouda', countryCode: 'NL', recipient: 'Inkoop' } },
        },
      })
    ).companyCreate;
    expect(created.userErrors).toEqual([]);
    ids.company = created.company.id;
    ids.companyLocation = created.company.locations.nodes[0].id;
    ids.role = created.company.contactRoles.nodes.find((r: Json) => r.name === 'Location admin').id;
    const found = (await run('CompanyByExternalId', { query: 'external_id:ccv-777' })).companies.nodes;
    expect(found).toEqual([expect.objectContaining({ id: ids.company, name: 'Bakkerij BV', externalId: 'ccv-777', contacts: { nodes: [] } })]);
    const contact = (await run('CompanyAssignCustomerAsContact', { companyId: ids.company, customerId: ids.piet })).companyAssignCustomerAsContact;
    expect(contact.userErrors).toEqual([]);
    ids.contact = contact.companyContact.id;
    const role = (await run('CompanyContactAssignRole', { companyContactId: ids.contact, companyContactRoleId: ids.role, companyLocationId: ids.companyLocation })).companyContactAssignRole;
    expect(role.userErrors).toEqual([]);
    const loc = (await run('CompanyLocationCreate', { companyId: ids.company, input: { name: 'Filiaal 2', externalId: 'ccv-777-2', billingSameAsShipping: true, shippingAddress: { address1: 'Markt 5', zip: '2800 AA', city: 'Gouda', countryCode: 'NL' } } })).companyLocationCreate;
    expect(loc.userErrors).toEqual([]);
    const profiles = (await run('CustomersSearch', { query: 'email:"piet@example.nl"' })).customers.nodes[0].companyContactProfiles;
    expect(profiles).toEqual([{ id: ids.contact, company: { id: ids.company, name: 'Bakkerij BV', externalId: 'ccv-777' } }]);
  });

  it('creates the reference POS order, finds it by custom id and source identifier, tags it, and pulls orders', async () => {
    const ps = (
      await plain(DOCS.ProductSetSync, {
        input: { title: 'Polo shirt', productOptions: [{ name: 'Size', values: [{ name: 'M' }] }], variants: [{ optionValues: [{ optionName: 'Size', name: 'M' }], sku: 'CCV-1001-RED-M', price: '29.95', inventoryItem: { tracked: true } }] },
      })
    ).productSet;
    ids.variant = ps.product.variants.nodes[0].id;
    await plain(DOCS.MetafieldDefinitionCreate, { definition: { name: 'POS order', namespace: 'ccv', key: 'pos_order_id', type: 'id', ownerType: 'ORDER' } });
    const order = {
      currency: 'EUR',
      processedAt: '2026-07-14T09:12:00Z',
      sourceIdentifier: 'CCV-REC-000123',
      name: 'POS-000123',
      tags: ['ccv-pos', 'ccv-store-1'],
      note: 'Imported from CCV SalesPOS',
      taxesIncluded: true,
      financialStatus: 'PAID',
      fulfillmentStatus: 'FULFILLED',
      customer: { toAssociate: { id: ids.jan } },
      billingAddress: { firstName: 'Jan', lastName: 'Jansen', address1: 'Dorpsstraat 1', zip: '1234 AB', city: 'Utrecht', countryCode: 'NL' },
      lineItems: [
        { variantId: ids.variant, quantity: 2, priceSet: eur('29.95'), taxLines: [{ title: 'BTW 21%', rate: '0.21', priceSet: eur('10.40') }] },
        { title: 'Gift wrapping', sku: 'CCV-SVC-WRAP', quantity: 1, requiresShipping: false, taxable: true, priceSet: eur('2.50'), taxLines: [{ title: 'BTW 21%', rate: '0.21', priceSet: eur('0.43') }] },
      ],
      transactions: [{ kind: 'SALE', status: 'SUCCESS', gateway: 'ccv-pin', processedAt: '2026-07-14T09:12:00Z', amountSet: eur('62.40') }],
      metafields: [{ namespace: 'ccv', key: 'pos_order_id', type: 'id', value: 'CCV-REC-000123' }],
    };
    const created = (await run('OrderCreate', { options: { inventoryBehaviour: 'BYPASS', sendReceipt: false, sendFulfillmentReceipt: false }, order })).orderCreate;
    expect(created.userErrors).toEqual([]);
    expect(created.order).toMatchObject({ name: 'POS-000123', sourceIdentifier: 'CCV-REC-000123', displayFinancialStatus: 'PAID' });
    ids.order = created.order.id;
    const byCustom = (await run('OrderByCustomId', { identifier: { customId: { namespace: 'ccv', key: 'pos_order_id', value: 'CCV-REC-000123' } } })).orderByIdentifier;
    expect(byCustom).toEqual({ id: ids.order, name: 'POS-000123', sourceIdentifier: 'CCV-REC-000123' });
    const bySource = (await run('OrderBySourceIdentifier', { query: "source_identifier:'CCV-REC-000123'" })).orders.nodes;
    expect(bySource).toEqual([{ id: ids.order, name: 'POS-000123', sourceIdentifier: 'CCV-REC-000123', tags: ['ccv-pos', 'ccv-store-1'] }]);

    // A paid web order to pull, then mark it imported.
    const web = await sb.fetch(`https://${sb.shop}/__sandbox/orders/online`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ lineItems: [{ variantId: ids.variant, quantity: 1 }], email: 'klant@example.nl', taxRate: '0.21' }) });
    ids.web = ((await web.json()) as Json).id;
    const query = "updated_at:>'2026-07-14T08:00:00Z' financial_status:paid status:open tag_not:ccv-imported -source_name:ccv-pos";
    // The reference page (25 orders x 100 lines) is refused as too expensive, as on Shopify ...
    const refused = await client.request(CRM_DOCS.OrdersForPosImport, { variables: { query } });
    expect(refused.errors?.graphQLErrors?.[0]?.extensions?.code).toBe('MAX_COST_EXCEEDED');
    expect((refused.extensions as Json).cost.requestedQueryCost).toBe(CRM_EXPECTED_COST.OrdersForPosImport);
    ran.add('OrdersForPosImport');
    // ... a smaller page of the same fragment is served and conforms.
    const smaller = CRM_DOCS.OrdersForPosImport.replace('orders(first: 25', 'orders(first: 2').replace('lineItems(first: 100)', 'lineItems(first: 40)');
    const page = await client.request(smaller, { variables: { query } });
    expect(page.errors).toBeUndefined();
    expect(checkConformance(version, smaller, page.data, { query })).toEqual([]);
    expect((page.extensions as Json).cost.requestedQueryCost).toBe(2 + 2 * (1 + 998 - 60 * 9));
    const pulled = (page.data as Json).orders.nodes;
    // The POS order is pulled too: created as in the reference example it has no sourceName (the app's id is
    // its source), so `-source_name:ccv-pos` does not exclude it; its `ccv-pos` tag would (tag_not:ccv-pos).
    expect(pulled.map((o: Json) => o.id)).toEqual([ids.order, ids.web]);
    expect(pulled[0].sourceName).toMatch(/^\d+$/);
    expect(pulled[1]).toMatchObject({ sourceName: 'web', displayFinancialStatus: 'PAID', displayFulfillmentStatus: 'UNFULFILLED', customer: { defaultEmailAddress: { emailAddress: 'klant@example.nl' } }, transactions: [{ kind: 'SALE', gateway: 'shopify_payments' }], metafield: null });
    expect(pulled[1].lineItems.nodes[0]).toMatchObject({ sku: 'CCV-1001-RED-M', quantity: 1, variant: { id: ids.variant }, taxLines: [{ rate: 0.21 }] });
    const tagged = (await run('TagsAdd', { id: ids.web, tags: ['ccv-imported'] })).tagsAdd;
    expect(tagged).toEqual({ node: { id: ids.web }, userErrors: [] });
    const after = await client.request(smaller, { variables: { query: `${query} tag_not:ccv-pos` } });
    expect((after.data as Json).orders.nodes).toEqual([]);
  });

  it('subscribes to webhooks, lists and deletes the subscription', async () => {
    const created = (
      await run('WebhookSubscriptionCreate', {
        topic: 'ORDERS_PAID',
        webhookSubscription: { uri: 'https://sync.example.com/webhooks/shopify', format: 'JSON', name: 'ccv-orders-paid', includeFields: ['id', 'admin_graphql_api_id', 'updated_at', 'financial_status', 'source_name', 'tags'] },
      })
    ).webhookSubscriptionCreate;
    expect(created.userErrors).toEqual([]);
    expect(created.webhookSubscription).toMatchObject({ topic: 'ORDERS_PAID', format: 'JSON', apiVersion: { handle: version } });
    const list = (await run('WebhookSubscriptions')).webhookSubscriptions;
    expect(list.nodes.map((n: Json) => n.id)).toEqual([created.webhookSubscription.id]);
    const del = (await run('WebhookSubscriptionDelete', { id: created.webhookSubscription.id })).webhookSubscriptionDelete;
    expect(del).toEqual({ deletedWebhookSubscriptionId: created.webhookSubscription.id, userErrors: [] });
  });

  it('runs a bulk mutation from a staged upload and a bulk query, polls, lists and cancels', async () => {
    const staged = (await run('StagedUploadsCreate', { input: [{ resource: 'BULK_MUTATION_VARIABLES', filename: 'product-set.jsonl', mimeType: 'text/jsonl', httpMethod: 'POST' }] })).stagedUploadsCreate;
    expect(staged.userErrors).toEqual([]);
    const target = staged.stagedTargets[0];
    expect(target.url.startsWith(sb.origin)).toBe(true); // the sandbox serves its own upload endpoint
    const form = new FormData();
    for (const p of target.parameters as { name: string; value: string }[]) form.append(p.name, p.value);
    const jsonl = [1, 2, 3].map((i) => JSON.stringify({ identifier: { handle: `bulk-${i}` }, input: { title: `Bulk ${i}` } })).join('\n');
    form.append('file', new Blob([jsonl]), 'product-set.jsonl');
    expect((await fetch(target.url, { method: 'POST', body: form })).status).toBe(201);
    const path = target.parameters.find((p: Json) => p.name === 'key').value;
    const mutation = 'mutation call($identifier: ProductSetIdentifiers, $input: ProductSetInput!) { productSet(identifier: $identifier, input: $input) { product { id } userErrors { field message code } } }';
    const started = (await run('BulkRunMutation', { mutation, stagedUploadPath: path, clientIdentifier: 'ccv-product-sync-2026-07-14' })).bulkOperationRunMutation;
    expect(started.userErrors).toEqual([]);
    const id = started.bulkOperation.id;
    expect((await run('BulkOperationsActive')).bulkOperations.nodes.map((n: Json) => n.id)).toContain(id);
    clock.advance(150);
    await settleBulk(sb.core);
    const done = (await run('BulkOperationById', { id })).bulkOperation;
    expect(done).toMatchObject({ status: 'COMPLETED', type: 'MUTATION', objectCount: '3', rootObjectCount: '3' });
    const lines = (await (await fetch(done.url)).text()).trim().split('\n').map((l) => JSON.parse(l) as Json);
    expect(lines.map((l) => l.__lineNumber).sort()).toEqual([0, 1, 2]);
    expect(lines.every((l) => l.data.productSet.userErrors.length === 0)).toBe(true);

    const q = (await run('BulkRunQuery', { query: '{ productVariants { edges { node { id sku inventoryItem { id } product { id handle } } } } }' })).bulkOperationRunQuery;
    expect(q.userErrors).toEqual([]);
    const cancel = (await run('BulkCancel', { id: q.bulkOperation.id })).bulkOperationCancel;
    expect(cancel.userErrors).toEqual([]);
    expect(['CANCELING', 'CANCELED']).toContain(cancel.bulkOperation.status);
    await settleBulk(sb.core);
    expect((await run('BulkOperationById', { id: q.bulkOperation.id })).bulkOperation.status).toBe('CANCELED');
  });

  it('ran and priced every document of this area', () => {
    expect([...ran].sort()).toEqual(Object.keys(CRM_DOCS).sort());
  });
});
