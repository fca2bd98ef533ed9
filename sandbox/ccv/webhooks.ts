/**
 * Webhook delivery. Upstream documents the management API but not the delivery (reference §7.8, §9.3); the
 * sandbox's choices, all documented in README:
 *  - POST to `address`, `content-type: application/json`, body (thin, default)
 *    `{"id":555,"event":"products.updated","href":"<absolute resource href>","webshop_id":1,"create_date":"..."}`;
 *    `webhookPayload: 'full'` adds `"resource": <the GET representation>` (not for deletes).
 *  - `x-hash` = lowercase hex HMAC-SHA512(webhook key, address + "|" + rawBody) (the reference's guess, by analogy
 *    with the app handshake).
 *  - Non-2xx or network error/timeout => retried after webhookBackoffMs[n] * webhookTimeScale, up to
 *    webhookMaxAttempts attempts; then marked failed. One delivery per (webhook, event, id) per request.
 */
import { createHmac } from 'node:crypto';
import type { WebhookRec } from './model.js';

export interface DeliveryAttempt { at: number; status?: number; error?: string }

export interface Delivery {
  id: number;
  webhookId: number;
  event: string;
  address: string;
  body: string;
  hash: string;
  attempts: DeliveryAttempt[];
  dueAt: number;
  state: 'pending' | 'delivered' | 'failed';
}

export interface WebhookDispatcherOptions {
  now: () => number;
  fetch: typeof fetch;
  maxAttempts: number;
  backoffMs: number[];
  timeScale: number;
  timeoutMs: number;
  mode: 'auto' | 'manual';
  logger?: (line: string) => void;
}

export function webhookHash(key: string, address: string, rawBody: string): string {
  return createHmac('sha512', key).update(`${address}|${rawBody}`, 'utf8').digest('hex');
}

export class WebhookDispatcher {
  private deliveries: Delivery[] = [];
  private nextId = 1;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<number> | undefined;
  private closed = false;

  constructor(private readonly o: WebhookDispatcherOptions) {}

  /** Queues one delivery per active webhook subscribed to `event`. */
  enqueue(hooks: Iterable<WebhookRec>, event: string, payload: Record<string, unknown>): Delivery[] {
    const out: Delivery[] = [];
    const body = JSON.stringify(payload);
    for (const h of hooks) {
      if (!h.is_active || h.event !== event) continue;
      const d: Delivery = {
        id: this.nextId++, webhookId: h.id, event, address: h.address, body, hash: webhookHash(h.key, h.address, body),
        attempts: [], dueAt: this.o.now(), state: 'pending',
      };
      this.deliveries.push(d);
      out.push(d);
    }
    if (this.deliveries.length > 5000) this.deliveries = this.deliveries.filter((d, i) => d.state === 'pending' || i >= this.deliveries.length - 2000);
    if (out.length > 0) this.schedule();
    return out;
  }

  list(): readonly Delivery[] {
    return this.deliveries;
  }

  pending(): number {
    return this.deliveries.filter((d) => d.state === 'pending').length;
  }

  /** Attempts every delivery that is due now (per the injected clock); returns how many were attempted. */
  deliverDue(): Promise<number> {
    if (this.running) return this.running.then(() => this.deliverDue());
    this.running = this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<number> {
    let n = 0;
    const now = this.o.now();
    for (const d of this.deliveries.filter((x) => x.state === 'pending' && x.dueAt <= now)) {
      n++;
      await this.attempt(d);
    }
    this.schedule();
    return n;
  }

  private async attempt(d: Delivery): Promise<void> {
    const at = this.o.now();
    let status: number | undefined;
    let error: string | undefined;
    try {
      const res = await this.o.fetch(d.address, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hash': d.hash, 'user-agent': 'CCV-Shop-Webhook (koppel sandbox)' },
        body: d.body,
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (e) {
      error = (e as Error).message || String(e);
    }
    d.attempts.push(status === undefined ? { at, error: error ?? 'unknown error' } : { at, status });
    if (status !== undefined && status >= 200 && status < 300) {
      d.state = 'delivered';
      this.o.logger?.(`webhook ${d.event} #${d.id} -> ${d.address}: ${status}`);
      return;
    }
    if (d.attempts.length >= this.o.maxAttempts) {
      d.state = 'failed';
      this.o.logger?.(`webhook ${d.event} #${d.id} -> ${d.address}: failed after ${d.attempts.length} attempts`);
      return;
    }
    const step = this.o.backoffMs[Math.min(d.attempts.length - 1, this.o.backoffMs.length - 1)] ?? 60_000;
    d.dueAt = this.o.now() + step * this.o.timeScale;
    this.o.logger?.(`webhook ${d.event} #${d.id} -> ${d.address}: ${status ?? error}; retry in ${Math.round(step * this.o.timeScale)} ms`);
  }

  private schedule(): void {
    if (this.o.mode !== 'auto' || this.closed) return;
    const pending = this.deliveries.filter((d) => d.state === 'pending');
    if (pending.length === 0) return;
    const next = Math.min(...pending.map((d) => d.dueAt));
    const wait = Math.max(0, Math.min(next - this.o.now(), 2_147_000_000));
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.deliverDue();
    }, wait);
    this.timer.unref?.();
  }

  clear(): void {
    this.deliveries = [];
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.running) await this.running.catch(() => undefined);
  }
}
