/** A connection test for `koppel doctor` and the setup wizard: one signed read that proves keys, clock and signatures. */
import type { KoppelError} from '../../core/errors.js';
import { errorMessage, isKoppelError } from '../../core/errors.js';
import type { CcvClient } from './client.js';

export interface CcvProbe {
  ok: boolean;
  message: string;
  webshop?: { id: number; name: string; isSalespos: boolean; currency?: string; pricesIncludeVat?: boolean };
}

interface WebshopItem { id: number; name: string; is_salespos?: boolean }
interface Settings { currency?: string; prices_include_vat?: boolean }

export async function probeCcv(client: CcvClient, signal?: AbortSignal): Promise<CcvProbe> {
  try {
    const page = await client.get<{ items: WebshopItem[] }>('webshops', { signal, query: { size: 1 } });
    const shop = page.items[0];
    if (!shop) return { ok: false, message: 'the API key answers but lists no webshop' };
    const settings = await client.get<Settings>(`webshops/${shop.id}/settings`, { signal });
    return {
      ok: true,
      message: `webshop ${shop.id} "${shop.name}"${shop.is_salespos ? ' (SalesPOS)' : ''}, currency ${settings.currency ?? '?'}, prices ${settings.prices_include_vat ? 'incl.' : 'excl.'} VAT`,
      webshop: { id: shop.id, name: shop.name, isSalespos: shop.is_salespos === true, currency: settings.currency, pricesIncludeVat: settings.prices_include_vat },
    };
  } catch (e) {
    return { ok: false, message: isKoppelError(e) ? (e as KoppelError).describe() : errorMessage(e) };
  }
}
