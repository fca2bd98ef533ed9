import { describe, expect, it } from 'vitest';
import { KoppelError } from '../../core/errors.js';
import { CcvRateBudget } from './budget.js';
import { CcvClient, resourceOf } from './client.js';
import { ccvDate, ccvHash } from './sign.js';

const PUB = 'pub';
const SECRET = 'sec';
const ORIGIN = 'https://shop.example.nl';

interface Seen { method: string; uri: string; body: string; signatureOk: boolean; accept: string | null }
type Handler = (req: Seen) => { status: number; body?: unknown; sign?: boolean | 'wrong' } | 'drop';

/** A stand-in for CCV: checks our request signature and signs its answers like CCV does. */
function fakeCcv(handler: Handler) {
  const seen: Seen[] = [];
  const fetchFn = (async (input: URL | string, init?: RequestInit) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const headers = new Headers(init?.headers);
    const body = typeof init?.body === 'string' ? init.body : '';
    const uri = url.pathname + url.search;
    const expected = ccvHash({ publicKey: PUB, secretKey: SECRET, method, uri, body, date: headers.get('x-date') ?? '' });
    const req = { method, uri, body, signatureOk: expected === headers.get('x-hash') && headers.get('x-public') === PUB, accept: headers.get('accept') };
    seen.push(req);
    const r = handler(req);
    if (r === 'drop') throw new TypeError('fetch failed', { cause: new Error('socket hang up') });
    const text = r.body === undefined ? '' : JSON.stringify(r.body);
    const date = ccvDate(Date.now());
    const h = new Headers({ 'x-date': date });
    if (r.sign !== false) h.set('x-hash', r.sign === 'wrong' ? 'ab'.repeat(64) : ccvHash({ publicKey: PUB, secretKey: SECRET, method, uri, body: text, date }));
    return new Response(text === '' ? null : text, { status: r.status, headers: h });
  }) as typeof fetch;
  return { fetchFn, seen };
}

const client = (fetchFn: typeof fetch, extra: Partial<ConstructorParameters<typeof CcvClient>[0]> = {}) =>
  new CcvClient({ baseUrl: ORIGIN, publicKey: PUB, secretKey: SECRET, fetch: fetchFn, minRetryDelayMs: 1, maxRetryDelayMs: 2, ...extra });

