/** Webhook management (reference §7.8): event is immutable; `key` is generated and used to sign deliveries. */
import { createHash } from 'node:crypto';
import { page } from '../collections.js';
import type { Ctx } from '../context.js';
import { href, isoSec } from '../context.js';
import type { WebhookRec } from '../model.js';
import type { Route } from '../router.js';
import type { Spec } from '../validate.js';
import { body, LIST, need } from './common.js';

export const PRODUCT_EVENTS = ['products.created', 'products.updated', 'products.deleted'] as const;
export const ORDER_EVENTS = ['orders.created', 'orders.updated'] as const;

export function webhookEvents(orderWebhooks: boolean): string[] {
  return orderWebhooks ? [...PRODUCT_EVENTS, ...ORDER_EVENTS] : [...PRODUCT_EVENTS];
}

export function renderWebhook(ctx: Ctx, w: WebhookRec): Record<string, unknown> {
  return {
    href: href(ctx, 'webhooks', w.id), id: w.id, createdate: isoSec(w.createdate), event: w.event, address: w.address,
    key: w.key, is_active: w.is_active, parent: { href: href(ctx, 'webhooks') },
  };
}

const address = {
  type: 'string',
  maxLength: 255,
  check: (v: unknown) => (/^https?:\/\/[^\s/]+/.test(v as string) ? undefined : 'must be an absolute http(s) URL'),
} as const;

export const webhookRoutes: Route[] = [
  {
    path: 'webhooks',
    methods: {
      GET: { params: LIST, run: (ctx) => page(ctx, ctx.state.webhooks.all(), (w) => renderWebhook(ctx, w)) },
      POST: {
        run: (ctx) => {
          const s = ctx.state;
          const spec: Spec = {
            event: { type: { enum: webhookEvents(ctx.b.orderWebhooks) }, required: true },
            address: { ...address, required: true },
            is_active: { type: 'bool' },
          };
          const b = body(ctx, spec);
          const id = s.webhooks.allocateId();
          const key = createHash('sha256').update(`webhook:${s.webshop.id}:${id}:${ctx.nowMs}`).digest('hex').slice(0, 32);
          const w = s.webhooks.insert({ id, createdate: ctx.nowSec, event: b['event'] as string, address: b['address'] as string, key, is_active: (b['is_active'] as boolean | undefined) ?? true });
          return { status: 201, body: renderWebhook(ctx, w) };
        },
      },
    },
  },
  {
    path: 'webhooks/:id',
    methods: {
      GET: { run: (ctx) => ({ status: 200, body: renderWebhook(ctx, need(ctx.state.webhooks, ctx.params[0] as number, 'webhook')) }) },
      PATCH: {
        run: (ctx) => {
          const w = need(ctx.state.webhooks, ctx.params[0] as number, 'webhook');
          Object.assign(w, body(ctx, { address, is_active: { type: 'bool' } }));
          ctx.state.webhooks.touch();
          return { status: 204 };
        },
      },
      DELETE: {
        run: (ctx) => {
          need(ctx.state.webhooks, ctx.params[0] as number, 'webhook');
          ctx.state.webhooks.delete(ctx.params[0] as number);
          return { status: 204 };
        },
      },
    },
  },
];
