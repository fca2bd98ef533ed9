/**
 * The Shopify Admin GraphQL client: the only code in Koppel that talks to Shopify's Admin API.
 *
 * Built on `@shopify/admin-api-client` (its own retries off; a `customFetchApi` that rewrites
 * `https://{shop}` to a configured endpoint and sets the current token on every request: in 2.0.0 the
 * client spreads its creation-time headers over per-request `headers`, so a token passed per request
 * would lose to the one given at creation and a refreshed token would never be sent), wrapped in:
 *  - the per-shop cost limiter (limiter.ts) with priority lanes, fed by every `extensions.cost`;
 *  - THROTTLED → wait exactly what the bucket needs and send again (not a failure);
 *  - 5xx, network errors and timeouts → retried with jitter (p-retry) for queries and retry-safe
 *    mutations; a non-idempotent mutation that may have reached Shopify fails `outcome_unknown`;
 *  - 401 → one fresh token (client credentials), then an auth error; ACCESS_DENIED names the scope;
 *  - userErrors come back as data (`{ok:false, userErrors}`), never as thrown strings.
 *
 * Logs carry operation names, lanes and costs, never variables or tokens.
 */
import { createAdminApiClient } from '@shopify/admin-api-client';
import pRetry from 'p-retry';
import { KoppelError } from '../../core/errors.js';
import type { Logger } from '../../obs/log.js';
import { silentLogger } from '../../obs/log.js';
import { apiBudgetAvailable, apiLatency, apiRequests, apiRetries, apiThrottleWait } from '../../obs/metrics.js';
import { ClientCredentials, tokenProvider, type ShopifyCredentials, type TokenProvider } from './auth.js';
import { sleep, systemClock, type Clock } from './clock.js';
import { CostModel, SINGLE_QUERY_MAX_COST } from './cost.js';
import { SHOPIFY_ERROR_CODES as C, scopesIn, shopifyError } from './errors.js';
import type { GqlDocument } from './gql.js';
import { bodySnippet, endpointOrigin, errorCodes, neverSent, normaliseShop, retryAfterMs, rewriteToOrigin, type FetchLike } from './http.js';
import { CostLimiter, type Lane, type LimiterOptions, type Permit, type ThrottleStatus } from './limiter.js';

export const DEFAULT_API_VERSION = '2026-10';

export interface ShopifyClientOptions {
  /** The shop's myshopify domain (`koppel-demo.myshopify.com`; `koppel-demo` is completed). */
  shop: string;
  /** Static admin token, client credentials, or a TokenProvider shared with other code. */
  auth: ShopifyCredentials | TokenProvider;
  /** Admin API version (default 2026-10). */
  apiVersion?: string;
  /** Origin that replaces https://{shop} (the sandbox over http, a proxy). */
  endpoint?: string;
  /** Connection name for metrics and logs (default: the shop domain). */
  connection?: string;
  /** fetch to use (default: global fetch). */
  fetch?: FetchLike;
  clock?: Clock;
  logger?: Logger;
  /** Per HTTP attempt, ms (default 30 s): no attempt waits longer for its answer. */
  timeoutMs?: number;
  /** Retries after a transient failure (default 4). */
  retries?: number;
  /** Backoff before the first retry, ms (default 250); doubles each time, ±50 % jitter. */
  retryMinDelayMs?: number;
  /** Cap of one backoff, ms (default 8 s). */
  retryMaxDelayMs?: number;
  /** THROTTLED answers in a row before giving up with SHOPIFY_THROTTLED (default 25). */
  maxThrottleRetries?: number;
  /** A limiter shared with other clients of the same shop and app, or options for this client's own. */
  limiter?: CostLimiter | LimiterOptions;
  /** Random source in [0,1) for jitter (tests). */
  random?: () => number;
  /** Prefix of the User-Agent header. */
  userAgentPrefix?: string;
}

export interface CallOptions {
  /** Priority lane: stock > orders > customers > products > reconcile. */
  lane: Lane;
  signal?: AbortSignal;
}

export interface MutateOptions<K extends string = string> extends CallOptions {
  /**
   * The mutation can be sent twice without harm (e.g. an upsert by handle). Mutations carrying
   * `@idempotent(key:)` are retry-safe anyway. Others fail `outcome_unknown` when an answer is lost.
   */
  retrySafe?: boolean;
  /**
   * The mutation field whose payload is the result (e.g. 'productSet'); by default the document's only
   * (first) mutation field. Its userErrors decide `ok`; the answer must contain it.
   */
  payload?: K;
}

