/** What a resource handler gets, what it returns, and the side effects (modifydate, webhook events) of a change. */
import type { CcvBehaviour } from './options.js';
import { API_PREFIX } from './options.js';
import type { Query } from './query.js';
import type { CcvState } from './state.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
export const METHODS: readonly Method[] = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'];

export interface Result {
  status: number;
  body?: unknown;
}

export interface WebhookEvent {
  event: string;
  resource: 'products' | 'orders';
  id: number;
}

export type ProductChange = 'fields' | 'stock' | 'variant';

/**
 * Collects the consequences of one request (or back-office action): bumps `modifydate` and queues webhook events
 * according to the behaviour switches, so the API and the /__sandbox/ endpoints follow the same rules.
 */
export class Effects {
  readonly events: WebhookEvent[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly state: CcvState,
    private readonly b: CcvBehaviour,
    private readonly nowSec: number,
  ) {}

  private queue(e: WebhookEvent): void {
    const key = `${e.event}:${e.id}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.events.push(e);
  }

  productCreated(id: number): void {
    this.queue({ event: 'products.created', resource: 'products', id });
  }

  productDeleted(id: number): void {
    this.queue({ event: 'products.deleted', resource: 'products', id });
  }

  productChanged(id: number, kind: ProductChange): void {
    const p = this.state.products.get(id);
    if (!p) return;
    const bump = kind === 'fields' || (kind === 'stock' && this.b.stockChangeBumpsModifydate) || (kind === 'variant' && this.b.variantChangeBumpsProductModifydate);
    const fire = kind === 'fields' || (kind === 'stock' && this.b.stockChangeFiresWebhook) || (kind === 'variant' && this.b.variantChangeFiresWebhook);
    if (bump) {
      p.modifydate = this.nowSec;
      this.state.products.touch();
    }
    if (fire && !this.seen.has(`products.created:${id}`)) this.queue({ event: 'products.updated', resource: 'products', id });
  }

  orderCreated(id: number): void {
    if (this.b.orderWebhooks) this.queue({ event: 'orders.created', resource: 'orders', id });
  }

  orderUpdated(id: number): void {
    if (this.b.orderWebhooks && !this.seen.has(`orders.created:${id}`)) this.queue({ event: 'orders.updated', resource: 'orders', id });
  }
}

export interface Ctx {
  state: CcvState;
  b: CcvBehaviour;
  method: Method;
  /** Numeric ids captured from the path, in order. */
  params: number[];
  query: Query;
  /** Parsed JSON body for POST/PATCH/PUT. */
  body: unknown;
  /** scheme://host the client used; hrefs are absolute on it. */
  origin: string;
  /** Raw path as sent (no query). */
  path: string;
  nowMs: number;
  nowSec: number;
  effects: Effects;
}

export function href(ctx: Pick<Ctx, 'origin'>, ...segments: (string | number)[]): string {
  return `${ctx.origin}${API_PREFIX}/${segments.join('/')}/`;
}

export function link(ctx: Pick<Ctx, 'origin'>, ...segments: (string | number)[]): { href: string } {
  return { href: href(ctx, ...segments) };
}

/** `2025-01-01T10:00:00Z` from epoch seconds. */
export function isoSec(sec: number | null): string | null {
  if (sec === null) return null;
  return new Date(sec * 1000).toISOString().replace('.000Z', 'Z');
}
