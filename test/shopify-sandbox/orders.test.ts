// orderCreate, orders(query:), orderByIdentifier and the online-order endpoint: Shopify's semantics.
import { describe, expect, it } from 'vitest';
import { createShopifySandbox } from '../../sandbox/shopify/index.js';
import type { DomainEvent, ShopifySandboxHandle } from '../../sandbox/shopify/index.js';
import { gql, manualClock, ok } from '../../sandbox/shopify/testkit.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CREATE = `mutation($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) { orderCreate(order: $order, options: $options) {
  order { id name processedAt createdAt sourceIdentifier displayFinancialStatus displayFulfillmentStatus tags
    customer { id } purchasingEntity { __typename ... on PurchasingCompany { company { externalId } location { externalId } } }
    totalPriceSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } } subtotalPriceSet { shopMoney { amount } } totalDiscountsSet { shopMoney { amount } }
    taxLines { title rate priceSet { shopMoney { amount } } }
    lineItems(first: 10) { nodes { sku title variant { id } quantity taxLines { rate priceSet { shopMoney { amount } } } discountedUnitPriceAfterAllDiscountsSet { shopMoney { amount } } } } }
  userErrors { field message code } } }`;
const LEVEL = `query($id: ID!) { inventoryItem(id: $id) { inventoryLevels(first: 5) { nodes { location { name } quantities(names: ["available", "committed", "on_hand"]) { name quantity } } } } }`;
const ORDERS = `query($q: String, $sort: OrderSortKeys, $reverse: Boolean) { orders(first: 50, query: $q, sortKey: $sort, reverse: $reverse) { nodes { id name } } }`;

function setup(opts: Parameters<typeof createShopifySandbox>[0] = {}) {
  const clock = manualClock();
  const sb = createShopifySandbox({ now: clock.now, ...opts });
  const events: DomainEvent[] = [];
  sb.core.on((e) => events.push(e));
  return { sb, clock, events };
}

type SB = ShopifySandboxHandle;

async function product(sb: SB, sku: string, opts: { price?: string; stock?: number; policy?: 'DENY' | 'CONTINUE' } = {}): Promise<{ id: string; variant: string; item: string }> {
  const locs = await ok<Json>(sb, '{ locations(first: 5) { nodes { id name } } }');
  const store = locs.locations.nodes.find((l: Json) => l.name === 'Winkel Utrecht').id;
  const d = await ok<Json>(sb, `mutation($input: ProductSetInput!) { productSet(input: $input) { product { id variants(first: 1) { nodes { id inventoryItem { id } } } } userErrors { message } } }`, {
    input: {
      title: `Product ${sku}`,
      productOptions: [{ name: 'Title', values: [{ name: 'Default Title' }] }],
      variants: [{ optionValues: [{ optionName: 'Title', name: 'Default Title' }], sku, price: opts.price ?? '29.95', inventoryPolicy: opts.policy ?? 'DENY', inventoryItem: { tracked: true }, inventoryQuantities: [{ locationId: store, name: 'available', quantity: opts.stock ?? 10 }] }],
    },
  });
  expect(d.productSet.userErrors).toEqual([]);
  const v = d.productSet.product.variants.nodes[0];
  return { id: d.productSet.product.id, variant: v.id, item: v.inventoryItem.id };
}

async function levels(sb: SB, item: string): Promise<Record<string, number>> {
  const d = await ok<Json>(sb, LEVEL, { id: item });
  const store = d.inventoryItem.inventoryLevels.nodes.find((n: Json) => n.location.name === 'Winkel Utrecht');
  return Object.fromEntries(store.quantities.map((q: Json) => [q.name, q.quantity]));
}

async function create(sb: SB, order: Json, options?: Json, version?: string): Promise<Json> {
  const r = await gql<Json>(sb, CREATE, { order, options }, version ? { version } : {});
  if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
  return r.body.data!.orderCreate;
}

const eur = (amount: string) => ({ shopMoney: { amount, currencyCode: 'EUR' } });
const btw = (amount?: string) => ({ title: 'BTW 21%', rate: '0.21', ...(amount ? { priceSet: eur(amount) } : {}) });

describe('orderCreate', () => {
  it('creates the reference POS receipt: the SKU-only line is a custom line, the status derives from the sale', async () => {
    const { sb, events } = setup();
    const p = await product(sb, 'CCV-1001-RED-M');
    const before = await levels(sb, p.item);
    const r = await create(
      sb,
      {
        currency: 'EUR',
        processedAt: '2026-07-14T09:12:00Z',
        sourceIdentifier: 'CCV-REC-000123',
        name: 'POS-000123',
        tags: ['ccv-pos', 'ccv-store-1'],
        taxesIncluded: true,
        fulfillmentStatus: 'FULFILLED',
        lineItems: [
          { variantId: p.variant, quantity: 2, priceSet: eur('29.95'), taxLines: [btw('10.40')] },
          { title: 'Gift wrapping', sku: 'CCV-1001-RED-M', quantity: 1, requiresShipping: false, taxable: true, priceSet: eur('2.50'), taxLines: [btw('0.43')] },
        ],
        transactions: [{ kind: 'SALE', status: 'SUCCESS', gateway: 'ccv-pin', amountSet: eur('62.40') }],
      },
      { inventoryBehaviour: 'BYPASS' },
    );
    expect(r.userErrors).toEqual([]);
    const o = r.order;
    expect(o).toMatchObject({ name: 'POS-000123', processedAt: '2026-07-14T09:12:00Z', sourceIdentifier: 'CCV-REC-000123', displayFinancialStatus: 'PAID', displayFulfillmentStatus: 'FULFILLED', tags: ['ccv-pos', 'ccv-store-1'] });
    expect(o.totalPriceSet.shopMoney.amount).toBe('62.40');
    expect(o.totalTaxSet.shopMoney.amount).toBe('10.83');
    expect(o.taxLines).toEqual([{ title: 'BTW 21%', rate: 0.21, priceSet: { shopMoney: { amount: '10.83' } } }]);
    // Same SKU as the variant, but no variantId: not linked to the catalogue.
    expect(o.lineItems.nodes.map((l: Json) => [l.sku, l.variant?.id ?? null])).toEqual([
      ['CCV-1001-RED-M', p.variant],
      ['CCV-1001-RED-M', null],
    ]);
    expect(await levels(sb, p.item)).toEqual(before); // BYPASS
    expect(events.filter((e) => e.topic.startsWith('orders/')).map((e) => e.topic)).toEqual(['orders/create', 'orders/paid', 'orders/updated']);
  });

  it('refuses both customerId and customer, tax lines on order and lines, and unknown customers or variants', async () => {
    const { sb } = setup();
    const c = (await ok<Json>(sb, 'mutation { customerCreate(input: { email: "jan@example.nl" }) { customer { id } } }')).customerCreate.customer;
    const line = { title: 'Item', quantity: 1, priceSet: eur('10.00') };
    const redundant = await create(sb, { customerId: c.id, customer: { toAssociate: { id: c.id } }, lineItems: [line] });
    expect(redundant).toEqual({ order: null, userErrors: [{ field: ['order', 'customerId'], message: expect.any(String), code: 'REDUNDANT_CUSTOMER_FIELDS' }] });
    const both = await create(sb, { taxLines: [btw()], lineItems: [{ ...line, taxLines: [btw()] }] });
    expect(both.userErrors).toEqual([{ field: ['order', 'taxLines'], message: expect.any(String), code: 'INVALID' }]);
    const missing = await create(sb, { customer: { toAssociate: { id: 'gid://shopify/Customer/5' } }, lineItems: [line] });
    expect(missing.userErrors[0]).toMatchObject({ field: ['order', 'customer', 'toAssociate', 'id'], code: 'INVALID' });
    const badVariant = await create(sb, { lineItems: [{ variantId: 'gid://shopify/ProductVariant/5', quantity: 1 }] });
    expect(badVariant.userErrors[0]).toMatchObject({ field: ['order', 'lineItems', '0', 'variantId'], code: 'INVALID' });
    const zero = await create(sb, { lineItems: [{ ...line, quantity: 0 }] });
    expect(zero.userErrors[0]).toMatchObject({ field: ['order', 'lineItems', '0', 'quantity'], code: 'INVALID' });
    expect((await ok<Json>(sb, '{ ordersCount { count } }')).ordersCount.count).toBe(0);
  });

  it('associates by e-mail and upserts customers', async () => {
    const { sb } = setup();
    const line = { title: 'Item', quantity: 1, priceSet: eur('10.00') };
    const up = await create(sb, { customer: { toUpsert: { email: 'piet@example.nl', firstName: 'Piet', tags: ['ccv'] } }, lineItems: [line] });
    expect(up.userErrors).toEqual([]);
    const again = await create(sb, { customer: { toUpsert: { email: 'PIET@example.nl', lastName: 'Pietersen' } }, lineItems: [line], shippingAddress: { address1: 'Kerkweg 2', city: 'Gouda', zip: '5678 CD', countryCode: 'NL' } });
    expect(again.order.customer.id).toBe(up.order.customer.id);
    const assoc = await create(sb, { customer: { toAssociate: { email: 'piet@example.nl' } }, lineItems: [line] });
    expect(assoc.order.customer.id).toBe(up.order.customer.id);
    const c = await ok<Json>(sb, 'query($id: ID!) { customer(id: $id) { firstName lastName numberOfOrders defaultAddress { address1 } orders(first: 5) { nodes { id } } } }', { id: up.order.customer.id });
    expect(c.customer).toMatchObject({ firstName: 'Piet', lastName: 'Pietersen', numberOfOrders: '3', defaultAddress: { address1: 'Kerkweg 2' } });
    expect(c.customer.orders.nodes).toHaveLength(3);
  });

  it('derives the financial status from transactions unless it is given', async () => {
    const { sb } = setup();
    const lines = [{ title: 'Item', quantity: 2, priceSet: eur('10.00') }];
    const status = async (order: Json) => (await create(sb, { lineItems: lines, ...order })).order.displayFinancialStatus;
    expect(await status({})).toBe('PENDING');
    expect(await status({ transactions: [{ amountSet: eur('5.00') }] })).toBe('PARTIALLY_PAID');
    expect(await status({ transactions: [{ amountSet: eur('20.00') }] })).toBe('PAID');
    expect(await status({ transactions: [{ kind: 'AUTHORIZATION', amountSet: eur('20.00') }] })).toBe('AUTHORIZED');
    expect(await status({ transactions: [{ amountSet: eur('20.00'), status: 'FAILURE' }] })).toBe('PENDING');
    expect(await status({ transactions: [{ amountSet: eur('20.00') }, { kind: 'REFUND', amountSet: eur('5.00') }] })).toBe('PARTIALLY_REFUNDED');
    expect(await status({ financialStatus: 'PENDING', transactions: [{ amountSet: eur('20.00') }] })).toBe('PENDING');
  });

  it.each(['2026-10', '2026-07'])('clamps a future processedAt to now on %s', async (version) => {
    const { sb, clock } = setup();
    const r = await create(sb, { processedAt: new Date(clock.now() + 86_400_000).toISOString(), lineItems: [{ title: 'x', quantity: 1, priceSet: eur('1.00') }] }, undefined, version);
    expect(r.userErrors).toEqual([]);
    expect(r.order.processedAt).toBe(new Date(clock.now()).toISOString().replace('.000Z', 'Z'));
  });

  it('splits order-level tax lines over the taxable lines and computes amounts from the rate', async () => {
    const { sb } = setup();
    const lines = [
      { title: 'A', quantity: 1, priceSet: eur('121.00') },
      { title: 'B', quantity: 2, priceSet: eur('60.50') },
      { title: 'C', quantity: 1, priceSet: eur('50.00'), taxable: false },
    ];
    const given = await create(sb, { taxesIncluded: true, taxLines: [btw('42.00')], lineItems: lines });
    expect(given.order.lineItems.nodes.map((l: Json) => l.taxLines.map((t: Json) => t.priceSet.shopMoney.amount))).toEqual([['21.00'], ['21.00'], []]);
    const included = await create(sb, { taxesIncluded: true, taxLines: [btw()], lineItems: lines });
    expect(included.order.lineItems.nodes.map((l: Json) => l.taxLines.map((t: Json) => t.priceSet.shopMoney.amount))).toEqual([['21.00'], ['21.00'], []]);
    expect(included.order.totalPriceSet.shopMoney.amount).toBe('292.00');
    const excluded = await create(sb, { taxesIncluded: false, taxLines: [btw()], lineItems: lines });
    expect(excluded.order.totalTaxSet.shopMoney.amount).toBe('50.82');
    expect(excluded.order.totalPriceSet.shopMoney.amount).toBe('342.82');
  });

  it('applies one discount code to the lines', async () => {
    const { sb } = setup();
    const r = await create(sb, { lineItems: [{ title: 'A', quantity: 2, priceSet: eur('10.00') }], discountCode: { itemPercentageDiscountCode: { code: 'TEN', percentage: 10 } } });
    expect(r.order.totalDiscountsSet.shopMoney.amount).toBe('2.00');
    expect(r.order.totalPriceSet.shopMoney.amount).toBe('18.00');
    expect(r.order.lineItems.nodes[0].discountedUnitPriceAfterAllDiscountsSet.shopMoney.amount).toBe('9.00');
  });
});

describe('orderCreate and stock', () => {
  it('DECREMENT_IGNORING_POLICY commits stock for an unfulfilled order and takes it for a fulfilled one', async () => {
    const { sb } = setup();
    const p = await product(sb, 'S-1', { stock: 3 });
    await create(sb, { lineItems: [{ variantId: p.variant, quantity: 2 }] }, { inventoryBehaviour: 'DECREMENT_IGNORING_POLICY' });
    expect(await levels(sb, p.item)).toEqual({ available: 1, committed: 2, on_hand: 3 });
    await create(sb, { fulfillmentStatus: 'FULFILLED', lineItems: [{ variantId: p.variant, quantity: 2 }] }, { inventoryBehaviour: 'DECREMENT_IGNORING_POLICY' });
    expect(await levels(sb, p.item)).toEqual({ available: -1, committed: 2, on_hand: 1 });
  });

  it('DECREMENT_OBEYING_POLICY refuses to oversell a DENY variant (INVENTORY_CLAIM_FAILED) but sells a CONTINUE one', async () => {
    const { sb } = setup();
    const deny = await product(sb, 'D-1', { stock: 1 });
    const r = await create(sb, { lineItems: [{ variantId: deny.variant, quantity: 2 }] }, { inventoryBehaviour: 'DECREMENT_OBEYING_POLICY' });
    expect(r.order).toBeNull();
    expect(r.userErrors[0]).toMatchObject({ code: 'INVENTORY_CLAIM_FAILED' });
    expect(await levels(sb, deny.item)).toEqual({ available: 1, committed: 0, on_hand: 1 });
    const cont = await product(sb, 'C-1', { stock: 1, policy: 'CONTINUE' });
    const ok2 = await create(sb, { lineItems: [{ variantId: cont.variant, quantity: 2 }] }, { inventoryBehaviour: 'DECREMENT_OBEYING_POLICY' });
    expect(ok2.userErrors).toEqual([]);
    expect(await levels(sb, cont.item)).toEqual({ available: -1, committed: 2, on_hand: 1 });
  });
});

describe('order custom ids', () => {
  const def = 'mutation { metafieldDefinitionCreate(definition: { name: "POS order", namespace: "ccv", key: "pos_order_id", type: "id", ownerType: ORDER }) { userErrors { code } } }';
  const BY_CUSTOM = `query($v: String!) { orderByIdentifier(identifier: { customId: { namespace: "ccv", key: "pos_order_id", value: $v } }) { id name sourceIdentifier } }`;

  it('finds an order by its id-type metafield and rejects a duplicate unique value as a userError', async () => {
    const { sb } = setup();
    const before = await gql(sb, BY_CUSTOM, { v: 'CCV-REC-1' });
    expect(before.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST'); // no definition yet
    await ok(sb, def);
    const order = { sourceIdentifier: 'CCV-REC-1', lineItems: [{ title: 'x', quantity: 1, priceSet: eur('1.00') }], metafields: [{ namespace: 'ccv', key: 'pos_order_id', type: 'id', value: 'CCV-REC-1' }] };
    const first = await create(sb, order);
    expect(first.userErrors).toEqual([]);
    expect((await ok<Json>(sb, BY_CUSTOM, { v: 'CCV-REC-1' })).orderByIdentifier).toEqual({ id: first.order.id, name: first.order.name, sourceIdentifier: 'CCV-REC-1' });
    const dup = await create(sb, order);
    expect(dup.order).toBeNull();
    expect(dup.userErrors).toEqual([{ field: ['order', 'metafields', '0', 'value'], message: expect.stringContaining('already taken'), code: 'INVALID' }]);
    expect((await ok<Json>(sb, '{ ordersCount { count } }')).ordersCount.count).toBe(1);
    expect((await ok<Json>(sb, BY_CUSTOM, { v: 'nope' })).orderByIdentifier).toBeNull();
  });
});

describe('development store', () => {
  it('accepts 5 orderCreate per minute, then answers a throttling error until the minute has passed', async () => {
    const { sb, clock } = setup({ devStore: true });
    const order = { lineItems: [{ title: 'x', quantity: 1, priceSet: eur('1.00') }] };
    expect((await create(sb, { lineItems: [{ title: 'x', quantity: 0 }] })).userErrors).toHaveLength(1); // refused orders do not count
    for (let i = 0; i < 5; i++) {
      expect((await create(sb, order)).userErrors).toEqual([]);
      clock.advance(1000);
    }
    const sixth = await gql(sb, CREATE, { order });
    expect(sixth.status).toBe(200);
    expect(sixth.body.data).toEqual({ orderCreate: null });
    expect(sixth.body.errors?.[0]).toMatchObject({ message: expect.stringContaining('Exceeded order API rate limit'), extensions: { code: 'THROTTLED' } });
    clock.advance(56_000);
    expect((await create(sb, order)).userErrors).toEqual([]);
    const other = setup({ devStore: false });
    for (let i = 0; i < 7; i++) expect((await create(other.sb, order)).userErrors).toEqual([]);
  });
});

describe('orders(query:)', () => {
  it('filters on financial_status, status, updated_at, source_identifier, tag / tag_not and sorts by UPDATED_AT', async () => {
    const { sb, clock } = setup();
    const line = [{ title: 'x', quantity: 1, priceSet: eur('10.00') }];
    const pos = await create(sb, { name: 'POS-1', sourceName: 'ccv-pos', sourceIdentifier: 'CCV-REC-000123', tags: ['ccv-pos'], financialStatus: 'PAID', lineItems: line });
    clock.advance(60_000);
    const web = await create(sb, { name: 'WEB-1', transactions: [{ amountSet: eur('10.00') }], lineItems: line });
    clock.advance(60_000);
    const pending = await create(sb, { name: 'WEB-2', lineItems: line });
    clock.advance(60_000);
    const ids = async (q: string | null, sort?: string, reverse?: boolean) => ((await ok<Json>(sb, ORDERS, { q, sort, reverse })).orders.nodes as Json[]).map((o) => o.name);
    expect(await ids('financial_status:paid')).toEqual(['POS-1', 'WEB-1']);
    expect(await ids('financial_status:pending')).toEqual(['WEB-2']);
    expect(await ids("source_identifier:'CCV-REC-000123'")).toEqual(['POS-1']);
    expect(await ids('tag:ccv-pos')).toEqual(['POS-1']);
    expect(await ids('tag_not:ccv-pos')).toEqual(['WEB-1', 'WEB-2']);
    expect(await ids(`updated_at:>'${new Date(Date.parse(pos.order.createdAt) + 30_000).toISOString()}'`)).toEqual(['WEB-1', 'WEB-2']);
    // The reference import query.
    const tagQ = `mutation($id: ID!) { tagsAdd(id: $id, tags: ["ccv-imported"]) { node { id } userErrors { message } } }`;
    expect(await ids("updated_at:>'2026-07-14T08:00:00Z' financial_status:paid status:open tag_not:ccv-imported -source_name:ccv-pos")).toEqual(['WEB-1']);
    await ok(sb, tagQ, { id: web.order.id });
    expect(await ids("updated_at:>'2026-07-14T08:00:00Z' financial_status:paid status:open tag_not:ccv-imported -source_name:ccv-pos")).toEqual([]);
    // tagsAdd bumped WEB-1's updatedAt: it is now the most recently updated.
    expect(await ids(null, 'UPDATED_AT')).toEqual(['POS-1', 'WEB-2', 'WEB-1']);
    expect(await ids(null, 'UPDATED_AT', true)).toEqual(['WEB-1', 'WEB-2', 'POS-1']);
    await sb.fetch(`https://${sb.shop}/__sandbox/edit/order`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: pending.order.id, cancel: true }) });
    expect(await ids('status:cancelled')).toEqual(['WEB-2']);
    expect(await ids('status:open')).toEqual(['POS-1', 'WEB-1']);
  });

  it('hides orders older than 60 days from a token without read_all_orders', async () => {
    const { sb, clock } = setup();
    await create(sb, { name: 'OLD', processedAt: new Date(clock.now() - 61 * 86_400_000).toISOString(), lineItems: [{ title: 'x', quantity: 1, priceSet: eur('1.00') }] });
    await create(sb, { name: 'NEW', lineItems: [{ title: 'x', quantity: 1, priceSet: eur('1.00') }] });
    const limited = sb.issueToken({ scopes: ['read_orders'] });
    const all = sb.issueToken({ scopes: ['read_orders', 'read_all_orders'] });
    const names = async (token: string) => ((await ok<Json>(sb, ORDERS, { q: null }, { token })).orders.nodes as Json[]).map((o) => o.name);
    expect(await names(limited.token)).toEqual(['NEW']);
    expect(await names(all.token)).toEqual(['OLD', 'NEW']);
  });
});