export interface CostInfo {
  /** Shopify's requested cost (or the reservation, when the answer did not say). */
  requested: number;
  actual: number | null;
  throttleStatus: ThrottleStatus | null;
}

export interface UserError {
  /** Path to the input field, e.g. ["input", "variants", "0", "sku"]; null when it concerns the whole call. */
  field: string[] | null;
  message: string;
  /** The error code enum value, or null for the plain UserError type that has none. */
  code: string | null;
  /** metafieldsSet: index of the failing element. */
  elementIndex?: number | null;
  /** The mutation field that reported it (useful with several mutations in one document). */
  mutation: string;
}

export interface QueryResult<T> {
  ok: true;
  data: T;
  cost: CostInfo;
}

export type MutationResult<T> =
  | { ok: true; data: T; payload: T[keyof T]; cost: CostInfo }
  | { ok: false; userErrors: UserError[]; data: T; payload: T[keyof T]; cost: CostInfo };

export interface ClientStats {
  requests: number;
  retries: number;
  throttled: number;
}

/** What one HTTP attempt produced, before deciding what to do with it. */
type Outcome =
  | { kind: 'ok'; data: Record<string, unknown>; cost: CostInfo; headers: Headers | undefined }
  | { kind: 'throttled'; cost: CostInfo }
  | { kind: 'rate_limited'; waitMs: number }
  | { kind: 'unauthorized' }
  | { kind: 'error'; error: KoppelError; charged: 'no' | 'unknown' | 'yes'; cost?: CostInfo };

interface RequestContext {
  token: string;
  fetchError?: unknown;
  status?: number;
}

const TOKEN_HEADER = 'X-Shopify-Access-Token';
/** The admin client insists on a token at creation; the real one is set per request. */
const PLACEHOLDER_TOKEN = 'koppel-sets-the-token-per-request';

export class ShopifyClient {
  readonly shop: string;
  readonly apiVersion: string;
  readonly connection: string;
  readonly limiter: CostLimiter;
  readonly costs = new CostModel();
  readonly auth: TokenProvider;

  readonly clock: Clock;
  readonly logger: Logger;
  private readonly origin: string;
  private readonly fetchImpl: FetchLike;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryMinDelayMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly maxThrottleRetries: number;
  private readonly random: () => number;
  private readonly contexts = new WeakMap<AbortSignal, RequestContext>();
  private readonly admin: ReturnType<typeof createAdminApiClient>;
  private readonly warned = new Set<string>();
  private readonly counters: ClientStats = { requests: 0, retries: 0, throttled: 0 };

  constructor(opts: ShopifyClientOptions) {
    this.shop = normaliseShop(opts.shop);
    this.apiVersion = opts.apiVersion ?? DEFAULT_API_VERSION;
    this.connection = opts.connection ?? this.shop;
    this.origin = endpointOrigin(this.shop, opts.endpoint);
    this.fetchImpl = opts.fetch ?? ((i, init) => fetch(i, init));
    this.clock = opts.clock ?? systemClock;
    this.logger = (opts.logger ?? silentLogger).child({ api: 'shopify', connection: this.connection });
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.retries = Math.max(0, opts.retries ?? 4);
    this.retryMinDelayMs = opts.retryMinDelayMs ?? 250;
    this.retryMaxDelayMs = opts.retryMaxDelayMs ?? 8_000;
    this.maxThrottleRetries = opts.maxThrottleRetries ?? 25;
    this.random = opts.random ?? Math.random;
    const labels = { api: 'shopify', connection: this.connection };
    if (opts.limiter instanceof CostLimiter) {
      this.limiter = opts.limiter;
    } else {
      const own = opts.limiter ?? {};
      this.limiter = new CostLimiter({
        clock: this.clock,
        ...own,
        onBudget: (a) => {
          apiBudgetAvailable.set({ ...labels, bucket: 'cost' }, a);
          own.onBudget?.(a);
        },
        onWait: (ms, lane) => {
          apiThrottleWait.inc(labels, ms / 1000);
          own.onWait?.(ms, lane);
        },
      });
    }
    this.auth = tokenProvider(opts.auth, { shop: this.shop, fetch: this.fetchImpl, clock: this.clock, logger: this.logger, ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) });

