/**
 * End to end over a real socket with a client written here from the reference (ccv-api.md §3), deliberately not
 * using the sandbox's own signing helper: list, page by following `next`, expand, create, patch, get rate limited,
 * and verify every response signature.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCcvSandbox, type CcvSandbox } from '../../sandbox/ccv/index.js';

class IndependentCcvClient {
  calls = 0;
  constructor(
    private readonly root: string,
    private readonly pub: string,
    private readonly secret: string,
  ) {}

  private hmac(parts: string[]): string {
    return createHmac('sha512', this.secret).update(parts.join('|')).digest('hex');
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response JSON is read loosely in assertions
  async request(method: string, urlOrPath: string, body?: unknown): Promise<{ status: number; data: any; signatureOk: boolean }> {
    const url = urlOrPath.startsWith('http') ? urlOrPath : this.root + urlOrPath;
    const uri = url.replace(/^https?:\/\/[^/]+/, '');
    const raw = body === undefined ? '' : JSON.stringify(body);
    const date = new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00');
    const res = await fetch(url, {
      method,
      headers: {
        'x-public': this.pub,
        'x-date': date,
        'x-hash': this.hmac([this.pub, method, uri, raw, date]),
        accept: 'application/vnd.verto.salespos+json',
        ...(raw ? { 'content-type': 'text/json' } : {}),
      },
      body: raw || undefined,
    });
    this.calls++;
    const text = await res.text();
    const signatureOk = res.headers.get('x-hash') === this.hmac([this.pub, method, uri, text, res.headers.get('x-date') ?? '']);
    return { status: res.status, data: text ? JSON.parse(text) : undefined, signatureOk };
  }
}

describe('CCV sandbox with an independent client', () => {
  let sb: CcvSandbox;
  let client: IndependentCcvClient;

  beforeAll(async () => {
    sb = await startCcvSandbox({ port: 0, products: 120, seed: 3, rateScale: 0.1, globalLimit: 0 });
    client = new IndependentCcvClient(sb.apiRoot.replace(/\/$/, ''), sb.publicKey, sb.secretKey);
  });
  afterAll(async () => {
    await sb.close();
  });

  it('reads the webshop as a SalesPOS account with its settings', async () => {
    const shops = await client.request('GET', '/webshops');
    expect(shops.signatureOk).toBe(true);
    expect(shops.data.items[0]).toMatchObject({ is_salespos: true });
    const settings = await client.request('GET', `/webshops/${shops.data.items[0].id}/settings/`);
    expect(settings.data).toMatchObject({ prices_include_vat: true, currency: 'EUR' });
  });

  it('pages through all products by following next, with expanded variants', async () => {
    const ids: number[] = [];
    let variants = 0;
    let url: string | null = '/products?size=50&orderby=id&expand=attributecombinations';
    while (url) {
      const page = await client.request('GET', url);
      expect(page.status).toBe(200);
      expect(page.signatureOk).toBe(true);
      for (const p of page.data.items) {
        ids.push(p.id);
        variants += p.attributecombinations.collection.length;
      }
      url = page.data.next;
    }
    expect(ids).toEqual([...sb.state.products.rows.keys()]);
    expect(variants).toBe(sb.state.combinations.size);
  });

  it('creates, patches and reads back a product', async () => {
    const created = await client.request('POST', '/products/', { name: 'E2E mok', price: 9.95, discount: 0, package_id: 1, taxtariff: 'normal', productnumber: 'E2E-1' });
    expect(created.status).toBe(201);
    expect(created.signatureOk).toBe(true);
    const patched = await client.request('PATCH', `/products/${created.data.id}`, { price: 11.5, stock: 4 });
    expect(patched.status).toBe(204);
    expect(patched.signatureOk).toBe(true);
    const read = await client.request('GET', `/products/${created.data.id}/`);
    expect(read.data).toMatchObject({ price: 11.5, stock: 4, productnumber: 'E2E-1' });
  });

  it('gets rate limited per resource and method exactly at the scaled limit', async () => {
    // rateScale 0.1 => 15 GET per minute per resource; use a resource nobody touched yet.
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++) statuses.push((await client.request('GET', '/paymethods')).status);
    expect(statuses.slice(0, 15).every((s) => s === 200)).toBe(true);
    expect(statuses[15]).toBe(429);
    const limited = await client.request('GET', '/paymethods');
    expect(limited.data).toMatchObject({ status: 429, code: '429.10' });
    expect(limited.signatureOk).toBe(true);
  });
});