describe('B2B orders', () => {
  it('carries the company location as purchasing entity', async () => {
    const { sb } = setup({ b2b: true });
    const co = (await ok<Json>(sb, `mutation { companyCreate(input: { company: { name: "Bakkerij BV", externalId: "ccv-777" }, companyLocation: { name: "Gouda", externalId: "ccv-777-main" } }) { company { id locations(first: 1) { nodes { id } } } userErrors { message } } }`)).companyCreate.company;
    const c = (await ok<Json>(sb, 'mutation { customerCreate(input: { email: "inkoop@bakkerij.nl" }) { customer { id } } }')).customerCreate.customer;
    const line = [{ title: 'Brood', quantity: 10, priceSet: eur('2.00') }];
    const notContact = await create(sb, { companyLocationId: co.locations.nodes[0].id, customer: { toAssociate: { id: c.id } }, lineItems: line });
    expect(notContact.userErrors[0]).toMatchObject({ field: ['order', 'companyLocationId'], code: 'INVALID' });
    await ok(sb, 'mutation($a: ID!, $b: ID!) { companyAssignCustomerAsContact(companyId: $a, customerId: $b) { userErrors { message } } }', { a: co.id, b: c.id });
    const r = await create(sb, { companyLocationId: co.locations.nodes[0].id, customer: { toAssociate: { id: c.id } }, lineItems: line });
    expect(r.userErrors).toEqual([]);
    expect(r.order.purchasingEntity).toEqual({ __typename: 'PurchasingCompany', company: { externalId: 'ccv-777' }, location: { externalId: 'ccv-777-main' } });
  });
});