    this.admin = createAdminApiClient({
      storeDomain: this.shop,
      apiVersion: this.apiVersion,
      accessToken: PLACEHOLDER_TOKEN,
      retries: 0,
      userAgentPrefix: opts.userAgentPrefix ?? 'Koppel',
      customFetchApi: (url, init) => this.transport(String(url), init),
      logger: (entry) => this.libraryLog(entry),
    });
  }

  /** Runs a query. Throws a typed KoppelError when it cannot deliver data. */
  async query<T, V>(doc: GqlDocument<T, V>, variables: V, opts: CallOptions): Promise<QueryResult<T>> {
    if (doc.kind !== 'query') throw this.invalid(`${doc.name} is a ${doc.kind}; use mutate() for mutations`);
    const r = await this.execute(doc, variables as Record<string, unknown>, opts, true);
    return { ok: true, data: r.data as T, cost: r.cost };
  }

  /** Runs a mutation; userErrors come back as `{ok:false, userErrors}`. Throws a typed KoppelError otherwise. */
  async mutate<T, V>(doc: GqlDocument<T, V>, variables: V, opts: MutateOptions<Extract<keyof T, string>>): Promise<MutationResult<T>> {
    if (doc.kind !== 'mutation') throw this.invalid(`${doc.name} is a ${doc.kind}; use query() for queries`);
    const retrySafe = doc.idempotent || opts.retrySafe === true;
    const r = await this.execute(doc, variables as Record<string, unknown>, opts, retrySafe);
    const field = opts.payload ?? Object.keys(r.data)[0];
    if (field === undefined || !(field in r.data)) {
      throw shopifyError({ code: C.BAD_RESPONSE, errorClass: 'permanent', message: `${doc.name}: the answer has no ${field ?? 'mutation'} payload`, details: { operation: doc.name } });
    }
    const payload = r.data[field] as T[keyof T];
    const userErrors = collectUserErrors(opts.payload ? { [field]: r.data[field] } : r.data);
    const data = r.data as T;
    if (userErrors.length) {
      this.logger.debug({ op: doc.name, codes: userErrors.map((u) => u.code) }, 'shopify userErrors');
      return { ok: false, userErrors, data, payload, cost: r.cost };
    }
    return { ok: true, data, payload, cost: r.cost };
  }

  /**
   * Fetches a URL Shopify handed out (a staged-upload target, a bulk result file): no access token is
   * sent; `https://{shop}` is rewritten to the configured endpoint like every other request.
   */
  fetchUrl(url: string, init?: RequestInit): Promise<Response> {
    return this.fetchImpl(rewriteToOrigin(url, this.shop, this.origin), init);
  }

  stats(): ClientStats & { limiter: ReturnType<CostLimiter['stats']> } {
    return { ...this.counters, limiter: this.limiter.stats() };
  }

  // ---------------------------------------------------------------------------------------------

  private invalid(message: string): KoppelError {
    return shopifyError({ code: C.INVALID_ARGUMENT, errorClass: 'invalid_input', message });
  }

  private async execute(doc: GqlDocument<unknown, unknown>, variables: Record<string, unknown>, opts: CallOptions, retrySafe: boolean): Promise<{ data: Record<string, unknown>; cost: CostInfo }> {
    const labels = { api: 'shopify', connection: this.connection };
    const signal = opts.signal;
    try {
      return await pRetry(
        async () => {
          const r = await this.attemptWithThrottle(doc, variables, opts, retrySafe);
          if (doc.idempotent && inProgressOnly(r.data)) {
            throw shopifyError({
              code: C.IDEMPOTENCY_IN_PROGRESS,
              errorClass: 'transient',
              message: `${doc.name}: an earlier attempt with the same idempotency key is still running at Shopify`,
              hint: 'Koppel sends it again with the same key; if this persists, check the job in the activity log',
            });
          }
          return r;
        },
        {
          retries: this.retries,
          minTimeout: 0,
          maxTimeout: 0,
          factor: 1,
          ...(signal ? { signal } : {}),
          shouldRetry: ({ error }) => error instanceof KoppelError && error.errorClass === 'transient' && !signal?.aborted,
          onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
            if (!(error instanceof KoppelError) || error.errorClass !== 'transient' || retriesLeft <= 0 || signal?.aborted) return;
            const base = Math.min(this.retryMaxDelayMs, this.retryMinDelayMs * 2 ** (attemptNumber - 1));
            const jittered = base * (0.5 + this.random());
            const hinted = typeof error.details?.retryAfterMs === 'number' ? error.details.retryAfterMs : 0;
            const wait = Math.max(jittered, hinted);
            this.counters.retries++;
            apiRetries.inc({ ...labels, reason: retryReason(error.code) });
            this.logger.debug({ op: doc.name, code: error.code, attempt: attemptNumber, waitMs: Math.round(wait) }, 'shopify retry');
            await sleep(this.clock, wait, signal);
          },
        },
      );
    } catch (e) {
      if (e instanceof KoppelError) throw e;
      if (signal?.aborted) {
        throw shopifyError({ code: C.ABORTED, errorClass: 'transient', message: `${doc.name} was cancelled before it completed`, cause: e });
      }
      throw e;
    }
  }

  /** One logical attempt: waits for budget, sends, and sends again after THROTTLED / 429 / one 401. */
  private async attemptWithThrottle(doc: GqlDocument<unknown, unknown>, variables: Record<string, unknown>, opts: CallOptions, retrySafe: boolean): Promise<{ data: Record<string, unknown>; cost: CostInfo }> {
    const labels = { api: 'shopify', connection: this.connection };
    let throttles = 0;
    let refreshed = false;
    let freshToken: string | undefined;
    let front = false;
    for (;;) {
      const estimate = this.costs.requested(doc, variables);
      let permit: Permit;
      try {
        permit = await this.limiter.acquire(opts.lane, estimate.cost, { ...(opts.signal ? { signal: opts.signal } : {}), front });
      } catch (e) {
        if (e instanceof KoppelError || e instanceof TypeError) throw e;
        throw shopifyError({ code: C.ABORTED, errorClass: 'transient', message: `${doc.name} was cancelled while waiting for rate budget`, cause: e });
      }
      let token: string;
      try {
        token = freshToken ?? (await this.auth.token(opts.signal));
      } catch (e) {
        permit.throttled({ status: null }); // nothing was sent: give the budget back
        throw e;
      }
      const out = await this.send(doc, variables, token, opts, retrySafe, permit);
      switch (out.kind) {
        case 'ok':
          permit.complete({ status: out.cost.throttleStatus, actualCost: out.cost.actual });
          this.costs.learn(doc, variables, out.cost.requested);
          this.checkHeaders(doc, out.headers);
          return { data: out.data, cost: out.cost };
        case 'throttled': {
          permit.throttled({ status: out.cost.throttleStatus });
          this.costs.learn(doc, variables, out.cost.requested);
          this.counters.throttled++;
          throttles++;
          apiRetries.inc({ ...labels, reason: 'throttled' });
          if (throttles > this.maxThrottleRetries) {
            throw shopifyError({
              code: C.THROTTLED,
              errorClass: 'throttled',
              message: `${doc.name} was throttled ${throttles} times in a row`,
              hint: 'another app or process is using this shop’s API budget heavily; Koppel will try again later',
              details: { requestedCost: out.cost.requested, throttleStatus: out.cost.throttleStatus },
            });
          }
          front = true;
          continue;
        }
        case 'rate_limited':
          permit.throttled({ status: null });
          this.counters.throttled++;
          throttles++;
          apiRetries.inc({ ...labels, reason: 'throttled' });
          if (throttles > this.maxThrottleRetries) {
            throw shopifyError({ code: C.THROTTLED, errorClass: 'throttled', message: `${doc.name} got HTTP 429 ${throttles} times in a row`, hint: 'Koppel will try again later' });
          }
          this.limiter.pause(out.waitMs);
          front = true;
          continue;
        case 'unauthorized': {
          permit.throttled({ status: null });
          const fresh = refreshed ? undefined : await this.auth.refresh(token, opts.signal);
          if (fresh !== undefined) {
            refreshed = true;
            freshToken = fresh;
            apiRetries.inc({ ...labels, reason: 'unauthorized' });
            continue;
          }
          throw shopifyError({
            code: C.UNAUTHORIZED,
            errorClass: 'auth',
            message: `${this.shop} refused the access token (HTTP 401)${refreshed ? ' even after a fresh one was fetched' : ''}`,
            hint: this.auth instanceof ClientCredentials ? `check that the Dev Dashboard app is still installed on ${this.shop}` : `the admin API token was revoked or mistyped: create a new one for ${this.shop} and update the connection`,
            details: { status: 401 },
          });
        }
        case 'error':
          if (out.charged === 'no') permit.throttled({ status: out.cost?.throttleStatus ?? null });
          else if (out.charged === 'yes' && out.cost) permit.complete({ status: out.cost.throttleStatus, actualCost: out.cost.actual });
          else permit.failed();
          if (out.cost) this.costs.learn(doc, variables, out.cost.requested);
          throw out.error;
      }
    }
  }

  /** Sends once through the admin client and classifies the answer. */
  private async send(doc: GqlDocument<unknown, unknown>, variables: Record<string, unknown>, token: string, opts: CallOptions, retrySafe: boolean, permit: Permit): Promise<Outcome> {
    const ac = new AbortController();
    const ctx: RequestContext = { token };
    this.contexts.set(ac.signal, ctx);
    const timeoutReason = new Error('timeout');
    const timer = this.clock.setTimeout(() => ac.abort(timeoutReason), this.timeoutMs);
    const onCallerAbort = (): void => ac.abort(opts.signal?.reason);
    if (opts.signal?.aborted) onCallerAbort();
    else opts.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const started = this.clock.now();
    const labels = { api: 'shopify', connection: this.connection };
    let outcome: Outcome;
    try {
      const res = await this.admin.request(doc.text, { variables, signal: ac.signal });
      outcome = await this.classify(doc, res, ctx, ac.signal, timeoutReason, retrySafe, permit);
    } catch (e) {
      // The admin client reports failures as values; a throw here is a bug or an abort during classification.
      outcome = { kind: 'error', charged: 'unknown', error: this.lostAnswer(doc, retrySafe, e, ac.signal.reason === timeoutReason, opts.signal?.aborted === true, ctx.status !== undefined) };
    } finally {
      this.clock.clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onCallerAbort);
    }
    const seconds = (this.clock.now() - started) / 1000;
    apiLatency.observe(labels, seconds);
    this.counters.requests++;
    apiRequests.inc({ ...labels, operation: doc.name, outcome: outcomeLabel(outcome) });
    this.logger.debug(
      {
        op: doc.name,
        lane: opts.lane,
        outcome: outcomeLabel(outcome),
        reserved: permit.reserved,
        waitedMs: Math.round(permit.waitedMs),
        ms: Math.round(seconds * 1000),
        ...(outcome.kind === 'ok' || outcome.kind === 'throttled'
          ? { requested: outcome.cost.requested, actual: outcome.cost.actual, available: outcome.cost.throttleStatus?.currentlyAvailable }
          : {}),
        ...(outcome.kind === 'error' ? { code: outcome.error.code } : {}),
      },
      'shopify request',
    );
    return outcome;
  }

  private async classify(
    doc: GqlDocument<unknown, unknown>,
    res: Awaited<ReturnType<ReturnType<typeof createAdminApiClient>['request']>>,
    ctx: RequestContext,
    signal: AbortSignal,
    timeoutReason: Error,
    retrySafe: boolean,
    permit: Permit,
  ): Promise<Outcome> {
    const errors = res.errors;
    const status = errors?.networkStatusCode ?? ctx.status;
    const timedOut = signal.aborted && signal.reason === timeoutReason;
    const callerAborted = signal.aborted && !timedOut;

    // No HTTP answer at all.
    if (status === undefined) {
      const err = ctx.fetchError ?? new Error(errors?.message ?? 'no response');
      if (!timedOut && !callerAborted && neverSent(err)) {
        return {
          kind: 'error',
          charged: 'no',
          error: shopifyError({
            code: C.NETWORK_ERROR,
            errorClass: 'transient',
            message: `could not connect to ${this.shop} (${errorCodes(err)[0] ?? 'connection failed'})`,
            hint: 'check the network connection to Shopify; Koppel tries again',
            cause: err,
          }),
        };
      }
      return { kind: 'error', charged: 'unknown', error: this.lostAnswer(doc, retrySafe, err, timedOut, callerAborted, false) };
    }

    if (status !== 200 && errors?.response) {
      const r = errors.response;
      if (status === 401) {
        await r.body?.cancel().catch(() => {});
        return { kind: 'unauthorized' };
      }
      if (status === 429) {
        await r.body?.cancel().catch(() => {});
        return { kind: 'rate_limited', waitMs: retryAfterMs(r.headers.get('Retry-After')) ?? 1000 };
      }
      if (status >= 500) {
        await r.body?.cancel().catch(() => {});
        const wait = retryAfterMs(r.headers.get('Retry-After'));
        const details = { status, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
        if (retrySafe) {
          return { kind: 'error', charged: 'unknown', error: shopifyError({ code: C.SERVER_ERROR, errorClass: 'transient', message: `${this.shop} answered HTTP ${status} to ${doc.name}`, hint: 'Shopify is having trouble; Koppel tries again', details }) };
        }
        return { kind: 'error', charged: 'unknown', error: this.unknownOutcome(doc, `Shopify answered HTTP ${status}`, details) };
      }
      const body = await bodySnippet(r, 300);
      if (status === 404) {
        return { kind: 'error', charged: 'no', error: shopifyError({ code: C.NOT_FOUND, errorClass: 'not_found', message: `${this.shop} has no Admin API ${this.apiVersion} (HTTP 404)`, hint: 'check the shop domain and the API version of the connection', details: { status } }) };
      }
      if (status === 402 || status === 423) {
        return {
          kind: 'error',
          charged: 'no',
          error: shopifyError({ code: C.SHOP_UNAVAILABLE, errorClass: 'permanent', message: `${this.shop} is ${status === 402 ? 'frozen (unpaid)' : 'locked'} (HTTP ${status})`, hint: 'the shop owner must reactivate the shop in Shopify', details: { status } }),
        };
      }
      if (status === 403) {
        const scopes = scopesIn(body);
        return {
          kind: 'error',
          charged: 'no',
          error: shopifyError({
            code: C.ACCESS_DENIED,
            errorClass: 'auth',
            message: `${this.shop} refused ${doc.name} (HTTP 403)${scopes.length ? `: needs ${scopes.join(', ')}` : ''}`,
            hint: scopes.length ? `grant the app ${scopes.join(' and ')} and install it again` : 'check the app’s access scopes and that it is installed on the shop',
            details: { status, scopes },
          }),
        };
      }
      return {
        kind: 'error',
        charged: 'no',
        error: shopifyError({ code: C.HTTP_ERROR, errorClass: 'permanent', message: `${this.shop} answered HTTP ${status} to ${doc.name}${body ? `: ${body}` : ''}`, details: { status } }),
      };
    }

    const cost = readCost(res.extensions, permit.reserved);
    const gqlErrors = (errors?.graphQLErrors ?? []) as GraphQLErrorLike[];

    if (gqlErrors.length) {
      const codes = gqlErrors.map((e) => e.extensions?.code).filter((c): c is string => typeof c === 'string');
      if (codes.includes('THROTTLED')) return { kind: 'throttled', cost: cost ?? { requested: permit.reserved, actual: null, throttleStatus: null } };
      if (codes.includes('MAX_COST_EXCEEDED')) {
        const msg = gqlErrors.find((e) => e.extensions?.code === 'MAX_COST_EXCEEDED')?.message ?? '';
        const m = /Query cost is (\d+)/.exec(msg);
        const requested = cost?.requested ?? (m ? Number(m[1]) : permit.reserved);
        const max = /limit \((\d+)\)/.exec(msg);
        return {
          kind: 'error',
          charged: 'no',
          ...(cost ? { cost } : {}),
          error: shopifyError({
            code: C.MAX_COST_EXCEEDED,
            errorClass: 'invalid_input',
            message: `${doc.name} would cost ${requested} points, more than Shopify allows in one query (${max ? max[1] : SINGLE_QUERY_MAX_COST})`,
            hint: 'ask for fewer items per page (a smaller `first`)',
            details: { requestedCost: requested, maxCost: max ? Number(max[1]) : SINGLE_QUERY_MAX_COST },
          }),
        };
      }
      if (codes.includes('ACCESS_DENIED')) {
        const text = gqlErrors.map((e) => `${e.message ?? ''} ${JSON.stringify(e.extensions ?? {})}`).join(' ');
        const scopes = scopesIn(text);
        const fields = gqlErrors.filter((e) => e.extensions?.code === 'ACCESS_DENIED').map((e) => (Array.isArray(e.path) ? e.path.join('.') : '')).filter(Boolean);
        return {
          kind: 'error',
          charged: cost ? 'yes' : 'unknown',
          ...(cost ? { cost } : {}),
          error: shopifyError({
            code: C.ACCESS_DENIED,
            errorClass: 'auth',
            message: `${doc.name} was refused: ${scopes.length ? `the app lacks ${scopes.join(', ')}` : 'access denied'}${fields.length ? ` (for ${fields.join(', ')})` : ''}`,
            hint: scopes.length ? `grant the app ${scopes.join(' and ')} in the Shopify Dev Dashboard and install it again` : 'check the app’s access scopes and protected customer data access in the Shopify Dev Dashboard',
            details: { scopes, fields },
          }),
        };
      }
      if (codes.includes('INTERNAL_SERVER_ERROR')) {
        if (retrySafe) {
          return { kind: 'error', charged: 'unknown', ...(cost ? { cost } : {}), error: shopifyError({ code: C.SERVER_ERROR, errorClass: 'transient', message: `${this.shop} reported an internal error for ${doc.name}`, hint: 'Shopify is having trouble; Koppel tries again' }) };
        }
        return { kind: 'error', charged: 'unknown', ...(cost ? { cost } : {}), error: this.unknownOutcome(doc, 'Shopify reported an internal error', {}) };
      }
      const first = gqlErrors.slice(0, 3).map((e) => e.message ?? 'error');
      return {
        kind: 'error',
        charged: cost ? 'yes' : 'no',
        ...(cost ? { cost } : {}),
        error: shopifyError({
          code: C.GRAPHQL_ERROR,
          errorClass: 'permanent',
          message: `${doc.name} was rejected: ${first.join('; ')}`.slice(0, 600),
          hint: 'this is a bug in Koppel or a Shopify API change: report it with this message',
          details: { codes },
        }),
      };
    }

    if (!res.data || typeof res.data !== 'object') {
      // HTTP 200 whose body did not arrive whole (dropped mid-body, timeout) or is not JSON.
      if (timedOut || callerAborted || ctx.fetchError) {
        return { kind: 'error', charged: 'unknown', error: this.lostAnswer(doc, retrySafe, ctx.fetchError ?? new Error(errors?.message ?? 'aborted'), timedOut, callerAborted, true) };
      }
      const err = shopifyError({ code: C.BAD_RESPONSE, errorClass: 'transient', message: `${this.shop} answered ${doc.name} with no data (${errors?.message ?? 'empty body'})` });
      if (retrySafe) return { kind: 'error', charged: 'unknown', error: err };
      return { kind: 'error', charged: 'unknown', error: this.unknownOutcome(doc, 'the answer was unreadable', {}, err) };
    }

    return { kind: 'ok', data: res.data as Record<string, unknown>, cost: cost ?? { requested: permit.reserved, actual: null, throttleStatus: null }, headers: res.headers };
  }

  /** The request may have reached Shopify but its answer was lost. */
  private lostAnswer(doc: GqlDocument<unknown, unknown>, retrySafe: boolean, cause: unknown, timedOut: boolean, callerAborted: boolean, gotHeaders: boolean): KoppelError {
    const what = timedOut ? `no answer within ${this.timeoutMs} ms` : callerAborted ? 'the call was cancelled' : gotHeaders ? 'the connection dropped while the answer was read' : 'the connection dropped';
    if (!retrySafe) return this.unknownOutcome(doc, what, { timedOut, cancelled: callerAborted }, cause);
    if (callerAborted) return shopifyError({ code: C.ABORTED, errorClass: 'transient', message: `${doc.name} was cancelled`, cause });
    return shopifyError({
      code: timedOut ? C.TIMEOUT : C.NETWORK_ERROR,
      errorClass: 'transient',
      message: `${doc.name} to ${this.shop} failed: ${what}`,
      hint: 'check the network connection to Shopify; Koppel tries again',
      cause,
    });
  }

  private unknownOutcome(doc: GqlDocument<unknown, unknown>, what: string, details: Record<string, unknown>, cause?: unknown): KoppelError {
    return shopifyError({
      code: C.OUTCOME_UNKNOWN,
      errorClass: 'outcome_unknown',
      message: `${doc.name} was sent to ${this.shop} but ${what}: it may or may not have been applied`,
      hint: 'Koppel looks the record up in Shopify before sending it again',
      details: { operation: doc.name, ...details },
      ...(cause !== undefined ? { cause } : {}),
    });
  }

  /** The admin client's fetch: reach the configured origin, set the current token, remember what happened. */
  private async transport(url: string, init: RequestInit | undefined): Promise<Response> {
    const ctx = init?.signal ? this.contexts.get(init.signal) : undefined;
    const headers = new Headers(init?.headers);
    if (ctx) headers.set(TOKEN_HEADER, ctx.token);
    try {
      const res = await this.fetchImpl(rewriteToOrigin(url, this.shop, this.origin), { ...init, headers });
      if (ctx) ctx.status = res.status;
      return res;
    } catch (e) {
      if (ctx) ctx.fetchError = e;
      throw e;
    }
  }

  private checkHeaders(doc: GqlDocument<unknown, unknown>, headers: Headers | undefined): void {
    if (!headers) return;
    const served = headers.get('X-Shopify-API-Version');
    if (served && served !== this.apiVersion && !this.warned.has(`version:${served}`)) {
      this.warned.add(`version:${served}`);
      this.logger.warn({ requested: this.apiVersion, served }, 'Shopify served another Admin API version than requested');
    }
    const deprecated = headers.get('X-Shopify-API-Deprecated-Reason');
    if (deprecated && !this.warned.has(`deprecated:${doc.name}`)) {
      this.warned.add(`deprecated:${doc.name}`);
      this.logger.warn({ op: doc.name, reason: deprecated.slice(0, 300) }, 'Shopify reports a deprecated API use');
    }
  }

  private libraryLog(entry: { type: string; content?: unknown }): void {
    if (entry.type === 'Unsupported_Api_Version' && !this.warned.has('unsupported')) {
      this.warned.add('unsupported');
      this.logger.debug({ apiVersion: this.apiVersion }, 'admin-api-client does not list this API version as current');
    }
  }
}

