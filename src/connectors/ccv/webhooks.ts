/**
 * CCV webhook subscriptions: make sure the wanted events are delivered to Koppel's address, and
 * collect the keys CCV generates per webhook (they sign the deliveries).
 */
import type { CcvClient } from './client.js';

export interface CcvWebhook {
  id: number;
  event: string;
  address: string;
  key: string | null;
  isActive: boolean;
}

interface WebhookItem { id: number; event: string; address: string; key?: string | null; is_active?: boolean }

const toWebhook = (w: WebhookItem): CcvWebhook => ({ id: w.id, event: w.event, address: w.address, key: w.key ?? null, isActive: w.is_active !== false });

export async function listCcvWebhooks(client: CcvClient, signal?: AbortSignal): Promise<CcvWebhook[]> {
  const out: CcvWebhook[] = [];
  for await (const w of client.items<WebhookItem>('webhooks', { signal })) out.push(toWebhook(w));
  return out;
}

/**
 * Creates the missing subscriptions of `events` to `address` and re-activates inactive ones.
 * Returns every matching webhook with its key (keys of webhooks created here come from CCV's answer).
 */
export async function ensureCcvWebhooks(client: CcvClient, address: string, events: readonly string[], signal?: AbortSignal): Promise<{ webhooks: CcvWebhook[]; created: string[] }> {
  const existing = (await listCcvWebhooks(client, signal)).filter((w) => w.address === address);
  const created: string[] = [];
  const out: CcvWebhook[] = [];
  for (const event of events) {
    const have = existing.find((w) => w.event === event);
    if (have) {
      if (!have.isActive) await client.patch(`webhooks/${have.id}`, { is_active: true }, { signal });
      out.push({ ...have, isActive: true });
      continue;
    }
    // A POST is not resent after a lost answer (outcome unknown): the next start lists and finds it.
    const made = await client.post<WebhookItem>('webhooks', { event, address, is_active: true }, { signal });
    if (made) out.push(toWebhook(made));
    created.push(event);
  }
  return { webhooks: out, created };
}
