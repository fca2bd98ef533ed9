/**
 * Which Shopify locations receive CCV stock: `flows.stock.locations` (each with its own formula if
 * set), else `flows.stock.location`, else the first active location Shopify lists. Names are
 * matched exactly; a name Shopify does not know (or an inactive location) is an error listing the
 * names it does know. Resolved once per process and again after an hour or a failure.
 */
import type { StockSettings } from '../../config/stock.js';
import { listLocations, type ShopifyLocation } from '../../connectors/shopify/inventory.js';
import type { ShopifyClient } from '../../connectors/shopify/client.js';
import { KoppelError } from '../../core/errors.js';
import { compileLocationFormulas, type TargetLocation } from './compute.js';

const TTL_MS = 3_600_000;

export class LocationResolver {
  private cached: { at: number; value: TargetLocation[] } | undefined;

  constructor(private readonly shopify: ShopifyClient, private readonly settings: StockSettings, private readonly now: () => number = Date.now) {}

  async resolve(signal?: AbortSignal): Promise<TargetLocation[]> {
    if (this.cached && this.now() - this.cached.at < TTL_MS) return this.cached.value;
    const all = await listLocations(this.shopify, 'stock', signal);
    const value = pickLocations(all, this.settings);
    this.cached = { at: this.now(), value };
    return value;
  }

  forget(): void {
    this.cached = undefined;
  }
}

export function pickLocations(all: readonly ShopifyLocation[], settings: StockSettings): TargetLocation[] {
  const formulas = compileLocationFormulas(settings);
  const active = all.filter((l) => l.active);
  const wanted = settings.locations ?? (settings.location ? [{ name: settings.location }] : undefined);
  if (!wanted) {
    const first = active[0];
    if (!first) {
      throw new KoppelError({
        code: 'STOCK_LOCATION_NONE',
        message: 'Shopify lists no active location to put CCV stock in',
        hint: 'activate a location in Shopify admin (Settings → Locations)',
        errorClass: 'permanent',
      });
    }
    return [{ id: first.id, name: first.name, formula: formulas.default }];
  }
  const seen = new Set<string>();
  return wanted.map((w) => {
    const hit = all.find((l) => l.name === w.name);
    if (!hit || !hit.active) {
      throw new KoppelError({
        code: 'STOCK_LOCATION_UNKNOWN',
        message: `Shopify has no active location named ${JSON.stringify(w.name)}${hit ? ' (it exists but is inactive)' : ''}`, // Locations lists active ones only
        hint: `set flows.stock.location(s) to one of: ${active.map((l) => JSON.stringify(l.name)).join(', ') || '(none active)'}`,
        field: 'flows.stock.location',
        errorClass: 'permanent',
      });
    }
    if (seen.has(hit.id)) {
      throw new KoppelError({ code: 'STOCK_LOCATION_TWICE', message: `flows.stock.locations names ${JSON.stringify(w.name)} twice`, hint: 'list each location once', field: 'flows.stock.locations', errorClass: 'permanent' });
    }
    seen.add(hit.id);
    return { id: hit.id, name: hit.name, formula: formulas.byName.get(w.name) ?? formulas.default };
  });
}
