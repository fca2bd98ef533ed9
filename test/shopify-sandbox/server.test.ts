// The sandbox over a real socket: startup contract, raw HTTP details, faults that need a connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifySandbox } from '../../sandbox/shopify/index.js';
import type { ShopifySandbox } from '../../sandbox/shopify/index.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('started sandbox', () => {
  let sb: ShopifySandbox;
  const lines: string[] = [];
  beforeAll(async () => {
    sb = await startShopifySandbox({ port: 0, logger: (l) => lines.push(l) });
  });
  afterAll(async () => {
    await sb.close();
    await sb.close(); // idempotent
  });

  const gqlRaw = (body: string, headers: Record<string, string> = {}) =>
    fetch(sb.graphqlUrl(), { method: 'POST', headers: { 'x-shopify-access-token': sb.accessToken, 'content-type': 'application/json', ...headers }, body });

  it('listens on loopback and answers on the Shopify paths', async () => {
    expect(sb.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sb.graphqlUrl('2026-07')).toBe(`${sb.origin}/admin/api/2026-07/graphql.json`);
    const r = await gqlRaw(JSON.stringify({ query: '{ shop { name } }' }));
    expect(r.status).toBe(200);
    expect(r.headers.get('x-shopify-api-version')).toBe('2026-10');
    expect(await r.json()).toMatchObject({ data: { shop: { name: 'Koppel Demo' } } });
    expect(lines.some((l) => l.includes('listening on'))).toBe(true);
  });

  it('accepts application/graphql bodies and refuses bodies without a query', async () => {
    const raw = await gqlRaw('{ shop { currencyCode } }', { 'content-type': 'application/graphql' });
    expect(await raw.json()).toMatchObject({ data: { shop: { currencyCode: 'EUR' } } });
    const missing = await gqlRaw(JSON.stringify({ variables: {} }));
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ errors: { query: 'Required parameter missing or invalid' } });
    const named = await gqlRaw(JSON.stringify({ query: 'query A { shop { name } } query B { shop { id } }', operationName: 'C' }));
    expect(((await named.json()) as Json).errors[0].message).toMatch(/Unknown operation named "C"/);
  });

  it('grants client-credentials tokens from a form body too', async () => {
    const r = await fetch(`${sb.origin}/admin/oauth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: sb.clientId, client_secret: sb.clientSecret, grant_type: 'client_credentials' }).toString(),
    });
    const body = (await r.json()) as Json;
    expect(r.status).toBe(200);
    expect(body.access_token).toMatch(/^shpat_[0-9a-f]{32}$/);
    expect(body.expires_in).toBe(86400);
  });

  it('commits a mutation and then drops the socket without an answer', async () => {
    await fetch(`${sb.origin}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ dropAfterCommitNext: 1 }) });
    await expect(gqlRaw(JSON.stringify({ query: 'mutation { productCreate(product: { title: "Dropped" }) { product { id } } }' }))).rejects.toThrow();
    const r = await gqlRaw(JSON.stringify({ query: '{ products(first: 5) { nodes { title } } }' }));
    expect(((await r.json()) as Json).data.products.nodes).toEqual([{ title: 'Dropped' }]);
  });

  it('injects 5xx at a seeded rate, and lists its test endpoints', async () => {
    await fetch(`${sb.origin}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ errorRate: 1, errorStatus: 502 }) });
    expect((await gqlRaw(JSON.stringify({ query: '{ shop { name } }' }))).status).toBe(502);
    await fetch(`${sb.origin}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ reset: true }) });
    expect((await gqlRaw(JSON.stringify({ query: '{ shop { name } }' }))).status).toBe(200);
    const list = (await (await fetch(`${sb.origin}/__sandbox/`)).json()) as Json;
    expect(list.endpoints.join('\n')).toMatch(/edit\/product[\s\S]*edit\/inventory/);
    const lag = await fetch(`${sb.origin}/__sandbox/index-lag`, { method: 'POST', body: JSON.stringify({ ms: 250 }) });
    expect(await lag.json()).toEqual({ ms: 250 });
    expect(sb.core.index.lag).toBe(250);
  });

  it('refuses to start on a port in use', async () => {
    const port = Number(new URL(sb.origin).port);
    await expect(startShopifySandbox({ port })).rejects.toThrow(/EADDRINUSE/);
  });
});
