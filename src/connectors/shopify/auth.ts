/**
 * Admin API access tokens: a static admin token (legacy custom app, `shpat_…`), or the client-credentials
 * grant of a Dev Dashboard app (`POST https://{shop}/admin/oauth/access_token` with
 * `{client_id, client_secret, grant_type: "client_credentials"}` → `{access_token, scope, expires_in}`).
 *
 * Granted tokens are cached and fetched again `refreshMarginMs` before they expire, and once after a 401.
 * Concurrent callers share one token request. Secrets live in private fields and never reach a log line.
 */
import type { Logger } from '../../obs/log.js';
import { silentLogger } from '../../obs/log.js';
import { sleep, systemClock, type Clock } from './clock.js';
import { SHOPIFY_ERROR_CODES as C, shopifyError } from './errors.js';
import { bodySnippet, endpointOrigin, neverSent, normaliseShop, rewriteToOrigin, type FetchLike } from './http.js';

export type ShopifyCredentials = { accessToken: string } | { clientId: string; clientSecret: string };

export interface TokenProvider {
  readonly kind: 'static' | 'client_credentials';
  /** A token valid now (fetching one if needed). */
  token(signal?: AbortSignal): Promise<string>;
  /**
   * After `rejected` got a 401: a fresh token, or undefined when this provider cannot refresh.
   * If another caller already replaced `rejected`, that newer token is returned without a new request.
   */
  refresh(rejected: string, signal?: AbortSignal): Promise<string | undefined>;
  /** Scopes granted with the current token, when the grant told them. */
  readonly scopes: readonly string[] | undefined;
}

export class StaticToken implements TokenProvider {
  readonly kind = 'static';
  readonly scopes = undefined;
  readonly #token: string;

  constructor(accessToken: string) {
    if (typeof accessToken !== 'string' || !accessToken.trim()) {
      throw shopifyError({ code: C.INVALID_ARGUMENT, errorClass: 'invalid_input', message: 'the Shopify access token is empty', hint: "set the admin API access token (shpat_…) in the connection's settings" });
    }
    this.#token = accessToken.trim();
  }

  token(): Promise<string> {
    return Promise.resolve(this.#token);
  }

  refresh(): Promise<undefined> {
    return Promise.resolve(undefined);
  }

  toJSON(): Record<string, string> {
    return { kind: this.kind };
  }
}

export interface ClientCredentialsOptions {
  shop: string;
  clientId: string;
  clientSecret: string;
  /** Origin to reach instead of https://{shop} (the sandbox over http). */
  endpoint?: string;
  fetch?: FetchLike;
  clock?: Clock;
  logger?: Logger;
  /** Fetch a new token this long before the old one expires (default 5 min, at most half the lifetime). */
  refreshMarginMs?: number;
  /** Timeout of one token request (default 15 s). */
  timeoutMs?: number;
  /** Attempts on a network error or 5xx (default 3). */
  attempts?: number;
}

interface Cached {
  token: string;
  /** clock time after which a new token is fetched; Infinity when the grant gave no lifetime. */
  renewAt: number;
  scopes: string[] | undefined;
}

export class ClientCredentials implements TokenProvider {
  readonly kind = 'client_credentials';
  readonly #clientId: string;
  readonly #clientSecret: string;
  private readonly shop: string;
  private readonly url: string;
  private readonly fetchImpl: FetchLike;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly marginMs: number;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private cached: Cached | undefined;
  private inflight: Promise<Cached> | undefined;
  /** Number of tokens fetched (for tests and the dashboard). */
  grants = 0;

  constructor(opts: ClientCredentialsOptions) {
    if (!opts.clientId?.trim() || !opts.clientSecret?.trim()) {
      throw shopifyError({ code: C.INVALID_ARGUMENT, errorClass: 'invalid_input', message: 'the Shopify client id or client secret is empty', hint: "copy both from the app's settings in the Shopify Dev Dashboard" });
    }
    this.#clientId = opts.clientId.trim();
    this.#clientSecret = opts.clientSecret.trim();
    this.shop = normaliseShop(opts.shop);
    this.url = rewriteToOrigin(`https://${this.shop}/admin/oauth/access_token`, this.shop, endpointOrigin(this.shop, opts.endpoint));
    this.fetchImpl = opts.fetch ?? ((i, init) => fetch(i, init));
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? silentLogger;
    this.marginMs = opts.refreshMarginMs ?? 5 * 60_000;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.attempts = Math.max(1, opts.attempts ?? 3);
  }

  get scopes(): readonly string[] | undefined {
    return this.cached?.scopes;
  }

  async token(signal?: AbortSignal): Promise<string> {
    const c = this.cached;
    if (c && this.clock.now() < c.renewAt) return c.token;
    return (await this.grant(signal)).token;
  }

  async refresh(rejected: string, signal?: AbortSignal): Promise<string> {
    const c = this.cached;
    if (c && c.token !== rejected && this.clock.now() < c.renewAt) return c.token;
    if (c && c.token === rejected) this.cached = undefined;
    return (await this.grant(signal)).token;
  }

