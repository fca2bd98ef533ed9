/**
 * The webhook inbox: verify a delivery with the connector's check, store it deduplicated on
 * (source, delivery id) and enqueue its job, in one transaction, so the HTTP handler can answer
 * 200 at once. Framework-free: the server's route calls `receive(...)` and maps the result.
 *
 * Privacy: only ids, the topic, a hash of the body and the time are stored, never the payload; a
 * job that needs the data reads it from the API again.
 *
 * Delivery ids: Shopify `X-Shopify-Event-Id` (one per event, the same on every retry and for every
 * subscription of the topic) combined with the topic, falling back to `X-Shopify-Webhook-Id`;
 * CCV: its delivery identifier. The connector decides; the inbox only needs it stable.
 */
import type { Kysely } from 'kysely';
import { KoppelError } from '../core/errors.js';
import type { Database } from '../store/schema.js';
import { jobIdFrom } from './runtime/ids.js';
import type { JobData, JobRuntime } from './runtime/port.js';

export interface InboxJob {
  name: string;
  data: JobData;
  key?: string;
  lanes?: readonly string[];
}

export interface ReceiveInput {
  /** `shopify`, `ccv`, or a connection name such as `shopify:main`. */
  source: string;
  deliveryId: string;
  topic: string;
  /** The connector's signature check over the raw body (HMAC). Nothing is stored when it fails. */
  verify: () => boolean | Promise<boolean>;
  /** The id of the record the delivery concerns (e.g. an inventory item id), if known. */
  resourceId?: string;
  /** A hash of the raw body (e.g. sha256 hex), for diagnostics; never the body itself. */
  payloadHash?: string;
  /** The job to enqueue; `null` stores the delivery without work (e.g. a topic no flow uses). */
  job: InboxJob | null;
  receivedAt?: number;
}

export type ReceiveResult =
  | { status: 'accepted'; jobId: string | null }
  | { status: 'duplicate'; jobId: string | null }
  | { status: 'rejected'; reason: 'signature' };

export interface Delivery {
  source: string;
  deliveryId: string;
  topic: string;
  resourceId: string | null;
  payloadHash: string | null;
  status: 'enqueued' | 'ignored';
  jobId: string | null;
  receivedAt: Date;
}

export const DEFAULT_INBOX_RETENTION_DAYS = 14;

function need(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max) {
    throw new KoppelError({
      code: 'WEBHOOK_DELIVERY_INVALID',
      message: `webhook delivery: ${field} is missing or longer than ${max} characters`,
      hint: 'the sender did not send the expected headers; check the webhook subscription',
      errorClass: 'invalid_input',
    });
  }
  return value;
}

export class WebhookInbox {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly runtime: Pick<JobRuntime, 'enqueue'>,
  ) {}

  async receive(input: ReceiveInput): Promise<ReceiveResult> {
    const source = need(input.source, 'source', 50);
    const deliveryId = need(input.deliveryId, 'delivery id', 300);
    const topic = need(input.topic, 'topic', 200);
    if (!(await input.verify())) return { status: 'rejected', reason: 'signature' };
    const receivedAt = input.receivedAt ?? Date.now();
    return this.db.transaction().execute(async (tx) => {
      const inserted = await tx
        .insertInto('webhook_delivery')
        .values({
          source,
          delivery_id: deliveryId,
          topic,
          resource_id: input.resourceId?.slice(0, 300) ?? null,
          payload_hash: input.payloadHash?.slice(0, 128) ?? null,
          status: input.job ? 'enqueued' : 'ignored',
          job_id: null,
          received_at: receivedAt,
        })
        .onConflict((oc) => oc.columns(['source', 'delivery_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) {
        const prior = await tx.selectFrom('webhook_delivery').select('job_id').where('source', '=', source).where('delivery_id', '=', deliveryId).executeTakeFirst();
        return { status: 'duplicate', jobId: prior?.job_id ?? null } as ReceiveResult;
      }
      if (!input.job) return { status: 'accepted', jobId: null } as ReceiveResult;
      const { id } = await this.runtime.enqueue(input.job.name, input.job.data, {
        key: input.job.key,
        lanes: input.job.lanes,
        id: jobIdFrom('webhook', source, deliveryId),
        tx,
      });
      await tx.updateTable('webhook_delivery').set({ job_id: id }).where('id', '=', inserted.id).execute();
      return { status: 'accepted', jobId: id } as ReceiveResult;
    });
  }

  async get(source: string, deliveryId: string): Promise<Delivery | undefined> {
    const r = await this.db.selectFrom('webhook_delivery').selectAll().where('source', '=', source).where('delivery_id', '=', deliveryId).executeTakeFirst();
    if (!r) return undefined;
    return {
      source: r.source,
      deliveryId: r.delivery_id,
      topic: r.topic,
      resourceId: r.resource_id,
      payloadHash: r.payload_hash,
      status: r.status as Delivery['status'],
      jobId: r.job_id,
      receivedAt: new Date(r.received_at),
    };
  }

  /** Deliveries received per source since a time (for the dashboard and alert rules). */
  async countSince(since: number): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('webhook_delivery')
      .select(['source', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('received_at', '>=', since)
      .groupBy('source')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.source, Number(r.n)]));
  }

  /**
   * Forgets deliveries older than the retention. Senders retry for at most a few days (Shopify: 48
   * hours), so after that a delivery id no longer needs remembering.
   */
  async purge(opts: { retentionDays?: number; now?: number } = {}): Promise<number> {
    const cutoff = (opts.now ?? Date.now()) - (opts.retentionDays ?? DEFAULT_INBOX_RETENTION_DAYS) * 86_400_000;
    const res = await this.db.deleteFrom('webhook_delivery').where('received_at', '<', cutoff).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
