/**
 * Webhook receivers. Each verifies the signature over the raw bytes before anything else, records
 * the delivery in the inbox (ids and a hash, never the payload), enqueues the work and answers at
 * once; the work itself runs as a job.
 */
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { ccvWebhookSignature } from '../connectors/ccv/read/stock.js';
import { readWebhookHeaders, verifyWebhookHmac, webhookResourceId } from '../connectors/shopify/webhooks.js';
import type { InboxJob, ReceiveResult, WebhookInbox } from '../engine/inbox.js';
import type { Logger } from '../obs/log.js';

export interface WebhookDeps {
  inbox: WebhookInbox;
  logger: Logger;
  ccv?: {
    /** The address CCV posts to, exactly as registered (it is part of what CCV signs). */
    address: () => string | undefined;
    /** Handles one verified-or-not delivery (the stock flow's receiver). */
    receive: (d: { rawBody: string; hash: string | null; address: string }) => Promise<ReceiveResult>;
    /** Called after an accepted delivery (e.g. a products delta run). */
    after?: (rawBody: string) => Promise<void>;
  };
  shopify?: {
    /** The app's client secret (and during a rotation the previous one). */
    secrets: () => readonly string[];
    /** The job a topic triggers, or null when no flow needs it (the delivery is still recorded). */
    jobFor: (topic: string, resourceId: string | undefined) => InboxJob | null;
  };
}

const status = (r: ReceiveResult): 200 | 401 => (r.status === 'rejected' ? 401 : 200);

export function webhookRoutes(deps: WebhookDeps): Hono {
  const app = new Hono();

  app.post('/ccv', async (c) => {
    const ccv = deps.ccv;
    const address = ccv?.address();
    if (!ccv || !address) return c.json({ error: 'CCV webhooks are not set up in this Koppel' }, 404);
    const rawBody = await c.req.text();
    const r = await ccv.receive({ rawBody, hash: ccvWebhookSignature(c.req.raw.headers), address });
    if (r.status === 'rejected') deps.logger.warn({ source: 'ccv' }, 'a CCV webhook delivery failed its signature check and was ignored');
    else if (r.status === 'accepted' && ccv.after) await ccv.after(rawBody).catch((e: unknown) => deps.logger.warn({ err: e }, 'follow-up of a CCV webhook failed'));
    return c.json({ status: r.status }, status(r));
  });

  app.post('/shopify', async (c) => {
    const shopify = deps.shopify;
    if (!shopify) return c.json({ error: 'Shopify webhooks are not set up in this Koppel' }, 404);
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const h = readWebhookHeaders(c.req.raw.headers);
    const topic = h.topic ?? 'unknown';
    if (!h.eventId && !h.webhookId) return c.json({ error: 'missing X-Shopify-Event-Id and X-Shopify-Webhook-Id' }, 400);
    // The signature check below decides; a body that is not JSON is recorded without a resource.
    const resourceId = webhookResourceId(raw);
    const r = await deps.inbox.receive({
      source: 'shopify:main',
      // One merchant action fans out to several topics sharing an event id: the topic is part of the key.
      deliveryId: h.eventId ? `${topic}:${h.eventId}` : `webhook:${h.webhookId}`,
      topic,
      verify: () => verifyWebhookHmac(raw, h.hmac, shopify.secrets()),
      ...(resourceId ? { resourceId } : {}),
      payloadHash: createHash('sha256').update(raw).digest('hex'),
      job: shopify.jobFor(topic, resourceId),
    });
    if (r.status === 'rejected') deps.logger.warn({ source: 'shopify', topic }, 'a Shopify webhook delivery failed its HMAC check and was ignored');
    return c.json({ status: r.status }, status(r));
  });

  return app;
}
