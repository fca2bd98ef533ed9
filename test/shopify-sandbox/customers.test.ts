// Customers (customerSet, customerCreate/Update, addresses, lookups, search), companies behind the B2B flag,
// and tagsAdd: Shopify's semantics and userError codes.
import { describe, expect, it } from 'vitest';
import { createShopifySandbox } from '../../sandbox/shopify/index.js';
import type { DomainEvent } from '../../sandbox/shopify/index.js';
import { gql, manualClock, ok } from '../../sandbox/shopify/testkit.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CORE = `id firstName lastName tags note taxExempt updatedAt
  defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber }
  defaultAddress { id address1 city zip countryCodeV2 company }
  addressesV2(first: 10) { nodes { id address1 } }`;

const SET = `mutation($identifier: CustomerSetIdentifiers, $input: CustomerSetInput!) {
  customerSet(identifier: $identifier, input: $input) { customer { ${CORE} } userErrors { field message code } } }`;
const CREATE = `mutation($input: CustomerInput!) { customerCreate(input: $input) { customer { ${CORE} metafields(first: 5) { nodes { key value } } } userErrors { field message } } }`;
const UPDATE = `mutation($input: CustomerInput!) { customerUpdate(input: $input) { customer { ${CORE} } userErrors { field message } } }`;
const BY_ID = `query($identifier: CustomerIdentifierInput!) { customerByIdentifier(identifier: $identifier) { id firstName } }`;
const SEARCH = `query($q: String!) { customers(first: 10, query: $q) { nodes { id defaultEmailAddress { emailAddress } } } }`;

function setup(opts: Parameters<typeof createShopifySandbox>[0] = {}) {
  const clock = manualClock();
  const sb = createShopifySandbox({ now: clock.now, ...opts });
  const events: DomainEvent[] = [];
  sb.core.on((e) => events.push(e));
  return { sb, clock, events };
}

async function customerSet(sb: ReturnType<typeof createShopifySandbox>, input: Json, identifier?: Json): Promise<Json> {
  return (await ok<Json>(sb, SET, { input, identifier })).customerSet;
}

const jan = { email: 'jan@example.nl', firstName: 'Jan', lastName: 'Jansen', phone: '+31 6 1234 5678', tags: ['ccv', 'ccv-cust-555'], note: 'CCV customer 555' };
const addr = (address1: string, city = 'Utrecht') => ({ address1, zip: '1234 AB', city, countryCode: 'NL', firstName: 'Jan', lastName: 'Jansen' });

describe('customerSet', () => {
  it('creates with an e-mail identifier, then updates the same customer', async () => {
    const { sb, events } = setup();
    const first = await customerSet(sb, { ...jan, addresses: [addr('Dorpsstraat 1')] }, { email: 'jan@example.nl' });
    expect(first.userErrors).toEqual([]);
    expect(first.customer).toMatchObject({
      firstName: 'Jan',
      tags: ['ccv', 'ccv-cust-555'],
      defaultEmailAddress: { emailAddress: 'jan@example.nl' },
      defaultPhoneNumber: { phoneNumber: '+31612345678' }, // stored as E.164
      defaultAddress: { address1: 'Dorpsstraat 1', city: 'Utrecht', countryCodeV2: 'NL' },
    });
    expect(first.customer.defaultAddress.id).toMatch(/^gid:\/\/shopify\/MailingAddress\/\d+\?model_name=CustomerAddress$/);
    const again = await customerSet(sb, { ...jan, email: 'JAN@example.nl', firstName: 'Jan-Willem' }, { email: 'jan@EXAMPLE.nl' });
    expect(again.userErrors).toEqual([]);
    expect(again.customer.id).toBe(first.customer.id);
    expect(again.customer.firstName).toBe('Jan-Willem');
    expect(again.customer.addressesV2.nodes).toHaveLength(1); // addresses left out: unchanged
    expect(events.filter((e) => e.topic.startsWith('customers/')).map((e) => e.topic)).toEqual(['customers/create', 'customers/update']);
  });

  it('replaces the address list: left-out addresses are deleted, equal ones keep their id', async () => {
    const { sb } = setup();
    const a = await customerSet(sb, { ...jan, addresses: [addr('Dorpsstraat 1'), addr('Kerkweg 2', 'Gouda')] }, { email: jan.email });
    const [home, work] = a.customer.addressesV2.nodes as [Json, Json];
    const b = await customerSet(sb, { email: jan.email, addresses: [addr('Kerkweg 2', 'Gouda'), addr('Markt 5', 'Gouda')] }, { email: jan.email });
    expect(b.customer.addressesV2.nodes.map((x: Json) => x.address1)).toEqual(['Kerkweg 2', 'Markt 5']);
    expect(b.customer.addressesV2.nodes[0].id).toBe(work.id);
    expect(b.customer.defaultAddress.id).toBe(work.id);
    expect(b.customer.addressesV2.nodes.map((x: Json) => x.id)).not.toContain(home.id);
    const c = await customerSet(sb, { email: jan.email, addresses: [] }, { email: jan.email });
    expect(c.customer.addressesV2.nodes).toEqual([]);
    expect(c.customer.defaultAddress).toBeNull();
  });

  it('answers INPUT_MISMATCH, MISSING_FIELD_REQUIRED, TAKEN, NOT_FOUND and ID_NOT_ALLOWED', async () => {
    const { sb } = setup();
    await customerSet(sb, jan, { email: jan.email });
    const other = await customerSet(sb, { email: 'piet@example.nl', firstName: 'Piet' }, { email: 'piet@example.nl' });
    const mismatch = await customerSet(sb, { email: 'someone@example.nl' }, { email: jan.email });
    expect(mismatch.userErrors).toEqual([{ field: ['input', 'email'], message: expect.any(String), code: 'INPUT_MISMATCH' }]);
    expect((await customerSet(sb, { firstName: 'X' }, { email: jan.email })).userErrors[0].code).toBe('MISSING_FIELD_REQUIRED');
    const taken = await customerSet(sb, { email: jan.email }, { id: other.customer.id });
    expect(taken.userErrors).toEqual([{ field: ['input', 'email'], message: 'Email has already been taken', code: 'TAKEN' }]);
    const phoneTaken = await customerSet(sb, { phone: '+31612345678' }, { id: other.customer.id });
    expect(phoneTaken.userErrors[0]).toMatchObject({ field: ['input', 'phone'], code: 'TAKEN' });
    expect((await customerSet(sb, { firstName: 'X' }, { id: 'gid://shopify/Customer/1' })).userErrors[0].code).toBe('NOT_FOUND');
    expect((await customerSet(sb, { id: other.customer.id, firstName: 'X' }, { email: 'x@example.nl' })).userErrors[0].code).toBe('ID_NOT_ALLOWED');
    expect((await customerSet(sb, { email: 'not-an-email', firstName: 'X' })).userErrors[0]).toMatchObject({ field: ['input', 'email'], code: 'INVALID' });
    expect((await customerSet(sb, { phone: '0612345678', firstName: 'X' })).userErrors[0]).toMatchObject({ field: ['input', 'phone'], code: 'INVALID' });
  });

  it('upserts by phone and by custom id (which needs a unique definition and sets the metafield)', async () => {
    const { sb } = setup();
    const byPhone = await customerSet(sb, { phone: '+31612345678', firstName: 'Jan' }, { phone: '+31612345678' });
    expect(byPhone.userErrors).toEqual([]);
    const again = await customerSet(sb, { phone: '+31 6 12345678', lastName: 'Jansen' }, { phone: '+31612345678' });
    expect(again.customer.id).toBe(byPhone.customer.id);
    const noDef = await customerSet(sb, { firstName: 'Piet' }, { customId: { namespace: 'ccv', key: 'customer_id', value: '556' } });
    expect(noDef.userErrors[0]).toMatchObject({ field: ['identifier', 'customId'], code: 'INVALID' });
    await ok(sb, 'mutation($d: MetafieldDefinitionInput!) { metafieldDefinitionCreate(definition: $d) { userErrors { code } } }', { d: { name: 'CCV customer', namespace: 'ccv', key: 'customer_id', type: 'id', ownerType: 'CUSTOMER' } });
    const created = await customerSet(sb, { firstName: 'Piet' }, { customId: { namespace: 'ccv', key: 'customer_id', value: '556' } });
    expect(created.userErrors).toEqual([]);
    const updated = await customerSet(sb, { lastName: 'Pietersen' }, { customId: { namespace: 'ccv', key: 'customer_id', value: '556' } });
    expect(updated.customer.id).toBe(created.customer.id);
    const found = await ok<Json>(sb, BY_ID, { identifier: { customId: { namespace: 'ccv', key: 'customer_id', value: '556' } } });
    expect(found.customerByIdentifier).toEqual({ id: created.customer.id, firstName: 'Piet' });
  });
});

describe('customerCreate and customerUpdate', () => {
  it('creates with metafields, refuses a taken e-mail and a duplicate unique value', async () => {
    const { sb } = setup();
    await ok(sb, 'mutation($d: MetafieldDefinitionInput!) { metafieldDefinitionCreate(definition: $d) { userErrors { code } } }', { d: { name: 'CCV customer', namespace: 'ccv', key: 'customer_id', type: 'id', ownerType: 'CUSTOMER' } });
    const c = (await ok<Json>(sb, CREATE, { input: { email: 'piet@example.nl', firstName: 'Piet', lastName: 'Pietersen', tags: ['ccv'], metafields: [{ namespace: 'ccv', key: 'customer_id', type: 'id', value: '556' }] } })).customerCreate;
    expect(c.userErrors).toEqual([]);
    expect(c.customer.metafields.nodes).toEqual([{ key: 'customer_id', value: '556' }]);
    const dup = (await ok<Json>(sb, CREATE, { input: { email: 'PIET@example.nl' } })).customerCreate;
    expect(dup).toEqual({ customer: null, userErrors: [{ field: ['email'], message: 'Email has already been taken' }] });
    const dupId = (await ok<Json>(sb, CREATE, { input: { email: 'kees@example.nl', metafields: [{ namespace: 'ccv', key: 'customer_id', type: 'id', value: '556' }] } })).customerCreate;
    expect(dupId.customer).toBeNull();
    expect(dupId.userErrors[0].field).toEqual(['metafields', '0', 'value']);
    const empty = (await ok<Json>(sb, CREATE, { input: { note: 'nobody' } })).customerCreate;
    expect(empty.userErrors).toEqual([{ field: null, message: 'A name, phone number, or email address must be present.' }]);
  });

  it('updates fields, keeps what is left out, and treats the deprecated addresses as a replacement list', async () => {
    const { sb, clock } = setup();
    const c = (await ok<Json>(sb, CREATE, { input: { email: 'piet@example.nl', firstName: 'Piet', addresses: [addr('A 1'), addr('B 2')] } })).customerCreate.customer;
    expect(c.addressesV2.nodes.map((a: Json) => a.address1)).toEqual(['A 1', 'B 2']);
    clock.advance(60_000);
    const u = (await ok<Json>(sb, UPDATE, { input: { id: c.id, note: 'updated', addresses: [addr('C 3')] } })).customerUpdate;
    expect(u.userErrors).toEqual([]);
    expect(u.customer).toMatchObject({ firstName: 'Piet', note: 'updated', defaultAddress: { address1: 'C 3' } });
    expect(u.customer.addressesV2.nodes).toHaveLength(1);
    expect(Date.parse(u.customer.updatedAt)).toBe(Date.parse(c.updatedAt) + 60_000);
    const missing = (await ok<Json>(sb, UPDATE, { input: { id: 'gid://shopify/Customer/42', note: 'x' } })).customerUpdate;
    expect(missing).toEqual({ customer: null, userErrors: [{ field: ['id'], message: 'Customer does not exist' }] });
  });

  it('adds addresses with customerAddressCreate (setAsDefault) and refuses an identical one', async () => {
    const { sb } = setup();
    const c = (await customerSet(sb, { ...jan, addresses: [addr('Dorpsstraat 1')] }, { email: jan.email })).customer;
    const q = `mutation($customerId: ID!, $address: MailingAddressInput!, $def: Boolean) { customerAddressCreate(customerId: $customerId, address: $address, setAsDefault: $def) { address { id address1 company } userErrors { field message } } }`;
    const r = (await ok<Json>(sb, q, { customerId: c.id, address: { address1: 'Kerkweg 2', zip: '5678 CD', city: 'Gouda', countryCode: 'NL', company: 'Bakkerij BV' }, def: true })).customerAddressCreate;
    expect(r.userErrors).toEqual([]);
    expect(r.address).toMatchObject({ address1: 'Kerkweg 2', company: 'Bakkerij BV' });
    const read = await ok<Json>(sb, `query($id: ID!) { customer(id: $id) { defaultAddress { id } addressesV2(first: 5) { nodes { id } } } }`, { id: c.id });
    expect(read.customer.defaultAddress.id).toBe(r.address.id);
    expect(read.customer.addressesV2.nodes).toHaveLength(2);
    const dup = (await ok<Json>(sb, q, { customerId: c.id, address: { address1: 'Kerkweg 2', zip: '5678 CD', city: 'Gouda', countryCode: 'NL', company: 'Bakkerij BV' } })).customerAddressCreate;
    expect(dup.userErrors).toEqual([{ field: ['address'], message: 'Address already exists' }]);
    const bad = (await ok<Json>(sb, q, { customerId: 'gid://shopify/Customer/1', address: { address1: 'x' } })).customerAddressCreate;
    expect(bad.userErrors).toEqual([{ field: ['customerId'], message: 'Customer does not exist' }]);
  });

  it('warns about the deprecated CustomerInput.addresses with X-Shopify-API-Deprecated-Reason, as Shopify does', async () => {
    const { sb } = setup();
    const withAddresses = await gql(sb, CREATE, { input: { email: 'a@example.nl', addresses: [addr('A 1')] } });
    expect(withAddresses.headers.get('x-shopify-api-deprecated-reason')).toBe('https://shopify.dev/api/usage/versioning#deprecation-practices');
    const without = await gql(sb, CREATE, { input: { email: 'b@example.nl' } });
    expect(without.headers.get('x-shopify-api-deprecated-reason')).toBeNull();
    const deprecatedField = await gql(sb, '{ customers(first: 1) { nodes { email } } }');
    expect(deprecatedField.headers.get('x-shopify-api-deprecated-reason')).not.toBeNull();
  });

  it('refuses the deprecated country name instead of ignoring it', async () => {
    const { sb } = setup();
    const r = await gql(sb, SET, { input: { email: 'x@example.nl', addresses: [{ address1: 'x', country: 'Netherlands' }] } });
    expect(r.body.errors?.[0]?.extensions?.code).toBe('SANDBOX_UNSUPPORTED');
  });
});

describe('customer lookups and search', () => {
  it('finds a customer exactly by id, e-mail (any case) and phone', async () => {
    const { sb } = setup();
    const c = (await customerSet(sb, jan, { email: jan.email })).customer;
    for (const identifier of [{ id: c.id }, { emailAddress: 'Jan@Example.NL' }, { phoneNumber: '+31612345678' }]) {
      expect((await ok<Json>(sb, BY_ID, { identifier })).customerByIdentifier?.id).toBe(c.id);
    }
    expect((await ok<Json>(sb, BY_ID, { identifier: { emailAddress: 'jan@example.n' } })).customerByIdentifier).toBeNull();
  });

  it('tokenises e-mail search; a quoted address matches the whole value', async () => {
    const { sb } = setup();
    const a = (await customerSet(sb, { email: 'jan@example.nl', firstName: 'Jan' })).customer;
    const b = (await customerSet(sb, { email: 'nl.jan@example.com', firstName: 'Other' })).customer;
    const ids = async (q: string) => ((await ok<Json>(sb, SEARCH, { q })).customers.nodes as Json[]).map((n) => n.id);
    expect(await ids('email:jan@example.nl')).toEqual([a.id, b.id]); // tokens jan, example, nl are in both
    expect(await ids('email:"jan@example.nl"')).toEqual([a.id]);
    expect(await ids('email:"JAN@example.nl"')).toEqual([a.id]);
  });

  it('filters on tag, tag_not, updated_at and ignores an unknown field with a warning', async () => {
    const { sb, clock } = setup();
    const a = (await customerSet(sb, { email: 'a@example.nl', tags: ['ccv'] })).customer;
    clock.advance(3_600_000);
    const b = (await customerSet(sb, { email: 'b@example.nl', tags: ['web'] })).customer;
    const ids = async (q: string) => ((await ok<Json>(sb, SEARCH, { q })).customers.nodes as Json[]).map((n) => n.id);
    expect(await ids('tag:ccv')).toEqual([a.id]);
    expect(await ids('tag_not:ccv')).toEqual([b.id]);
    expect(await ids(`updated_at:>'${new Date(Date.parse(a.updatedAt) + 1000).toISOString()}'`)).toEqual([b.id]);
    const r = await gql(sb, SEARCH, { q: 'favourite_colour:red' });
    expect((r.body.data as Json).customers.nodes).toHaveLength(2);
    expect(r.body.extensions?.search?.[0]).toMatchObject({ warnings: [{ field: 'favourite_colour' }] });
  });

  it('makes writes searchable only after the index lag', async () => {
    const { sb, clock } = setup({ indexLagMs: 5000 });
    await customerSet(sb, { email: 'late@example.nl' });
    expect((await ok<Json>(sb, SEARCH, { q: 'email:"late@example.nl"' })).customers.nodes).toEqual([]);
    expect((await ok<Json>(sb, BY_ID, { identifier: { emailAddress: 'late@example.nl' } })).customerByIdentifier).not.toBeNull(); // exact lookups do not lag
    clock.advance(5000);
    expect((await ok<Json>(sb, SEARCH, { q: 'email:"late@example.nl"' })).customers.nodes).toHaveLength(1);
  });

  it('needs read_customers / write_customers', async () => {
    const { sb } = setup();
    const t = sb.issueToken({ scopes: ['read_products'] });
    const r = await gql(sb, SEARCH, { q: 'x' }, { token: t.token });
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'ACCESS_DENIED' });
    const ro = sb.issueToken({ scopes: ['read_customers'] });
    const w = await gql(sb, SET, { input: { email: 'x@example.nl' } }, { token: ro.token });
    expect(w.body.errors?.[0]?.extensions).toMatchObject({ code: 'ACCESS_DENIED', requiredAccess: '`write_customers` access scope.' });
  });
});

const COMPANY_CREATE = `mutation($input: CompanyCreateInput!) { companyCreate(input: $input) {
  company { id name externalId mainContact { id customer { id } } locations(first: 5) { nodes { id name externalId shippingAddress { address1 countryCode recipient } billingAddress { address1 } taxSettings { taxRegistrationId } } } contactRoles(first: 10) { nodes { id name } } }
  userErrors { field message code } } }`;
const COMPANIES = `query($q: String!) { companies(first: 5, query: $q) { nodes { id externalId contacts(first: 10) { nodes { id customer { id } } } } } }`;

describe('companies (B2B)', () => {
  const input = {
    company: { name: 'Bakkerij BV', externalId: 'ccv-777', note: 'B2B from CCV' },
    companyLocation: { name: 'Bakkerij BV - Gouda', externalId: 'ccv-777-main', billingSameAsShipping: true, taxRegistrationId: 'NL001234567B01', shippingAddress: { address1: 'Kerkweg 2', zip: '5678 CD', city: 'Gouda', countryCode: 'NL', recipient: 'Inkoop' } },
  };

  it('answers ACCESS_DENIED naming B2B when the shop has no B2B, and no contact profiles', async () => {
    const { sb } = setup({ b2b: false });
    const r = await gql(sb, COMPANY_CREATE, { input });
    expect(r.body.data).toEqual({ companyCreate: null });
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'ACCESS_DENIED' });
    expect(String(r.body.errors?.[0]?.extensions?.requiredAccess)).toContain('The shop must have access to B2B');
    const q = await gql(sb, COMPANIES, { q: 'external_id:ccv-777' });
    expect(q.body.errors?.[0]?.extensions?.code).toBe('ACCESS_DENIED');
    const c = (await customerSet(sb, jan, { email: jan.email })).customer;
    expect((await ok<Json>(sb, `query($id: ID!) { customer(id: $id) { companyContactProfiles { id } } }`, { id: c.id })).customer.companyContactProfiles).toEqual([]);
  });

  it('creates a company with a location and seeded roles, finds it by external id, assigns a contact and a role', async () => {
    const { sb } = setup({ b2b: true });
    const created = (await ok<Json>(sb, COMPANY_CREATE, { input })).companyCreate;
    expect(created.userErrors).toEqual([]);
    const co = created.company;
    expect(co.contactRoles.nodes.map((r: Json) => r.name).sort()).toEqual(['Location admin', 'Ordering only']);
    expect(co.locations.nodes).toEqual([
      { id: expect.stringMatching(/^gid:\/\/shopify\/CompanyLocation\/\d+$/), name: 'Bakkerij BV - Gouda', externalId: 'ccv-777-main', shippingAddress: { address1: 'Kerkweg 2', countryCode: 'NL', recipient: 'Inkoop' }, billingAddress: { address1: 'Kerkweg 2' }, taxSettings: { taxRegistrationId: 'NL001234567B01' } },
    ]);
    expect(co.mainContact).toBeNull();

    const dup = (await ok<Json>(sb, COMPANY_CREATE, { input: { company: { name: 'Other', externalId: 'ccv-777' } } })).companyCreate;
    expect(dup.userErrors).toEqual([{ field: ['input', 'company', 'externalId'], message: expect.any(String), code: 'TAKEN' }]);
    expect((await ok<Json>(sb, COMPANY_CREATE, { input: { company: { externalId: 'x' } } })).companyCreate.userErrors[0]).toMatchObject({ field: ['input', 'company', 'name'], code: 'BLANK' });

    const found = (await ok<Json>(sb, COMPANIES, { q: 'external_id:ccv-777' })).companies.nodes;
    expect(found.map((c: Json) => c.id)).toEqual([co.id]);

    const customer = (await customerSet(sb, jan, { email: jan.email })).customer;
    const assign = `mutation($companyId: ID!, $customerId: ID!) { companyAssignCustomerAsContact(companyId: $companyId, customerId: $customerId) { companyContact { id isMainContact customer { id } } userErrors { field message code } } }`;
    const contact = (await ok<Json>(sb, assign, { companyId: co.id, customerId: customer.id })).companyAssignCustomerAsContact;
    expect(contact.userErrors).toEqual([]);
    expect(contact.companyContact).toMatchObject({ isMainContact: true, customer: { id: customer.id } });
    expect((await ok<Json>(sb, assign, { companyId: co.id, customerId: customer.id })).companyAssignCustomerAsContact.userErrors[0].code).toBe('TAKEN');
    expect((await ok<Json>(sb, assign, { companyId: co.id, customerId: 'gid://shopify/Customer/5' })).companyAssignCustomerAsContact.userErrors[0].code).toBe('RESOURCE_NOT_FOUND');

    const role = co.contactRoles.nodes.find((r: Json) => r.name === 'Location admin').id;
    const assignRole = `mutation($c: ID!, $r: ID!, $l: ID!) { companyContactAssignRole(companyContactId: $c, companyContactRoleId: $r, companyLocationId: $l) { companyContactRoleAssignment { id role { name } companyLocation { id } } userErrors { field message code } } }`;
    const ra = (await ok<Json>(sb, assignRole, { c: contact.companyContact.id, r: role, l: co.locations.nodes[0].id })).companyContactAssignRole;
    expect(ra.userErrors).toEqual([]);
    expect(ra.companyContactRoleAssignment.role.name).toBe('Location admin');
    expect((await ok<Json>(sb, assignRole, { c: contact.companyContact.id, r: role, l: co.locations.nodes[0].id })).companyContactAssignRole.userErrors[0].code).toBe('TAKEN');

    const profiles = await ok<Json>(sb, `query($id: ID!) { customer(id: $id) { companyContactProfiles { id company { id name externalId } } } }`, { id: customer.id });
    expect(profiles.customer.companyContactProfiles).toEqual([{ id: contact.companyContact.id, company: { id: co.id, name: 'Bakkerij BV', externalId: 'ccv-777' } }]);
    const withContacts = (await ok<Json>(sb, COMPANIES, { q: 'external_id:ccv-777' })).companies.nodes[0];
    expect(withContacts.contacts.nodes).toEqual([{ id: contact.companyContact.id, customer: { id: customer.id } }]);

    const locCreate = `mutation($companyId: ID!, $input: CompanyLocationInput!) { companyLocationCreate(companyId: $companyId, input: $input) { companyLocation { id name } userErrors { field message code } } }`;
    const l2 = (await ok<Json>(sb, locCreate, { companyId: co.id, input: { name: 'Filiaal 2', externalId: 'ccv-777-2', billingSameAsShipping: true, shippingAddress: { address1: 'Markt 5', zip: '2800 AA', city: 'Gouda', countryCode: 'NL' } } })).companyLocationCreate;
    expect(l2.userErrors).toEqual([]);
    expect((await ok<Json>(sb, locCreate, { companyId: co.id, input: { name: 'Filiaal 3', externalId: 'ccv-777-2' } })).companyLocationCreate.userErrors[0].code).toBe('TAKEN');
    expect((await ok<Json>(sb, locCreate, { companyId: co.id, input: { name: 'Filiaal 4', shippingAddress: { city: 'Gouda' } } })).companyLocationCreate.userErrors.map((e: Json) => e.code)).toEqual(['BLANK', 'BLANK']);
  });

  it('creates a company without a location input with a default location named after it, and a new contact', async () => {
    const { sb } = setup({ b2b: true });
    const r = (await ok<Json>(sb, COMPANY_CREATE, { input: { company: { name: 'Kaas BV' }, companyContact: { email: 'inkoop@kaas.nl', firstName: 'Ina' } } })).companyCreate;
    expect(r.userErrors).toEqual([]);
    expect(r.company.locations.nodes.map((l: Json) => l.name)).toEqual(['Kaas BV']);
    expect(r.company.mainContact.customer.id).toMatch(/^gid:\/\/shopify\/Customer\//);
    const again = (await ok<Json>(sb, COMPANY_CREATE, { input: { company: { name: 'Kaas 2' }, companyContact: { email: 'INKOOP@kaas.nl' } } })).companyCreate;
    expect(again.userErrors[0]).toMatchObject({ field: ['input', 'companyContact', 'email'], code: 'TAKEN' });
  });
});

describe('tagsAdd', () => {
  it('adds tags to products and customers (case-insensitive union), with the resource scope', async () => {
    const { sb, events } = setup();
    const p = (await ok<Json>(sb, 'mutation { productCreate(product: { title: "Mug", tags: ["ccv"] }) { product { id } } }')).productCreate.product;
    const c = (await customerSet(sb, jan, { email: jan.email })).customer;
    const q = `mutation($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id ... on Product { tags } ... on Customer { tags } } userErrors { field message } } }`;
    const r1 = (await ok<Json>(sb, q, { id: p.id, tags: ['CCV', 'sale, new'] })).tagsAdd;
    expect(r1).toEqual({ node: { id: p.id, tags: ['ccv', 'new', 'sale'] }, userErrors: [] });
    expect(events.at(-1)).toMatchObject({ topic: 'products/update', id: p.id });
    const r2 = (await ok<Json>(sb, q, { id: c.id, tags: ['ccv-imported'] })).tagsAdd;
    expect(r2.node.tags).toEqual(['ccv', 'ccv-cust-555', 'ccv-imported']);
    expect((await ok<Json>(sb, q, { id: 'gid://shopify/Customer/9', tags: ['x'] })).tagsAdd.userErrors).toEqual([{ field: ['id'], message: 'Resource does not exist' }]);
    const t = sb.issueToken({ scopes: ['write_products'] });
    const denied = await gql(sb, q, { id: c.id, tags: ['x'] }, { token: t.token });
    expect(denied.body.errors?.[0]?.extensions).toMatchObject({ code: 'ACCESS_DENIED', requiredAccess: '`write_customers` access scope.' });
    const searchable = await ok<Json>(sb, '{ products(first: 5, query: "tag:sale") { nodes { id } } }');
    expect(searchable.products.nodes).toEqual([{ id: p.id }]);
  });
});
