/**
 * Which Shopify collection belongs to a CCV category the ledger does not know (yet): first the exact
 * custom-id lookup (`koppel.ccv_category_id`), and only when that definition is unavailable the
 * handles Koppel would have given the collection, accepted only when the collection carries the
 * category's id. A collection a merchant made by hand is never taken over, so it is never changed.
 */
import { isKoppelError } from '../../core/errors.js';
import type { ShopifyClient } from '../../connectors/shopify/client.js';
import { readCollectionSnapshot, suffixedHandle, type CollectionLookup, type CollectionSnapshot } from '../../connectors/shopify/collections.js';
import type { FlowRun } from '../run.js';

/** Shopify refused the identifier itself (e.g. no unique definition for the custom id yet). */
function identifierRefused(e: unknown): boolean {
  if (!isKoppelError(e) || e.code !== 'SHOPIFY_GRAPHQL_ERROR') return false;
  const codes = (e.details as { codes?: unknown } | undefined)?.codes;
  return Array.isArray(codes) && codes.includes('BAD_REQUEST');
}

export class CollectionFinder {
  private prepared: Promise<void> | undefined;

  constructor(
    private readonly client: ShopifyClient,
    private readonly run: FlowRun,
    /**
     * Makes sure the custom-id definition exists (once, and only when a lookup or a create needs it);
     * resolves false when it could not be created.
     */
    private readonly prepareCustomId: () => Promise<boolean>,
    private readonly signal?: AbortSignal,
  ) {}

  private customIdUsable = true;

  /** Ensures the custom-id definition before the first lookup or create of the run. */
  prepare(): Promise<void> {
    this.prepared ??= this.prepareCustomId().then((ok) => {
      if (!ok) this.customIdUsable = false;
    });
    return this.prepared;
  }

  async read(by: CollectionLookup): Promise<CollectionSnapshot | undefined> {
    const r = await readCollectionSnapshot(this.client, by, this.signal);
    this.run.apiCall(r.cost);
    return r.snapshot;
  }

  /** The collection that belongs to this CCV category, if Shopify has one. */
  async find(categoryId: string, handle: string): Promise<CollectionSnapshot | undefined> {
    await this.prepare();
    if (this.customIdUsable) {
      try {
        return await this.read({ categoryId });
      } catch (e) {
        if (!identifierRefused(e)) throw e;
        this.customIdUsable = false;
      }
    }
    for (const h of [handle, suffixedHandle(handle, categoryId)]) {
      const s = await this.read({ handle: h });
      if (s && s.categoryId === categoryId) return s;
    }
    return undefined;
  }
}
