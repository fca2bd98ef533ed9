import { describe, expect, it } from 'vitest';
import type { SignedResponse } from './sign.js';
import { testSandbox } from './testing.js';

interface Page { href: string; start: number; size: number; first: string; previous: string | null; next: string | null; items: { id: number }[] }

describe('collections', () => {
  it('pages through every product by following next, which keeps every query parameter', async () => {
    const sb = testSandbox({ products: 57 });
    const seen: number[] = [];
    let url: string | null = 'products?size=10&active=1&orderby=id';
    let pages = 0;
    while (url) {
      const r: SignedResponse<Page> = await sb.api<Page>('GET', url);
      expect(r.status).toBe(200);
      expect(Object.keys(r.json)).toEqual(['href', 'start', 'size', 'first', 'previous', 'next', 'items']);
      seen.push(...r.json.items.map((p: { id: number }) => p.id));
      if (r.json.next) {
        expect(r.json.next).toMatch(/^http:\/\/ccv\.test\/api\/rest\/v1\/products\?/);
        const params = new URL(r.json.next).searchParams;
        expect(params.get('active')).toBe('1');
        expect(params.get('orderby')).toBe('id');
        expect(params.get('size')).toBe('10');
      }
      url = r.json.next;
      pages++;
    }
    const active = [...sb.core.state.products.rows.values()].filter((p) => p.is_active).map((p) => p.id);
    expect(seen).toEqual(active);
    expect(pages).toBe(Math.ceil(active.length / 10));
  });

  it('links first and previous, and returns an empty last page beyond the end', async () => {
    const sb = testSandbox({ products: 30 });
    const r = await sb.api('GET', 'products?start=20&size=5');
    expect(new URL(r.json.previous).searchParams.get('start')).toBe('15');
    expect(new URL(r.json.first).searchParams.get('start')).toBe('0');
    const beyond = await sb.api('GET', 'products?start=500');
    expect(beyond.json.items).toEqual([]);
    expect(beyond.json.next).toBeNull();
  });

  it('defaults the page size and rejects sizes above 250, naming the parameter', async () => {
    const sb = testSandbox({ products: 30 });
    expect((await sb.api('GET', 'products')).json.items).toHaveLength(25);
    expect((await sb.api('GET', 'products?size=250')).status).toBe(200);
    const big = await sb.api('GET', 'products?size=251');
    expect(big.status).toBe(400);
    expect(big.json.developermessage).toContain("'size'");
    expect((await sb.api('GET', 'products?size=0')).status).toBe(400);
    expect((await sb.api('GET', 'products?start=-1')).json.developermessage).toContain("'start'");
  });

  it('sorts with orderby and _desc, and rejects unknown sort fields', async () => {
    const sb = testSandbox({ products: 40 });
    const r = await sb.api('GET', 'products?orderby=modifydate_desc&size=250');
    const dates = r.json.items.map((p: { modifydate: string }) => p.modifydate);
    expect(dates).toEqual([...dates].sort().reverse());
    const byName = await sb.api('GET', 'products?orderby=name&size=250');
    const names = byName.json.items.map((p: { name: string }) => p.name);
    expect(names).toEqual([...names].sort((a: string, b: string) => a.localeCompare(b, 'nl')));
    const bad = await sb.api('GET', 'products?orderby=price');
    expect(bad.status).toBe(400);
    expect(bad.json.developermessage).toContain('orderby');
  });

  it('rejects unknown and repeated query parameters (no silent "updated since")', async () => {
    const sb = testSandbox({ products: 5 });
    const unknown = await sb.api('GET', 'products?updated_since=2025-01-01');
    expect(unknown.status).toBe(400);
    expect(unknown.json.developermessage).toContain("'updated_since'");
    expect((await sb.api('GET', 'products?size=5&size=6')).status).toBe(400);
    const lenient = testSandbox({ products: 5, rejectUnknownParams: false });
    expect((await lenient.api('GET', 'products?updated_since=2025-01-01')).status).toBe(200);
  });

  it('expands sub-resources only when asked, and validates expand names', async () => {
    const sb = testSandbox({ products: 40 });
    const variant = [...sb.core.state.combinations.rows.values()][0]!;
    const plain = await sb.api('GET', `products/${variant.product_id}`);
    expect(Object.keys(plain.json.attributecombinations)).toEqual(['href']);
    const exp = await sb.api('GET', `products/${variant.product_id}?expand=attributecombinations,producttocategories,productattributesets`);
    expect(exp.json.attributecombinations.collection.map((c: { id: number }) => c.id)).toContain(variant.id);
    expect(exp.json.producttocategories.collection.length).toBeGreaterThan(0);
    expect(exp.json.productattributesets.collection[0]).toHaveProperty('attributename');
    expect(exp.json.productphotos).toEqual({ href: expect.stringContaining('/productphotos/') });
    const bad = await sb.api('GET', 'products?expand=everything');
    expect(bad.status).toBe(400);
    expect(bad.json.developermessage).toContain("'expand'");
  });

  it('hides unfinished orders unless is_completed=false', async () => {
    const sb = testSandbox({ products: 400 });
    const all = [...sb.core.state.orders.rows.values()];
    const completed = all.filter((o) => o.is_completed).length;
    const open = all.length - completed;
    expect(open).toBeGreaterThan(0);
    const count = async (q: string) => {
      let n = 0;
      let url: string | null = `orders?size=250${q}`;
      while (url) {
        const r: SignedResponse<Page> = await sb.api<Page>('GET', url);
        n += r.json.items.length;
        url = r.json.next;
      }
      return n;
    };
    expect(await count('')).toBe(completed);
    expect(await count('&is_completed=false')).toBe(open);
  });
});
