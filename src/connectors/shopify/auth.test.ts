import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { KoppelError } from '../../core/errors.js';
import { drive, fetchFailed, json, ScriptedFetch } from '../../../test/connectors/shopify/support/fake-fetch.js';
import { ClientCredentials, StaticToken, tokenProvider } from './auth.js';
import { FakeClock } from './clock.js';

function setup(over: Partial<ConstructorParameters<typeof ClientCredentials>[0]> = {}) {
  const clock = new FakeClock();
  const f = new ScriptedFetch();
  const auth = new ClientCredentials({ shop: 'koppel-demo', clientId: 'client-123', clientSecret: 'shh-very-secret', endpoint: 'http://127.0.0.1:9', fetch: f.fetch, clock, ...over });
  return { clock, f, auth };
}

const grant = (token: string, expires_in?: number) => json({ access_token: token, scope: 'read_products,write_inventory', ...(expires_in === undefined ? {} : { expires_in }) });

describe('ClientCredentials', () => {
  it('asks for a token with the client-credentials grant at the shop (or the configured endpoint)', async () => {
    const { f, auth } = setup();
    f.then(grant('tok-1', 86399));
    expect(await auth.token()).toBe('tok-1');
    const c = f.calls[0]!;
    expect(c.url).toBe('http://127.0.0.1:9/admin/oauth/access_token');
    expect(c.method).toBe('POST');
    expect(c.headers.get('Content-Type')).toBe('application/json');
    expect(c.json).toEqual({ client_id: 'client-123', client_secret: 'shh-very-secret', grant_type: 'client_credentials' });
    expect(auth.scopes).toEqual(['read_products', 'write_inventory']);
  });

  it('uses https://{shop} without an endpoint', async () => {
    const { f, auth } = setup({ endpoint: undefined });
    f.then(grant('tok-1', 100));
    await auth.token();
    expect(f.calls[0]!.url).toBe('https://koppel-demo.myshopify.com/admin/oauth/access_token');
  });

  it('caches the token and fetches a new one a margin before it expires', async () => {
    const { f, auth, clock } = setup({ refreshMarginMs: 300_000 });
    f.then(grant('tok-1', 3600), grant('tok-2', 3600));
    expect(await auth.token()).toBe('tok-1');
    await clock.advance(3_299_999);
    expect(await auth.token()).toBe('tok-1');
    expect(f.calls).toHaveLength(1);
    await clock.advance(1);
    expect(await auth.token()).toBe('tok-2');
    expect(auth.grants).toBe(2);
  });

  it('keeps the margin at most half the lifetime of short-lived tokens', async () => {
    const { f, auth, clock } = setup({ refreshMarginMs: 300_000 });
    f.then(grant('tok-1', 60), grant('tok-2', 60));
    await auth.token();
    await clock.advance(29_999);
    expect(await auth.token()).toBe('tok-1');
    await clock.advance(1);
    expect(await auth.token()).toBe('tok-2');
  });

  it('keeps a token without expires_in until Shopify refuses it', async () => {
    const { f, auth, clock } = setup();
    f.then(grant('tok-1'), grant('tok-2'));
    await auth.token();
    await clock.advance(10 * 86_400_000);
    expect(await auth.token()).toBe('tok-1');
    expect(await auth.refresh('tok-1')).toBe('tok-2');
  });

  it('shares one token request between concurrent callers', async () => {
    const { f, auth } = setup();
    f.then(grant('tok-1', 3600));
    const all = await Promise.all([auth.token(), auth.token(), auth.token()]);
    expect(all).toEqual(['tok-1', 'tok-1', 'tok-1']);
    expect(f.calls).toHaveLength(1);
  });

  it('refreshes once per refused token, even when many requests saw the 401', async () => {
    const { f, auth } = setup();
    f.then(grant('tok-1', 3600), grant('tok-2', 3600));
    await auth.token();
    const fresh = await Promise.all([auth.refresh('tok-1'), auth.refresh('tok-1')]);
    expect(fresh).toEqual(['tok-2', 'tok-2']);
    // a late 401 for the old token does not cause another grant
    expect(await auth.refresh('tok-1')).toBe('tok-2');
    expect(f.calls).toHaveLength(2);
  });

  it('reports a refused grant as an auth error that names the reason but never the secret', async () => {
    const { f, auth } = setup();
    f.then(json({ error: 'invalid_client', error_description: 'Client authentication failed' }, 401));
    const e = (await auth.token().catch((x: unknown) => x)) as KoppelError;
    expect(e).toBeInstanceOf(KoppelError);
    expect(e).toMatchObject({ code: 'SHOPIFY_TOKEN_REJECTED', errorClass: 'auth' });
    expect(e.message).toMatch(/invalid_client: Client authentication failed/);
    expect(e.hint).toMatch(/client id and secret/);
    expect(JSON.stringify(e.toJSON())).not.toMatch(/shh-very-secret/);
  });

  it('retries a token request after a network error or 5xx, then reports it as transient', async () => {
    const { f, auth, clock } = setup({ attempts: 3 });
    f.then(() => Promise.reject(fetchFailed('ECONNREFUSED')), json({}, 503), grant('tok-1', 3600));
    expect(await drive(clock, auth.token())).toBe('tok-1');

    const second = setup({ attempts: 2 });
    second.f.then(json({}, 500), json({}, 502));
    const e = (await drive(second.clock, second.auth.token()).catch((x: unknown) => x)) as KoppelError;
    expect(e).toMatchObject({ code: 'SHOPIFY_TOKEN_UNAVAILABLE', errorClass: 'transient' });
  });

  it('gives up on a token request that does not answer within its timeout', async () => {
    const { f, auth, clock } = setup({ attempts: 1, timeoutMs: 2000 });
    f.then(
      (call) =>
        new Promise((_, reject) => {
          call.signal?.addEventListener('abort', () => reject(call.signal?.reason), { once: true });
        }),
    );
    const t0 = clock.now();
    const e = (await drive(clock, auth.token()).catch((x: unknown) => x)) as KoppelError;
    expect(e.message).toMatch(/no answer within 2000 ms/);
    expect(clock.now() - t0).toBe(2000);
  });

  it('rejects an answer without access_token', async () => {
    const { f, auth } = setup();
    f.then(json({ scope: 'x' }));
    await expect(auth.token()).rejects.toMatchObject({ code: 'SHOPIFY_TOKEN_REJECTED' });
  });

  it('never shows the secret when inspected or serialised', () => {
    const { auth } = setup();
    expect(inspect(auth, { depth: 5 })).not.toMatch(/shh-very-secret/);
    expect(JSON.stringify(auth)).not.toMatch(/shh-very-secret/);
    expect(JSON.stringify(auth)).not.toMatch(/client-123/);
  });

  it('refuses empty credentials with a fix', () => {
    expect(() => new ClientCredentials({ shop: 'x', clientId: '', clientSecret: 's' })).toThrow(/client id or client secret is empty/);
    expect(() => new StaticToken('  ')).toThrow(/access token is empty/);
  });
});

describe('StaticToken and tokenProvider', () => {
  it('serves the static token and cannot refresh', async () => {
    const p = tokenProvider({ accessToken: 'shpat_abc' }, { shop: 'x' });
    expect(p.kind).toBe('static');
    expect(await p.token()).toBe('shpat_abc');
    expect(await p.refresh('shpat_abc')).toBeUndefined();
    expect(inspect(p)).not.toMatch(/shpat_abc/);
    expect(JSON.stringify(p)).not.toMatch(/shpat_abc/);
  });

  it('builds a client-credentials provider and passes a given provider through', () => {
    const cc = tokenProvider({ clientId: 'a', clientSecret: 'b' }, { shop: 'x' });
    expect(cc.kind).toBe('client_credentials');
    expect(tokenProvider(cc, { shop: 'y' })).toBe(cc);
  });
});