describe('CcvClient', () => {
  it('signs requests over public|METHOD|path?query|body|date and sends the media type', async () => {
    const { fetchFn, seen } = fakeCcv(() => ({ status: 200, body: { id: 1 } }));
    const c = client(fetchFn, { mediaType: 'webshop' });
    expect(await c.get('products/1', { query: { expand: 'attributecombinations' } })).toEqual({ id: 1 });
    await c.post('products', { name: 'Shirt' });
    expect(seen.every((s) => s.signatureOk)).toBe(true);
    expect(seen[0]!.uri).toBe('/api/rest/v1/products/1?expand=attributecombinations');
    expect(seen[1]!.body).toBe('{"name":"Shirt"}');
    expect(seen[0]!.accept).toBe('application/vnd.verto.webshop+json');
  });

  it('follows next links page by page with size=250', async () => {
    const { fetchFn, seen } = fakeCcv((req) => {
      const u = new URL(req.uri, ORIGIN);
      const start = Number(u.searchParams.get('start') ?? 0);
      const items = start < 500 ? Array.from({ length: 250 }, (_, i) => ({ id: start + i })) : [{ id: 500 }];
      const next = start < 500 ? `${ORIGIN}/api/rest/v1/products?orderby=id&size=250&start=${start + 250}` : null;
      return { status: 200, body: { href: req.uri, start, size: 250, first: null, previous: null, next, items } };
    });
    const ids: number[] = [];
    for await (const p of client(fetchFn).items<{ id: number }>('products', { query: { orderby: 'id' } })) ids.push(p.id);
    expect(ids).toHaveLength(501);
    expect(seen).toHaveLength(3);
    expect(seen[0]!.uri).toBe('/api/rest/v1/products?size=250&orderby=id');
  });

  it('refuses a response without a valid signature', async () => {
    for (const sign of [false, 'wrong'] as const) {
      const { fetchFn } = fakeCcv(() => ({ status: 200, body: { id: 1 }, sign }));
      const err = await client(fetchFn).get('products/1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KoppelError);
      expect((err as KoppelError).code).toBe('CCV_RESPONSE_SIGNATURE_INVALID');
    }
  });

  it('retries 5xx and dropped connections on reads', async () => {
    let n = 0;
    const { fetchFn } = fakeCcv(() => (++n === 1 ? { status: 503, body: { status: 503, code: '503', developermessage: 'busy' }, sign: false } : n === 2 ? 'drop' : { status: 200, body: { ok: true } }));
    expect(await client(fetchFn).get('orders')).toEqual({ ok: true });
    expect(n).toBe(3);
  });

  it('a POST whose connection dropped is outcome_unknown and is not resent', async () => {
    const { fetchFn, seen } = fakeCcv(() => 'drop');
    const err = (await client(fetchFn).post('orders', { customer: {} }).catch((e: unknown) => e)) as KoppelError;
    expect(err.errorClass).toBe('outcome_unknown');
    expect(err.code).toBe('CCV_OUTCOME_UNKNOWN');
    expect(seen).toHaveLength(1);
  });

  it('a PATCH of absolute values is retried after a drop', async () => {
    let n = 0;
    const { fetchFn } = fakeCcv(() => (++n === 1 ? 'drop' : { status: 204 }));
    await client(fetchFn).patch('attributecombinations/9', { stock: 4 });
    expect(n).toBe(2);
  });

  it('types client errors with CCV\'s code and developer message, without retrying', async () => {
    const { fetchFn, seen } = fakeCcv(() => ({ status: 400, body: { status: 400, code: '400.1', developermessage: 'Property name is required' } }));
    const err = (await client(fetchFn).post('products', {}).catch((e: unknown) => e)) as KoppelError & { developerMessage: string };
    expect(err.code).toBe('CCV_400.1');
    expect(err.errorClass).toBe('invalid_input');
    expect(err.developerMessage).toBe('Property name is required');
    expect(err.message).toContain('Property name is required');
    expect(seen).toHaveLength(1);
  });

  it('on 429 it backs the bucket off for a window and retries', async () => {
    let n = 0;
    const budget = new CcvRateBudget({ windowMs: 30, guardMs: 0 });
    const { fetchFn } = fakeCcv(() => (++n === 1 ? { status: 429, body: { status: 429, code: '429.10', developermessage: 'limit' } } : { status: 200, body: { ok: 1 } }));
    const t0 = Date.now();
    expect(await client(fetchFn, { budget }).get('products')).toEqual({ ok: 1 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    expect(n).toBe(2);
  });

  it('a 401 names the keys and the clock as the likely fix', async () => {
    const { fetchFn } = fakeCcv(() => ({ status: 401, body: { status: 401, code: '401', developermessage: 'Invalid hash' } }));
    const err = (await client(fetchFn).get('products').catch((e: unknown) => e)) as KoppelError;
    expect(err.errorClass).toBe('auth');
    expect(err.hint).toMatch(/clock/);
  });

  it('never sends signed requests to another host named in a next link', async () => {
    const { fetchFn } = fakeCcv(() => ({ status: 200, body: { href: '', start: 0, size: 1, next: 'https://evil.example/api/rest/v1/products?start=1', items: [{}] } }));
    const it = client(fetchFn).pages('products');
    await it.next();
    await expect(it.next()).rejects.toThrow(/another host/);
  });

  it('a request that takes too long ends with a timeout, not a hang', async () => {
    const slow = ((_u: unknown, init?: RequestInit) => new Promise((_r, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)))) as typeof fetch;
    const err = (await client(slow, { timeoutMs: 20, retries: 1 }).get('products').catch((e: unknown) => e)) as KoppelError;
    expect(err.code).toBe('CCV_TIMEOUT');
  });

  it('derives the rate-limit resource from the path', () => {
    expect(resourceOf('/api/rest/v1/products')).toBe('products');
    expect(resourceOf('/api/rest/v1/products/55/attributecombinations/')).toBe('attributecombinations');
    expect(resourceOf('/api/rest/v1/orders/7')).toBe('orders');
  });
});