describe('online orders placed in the Shopify store (/__sandbox/orders/online)', () => {
  async function post(sb: SB, path: string, body: unknown): Promise<{ status: number; body: Json }> {
    const r = await sb.fetch(`https://${sb.shop}/__sandbox/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as Json };
  }

  it('commits stock, records a paid web order, and the merchant can fulfil or cancel it', async () => {
    const { sb, events } = setup();
    const p = await product(sb, 'WEB-SKU', { stock: 5 });
    events.length = 0;
    const r = await post(sb, 'orders/online', { lineItems: [{ sku: 'WEB-SKU', quantity: 2 }], email: 'klant@example.nl' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ displayFinancialStatus: 'PAID', totalPrice: '59.90' });
    expect(await levels(sb, p.item)).toEqual({ available: 3, committed: 2, on_hand: 5 });
    expect(events.map((e) => e.topic)).toEqual(expect.arrayContaining(['orders/create', 'orders/paid', 'inventory_levels/update', 'customers/create', 'products/update']));
    const o = (await ok<Json>(sb, 'query($id: ID!) { order(id: $id) { sourceName displayFulfillmentStatus customer { defaultEmailAddress { emailAddress } } transactions(first: 5) { gateway kind amountSet { shopMoney { amount } } } } }', { id: r.body.id })).order;
    expect(o).toEqual({ sourceName: 'web', displayFulfillmentStatus: 'UNFULFILLED', customer: { defaultEmailAddress: { emailAddress: 'klant@example.nl' } }, transactions: [{ gateway: 'shopify_payments', kind: 'SALE', amountSet: { shopMoney: { amount: '59.90' } } }] });

    await post(sb, 'edit/order', { id: r.body.id, fulfill: true });
    expect(await levels(sb, p.item)).toEqual({ available: 3, committed: 0, on_hand: 3 });

    const second = await post(sb, 'orders/online', { lineItems: [{ variantId: p.variant, quantity: 1 }] });
    expect(await levels(sb, p.item)).toEqual({ available: 2, committed: 1, on_hand: 3 });
    await post(sb, 'edit/order', { id: second.body.id, cancel: true });
    expect(await levels(sb, p.item)).toEqual({ available: 3, committed: 0, on_hand: 3 });
    const bad = await post(sb, 'orders/online', { lineItems: [{ sku: 'NOPE', quantity: 1 }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('NOPE');
  });
});
