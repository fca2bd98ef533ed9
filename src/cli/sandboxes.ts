/**
 * The built-in sandboxes (only the CLI imports sandbox/): started by `koppel sandbox`, and by
 * `koppel start` for every connection that has no credentials configured.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CcvSandbox } from '../../sandbox/ccv/index.js';
import type { ShopifySandbox } from '../../sandbox/shopify/index.js';
import type { KoppelConfig } from '../config/schema.js';
import { KoppelError } from '../core/errors.js';
import type { Logger } from '../obs/log.js';

export interface SandboxOptions {
  host?: string;
  ccvPort?: number;
  shopifyPort?: number;
  seed?: number;
  products?: number;
  dirty?: boolean;
  plan?: 'standard' | 'advanced' | 'plus' | 'enterprise';
  rateScale?: number;
  /**
   * Keep the sandboxes' state in this directory (`ccv.json`, `shopify.json`): loaded at start when
   * there, saved on stop and every minute. Koppel's database links to ids in these shops, so a
   * restart must find the same shops again.
   */
  snapshotDir?: string;
}

/** How often running sandboxes with a snapshot directory save their state (a crash loses at most this). */
const SNAPSHOT_EVERY_MS = 60_000;

export interface RunningSandboxes {
  ccv?: CcvSandbox;
  shopify?: ShopifySandbox;
  close(): Promise<void>;
}

function portInUse(e: unknown, what: string, port: number | undefined, setting: string): never {
  if ((e as { code?: string }).code === 'EADDRINUSE') {
    throw new KoppelError({
      code: 'PORT_IN_USE',
      message: `the ${what} cannot listen on port ${port}: something else already uses it (another koppel sandbox or koppel start?)`,
      hint: `stop the other process, or choose another port (${setting})`,
      cause: e,
    });
  }
  throw e;
}

export async function startSandboxes(want: { ccv: boolean; shopify: boolean }, o: SandboxOptions, logger: Logger): Promise<RunningSandboxes> {
  let saver: NodeJS.Timeout | undefined;
  const running: RunningSandboxes = {
    async close() {
      clearInterval(saver);
      await Promise.all([running.ccv?.close(), running.shopify?.close()]);
    },
  };
  const file = (name: string) => (o.snapshotDir ? join(o.snapshotDir, `${name}.json`) : undefined);
  if (o.snapshotDir) mkdirSync(o.snapshotDir, { recursive: true });
  try {
    // Loaded only when needed: commands that run no sandbox start faster.
    if (want.ccv) {
      const { startCcvSandbox } = await import('../../sandbox/ccv/index.js');
      running.ccv = await startCcvSandbox({
        host: o.host, port: o.ccvPort, seed: o.seed, products: o.products, dirty: o.dirty, rateScale: o.rateScale, snapshotFile: file('ccv'),
        logger: (line) => logger.debug({ sandbox: 'ccv' }, line),
      }).catch((e: unknown) => portInUse(e, 'CCV sandbox', o.ccvPort, 'sandbox.ccvPort in koppel.yaml, or --ccv-port'));
    }
    if (want.shopify) {
      const { startShopifySandbox } = await import('../../sandbox/shopify/index.js');
      running.shopify = await startShopifySandbox({
        host: o.host, port: o.shopifyPort, plan: o.plan, rateScale: o.rateScale, seed: o.seed, snapshotFile: file('shopify'),
        logger: (line) => logger.debug({ sandbox: 'shopify' }, line),
      }).catch((e: unknown) => portInUse(e, 'Shopify sandbox', o.shopifyPort, 'sandbox.shopifyPort in koppel.yaml, or --shopify-port'));
    }
    if (o.snapshotDir) {
      saver = setInterval(() => {
        try {
          running.ccv?.saveSnapshot();
          running.shopify?.saveSnapshot();
        } catch (e) {
          logger.warn({ err: e }, 'the sandboxes\' state could not be saved');
        }
      }, SNAPSHOT_EVERY_MS).unref();
    }
    return running;
  } catch (e) {
    await running.close();
    throw e;
  }
}

/** The connection settings Koppel uses, with sandboxes standing in for what is not configured. */
export interface ResolvedConnections {
  ccv: NonNullable<KoppelConfig['connections']['ccv']> & { sandbox: boolean };
  shopify: NonNullable<KoppelConfig['connections']['shopify']> & { sandbox: boolean };
}

export function resolveConnections(config: KoppelConfig, sb: RunningSandboxes): ResolvedConnections {
  const { ccv, shopify } = config.connections;
  const ccvConn = ccv
    ? { ...ccv, sandbox: false }
    : { baseUrl: sb.ccv!.origin, publicKey: sb.ccv!.publicKey, secretKey: sb.ccv!.secretKey, mediaType: 'salespos' as const, sandbox: true };
  const shopifyConn = shopify
    ? { ...shopify, sandbox: false }
    : { shop: sb.shopify!.shop, apiVersion: '2026-10', accessToken: sb.shopify!.accessToken, endpoint: sb.shopify!.origin, sandbox: true };
  return { ccv: ccvConn, shopify: shopifyConn };
}
