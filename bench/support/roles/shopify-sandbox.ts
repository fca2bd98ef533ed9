/** Role: the Shopify sandbox in its own process (see ../child.ts). */
import { startShopifySandbox, type FaultConfig, type ShopifySandboxOptions } from '../../../sandbox/shopify/index.js';
import type { BulkOperationRec } from '../../../sandbox/shopify/ops/bulk.js';
import { auditShopify } from '../../../test/flows/products/support/audit.js';

export interface ShopifySandboxInfo {
  origin: string;
  shop: string;
  accessToken: string;
}

export async function start(spec: Pick<ShopifySandboxOptions, 'plan' | 'rateScale' | 'seed' | 'bulkLinesPerSecond' | 'indexLagMs'>) {
  const sb = await startShopifySandbox({ port: 0, logger: () => {}, ...spec });
  return {
    info: { origin: sb.origin, shop: sb.shop, accessToken: sb.accessToken } satisfies ShopifySandboxInfo,
    ops: {
      bucket: () => ({ maximumAvailable: sb.core.bucket.maximumAvailable, restoreRate: sb.core.bucket.restoreRate, currentlyAvailable: sb.core.bucket.status().currentlyAvailable }),
      /** Counts and duplicates of what Shopify holds (the full per-product detail only with `detail`). */
      audit: (a: { detail?: boolean } = {}) => {
        const r = auditShopify(sb.state);
        const online = [...sb.state.table<{ id: string; name: string }>('publications').values()].find((p) => p.name === 'Online Store')?.id;
        const ccvIds = Object.values(r.byCcvId);
        return {
          products: r.products,
          variants: r.variants,
          duplicateSkus: Object.keys(r.duplicateSkus).length,
          duplicateCcvIds: Object.keys(r.duplicateCcvIds).length,
          withCcvId: ccvIds.length,
          withoutCcvId: r.withoutCcvId.length,
          published: ccvIds.filter((p) => online !== undefined && p.publications.includes(online)).length,
          ...(a.detail ? { detail: r } : {}),
        };
      },
      /** CCV product ids (Koppel's custom ids) of the products in Shopify, sorted numerically. */
      ccvIds: () => Object.keys(auditShopify(sb.state).byCcvId).sort((a, b) => Number(a) - Number(b)),
      /** Bulk operations the sandbox ran: lines and sandbox-clock start/finish. */
      bulkOperations: () =>
        [...sb.state.table<BulkOperationRec>('bulkOperations').values()].map((o) => ({
          id: o.id, type: o.type, status: o.status, lines: o.totalLines, processed: o.processed, createdAt: o.createdAt, startedAtMs: o.startedAtMs, finishedAtMs: o.finishedAtMs,
          mutation: /mutation\s+(\w+)/.exec(o.query)?.[1] ?? null,
        })),
      setFaults: (f: Partial<FaultConfig>) => sb.setFaults(f),
      memory: () => process.memoryUsage(),
    },
    close: () => sb.close(),
  };
}
