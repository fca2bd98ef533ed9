/**
 * /__sandbox/ test endpoints: unsigned, not rate limited, loopback clients only. Documented with curl examples in
 * README.md. Errors come back as `{"error": "..."}`.
 */
import type { RawRequest, RawResponse } from './api.js';
import { patchCombination, patchProduct, setStock, tillSale } from './backoffice.js';
import type { CcvSandboxCore } from './core.js';
import { ApiError } from './errors.js';
import { validateFaultConfig } from './faults.js';

export const CONTROL_PREFIX = '/__sandbox';

const json = (status: number, payload: unknown): RawResponse => ({
  status,
  body: JSON.stringify(payload, null, 2),
  headers: { 'content-type': 'application/json; charset=utf-8' },
});

export function isLoopback(addr: string | undefined): boolean {
  if (addr === undefined) return true; // in-process (app.request): no socket at all
  return addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.');
}

const ENDPOINTS = [
  'GET    /__sandbox/                          this list',
  'POST   /__sandbox/till-sale                 record a SalesPOS till sale {lines:[{sku|ean|product_id|attribute_combination_id, count, price?}], paymethod?: pin|cash}',
  'POST   /__sandbox/stock                     back-office stock correction {sku|ean|product_id|attribute_combination_id, stock | delta}',
  'PATCH  /__sandbox/products/{id}             back-office product edit (product PATCH fields)',
  'PATCH  /__sandbox/attributecombinations/{id} back-office variant edit (combination PATCH fields)',
  'GET    /__sandbox/state                     dump state (snapshot JSON)',
  'PUT    /__sandbox/state                     load state from snapshot JSON',
  'POST   /__sandbox/reset                     regenerate data {seed?, products?, dirty?, salespos?}',
  'POST   /__sandbox/snapshot                  write the snapshot file {file?}',
  'GET|PUT|DELETE /__sandbox/faults            fault injection settings',
  'GET    /__sandbox/webhooks                  webhook deliveries',
  'POST   /__sandbox/webhooks/deliver          deliver due webhooks now',
  'GET|DELETE /__sandbox/limits                rate-limit usage / reset',
  'GET|DELETE /__sandbox/requests              request log / clear',
];

function parse(body: string): unknown {
  if (body.trim() === '') return {};
  try {
    return JSON.parse(body);
  } catch (e) {
    throw new ApiError(400, '400.30', `body is not valid JSON: ${(e as Error).message}`);
  }
}

export async function handleControl(core: CcvSandboxCore, req: RawRequest, remote: string | undefined): Promise<RawResponse> {
  if (!isLoopback(remote)) return json(403, { error: `/__sandbox/ is only available to loopback clients, not ${remote}` });
  const method = req.method.toUpperCase();
  const path = (req.uri.split('?')[0] ?? '').slice(CONTROL_PREFIX.length).replace(/\/+$/, '');
  const m = /^\/(products|attributecombinations)\/(\d+)$/.exec(path);
  try {
    const route = `${method} ${m ? `/${m[1]}/:id` : path}`;
    switch (route) {
      case 'GET ':
        return json(200, { endpoints: ENDPOINTS, publicKey: core.keys.publicKey, behaviour: core.behaviour });
      case 'POST /till-sale':
        return json(201, tillSale(core, parse(req.body), req.origin));
      case 'POST /stock':
        return json(200, setStock(core, parse(req.body)));
      case 'PATCH /products/:id':
        return json(200, patchProduct(core, Number(m?.[2]), parse(req.body), req.origin));
      case 'PATCH /attributecombinations/:id':
        return json(200, patchCombination(core, Number(m?.[2]), parse(req.body), req.origin));
      case 'GET /state':
        return { status: 200, body: JSON.stringify(core.snapshot()), headers: { 'content-type': 'application/json; charset=utf-8' } };
      case 'PUT /state':
        core.loadSnapshot(parse(req.body), true);
        return json(200, { loaded: true, products: core.state.products.size });
      case 'POST /reset': {
        const b = parse(req.body) as Record<string, unknown>;
        for (const k of Object.keys(b)) if (!['seed', 'products', 'dirty', 'salespos'].includes(k)) throw new ApiError(400, '400.10', `unknown reset option '${k}'`);
        for (const k of ['seed', 'products']) if (b[k] !== undefined && (!Number.isInteger(b[k]) || (b[k] as number) < 0)) throw new ApiError(400, '400.10', `'${k}' must be a non-negative integer`);
        for (const k of ['dirty', 'salespos']) if (b[k] !== undefined && typeof b[k] !== 'boolean') throw new ApiError(400, '400.10', `'${k}' must be a boolean`);
        core.reset(b as { seed?: number; products?: number; dirty?: boolean; salespos?: boolean });
        return json(200, { reset: true, products: core.state.products.size, orders: core.state.orders.size });
      }
      case 'POST /snapshot': {
        const b = parse(req.body) as { file?: unknown };
        if (b.file !== undefined && typeof b.file !== 'string') throw new ApiError(400, '400.10', "'file' must be a path");
        return json(200, { written: core.saveSnapshot(b.file as string | undefined) });
      }
      case 'GET /faults':
        return json(200, { config: core.faults.get(), injected: core.faults.stats });
      case 'PUT /faults':
        core.setFaults(validateFaultConfig(parse(req.body)));
        return json(200, { config: core.faults.get() });
      case 'DELETE /faults':
        core.clearFaults();
        return json(200, { config: {} });
      case 'GET /webhooks':
        return json(200, { pending: core.webhooks.pending(), deliveries: core.webhooks.list() });
      case 'POST /webhooks/deliver':
        return json(200, { attempted: await core.deliverWebhooks(), pending: core.webhooks.pending() });
      case 'GET /limits':
        return json(200, core.limiter.snapshot(core.now()));
      case 'DELETE /limits':
        core.resetLimits();
        return json(200, { reset: true });
      case 'GET /requests':
        return json(200, { requests: core.requests() });
      case 'DELETE /requests':
        core.clearRequests();
        return json(200, { cleared: true });
      default:
        return json(404, { error: `no sandbox endpoint ${method} ${CONTROL_PREFIX}${path}`, endpoints: ENDPOINTS });
    }
  } catch (e) {
    if (e instanceof ApiError) return json(e.status, { error: e.message, code: e.code });
    return json(400, { error: (e as Error).message });
  }
}
