/** Role: the CCV sandbox in its own process (see ../child.ts). */
import { startCcvSandbox, type CcvSandboxOptions, type FaultConfig } from '../../../sandbox/ccv/index.js';

export interface CcvSandboxInfo {
  origin: string;
  publicKey: string;
  secretKey: string;
  products: number;
  combinations: number;
}

export async function start(spec: Omit<CcvSandboxOptions, 'logger' | 'now' | 'sleep' | 'fetch'>) {
  const sb = await startCcvSandbox({ port: 0, webhookDispatch: 'manual', logger: () => {}, ...spec });
  const info: CcvSandboxInfo = {
    origin: sb.origin,
    publicKey: sb.publicKey,
    secretKey: sb.secretKey,
    products: sb.state.products.size,
    combinations: sb.state.combinations.size,
  };
  return {
    info,
    ops: {
      /** Product ids in id order. */
      productIds: () => sb.state.products.all().map((p) => p.id),
      /** Back-office edits, as a merchant makes them (modifydate moves, webhooks queue). */
      patchProducts: (a: { edits: Array<{ id: number; fields: Record<string, unknown> }> }) => {
        for (const e of a.edits) sb.patchProduct(e.id, e.fields);
        return a.edits.length;
      },
      product: (a: { id: number }) => sb.state.products.get(a.id) ?? null,
      setFaults: (cfg: FaultConfig) => sb.setFaults(cfg),
      clearFaults: () => sb.clearFaults(),
      resetLimits: () => sb.resetLimits(),
      memory: () => process.memoryUsage(),
    },
    close: () => sb.close(),
  };
}
