/**
 * What every flow works with: the configuration, both API clients, and the engine's repositories.
 * Built once per process (koppel start / worker / sync) and shared by all flows, so each
 * connection has exactly one client and therefore one rate budget.
 */
import type { KoppelConfig } from '../config/schema.js';
import type { CcvClient } from '../connectors/ccv/client.js';
import type { ShopifyClient } from '../connectors/shopify/client.js';
import { ActivityJournal } from '../engine/activity.js';
import { Checkpoints } from '../engine/checkpoints.js';
import { IdentityLedger } from '../engine/ledger.js';
import { RunRepository } from '../engine/runs.js';
import type { Logger } from '../obs/log.js';
import type { Store } from '../store/db.js';

/** The connection pair every ledger link and checkpoint of this installation belongs to. */
export const DEFAULT_PAIR = 'ccv:main>shopify:main';

/** Lane names of the engine (one worker at a time owns a connection's API). */
export const LANES = { ccv: 'ccv:main', shopify: 'shopify:main' } as const;

export interface FlowEnv {
  config: KoppelConfig;
  store: Store;
  ccv: CcvClient;
  shopify: ShopifyClient;
  ledger: IdentityLedger;
  activity: ActivityJournal;
  runs: RunRepository;
  checkpoints: Checkpoints;
  logger: Logger;
  pair: string;
  now(): number;
}

export function createFlowEnv(parts: { config: KoppelConfig; store: Store; ccv: CcvClient; shopify: ShopifyClient; logger: Logger; pair?: string; now?: () => number }): FlowEnv {
  const db = parts.store.db;
  return {
    config: parts.config,
    store: parts.store,
    ccv: parts.ccv,
    shopify: parts.shopify,
    ledger: new IdentityLedger(db),
    activity: new ActivityJournal(db),
    runs: new RunRepository(db),
    checkpoints: new Checkpoints(db),
    logger: parts.logger,
    pair: parts.pair ?? DEFAULT_PAIR,
    now: parts.now ?? Date.now,
  };
}
