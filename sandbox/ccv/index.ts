/**
 * CCV sandbox: a strict simulator of the CCV Shop / SalesPOS REST API (see README.md).
 *
 *   const sb = await startCcvSandbox({ port: 0, products: 50 });
 *   // sb.apiRoot, sb.publicKey, sb.secretKey -> point a CCV client at it
 *   await sb.close();
 *
 * Without a socket: `createCcvApp(opts).fetch(request)`.
 */
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { createCcvApp } from './app.js';
import type { StockInput, TillSaleInput } from './backoffice.js';
import { patchCombination, patchProduct, setStock, tillSale } from './backoffice.js';
import type { CcvSandboxCore, DataOptions, RequestLogEntry } from './core.js';
import type { FaultConfig } from './faults.js';
import type { CcvBehaviour, CcvSandboxOptions } from './options.js';
import { API_PREFIX, DEFAULT_HOST, DEFAULT_PORT } from './options.js';
import type { CcvSnapshot } from './snapshot.js';
import type { CcvState } from './state.js';
import type { Delivery } from './webhooks.js';

export { createCcvApp, DroppedConnectionError, type CcvApp } from './app.js';
export { CcvSandboxCore, type DataOptions, type RequestLogEntry } from './core.js';
export { API_PREFIX, DEFAULT_BEHAVIOUR, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_PUBLIC_KEY, DEFAULT_SECRET_KEY } from './options.js';
export type { CcvBehaviour, CcvSandboxOptions } from './options.js';
export type { FaultConfig, ScriptedFault } from './faults.js';
export type { StockInput, TillSaleInput, TillSaleLine } from './backoffice.js';
export type { CcvSnapshot } from './snapshot.js';
export type { Delivery } from './webhooks.js';
export { webhookHash } from './webhooks.js';
export { ccvDate, ccvFetch, ccvHash, signRequest, verifyResponseSignature } from './sign.js';

export interface CcvSandbox {
  /** e.g. http://127.0.0.1:4100 */
  origin: string;
  /** origin + '/api/rest/v1/' */
  apiRoot: string;
  publicKey: string;
  secretKey: string;
  /** Live state (typed tables). Direct mutation bypasses modifydate/webhook rules; prefer the methods below. */
  state: CcvState;
  behaviour: CcvBehaviour;
  core: CcvSandboxCore;
  /** Record a SalesPOS till sale (completed + paid order, stock taken out). Returns the order and its rows as GET shows them. */
  tillSale(input: TillSaleInput): { order: unknown; orderrows: unknown[] };
  /** Back-office stock correction (no order). */
  setStock(input: StockInput): { product_id: number; attribute_combination_id: number | null; stock: number };
  /** Back-office product / combination edit (validated like the API PATCH). */
  patchProduct(id: number, fields: Record<string, unknown>): unknown;
  patchCombination(id: number, fields: Record<string, unknown>): unknown;
  setFaults(cfg: FaultConfig): void;
  clearFaults(): void;
  resetLimits(): void;
  /** Deliver the webhooks that are due now (per the injected clock). */
  deliverWebhooks(): Promise<number>;
  webhookDeliveries(): readonly Delivery[];
  requests(): readonly RequestLogEntry[];
  reset(opts?: DataOptions): void;
  snapshot(): CcvSnapshot;
  saveSnapshot(file?: string): string;
  close(): Promise<void>;
}

export async function startCcvSandbox(opts: CcvSandboxOptions = {}): Promise<CcvSandbox> {
  const { app, core } = createCcvApp(opts);
  const host = opts.host ?? DEFAULT_HOST;
  const server = createAdaptorServer({ fetch: app.fetch, hostname: host });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const hostPart = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const origin = `http://${hostPart}:${addr.port}`;
  core.origin = origin;
  core.log(`CCV sandbox listening on ${origin}${API_PREFIX}/ (public key ${core.keys.publicKey})`);
  let closed = false;
  return {
    origin,
    apiRoot: `${origin}${API_PREFIX}/`,
    publicKey: core.keys.publicKey,
    secretKey: core.keys.secretKey,
    state: core.state,
    behaviour: core.behaviour,
    core,
    tillSale: (input) => tillSale(core, input, origin),
    setStock: (input) => setStock(core, input),
    patchProduct: (id, fields) => patchProduct(core, id, fields, origin),
    patchCombination: (id, fields) => patchCombination(core, id, fields, origin),
    setFaults: (cfg) => core.setFaults(cfg),
    clearFaults: () => core.clearFaults(),
    resetLimits: () => core.resetLimits(),
    deliverWebhooks: () => core.deliverWebhooks(),
    webhookDeliveries: () => core.webhooks.list(),
    requests: () => core.requests(),
    reset: (o) => core.reset(o),
    snapshot: () => core.snapshot(),
    saveSnapshot: (file) => core.saveSnapshot(file),
    close: async () => {
      if (closed) return;
      closed = true;
      await core.close();
      await new Promise<void>((resolve) => {
        const s = server as unknown as { close(cb: () => void): void; closeAllConnections?: () => void };
        s.close(() => resolve());
        s.closeAllConnections?.();
      });
    },
  };
}