interface GraphQLErrorLike {
  message?: string;
  path?: unknown;
  extensions?: { code?: unknown } & Record<string, unknown>;
}

function readCost(extensions: unknown, reserved: number): CostInfo | undefined {
  const c = (extensions as { cost?: Record<string, unknown> } | undefined)?.cost;
  if (!c || typeof c !== 'object') return undefined;
  const ts = c.throttleStatus as Record<string, unknown> | undefined;
  const throttleStatus =
    ts && typeof ts.maximumAvailable === 'number' && typeof ts.currentlyAvailable === 'number' && typeof ts.restoreRate === 'number'
      ? { maximumAvailable: ts.maximumAvailable, currentlyAvailable: ts.currentlyAvailable, restoreRate: ts.restoreRate }
      : null;
  return {
    requested: typeof c.requestedQueryCost === 'number' ? c.requestedQueryCost : reserved,
    actual: typeof c.actualQueryCost === 'number' ? c.actualQueryCost : null,
    throttleStatus,
  };
}

/** userErrors of every mutation field in the answer, typed. */
export function collectUserErrors(data: Record<string, unknown> | null | undefined): UserError[] {
  const out: UserError[] = [];
  if (!data) return out;
  for (const [mutation, payload] of Object.entries(data)) {
    if (!payload || typeof payload !== 'object') continue;
    const list = (payload as { userErrors?: unknown }).userErrors;
    if (!Array.isArray(list)) continue;
    for (const u of list as Record<string, unknown>[]) {
      if (!u || typeof u !== 'object') continue;
      const e: UserError = {
        field: Array.isArray(u.field) ? u.field.map(String) : null,
        message: typeof u.message === 'string' ? u.message : 'unknown error',
        code: typeof u.code === 'string' ? u.code : null,
        mutation,
      };
      if ('elementIndex' in u) e.elementIndex = typeof u.elementIndex === 'number' ? u.elementIndex : null;
      out.push(e);
    }
  }
  return out;
}

