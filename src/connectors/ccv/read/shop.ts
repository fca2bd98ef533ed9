/** What a CCV shop says about itself that the readers need: currency, tax mode, stock defaults. */
import type { CcvClient } from '../client.js';

export interface CcvShopInfo {
  webshopId: number;
  name: string;
  isSalespos: boolean;
  currency: string;
  pricesIncludeVat: boolean;
  /** Shop-wide "order without stock" switch: the meaning of a product's `global_setting`. */
  orderingWithoutStock: boolean;
}

interface WebshopItem { id: number; name: string; is_salespos?: boolean }
interface SettingsBody { currency?: string; prices_include_vat?: boolean; ordering_without_stock?: boolean }

export async function readShopInfo(client: CcvClient, signal?: AbortSignal): Promise<CcvShopInfo> {
  const page = await client.get<{ items: WebshopItem[] }>('webshops', { query: { size: 1 }, signal });
  const shop = page.items[0];
  if (!shop) throw new Error('the CCV API key lists no webshop');
  const s = await client.get<SettingsBody>(`webshops/${shop.id}/settings`, { signal });
  return {
    webshopId: shop.id,
    name: shop.name,
    isSalespos: shop.is_salespos === true,
    currency: s.currency ?? 'EUR',
    pricesIncludeVat: s.prices_include_vat !== false,
    orderingWithoutStock: s.ordering_without_stock === true,
  };
}
