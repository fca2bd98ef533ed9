import { describe, expect, it } from 'vitest';
import { parseCcvDate } from './auth.js';
import { ccvDate, ccvHash } from './sign.js';
import { ORIGIN, testSandbox } from './testing.js';

describe('parseCcvDate', () => {
  it('accepts the forms CCV clients send', () => {
    const t = Date.UTC(2025, 0, 1, 10, 0, 0);
    expect(parseCcvDate('2025-01-01T10:00:00Z')).toBe(t);
    expect(parseCcvDate('2025-01-01T10:00:00+00:00')).toBe(t);
    expect(parseCcvDate('2025-01-01T10:00:00+0000')).toBe(t);
    expect(parseCcvDate('2025-01-01T11:00:00+01:00')).toBe(t);
    expect(parseCcvDate('2025-01-01T10:00:00.123Z')).toBe(t);
  });

  it('rejects anything else', () => {
    for (const bad of ['2025-01-01 10:00:00', '2025-01-01T10:00:00', 'Wed, 01 Jan 2025 10:00:00 GMT', '1735725600', '2025-02-30T10:00:00Z', '2025-13-01T10:00:00Z']) {
      expect(parseCcvDate(bad), bad).toBeUndefined();
    }
  });
});

describe('API authentication', () => {
  const raw = async (sb: ReturnType<typeof testSandbox>, uri: string, headers: Record<string, string>, method = 'GET', body?: string) => {
    const res = await sb.fetch(new Request(`${ORIGIN}${uri}`, { method, headers, body }));
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as { status: number; code: string; developermessage: string }, headers: res.headers };
  };
  const sign = (sb: ReturnType<typeof testSandbox>, method: string, uri: string, body: string, date: string, secret = sb.core.keys.secretKey) => ({
    'x-public': sb.core.keys.publicKey,
    'x-date': date,
    'x-hash': ccvHash(secret, sb.core.keys.publicKey, method, uri, body, date),
  });

  it('accepts a correctly signed request on both trailing-slash forms', async () => {
    const sb = testSandbox();
    expect((await sb.api('GET', 'products')).status).toBe(200);
    expect((await sb.api('GET', 'products/')).status).toBe(200);
    expect((await sb.api('GET', 'products/1001')).status).toBe(200);
    expect((await sb.api('GET', 'products/1001/')).status).toBe(200);
  });

  it('rejects missing headers, naming them', async () => {
    const sb = testSandbox();
    const r = await raw(sb, '/api/rest/v1/products', {});
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ status: 401, code: '401.10' });
    expect(r.json.developermessage).toContain('x-public, x-date, x-hash');
    const h = sign(sb, 'GET', '/api/rest/v1/products', '', ccvDate(sb.now()));
    const onlyHash = await raw(sb, '/api/rest/v1/products', { 'x-public': h['x-public'], 'x-date': h['x-date'] });
    expect(onlyHash.json.developermessage).toContain('x-hash');
  });

  it('rejects an unknown public key and a wrong secret', async () => {
    const sb = testSandbox();
    const date = ccvDate(sb.now());
    const wrongPub = await raw(sb, '/api/rest/v1/products', { ...sign(sb, 'GET', '/api/rest/v1/products', '', date), 'x-public': 'someone-else' });
    expect(wrongPub.json.code).toBe('401.20');
    const wrongSecret = await raw(sb, '/api/rest/v1/products', sign(sb, 'GET', '/api/rest/v1/products', '', date, 'not-the-secret'));
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.json.code).toBe('401.40');
  });

  it('rejects upper-case hex and a hash over another URI, query or body', async () => {
    const sb = testSandbox();
    const date = ccvDate(sb.now());
    const h = sign(sb, 'GET', '/api/rest/v1/products?size=5', '', date);
    expect((await raw(sb, '/api/rest/v1/products?size=5', h)).status).toBe(200);
    expect((await raw(sb, '/api/rest/v1/products?size=5', { ...h, 'x-hash': h['x-hash'].toUpperCase() })).status).toBe(401);
    expect((await raw(sb, '/api/rest/v1/products?size=6', h)).status).toBe(401);
    expect((await raw(sb, '/api/rest/v1/products/?size=5', h)).status).toBe(401);
    const body = JSON.stringify({ name: 'x' });
    const hp = sign(sb, 'PATCH', '/api/rest/v1/products/1001', body, date);
    expect((await raw(sb, '/api/rest/v1/products/1001', hp, 'PATCH', JSON.stringify({ name: 'y' }))).status).toBe(401);
    expect((await raw(sb, '/api/rest/v1/products/1001', hp, 'PATCH', body)).status).toBe(204);
    // The method is part of the hash.
    expect((await raw(sb, '/api/rest/v1/products/1001', hp, 'PUT', body)).status).toBe(401);
  });

  it('enforces the 300 s window in both directions', async () => {
    const sb = testSandbox();
    expect((await sb.api('GET', 'products', undefined, { dateMs: sb.now() - 299_000 })).status).toBe(200);
    expect((await sb.api('GET', 'products', undefined, { dateMs: sb.now() + 299_000 })).status).toBe(200);
    const stale = await sb.api('GET', 'products', undefined, { dateMs: sb.now() - 301_000 });
    expect(stale.status).toBe(401);
    expect(stale.json).toMatchObject({ code: '401.30' });
    expect((await sb.api('GET', 'products', undefined, { dateMs: sb.now() + 301_000 })).status).toBe(401);
    const malformed = await raw(sb, '/api/rest/v1/products', { ...sign(sb, 'GET', '/api/rest/v1/products', '', 'yesterday'), 'x-date': 'yesterday' });
    expect(malformed.json.code).toBe('401.30');
  });

  it('uses the configured window and failure status', async () => {
    const sb = testSandbox({ authWindowSeconds: 10, authFailureStatus: 403 });
    const r = await sb.api('GET', 'products', undefined, { dateMs: sb.now() - 11_000 });
    expect(r.status).toBe(403);
    expect(r.json.status).toBe(403);
  });

  it('signs every response, including errors and empty 204 bodies', async () => {
    const sb = testSandbox();
    const ok = await sb.api('GET', 'webshops');
    expect(ok.signed).toBe(true);
    const unauth = await sb.api('GET', 'products', undefined, { dateMs: 0 });
    expect(unauth.status).toBe(401);
    expect(unauth.signed).toBe(true);
    const missing = await sb.api('GET', 'nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.signed).toBe(true);
    const patched = await sb.api('PATCH', 'products/1001', { name: 'Nieuw' });
    expect(patched.status).toBe(204);
    expect(patched.text).toBe('');
    expect(patched.signed).toBe(true);
  });
});