  toJSON(): Record<string, string> {
    return { kind: this.kind, shop: this.shop };
  }

  private grant(signal?: AbortSignal): Promise<Cached> {
    if (!this.inflight) {
      this.inflight = this.fetchWithRetries(signal).finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  private async fetchWithRetries(signal?: AbortSignal): Promise<Cached> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.fetchOnce(signal);
      } catch (e) {
        const transient = (e as { errorClass?: string }).errorClass === 'transient';
        if (!transient || attempt >= this.attempts || signal?.aborted) throw e;
        await sleep(this.clock, 250 * 2 ** (attempt - 1) * (0.5 + Math.random()), signal);
      }
    }
  }

  private async fetchOnce(signal?: AbortSignal): Promise<Cached> {
    const ac = new AbortController();
    const onAbort = (): void => ac.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = this.clock.setTimeout(() => ac.abort(new Error('timeout')), this.timeoutMs);
    const started = this.clock.now();
    let res: Response;
    try {
      res = await this.fetchImpl(this.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ client_id: this.#clientId, client_secret: this.#clientSecret, grant_type: 'client_credentials' }),
        signal: ac.signal,
      });
    } catch (e) {
      this.clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      const timedOut = ac.signal.aborted && !signal?.aborted;
      throw shopifyError({
        code: C.TOKEN_UNAVAILABLE,
        errorClass: 'transient',
        message: `could not reach ${this.shop} for an access token: ${timedOut ? `no answer within ${this.timeoutMs} ms` : neverSent(e) ? 'connection refused or host unknown' : 'the connection failed'}`,
        hint: 'check the network connection to Shopify; Koppel tries again',
        cause: e,
      });
    }
    try {
      if (res.status >= 500 || res.status === 429) {
        throw shopifyError({ code: C.TOKEN_UNAVAILABLE, errorClass: 'transient', message: `${this.shop} answered HTTP ${res.status} to the token request`, hint: 'Shopify is having trouble; Koppel tries again', details: { status: res.status } });
      }
      if (!res.ok) {
        const body = await bodySnippet(res, 300);
        let reason = body;
        try {
          const j = JSON.parse(body) as { error?: string; error_description?: string; errors?: string };
          reason = [j.error, j.error_description, j.errors].filter(Boolean).join(': ') || body;
        } catch {
          /* not JSON */
        }
        throw shopifyError({
          code: C.TOKEN_REJECTED,
          errorClass: 'auth',
          message: `${this.shop} refused the client-credentials grant (HTTP ${res.status}${reason ? `: ${reason}` : ''})`,
          hint: `check the client id and secret of the Dev Dashboard app and that the app is installed on ${this.shop}`,
          details: { status: res.status },
        });
      }
      let j: { access_token?: unknown; scope?: unknown; expires_in?: unknown };
      try {
        j = (await res.json()) as typeof j;
      } catch (e) {
        throw shopifyError({ code: C.TOKEN_UNAVAILABLE, errorClass: 'transient', message: `${this.shop} answered the token request with something that is not JSON`, cause: e });
      }
      if (typeof j.access_token !== 'string' || !j.access_token) {
        throw shopifyError({ code: C.TOKEN_REJECTED, errorClass: 'auth', message: `${this.shop} answered the token request without an access_token`, hint: 'check that the app uses the client-credentials grant (a Dev Dashboard app installed on a store of the same organisation)' });
      }
      const now = this.clock.now();
      const lifetimeMs = typeof j.expires_in === 'number' && j.expires_in > 0 ? j.expires_in * 1000 : undefined;
      const margin = lifetimeMs === undefined ? 0 : Math.min(this.marginMs, lifetimeMs / 2);
      const cached: Cached = {
        token: j.access_token,
        renewAt: lifetimeMs === undefined ? Number.POSITIVE_INFINITY : started + lifetimeMs - margin,
        scopes: typeof j.scope === 'string' ? j.scope.split(/[,\s]+/).filter(Boolean) : undefined,
      };
      this.cached = cached;
      this.grants++;
      this.logger.debug({ shop: this.shop, expiresInS: lifetimeMs === undefined ? null : lifetimeMs / 1000, scopes: cached.scopes, ms: Math.round(now - started) }, 'shopify access token granted');
      return cached;
    } finally {
      this.clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

export interface TokenProviderOptions {
  shop: string;
  endpoint?: string;
  fetch?: FetchLike;
  clock?: Clock;
  logger?: Logger;
  refreshMarginMs?: number;
}

/** A provider for the given credentials (a provider passed in is used as it is). */
export function tokenProvider(auth: ShopifyCredentials | TokenProvider, opts: TokenProviderOptions): TokenProvider {
  if ('token' in auth && typeof auth.token === 'function') return auth;
  if ('accessToken' in auth) return new StaticToken(auth.accessToken);
  if ('clientId' in auth) return new ClientCredentials({ ...opts, clientId: auth.clientId, clientSecret: auth.clientSecret });
  throw shopifyError({ code: C.INVALID_ARGUMENT, errorClass: 'invalid_input', message: 'Shopify credentials need either accessToken or clientId + clientSecret' });
}
