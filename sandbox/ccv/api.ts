/**
 * The API request pipeline: authenticate -> route (404.20 / 405.10) -> rate limit (429.11 / 429.10) -> faults ->
 * query/body validation -> handler -> webhooks -> signed response. Every response the API itself produces is signed
 * (x-date, x-hash over the raw response body); injected gateway errors (502/503/504) are not, like a real proxy.
 */
import { authenticate } from './auth.js';
import { Effects, type Ctx, type Method, type Result } from './context.js';
import type { CcvSandboxCore } from './core.js';
import { ApiError, CODES } from './errors.js';
import { RateLimitError, type LimitDecision } from './limits.js';
import { API_PREFIX } from './options.js';
import { Query } from './query.js';
import { ccvDate, ccvHash } from './sign.js';
import { parseJsonBody } from './validate.js';

export interface RawRequest {
  method: string;
  /** Path + query exactly as sent. */
  uri: string;
  origin: string;
  body: string;
  header: (name: string) => string | undefined;
}

export interface RawResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
  /** Destroy the connection instead of answering (the request was processed). */
  drop?: boolean;
}

function gatewayPage(status: number): string {
  const text = status === 502 ? 'Bad Gateway' : status === 503 ? 'Service Temporarily Unavailable' : status === 504 ? 'Gateway Time-out' : 'Server Error';
  return `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n</body>\r\n</html>\r\n`;
}

export async function handleApi(core: CcvSandboxCore, req: RawRequest): Promise<RawResponse> {
  const nowMs = core.now();
  const method = req.method.toUpperCase();
  const q = req.uri.indexOf('?');
  const path = q < 0 ? req.uri : req.uri.slice(0, q);
  const rawQuery = q < 0 ? '' : req.uri.slice(q + 1);
  const b = core.behaviour;
  let resource: string | null = null;
  let limit: LimitDecision | undefined;
  let faultNote: string | undefined;

  const sign = (status: number, payload: unknown, extra: Record<string, string> = {}): RawResponse => {
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const date = ccvDate(core.now());
    const headers: Record<string, string> = {
      'x-date': date,
      'x-hash': ccvHash(core.keys.secretKey, core.keys.publicKey, method, req.uri, body, date),
      ...extra,
    };
    if (body !== '') headers['content-type'] = 'application/json; charset=utf-8';
    if (b.rateLimitHeaders && limit) {
      headers['x-ratelimit-limit'] = String(limit.limit);
      headers['x-ratelimit-remaining'] = String(limit.remaining);
      headers['x-ratelimit-reset'] = String(Math.ceil(limit.resetMs / 1000));
    }
    return { status, body, headers };
  };
  const finish = (r: RawResponse): RawResponse => {
    core.record({ at: ccvDate(nowMs), method, uri: req.uri, status: r.drop ? 0 : r.status, resource, ...(faultNote ? { fault: faultNote } : {}) });
    return r;
  };

  try {
    authenticate(core.keys, { method, uri: req.uri, body: req.body, header: req.header }, nowMs, b.authWindowSeconds, b.authFailureStatus);
    const match = core.router.match(method, path.slice(API_PREFIX.length));
    resource = match.resource;
    limit = core.limiter.take(resource, method, nowMs);

    const fault = core.faults.decide(method, resource);
    if (fault.latencyMs > 0) {
      faultNote = `latency ${fault.latencyMs} ms`;
      await core.sleep(fault.latencyMs);
    }
    if (fault.rate429) {
      faultNote = `429 burst (${fault.rate429})`;
      const msg = fault.rate429 === CODES.globalLimit ? 'Total API limit exceeded' : `Rate limit on resource '${resource}' exceeded`;
      return finish(sign(429, { status: 429, code: fault.rate429, developermessage: msg }, b.rateLimitHeaders ? { 'retry-after': '60' } : {}));
    }
    if (fault.errorStatus !== undefined) {
      faultNote = `error ${fault.errorStatus}`;
      if (fault.errorStatus === 500) {
        return finish(sign(500, { status: 500, code: CODES.internal, developermessage: 'Internal server error (sandbox fault injection)' }));
      }
      return finish({ status: fault.errorStatus, body: gatewayPage(fault.errorStatus), headers: { 'content-type': 'text/html' } });
    }

    const query = new Query(rawQuery);
    query.allowOnly(match.endpoint.params ?? [], b.rejectUnknownParams);
    let body: unknown = undefined;
    if (method === 'POST' || method === 'PATCH' || method === 'PUT') body = parseJsonBody(req.body);
    const nowSec = Math.floor(nowMs / 1000);
    const ctx: Ctx = {
      state: core.state, b, method: method as Method, params: match.params, query, body, origin: req.origin, path, nowMs, nowSec,
      effects: new Effects(core.state, b, nowSec),
    };
    const result: Result = await match.endpoint.run(ctx);
    core.emit(ctx);
    if (fault.drop) {
      faultNote = 'drop after commit';
      return finish({ status: result.status, body: '', headers: {}, drop: true });
    }
    return finish(sign(result.status, result.status === 204 ? undefined : result.body));
  } catch (e) {
    if (e instanceof RateLimitError) {
      const extra: Record<string, string> = b.rateLimitHeaders ? { 'retry-after': String(Math.max(1, Math.ceil(e.retryAfterMs / 1000))) } : {};
      return finish(sign(429, e.body(), extra));
    }
    if (e instanceof ApiError) return finish(sign(e.status, e.body()));
    core.log(`internal error on ${method} ${req.uri}: ${(e as Error).stack ?? String(e)}`);
    return finish(sign(500, { status: 500, code: CODES.internal, developermessage: `Internal error: ${(e as Error).message}` }));
  }
}