function inProgressOnly(data: Record<string, unknown>): boolean {
  const errs = collectUserErrors(data);
  return errs.length > 0 && errs.every((e) => e.code === 'IDEMPOTENCY_CONCURRENT_REQUEST');
}

function outcomeLabel(o: Outcome): string {
  switch (o.kind) {
    case 'ok':
      return 'ok';
    case 'throttled':
    case 'rate_limited':
      return 'throttled';
    case 'unauthorized':
      return 'client_error';
    case 'error': {
      const e = o.error;
      if (e.errorClass === 'outcome_unknown') return 'outcome_unknown';
      if (e.code === C.SERVER_ERROR || e.code === C.BAD_RESPONSE) return 'server_error';
      if (e.code === C.NETWORK_ERROR || e.code === C.TIMEOUT || e.code === C.ABORTED) return 'network_error';
      return 'client_error';
    }
  }
}

function retryReason(code: string): string {
  switch (code) {
    case C.SERVER_ERROR:
    case C.BAD_RESPONSE:
      return 'server_error';
    case C.TIMEOUT:
      return 'timeout';
    case C.IDEMPOTENCY_IN_PROGRESS:
      return 'idempotency_in_progress';
    case C.TOKEN_UNAVAILABLE:
      return 'token';
    default:
      return 'network_error';
  }
}
